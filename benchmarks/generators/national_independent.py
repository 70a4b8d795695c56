"""A national wave of 342 municipalities with exactly N officers each, written by an outside checker.

Written for the review of issue 16 ("a synthetic wave of 342 municipalities with 3, 10 and 30
respondents each is protected in under 60 s each") from the README ("Adding a survey wave",
"Small cells and pseudonyms"), config/codebook.yaml and the codebook schema only, without
reading the project's own generators (`analysis.fixtures.large_wave`, benchmarks/bench_disclosure.py,
benchmarks/generators/gemeenten_342.py): an independent third wave, exported differently.

How it differs from those:
- **Export style**: a Qualtrics "choice text" CSV: `;`-separated, UTF-8 with BOM, CRLF, decimal
  comma in the hours; answers written out as the tool's words ("Ja", "Weet ik niet", "Werk en
  inkomen"), never codes; a multiple-choice member holds its choice text when ticked and is empty
  when not; item nonresponse is an empty cell, or -99 in the hours (Qualtrics "seen but
  unanswered"); Qualtrics metadata columns (StartDate, Duration (in seconds), ...) that the wave's
  `ignore` lists; ResponseId `R_` + 15 characters; the municipality an embedded-data field
  `gemcode` holding the 4-digit CBS code with its leading zeros ("0014").
- **Municipality sheet**: an .xlsx with its own column names (CBS-code, Gemeentenaam, Provincie,
  Grootteklasse, Krachtwijkgemeente, Aantal uitgezet) and values (`overig` for small, `?` for an
  unknown krachtwijk status, `onbekend` questionnaires sent), mapped by `municipality_map`.
- **Size classes**: G4 = 4 big cities (invented names and codes), G32 = 32 cities, 303 small
  municipalities and 3 of unknown size.
- **Answers**: correlated inside a municipality (a municipality effect on the logit of every lead
  item); 10% of municipalities answer unanimously (every officer copies one answer pattern), a
  few items almost everyone answers "ja" (health_priority, form_information_exchange,
  pos_good_relations); item nonresponse on function, hours, health_priority, segv_priority,
  collaborates and the factor matrices; skip logic held (a follow-up only after its lead's "ja";
  a lead left empty asks no follow-up). Every codebook item of a wave is present (not the demo's
  own health_in_environment_vision).

Usage:
    python benchmarks/generators/national_independent.py OUT_DIR --per-municipality 10
    python benchmarks/generators/national_independent.py --config --wave synthetic-indep-n10 [OUT_DIR]

Deterministic: the same N and seed give byte-identical files.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

N_MUNICIPALITIES = 342
SEED = 20260716

# --- the survey tool's words -------------------------------------------------------------------
SECTOR_TEXT = {  # tool's sector wording -> codebook sector id
    "Volksgezondheid": "vgz",
    "Onderwijs": "onderwijs",
    "Jeugdbeleid": "jeugd",
    "Werk en inkomen": "sociale_zaken",
    "Wonen": "wonen",
    "Ruimtelijke ordening": "ruimte",
    "Sport en recreatie": "sport",
    "Verkeer en vervoer": "mobiliteit",
    "Integratie en inburgering": "integratie",
    "Milieu": "milieu",
    "Zorg en welzijn (Wmo)": "zorg",
    "Openbare orde en veiligheid": "veiligheid",
    "Overig": "anders",
}
SECTOR_WEIGHT = [0, 8, 9, 8, 6, 7, 5, 4, 4, 5, 9, 4, 3]  # vgz is placed first per municipality
FUNCTION_TEXT = {
    "Beleidsmedewerker": "beleidsmedewerker",
    "Senior beleidsmedewerker": "senior_beleidsmedewerker",
    "Adviseur": "beleidsadviseur",
    "Senior adviseur": "senior_beleidsadviseur",
    "Teamleider / coördinator": "coordinator",
    "Anders, namelijk ...": "anders",
}
FUNCTION_WEIGHT = [40, 20, 15, 10, 8, 7]
YES_NO = {"Ja": "ja", "Nee": "nee"}
YES_DK_NO = {"Ja": "ja", "Nee": "nee", "Weet ik niet": "weet_niet"}

# --- the questionnaire as the tool numbered it -------------------------------------------------
# (tool column, codebook item, kind, P(ja) at an average municipality, nonresponse share, tick text)
# kind: yn (yes/no), ydn (yes/don't know/no), tick (multiple-choice member)
HEALTH_TG = [("low_ses", "Mensen met een lage sociaal-economische status"), ("migrants", "Allochtonen / migranten"),
             ("deprived_areas", "Bewoners van achterstandswijken"), ("other", "Andere groepen")]
DETERMINANTS = [("income", "Laag inkomen"), ("unemployment", "Werkloosheid"), ("education", "Laag opleidingsniveau"),
                ("housing", "Slechte woonomstandigheden"), ("working_conditions", "Slechte werkomstandigheden"),
                ("social_exclusion", "Sociale uitsluiting"), ("lifestyle", "Ongezonde leefstijl"),
                ("care_quality", "Kwaliteit van zorg")]
PARTNERS = ["vgz", "onderwijs", "jeugd", "sociale_zaken", "wonen", "ruimte", "sport", "mobiliteit",
            "integratie", "milieu", "zorg", "veiligheid", "anders"]
FORMS = [("information_exchange", "Informatie uitwisselen", 0.97), ("separate_activities", "Ieder eigen activiteiten", 0.35),
         ("coordinate_activities", "Activiteiten afstemmen", 0.7), ("joint_activities", "Samen activiteiten uitvoeren", 0.55),
         ("common_goal", "Gezamenlijk doel", 0.45)]
POSITIVE = ["positive_experiences", "structural_meetings", "clear_roles", "sufficient_resources", "key_persons",
            "concrete_plans", "clear_contribution", "good_relations", "common_interest", "uniform_language"]
POSITIVE_P = [0.8, 0.6, 0.5, 0.35, 0.75, 0.45, 0.55, 0.95, 0.7, 0.4]
NEGATIVE = ["negative_experiences", "no_structural_meetings", "unclear_roles", "insufficient_resources", "no_key_persons",
            "no_concrete_plans", "unclear_contribution", "poor_relations", "opposing_interests", "no_uniform_language"]
NEGATIVE_P = [0.15, 0.3, 0.35, 0.6, 0.2, 0.4, 0.3, 0.1, 0.2, 0.3]
POLITICAL = [("college_support", "Draagvlak in het college", 0.5), ("portfolio_holder", "Inzet wethouder", 0.45),
             ("3", "Politieke factor 3", 0.25), ("4", "Politieke factor 4", 0.2), ("5", "Veel aandacht lokaal", 0.3),
             ("national_policy", "Aandacht landelijk beleid", 0.35)]


def questionnaire() -> list[dict]:
    """The tool's columns in questionnaire order; `lead` is the item (and answer) a column is asked after."""
    q: list[dict] = []

    def add(col, item, kind, p=0.5, nonresp=0.0, lead=None, tick=None):
        q.append(dict(col=col, item=item, kind=kind, p=p, nonresp=nonresp, lead=lead, tick=tick))

    add("Q4", "health_priority", "yn", 0.98, 0.03)
    add("Q5", "health_work", "yn", 0.85, 0.01)
    add("Q6", "health_target_groups", "yn", 0.65, 0.02, lead="health_work")
    for i, (key, text) in enumerate(HEALTH_TG, 1):
        add(f"Q7_{i}", f"health_tg_{key}", "tick", [0.8, 0.45, 0.55, 0.2][i - 1], lead="health_target_groups", tick=text)
    add("Q8", "segv_priority", "yn", 0.55, 0.05)
    add("Q9", "segv_work", "yn", 0.6, 0.02)
    for i, (key, text) in enumerate(HEALTH_TG, 1):
        add(f"Q10_{i}", f"segv_tg_{key}", "tick", [0.85, 0.5, 0.6, 0.15][i - 1], lead="segv_work", tick=text)
    for i, (key, text) in enumerate(DETERMINANTS, 1):
        add(f"Q11_{i}", f"det_{key}", "tick", [0.3, 0.35, 0.3, 0.4, 0.15, 0.45, 0.5, 0.3][i - 1], tick=text)
    add("Q12", "collaborates", "yn", 0.8, 0.02)
    for i, sector in enumerate(PARTNERS, 1):
        text = next(t for t, s in SECTOR_TEXT.items() if s == sector)
        add(f"Q13_{i}", f"collab_with_{sector}", "tick", 0.4, lead="collaborates", tick=text)
    for i, (key, text, p) in enumerate(FORMS, 1):
        add(f"Q14_{i}", f"form_{key}", "tick", p, lead="collaborates", tick=text)
    for i, (key, p) in enumerate(zip(POSITIVE, POSITIVE_P), 1):
        add(f"Q15_{i}", f"pos_{key}", "ydn", p, 0.06, lead="collaborates")
    for i, (key, p) in enumerate(zip(NEGATIVE, NEGATIVE_P), 1):
        add(f"Q16_{i}", f"neg_{key}", "ydn", p, 0.08, lead="collaborates")
    for i, (key, text, p) in enumerate(POLITICAL, 1):
        add(f"Q17_{i}", f"pol_{key}", "tick", p, lead="collaborates", tick=text)
    return q


# --- municipalities ----------------------------------------------------------------------------
# invented names and codes (outside the range the other municipalities draw from): invented
# answers must not be attributed to real cities
G4 = [("1991", "Aastad", "Noord-Holland"), ("1992", "Rivierstad", "Zuid-Holland"),
      ("1993", "'s-Hofstad", "Zuid-Holland"), ("1994", "Uitstad", "Utrecht")]
PROVINCES = ["Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
             "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg"]
PREFIX = ["Ooster", "Wester", "Noorder", "Zuider", "Hoog", "Laag", "Nieuw", "Oud", "Groot", "Klein",
          "Sint-", "Berg", "Dal", "Veen", "Zand", "Heide", "Brug", "Molen"]
SUFFIX = ["wolde", "hout", "dijk", "veen", "dam", "broek", "horst", "beek", "dorp", "kerk", "hoven",
          "meer", "lo", "rade", "zijl", "burg", "stein", "wijk"]


def municipality_sheet(rng: np.random.Generator, per_municipality: int) -> pd.DataFrame:
    """342 municipalities: the G4, 32 G32 cities, 303 small ones and 3 whose size the sheet lacks."""
    taken = {int(c) for c, _, _ in G4}
    codes = [c for c in rng.permutation(np.arange(3, 1990)) if int(c) not in taken][: N_MUNICIPALITIES - 4]
    names = set(n for _, n, _ in G4)
    rows = [dict(code=c, name=n, prov=p, size="G4") for c, n, p in G4]
    for i, code in enumerate(codes):
        while True:
            name = str(rng.choice(PREFIX)) + str(rng.choice(SUFFIX))
            if name not in names:
                break
            name = f"{name} {i}"
            if name not in names:
                break
        names.add(name)
        size = "G32" if i < 32 else ("onbekend" if i >= N_MUNICIPALITIES - 4 - 3 else "overig")
        rows.append(dict(code=f"{int(code):04d}", name=name, prov=str(rng.choice(PROVINCES)), size=size))
    sheet = pd.DataFrame(rows)
    # krachtwijk: every G4 city, most G32 cities, hardly any small one; a few unknown ("?")
    p_kw = sheet["size"].map({"G4": 1.0, "G32": 0.55, "overig": 0.01, "onbekend": 0.0})
    kw = np.where(rng.random(len(sheet)) < p_kw, "ja", "nee").astype(object)
    kw[rng.choice(len(sheet), 6, replace=False)] = "?"
    sheet["kw"] = kw
    # questionnaires sent: at least those returned; unknown for a few small municipalities
    sent = (per_municipality + rng.integers(0, max(2, per_municipality // 2 + 2), len(sheet))).astype(object)
    small = np.flatnonzero(sheet["size"].eq("overig").to_numpy())
    sent[rng.choice(small, 8, replace=False)] = "onbekend"
    sheet["sent"] = sent
    # the sheet is sorted by name, as a clerk would keep it
    sheet = sheet.sort_values("name", kind="stable").reset_index(drop=True)
    return sheet.rename(columns={"code": "CBS-code", "name": "Gemeentenaam", "prov": "Provincie",
                                 "size": "Grootteklasse", "kw": "Krachtwijkgemeente", "sent": "Aantal uitgezet"})


# --- respondents -------------------------------------------------------------------------------
def _logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _sectors(rng, n):
    """One municipality's officers' sectors: VGZ first (the study's hub, usually sent the
    questionnaire), then other sectors, without repeats while there are sectors left."""
    texts = list(SECTOR_TEXT)
    weights = np.array(SECTOR_WEIGHT, float)
    first = ["Volksgezondheid"] if rng.random() < 0.85 else []
    rest_n = n - len(first)
    rest: list[str] = []
    while len(rest) < rest_n:
        k = min(rest_n - len(rest), int((weights > 0).sum()))
        pick = rng.choice(len(texts), k, replace=False, p=weights / weights.sum())
        rest += [texts[i] for i in pick]
        weights = np.array(SECTOR_WEIGHT, float)
        weights[0] = 2.0  # a second VGZ officer in large municipalities
    return first + rest


def _answer_pattern(rng, q, effect, sector):
    """One officer's answers (codebook item -> tool text or None) under the municipality effect."""
    ans: dict[str, str | None] = {}
    for c in q:
        if c["lead"] is not None and ans.get(c["lead"]) != "Ja":
            ans[c["item"]] = None  # not asked: skip logic
            continue
        p = c["p"]
        if c["item"].startswith("collab_with_"):
            own = c["item"].removeprefix("collab_with_") == sector
            p = 0.15 if own else (0.85 if c["item"] == "collab_with_vgz" else p)
        p = 1 / (1 + np.exp(-(_logit(p) + effect + rng.normal(0, 0.5))))
        if c["kind"] == "tick":
            ans[c["item"]] = c["tick"] if rng.random() < p else ""
            continue
        if rng.random() < c["nonresp"]:
            ans[c["item"]] = None  # asked, left empty: item nonresponse
            continue
        if c["kind"] == "yn":
            ans[c["item"]] = "Ja" if rng.random() < p else "Nee"
        else:
            r = rng.random()
            ans[c["item"]] = "Ja" if r < p else ("Weet ik niet" if r < p + 0.1 * (1 - p) else "Nee")
    return ans


def _response_id(rng) -> str:
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    return "R_" + "".join(rng.choice(alphabet, 15))


def responses(rng: np.random.Generator, sheet: pd.DataFrame, per_municipality: int) -> pd.DataFrame:
    q = questionnaire()
    t0 = dt.datetime(2025, 3, 3, 8, 0, 0)
    rows, ids = [], set()
    for code in sheet["CBS-code"]:
        effect = rng.normal(0, 1.0)  # the municipality's policy climate: shifts every item together
        unanimous = rng.random() < 0.10
        sectors = _sectors(rng, per_municipality)
        template = _answer_pattern(rng, q, effect, sectors[0])
        for sector in sectors:
            rid = _response_id(rng)
            while rid in ids:
                rid = _response_id(rng)
            ids.add(rid)
            ans = dict(template) if unanimous else _answer_pattern(rng, q, effect, sector)
            start = t0 + dt.timedelta(seconds=int(rng.integers(0, 30 * 24 * 3600)))
            duration = int(rng.integers(300, 2400))
            end = start + dt.timedelta(seconds=duration)
            func = rng.choice(list(FUNCTION_TEXT), p=np.array(FUNCTION_WEIGHT) / sum(FUNCTION_WEIGHT))
            hours = f"{rng.integers(4, 73) / 2:.1f}".replace(".", ",").replace(",0", "")
            r = rng.random()
            if r < 0.02:
                hours = "-99"
            elif r < 0.04:
                hours = ""
            row = {
                "StartDate": start.strftime("%Y-%m-%d %H:%M:%S"), "EndDate": end.strftime("%Y-%m-%d %H:%M:%S"),
                "Status": "IP Address", "Progress": "100", "Duration (in seconds)": str(duration),
                "Finished": "True", "RecordedDate": end.strftime("%Y-%m-%d %H:%M:%S"),
                "ResponseId": rid, "UserLanguage": "NL", "gemcode": code,
                "Q1": sector, "Q2": "" if rng.random() < 0.03 else str(func), "Q3": hours,
            }
            for c in q:
                row[c["col"]] = "" if ans[c["item"]] is None else ans[c["item"]]
            rows.append(row)
    frame = pd.DataFrame(rows)
    # Qualtrics exports in order of recording, not by municipality
    return frame.sort_values(["RecordedDate", "ResponseId"], kind="stable").reset_index(drop=True)


# --- files ---------------------------------------------------------------------------------------
FIXED_TIME = (2025, 4, 1, 12, 0, 0)


def _write_xlsx(sheet: pd.DataFrame, path: Path) -> None:
    """openpyxl stamps the time of writing into docProps/core.xml: rewrite the zip with fixed
    times so the file is byte-identical on every run."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        sheet.to_excel(writer, sheet_name="Gemeenten", index=False)
        book = writer.book
        book.properties.creator = "GGD onderzoek"
        book.properties.created = dt.datetime(*FIXED_TIME)
        book.properties.modified = dt.datetime(*FIXED_TIME)
        for cell in writer.sheets["Gemeenten"]["A"][1:]:
            cell.number_format = "@"  # the codes are text: keep the leading zeros
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re
                data = re.sub(rb"<dcterms:modified([^>]*)>[^<]*<", rb"<dcterms:modified\1>2025-04-01T12:00:00Z<", data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_TIME), data)


def write_wave(out: Path, per_municipality: int, seed: int = SEED) -> dict:
    rng = np.random.default_rng([seed, per_municipality])
    out.mkdir(parents=True, exist_ok=True)
    sheet = municipality_sheet(rng, per_municipality)
    frame = responses(rng, sheet, per_municipality)
    text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
    (out / "responses.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    _write_xlsx(sheet, out / "gemeenten.xlsx")
    (out / "README.md").write_text(
        f"# Synthetic national wave, {per_municipality} officers per municipality (INVENTED data)\n\n"
        "Made by benchmarks/generators/national_independent.py (fixed seed) for the review of issue 16:\n"
        f"{N_MUNICIPALITIES} municipalities (G4, G32, small, unknown size), a Qualtrics choice-text CSV\n"
        "export and an .xlsx municipality sheet with its own column names. No real officer or answer.\n",
        encoding="utf-8")
    return {"respondents": len(frame), "municipalities": len(sheet)}


def config_entry(wave: str, per_municipality: int) -> str:
    """The wave's entry under `waves:` in config/config.yaml."""
    import yaml

    q = questionnaire()
    columns = {"ResponseId": "respondent_id", "gemcode": "municipality_id", "Q1": "sector", "Q2": "function",
               "Q3": "hours_per_week"}
    columns.update({c["col"]: c["item"] for c in q})
    codes: dict = {
        "yes_no": dict(YES_NO),
        "yes_dk_no": dict(YES_DK_NO),
        "function": dict(FUNCTION_TEXT),
        "sector": dict(SECTOR_TEXT),
        "hours_per_week": {-99: None},
    }
    for c in q:
        if c["kind"] == "tick":
            codes[c["item"]] = {c["tick"]: "ja", "": "nee"}
    entry = {wave: {
        "description": f"Synthetic national wave, {N_MUNICIPALITIES} municipalities x {per_municipality} officers "
                       "(INVENTED data, independent generator of the issue 16 review)",
        "export": f"data/raw/{wave}/responses.csv",
        "municipalities": f"data/raw/{wave}/gemeenten.xlsx",
        "synthetic": True,
        "column_map": {
            "columns": columns,
            "codes": codes,
            "ignore": ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished",
                       "RecordedDate", "UserLanguage"],
        },
        "municipality_map": {
            "columns": {"CBS-code": "municipality_id", "Gemeentenaam": "name", "Grootteklasse": "size_class",
                        "Krachtwijkgemeente": "krachtwijk", "Aantal uitgezet": "questionnaires_sent"},
            "codes": {"size_class": {"overig": "small"}, "krachtwijk": {"?": "unknown"}},
            "ignore": ["Provincie"],
        },
    }}
    return yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, width=120)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, help="data/raw/<wave> folder to write")
    parser.add_argument("--per-municipality", "-n", type=int, default=10)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--wave", help="wave id for --config (default: the folder name, or synthetic-indep-n<N>)")
    parser.add_argument("--config", action="store_true", help="print the wave's config entry instead of writing")
    args = parser.parse_args(argv)
    wave = args.wave or (args.out.name if args.out else f"synthetic-indep-n{args.per_municipality}")
    if args.config:
        sys.stdout.write(config_entry(wave, args.per_municipality))
        return 0
    if args.out is None:
        parser.error("OUT_DIR is required unless --config")
    counts = write_wave(args.out, args.per_municipality, args.seed)
    print(f"{args.out}: {counts['respondents']} respondents in {counts['municipalities']} municipalities")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
