"""One test per defect class: plant one defect in the valid fixture, assert the exact problem."""
import pandas as pd
import pyreadstat

from analysis.core.validate import validate_wave

WAVE = "synthetic-fixture"


def _validate(tmp_path, frame, book, sheet_path, column_map=None, sep=",", **options):
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, sep=sep)
    return validate_wave(WAVE, str(path), str(sheet_path), book, column_map, **options)


def _only_problem(result):
    assert not result.ok
    assert result.responses is None  # nothing usable is produced from a failed wave
    assert len(result.failures) == 1, result.failures.to_string()
    return result.failures.iloc[0]


def test_fixture_is_valid_and_typed(tmp_path, fixture_export, book, sheet_path):
    result = _validate(tmp_path, fixture_export, book, sheet_path)
    assert result.ok, result.failures.to_string()
    r = result.responses
    assert len(r) == 20 and list(r.columns) == book.ids
    assert list(r["pos_clear_roles"].cat.categories) == ["ja", "weet_niet", "nee"]
    assert r["hours_per_week"].dtype == "float64"


def test_missing_column(tmp_path, fixture_export, book, sheet_path):
    p = _only_problem(_validate(tmp_path, fixture_export.drop(columns="det_income"), book, sheet_path))
    assert (p.rule, p.column) == ("missing_column", "det_income")


def test_unknown_column(tmp_path, fixture_export, book, sheet_path):
    p = _only_problem(_validate(tmp_path, fixture_export.assign(Q99="1"), book, sheet_path))
    assert (p.rule, p.column) == ("unknown_column", "Q99")


def test_code_not_in_codebook(tmp_path, fixture_export, book, sheet_path):
    fixture_export.loc[4, "health_priority"] = "7"
    p = _only_problem(_validate(tmp_path, fixture_export, book, sheet_path))
    assert (p.rule, p.column, p.value, p.row, p.respondent_id) == ("allowed_code", "health_priority", "7", 6, "SYN-005")
    assert "1=ja" in p.expected and "0=nee" in p.expected


def test_number_type_and_range(tmp_path, fixture_export, book, sheet_path):
    fixture_export.loc[0, "hours_per_week"] = "veel"
    fixture_export.loc[1, "hours_per_week"] = "61"
    result = _validate(tmp_path, fixture_export, book, sheet_path)
    got = set(zip(result.failures["rule"], result.failures["value"], result.failures["row"]))
    assert got == {("type:number", "veel", 2), ("range:0-60", "61", 3)}


def test_decimal_comma_is_a_number(tmp_path, fixture_export, book, sheet_path):
    fixture_export.loc[0, "hours_per_week"] = "32,5"
    result = _validate(tmp_path, fixture_export, book, sheet_path, sep=";")
    assert result.ok, result.failures.to_string()
    assert result.responses.loc[0, "hours_per_week"] == 32.5


def test_duplicate_respondent_id_names_both_rows(tmp_path, fixture_export, book, sheet_path):
    fixture_export.loc[3, "respondent_id"] = "SYN-001"
    result = _validate(tmp_path, fixture_export, book, sheet_path)
    dup = result.failures[result.failures["rule"] == "duplicate_respondent_id"]
    assert sorted(dup["row"].tolist()) == [2, 5] and set(dup["value"]) == {"SYN-001"}


def test_municipality_absent_from_sheet(tmp_path, fixture_export, book, sheet_path):
    fixture_export.loc[2, "municipality_id"] = "17"
    p = _only_problem(_validate(tmp_path, fixture_export, book, sheet_path))
    assert (p.rule, p.value, p.row) == ("municipality_in_sheet", "17", 4)


def test_unknown_sector(tmp_path, fixture_export, book, sheet_path):
    fixture_export.loc[2, "sector"] = "14"
    p = _only_problem(_validate(tmp_path, fixture_export, book, sheet_path))
    assert (p.rule, p.column, p.value) == ("known_sector", "sector", "14")


def test_answered_but_not_asked(tmp_path, fixture_export, book, sheet_path):
    i = fixture_export.index[fixture_export["collaborates"] == "0"][0]
    fixture_export.loc[i, "pos_clear_roles"] = "1"
    p = _only_problem(_validate(tmp_path, fixture_export, book, sheet_path))
    assert (p.rule, p.column, p.value, p.row) == ("answered_but_not_asked", "pos_clear_roles", "1", i + 2)
    assert "collaborates = ja" in p.expected


def test_asked_but_unanswered_is_item_nonresponse_by_default(tmp_path, fixture_export, book, sheet_path):
    i = fixture_export.index[fixture_export["collaborates"] == "1"][0]
    fixture_export.loc[i, "neg_poor_relations"] = ""
    result = _validate(tmp_path, fixture_export, book, sheet_path)
    assert result.ok, result.failures.to_string()
    counted = result.nonresponse.set_index("item").loc["neg_poor_relations"]
    collaborators = int((fixture_export["collaborates"] == "1").sum())
    assert (counted["asked"], counted["answered"], counted["no_answer"]) == (collaborators, collaborators - 1, 1)
    assert result.responses["neg_poor_relations"].isna().sum() == len(fixture_export) - collaborators + 1


def test_missing_but_asked_when_answers_are_compulsory(tmp_path, fixture_export, book, sheet_path):
    i = fixture_export.index[fixture_export["collaborates"] == "1"][0]
    fixture_export.loc[i, "neg_poor_relations"] = ""
    for policy in ("error", {"neg_poor_relations": "error"}):
        p = _only_problem(_validate(tmp_path, fixture_export, book, sheet_path, item_nonresponse=policy))
        assert (p.rule, p.column, p.row) == ("missing_but_asked", "neg_poor_relations", i + 2)
        assert "compulsory" in p.expected
    # compulsory for the wave, accepted for this one item
    assert _validate(tmp_path, fixture_export, book, sheet_path,
                     item_nonresponse={"default": "error", "neg_poor_relations": "accept"}).ok


def test_always_asked_item_left_empty(tmp_path, fixture_export, book, sheet_path):
    fixture_export.loc[0, "collaborates"] = ""
    strict = _validate(tmp_path, fixture_export, book, sheet_path, item_nonresponse="error")
    assert ("missing_value", "collaborates", 2) in set(zip(strict.failures["rule"], strict.failures["column"], strict.failures["row"]))
    # accepted: the lead question unanswered routes past its follow-ups, so answers to them were not asked
    lenient = _validate(tmp_path, fixture_export, book, sheet_path)
    answered_follow_ups = {c for c in fixture_export if c.startswith(("form_", "pos_", "neg_", "collab_with_"))
                           and fixture_export.loc[0, c] != ""}
    assert set(lenient.failures["rule"]) <= {"answered_but_not_asked"}
    assert {c for c in lenient.failures["column"]} == answered_follow_ups


def test_wave_id_must_match_config(tmp_path, fixture_export, book, sheet_path):
    fixture_export.loc[0, "wave"] = "rivm2009"
    p = _only_problem(_validate(tmp_path, fixture_export, book, sheet_path))
    assert (p.rule, p.value) == ("wave_id", "rivm2009")


def test_every_problem_is_reported_at_once(tmp_path, fixture_export, book, sheet_path):
    fixture_export.loc[0, "health_priority"] = "5"
    fixture_export.loc[1, "sector"] = "99"
    fixture_export = fixture_export.drop(columns="det_income")
    result = _validate(tmp_path, fixture_export, book, sheet_path)
    assert {"allowed_code", "known_sector", "missing_column"} <= set(result.failures["rule"])


def test_bad_municipality_sheet(tmp_path, fixture_export, book, sheet_path):
    sheet = pd.read_csv(sheet_path, dtype=str)
    sheet.loc[0, "size_class"] = "G5"
    sheet.loc[1, "questionnaires_sent"] = "veel"
    bad_sheet = tmp_path / "municipalities.csv"
    sheet.to_csv(bad_sheet, index=False)
    result = _validate(tmp_path, fixture_export, book, bad_sheet)
    assert set(result.failures["file"]) == {str(bad_sheet)}
    assert set(zip(result.failures["value"], result.failures["row"])) == {("G5", 2), ("veel", 3)}


# --- a survey tool's own names and codes --------------------------------------------------------

def _tool_export(fixture_export, book):
    """The fixture as a survey tool would export it: Qnn names, 1=ja 2=nee 8=weet niet 9=no answer."""
    names = {item: f"Q{i}" for i, item in enumerate(book.ids) if item not in ("respondent_id", "wave", "municipality_id")}
    tool = fixture_export.rename(columns=names)
    for item in book.items_in_wave(WAVE):
        if item.answer_set in ("yes_no", "selected", "yes_dk_no"):
            tool[names[item.id]] = fixture_export[item.id].map({"1": "1", "0": "2", "8": "8", "": ""})
    map_ = {"columns": {v: k for k, v in names.items()},
            "codes": {"yes_no": {"1": "ja", "2": "nee", "9": None},
                      "selected": {"1": "ja", "2": "nee", "9": None},
                      "yes_dk_no": {"1": "ja", "2": "nee", "8": "weet_niet", "9": None}}}
    return tool, map_, names


def test_column_map_translates_names_and_codes(tmp_path, fixture_export, book, sheet_path):
    tool, map_, _ = _tool_export(fixture_export, book)
    mapped = _validate(tmp_path, tool, book, sheet_path, column_map=map_)
    canonical = _validate(tmp_path, fixture_export, book, sheet_path)
    assert mapped.ok, mapped.failures.to_string()
    pd.testing.assert_frame_equal(mapped.responses, canonical.responses)


def test_column_map_error_names_the_tools_column(tmp_path, fixture_export, book, sheet_path):
    tool, map_, names = _tool_export(fixture_export, book)
    tool.loc[0, names["health_priority"]] = "3"
    p = _only_problem(_validate(tmp_path, tool, book, sheet_path, column_map=map_))
    assert p.column == f"{names['health_priority']} (health_priority)" and p.value == "3"


def test_sav_value_labels_translate_codes_without_a_map(tmp_path, fixture_export, book, sheet_path):
    """An SPSS file with its own codes (2=Nee) but codebook labels needs no code map."""
    frame = fixture_export.replace("", None)
    labels = {}
    for item in book.items_in_wave(WAVE):
        if item.answer_set == "yes_no":
            frame[item.id] = frame[item.id].map({"1": 1.0, "0": 2.0})
            labels[item.id] = {1.0: "Ja", 2.0: "Nee"}
    for col in frame.columns:
        if col not in labels and col not in ("respondent_id", "wave"):
            frame[col] = pd.to_numeric(frame[col])
    path = tmp_path / "export.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)
    result = validate_wave(WAVE, str(path), str(sheet_path), book, None)
    canonical = _validate(tmp_path, fixture_export, book, sheet_path)
    assert result.ok, result.failures.to_string()
    pd.testing.assert_frame_equal(result.responses, canonical.responses)


# --- items a wave did not ask ---------------------------------------------------------------------

def test_item_not_asked_in_wave_may_be_absent_and_is_missing(tmp_path, fixture_export, book, sheet_path):
    export = fixture_export.drop(columns=["collaborates"] + [i.id for i in book.items if i.asked_if == {"collaborates": "ja"}])
    path = tmp_path / "export.csv"
    export.to_csv(path, index=False)
    # only the lead question is declared: its follow-up questions go with it
    result = validate_wave(WAVE, str(path), str(sheet_path), book, None, not_asked=["collaborates"])
    assert result.ok, result.failures.to_string()
    assert result.responses["collaborates"].isna().all() and result.responses["pos_clear_roles"].isna().all()


def test_answers_to_an_item_not_asked_in_wave_are_reported(tmp_path, fixture_export, book, sheet_path):
    path = tmp_path / "export.csv"
    fixture_export.to_csv(path, index=False)
    result = validate_wave(WAVE, str(path), str(sheet_path), book, None, not_asked=["det_income"])
    f = result.failures
    assert not result.ok and result.responses is None
    assert set(zip(f["rule"], f["column"])) == {("unknown_column", "det_income")}
    assert f["expected"].str.contains("not asked in wave").all()
    # every stray answer is named by line, respondent and value, so that it can be found
    answered = fixture_export[fixture_export["det_income"].notna()]
    assert len(f) == len(answered) > 0
    assert list(f["respondent_id"]) == list(answered["respondent_id"].astype(str))
    assert list(f["row"]) == [i + 2 for i in answered.index]
    assert list(f["value"].astype(str)) == list(answered["det_income"].astype(str))


def test_item_only_in_other_waves_is_not_expected(book):
    from dataclasses import replace

    extra = replace(book["det_income"], id="det_new", only_in_waves=("wave-b",))
    extended = replace(book, items=book.items + (extra,))
    assert "det_new" not in [i.id for i in extended.items_in_wave("wave-a")]
    assert "det_new" in [i.id for i in extended.items_in_wave("wave-b")]


# --- files that cannot be read as a whole, and errors that would hide others ---------------------

def _problems(result) -> set[tuple]:
    return set(zip(result.failures["rule"], result.failures["column"].astype(str)))


def test_unparsable_csv_is_a_reported_problem_not_a_crash(tmp_path, fixture_export, book, sheet_path):
    path = tmp_path / "export.csv"
    fixture_export.to_csv(path, index=False)
    lines = path.read_text().splitlines()
    lines[3] += ",extra,fields"
    path.write_text("\n".join(lines) + "\n")
    p = _only_problem(validate_wave(WAVE, str(path), str(sheet_path), book, None))
    assert (p.rule, p.file, p.row) == ("too_many_fields", str(path), 4) and "this row has 74" in p.expected
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    p = _only_problem(validate_wave(WAVE, str(empty), str(sheet_path), book, None))
    assert p.rule == "readable_file" and "empty.csv" in p.expected


def test_header_without_respondents_fails(tmp_path, fixture_export, book, sheet_path):
    p = _only_problem(_validate(tmp_path, fixture_export.iloc[:0], book, sheet_path))
    assert p.rule == "no_respondents"


def test_mixed_encodings_are_an_error_not_garbled_names(tmp_path, fixture_export, book, sheet_path):
    """One cp1252 byte in an otherwise UTF-8 file: decoding it all as cp1252 would turn
    'Súdwest-Fryslân' into 'SÃºdwest-FryslÃ¢n' without a word."""
    sheet = tmp_path / "municipalities.csv"
    raw = sheet_path.read_bytes().splitlines()
    raw[1] = raw[1].replace(b",", b",S\xc3\xbadwest-Frysl\xc3\xa2n ", 1)  # UTF-8
    raw[2] = raw[2].replace(b",", b",Caf\xe9 ", 1)  # cp1252
    sheet.write_bytes(b"\n".join(raw) + b"\n")
    export = tmp_path / "export.csv"
    fixture_export.to_csv(export, index=False)
    p = _only_problem(validate_wave(WAVE, str(export), str(sheet), book, None))
    assert p.rule == "readable_file" and "line 3" in p.expected and "mixed encodings" in p.expected


def test_row_numbers_count_blank_lines(tmp_path, fixture_export, book, sheet_path):
    """pandas skips a blank line; the reported row must still be the line an editor shows."""
    bad = fixture_export.copy()
    bad.loc[5, "health_priority"] = "7"
    path = tmp_path / "export.csv"
    bad.to_csv(path, index=False)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:3] + [""] + lines[3:]) + "\n")
    p = _only_problem(validate_wave(WAVE, str(path), str(sheet_path), book, None))
    assert (p.rule, p.row) == ("allowed_code", 5 + 2 + 1)
    assert path.read_text().splitlines()[p.row - 1].startswith(str(bad.loc[5, "respondent_id"]))


def test_invalid_parent_answer_gives_one_problem_not_its_followers(tmp_path, fixture_export, book, sheet_path):
    bad = fixture_export.copy()
    row = bad.index[bad["collaborates"] == "1"][0]  # the fixture holds codes: 1 = ja
    bad.loc[row, "collaborates"] = "7"
    p = _only_problem(_validate(tmp_path, bad, book, sheet_path))
    assert (p.rule, p.column, p.value) == ("allowed_code", "collaborates", "7")


def test_unreadable_sheet_is_one_problem_not_one_per_respondent(tmp_path, fixture_export, book):
    export = tmp_path / "export.csv"
    fixture_export.to_csv(export, index=False)
    p = _only_problem(validate_wave(WAVE, str(export), str(tmp_path / "absent.csv"), book, None))
    assert p.rule == "readable_file" and "file not found" in p.expected


def test_spss_value_labels_contradicting_the_code_map(tmp_path, book):
    """The demo wave's code map says 1 = ja; a file labelling 1 'Nee' is wrong somewhere."""
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[1]
    cfg = yaml.safe_load((root / "config/config.yaml").read_text())["waves"]["synthetic-demo-2025"]
    frame, meta = pyreadstat.read_sav(str(root / cfg["export"]), user_missing=True)
    labels = dict(meta.variable_value_labels)
    assert validate_wave("synthetic-demo-2025", str(root / cfg["export"]), str(root / cfg["municipalities"]), book,
                         cfg["column_map"], cfg.get("not_asked", [])).ok
    labels["Q4_1"] = {1: "Nee", 2: "Ja"}
    bad = tmp_path / "responses.sav"
    pyreadstat.write_sav(frame, str(bad), variable_value_labels=labels, missing_ranges=meta.missing_ranges)
    result = validate_wave("synthetic-demo-2025", str(bad), str(root / cfg["municipalities"]), book,
                           cfg["column_map"], cfg.get("not_asked", []))
    f = result.failures
    assert not result.ok and set(f["rule"]) == {"value_label_contradicts_code_map"}
    assert sorted(f["value"]) == ["1", "2"] and set(f["column"]) == {"Q4_1 (health_priority)"}
    assert "labels it 'Nee'" in f.loc[f["value"] == "1", "expected"].iloc[0]


def test_a_failed_run_leaves_nothing_of_an_earlier_good_run(tmp_path, fixture_export, book, sheet_path):
    from analysis.core.validate import run_validation

    export = tmp_path / "export.csv"
    fixture_export.to_csv(export, index=False)
    out = dict(report_dir=tmp_path / "validation", responses_out=tmp_path / "responses.parquet",
               municipalities_out=tmp_path / "municipalities.csv")
    ok, _ = run_validation(WAVE, str(export), str(sheet_path), book, None, **out)
    assert ok and out["responses_out"].exists()
    export.write_text(export.read_text().splitlines()[0] + "\n")  # header only
    before = export.read_bytes()
    ok, message = run_validation(WAVE, str(export), str(sheet_path), book, None, **out)
    assert not ok and "1 problems" in message
    assert not out["responses_out"].exists() and not out["municipalities_out"].exists()
    report = (out["report_dir"] / "report.md").read_text()
    assert "no_respondents" in report and "No problems" not in report
    assert export.read_bytes() == before  # raw data never modified


def test_spss_labels_translate_codes_when_there_is_no_code_map(tmp_path, fixture_export, book, sheet_path):
    """Without a code map, labels that name the answers are how the codes are read: a tool that
    codes Ja as 2 and labels it so is right, not in conflict with the codebook's codes."""
    frame = fixture_export.replace("", None)
    numeric = frame.copy()
    numeric["health_priority"] = frame["health_priority"].map({"1": 2.0, "0": 1.0})
    path = tmp_path / "responses.sav"
    for col in numeric.columns:
        if col != "health_priority":
            numeric[col] = numeric[col].astype(object)
    pyreadstat.write_sav(numeric, str(path), variable_value_labels={"health_priority": {1: "Nee", 2: "Ja"}})
    result = validate_wave(WAVE, str(path), str(sheet_path), book, None)
    assert "value_label_contradicts_code_map" not in set(result.failures["rule"])
    assert result.ok, result.failures.head().to_string()
    expected = frame["health_priority"].map({"1": "ja", "0": "nee"})
    assert list(result.responses["health_priority"].astype(str)) == list(expected.astype(str))


def test_more_respondents_than_questionnaires_sent(tmp_path, fixture_export, book, sheet_path):
    """Response above 100% (17 returned of 11 sent) means the sheet or the ids are wrong."""
    sheet = pd.read_csv(sheet_path, dtype=str, keep_default_na=False)
    received = fixture_export["municipality_id"].value_counts()
    m = received.index[0]
    row = sheet.index[sheet["municipality_id"] == m][0]
    sheet.loc[row, "questionnaires_sent"] = str(received[m] - 1)
    bad_sheet = tmp_path / "municipalities.csv"
    sheet.to_csv(bad_sheet, index=False)
    export = tmp_path / "export.csv"
    fixture_export.to_csv(export, index=False)
    p = _only_problem(validate_wave(WAVE, str(export), str(bad_sheet), book, None))
    assert (p.rule, p.column, p.row) == ("municipality_sheet:fewer_sent_than_received", "questionnaires_sent", row + 2)
    assert p.value == str(received[m] - 1) and f"at least {received[m]}" in p.expected


def test_code_map_of_a_number_item_names_its_no_answer_codes(tmp_path, fixture_export, book, sheet_path):
    # a survey tool writes -99 for "no answer" in a number column (LimeSurvey, Qualtrics); the
    # README's code map `-99: null` must make it item nonresponse, not 99 negative hours
    fixture_export.loc[0, "hours_per_week"] = "-99"
    fixture_export.loc[1, "hours_per_week"] = "12,5"
    result = _validate(tmp_path, fixture_export, book, sheet_path, sep=";",
                       column_map={"codes": {"hours_per_week": {-99: None}}})
    assert result.ok, result.failures.to_string()
    assert pd.isna(result.responses.loc[0, "hours_per_week"])
    assert result.responses.loc[1, "hours_per_week"] == 12.5


def test_code_map_of_a_number_item_cannot_send_a_code_to_an_answer(tmp_path, fixture_export, book, sheet_path):
    p = _only_problem(_validate(tmp_path, fixture_export, book, sheet_path,
                                column_map={"codes": {"hours_per_week": {"veel": 40}}}))
    assert (p.rule, p.column, p.value) == ("config:unknown_answer", "hours_per_week", "veel")
    assert "number" in p.expected


def test_municipality_id_with_leading_zeros_names_the_sheets_id(tmp_path, fixture_export, book, sheet_path):
    # the export writes CBS codes as text ("0002"), the sheet (Excel) saved them as numbers (2):
    # the problem says which id of the sheet it is and how to map it without touching data/raw
    fixture_export.loc[2, "municipality_id"] = "0002"
    p = _only_problem(_validate(tmp_path, fixture_export, book, sheet_path))
    assert (p.rule, p.value) == ("municipality_in_sheet", "0002")
    assert "leading zeros" in p.expected and "municipality_map" in p.expected and "2: '0002'" in p.expected


def test_empty_cell_of_a_multiple_choice_is_not_ticked_where_the_map_says_so(tmp_path, fixture_export, book, sheet_path):
    # LimeSurvey and Qualtrics write a multiple-choice member as "Y" (ticked) or empty (not
    # ticked). `"": nee` in the code map reads empty as "nee" for those who were asked it; for
    # those routed past it (collaborates not ja) it stays empty, and a real no-answer code stays one
    form = "form_information_exchange"
    asked = fixture_export["collaborates"] == "1"
    assert asked.sum() >= 3 and (~asked).sum() >= 1
    tool = fixture_export.copy()
    tool[form] = tool[form].map({"1": "Y", "0": "", "": ""})
    first_ticked, first_not = tool.index[asked & (tool[form] == "Y")][0], tool.index[asked & (tool[form] == "")][0]
    last_asked = tool.index[asked & (tool[form] == "")][-1]
    tool.loc[last_asked, form] = "-99"
    result = _validate(tmp_path, tool, book, sheet_path,
                       column_map={"codes": {form: {"Y": "ja", "": "nee", -99: None}}})
    assert result.ok, result.failures.to_string()
    got = result.responses[form]
    assert got[first_ticked] == "ja" and got[first_not] == "nee" and pd.isna(got[last_asked])
    assert got[~asked].isna().all()  # not asked: still empty, no "answered but not asked"
    assert (got[asked & (fixture_export[form] == "0")].drop(last_asked) == "nee").all()
    assert any(["", "nee"] in g["pairs"] for g in result.reading["groups"])


def test_empty_cells_of_an_item_the_wave_did_not_ask_stay_empty(tmp_path, fixture_export, book, sheet_path):
    # `selected: {"": nee}` for the whole answer set must not fill in the empty, switched-off
    # columns of a block the wave did not ask (they would read as answers to a question not asked)
    pol = [it.id for it in book.items if it.block == "political_factors"]
    tool = fixture_export.assign(**{c: "" for c in pol})
    result = _validate(tmp_path, tool, book, sheet_path, not_asked=pol,
                       column_map={"codes": {"selected": {"1": "ja", "0": "nee", "": "nee"}}})
    assert result.ok, result.failures.to_string()
    assert all(c not in result.responses or result.responses[c].isna().all() for c in pol)


def test_empty_columns_of_a_block_not_asked_are_harmless(tmp_path, fixture_export, book, sheet_path):
    # README: a tool exports a switched-off question's empty column; validation crashed with a
    # KeyError in how_codes_were_read (the column is dropped before the codes are listed)
    pol = [it.id for it in book.items if it.block == "political_factors"]
    result = _validate(tmp_path, fixture_export.assign(**{c: "" for c in pol}), book, sheet_path, not_asked=pol)
    assert result.ok, result.failures.to_string()
    assert not any(c in g["columns"] for g in result.reading["groups"] for c in pol)


def test_municipality_absent_from_a_national_sheet_is_said_in_a_line(book):
    # 342 municipalities: listing every id put 2,700 characters into each such problem
    from analysis.core.validate import _Explainer

    ids = [f"GM{i:04d}" for i in range(3, 3 + 342 * 5, 5)]
    expected = _Explainer(book, ids, WAVE)("municipality_in_sheet", "municipality_id", "GM0349")
    assert len(expected) < 200, expected
    assert "342" in expected and "GM0003" in expected and ids[-1] in expected
    assert "GM0348" in expected  # the most similar id, a likely typo
    short = _Explainer(book, ["1", "2", "3"], WAVE)("municipality_in_sheet", "municipality_id", "17")
    assert short.endswith(": 1, 2, 3")
