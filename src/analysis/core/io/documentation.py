"""The codebook for people and archives: results/codebook/codebook.html and a DDI Codebook 2.5 file.

Both are written from the codebook (items, codes, labels nl/en, skip logic), the wave config
(which waves asked which item) and each valid wave's cells.csv (frequencies over all
respondents). cells.csv is already protected in public mode, so a public wave's frequencies show
exactly what its tables show: a hidden cell stays hidden here too.

DDI Codebook 2.5 (ddialliance.org) is what data archives (DANS) and Dataverse read: `stdyDscr`
for the study, one `fileDscr` per wave's export, and in `dataDscr` one `var` per item and wave
file (`files` points at the wave; a DDI frequency belongs to one file) with its label, question
text, categories with frequencies (`catStat`), the missing codes (`invalrng`, categories marked
missing) and the skip logic (`universe`). An item no valid wave asked still gets a `var`, without
file or frequencies, so that every codebook item is described.
"""
from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pandas as pd

from analysis.core.codebook import Codebook, Item
from analysis.core.disclosure.marks import is_suppressed
from analysis.core.io.export import MISSING_CODES, MISSING_LABELS, STRING_TYPES, measure_of, variable_label
from analysis.core.rounding import format_percent, percent_of
from analysis.core.vocabulary import NOT_ASKED, OVERALL

DDI_NAMESPACE = "ddi:codebook:2_5"
DDI_SCHEMA = "http://www.ddialliance.org/Specification/DDI-Codebook/2.5/XMLSchema/codebook.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# DDI's `nature` for the export's measurement levels (a number of hours is a ratio scale)
NATURE = {"nominal": "nominal", "ordinal": "ordinal", "scale": "ratio"}


@dataclass(frozen=True)
class WaveInfo:
    """What the documentation says about one configured wave."""
    wave: str
    description: str
    mode: str  # public | restricted
    valid: bool
    respondents: int
    items: tuple[str, ...]  # the items of its questionnaire (config and codebook)


WORDS = {
    "nl": {"title": "Codeboek", "question": "Vraag", "label": "Label", "type": "Soort", "measure": "Meetniveau",
           "codes": "Antwoorden", "code": "Code", "key": "Sleutel", "asked": "Gesteld", "everyone": "aan iedereen",
           "if": "alleen als", "waves": "Metingen die de vraag stelden", "none": "geen", "frequencies": "Frequenties",
           "answer": "Antwoord", "missing": "Ontbrekend (codes van de microdata-export)",
           "invalid": "niet gevalideerd: geen frequenties", "public": "openbaar", "restricted": "vertrouwelijk",
           "restricted_note": "Vertrouwelijk: bevat frequenties van een meting in restricted mode ({waves}); niet voor publicatie.",
           "hidden_note": "'< k' en '×': verborgen cel (kleine aantallen), zoals in de tabellen van die meting.",
           "items": "items", "n": "n", "id": "Item", "and": "en", "contents": "Inhoud"},
    "en": {"title": "Codebook", "question": "Question", "label": "Label", "type": "Type", "measure": "Measurement level",
           "codes": "Answers", "code": "Code", "key": "Key", "asked": "Asked", "everyone": "of everyone",
           "if": "only if", "waves": "Waves that asked it", "none": "none", "frequencies": "Frequencies",
           "answer": "Answer", "missing": "Missing (codes of the microdata export)",
           "invalid": "did not validate: no frequencies", "public": "public", "restricted": "restricted",
           "restricted_note": "Restricted: holds frequencies of a wave in restricted mode ({waves}); not for publication.",
           "hidden_note": "'< k' and '×': hidden cell (small numbers), as in that wave's tables.",
           "items": "items", "n": "n", "id": "Item", "and": "and", "contents": "Contents"},
}


def skip_logic_words(item: Item, book: Codebook, language: str) -> str:
    """'aan iedereen' or "alleen als 'Werken aan gezondheid …' = Ja": the condition in words."""
    words = WORDS[language]
    if not item.asked_if:
        return words["everyone"]
    parts = [f"'{book[p].label(language)}' ({p}) = {book[p].answer_label(k, language)}" for p, k in item.asked_if.items()]
    return f"{words['if']} " + f" {words['and']} ".join(parts)


def overall_frequencies(cells: pd.DataFrame) -> pd.DataFrame:
    """Per item and answer, the cell over all respondents as cells.csv shows it."""
    overall = cells[cells["unit"] == OVERALL]
    return overall[["item", "answer", "base", "count", "pct_rounded", "status"]].reset_index(drop=True)


def frequency_text(row: dict) -> str:
    """'38 (45%)'; the mark of a hidden cell; '–' where nobody was asked."""
    if is_suppressed(row["status"]):
        return str(row["status"])
    if pd.isna(row["count"]) or pd.isna(row["base"]) or int(row["base"]) == 0:
        return "–"
    return f"{int(row['count'])} ({percent_text(int(row['count']), int(row['base']))})"


def percent_text(count: int, base: int) -> str:
    return format_percent(count=count, base=base)


def _frequency_lookup(frequencies: dict[str, pd.DataFrame]) -> dict[tuple[str, str, str], dict]:
    return {(wave, r["item"], r["answer"]): r for wave, f in frequencies.items() for r in f.to_dict("records")}


# --- HTML ------------------------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:0.3rem 0 1rem}
th,td{border-bottom:1px solid #ddd;padding:0.2rem 0.5rem;text-align:left;vertical-align:top}
td.num{text-align:right;white-space:nowrap}
section{border-top:2px solid #999;margin-top:1.5rem}
.note{color:#555;font-size:0.9rem}.banner{background:#fff4d6;border:1px solid #e0c060;padding:0.5rem}
code{background:#f3f3f3;padding:0 0.2rem}
@media print{body{max-width:none;margin:0;font-size:9pt}section{break-inside:avoid-page}}
@page{size:A4;margin:15mm}
"""


def _e(text) -> str:
    return html.escape(str(text))


def codebook_html(book: Codebook, waves: list[WaveInfo], frequencies: dict[str, pd.DataFrame], title: str,
                  language: str) -> str:
    """One self-contained page: every item with question, codes (nl/en), skip logic, the waves
    that asked it and per valid wave its frequencies over all respondents."""
    words = WORDS[language]
    lookup = _frequency_lookup(frequencies)
    restricted = [w.wave for w in waves if w.valid and w.mode == "restricted"]
    parts = [f"<h1>{_e(words['title'])}: {_e(title)}</h1>"]
    if restricted:
        parts.append(f'<p class="banner">{_e(words["restricted_note"].format(waves=", ".join(restricted)))}</p>')
    parts.append("<ul>" + "".join(
        f"<li><code>{_e(w.wave)}</code>: {_e(w.description)} ({_e(words[w.mode])}"
        + (f", n = {w.respondents}" if w.valid else f"; {_e(words['invalid'])}") + ")</li>" for w in waves) + "</ul>")
    parts.append(f'<p class="note">{_e(words["hidden_note"])} {_e(words["missing"])}: '
                 + ", ".join(f"{c} = {_e(MISSING_LABELS[language][why])}" for why, c in MISSING_CODES.items()) + "</p>")
    parts.append(f"<h2>{_e(words['contents'])}</h2><p>" + " · ".join(
        f'<a href="#{_e(it.id)}">{_e(it.id)}</a>' for it in book.items) + "</p>")
    parts += [_item_section(item, book, waves, lookup, language) for item in book.items]
    return ("<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            "<style>{style}</style></head><body>\n{body}\n</body></html>\n").format(
        lang=language, title=_e(words["title"]), style=STYLE, body="\n".join(parts))


def _item_section(item: Item, book: Codebook, waves: list[WaveInfo], lookup: dict, language: str) -> str:
    words = WORDS[language]
    asked_in = [w for w in waves if item.id in w.items]
    rows = [(words["label"], f"{item.nl} / {item.en}"), (words["question"], variable_label(item, "nl")),
            (words["type"], item.type + (f" ({item.answer_set})" if item.answer_set else "")),
            (words["measure"], "nominal" if item.type in STRING_TYPES else measure_of(item)),
            (words["asked"], skip_logic_words(item, book, language)),
            (words["waves"], ", ".join(w.wave for w in asked_in) or words["none"])]
    out = [f'<section id="{_e(item.id)}"><h3><code>{_e(item.id)}</code> {_e(item.label(language))}</h3>',
           "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>"]
    if item.answers:
        shown = [w for w in asked_in if w.valid]
        head = [words["code"], words["key"], "nl", "en"] + [w.wave for w in shown]
        body = []
        for a in item.answers:
            freq = [frequency_text(lookup[(w.wave, item.id, a.key)]) if (w.wave, item.id, a.key) in lookup else "–"
                    for w in shown]
            body.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in (a.code, a.key, a.nl, a.en))
                        + "".join(f'<td class="num">{_e(c)}</td>' for c in freq) + "</tr>")
        bases = [_base_text(lookup, w.wave, item) for w in shown]
        if shown:
            body.append(f"<tr><td></td><td></td><td>{_e(words['n'])}</td><td></td>"
                        + "".join(f'<td class="num">{_e(b)}</td>' for b in bases) + "</tr>")
        out.append(f"<table><tr>{''.join(f'<th>{_e(h)}</th>' for h in head)}</tr>" + "".join(body) + "</table>")
    out.append("</section>")
    return "\n".join(out)


def _base_text(lookup: dict, wave: str, item: Item) -> str:
    """The n of the item in the wave (its respondents asked); '×' if the wave's cells hide it."""
    rows = [lookup.get((wave, item.id, a.key)) for a in item.answers]
    bases = {int(r["base"]) for r in rows if r is not None and pd.notna(r["base"])}
    if not bases:
        return "×" if any(r is not None and is_suppressed(r["status"]) for r in rows) else "–"
    return str(bases.pop())


# --- DDI Codebook 2.5 ------------------------------------------------------------------------------

def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.replace("_", "-") if k != "lang" else XML_LANG: str(v)
                                          for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = str(text)
    return element


def file_id(index: int) -> str:
    return f"F{index + 1}"


def ddi_codebook(book: Codebook, waves: list[WaveInfo], frequencies: dict[str, pd.DataFrame], title: str,
                 language: str) -> str:
    """The DDI Codebook 2.5 XML (UTF-8 text) of the codebook and the valid waves' exports."""
    ET.register_namespace("", DDI_NAMESPACE)
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    q = f"{{{DDI_NAMESPACE}}}"
    root = ET.Element(q + "codeBook", {"version": "2.5", "ID": "codebook",
                                       "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation":
                                           f"{DDI_NAMESPACE} {DDI_SCHEMA}"})
    study = _sub(root, q + "stdyDscr")
    titles = _sub(_sub(study, q + "citation"), q + "titlStmt")
    _sub(titles, q + "titl", title, lang=language)
    info = _sub(study, q + "stdyInfo")
    _sub(info, q + "abstract", "; ".join(f"{w.wave}: {w.description}" for w in waves))
    valid = [w for w in waves if w.valid]
    for i, w in enumerate(valid):
        described = _sub(root, q + "fileDscr", ID=file_id(i), URI=f"microdata/{w.wave}/{w.wave}.sav")
        text = _sub(described, q + "fileTxt")
        _sub(text, q + "fileName", f"{w.wave}.sav")
        dims = _sub(text, q + "dimensns")
        _sub(dims, q + "caseQnty", w.respondents)
        _sub(dims, q + "varQnty", len(w.items))
        _sub(text, q + "fileType", "SPSS system file")
        _sub(described, q + "notes", f"{w.description} ({w.mode})")
    data = _sub(root, q + "dataDscr")
    lookup = _frequency_lookup(frequencies)
    for item in book.items:
        files = [(i, w) for i, w in enumerate(valid) if item.id in w.items]
        for i, w in files or [(None, None)]:
            _ddi_var(data, q, item, book, i, w, lookup, language)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _ddi_var(data, q, item: Item, book: Codebook, index: int | None, wave: WaveInfo | None, lookup: dict, language: str):
    measure = "nominal" if item.type in STRING_TYPES else measure_of(item)
    var = _sub(data, q + "var", ID=f"V_{item.id}" + ("" if index is None else f"_{file_id(index)}"), name=item.id,
               files=None if index is None else file_id(index),
               intrvl="contin" if measure == "scale" else "discrete", nature=NATURE[measure])
    for lang in ("nl", "en"):
        _sub(var, q + "labl", item.label(lang), lang=lang)
    question = item.extra.get("question_nl") or item.extra.get("question_en")
    if question:
        _sub(_sub(var, q + "qstn"), q + "qstnLit", question,
             lang="nl" if item.extra.get("question_nl") else "en")
    coded = item.type not in STRING_TYPES
    if coded:
        if item.type == "number" and item.min is not None and item.max is not None:
            _sub(_sub(var, q + "valrng"), q + "range", min=item.min, max=item.max)
        invalid = _sub(var, q + "invalrng")
        for code in sorted(MISSING_CODES.values()):
            _sub(invalid, q + "item", VALUE=code)
    _sub(var, q + "universe", skip_logic_words(item, book, language), clusion="I", lang=language)
    rows = [] if wave is None else [lookup.get((wave.wave, item.id, a.key)) for a in item.answers]
    bases = {int(r["base"]) for r in rows if r is not None and pd.notna(r["base"]) and not is_suppressed(r["status"])}
    if len(bases) == 1 and all(r is not None and r["status"] != NOT_ASKED for r in rows):
        _sub(var, q + "sumStat", bases.pop(), type="vald")
    for answer, row in zip(item.answers, rows or [None] * len(item.answers)):
        category = _sub(var, q + "catgry")
        _sub(category, q + "catValu", answer.code)
        for lang in ("nl", "en"):
            _sub(category, q + "labl", answer.label(lang), lang=lang)
        if row is not None and not is_suppressed(row["status"]) and pd.notna(row["count"]):
            _sub(category, q + "catStat", int(row["count"]), type="freq")
            if pd.notna(row["base"]) and int(row["base"]) > 0:
                _sub(category, q + "catStat", percent_of(int(row["count"]), int(row["base"])), type="percent")
    if coded:
        for why, code in MISSING_CODES.items():
            category = _sub(var, q + "catgry", missing="Y")
            _sub(category, q + "catValu", code)
            for lang in ("nl", "en"):
                _sub(category, q + "labl", MISSING_LABELS[lang][why], lang=lang)
    _sub(var, q + "varFormat", type="character" if not coded else "numeric", schema="SPSS")
    hidden = [a.key for a, r in zip(item.answers, rows) if r is not None and is_suppressed(r["status"])]
    if hidden:
        _sub(var, q + "notes", f"frequencies not shown for {', '.join(hidden)}: hidden in {wave.wave}'s public tables "
                               "(small numbers)")


# --- the step ----------------------------------------------------------------------------------------

def wave_infos(statuses: list[dict], cfgs: dict[str, dict], book: Codebook) -> list[WaveInfo]:
    """The configured waves in config order, with their questionnaire's items."""
    by_wave = {s["wave"]: s for s in statuses}
    infos = []
    for wave, cfg in cfgs.items():
        status = by_wave.get(wave, {})
        items = tuple(it.id for it in book.items_in_wave(wave, cfg.get("not_asked") or []))
        infos.append(WaveInfo(wave, str(cfg.get("description", "")), cfg["disclosure"]["mode"], bool(status.get("valid")),
                              int(status.get("respondents") or 0), items))
    return infos


def study_title(codebook_path, language: str) -> str:
    """The codebook's `study:` title in the language ('Codebook' if it has none)."""
    from pathlib import Path

    from analysis.core.io.yaml_keys import safe_load

    study = (safe_load(Path(codebook_path).read_text(encoding="utf-8")) or {}).get("study") or {}
    return str(study.get(language) or WORDS[language]["title"])


def run_codebook_docs(statuses: list[dict], cfgs: dict[str, dict], cells: dict[str, str], book: Codebook,
                      language: str, title: str, html_out, ddi_out) -> None:
    """The codebook step: read the valid waves' cells.csv (protected), write both documents."""
    from pathlib import Path

    from analysis.core.aggregate import read_cells

    waves = wave_infos(statuses, cfgs, book)
    frequencies = {w.wave: overall_frequencies(read_cells(cells[w.wave])) for w in waves if w.valid and w.wave in cells}
    Path(html_out).parent.mkdir(parents=True, exist_ok=True)
    Path(html_out).write_text(codebook_html(book, waves, frequencies, title, language), encoding="utf-8")
    Path(ddi_out).write_text(ddi_codebook(book, waves, frequencies, title, language), encoding="utf-8")
