"""An INVENTED small wave (20 municipalities of 2-12 officers) in a survey tool's own style, for review r18d.

Built on benchmarks/generators/national_independent.py (its questionnaire, answer model, Qualtrics
choice-text CSV) but: 20 municipalities of varying size (so per-municipality figures keep the
report's row layout and keep_group has large municipalities beside small ones in one size class),
odd column names ("Q4. Prioriteit gezondheid?", "Q11 #3 (opleiding)"), a municipality sheet as CSV
with Dutch words, more item nonresponse. Review r18d used it as a third wave after the two committed ones:

    python benchmarks/generators/small_tool_wave.py data/raw/synthetic-tool-2026   # + config_entry.yaml there
    (indent config_entry.yaml by two spaces under `waves:` in config/config.yaml; moving 0301 Molenwijk
    from `onbekend` to `klein` in gemeenten.csv makes keep_group hide G4/G32 totals of its own)
"""
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[0]))
import national_independent as ni  # noqa: E402

SIZES = {  # code, name, size class, officers
    "1991": ("Aastad", "G4", 11), "1992": ("Rivierstad", "G4", 3),
    "0101": ("Oosterwolde", "G32", 12), "0102": ("Westerhout", "G32", 9), "0103": ("Noorderdijk", "G32", 4),
    "0104": ("Zuiderveen", "G32", 6), "0105": ("Hoogdam", "G32", 2),
    "0201": ("Laagbroek", "klein", 5), "0202": ("Nieuwhorst", "klein", 3), "0203": ("Oudbeek", "klein", 7),
    "0204": ("Grootdorp", "klein", 4), "0205": ("Kleinkerk", "klein", 2), "0206": ("Sint-Hoven", "klein", 6),
    "0207": ("Bergmeer", "klein", 10), "0208": ("Dallo", "klein", 3), "0209": ("Veenrade", "klein", 5),
    "0210": ("Zandzijl", "klein", 4), "0211": ("Heideburg", "klein", 8), "0212": ("Brugstein", "klein", 3),
    "0301": ("Molenwijk", "onbekend", 4),
}


def odd_name(col: str, item: str) -> str:
    return f"{col}. {item.replace('_', ' ')}?"


def main(out: Path, seed: int = 1818) -> None:
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    q = ni.questionnaire()
    # more item nonresponse than the national generator
    for c in q:
        if c["kind"] != "tick":
            c["nonresp"] = max(c["nonresp"], 0.07)
    rows = []
    for code, (name, size, n) in SIZES.items():
        effect = rng.normal(0, 1.0)
        sectors = ni._sectors(rng, n)
        for sector in sectors:
            ans = ni._answer_pattern(rng, q, effect, sector)
            row = {"Tijdstempel": f"2026-03-{rng.integers(1, 29):02d}", "Respondent nr.": f"r-{len(rows)+1:03d}",
                   "Gemeente (CBS)": code, "Q1 Beleidsterrein": sector,
                   "Q2 Functie": "" if rng.random() < 0.1 else str(rng.choice(list(ni.FUNCTION_TEXT))),
                   "Q3 Uren p/w": f"{rng.integers(4, 73) / 2:.1f}".replace(".", ",") if rng.random() > 0.08 else "-99"}
            for c in q:
                row[odd_name(c["col"], c["item"])] = "" if ans[c["item"]] is None else ans[c["item"]]
            rows.append(row)
    frame = pd.DataFrame(rows)
    text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
    (out / "export.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    sheet = pd.DataFrame([dict(Code=c, Naam=v[0], Klasse=v[1], Krachtwijk="ja" if v[1] == "G4" else "nee",
                               Uitgezet=v[2] + 2) for c, v in SIZES.items()])
    sheet.to_csv(out / "gemeenten.csv", sep=";", index=False)
    (out / "README.md").write_text("# INVENTED small tool-style wave for review r18d (no real data)\n")
    # config entry
    import yaml
    columns = {"Respondent nr.": "respondent_id", "Gemeente (CBS)": "municipality_id", "Q1 Beleidsterrein": "sector",
               "Q2 Functie": "function", "Q3 Uren p/w": "hours_per_week"}
    columns.update({odd_name(c["col"], c["item"]): c["item"] for c in q})
    codes = {"yes_no": dict(ni.YES_NO), "yes_dk_no": dict(ni.YES_DK_NO), "function": dict(ni.FUNCTION_TEXT),
             "sector": dict(ni.SECTOR_TEXT), "hours_per_week": {-99: None}}
    for c in q:
        if c["kind"] == "tick":
            codes[c["item"]] = {c["tick"]: "ja", "": "nee"}
    wave = out.name
    entry = {wave: {"description": "Synthetic small tool-style wave 2026 (INVENTED data, review r18d)",
                    "export": f"data/raw/{wave}/export.csv", "municipalities": f"data/raw/{wave}/gemeenten.csv",
                    "synthetic": True, "disclosure": {"pseudonym_salt": "r18d"},
                    "column_map": {"columns": columns, "codes": codes, "ignore": ["Tijdstempel"]},
                    "municipality_map": {"columns": {"Code": "municipality_id", "Naam": "name", "Klasse": "size_class",
                                                     "Krachtwijk": "krachtwijk", "Uitgezet": "questionnaires_sent"}}}}
    (out / "config_entry.yaml").write_text(yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, width=200))
    print(len(frame), "respondents")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the wave's folder, e.g. data/raw/synthetic-tool-2026")
    parser.add_argument("--seed", type=int, default=1818)
    args = parser.parse_args()
    main(args.out, args.seed)
