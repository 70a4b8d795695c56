"""Recount the published cells from the committed 2009 export, with plain pandas.

Independent of analysis.aggregate and analysis.reconstruct: this reads data/raw/rivm2009/
responses.csv, counts "ja" (code 1) among the respondents of a municipality / sector / everybody,
takes as base those who were asked (a non-empty cell: skip logic leaves the others empty), and
checks every appendix-table cell that the audit calls consistent: the printed count, and the
printed percentage under the audit's rounding rule.
"""
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "data" / "raw" / "rivm2009" / "responses.csv"
REF = ROOT / "data" / "reference" / "rivm2010"
audit = pytest.importorskip("analysis.rivm2010.audit")


def percent(count: int, base: int, rule: str) -> int:
    """Whole percent of count/base, in integers: half up, or half up via one decimal."""
    if rule == "half_up_via_tenths":
        return ((2000 * count + base) // (2 * base) + 5) // 10
    return (200 * count + base) // (2 * base)


@pytest.fixture(scope="module")
def export() -> pd.DataFrame:
    return pd.read_csv(EXPORT, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def column_items() -> dict:
    """(table, col_key) -> item id, from the codebook's `published` entries."""
    raw = yaml.safe_load((ROOT / "config" / "codebook.yaml").read_text(encoding="utf-8"))
    out = {}
    for it in raw["items"]:
        for p in it.get("published") or []:
            if "table" in p and "col_key" in p:
                out[(str(p["table"]), p["col_key"])] = it["id"]
    return out


@pytest.fixture(scope="module")
def sector_codes() -> dict:
    raw = yaml.safe_load((ROOT / "config" / "sectors.yaml").read_text(encoding="utf-8"))
    return {s["nl"]: str(s["code"]) for s in raw["sectors"]}


def test_export_shape(export):
    assert len(export) == 123
    assert export["respondent_id"].tolist() == [f"R{i:03d}" for i in range(1, 124)]
    assert set(export["wave"]) == {"rivm2009"}
    assert export.groupby("municipality_id").size().sum() == 123


def test_every_consistent_published_cell_is_reproduced(export, column_items, sector_codes):
    ref = audit.load_reference(REF)
    rule = audit.infer_rounding_rule(ref)
    status = audit.cell_status(ref)
    consistent = status[status["status"] == "consistent"]
    tables = {t: pd.concat([d for d in ref.values() if "table" in d and (d["table"] == t).any()])
              for t in consistent["table"].unique()}
    failures, checked = [], 0
    for c in consistent.itertuples(index=False):
        src = tables[c.table]
        row = src[(src["row_type"] == c.row_type) & (src["row_id"].astype(str) == str(c.row_id))
                  & (src["col_key"] == c.col_key)].iloc[0]
        item = column_items[(c.table, c.col_key)]
        unit = export
        if c.row_type == "municipality":
            unit = export[export["municipality_id"] == str(c.row_id)]
        elif c.row_type == "sector":
            unit = export[export["sector"] == sector_codes[str(c.row_id)]]
        asked = unit[unit[item] != ""]
        count, base = int((asked[item] == "1").sum()), len(asked)
        if pd.notna(row["count_value"]) and count != int(row["count_value"]):
            failures.append(f"{c.table} {c.row_id} {c.col_key}: count {count}, printed {row['count_printed_raw']}")
        if pd.notna(row["pct_value"]) and (base == 0 or percent(count, base, rule) != int(row["pct_value"])):
            failures.append(f"{c.table} {c.row_id} {c.col_key}: {count}/{base}, printed {row['pct_printed_raw']}")
        checked += 1
    assert checked >= 700
    assert not failures, "\n".join(failures)


def test_vgz_partners_follow_the_report_prose(export, sector_codes):
    """Section 5.1.1 (report lines 1220-1223): VGZ officers collaborate mostly with jeugd,
    onderwijs, sport and sociale zaken. Only four numbers of Figuur 5.1 are printed; the rest of
    the reconstruction must not contradict the prose (it once left every unprinted partner at 0).
    "Regelmatig" / "vooral" read as in data/reference/rivm2010/vague_words.csv (statements S3.3a,
    S5.1.1f): at least half of VGZ's collaborators name each of the four, fewer than half any
    physical sector."""
    vgz = export[(export["sector"] == sector_codes["VGZ"]) & (export["collaborates"] == "1")]
    share = {p: (vgz[f"collab_with_{p}"] == "1").mean() for p in
             ("jeugd", "onderwijs", "sport", "sociale_zaken", "wonen", "ruimte", "mobiliteit", "milieu")}
    social = min(share[p] for p in ("jeugd", "onderwijs", "sport", "sociale_zaken"))
    physical = max(share[p] for p in ("wonen", "ruimte", "mobiliteit", "milieu"))
    assert len(vgz) > 0 and social >= 0.5 > physical, share
