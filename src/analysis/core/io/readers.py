"""Read questionnaire exports (CSV, SPSS .sav, Excel .xlsx) into one raw form.

The raw form is a DataFrame of strings (missing = <NA>) with the file's own column names, plus
the file row number of every respondent, so that a validation error can point at the line a
person opens in an editor. Nothing is interpreted here: codes are translated in `ingest`.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

# a valid UTF-8 sequence of two or more bytes: text that is UTF-8 somewhere
UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


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
    try:
        return readers[path.suffix.lower()](path)
    except ExportReadError:
        raise
    except Exception as err:  # noqa: BLE001 - the parser's own error, reported as this file's problem
        raise ExportReadError(f"{path}: cannot be read as a {path.suffix.lower()} export "
                              f"({type(err).__name__}: {str(err).strip() or 'no detail'})") from err


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
    """UTF-8 (with or without BOM), UTF-16 with BOM, or cp1252 (Excel's 'CSV' on Windows).

    cp1252 accepts almost any bytes, so it is tried only for a file with no UTF-8 in it at all:
    a file that is UTF-8 in one place and not in another would otherwise come out garbled
    ('SÃºdwest-FryslÃ¢n') without any error."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise ExportReadError(f"{path}: line {line}: NUL byte: not a text file (binary, or UTF-16 without BOM)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        if UTF8_MULTIBYTE.search(raw):
            line = raw[: err.start].count(b"\n") + 1
            raise ExportReadError(
                f"{path}: line {line}: byte 0x{raw[err.start]:02x} is not UTF-8, while other text in the file "
                "is UTF-8 (mixed encodings): save the file as UTF-8") from err
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ExportReadError(f"{path}: line {line}: not UTF-8 or cp1252 text") from err


def _record_lines(text: str, delimiter: str) -> list[int]:
    """The line on which each record after the header starts, as an editor numbers lines. pandas
    skips blank lines and a quoted cell may span lines, so counting records is not enough."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    starts, previous_end = [], 0
    for record in reader:
        if record:
            starts.append(previous_end + 1)
        previous_end = reader.line_num
    return starts[1:]


def _read_csv(path: Path) -> RawExport:
    text = decode_text(path.read_bytes(), path)
    first_line = text.splitlines()[0] if text else ""
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ","
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    lines = _record_lines(text, delimiter)
    if len(lines) != len(frame):  # a layout the two parsers read differently: count records instead
        lines = list(range(2, len(frame) + 2))
    return RawExport(str(path), _normalise(frame), pd.Series(lines, dtype="int64"))


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
