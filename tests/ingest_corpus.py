"""A corpus of damaged and of harmless-but-unusual inputs, generated from the committed valid
waves (the fixture's CSV export and municipality sheet, the demo wave's SPSS file, an .xlsx
written from the fixture). Used by tests/test_ingest_corpus.py; one function per case family.

Every defect case knows the rule it must be reported under and, where there is one, the line
(CSV line, sheet row, SPSS case) a person must be sent to. Lines are computed from the text the
case writes, not from the reader.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyreadstat
import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "data/raw/synthetic-fixture"
WAVE = "synthetic-fixture"
DEMO = "synthetic-demo-2025"


@dataclass
class Case:
    name: str
    export: Path
    sheet: Path
    rule: str | None = None  # None: a benign variation, to be accepted
    row: int | None = None  # the line/row the problem must name
    says: str | None = None  # text the report must hold
    wave: str = WAVE
    column_map: dict | None = None
    not_asked: list = field(default_factory=list)
    most_problems: int | None = None  # floods: at most this many problems
    compare: str = "export"  # benign: which output must equal the clean one


def _lines() -> list[str]:
    return (FIXTURE / "responses.csv").read_text(encoding="utf-8").splitlines()


def _frame() -> pd.DataFrame:
    return pd.read_csv(FIXTURE / "responses.csv", dtype=str, keep_default_na=False)


def demo_config() -> dict:
    return yaml.safe_load((ROOT / "config/config.yaml").read_text())["waves"][DEMO]


class Writer:
    def __init__(self, tmp: Path):
        self.tmp, self.sheet = tmp, FIXTURE / "municipalities.csv"

    def path(self, name: str, suffix=".csv") -> Path:
        folder = self.tmp / name
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"file{suffix}"

    def text(self, name: str, lines: list[str], end="\n", encoding="utf-8") -> Path:
        path = self.path(name)
        path.write_bytes((end.join(lines) + end).encode(encoding))
        return path

    def raw(self, name: str, data: bytes, suffix=".csv") -> Path:
        path = self.path(name, suffix)
        path.write_bytes(data)
        return path

    def frame(self, name: str, frame: pd.DataFrame, sep=",") -> Path:
        path = self.path(name)
        frame.to_csv(path, index=False, sep=sep, lineterminator="\n")
        return path


def _line_of(data: bytes, at: int) -> int:
    return data[:at].count(b"\n") + 1


def csv_structure_defects(w: Writer) -> list[Case]:
    lines, data, sheet = _lines(), (FIXTURE / "responses.csv").read_bytes(), w.sheet
    n = len(lines[0].split(","))
    cases = []
    cut = 1396 if data[1395:1396] != b"\n" else 1397  # the truncated download: inside a row
    cases.append(Case("truncated_mid_row", w.raw("truncated_mid_row", data[:cut]), sheet, "file_ends_mid_row",
                      _line_of(data, cut)))
    quoted = lines[:5] + [",".join(f'"{v}"' for v in lines[5].split(","))]
    cut_in_quote = "\n".join(quoted)[: len("\n".join(lines[:5])) + 1 + len('"SYN-005","synthetic-fixture","')]
    cases.append(Case("truncated_in_quoted_cell", w.raw("truncated_in_quoted_cell", cut_in_quote.encode()), sheet,
                      "file_ends_in_quoted_field", 6))
    short = list(lines)
    short[5] = short[5].rsplit(",", 1)[0]
    cases.append(Case("row_too_few_fields", w.text("row_too_few_fields", short), sheet, "too_few_fields", 6,
                      f"{n} fields like the header"))
    long = list(lines)
    long[8] += ",1"
    cases.append(Case("row_too_many_fields", w.text("row_too_many_fields", long), sheet, "too_many_fields", 9,
                      f"this row has {n + 1}"))
    cases.append(Case("every_row_ends_in_separator", w.text("every_row_ends_in_separator",
                                                            lines[:1] + [x + "," for x in lines[1:]]),
                      sheet, "header_shorter_than_rows", 1, "every row ends with an extra comma"))
    cases.append(Case("header_shorter_than_rows", w.text("header_shorter_than_rows",
                                                         [lines[0].rsplit(",", 1)[0]] + lines[1:]),
                      sheet, "header_shorter_than_rows", 1))
    cases.append(Case("header_longer_than_rows", w.text("header_longer_than_rows", [lines[0] + ",extra"] + lines[1:]),
                      sheet, "header_longer_than_rows", 1))
    names = lines[0].split(",")
    names[30] = "health_priority"
    cases.append(Case("duplicate_header", w.text("duplicate_header", [",".join(names)] + lines[1:]), sheet,
                      "duplicate_column", 1, "column health_priority appears twice (columns 7 and 31)"))
    stray = list(lines)
    stray[3] = '"SYN-003"x' + stray[3][len("SYN-003"):]
    cases.append(Case("text_after_closing_quote", w.text("text_after_closing_quote", stray), sheet,
                      "malformed_quoting", 4))
    cr = list(lines)
    cr[11] = cr[11][:60] + "\r" + cr[11][60:]
    cases.append(Case("line_break_inside_row", w.text("line_break_inside_row", cr), sheet, "too_few_fields", 12))
    unnamed = [lines[0] + ","] + [x + ("," if i != 4 else ",x") for i, x in enumerate(lines[1:], start=1)]
    cases.append(Case("values_in_unnamed_column", w.text("values_in_unnamed_column", unnamed), sheet,
                      "unnamed_column", 5, "column 73 has none"))
    other = lines + ["SYN-099,synthetic-fixture,1,5"]
    cases.append(Case("row_of_another_file_appended", w.text("row_of_another_file_appended", other), sheet,
                      "too_few_fields", 22))
    cases.append(Case("two_exports_pasted_together", w.text("two_exports_pasted_together", lines + lines[:1] + lines[1:3]),
                      sheet, "header_repeated", 22))
    cases.append(Case("title_line_above_header", w.text("title_line_above_header", ["Export 2025-03-01"] + lines), sheet,
                      "header_shorter_than_rows", 1, "a title line above it?"))
    nul = data[: data.index(b"SYN-007") + 3] + b"\x00" + data[data.index(b"SYN-007") + 3:]
    cases.append(Case("nul_byte", w.raw("nul_byte", nul), sheet, "readable_file", 8, "NUL byte"))
    mixed = list(lines)
    mixed[2] = mixed[2].replace("SYN-002", "SYN-0\u00e92")
    mixed_bytes = "\n".join(mixed).encode("utf-8").replace(b"SYN-006", b"SYN-\xe906")
    cases.append(Case("mixed_encodings", w.raw("mixed_encodings", mixed_bytes + b"\n"), sheet, "readable_file", 7,
                      "mixed encodings"))
    cases.append(Case("empty_file", w.raw("empty_file", b""), sheet, "readable_file", None, "empty file"))
    cases.append(Case("header_only", w.text("header_only", lines[:1]), sheet, "no_respondents"))
    cases.append(Case("utf16_without_bom", w.raw("utf16_without_bom", data.decode().encode("utf-16-le")), sheet,
                      "readable_file", None, "NUL byte"))
    cases.append(Case("binary_file", w.raw("binary_file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
                      sheet, "readable_file"))
    cases.append(Case("pipe_separated", w.text("pipe_separated", [x.replace(",", "|") for x in lines]), sheet,
                      "export_layout", None, "single column", most_problems=1))
    cases.append(Case("tool_names_without_column_map", w.text("tool_names_without_column_map",
                                                              [",".join(f"V{i}" for i in range(n))] + lines[1:]),
                      sheet, "export_layout", None, "add a column_map", most_problems=1))
    return cases


def csv_cell_defects(w: Writer) -> list[Case]:
    """Defects in cells: the line is that of the respondent's row (header = line 1)."""
    sheet, cases = w.sheet, []

    def planted(name, column, value, row=4, rule="allowed_code", says=None, frame=None):
        bad = (_frame() if frame is None else frame).copy()
        if column is not None:
            bad.loc[row, column] = value
        cases.append(Case(name, w.frame(name, bad), sheet, rule, row + 2, says))

    planted("code_not_in_codebook", "health_priority", "7")
    planted("unknown_sector", "sector", "99", rule="known_sector")
    planted("hours_not_a_number", "hours_per_week", "acht", rule="type:number")
    planted("hours_out_of_range", "hours_per_week", "200", rule="range:0-60", says="a number from")
    planted("municipality_not_in_sheet", "municipality_id", "9", rule="municipality_in_sheet")
    planted("wrong_wave_id", "wave", "other-wave", rule="wave_id")
    cases.append(Case("export_of_another_wave", w.frame("another_wave", _frame().assign(wave="wave-2031")), sheet,
                      "wave_id", None, "every row says 'wave-2031'", most_problems=1))
    frame = _frame()
    not_collab = int(frame.index[frame["collaborates"] == "0"][0])
    planted("answered_but_not_asked", "form_common_goal", "1", row=not_collab, rule="answered_but_not_asked")
    # asked but left empty is item nonresponse: data, not a defect (README "Validation")
    dup = _frame()
    dup.loc[6, "respondent_id"] = dup.loc[3, "respondent_id"]
    cases.append(Case("duplicate_respondent_id", w.frame("duplicate_respondent_id", dup), sheet,
                      "duplicate_respondent_id", 8))
    cases.append(Case("missing_column", w.frame("missing_column", _frame().drop(columns="det_income")), sheet,
                      "missing_column", None, "det_income"))
    extra = _frame().assign(remarks="")
    extra.loc[2, "remarks"] = "phoned back"
    cases.append(Case("unknown_column", w.frame("unknown_column", extra), sheet, "unknown_column", None, "remarks"))
    # a quoted cell over two lines moves every later row one line down
    lines = _lines()
    bad = _frame()
    bad.loc[9, "health_priority"] = "7"
    shifted = bad.to_csv(index=False, lineterminator="\n").splitlines()
    shifted[3] = '"SYN-003\nsecond line"' + shifted[3][len("SYN-003"):]
    cases.append(Case("bad_code_after_multiline_cell", w.text("bad_code_after_multiline_cell", shifted), sheet,
                      "allowed_code", 12))
    assert lines[0] == shifted[0]
    # labels instead of codes ("Ja"/"Nee") are how a text export reads: accepted (README "Export formats")
    labels = _frame()
    for col in ("health_priority", "health_work", "segv_priority"):
        labels[col] = labels[col].map({"0": "Misschien", "1": "Soms"})  # words that name no answer
    cases.append(Case("words_that_name_no_answer", w.frame("words_that_name_no_answer", labels), sheet, "no_known_code",
                      2, "codes seen: Soms, Misschien", most_problems=3))
    return cases


def column_map_defects(w: Writer) -> list[Case]:
    sheet, lines = w.sheet, _lines()
    codes = {"yes_no": {3: "ja", 4: "nee"}}  # another tool's codes: matches nothing in the file
    cases = [Case("code_map_matches_nothing", FIXTURE / "responses.csv", sheet, "no_known_code", None,
                  "codes seen: 0, 1", column_map={"codes": codes}, most_problems=20)]
    names = lines[0].split(",")
    names[30] = "HP2"
    cases.append(Case("two_columns_onto_one_item", w.text("two_columns_onto_one_item", [",".join(names)] + lines[1:]),
                      sheet, "config:two_columns_one_item", None, "HP2", column_map={"columns": {"HP2": "health_priority"}}))
    return cases


def sav_defects(w: Writer) -> list[Case]:
    cfg = demo_config()
    export, sheet = ROOT / cfg["export"], ROOT / cfg["municipalities"]
    data = export.read_bytes()
    common = dict(wave=DEMO, column_map=cfg["column_map"], not_asked=cfg["not_asked"])
    cases = [Case("sav_truncated", w.raw("sav_truncated", data[: len(data) // 2], ".sav"), sheet, "readable_file",
                  **common),
             Case("sav_not_spss", w.raw("sav_not_spss", b"respondent_id,wave\n1,2\n", ".sav"), sheet,
                  "readable_file", **common)]
    frame, meta = pyreadstat.read_sav(str(export), user_missing=True)

    def write(name, out, labels=None):
        path = w.path(name, ".sav")
        pyreadstat.write_sav(out, str(path), variable_value_labels=labels or meta.variable_value_labels,
                             missing_ranges=meta.missing_ranges)
        return path

    bad = frame.copy()
    bad.loc[2, "Q4_1"] = 5.0
    cases.append(Case("sav_code_not_in_map", write("sav_code_not_in_map", bad), sheet, "allowed_code", 3, **common))
    labels = dict(meta.variable_value_labels)
    labels["Q4_1"] = {1: "Nee", 2: "Ja"}
    cases.append(Case("sav_labels_contradict_map", write("sav_labels_contradict_map", frame, labels), sheet,
                      "value_label_contradicts_code_map", **common))
    cases.append(Case("sav_missing_column", write("sav_missing_column", frame.drop(columns="Q4_2")), sheet,
                      "missing_column", None, "health_work", **common))
    return cases


def _xlsx(path: Path, frame: pd.DataFrame, edit=None) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    if edit:
        edit(sheet)
    book.save(path)
    return path


def _cell(value: str):
    """Numbers as numbers, as Excel stores them."""
    if value == "":
        return None
    try:
        return int(value) if value.lstrip("-").isdigit() else float(value)
    except ValueError:
        return value


def xlsx_defects(w: Writer) -> list[Case]:
    sheet, frame = w.sheet, _frame()
    cases = []

    def formula(ws):
        ws["F7"] = "=4*2"

    cases.append(Case("xlsx_formula_without_value", _xlsx(w.path("xlsx_formula", ".xlsx"), frame, formula), sheet,
                      "formula_without_value", 7, "Sheet1!F7"))
    dup = frame.rename(columns={frame.columns[30]: "health_priority"})
    cases.append(Case("xlsx_duplicate_header", _xlsx(w.path("xlsx_duplicate_header", ".xlsx"), dup), sheet,
                      "duplicate_column", 1, "columns G and AE"))

    def outside(ws):
        ws.cell(row=9, column=len(frame.columns) + 2, value="x")

    cases.append(Case("xlsx_value_outside_header", _xlsx(w.path("xlsx_value_outside", ".xlsx"), frame, outside),
                      sheet, "unnamed_column", 9, "column BV"))
    bad = frame.copy()
    bad.loc[10, "health_work"] = "5"
    cases.append(Case("xlsx_code_not_in_codebook", _xlsx(w.path("xlsx_bad_code", ".xlsx"), bad), sheet,
                      "allowed_code", 12))
    whole = _xlsx(w.path("xlsx_whole", ".xlsx"), frame).read_bytes()
    cases.append(Case("xlsx_truncated", w.raw("xlsx_truncated", whole[: len(whole) * 2 // 3], ".xlsx"), sheet,
                      "readable_file"))
    cases.append(Case("xlsx_empty_sheet", _xlsx(w.path("xlsx_empty", ".xlsx"), frame.iloc[:0, :0]), sheet,
                      "readable_file", None, "empty"))
    return cases


def sheet_defects(w: Writer) -> list[Case]:
    export = FIXTURE / "responses.csv"
    lines = (FIXTURE / "municipalities.csv").read_text().splitlines()
    data = (FIXTURE / "municipalities.csv").read_bytes()
    cases = []

    def sheet(name, new_lines, rule, row=None, says=None, most=None):
        cases.append(Case(name, export, w.text(name, new_lines), rule, row, says, most_problems=most))

    cut = len(data) - 12
    cases.append(Case("sheet_truncated_mid_row", export, w.raw("sheet_truncated", data[:cut]), "file_ends_mid_row",
                      _line_of(data, cut)))
    fraction = list(lines)
    fraction[1] = fraction[1].replace(",7,", ",11.5,")
    sheet("sheet_sent_not_whole", fraction, "municipality_sheet:questionnaires_sent:count_or_unknown", 2)
    exponent = list(lines)
    exponent[4] = exponent[4].replace(",5,", ",1e1,")
    sheet("sheet_sent_exponent", exponent, "municipality_sheet:questionnaires_sent:count_or_unknown", 5)
    sheet("sheet_header_only", lines[:1], "municipality_sheet:no_rows", most=1)
    dup = lines + [lines[2].replace("Synthetische gemeente 2", "Dubbel")]
    sheet("sheet_duplicate_id", dup, "municipality_sheet:duplicate_municipality_id", 6)
    size = list(lines)
    size[3] = size[3].replace(",G32,", ",G31,")
    sheet("sheet_unknown_size_class", size, "municipality_sheet:size_class", 4)
    fewer = list(lines)
    fewer[3] = fewer[3].replace(",unknown,", ",5,")  # municipality 3 has 8 respondents
    sheet("sheet_fewer_sent_than_received", fewer, "municipality_sheet:fewer_sent_than_received", 4)
    long = list(lines)
    long[2] += ",extra"
    sheet("sheet_row_too_many_fields", long, "too_many_fields", 3)
    names = lines[0].replace("krachtwijk", "size_class")
    sheet("sheet_duplicate_column", [names] + lines[1:], "duplicate_column", 1, "appears twice (columns 3 and 4)")
    cases.append(Case("sheet_missing", export, w.tmp / "absent" / "municipalities.csv", "readable_file", None,
                      "file not found"))
    return cases


def defect_cases(tmp: Path) -> list[Case]:
    w = Writer(tmp)
    return (csv_structure_defects(w) + csv_cell_defects(w) + column_map_defects(w) + sav_defects(w)
            + xlsx_defects(w) + sheet_defects(w))


# --- benign variations: accepted, with the same cells as the clean file ---------------------------

def benign_cases(tmp: Path, book) -> list[Case]:
    w = Writer(tmp)
    lines, data, sheet = _lines(), (FIXTURE / "responses.csv").read_bytes(), w.sheet
    text = data.decode()
    frame = _frame()
    cases = [
        Case("bom", w.raw("bom", b"\xef\xbb\xbf" + data), sheet),
        Case("utf16", w.raw("utf16", text.encode("utf-16")), sheet),
        Case("cp1252", w.raw("cp1252", text.encode("cp1252")), sheet),
        Case("crlf", w.text("crlf", lines, end="\r\n"), sheet),
        Case("semicolon_decimal_comma", w.frame("semicolon", frame.assign(
            hours_per_week=frame["hours_per_week"].str.replace(".", ",")), sep=";"), sheet),
        Case("tab_separated", w.frame("tab", frame, sep="\t"), sheet),
        Case("trailing_blank_lines", w.text("trailing_blank", lines + ["", "", ""]), sheet),
        Case("leading_blank_line", w.text("leading_blank", [""] + lines), sheet),
        Case("leading_blank_line_semicolon", w.text("leading_blank_semicolon", [""] + [x.replace(",", ";") for x in lines]),
             sheet),
        Case("excel_sep_line", w.text("excel_sep_line", ["sep=;"] + [x.replace(",", ";") for x in lines]), sheet),
        Case("no_final_newline", w.raw("no_final_newline", data.rstrip(b"\n")), sheet),
        Case("rows_of_empty_cells", w.text("rows_of_empty_cells", lines[:5] + ["," * (len(frame.columns) - 1)] + lines[5:]),
             sheet),
        Case("every_field_quoted", w.text("every_field_quoted", [",".join(f'"{v}"' for v in x.split(",")) for x in lines]),
             sheet),
        Case("xlsx", _xlsx(w.path("xlsx", ".xlsx"), frame), sheet),
    ]
    rng = random.Random(13)
    shuffled = list(frame.columns)
    rng.shuffle(shuffled)
    cases.append(Case("shuffled_columns", w.frame("shuffled", frame[shuffled]), sheet))
    keys, floats, padded = frame.copy(), frame.copy(), frame.copy()
    for item in book.items:
        if item.answers and item.id in frame:
            keys[item.id] = frame[item.id].map({str(a.code): a.key for a in item.answers}).fillna("")
            floats[item.id] = frame[item.id].map(lambda v: f"{v}.0" if v else v)
            padded[item.id] = frame[item.id].map(lambda v, i=item.id: (f" {v} " if len(i) % 2 else f"0{v}") if v else v)
    cases.append(Case("answer_keys_instead_of_codes", w.frame("keys", keys), sheet))
    cases.append(Case("codes_as_1.0", w.frame("floats", floats), sheet))
    cases.append(Case("padded_codes", w.frame("padded", padded), sheet))

    def blank_rows(ws):
        ws.insert_rows(5, amount=2)
        ws.insert_rows(1)

    cases.append(Case("xlsx_blank_rows", _xlsx(w.path("xlsx_blank_rows", ".xlsx"), frame, blank_rows), sheet))
    sheet_text = (FIXTURE / "municipalities.csv").read_text()
    export = FIXTURE / "responses.csv"
    for name, payload in [("sheet_bom_semicolon", b"\xef\xbb\xbf" + sheet_text.replace(",", ";").encode()),
                          ("sheet_crlf", sheet_text.replace("\n", "\r\n").encode()),
                          ("sheet_sent_as_10.0", sheet_text.replace(",7,", ",7.0,").encode())]:
        cases.append(Case(name, export, w.raw(name, payload), compare="sheet"))
    return cases
