"""Read questionnaire exports (CSV, SPSS .sav, Excel .xlsx) into one raw form.

The raw form is a DataFrame of strings (missing = <NA>) with the file's own column names, plus
the file row number of every respondent, so that a validation error can point at the line a
person opens in an editor. Nothing is interpreted here: codes are translated in `ingest`.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ENCODINGS = ("utf-8-sig", "cp1252")  # utf-8-sig also reads UTF-8 without a BOM


@dataclass
class RawExport:
    path: str
    data: pd.DataFrame  # all values str or <NA>, the tool's own column names
    file_rows: pd.Series  # row number in the file as a person sees it (CSV line, sheet row, case)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # SPSS: column -> code -> label


class ExportReadError(ValueError):
    """The file cannot be read as a questionnaire export at all."""


def read_export(path: str | Path) -> RawExport:
    path = Path(path)
    if not path.exists():
        raise ExportReadError(f"{path}: file not found")
    readers = {".csv": _read_csv, ".sav": _read_sav, ".xlsx": _read_xlsx}
    if path.suffix.lower() not in readers:
        raise ExportReadError(f"{path}: unsupported file type {path.suffix!r} (use .csv, .sav or .xlsx)")
    return readers[path.suffix.lower()](path)


def normalise_cell(value) -> object:
    """One textual form per value: '1.0' and 1 both become '1'; blanks become missing."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return pd.NA
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if text == "":
        return pd.NA
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        return text[:-2]
    return text


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda col: col.map(normalise_cell)).astype("object")


def decode_text(raw: bytes, path: Path) -> str:
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExportReadError(f"{path}: not UTF-8 or cp1252 text")


def _read_csv(path: Path) -> RawExport:
    text = decode_text(path.read_bytes(), path)
    first_line = text.splitlines()[0] if text else ""
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ","
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    # header is line 1, so respondent i (0-based) is on line i + 2
    return RawExport(str(path), _normalise(frame), pd.Series(range(2, len(frame) + 2)))


def _read_sav(path: Path) -> RawExport:
    import pyreadstat

    # user_missing=False turns SPSS user-missing codes (e.g. 9 = no answer) into missing values
    frame, meta = pyreadstat.read_sav(str(path), user_missing=False)
    labels = {
        col: {normalise_cell(code): str(label) for code, label in mapping.items()}
        for col, mapping in meta.variable_value_labels.items()
    }
    return RawExport(str(path), _normalise(frame), pd.Series(range(1, len(frame) + 1)), labels)


def _read_xlsx(path: Path) -> RawExport:
    frame = pd.read_excel(path, sheet_name=0, dtype=object, engine="openpyxl")
    return RawExport(str(path), _normalise(frame), pd.Series(range(2, len(frame) + 2)))
