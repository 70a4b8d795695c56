"""A scan of results/ for respondent ids or a row per respondent outside responses.parquet."""
from __future__ import annotations
import re
from dataclasses import dataclass
from pathlib import Path
import numpy as np
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


# "64% (14)": how the tables, the workbook, report.html and the pages print a percentage with
# its count (decimal comma or point)
PCT_COUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d+)?)\s?%\s?\((\d+)\)")
KEY_COLUMNS = ("item", "unit", "unit_id", "answer")
VALUE_COLUMNS = ("count", "pct", "pct_rounded", "ci_low", "ci_high")


def scan_results_for_sensitive_cells(results_dir, sensitive: set, min_base: int) -> list[Problem]:
    """Every place under results/ where a sensitive cell (base below k) is shown after all.

    Two checks, over every file a build writes (tables .csv/.md/.xlsx, figure .data.csv and .svg,
    report.html, feedback pages, cross-wave files, disclosure reports):
    - a table with item, unit, unit_id and answer columns (cells.csv, figure data, ...) shows no
      count, percentage or interval in a row of a `sensitive` (item, unit, unit_id, answer);
    - no text prints a "p% (c)" with c >= 1 that only a base of 1 .. k-1 can give: with c >= 1
      the pair fixes the base up to rounding, so it is a small cell whatever file or row it is in.
    """
    root = Path(results_dir)
    keys = {tuple(str(v) for v in key) for key in sensitive}
    problems = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel, suffix = str(path.relative_to(root)), path.suffix.lower()
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True, data_only=True)
            for ws in wb.worksheets:
                text = "\n".join("\t".join("" if v is None else str(v) for v in row) for row in ws.iter_rows(values_only=True))
                problems += _small_pct_counts(text, f"{rel}[{ws.title}]", min_base)
            wb.close()
        elif suffix in TEXT_SUFFIXES:
            text = path.read_text(encoding="utf-8", errors="replace")
            problems += _small_pct_counts(text, rel, min_base)
            if suffix == ".csv":
                problems += _sensitive_rows(path, rel, keys)
    return problems


def _small_pct_counts(text: str, where: str, k: int) -> list[Problem]:
    out = []
    for m in PCT_COUNT.finditer(text):
        pct, count = float(m.group(1).replace(",", ".")), int(m.group(2))
        if count >= 1 and _only_small_bases(pct, count, k, m.group(1)):
            out.append(Problem(where, "sensitive cell", f"{m.group(0)!r} can only have a base below {k}"))
    return out


def _only_small_bases(pct: float, count: int, k: int, printed: str) -> bool:
    """Whether every base that prints `count` as `pct` (rounded as printed) is below k."""
    decimals = len(printed.replace(",", ".").split(".")[1]) if "." in printed.replace(",", ".") else 0
    half = 0.5 / 10 ** decimals
    fits = [b for b in range(count, max(k, count) + 1) if b >= 1 and abs(100 * count / b - pct) <= half + 1e-9]
    if not fits:
        return False
    # bases of k or more that would print the same: 100c/b >= pct - half, i.e. b <= 100c/(pct - half)
    largest = np.inf if pct - half <= 0 else 100 * count / (pct - half)
    return all(b < k for b in fits) and largest < max(k, count)


def _sensitive_rows(path: Path, rel: str, keys: set) -> list[Problem]:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError):
        return []
    if not set(KEY_COLUMNS) <= set(frame.columns):
        return []
    values = [c for c in VALUE_COLUMNS if c in frame.columns]
    out = []
    for row in frame[list(KEY_COLUMNS) + values].itertuples(index=False):
        if tuple(row[:4]) in keys and any(v.strip() for v in row[4:]):
            out.append(Problem(rel, "sensitive cell", f"{'/'.join(row[:4])} shows {dict(zip(values, row[4:]))}"))
    return out
