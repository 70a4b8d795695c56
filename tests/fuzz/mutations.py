"""Damage a valid export or municipality sheet the way files get damaged: cut short, a byte
changed, a separator, quote, NUL or line break inserted, saved in another encoding. Shared by the
property test (tests/test_ingest_properties.py) and the long campaign (tests/fuzz/campaign.py).

The oracle is independent of the reader: it counts the lines of the file that hold anything
but separators, so a reader that drops or invents a row cannot pass it by agreeing with itself.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.core.codebook import Codebook
from analysis.core.io.readers import ExportReadError, read_export
from analysis.core.validate import run_validation

INSERTS = [b",", b";", b"\t", b'"', b"\x00", b"\n", b"\r", b"\r\n", b'""', b" ", b"\xe9", b"\xc3\xa9", b"\xff\xfe"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]


def truncate(data: bytes, at: int) -> bytes:
    return data[: at % (len(data) + 1)]


def flip(data: bytes, at: int, value: int) -> bytes:
    if not data:
        return data
    i = at % len(data)
    return data[:i] + bytes([value % 256]) + data[i + 1:]


def insert(data: bytes, at: int, what: bytes) -> bytes:
    i = at % (len(data) + 1)
    return data[:i] + what + data[i:]


def delete(data: bytes, at: int, length: int) -> bytes:
    i = at % (len(data) + 1)
    return data[:i] + data[i + length % 40:]


def reencode(data: bytes, encoding: str) -> bytes:
    return data.decode("utf-8").encode(encoding, errors="replace")


def content_lines(data: bytes) -> int | None:
    """Lines after the header that hold more than separators and blanks, or None when the text
    cannot be decoded (the reader must then refuse it anyway)."""
    for encoding in (("utf-16",) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "cp1252")):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    lines = [line for line in re.split(r"\r\n|\r|\n", text) if re.sub(r"[,;\t\s\"]", "", line)]
    return max(len(lines) - 1, 0)


def binary_rows(path: Path) -> int:
    """Respondent rows of an accepted .xlsx (rows with any value, after the header) or .sav."""
    if path.suffix == ".sav":
        import pyreadstat

        return pyreadstat.read_sav(str(path), metadataonly=True)[1].number_rows
    import openpyxl

    sheet = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    filled = [row for row in sheet.iter_rows(values_only=True) if any(str(v).strip() for v in row if v is not None)]
    return max(len(filled) - 1, 0)


def read(data: bytes, suffix: str, tmp: Path) -> str:
    """The reader alone (fast): 'refused', 'problems' or 'read'. Raises AssertionError when a
    file read without problems has another number of rows than non-blank lines."""
    mutant = tmp / f"mutant{suffix}"
    mutant.write_bytes(data)
    try:
        raw = read_export(mutant)
    except ExportReadError:
        return "refused"
    if raw.problems:
        return "problems"
    if suffix == ".csv":
        expected = content_lines(data)
        assert expected is not None and len(raw.data) == expected, (
            f"read {len(raw.data)} rows without a problem, but the file has {expected} non-blank lines after the header")
    assert len(raw.file_rows) == len(raw.data) and raw.file_rows.is_monotonic_increasing
    return "read"


def judge(data: bytes, role: str, tmp: Path, book: Codebook, clean: dict[str, Path], wave: str,
          column_map=None, not_asked=()) -> tuple[bool, str]:
    """Run the mutant through run_validation (as `role`: export or sheet, the other file clean).
    Raises AssertionError when an accepted mutant has another number of rows than the file."""
    suffix = clean[role].suffix
    mutant = tmp / f"mutant{suffix}"
    mutant.write_bytes(data)
    files = {**clean, role: mutant}
    out = tmp / "out"
    ok, message = run_validation(wave, str(files["export"]), str(files["sheet"]), book, column_map, out,
                                 out / "responses.parquet", out / "municipalities.csv", not_asked)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "Traceback" not in report
    if ok:
        expected = content_lines(data) if suffix == ".csv" else binary_rows(mutant)
        table = (pd.read_parquet(out / "responses.parquet") if role == "export"
                 else pd.read_csv(out / "municipalities.csv", dtype=str))
        assert expected is not None and len(table) == expected, (
            f"accepted {role} with {len(table)} rows, but the file has {expected} non-blank lines after the header")
    else:
        assert not (out / "responses.parquet").exists() and (out / "failures.csv").exists()
    return ok, message
