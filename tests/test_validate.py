"""One test per defect class: plant one defect in the valid fixture, assert the exact problem."""
import pandas as pd
import pyreadstat

from analysis.validate import validate_wave

WAVE = "synthetic-fixture"


def _validate(tmp_path, frame, book, sheet_path, column_map=None, sep=","):
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, sep=sep)
    return validate_wave(WAVE, str(path), str(sheet_path), book, column_map)


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


def test_missing_but_asked(tmp_path, fixture_export, book, sheet_path):
    i = fixture_export.index[fixture_export["collaborates"] == "1"][0]
    fixture_export.loc[i, "neg_poor_relations"] = ""
    p = _only_problem(_validate(tmp_path, fixture_export, book, sheet_path))
    assert (p.rule, p.column, p.row) == ("missing_but_asked", "neg_poor_relations", i + 2)


def test_always_asked_item_left_empty(tmp_path, fixture_export, book, sheet_path):
    fixture_export.loc[0, "collaborates"] = ""
    result = _validate(tmp_path, fixture_export, book, sheet_path)
    # the empty parent is reported; its children then count as answered but not asked
    assert ("missing_value", "collaborates", 2) in set(zip(result.failures["rule"], result.failures["column"], result.failures["row"]))


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
    p = _only_problem(result)
    assert (p.rule, p.column) == ("unknown_column", "det_income") and "not asked in wave" in p.expected


def test_item_only_in_other_waves_is_not_expected(book):
    from dataclasses import replace

    extra = replace(book["det_income"], id="det_new", only_in_waves=("wave-b",))
    extended = replace(book, items=book.items + (extra,))
    assert "det_new" not in [i.id for i in extended.items_in_wave("wave-a")]
    assert "det_new" in [i.id for i in extended.items_in_wave("wave-b")]
