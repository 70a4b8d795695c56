"""A scan of results/ for respondent ids or a row per respondent outside responses.parquet."""
from __future__ import annotations
import re
from dataclasses import dataclass
from pathlib import Path
import pandas as pd


TEXT_SUFFIXES = {".csv", ".md", ".html", ".htm", ".svg", ".json", ".txt", ".log", ".tsv", ".yaml", ".yml", ".rst", ".tex"}


SKIPPED_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".pdf"}


ROW_LEVEL_SUFFIXES = {".parquet", ".sav", ".dta", ".feather", ".pkl", ".pickle", ".rds", ".sas7bdat"}


ID_COLUMNS = {"respondent_id", "respondent", "resp_id", "respondentnummer", "respondentid"}


@dataclass(frozen=True)
class Problem:
    path: str
    kind: str  # "respondent id" | "row-level export" | "unreadable"
    detail: str


def scan_results_for_respondent_rows(results_dir, respondent_ids, item_ids=(), allowed=("*/responses.parquet",)) -> list[Problem]:
    """Every file under results/ that shows a respondent id or looks like a respondent-level export.

    Text files (CSV, MD, HTML, SVG, JSON, logs) are searched for each id as a whole token;
    workbooks (.xlsx) cell by cell; tables (CSV, xlsx sheets) are flagged when they have a
    respondent id column, or at least three codebook item columns and a row per respondent.
    Data formats that hold rows (.parquet, .sav, ...) are flagged outright. Images are skipped.
    Ids made of digits only (e.g. 1..123) would match every number, so they are found through
    the column checks only. `allowed` are glob patterns relative to results_dir.
    """
    root = Path(results_dir)
    ids = [str(i) for i in respondent_ids if pd.notna(i)]
    pattern = _id_pattern([i for i in ids if not i.isdigit()])
    n_rows = len(set(ids))
    problems = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(rel.match(g) for g in allowed):
            continue
        problems += _scan_file(path, str(rel), pattern, set(item_ids), n_rows)
    return problems


def _id_pattern(ids: list[str]) -> re.Pattern | None:
    if not ids:
        return None
    alternatives = "|".join(re.escape(i) for i in sorted(set(ids), key=len, reverse=True))
    # whole token: SYN-001 must not match inside SYN-0012 or XSYN-001
    return re.compile(rf"(?<![A-Za-z0-9_-])(?:{alternatives})(?![A-Za-z0-9_-])", re.IGNORECASE)


def _scan_file(path: Path, rel: str, pattern, item_ids: set, n_rows: int) -> list[Problem]:
    suffix = path.suffix.lower()
    if suffix in SKIPPED_SUFFIXES:
        return []
    if suffix in ROW_LEVEL_SUFFIXES:
        return [Problem(rel, "row-level export", f"{suffix} data file outside responses.parquet")]
    if suffix == ".xlsx":
        return _scan_workbook(path, rel, pattern, item_ids, n_rows)
    if suffix not in TEXT_SUFFIXES:
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    problems = _ids_in_text(text, rel, pattern)
    if suffix in (".csv", ".tsv"):
        problems += _row_level_table(_csv_header(text, suffix), _line_count(text) - 1, rel, item_ids, n_rows)
    return problems


def _ids_in_text(text: str, where: str, pattern) -> list[Problem]:
    if pattern is None:
        return []
    found = sorted({m.group(0) for m in pattern.finditer(text)})
    return [Problem(where, "respondent id", f"{len(found)} respondent id(s), e.g. {found[:3]}")] if found else []


def _csv_header(text: str, suffix: str) -> list[str]:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = "\t" if suffix == ".tsv" else (";" if first.count(";") > first.count(",") else ",")
    return [c.strip().strip('"') for c in first.split(sep)]


def _line_count(text: str) -> int:
    return sum(1 for line in text.splitlines() if line.strip())


def _row_level_table(columns: list[str], n: int, where: str, item_ids: set, n_respondents: int) -> list[Problem]:
    lowered = {c.lower() for c in columns}
    if lowered & ID_COLUMNS:
        return [Problem(where, "row-level export", f"respondent id column {sorted(lowered & ID_COLUMNS)}")]
    items = [c for c in columns if c in item_ids]
    if len(items) >= 3 and n_respondents and n >= n_respondents:
        return [Problem(where, "row-level export", f"{n} rows with item columns {items[:5]}")]
    return []


def _scan_workbook(path: Path, rel: str, pattern, item_ids: set, n_rows: int) -> list[Problem]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # a workbook we cannot read is a workbook we cannot vouch for
        return [Problem(rel, "unreadable", str(err))]
    problems = []
    for ws in wb.worksheets:
        rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        where = f"{rel}[{ws.title}]"
        problems += _ids_in_text("\n".join("\t".join(r) for r in rows), where, pattern)
        if rows:
            problems += _row_level_table(rows[0], len(rows) - 1, where, item_ids, n_rows)
    wb.close()
    return problems
