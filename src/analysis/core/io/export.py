"""Microdata export: validated respondent tables as SPSS .sav, Stata .dta, and CSV with SPSS syntax.

What a colleague who works in SPSS or Stata gets: the codebook's item ids as variable names, the
codebook's codes as values, its question text as variable labels and its answer labels as value
labels (nl or en), a measurement level per variable, and missing codes that keep apart why a
cell is empty:

    -1  not asked: the skip logic routed the respondent past the question
    -2  not asked in this wave: the wave's questionnaire did not contain the question
    -9  no answer: asked, and left unanswered (item nonresponse)

In SPSS they are user-missing values (3 discrete values, the most SPSS allows); in Stata the
extended missing values .a, .b and .c with the same labels. Several waves go in one harmonised
file with a `wave` variable, the codebook ids as names and -2 where a wave did not ask an item.

The exported .sav reads back as a wave export without a column map (the codebook's own codes and
ids; user-missing values read as missing), so it validates and aggregates to the same cells.csv.
Nothing here knows the study: items, codes and labels come from the codebook.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core.codebook import Codebook, Item
from analysis.core.disclosure.settings import disclosure_settings

# Why a cell is empty, as a code in SPSS and CSV and an extended missing value in Stata.
NOT_ASKED, NOT_IN_WAVE, NO_ANSWER = "not_asked", "not_in_wave", "no_answer"
MISSING_CODES = {NOT_ASKED: -1, NOT_IN_WAVE: -2, NO_ANSWER: -9}
STATA_MISSING = {NOT_ASKED: "a", NOT_IN_WAVE: "b", NO_ANSWER: "c"}
MISSING_LABELS = {
    "nl": {NOT_ASKED: "Niet gevraagd (routing)", NOT_IN_WAVE: "Niet gevraagd in deze meting",
           NO_ANSWER: "Geen antwoord"},
    "en": {NOT_ASKED: "Not asked (routing)", NOT_IN_WAVE: "Not asked in this wave", NO_ANSWER: "No answer"},
}
# Identifiers are text; counted answers are nominal unless the codebook says `measure: ordinal`.
STRING_TYPES = {"id", "wave", "municipality"}
MEASURES = ("nominal", "ordinal", "scale")
# Label limits of the file formats (bytes): longer labels are cut with "…" (the codebook and
# the DDI file keep the full text). Stata variable labels hold 80, SPSS 256, SPSS value labels 120.
STATA_VARIABLE_LABEL, SPSS_VARIABLE_LABEL, SPSS_VALUE_LABEL = 80, 256, 120
STATA_NAME_LENGTH = 32


class ExportError(ValueError):
    """The export cannot be written as asked (an unlabelled item, a wave that did not validate)."""


@dataclass(frozen=True)
class Variable:
    """One variable of an export: name, label, measurement level, value labels (code -> label)."""
    name: str
    label: str
    measure: str
    string: bool = False
    value_labels: dict[int, str] = field(default_factory=dict)

    @property
    def coded(self) -> bool:
        """Numeric with missing codes: every variable except the identifiers."""
        return not self.string


def variable_label(item: Item, language: str) -> str:
    """The question text in the language if the codebook has it, else the item's label."""
    question = item.extra.get(f"question_{language}")
    return str(question).strip() if question and str(question).strip() else item.label(language).strip()


def measure_of(item: Item) -> str:
    """nominal, ordinal or scale: numbers are scale; the codebook may declare `measure:`."""
    declared = item.extra.get("measure")
    if declared is not None:
        if declared not in MEASURES:
            raise ExportError(f"item {item.id}: measure {declared!r} is not one of {', '.join(MEASURES)}")
        return declared
    return "scale" if item.type == "number" else "nominal"


def export_variables(book: Codebook, items: list[Item], language: str) -> list[Variable]:
    """The variables of an export, in codebook order. An item without a label, or an answer
    without one, stops the export with the item named: an unlabelled variable in SPSS is a
    number nobody can read."""
    if language not in MISSING_LABELS:
        raise ExportError(f"language {language!r}: use nl or en")
    variables = []
    for item in items:
        label = variable_label(item, language)
        if not label:
            raise ExportError(f"item {item.id}: the codebook has no {language} label or question text for it")
        unlabelled = [a.code for a in item.answers if not a.label(language).strip()]
        if unlabelled:
            raise ExportError(f"item {item.id}: the codebook has no {language} label for answer code(s) {unlabelled}")
        if len(item.id) > STATA_NAME_LENGTH:
            raise ExportError(f"item {item.id}: longer than {STATA_NAME_LENGTH} characters, the limit of a Stata name")
        string = item.type in STRING_TYPES
        labels = {} if string else {a.code: a.label(language) for a in item.answers}
        if not string:
            labels |= {code: MISSING_LABELS[language][why] for why, code in MISSING_CODES.items()}
        variables.append(Variable(item.id, label, "nominal" if string else measure_of(item), string, labels))
    return variables


def asked_mask(responses: pd.DataFrame, item: Item) -> pd.Series:
    """Respondents the skip logic routed to `item` (its lead answers hold)."""
    mask = pd.Series(True, index=responses.index)
    for parent, key in item.asked_if.items():
        mask &= responses[parent].astype("string").eq(key).fillna(False).astype(bool)
    return mask


def coded_wave(responses: pd.DataFrame, book: Codebook, wave: str, not_asked=(), items: list[Item] | None = None) -> pd.DataFrame:
    """One wave's respondents with the codebook's codes and the missing codes, for `items`
    (default: the wave's questionnaire). A column the codebook does not have stops the export."""
    unknown = [c for c in responses.columns if c not in book]
    if unknown:
        raise ExportError(f"wave {wave}: column(s) {unknown} are not codebook items: no label to export them with")
    in_wave = {it.id for it in book.items_in_wave(wave, not_asked)}
    items = [it for it in book.items if it.id in in_wave] if items is None else items
    out = pd.DataFrame(index=responses.index)
    for item in items:
        values = responses[item.id] if item.id in responses else pd.Series(pd.NA, index=responses.index)
        if item.type in STRING_TYPES:
            fill = wave if item.type == "wave" else ""
            out[item.id] = values.astype("string").fillna(fill).astype(object)
            continue
        if item.answers:
            codes = {a.key: float(a.code) for a in item.answers}
            coded = values.astype(object).map(lambda v, c=codes: c[v] if isinstance(v, str) and v in c else None)
            stray = values.notna() & coded.isna()
            if stray.any():
                raise ExportError(f"wave {wave}: item {item.id} has answer(s) {sorted(set(values[stray].astype(str)))} "
                                  "without a code in the codebook")
            coded = coded.astype("float64")
        else:
            coded = pd.to_numeric(values, errors="raise").astype("float64")
        if item.id not in in_wave:
            why = pd.Series(float(MISSING_CODES[NOT_IN_WAVE]), index=responses.index)
        else:
            routed = asked_mask(responses, item)
            why = pd.Series(float(MISSING_CODES[NO_ANSWER]), index=responses.index).where(
                routed, float(MISSING_CODES[NOT_ASKED]))
        out[item.id] = coded.where(coded.notna(), why)
    return out.reset_index(drop=True)


def harmonised_waves(coded: dict[str, pd.DataFrame], book: Codebook) -> pd.DataFrame:
    """Every wave's coded rows in one table (waves in the given order), with every item any wave
    has: an item a wave did not have is -2 (not asked in this wave) for all its rows."""
    present = set().union(*(frame.columns for frame in coded.values())) if coded else set()
    items = [it for it in book.items if it.id in present or it.type == "wave"]
    parts = []
    for wave, frame in coded.items():
        part = pd.DataFrame(index=frame.index)
        for item in items:
            if item.id in frame:
                part[item.id] = frame[item.id]
            elif item.type == "wave":
                part[item.id] = wave
            elif item.type in STRING_TYPES:
                part[item.id] = ""
            else:
                part[item.id] = float(MISSING_CODES[NOT_IN_WAVE])
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[it.id for it in items])


# --- writers -------------------------------------------------------------------------------------

def _cut(text: str, limit: int) -> str:
    """Text cut to `limit` UTF-8 bytes, ending in "…" when cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    while len((text + "…").encode("utf-8")) > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def _numeric_format(frame: pd.DataFrame, var: Variable) -> str:
    """F-format wide enough for the codes (and -9); decimals only where values have them."""
    values = frame[var.name].dropna()
    decimals = 0 if values.empty or (values == values.round()).all() else 2
    width = max([len(f"{v:.{decimals}f}") for v in values] + [2]) + (1 if decimals else 0)
    return f"F{width}.{decimals}"


def _string_width(frame: pd.DataFrame, name: str) -> int:
    return max([len(str(v).encode("utf-8")) for v in frame[name]] + [1])


def write_sav(frame: pd.DataFrame, variables: list[Variable], path, file_label: str = "") -> None:
    import pyreadstat

    coded = [v for v in variables if v.coded]
    pyreadstat.write_sav(
        frame[[v.name for v in variables]], str(path), file_label=_cut(file_label, 64),
        column_labels={v.name: _cut(v.label, SPSS_VARIABLE_LABEL) for v in variables},
        variable_value_labels={v.name: {float(c): _cut(t, SPSS_VALUE_LABEL) for c, t in v.value_labels.items()}
                               for v in coded},
        missing_ranges={v.name: [float(c) for c in sorted(MISSING_CODES.values())] for v in coded},
        variable_measure={v.name: v.measure for v in variables},
        variable_format={v.name: _numeric_format(frame, v) for v in coded})


@contextmanager
def _object_columns_typed_by_all_values():
    """pyreadstat (1.3) types a column through narwhals, which guesses the type of a pandas object
    column from its first 100 values: a coded column whose first 100 rows are all missing letters
    (a wave that did not ask the item, first in the harmonised file) is taken for text and the
    write fails. While writing, the guess looks at every value instead."""
    from narwhals._pandas_like import series as nw_series

    original = nw_series.object_native_to_narwhals_dtype

    def guess(native, version, implementation):
        if native is not None and pd.api.types.infer_dtype(native, skipna=True) != "string":
            return version.dtypes.Object()
        return original(native, version, implementation)

    nw_series.object_native_to_narwhals_dtype = guess
    try:
        yield
    finally:
        nw_series.object_native_to_narwhals_dtype = original


def write_dta(frame: pd.DataFrame, variables: list[Variable], path, file_label: str = "") -> None:
    """Stata: the missing codes become .a/.b/.c (labelled); Stata has no measurement levels."""
    import pyreadstat

    out = frame[[v.name for v in variables]].copy()
    letter = {float(code): STATA_MISSING[why] for why, code in MISSING_CODES.items()}
    for v in variables:
        if v.coded:
            # one number type per column: pyreadstat reads a column mixing int and float as text
            whole = all(float(x).is_integer() for x in out[v.name] if float(x) not in letter)
            number = int if whole else float
            out[v.name] = pd.Series([letter.get(float(x), number(x)) for x in out[v.name]], index=out.index, dtype=object)
    labels = {}
    for v in variables:
        if v.coded:
            by_code = {int(c): t for c, t in v.value_labels.items() if c not in MISSING_CODES.values()}
            by_code |= {STATA_MISSING[why]: v.value_labels[code] for why, code in MISSING_CODES.items()}
            labels[v.name] = by_code
    with _object_columns_typed_by_all_values():
        pyreadstat.write_dta(out, str(path), file_label=_cut(file_label, 80),
                             column_labels={v.name: _cut(v.label, STATA_VARIABLE_LABEL) for v in variables},
                             variable_value_labels=labels,
                             missing_user_values={v.name: sorted(STATA_MISSING.values()) for v in variables if v.coded})


def csv_text(frame: pd.DataFrame, variables: list[Variable]) -> str:
    """The CSV copy: codes (missing codes included) as whole numbers where they are whole."""
    out = frame[[v.name for v in variables]].copy()
    for v in variables:
        if v.coded:
            out[v.name] = [f"{x:g}" if float(x).is_integer() else repr(float(x)) for x in out[v.name]]
    return out.to_csv(index=False, lineterminator="\n")


def _sps_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _wrapped(names: list[str], width: int = 72) -> list[str]:
    """Variable names on indented lines of at most `width` characters (old SPSS versions read
    syntax lines of limited length)."""
    lines, line = [], ""
    for name in names:
        if line and len(line) + 1 + len(name) > width:
            lines.append("  " + line)
            line = name
        else:
            line = f"{line} {name}".strip()
    return lines + (["  " + line] if line else [])


def sps_syntax(frame: pd.DataFrame, variables: list[Variable], csv_name: str) -> str:
    """SPSS syntax that reads the CSV copy and declares the same labels, missing values and
    measurement levels as the .sav."""
    def fmt(v):
        return f"A{_string_width(frame, v.name)}" if v.string else _numeric_format(frame, v)

    coded = [v for v in variables if v.coded]
    lines = ["* Encoding: UTF-8.", "* Reads " + csv_name + " (in the same folder) with every label and missing value.",
             "GET DATA /TYPE=TXT", f"  /FILE={_sps_quote(csv_name)}", "  /ENCODING='UTF8'",
             "  /DELIMITERS=','", "  /QUALIFIER='\"'", "  /ARRANGEMENT=DELIMITED", "  /FIRSTCASE=2", "  /VARIABLES="]
    lines += [f"    {v.name} {fmt(v)}" for v in variables]
    lines[-1] += "."
    lines += ["VARIABLE LABELS"]
    lines += [f"  {v.name} {_sps_quote(_cut(v.label, SPSS_VARIABLE_LABEL))}" + (" /" if i < len(variables) - 1 else ".")
              for i, v in enumerate(variables)]
    if coded:
        lines += ["VALUE LABELS"]
        for i, v in enumerate(coded):
            lines.append(f"  /{v.name}" if i else f"  {v.name}")
            lines += [f"    {c} {_sps_quote(_cut(t, SPSS_VALUE_LABEL))}" for c, t in v.value_labels.items()]
        lines[-1] += "."
        codes = ", ".join(str(c) for c in sorted(MISSING_CODES.values()))
        lines += ["MISSING VALUES"] + _wrapped([v.name for v in coded]) + [f"  ({codes})."]
    for level in MEASURES:
        names = [v.name for v in variables if v.measure == level]
        if names:
            lines += ["VARIABLE LEVEL"] + _wrapped(names) + [f"  ({level.upper()})."]
    lines += ["EXECUTE.", ""]
    return "\n".join(lines)


def write_all_formats(frame: pd.DataFrame, variables: list[Variable], outdir, stem: str, file_label: str = "") -> list[Path]:
    """<stem>.sav, <stem>.dta, <stem>.csv and <stem>.sps in `outdir`."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.{ext}" for ext in ("sav", "dta", "csv", "sps")]
    write_sav(frame, variables, paths[0], file_label)
    write_dta(frame, variables, paths[1], file_label)
    paths[2].write_text(csv_text(frame, variables), encoding="utf-8")
    paths[3].write_text(sps_syntax(frame, variables, paths[2].name), encoding="utf-8")
    return paths


# --- the export steps (the only I/O besides the writers) -----------------------------------------

def require_valid(status: dict) -> None:
    """A wave that did not validate has no respondent table to export: say so, write nothing."""
    if not status.get("valid"):
        first = "; ".join(status.get("first_problems") or [])
        raise ExportError(f"wave {status.get('wave')} did not validate ({status.get('problems', '?')} problems; "
                          f"see {status.get('report', 'its validation report')}): nothing exported. {first}".strip())


def require_pseudonyms(responses: pd.DataFrame, wave: str, mode: str) -> None:
    """A public export carries pseudonyms only: a table validated in restricted mode (real ids)
    is refused rather than exported under a public label."""
    from analysis.core.disclosure.pseudonyms import PSEUDONYM

    if mode != "public" or "municipality_id" not in responses:
        return
    real = sorted({str(m) for m in responses["municipality_id"].dropna() if not PSEUDONYM.match(str(m))})
    if real:
        raise ExportError(f"wave {wave}: public export, but the respondent table holds municipality ids that are not "
                          f"pseudonyms ({', '.join(real[:3])}{', …' if len(real) > 3 else ''}): validate the wave in "
                          "public mode first; nothing exported")


def export_sheet(municipalities: pd.DataFrame, mode: str) -> pd.DataFrame:
    """The municipality sheet that goes with the export, in the shape validation reads. Public:
    the pseudonym is the id and no name or note travels."""
    sheet = municipalities.copy()
    if mode == "public":
        if "pseudonym" in sheet:
            sheet["municipality_id"] = sheet["pseudonym"]
        sheet = sheet.drop(columns=[c for c in ("name", "note") if c in sheet])
    return sheet.drop(columns=[c for c in ("pseudonym",) if c in sheet])


WORDS = {
    "nl": {"public": "RESPONDENTGEGEVENS (microdata), NIET VOOR PUBLICATIE. Eén rij per respondent; gemeenten "
                     "alleen onder pseudoniem. Alleen te delen met onderzoekers die de afspraken over kleine "
                     "aantallen (k = {k}) kennen.",
           "restricted": "RESPONDENTGEGEVENS (microdata), VERTROUWELIJK, NIET VOOR PUBLICATIE. Eén rij per "
                         "respondent, met de echte gemeentecodes."},
    "en": {"public": "RESPONDENT-LEVEL DATA (microdata), NOT FOR PUBLICATION. One row per respondent; municipalities "
                     "under pseudonyms only. Share only with researchers who keep the small-cell rules (k = {k}).",
           "restricted": "RESPONDENT-LEVEL DATA (microdata), RESTRICTED, NOT FOR PUBLICATION. One row per "
                         "respondent, with the real municipality ids."},
}


def banner(modes: list[str], k: int, language: str) -> str:
    """The first line of every microdata README: restricted if any wave in it is."""
    return WORDS[language]["restricted" if "restricted" in modes else "public"].format(k=k)


def wave_readme(wave: str, cfg: dict, variables: list[Variable], n: int, language: str, note: str | None) -> str:
    """README of one wave's export, with the config entry that reads it back as a wave."""
    mode, k = cfg["disclosure"]["mode"], cfg["disclosure"]["min_base"]
    entry = {wave: {"export": f"microdata/{wave}/{wave}.sav", "municipalities": f"microdata/{wave}/municipalities.csv",
                    "not_asked": list(cfg.get("not_asked") or []), "disclosure": {"mode": mode}}}
    lines = [f"**{banner([mode], k, language)}**", "", f"# Microdata: wave `{wave}`", ""]
    if note:
        lines += [note, ""]
    lines += [f"{n} respondents, {len(variables)} variables (the codebook's item ids).", "",
              f"- `{wave}.sav` (SPSS), `{wave}.dta` (Stata), `{wave}.csv` with `{wave}.sps` (SPSS syntax that reads "
              "the CSV with the same labels and missing values), `municipalities.csv` (the municipality sheet).",
              "- Missing codes: " + ", ".join(f"{code} = {MISSING_LABELS[language][why]}" for why, code in MISSING_CODES.items())
              + " (SPSS user-missing; Stata " + ", ".join(f".{STATA_MISSING[w]}" for w in MISSING_CODES) + ").",
              "", "Read back as a survey wave (config/config.yaml, no column map needed):", "", "```json",
              json.dumps(entry, indent=2, ensure_ascii=False), "```", ""]
    return "\n".join(lines)


def run_export_wave(status: dict, responses_path, municipalities_path, book: Codebook, cfg: dict, language: str,
                    outdir, note: str | None = None) -> list[Path]:
    """The export_wave step: microdata/<wave>/ with .sav, .dta, .csv + .sps, the sheet and a README.
    `cfg` is the wave's config entry with its resolved `disclosure`. Checks everything before the
    first file is written, so a refused export leaves nothing behind."""
    require_valid(status)
    wave = status["wave"]
    cfg = {**cfg, "disclosure": disclosure_settings(cfg.get("disclosure"))}
    responses = pd.read_parquet(responses_path)
    mode = cfg["disclosure"]["mode"]
    require_pseudonyms(responses, wave, mode)
    sheet = pd.read_csv(municipalities_path, dtype=str, keep_default_na=False)
    frame = coded_wave(responses, book, wave, cfg.get("not_asked") or [])
    variables = export_variables(book, [book[c] for c in frame.columns], language)
    out = Path(outdir)
    paths = write_all_formats(frame, variables, out, wave, file_label=f"{wave} ({mode})")
    export_sheet(sheet, mode).to_csv(out / "municipalities.csv", index=False, lineterminator="\n")
    (out / "README.md").write_text(wave_readme(wave, cfg, variables, len(frame), language, note), encoding="utf-8")
    return paths + [out / "municipalities.csv", out / "README.md"]


def run_export_harmonised(statuses: list[dict], responses: dict[str, str], municipalities: dict[str, str],
                          book: Codebook, cfgs: dict[str, dict], language: str, outdir, readme) -> list[Path]:
    """The export_harmonised step: every valid wave in one file (microdata/all-waves/) and the
    top-level microdata/README.md, which names the waves left out and why."""
    valid = [s["wave"] for s in statuses if s.get("valid")]
    excluded = [s for s in statuses if not s.get("valid")]
    cfgs = {w: {**c, "disclosure": disclosure_settings(c.get("disclosure"))} for w, c in cfgs.items()}
    tables = {w: pd.read_parquet(responses[w]) for w in valid}
    for w in valid:
        require_pseudonyms(tables[w], w, cfgs[w]["disclosure"]["mode"])
    coded = {w: coded_wave(tables[w], book, w, cfgs[w].get("not_asked") or []) for w in valid}
    frame = harmonised_waves(coded, book)
    variables = export_variables(book, [book[c] for c in frame.columns], language)
    modes = [cfgs[w]["disclosure"]["mode"] for w in valid] or ["public"]
    k = min(int(cfgs[w]["disclosure"]["min_base"]) for w in cfgs) if cfgs else 5
    out = Path(outdir)
    paths = write_all_formats(frame, variables, out, "all-waves", file_label="all valid waves")
    sheets = [export_sheet(pd.read_csv(municipalities[w], dtype=str, keep_default_na=False),
                           cfgs[w]["disclosure"]["mode"]).drop(columns=["name", "note"], errors="ignore")
              .assign(wave=w) for w in valid]
    if sheets:
        sheet = pd.concat(sheets, ignore_index=True)
        sheet[["wave"] + [c for c in sheet.columns if c != "wave"]].to_csv(
            out / "municipalities.csv", index=False, lineterminator="\n")
    lines = [f"**{banner(modes, k, language)}**", "", "# Microdata", "",
             "Made by `snakemake export` from the validated respondent tables; not part of the default build "
             "and kept out of git. Every variable is described in `results/codebook/codebook.html` and "
             "`results/codebook/ddi-codebook.xml`.", "",
             "| folder | what |", "|---|---|"]
    lines += [f"| `{w}/` | wave {w} ({cfgs[w]['disclosure']['mode']}): {len(coded[w])} respondents |" for w in valid]
    lines += [f"| `{out.name}/` | all valid waves in one file ({len(frame)} respondents), a `wave` variable; "
              f"{MISSING_CODES[NOT_IN_WAVE]} = {MISSING_LABELS[language][NOT_IN_WAVE]} where a wave lacked an item; "
              "names of municipalities never included |", ""]
    if excluded:
        lines += ["Not exported (did not validate):", ""]
        lines += [f"- `{s['wave']}`: {s.get('problems', '?')} problems, see {s.get('report', '')}" for s in excluded]
        lines.append("")
    Path(readme).write_text("\n".join(lines), encoding="utf-8")
    return paths + [Path(readme)]
