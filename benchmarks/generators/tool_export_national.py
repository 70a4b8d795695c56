"""An INVENTED national wave, exported the way a GGD analyst's survey tool might write it.

Written for review r18 (issue 18), independently of the project's own generators
(analysis.fixtures.*): 342 invented municipalities with invented GM-codes, a municipality sheet in
the analyst's own column names (.xlsx), and a semicolon CSV export (Dutch Excel: UTF-8 with BOM,
decimal comma) in the survey tool's own column names and codes, with item nonresponse, a few
answers written out as text, user-missing codes (9, 99, -99) and two empty questionnaires. The
questionnaire is the 2009 one (every codebook item except those `only_in_waves` of another wave).

    python benchmarks/generators/tool_export_national.py OUTDIR [--respondents 3400] [--seed 18]
           [--defect missing-municipality]
    python benchmarks/generators/tool_export_national.py --config WAVE_ID OUTDIR   # prints the config entry

Deterministic for a seed. Nothing here is real data.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

# --- the survey tool's own names and codes ------------------------------------------------------
# tool column -> codebook item (the 2009 questionnaire, Bijlage V)
YES_NO_COLS = {
    "v4_1": "health_priority", "v4_2": "health_work", "v4_3": "health_target_groups",
    "v4_5": "segv_priority", "v4_6": "segv_work", "v5_1": "collaborates",
}
HEALTH_TG = {"v4_4a": "health_tg_low_ses", "v4_4b": "health_tg_migrants",
             "v4_4c": "health_tg_deprived_areas", "v4_4d": "health_tg_other"}
SEGV_TG = {"v4_7a": "segv_tg_low_ses", "v4_7b": "segv_tg_migrants",
           "v4_7c": "segv_tg_deprived_areas", "v4_7d": "segv_tg_other"}
DETS = {f"v4_8{c}": i for c, i in zip("abcdefgh", [
    "det_income", "det_unemployment", "det_education", "det_housing", "det_working_conditions",
    "det_social_exclusion", "det_lifestyle", "det_care_quality"])}
PARTNERS = ["vgz", "onderwijs", "jeugd", "sociale_zaken", "wonen", "ruimte", "sport", "mobiliteit",
            "integratie", "milieu", "zorg", "veiligheid", "anders"]
COLLAB = {f"v5_2_{i + 1:02d}": f"collab_with_{s}" for i, s in enumerate(PARTNERS)}
FORMS = {f"v5_3{c}": i for c, i in zip("abcde", [
    "form_information_exchange", "form_separate_activities", "form_coordinate_activities",
    "form_joint_activities", "form_common_goal"])}
POS = {f"v6_1_{i + 1:02d}": i_ for i, i_ in enumerate([
    "pos_positive_experiences", "pos_structural_meetings", "pos_clear_roles",
    "pos_sufficient_resources", "pos_key_persons", "pos_concrete_plans", "pos_clear_contribution",
    "pos_good_relations", "pos_common_interest", "pos_uniform_language"])}
NEG = {f"v6_2_{i + 1:02d}": i_ for i, i_ in enumerate([
    "neg_negative_experiences", "neg_no_structural_meetings", "neg_unclear_roles",
    "neg_insufficient_resources", "neg_no_key_persons", "neg_no_concrete_plans",
    "neg_unclear_contribution", "neg_poor_relations", "neg_opposing_interests",
    "neg_no_uniform_language"])}
POL = {f"v6_3_{i + 1}": i_ for i, i_ in enumerate([
    "pol_college_support", "pol_portfolio_holder", "pol_3", "pol_4", "pol_5",
    "pol_national_policy"])}

# the tool's sector list (its own order and words)
TOOL_SECTORS = [  # (tool code, tool label, codebook sector id)
    (1, "Publieke gezondheid", "vgz"), (2, "Onderwijs", "onderwijs"), (3, "Jeugdbeleid", "jeugd"),
    (4, "Werk en inkomen", "sociale_zaken"), (5, "Wonen", "wonen"),
    (6, "Ruimtelijke ordening", "ruimte"), (7, "Sport", "sport"), (8, "Verkeer en vervoer", "mobiliteit"),
    (9, "Integratie", "integratie"), (10, "Milieu", "milieu"), (11, "Zorg en welzijn", "zorg"),
    (12, "Openbare orde en veiligheid", "veiligheid"), (99, "Overig", "anders")]
SECTOR_WEIGHTS = np.array([14, 9, 10, 8, 8, 9, 7, 6, 7, 7, 11, 8, 9], float)
TOOL_FUNCTIONS = [(1, "beleidsmedewerker"), (2, "senior_beleidsmedewerker"),
                  (3, "beleidsadviseur"), (4, "senior_beleidsadviseur"), (5, "coordinator"),
                  (6, "anders")]

PROVINCES = ["Groningen", "Friesland", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
             "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg"]
_PRE = ["Olde", "Nieuw", "Oost", "West", "Noord", "Zuid", "Groot", "Klein", "Hoog", "Laag",
        "Sint", "Ter", "Ede", "Bre", "Wester", "Ooster", "Heer", "Veen", "Zand", "Berg", "Dal",
        "Brug", "Haven", "Mol", "Wolde", "Lin", "Ulven", "Korte", "Lange", "Hollands"]
_SUF = ["hoven", "dam", "broek", "veen", "wijk", "horst", "rade", "dijk", "hout", "beek", "meer",
        "stede", "lo", "zijl", "woude", "mond", "kerk", "berg", "haar", "werd", "sluis", "gaast"]


def municipalities(rng: np.random.Generator) -> list[dict]:
    names = sorted({p + s for p in _PRE for s in _SUF})
    chosen = rng.choice(len(names), 342, replace=False)
    codes = rng.choice(np.arange(3, 2000), 342, replace=False)
    inhabitants = np.round(np.exp(rng.normal(10.3, 0.75, 342))).astype(int) + 1000
    order = np.argsort(-inhabitants)
    rows = []
    for rank, i in enumerate(order):
        size = "G4" if rank < 4 else "G32" if rank < 36 else "Klein"
        rows.append({
            "GM-code": f"GM{codes[i]:04d}",
            "Gemeentenaam": names[chosen[i]].capitalize(),
            "Provincie": PROVINCES[int(rng.integers(len(PROVINCES)))],
            "Inwoners": int(inhabitants[i] * (8 if rank < 4 else 2 if rank < 36 else 1)),
            "Grootteklasse": size,
            "Krachtwijk": "Ja" if (rank < 36 and rng.random() < 0.6) else "Nee",
        })
    rows.sort(key=lambda r: r["GM-code"])
    return rows


def respondents_per_municipality(rng, sheet, total):
    """1-25 per municipality at ~3,400 (scaled for other totals): large ones more, uneven."""
    base = np.array([{"G4": 22, "G32": 16, "Klein": 8}[m["Grootteklasse"]] for m in sheet], float)
    raw = base * rng.gamma(2.0, 0.5, len(sheet))
    raw[rng.random(len(sheet)) < 0.08] = rng.integers(1, 3, 1)[0]      # a few with 1-2
    hi = max(25, int(25 * total / 3400))
    scale = total / raw.sum()
    for _ in range(20):                     # the cap at `hi` loses some: aim the sum at `total`
        n = np.clip(np.round(raw * scale), 1, hi).astype(int)
        scale *= total / n.sum()
    return n


def _yn(rng, p, miss=0.03):
    r = rng.random()
    if r < miss:
        return rng.choice(["", "9"])       # empty or user-missing "geen antwoord"
    return "1" if rng.random() < p else "2"


def _sel(rng, p, miss=0.02):
    if rng.random() < miss:
        return "9"
    return "1" if rng.random() < p else "0"


def _ydn(rng, pj, pd):
    r = rng.random()
    if r < 0.03:
        return rng.choice(["", "9"])
    r = rng.random()
    return "1" if r < pj else "8" if r < pj + pd else "2"


def respondent(rng, rid, gm, muni_effect) -> dict:
    row = {"respondentnr": str(rid), "gemcode": gm,
           "startdatum": f"2026-0{int(rng.integers(3, 6))}-{int(rng.integers(1, 29)):02d}"}
    s = int(rng.choice(len(TOOL_SECTORS), p=SECTOR_WEIGHTS / SECTOR_WEIGHTS.sum()))
    code, label, sector = TOOL_SECTORS[s]
    row["beleidsterrein"] = label if rng.random() < 0.01 else str(code)   # a few written out
    row["functie"] = str(rng.choice([1, 2, 3, 4, 5, 6], p=[.35, .2, .15, .1, .1, .1])) \
        if rng.random() > 0.03 else "99"
    hours = rng.choice([4, 8, 12, 16, 20, 24, 28, 32, 36, 0.5 * int(rng.integers(1, 80))])
    row["uren"] = "-99" if rng.random() < 0.05 else f"{hours:g}".replace(".", ",")
    social = sector in {"vgz", "onderwijs", "jeugd", "sociale_zaken", "sport", "integratie", "zorg"}
    p = min(0.95, max(0.05, (0.75 if social else 0.4) + muni_effect))
    row["v4_1"] = _yn(rng, p)
    row["v4_2"] = _yn(rng, p + 0.05)
    row["v4_3"] = _yn(rng, 0.7) if row["v4_2"] == "1" else ""
    row["v4_5"] = _yn(rng, p - 0.2)
    row["v4_6"] = _yn(rng, p - 0.15)
    for c in HEALTH_TG:
        row[c] = _sel(rng, 0.5) if row["v4_3"] == "1" else ""
    for c in SEGV_TG:
        row[c] = _sel(rng, 0.5) if row["v4_6"] == "1" else ""
    for c in DETS:
        row[c] = _sel(rng, 0.35, miss=0.01)
    row["v5_1"] = _yn(rng, p + 0.1)
    asked = row["v5_1"] == "1"
    for c in COLLAB:
        row[c] = _sel(rng, 0.4) if asked else ""
    for c in FORMS:
        row[c] = _sel(rng, 0.5) if asked else ""
    for c in POS:
        row[c] = _ydn(rng, 0.55, 0.15) if asked else ""
    for c in NEG:
        row[c] = _ydn(rng, 0.35, 0.2) if asked else ""
    for c in POL:
        row[c] = _sel(rng, 0.45) if asked else ""
    # a few answers typed as text by whoever cleaned the file
    if rng.random() < 0.004:
        row["v4_1"] = {"1": "Ja", "2": "nee"}.get(row["v4_1"], row["v4_1"])
    if rng.random() < 0.004:
        row["v5_1"] = {"1": "ja", "2": "Nee"}.get(row["v5_1"], row["v5_1"])
    return row


COLUMNS = (["respondentnr", "gemcode", "startdatum", "beleidsterrein", "functie", "uren"]
           + ["v4_1", "v4_2", "v4_3", "v4_5", "v4_6"] + list(HEALTH_TG) + list(SEGV_TG) + list(DETS)
           + ["v5_1"] + list(COLLAB) + list(FORMS) + list(POS) + list(NEG) + list(POL))


def generate(out: Path, total: int, seed: int, defect: str | None = None) -> None:
    rng = np.random.default_rng(seed)
    sheet = municipalities(rng)
    n = respondents_per_municipality(rng, sheet, total)
    rows, rid = [], 480_000
    for m, k in zip(sheet, n):
        effect = rng.normal(0, 0.12)
        for _ in range(k):
            rid += int(rng.integers(1, 4))
            rows.append(respondent(rng, rid, m["GM-code"], effect))
        sent = k + int(rng.integers(0, 6))
        m["Verstuurd"] = "onbekend" if rng.random() < 0.03 else sent
    # two questionnaires returned empty (unit nonresponse)
    for i in (17, len(rows) // 2):
        rows[i] = {c: (rows[i][c] if c in ("respondentnr", "gemcode", "startdatum") else "")
                   for c in COLUMNS}
    if defect == "missing-municipality":
        rows[100]["gemcode"] = "GM9999"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "export_gemeenten_2026.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, COLUMNS, delimiter=";")
        w.writeheader()
        w.writerows(rows)
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Gemeenten"
    head = ["GM-code", "Gemeentenaam", "Provincie", "Inwoners", "Grootteklasse", "Krachtwijk",
            "Verstuurd"]
    ws.append(head)
    for m in sheet:
        ws.append([m[h] for h in head])
    wb.save(out / "gemeenten.xlsx")
    (out / "README.md").write_text(
        "# INVENTED national wave (review r18, issue 18)\n\n"
        f"Made by `python benchmarks/generators/tool_export_national.py` (seed {seed}, {len(rows)} rows, 342 invented "
        "municipalities). Not real data: names, codes and answers are invented.\n")
    print(f"{len(rows)} respondents in {len(sheet)} municipalities "
          f"(min {n.min()}, max {n.max()}, {int((n <= 2).sum())} with 1-2) -> {out}")


def config_entry(wave: str, out: Path) -> str:
    cols = {"respondentnr": "respondent_id", "gemcode": "municipality_id",
            "beleidsterrein": "sector", "functie": "function", "uren": "hours_per_week"}
    for d in (YES_NO_COLS, HEALTH_TG, SEGV_TG, DETS, COLLAB, FORMS, POS, NEG, POL):
        cols.update(d)
    lines = [f"  {wave}:",
             "    description: 'Landelijke meting 2026, 342 gemeenten (INVENTED data, review r18)'",
             f"    export: {out}/export_gemeenten_2026.csv",
             f"    municipalities: {out}/gemeenten.xlsx",
             "    synthetic: true",
             f"    disclosure: {{pseudonym_salt: {wave}}}",
             "    municipality_map:",
             ("      columns: {GM-code: municipality_id, Gemeentenaam: name, Grootteklasse: size_class,"
              " Krachtwijk: krachtwijk, Verstuurd: questionnaires_sent}"),
             "      ignore: [Provincie, Inwoners]",
             "    column_map:",
             "      ignore: [startdatum]",
             "      columns:"]
    lines += [f"        {k}: {v}" for k, v in cols.items()]
    lines += ["      codes:",
              "        yes_no: {1: ja, 2: nee, 9: null}",
              "        yes_dk_no: {1: ja, 2: nee, 8: weet_niet, 9: null}",
              "        selected: {1: ja, 0: nee, 9: null}",
              ("        function: {1: beleidsmedewerker, 2: senior_beleidsmedewerker, 3: beleidsadviseur,"
               " 4: senior_beleidsadviseur, 5: coordinator, 6: anders, 99: null}"),
              "        hours_per_week: {-99: null}",
              "        sector:"]
    for code, label, sector in TOOL_SECTORS:
        lines.append(f"          {code}: {sector}")
        lines.append(f"          {label}: {sector}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--respondents", type=int, default=3400)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--defect", choices=["missing-municipality"])
    ap.add_argument("--config", metavar="WAVE_ID")
    a = ap.parse_args(argv)
    if a.config:
        sys.stdout.write(config_entry(a.config, a.out))
    else:
        generate(a.out, a.respondents, a.seed, a.defect)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
