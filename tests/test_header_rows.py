"""Exports whose header takes more than one row (review r18e): SurveyMonkey writes the question
on row 1 over all its columns and the option (or "Response") on row 2; Qualtrics writes ids, the
question texts and ImportId records. `column_map.header_rows` reads them as the tool wrote them,
the draft finds the number itself, and every problem still names the file's own row."""
from __future__ import annotations

import csv

import openpyxl
import pandas as pd
from conftest import FIXTURE

from analysis.core.io.draft.columns import header_rows_of
from analysis.core.io.readers import read_export
from analysis.core.validate import render_report, validate_wave

GROUP = ["health_tg_low_ses", "health_tg_migrants", "health_tg_deprived_areas", "health_tg_other"]
QUESTION = "Met welke groepen houdt u rekening?"


def _two_header_rows(columns: list[str]) -> tuple[list[str], list[str]]:
    """SurveyMonkey's two rows: a group's question once, over its options; "Response" under a
    question of one column. The combined names are `<question> - <option>` and `<question>`."""
    top = [QUESTION if c == GROUP[0] else "" if c in GROUP else f"Vraag {c}" for c in columns]
    second = [c if c in GROUP else "Response" for c in columns]
    return top, second


def _write(path, rows):
    if path.suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    else:
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append([None if v == "" else v for v in row])
        book.save(path)


def _fixture_with_two_header_rows(path, bad_code_in_data_row: int | None = None):
    data = pd.read_csv(FIXTURE / "responses.csv", dtype=str, keep_default_na=False)
    if bad_code_in_data_row is not None:
        data.loc[bad_code_in_data_row - 1, "health_priority"] = "7"
    top, second = _two_header_rows(list(data.columns))
    _write(path, [top, second, *data.values.tolist()])
    names = {c: (f"{QUESTION} - {c}" if c in GROUP else f"Vraag {c}") for c in data.columns}
    return data, {"header_rows": 2, "columns": {name: c for c, name in names.items()}}


def test_two_header_rows_name_each_column_by_question_and_option(tmp_path):
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"export{suffix}"
        data, column_map = _fixture_with_two_header_rows(path)
        raw = read_export(path, 2)
        assert list(raw.data.columns) == list(column_map["columns"]) and raw.problems == []
        assert raw.file_rows.iloc[0] == 3 and len(raw.data) == len(data)  # data from the third row on
        # read with one header row, the options' columns have no name: each is a problem, not lost,
        # and says what to set
        one = read_export(path).problems
        assert {p.rule for p in one} == {"unnamed_column"} and all("column_map.header_rows" in p.expected for p in one)


def test_a_wave_with_two_header_rows_validates_and_names_the_file_s_row(book, tmp_path):
    sheet = FIXTURE / "municipalities.csv"
    plain = validate_wave("synthetic-fixture", str(FIXTURE / "responses.csv"), str(sheet), book, None)
    path = tmp_path / "export.csv"
    _, column_map = _fixture_with_two_header_rows(path)
    two = validate_wave("synthetic-fixture", str(path), str(sheet), book, column_map)
    assert plain.ok and two.ok
    pd.testing.assert_frame_equal(two.responses, plain.responses)
    # a wrong code in the 5th respondent row: line 7 of the file (two header rows), as an editor shows it
    _fixture_with_two_header_rows(path, bad_code_in_data_row=5)
    bad = validate_wave("synthetic-fixture", str(path), str(sheet), book, column_map)
    rows = bad.failures.loc[bad.failures["column"].astype(str).str.contains("health_priority"), "row"].tolist()
    assert rows == [7], bad.failures
    # without header_rows: the option columns have no name, the answers are never read, and the
    # report's warnings do not claim that everyone answered everything (review r18e)
    unread = validate_wave("synthetic-fixture", str(path), str(sheet), book, {"columns": column_map["columns"]})
    report = render_report(unread, {"export": str(path)})
    assert not unread.ok and "Item nonresponse not counted" in report and "every respondent answered" not in report


def test_qualtrics_three_header_rows_and_the_draft_finds_them(tmp_path):
    """Qualtrics: ids, question texts, ImportId records; the names are `<id> - <question>`. The
    draft reads a file with two or three header rows as such (and proposes `header_rows`)."""
    ids = ["ResponseId", "Q4", "Q5"]
    texts = ["Response ID", "Is gezondheid een prioriteit binnen uw beleidsterrein?",
             "Werkt u vanuit uw beleidsterrein aan gezondheid?"]
    records = ['{"ImportId":"_recordId"}', '{"ImportId":"QID4"}', '{"ImportId":"QID5"}']
    path = tmp_path / "qualtrics.csv"
    _write(path, [ids, texts, records, ["R_1", "Ja", "Nee"], ["R_2", "Nee", ""]])
    raw = read_export(path, 3)
    assert list(raw.data.columns) == [f"{i} - {t}" for i, t in zip(ids, texts)] and raw.file_rows.tolist() == [4, 5]
    assert header_rows_of(path).header_rows == 3
    monkey = tmp_path / "monkey.xlsx"
    _fixture_with_two_header_rows(monkey)
    assert header_rows_of(monkey).header_rows == 2
    assert header_rows_of(FIXTURE / "responses.csv").header_rows == 1
