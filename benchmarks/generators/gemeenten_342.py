"""An INVENTED national wave of the officers' questionnaire: 342 municipalities, a LimeSurvey-like export.

Written by reviewer r18c from the README alone (not from the project's own national generators), to
try the pipeline as a GGD analyst adding a wave would:

- ``responses.csv``: semicolon separated, UTF-8 with BOM, CRLF, decimal comma; the tool's own
  column names (``GEMCODE``, ``V1``, ``PARTNER[SQ003]``, ...) and codes (yes/no ``1``/``2``,
  ``8`` weet niet, ``9`` geen antwoord; multiple choice ``Y`` or empty; sectors and functions
  as the tool's words, one function category the codebook lacks: ``Projectleider``); item
  nonresponse (empty cells and ``9``), hours ``-99`` for no answer; two empty questionnaires
  (unit nonresponse); follow-ups only asked after "ja" (routed-past cells empty).
- ``gemeenten.xlsx``: all 342 municipalities (invented names and codes), ``Grootte`` G4/G32/overig,
  ``Krachtwijk`` ja/nee/onbekend, ``Verstuurd`` a number or ``onbekend``, ``CBS``, ``Provincie``.

Cases (fixed seed each): ``n3`` ~3 per municipality, ``n10`` skewed 1..40 (~3,400), ``n30`` ~30.
Every case has municipalities with only 1 or 2 respondents.

    python benchmarks/generators/gemeenten_342.py data/raw/synthetic-gem342-n10 --case n10
    python benchmarks/generators/gemeenten_342.py --config --case n10     # the wave's config entry
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

import numpy as np

N_MUNICIPALITIES = 342
SEEDS = {"n3": 3342, "n10": 10342, "n30": 30342}

# tool's sector words -> codebook sector id
SECTOR_WORDS = {
    "Volksgezondheid": "vgz", "Onderwijs": "onderwijs", "Jeugdbeleid": "jeugd",
    "Werk en inkomen": "sociale_zaken", "Wonen": "wonen", "Ruimtelijke ordening": "ruimte",
    "Sport": "sport", "Verkeer en vervoer": "mobiliteit", "Integratie": "integratie",
    "Milieu": "milieu", "Zorg en welzijn": "zorg", "Openbare orde en veiligheid": "veiligheid",
    "Overig": "anders",
}
SECTOR_WEIGHTS = [14, 10, 10, 9, 8, 8, 7, 6, 5, 7, 9, 5, 2]
FUNCTION_WORDS = {
    "Beleidsmedewerker": "beleidsmedewerker", "Senior beleidsmedewerker": "senior_beleidsmedewerker",
    "Beleidsadviseur": "beleidsadviseur", "Senior beleidsadviseur": "senior_beleidsadviseur",
    "Teamleider": "coordinator", "Anders": "anders", "Projectleider": "projectleider",
}
FUNCTION_WEIGHTS = [30, 20, 15, 12, 8, 5, 10]

HEALTH_TG = ["health_tg_low_ses", "health_tg_migrants", "health_tg_deprived_areas", "health_tg_other"]
SEGV_TG = ["segv_tg_low_ses", "segv_tg_migrants", "segv_tg_deprived_areas", "segv_tg_other"]
DETS = ["det_income", "det_unemployment", "det_education", "det_housing", "det_working_conditions",
        "det_social_exclusion", "det_lifestyle", "det_care_quality"]
PARTNERS = ["vgz", "onderwijs", "jeugd", "sociale_zaken", "wonen", "ruimte", "sport", "mobiliteit",
            "integratie", "milieu", "zorg", "veiligheid", "anders"]
FORMS = ["form_information_exchange", "form_separate_activities", "form_coordinate_activities",
         "form_joint_activities", "form_common_goal"]
POS = ["pos_positive_experiences", "pos_structural_meetings", "pos_clear_roles",
       "pos_sufficient_resources", "pos_key_persons", "pos_concrete_plans", "pos_clear_contribution",
       "pos_good_relations", "pos_common_interest", "pos_uniform_language"]
NEG = ["neg_negative_experiences", "neg_no_structural_meetings", "neg_unclear_roles",
       "neg_insufficient_resources", "neg_no_key_persons", "neg_no_concrete_plans",
       "neg_unclear_contribution", "neg_poor_relations", "neg_opposing_interests",
       "neg_no_uniform_language"]
POL = ["pol_college_support", "pol_portfolio_holder", "pol_3", "pol_4", "pol_5", "pol_national_policy"]


def sq(prefix: str, n: int) -> list[str]:
    return [f"{prefix}[SQ{i:03d}]" for i in range(1, n + 1)]


# tool column -> codebook item, in export order
COLUMNS: dict[str, str] = {
    "id": "respondent_id", "GEMCODE": "municipality_id", "BELEIDSTERREIN": "sector",
    "FUNCTIE": "function", "UREN": "hours_per_week",
    "V1": "health_priority", "V2": "health_work", "V3": "health_target_groups",
    **dict(zip(sq("V3A", 4), HEALTH_TG)),
    "V4": "segv_priority", "V5": "segv_work", **dict(zip(sq("V5A", 4), SEGV_TG)),
    **dict(zip(sq("DET", 8), DETS)),
    "V10": "collaborates", **dict(zip(sq("PARTNER", 13), [f"collab_with_{p}" for p in PARTNERS])),
    **dict(zip(sq("VORM", 5), FORMS)), **dict(zip(sq("POS", 10), POS)),
    **dict(zip(sq("NEG", 10), NEG)), **dict(zip(sq("POL", 6), POL)),
}
IGNORED = ["submitdate", "lastpage", "startlanguage"]

SYLL_A = ["Ber", "Wes", "Hol", "Zuid", "Noord", "Oost", "Ven", "Dor", "Gel", "Lin", "Maas", "Rijn",
          "Eem", "Vliet", "Zand", "Bree", "Ame", "Delf", "Hoorn", "Kamp", "Leer", "Mid", "Ne", "Sta"]
SYLL_B = ["kum", "dam", "veen", "horst", "hoven", "wijk", "ijssel", "broek", "dorp", "lo", "sum",
          "rode", "stein", "meer", "beek", "burg", "erveen", "huizen", "land", "gaard", "ingen"]
PROVINCES = ["Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
             "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg"]


def municipality_names(rng: np.random.Generator) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < N_MUNICIPALITIES:
        name = str(rng.choice(SYLL_A)) + str(rng.choice(SYLL_B))
        if rng.random() < 0.1:
            name = "'s-" + name
        if rng.random() < 0.08:
            name += " aan " + str(rng.choice(["Zee", "de Maas", "den Rijn", "de Vecht"]))
        if name not in seen:
            seen.add(name)
            names.append(name + " (verzonnen)")
    return names


def municipality_sizes(case: str, size_class: list[str], rng: np.random.Generator) -> np.ndarray:
    n = N_MUNICIPALITIES
    if case == "n3":
        sizes = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.08, 0.2, 0.4, 0.22, 0.1])
    elif case == "n10":  # skewed, 1..40, mean ~10; large cities get more officers
        base = np.exp(rng.normal(1.97, 0.75, size=n))
        boost = np.array([3.2 if c == "G4" else 1.8 if c == "G32" else 1.0 for c in size_class])
        sizes = np.clip(np.rint(base * boost), 1, 40).astype(int)
    else:  # n30
        sizes = rng.integers(24, 37, size=n)
    sizes = np.asarray(sizes, dtype=int)
    small = rng.choice(np.flatnonzero(np.array(size_class) == "overig"), size=6, replace=False)
    sizes[small] = [1, 1, 1, 2, 2, 2]
    return sizes


def answer_rows(case: str) -> tuple[list[dict[str, str]], list[dict[str, object]]]:
    rng = np.random.default_rng(SEEDS[case])
    classes = ["G4"] * 4 + ["G32"] * 32 + ["overig"] * (N_MUNICIPALITIES - 36)
    order = rng.permutation(N_MUNICIPALITIES)
    size_class = [classes[i] for i in order]
    codes = sorted(rng.choice(np.arange(1, 2000), size=N_MUNICIPALITIES, replace=False))
    names = municipality_names(rng)
    sizes = municipality_sizes(case, size_class, rng)
    sheet: list[dict[str, object]] = []
    for i in range(N_MUNICIPALITIES):
        sent: object = int(sizes[i] + rng.integers(0, 6)) if rng.random() > 0.1 else "onbekend"
        sheet.append({
            "Gemeentecode": f"GM{codes[i]:04d}", "Gemeentenaam": names[i],
            "Grootte": size_class[i], "Provincie": PROVINCES[int(rng.integers(0, 12))],
            "Krachtwijk": str(rng.choice(["ja", "nee", "onbekend"], p=[0.15, 0.8, 0.05])),
            "Verstuurd": sent, "CBS": f"{codes[i]:04d}",
        })
    sector_words = list(SECTOR_WORDS)
    sw = np.array(SECTOR_WEIGHTS, float) / sum(SECTOR_WEIGHTS)
    fw = np.array(FUNCTION_WEIGHTS, float) / sum(FUNCTION_WEIGHTS)
    rows: list[dict[str, str]] = []
    rid = 0
    for m in range(N_MUNICIPALITIES):
        effect = rng.normal(0, 0.8)  # municipalities differ
        for _ in range(int(sizes[m])):
            rid += 1
            rows.append(one_respondent(rng, rid, sheet[m]["Gemeentecode"], sector_words, sw, fw, effect))
    # two empty questionnaires (unit nonresponse): id and municipality only
    for m in (5, 200):
        rid += 1
        row = {c: "" for c in [*COLUMNS, *IGNORED]}
        row.update(id=str(rid), GEMCODE=str(sheet[m]["Gemeentecode"]), lastpage="0", startlanguage="nl")
        rows.append(row)
    return rows, sheet


def p_of(base: float, effect: float) -> float:
    return float(1 / (1 + np.exp(-(np.log(base / (1 - base)) + effect))))


def one_respondent(rng, rid, gem, sector_words, sw, fw, effect) -> dict[str, str]:
    r: dict[str, str] = {c: "" for c in [*COLUMNS, *IGNORED]}
    r["id"] = str(rid)
    r["submitdate"] = f"2025-{int(rng.integers(3, 7)):02d}-{int(rng.integers(1, 29)):02d} 10:{int(rng.integers(0, 60)):02d}"
    r["lastpage"] = "7"
    r["startlanguage"] = "nl"
    r["GEMCODE"] = str(gem)
    r["BELEIDSTERREIN"] = sector_words[int(rng.choice(13, p=sw))]
    r["FUNCTIE"] = list(FUNCTION_WORDS)[int(rng.choice(7, p=fw))] if rng.random() > 0.03 else ""
    r["UREN"] = (f"{rng.uniform(2, 36):.1f}".replace(".", ",") if rng.random() > 0.05 else "-99")

    def yes_no(p: float, nonresponse: float = 0.03) -> str:
        u = rng.random()
        if u < nonresponse / 2:
            return ""
        if u < nonresponse:
            return "9"
        return "1" if rng.random() < p_of(p, effect) else "2"

    def ticked(p: float) -> str:
        return "Y" if rng.random() < p_of(p, effect) else ""

    def dk(p: float) -> str:
        u = rng.random()
        if u < 0.03:
            return "9"
        if u < 0.15:
            return "8"
        return "1" if rng.random() < p else "2"

    r["V1"] = yes_no(0.6)
    r["V2"] = yes_no(0.7)
    if r["V2"] == "1":
        r["V3"] = yes_no(0.7)
        if r["V3"] == "1":
            for c, p in zip(sq("V3A", 4), [0.7, 0.45, 0.5, 0.15]):
                r[c] = ticked(p)
    r["V4"] = yes_no(0.4)
    r["V5"] = yes_no(0.5)
    if r["V5"] == "1":
        for c, p in zip(sq("V5A", 4), [0.75, 0.5, 0.55, 0.1]):
            r[c] = ticked(p)
    for c, p in zip(sq("DET", 8), [0.3, 0.35, 0.45, 0.4, 0.15, 0.4, 0.5, 0.3]):
        r[c] = ticked(p)
    r["V10"] = yes_no(0.8)
    if r["V10"] == "1":
        for c in sq("PARTNER", 13):
            r[c] = ticked(0.35)
        for c, p in zip(sq("VORM", 5), [0.8, 0.3, 0.5, 0.5, 0.35]):
            r[c] = ticked(p)
        for c in sq("POS", 10):
            r[c] = dk(0.6)
        for c in sq("NEG", 10):
            r[c] = dk(0.35)
        for c, p in zip(sq("POL", 6), [0.5, 0.45, 0.2, 0.15, 0.1, 0.25]):
            r[c] = ticked(p)
    return r


def write_wave(out: Path, case: str) -> None:
    rows, sheet = answer_rows(case)
    out.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[*COLUMNS, *IGNORED], delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    (out / "responses.csv").write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    write_sheet(out / "gemeenten.xlsx", sheet)
    (out / "README.md").write_text(
        f"# INVENTED national wave ({case}) — not a real survey\n\n"
        f"Made by `python benchmarks/generators/gemeenten_342.py {out} --case {case}` (seed {SEEDS[case]}):"
        f" {len(rows)} export rows (2 empty questionnaires) in 342 invented municipalities.\n",
        encoding="utf-8")


def write_sheet(path: Path, sheet: list[dict[str, object]]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Gemeenten"
    header = list(sheet[0])
    ws.append(header)
    for row in sheet:
        ws.append([row[h] for h in header])
    # fixed metadata and zip times, so that reruns give the same bytes
    import datetime as dt
    import zipfile

    wb.properties.created = wb.properties.modified = dt.datetime(2025, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving here
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-01-01T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, (2025, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(out.getvalue())


def config_entry(wave: str, case: str) -> str:
    import yaml

    entry = {
        "description": f"INVENTED national wave, 342 municipalities ({case})",
        "export": f"data/raw/{wave}/responses.csv",
        "municipalities": f"data/raw/{wave}/gemeenten.xlsx",
        "synthetic": True,
        "column_map": {
            "columns": COLUMNS,
            "codes": {
                "yes_no": {1: "ja", 2: "nee", 9: None},
                "yes_dk_no": {1: "ja", 2: "nee", 8: "weet_niet", 9: None},
                "selected": {"Y": "ja", "": "nee"},
                "hours_per_week": {-99: None},
                "sector": SECTOR_WORDS,
                "function": FUNCTION_WORDS,
            },
            "ignore": IGNORED,
        },
        "categories": {"function": {"add": [{"key": "projectleider", "nl": "Projectleider",
                                             "en": "Project leader"}]}},
        "municipality_map": {
            "columns": {"Gemeentecode": "municipality_id", "Gemeentenaam": "name",
                        "Grootte": "size_class", "Krachtwijk": "krachtwijk",
                        "Verstuurd": "questionnaires_sent", "CBS": "cbs_code"},
            "codes": {"size_class": {"overig": "small"}},
            "ignore": ["Provincie"],
        },
    }
    return yaml.safe_dump({wave: entry}, sort_keys=False, allow_unicode=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path)
    ap.add_argument("--case", choices=sorted(SEEDS), default="n10")
    ap.add_argument("--config", action="store_true", help="print the wave's config entry")
    a = ap.parse_args(argv)
    if a.config:
        wave = a.out.name if a.out else f"synthetic-gem342-{a.case}"
        sys.stdout.write(config_entry(wave, a.case))
        return
    if a.out is None:
        ap.error("give the output folder data/raw/<wave>")
    write_wave(a.out, a.case)


if __name__ == "__main__":
    main()
