"""Reviewer's own check of a built public wave made by gemeenten_342.py (independent of the pipeline).

Recounts the raw export itself (column names and codes from the generator, skip logic, item
nonresponse, empty questionnaires) and checks the built results/<wave>/ against it:

- cells.csv, municipality rows: no count/percentage shown where the true answered base is 1..4;
  every shown base and count equal to the recount;
- tables/*.csv, figures/*.data.csv, fact sheets: no number printed for a municipality with fewer
  than 5 respondents (its pseudonym row), no fact-sheet cell "p% ... n=b" with b < 5;
- no municipality name or GM-code anywhere under results/ (text files, unzipped xlsx);
- Tabel VIII.2: which municipalities with >= 9 respondents have a shown row;
- every PNG's pixel size (max height), report.html size.

    python benchmarks/generators/check_gemeenten_342.py <project copy> <wave>
"""

from __future__ import annotations

import hashlib
import re
import sys
import zipfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from gemeenten_342 import COLUMNS

K = 5
YES_NO = {"1": "ja", "2": "nee"}
DK = {"1": "ja", "2": "nee", "8": "weet_niet"}


def recount(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per municipality id and item: answered base and count per answer (own reading of the export)."""
    d = pd.read_csv(raw / "responses.csv", sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    d = d.rename(columns=COLUMNS)
    items = [c for c in COLUMNS.values() if c not in ("respondent_id", "municipality_id")]
    empty = (d[items] == "").all(axis=1)
    d = d[~empty]
    rows = []
    for item in items:
        col = d[item]
        if item in ("sector", "function"):
            val = col.where(col != "", None)
        elif item == "hours_per_week":
            val = col.where(~col.isin(["", "-99"]), None)
        elif item.startswith(("pos_", "neg_")):
            asked = d["collaborates"] == "1"
            val = col.map(DK).where(asked, None)
        elif any(item.startswith(p) for p in ("health_tg_", "segv_tg_", "det_", "collab_with_", "form_", "pol_")):
            lead = {"health_tg_": ("health_target_groups", "1"), "segv_tg_": ("segv_work", "1")}
            asked = pd.Series(True, index=d.index)
            for p, (li, lv) in lead.items():
                if item.startswith(p):
                    asked = d[li] == lv
            if item.startswith(("collab_with_", "form_", "pol_")):
                asked = d["collaborates"] == "1"
            val = col.map({"Y": "ja", "": "nee"}).where(asked, None)
        else:
            val = col.map(YES_NO)
        if item == "hours_per_week":
            continue
        f = pd.DataFrame({"municipality_id": d["municipality_id"], "answer": val}).dropna()
        g = f.groupby(["municipality_id", "answer"]).size().rename("count").reset_index()
        g["base"] = g.groupby("municipality_id")["count"].transform("sum")
        g["item"] = item
        rows.append(g)
    size = d.groupby("municipality_id").size().rename("respondents").reset_index()
    return pd.concat(rows, ignore_index=True), size


def pseudonym(mid: str, salt: str = "") -> str:
    return "G-" + hashlib.sha256((salt + mid).encode()).hexdigest()[:6]


NUMBER = re.compile(r"\d")


def main(proj: Path, wave: str) -> int:
    raw, res = proj / "data/raw" / wave, proj / "results" / wave
    truth, size = recount(raw)
    sheet = pd.read_excel(raw / "gemeenten.xlsx", dtype=str)
    size["pseudo"] = size["municipality_id"].map(pseudonym)
    truth["pseudo"] = truth["municipality_id"].map(pseudonym)
    problems: list[str] = []

    cells = pd.read_csv(res / "cells.csv", dtype=str, keep_default_na=False)
    m = cells[cells["unit"] == "municipality"]
    unknown = set(m["unit_id"]) - set(size["pseudo"])
    if unknown:
        problems.append(f"cells.csv: municipality ids that are not pseudonyms of the sheet: {sorted(unknown)[:5]}")
    j = m.merge(truth, left_on=["unit_id", "item", "answer"], right_on=["pseudo", "item", "answer"],
                how="left", suffixes=("", "_true"))
    shown = (j["pct"] != "") | (j["count"] != "")
    small = j["base_true"].fillna(0).astype(int).between(1, K - 1)
    leak = j[shown & small]
    print(f"cells.csv municipality rows: {len(m)}; shown {int(shown.sum())} "
          f"({shown.mean():.1%}); shown with true base 1..{K - 1}: {len(leak)}")
    if len(leak):
        problems.append(f"cells.csv: {len(leak)} municipality cells shown with a true base below {K}: "
                        + leak[["item", "unit_id", "answer", "base", "count", "status"]].head(3).to_string())
    sh = j[shown & j["base_true"].notna()]
    wrong = sh[(sh["base"] != sh["base_true"].astype(int).astype(str))
               | ((sh["count"] != "") & (sh["count"] != sh["count_true"].astype(int).astype(str)))]
    print(f"shown municipality cells differing from the recount (base or count): {len(wrong)}")
    if len(wrong):
        problems.append("cells.csv differs from the recount: " + wrong[["item", "unit_id", "answer", "base",
                        "base_true", "count", "count_true"]].head(5).to_string())

    report = res / "disclosure/report.csv"
    if report.exists():  # the output checker's list: every hidden cell of cells.csv in it?
        listed = pd.read_csv(report, dtype=str, keep_default_na=False)
        hid = cells[cells["status"].isin([f"< {K}", "×"])]
        key = ["item", "unit", "unit_id", "answer"]
        missing = hid.merge(listed[key], on=key, how="left", indicator=True)
        missing = missing[missing["_merge"] == "left_only"]
        real = m[m["status"] != "base 0"]
        print(f"hidden cells in cells.csv {len(hid)}; not listed in disclosure/report.csv {len(missing)} "
              f"{missing.groupby(['item', 'unit']).size().to_dict()}; municipality cells shown "
              f"{(real['status'] == 'ok').sum()} of {len(real)} non-empty ({(real['status'] == 'ok').mean():.1%})")

    tiny = set(size.loc[size["respondents"] < K, "pseudo"])
    printed = []
    for f in sorted(res.glob("tables/*.csv")):  # a percentage printed in a tiny municipality's row
        for line in f.read_text(encoding="utf-8").splitlines():
            hit = next((p for p in tiny if p in line), None)
            if hit and "%" in line:
                printed.append((f.name, hit, line[:120]))
    for f in sorted(res.glob("figures/*.data.csv")):  # 3.1 is response (received/sent), not answers
        data = pd.read_csv(f, dtype=str, keep_default_na=False)
        if "pct" not in data.columns or f.name.startswith("figuur_3_1"):
            continue
        mine = data.apply(lambda r: any(p in " ".join(r.values) for p in tiny), axis=1) if len(data) else []
        for _, r in data[mine & (data["pct"] != "")].iterrows():
            printed.append((f.name, r.get("unit_id", ""), r.get("item", ""), r["pct"]))
    print(f"table/figure-data rows of municipalities with < {K} respondents ({len(tiny)}) printing a %: {len(printed)}")
    for x in printed[:8]:
        print("   ", x)

    pages = sorted((res / "municipalities").glob("*.html"))
    bad_pages = []
    cell = re.compile(r'<td class="num">(\d+)% \(\d+–\d+%\) n=(\d+)</td>')
    for pg in pages:
        for pct, n in cell.findall(pg.read_text(encoding="utf-8")):
            if int(n) < K:
                bad_pages.append((pg.name, pct, n))
    tiny_pages = [pg.name for pg in pages if pg.stem in tiny and cell.search(pg.read_text(encoding="utf-8"))]
    print(f"fact sheets: {len(pages)}; own-municipality cells shown with n < {K}: {len(bad_pages)}; "
          f"sheets of municipalities with < {K} respondents showing an own percentage: {len(tiny_pages)}")

    names = [n.replace(" (verzonnen)", "") for n in sheet["Gemeentenaam"]]
    name_re = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    code_re = re.compile(r"\b(" + "|".join(sheet["Gemeentecode"]) + r")\b")
    base64 = re.compile(r"base64,[A-Za-z0-9+/=]+")  # embedded images: random letters, not text
    found = []
    for f in (proj / "results").rglob("*"):
        if not f.is_file() or f.suffix in (".parquet", ".png"):
            continue
        texts = []
        if f.suffix == ".xlsx":
            with zipfile.ZipFile(f) as z:
                texts = [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        else:
            texts = [f.read_bytes().decode("utf-8", "replace")]
        for t in texts:
            t = base64.sub("", t)
            hit = name_re.search(t) or code_re.search(t)
            if hit:
                found.append((str(f.relative_to(proj)), hit.group(0)))
                break
    print(f"files under results/ naming a municipality or GM code: {len(found)} {found[:6]}")

    v = res / "tables/tabel_VIII_2.csv"
    t = v.read_text(encoding="utf-8") if v.exists() else ""
    big = size[size["respondents"] >= 9]
    collab = truth[truth["item"] == "collaborates"].groupby("pseudo")["count"].sum()
    has_row = [p for p in big["pseudo"] if re.search(re.escape(p) + r",[^,\n]*\d+%", t)]
    for p in big["pseudo"]:
        if p not in has_row:
            line = next((x for x in t.splitlines() if p in x), "(no row)")
            print(f"   VIII.2 without a shown row: {p} respondents={int(size.set_index('pseudo').loc[p, 'respondents'])}"
                  f" answered collaborates={int(collab.get(p, 0))}: {line}")
    print(f"Tabel VIII.2: municipalities with >= 9 respondents {len(big)}; with a shown row {len(has_row)}; "
          f"rows in the file {t.count(chr(10))}; >=9 answered collaborates: {(collab >= 9).sum()}")

    from PIL import Image

    dims = {p.name: Image.open(p).size for p in sorted(res.glob("figures/*.png"))}
    tall = {k: v for k, v in dims.items() if v[1] > 3000}
    print(f"PNGs {len(dims)}; max {max(dims.values(), key=lambda s: s[1]) if dims else None}; taller than 3000 px: {tall}")
    rep = res / "report.html"
    print(f"report.html {rep.stat().st_size / 1e6:.2f} MB" if rep.exists() else "no report.html")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems or printed or bad_pages or tiny_pages or found else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), sys.argv[2]))
