"""Read questionnaire exports (CSV, SPSS .sav, Excel .xlsx) into one raw form.

The raw form is a DataFrame of strings (missing = <NA>) with the file's own column names, plus
the file row number of every respondent, so that a validation error can point at the line a
person opens in an editor. Nothing is interpreted here: codes are translated in `ingest`.

Every record of the file is accounted for. The reader counts records and fields itself (the
`csv` module in strict mode, openpyxl cell by cell) instead of letting pandas guess: pandas fills
a short row with blanks, turns a long one into an index and reads a truncated download as a
shorter file. A row that does not fit the header is a `ReadProblem` with its line; a file that
cannot be read at all raises `ExportReadError`. Blank records (a blank line, a row of empty
cells) hold no answer and are skipped, in every format alike.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

# a valid UTF-8 sequence of two or more bytes: text that is UTF-8 somewhere
UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
EXCEL_SEPARATOR_LINE = re.compile(r"^\s*sep=[,;\t]\s*$")  # Excel's "sep=;" before the header
LINE_END = re.compile(r"\r\n|\r|\n")  # as the csv module ends a record outside quotes
# Exports with more than one header row (a wave's `column_map.header_rows`): SurveyMonkey writes the
# question on row 1, over all its columns, and the option (or one of these words) on row 2;
# Qualtrics writes its column ids, the question text and an ImportId record. A column's name is
# its header cells joined with " - ", without these words and records, which name no question.
HEADER_FILLER = {"response", "open-ended response", "antwoord", "open antwoord"}
HEADER_RECORD = re.compile(r'^\{\s*"ImportId"')


@dataclass(frozen=True)
class ReadProblem:
    """A record the reader could not take as a respondent row, or a header that names no column."""
    rule: str
    line: int | None  # CSV line / sheet row as an editor shows it
    expected: str
    column: str | None = None
    value: str | None = None


@dataclass
class RawExport:
    path: str
    data: pd.DataFrame  # all values str or <NA>, the tool's own column names
    file_rows: pd.Series  # row number in the file as a person sees it (CSV line, sheet row, case)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # SPSS: column -> code -> label
    problems: list[ReadProblem] = field(default_factory=list)  # records that did not fit: data is then incomplete
    layout: str = ""  # how the file was read (format, encoding, separator), for messages about the layout
    header_rows: int = 1  # the rows its header took (read_export)
    # (data, {column: (each row's number of its value, -1 missing; the values)}) where the reader
    # found the distinct values anyway: decoding then need not find them again. Only for this `data`.
    distinct: tuple | None = field(default=None, repr=False, compare=False)

    def distinct_values(self, column: str, rows: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(codes, values) of a column of `data` as read, if the reader kept them."""
        if self.distinct is None or self.distinct[0] is not self.data or column not in self.distinct[1]:
            return None
        codes, values = self.distinct[1][column]
        return (codes, values) if len(codes) == rows else None


class ExportReadError(ValueError):
    """The file cannot be read as a questionnaire export at all."""

    def __init__(self, message: str, line: int | None = None, rule: str = "readable_file"):
        super().__init__(message)
        self.line, self.rule = line, rule


def read_export(path: str | Path, header_rows: int = 1) -> RawExport:
    """`header_rows`: how many rows the file's header takes (the wave's `column_map.header_rows`;
    CSV and Excel): their cells name each column together (combined_header)."""
    path = Path(path)
    if not path.is_file():
        raise ExportReadError(f"{path}: file not found" if not path.exists() else f"{path}: not a file")
    readers = {".csv": _read_csv, ".sav": _read_sav, ".xlsx": _read_xlsx}
    if path.suffix.lower() not in readers:
        raise ExportReadError(f"{path}: unsupported file type {path.suffix!r} (use .csv, .sav or .xlsx)")
    if header_rows != 1 and path.suffix.lower() == ".sav":
        raise ExportReadError(f"{path}: header_rows {header_rows} is for CSV and Excel exports: an SPSS file names "
                              "its variables itself (remove header_rows from this wave's config)", rule="config:header_rows")
    try:
        if path.suffix.lower() == ".sav":
            return _read_sav(path)
        raw = readers[path.suffix.lower()](path, header_rows)
        return raw if header_rows == 1 else replace(raw, header_rows=header_rows)
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
    if hasattr(value, "isoformat"):  # a date cell: its ISO form, not the locale's
        return value.isoformat()
    text = str(value).strip()
    if text == "":
        return pd.NA
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        return text[:-2]
    return text


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({i: _normalised_column(frame.iloc[:, i]) for i in range(frame.shape[1])}, index=frame.index,
                       dtype="object")
    out.columns = frame.columns
    return out


def _normalised_column(col: pd.Series) -> np.ndarray:
    """normalise_cell of every value, computed once per distinct value: an export of a million
    rows holds a handful of codes per column. Only where every value is text or a float (what the
    readers give) are distinct values safe to find by hashing: 1, 1.0 and True hash alike but
    normalise differently."""
    if pd.api.types.infer_dtype(col, skipna=True) not in ("string", "floating", "empty"):
        return col.map(normalise_cell).to_numpy(dtype=object)
    return _as_text_column(map_distinct(col, normalise_cell, missing=pd.NA))


def _as_text_column(values: np.ndarray) -> np.ndarray:
    """Missing as pandas gives it for a column of text (NaN), or <NA> where nothing is text: as
    `Series.map(normalise_cell)` made it, which every later step was written against."""
    text = pd.notna(values)
    if text.any():
        values[~text] = np.nan
    return values


def map_distinct(col: pd.Series, function, missing=None) -> np.ndarray:
    """function(value) for every value of a column of text (or floats), called once per distinct
    value; missing values become `missing`, or stay as they are when it is None."""
    codes, distinct = pd.factorize(col, use_na_sentinel=True)
    mapped = np.empty(len(distinct) + 1, dtype=object)
    mapped[:-1] = [function(v) for v in distinct]
    mapped[-1] = missing
    out = mapped[codes]
    if missing is None:
        gaps = codes < 0
        out[gaps] = col.to_numpy(dtype=object)[gaps]
    return out


def decode_text(raw: bytes, path: Path) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, or cp1252 (Excel's 'CSV'
    on Windows).

    cp1252 accepts almost any bytes, so it is tried only for a file with no UTF-8 in it at all:
    a file that is UTF-8 in one place and not in another would otherwise come out garbled
    ('SÃºdwest-FryslÃ¢n') without any error."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as err:
            raise ExportReadError(f"{path}: byte {err.start}: not UTF-16 text although the file starts with a "
                                  "UTF-16 byte order mark (damaged or truncated file)") from err
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise ExportReadError(f"{path}: line {line}: NUL byte: not a text file (binary, damaged, or UTF-16 "
                              "without byte order mark): export it again as UTF-8 CSV", line)
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as err:
        if UTF8_MULTIBYTE.search(raw):
            line = raw[: err.start].count(b"\n") + 1
            raise ExportReadError(
                f"{path}: line {line}: byte 0x{raw[err.start]:02x} is not UTF-8, while other text in the file "
                "is UTF-8 (mixed encodings): save the file as UTF-8", line) from err
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ExportReadError(f"{path}: line {line}: not UTF-8 or cp1252 text", line) from err


def header_separator(text: str) -> str:
    """The separator of the header line (the first line that is not blank): the one of comma,
    semicolon and tab it holds most often outside quotes; comma if it holds none."""
    header = _first_non_blank_line(text)
    if EXCEL_SEPARATOR_LINE.match(header):
        return header.strip()[4]
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {sep: outside.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: (counts[sep], sep == ","))
    return best if counts[best] else ","


def _first_non_blank_line(text: str) -> str:
    """The first line with more than white space ("" if none), without splitting the whole file."""
    start = 0
    while start <= len(text):
        end = LINE_END.search(text, start)
        line = text[start: end.start() if end else len(text)]
        if line.strip():
            return line
        if end is None:
            return ""
        start = end.end()
    return ""


@dataclass
class _Record:
    line: int  # the line it starts on
    fields: list[str]


def _records(text: str, delimiter: str, path: Path) -> tuple[list[_Record], ReadProblem | None]:
    """Every non-blank record with the line it starts on; and the problem that stopped reading,
    if any (a quote left open at the end of the file, a character after a closing quote)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records, previous_end = [], 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return records, None
        except csv.Error as err:
            start = previous_end + 1
            if "unexpected end of data" in str(err):
                return records, ReadProblem(
                    "file_ends_in_quoted_field", start,
                    f"a closing quote: the quoted cell opened in the row of line {start} never closes, so the "
                    "file ends inside it (a truncated download, or a stray quote): export the file again")
            return records, ReadProblem(
                "malformed_quoting", reader.line_num,
                f"a separator or line end right after a closing quote ({err}): a quote inside a cell must be doubled")
        if any(f.strip() for f in fields):
            records.append(_Record(previous_end + 1, fields))
        previous_end = reader.line_num


def combined_header(rows: list[list], line: int) -> _Record:
    """One header from several header rows (HEADER_FILLER): a cell left empty on an upper row
    belongs to the question written to its left (a merged cell over its options); the record
    carries the line of the last header row."""
    width = max(len(r) for r in rows)
    cells = [[str(normalise_cell(v)).strip() if normalise_cell(v) is not pd.NA else "" for v in r] + [""] * (width - len(r))
             for r in rows]
    for k, upper in enumerate(cells[:-1]):
        for i in range(1, width):
            if not upper[i] and any(lower[i] for lower in cells[k + 1:]):
                upper[i] = upper[i - 1]
    names = []
    for i in range(width):
        parts = []
        for r in cells:
            part = r[i]
            if part and part.lower() not in HEADER_FILLER and not HEADER_RECORD.match(part) and part not in parts:
                parts.append(part)
        names.append(" - ".join(parts))
    return _Record(line, names)


def _read_csv(path: Path, header_rows: int = 1) -> RawExport:
    text, encoding = decode_text(path.read_bytes(), path)
    delimiter = header_separator(text)
    layout = f"CSV, {encoding}, {SEPARATORS[delimiter]}-separated"
    if header_rows > 1:
        layout += f", {header_rows} header rows"
    plain = _read_plain_csv(text, delimiter) if header_rows == 1 else None
    if plain is not None:
        frame, lines, distinct = plain
        return RawExport(str(path), frame, lines, layout=layout, distinct=(frame, distinct))
    records, stopped = _records(text, delimiter, path)
    if not records:
        if stopped:  # e.g. a header whose quote never closes
            return RawExport(str(path), pd.DataFrame(), pd.Series([], dtype="int64"), problems=[stopped], layout=layout)
        raise ExportReadError(f"{path}: the file holds no header line (empty file)")
    if EXCEL_SEPARATOR_LINE.match(delimiter.join(records[0].fields)) and len(records) > 1:
        records = records[1:]
    header, rows = records[0], records[1:]
    if header_rows > 1:
        if len(records) < header_rows:
            raise ExportReadError(f"{path}: header_rows {header_rows}, but the file has {len(records)} rows in all",
                                  rule="config:header_rows")
        first = records[:header_rows]
        header = combined_header([r.fields[:len(first[0].fields)] for r in first], first[-1].line)
        rows = records[header_rows:]
    problems = _header_problems([f.strip() for f in header.fields], header.line)
    problems += _repeated_headers(header, rows)
    rows = [r for r in rows if [f.strip() for f in r.fields] != [f.strip() for f in header.fields]]
    problems += _field_count_problems(header, rows, text, delimiter)
    if stopped:
        problems.append(stopped)
    names = [f.strip() for f in header.fields]
    fitting = [r for r in rows if len(r.fields) == len(names)]
    frame = pd.DataFrame([r.fields for r in fitting], columns=range(len(names)), dtype=object)
    frame, unnamed = _drop_unnamed_empty(frame, names, [r.line for r in fitting], header.line)
    problems += unnamed
    return RawExport(str(path), _normalise(frame), pd.Series([r.line for r in fitting], dtype="int64"),
                     problems=problems, layout=layout)


def _read_plain_csv(text: str, delimiter: str) -> tuple[pd.DataFrame, pd.Series, dict] | None:
    """The file's frame and file rows, read in columns (pyarrow) when the file is plain: no quote
    character (so every record is one line, and its fields are the text between separators, as
    the csv module would read them), the header on line 1 with a name for every column, each
    name once, never repeated below, and every line exactly as many fields as the header. Else
    None: the file is read record by record, and each of its problems reported with its line.
    A million rows take a second this way, against twenty record by record."""
    first = LINE_END.search(text)
    if first is None or '"' in text:
        return None
    header = text[: first.start()].split(delimiter)
    names = [name.strip() for name in header]
    body = text[first.end():]
    if (not all(names) or len(set(names)) < len(names) or EXCEL_SEPARATOR_LINE.match(text[: first.start()])
            or names[0] in body or not body):
        return None
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    columns = [str(i) for i in range(len(names))]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(body.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=columns, use_threads=False),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char=False, double_quote=False,
                                               escape_char=False, newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pa_csv.ConvertOptions(column_types={c: pa.string() for c in columns},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:  # a line with another number of fields: reported record by record
        return None
    lines = body.count("\n") + body.count("\r") - body.count("\r\n") + (not body.endswith(("\n", "\r")))
    if table.num_rows != lines:  # blank lines: the record reader numbers the lines around them
        return None
    import pyarrow.compute as pc

    if any((pc.max(pc.utf8_length(column)).as_py() or 0) >= csv.field_size_limit() for column in table.columns):
        return None  # a field the csv module refuses: reported as such
    # one block of objects, filled column by column: no copy of a million rows when the frame is made
    values = np.empty((len(names), table.num_rows), dtype=object)
    blank = np.ones(table.num_rows, dtype=bool)  # a row of empty cells holds no answer (the record reader skips it)
    distinct = {}
    for i, name in enumerate(names):
        values[i], codes, distinct[name] = _normalised_strings(table.column(i), pc)
        blank &= codes < 0
        distinct[name] = (codes, distinct[name])
    frame = pd.DataFrame(values.T, columns=names, dtype=object, copy=False)
    file_rows = pd.Series(np.arange(2, len(frame) + 2), dtype="int64")
    if blank.any():
        frame, file_rows = frame[~blank].reset_index(drop=True), file_rows[~blank].reset_index(drop=True)
        distinct = {name: (codes[~blank], kept) for name, (codes, kept) in distinct.items()}
    return frame, file_rows, distinct


def _normalised_strings(column, pc) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """normalise_cell of every value of a pyarrow text column, once per distinct value (missing as
    `_as_text_column` gives it); each value's number among the distinct ones (-1: missing); those."""
    encoded = pc.dictionary_encode(column).combine_chunks()
    # most values are normal already (no surrounding space, no "1.0"): normalise_cell returns them as they are
    mapped = np.array([v if v and not v[0].isspace() and not v[-1].isspace() and not v.endswith(".0")
                       else normalise_cell(v) for v in encoded.dictionary.to_pylist()], dtype=object)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    missing = pd.isna(mapped)
    if not missing.all():
        mapped[missing] = np.nan
    return mapped[indices], np.where(missing[indices], -1, indices).astype(np.int32), mapped


def _header_problems(names: list[str], line: int, cell=None) -> list[ReadProblem]:
    """A column name twice: which answers are the real ones is unknown."""
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        if name:
            positions.setdefault(name, []).append(i)
    problems = []
    for name, where in positions.items():
        if len(where) > 1:
            shown = " and ".join(cell(i) if cell else str(i) for i in where)
            problems.append(ReadProblem("duplicate_column", line,
                                        f"each column name once: column {name} appears {_times(len(where))} "
                                        f"(columns {shown}); rename or remove one", name, name))
    return problems


def _repeated_headers(header: _Record, rows: list[_Record]) -> list[ReadProblem]:
    """The header again further down: two exports pasted into one file (every cell of that row
    would otherwise be a problem of its own)."""
    names = [f.strip() for f in header.fields]
    return [ReadProblem("header_repeated", r.line, f"respondent rows only: line {r.line} repeats the header of "
                        f"line {header.line} (two exports pasted together?): remove it and check the rows after it")
            for r in rows if [f.strip() for f in r.fields] == names]


def _times(n: int) -> str:
    return {2: "twice", 3: "three times"}.get(n, f"{n} times")


def _field_count_problems(header: _Record, rows: list[_Record], text: str, delimiter: str) -> list[ReadProblem]:
    n = len(header.fields)
    counts = {len(r.fields) for r in rows}
    sep = SEPARATORS[delimiter]
    if len(rows) > 1 and len(counts) == 1 and n not in counts:
        # every row disagrees with the header in the same way: the header is what is wrong
        k = counts.pop()
        cause = (f"every row ends with an extra {sep}" if k == n + 1 and all(r.fields[-1].strip() == "" for r in rows)
                 else f"line {header.line} is not the header: a title line above it?" if n == 1
                 else "the header is missing column names" if k > n else "the header has names without columns")
        return [ReadProblem("header_longer_than_rows" if k < n else "header_shorter_than_rows", header.line,
                            f"as many fields in the header as in the rows: the header has {n}, every row "
                            f"(lines {rows[0].line}-{rows[-1].line}) has {k} ({cause})")]
    ends_mid_row = not text.endswith(("\n", "\r"))
    problems = []
    for i, r in enumerate(rows):
        k = len(r.fields)
        if k == n:
            continue
        if k < n and i == len(rows) - 1 and ends_mid_row:
            problems.append(ReadProblem("file_ends_mid_row", r.line,
                                        f"{n} fields like the header: the file ends after {k} fields of this row "
                                        "(a truncated download?): export or download the file again"))
        else:
            rule = "too_few_fields" if k < n else "too_many_fields"
            problems.append(ReadProblem(rule, r.line, f"{n} fields like the header (line {header.line}), "
                                        f"{sep}-separated: this row has {k}"))
    return problems


def _drop_unnamed_empty(frame: pd.DataFrame, names: list[str], lines: list[int], header_line: int,
                        cell=None) -> tuple[pd.DataFrame, list[ReadProblem]]:
    """A column without a name is harmless when empty (a trailing separator); one with values is
    answers nobody can attribute to a question."""
    problems, keep = [], []
    for i, name in enumerate(names):
        if name:
            keep.append(i)
            continue
        filled = [j for j, v in enumerate(frame[i]) if v is not None and str(v).strip() != ""]
        if filled:
            j = filled[0]
            where = cell(i + 1) if cell else f"column {i + 1}"
            problems.append(ReadProblem("unnamed_column", lines[j],
                                        f"a column name in the header (line {header_line}): {where} has none but "
                                        f"holds {len(filled)} value{'s' if len(filled) != 1 else ''}", where,
                                        str(frame[i].iloc[j])))
    if len(problems) > 1:  # many at once: most often options named on a second header row
        problems = [replace(p, expected=p.expected + "; several columns have no name: if the names are on more than "
                            "one header row (SurveyMonkey, Qualtrics), set the wave's column_map.header_rows")
                    for p in problems]
    out = frame[keep]
    out.columns = [names[i] for i in keep]
    return out, problems


def _sav_contents(path: str) -> tuple[pd.DataFrame, dict]:
    import pyreadstat

    # user_missing=False turns SPSS user-missing codes (e.g. 9 = no answer) into missing values
    frame, meta = pyreadstat.read_sav(path, user_missing=False)
    return frame, meta.variable_value_labels


def _in_child_process(function, path: Path):
    """function(path) in a forked process: pyreadstat (1.3.7) crashes the whole interpreter on
    some damaged files (a segmentation fault on one changed byte), which would end a validation
    without a report. Where fork is unavailable, it runs here."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return function(str(path))
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_send_result, args=(send, function, str(path)))
    child.start()
    send.close()
    try:
        kind, value = receive.recv()
    except EOFError:
        kind, value = "crash", None
    child.join()
    if kind == "crash":
        raise ExportReadError(f"{path}: the SPSS reader (pyreadstat) crashed on this file (exit {child.exitcode}): "
                              "the file is damaged or not an SPSS .sav file: export it again")
    if kind == "error":
        raise ExportReadError(f"{path}: cannot be read as a .sav export ({value})")
    return value


def _send_result(connection, function, path: str) -> None:
    import faulthandler

    faulthandler.disable()  # a crash is reported by the parent, not as a stack dump in the log
    try:
        result = ("ok", function(path))
    except Exception as err:  # noqa: BLE001 - passed to the parent, which reports it
        result = ("error", f"{type(err).__name__}: {str(err).strip() or 'no detail'}")
    connection.send(result)
    connection.close()


def _read_sav(path: Path) -> RawExport:
    frame, value_labels = _in_child_process(_sav_contents, path)
    labels = {
        col: {normalise_cell(code): str(label) for code, label in mapping.items()}
        for col, mapping in value_labels.items()
    }
    frame = frame.reset_index(drop=True)
    return RawExport(str(path), _normalise(frame), pd.Series(range(1, len(frame) + 1), dtype="int64"), labels,
                     layout="SPSS .sav")


def _read_xlsx(path: Path, header_rows: int = 1) -> RawExport:
    """The first sheet; header in its first non-blank row. A formula is read by its cached value:
    a formula the file holds no value for (written by a program, never opened in Excel) would
    otherwise read as an empty answer."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    values = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    formulas = openpyxl.load_workbook(path, data_only=False).worksheets[0]
    cell = lambda col, row=None: f"{values.title}!{get_column_letter(col)}{row or ''}"  # noqa: E731
    problems, records = [], []
    for row, (cached, written) in enumerate(zip(values.iter_rows(values_only=True),
                                                formulas.iter_rows(values_only=True)), start=1):
        for col, (value, formula) in enumerate(zip(cached, written), start=1):
            if value is None and isinstance(formula, str) and formula.startswith("=") or _is_array_formula(value, formula):
                problems.append(ReadProblem("formula_without_value", row,
                                            f"a value: cell {cell(col, row)} holds the formula {formula} without a "
                                            "computed value: open and save the file in Excel (or paste values)",
                                            cell(col, row), str(formula)))
        if any(normalise_cell(v) is not pd.NA for v in cached):
            records.append(_Record(row, list(cached)))
    layout = f"Excel .xlsx, sheet {values.title}" + (f", {header_rows} header rows" if header_rows > 1 else "")
    if not records:
        raise ExportReadError(f"{path}: sheet {values.title} is empty (no header row)", rule="readable_file")
    if len(records) < header_rows:
        raise ExportReadError(f"{path}: header_rows {header_rows}, but sheet {values.title} has {len(records)} rows in all",
                              rule="config:header_rows")
    header, rows = records[0], records[1:]
    if header_rows > 1:
        header, rows = combined_header([r.fields for r in records[:header_rows]], records[header_rows - 1].line), \
            records[header_rows:]
    names = [str(normalise_cell(v)) if normalise_cell(v) is not pd.NA else "" for v in header.fields]
    problems += _header_problems(names, header.line, cell=get_column_letter)
    width = max([len(names)] + [len(r.fields) for r in rows])
    names += [""] * (width - len(names))
    frame = pd.DataFrame([list(r.fields) + [None] * (width - len(r.fields)) for r in rows], columns=range(width),
                         dtype=object)
    frame, unnamed = _drop_unnamed_empty(frame, names, [r.line for r in rows], header.line,
                                           cell=lambda i: f"column {get_column_letter(i)}")
    problems += unnamed
    return RawExport(str(path), _normalise(frame), pd.Series([r.line for r in rows], dtype="int64"),
                     problems=problems, layout=layout)


def _is_array_formula(value, formula) -> bool:
    return value is None and type(formula).__name__ in ("ArrayFormula", "DataTableFormula")
