"""A field-like export (analysis.fixtures.field_export): item and unit nonresponse, text sectors, own
job titles, a municipality sheet of its own shape, a new question; .sav and CSV of the same data.
Every expected number is recounted here from the generator's truth, not from the code under test."""
from pathlib import Path

import pandas as pd
import pytest
import yaml

import analysis.fixtures.field_export as F
from analysis.core.aggregate import aggregate_cells
from analysis.core.codebook import load_codebook
from analysis.core.text import code_reading_lines
from analysis.core.validate import render_report, validate_wave
from conftest import ROOT


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    """The wave written once: a codebook with the new question, the full and the wave's book."""
    folder = tmp_path_factory.mktemp("field")
    raw = yaml.safe_load((ROOT / "config/codebook.yaml").read_text(encoding="utf-8"))
    raw["items"].append(F.NEW_ITEM)
    (folder / "codebook.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    sectors = ROOT / "config/sectors.yaml"
    full = load_codebook(folder / "codebook.yaml", sectors)
    book = load_codebook(folder / "codebook.yaml", sectors, wave=F.WAVE, categories=F.OWN_CATEGORIES)
    F.write_field_wave(full, folder / "raw")
    truth = F.field_answers(full)
    results = {}
    for export in ("responses.sav", "responses.csv"):
        entry = F.config_entry(full, str(folder / "raw"), export)
        results[export] = validate_wave(F.WAVE, entry["export"], entry["municipalities"], book, entry["column_map"],
                                        entry["not_asked"], municipality_map=entry["municipality_map"])
    return {"folder": folder, "full": full, "book": book, "truth": truth, "entry": F.config_entry(full, str(folder / "raw")),
            "sav": results["responses.sav"], "csv": results["responses.csv"]}


def _answered(truth: pd.DataFrame) -> pd.DataFrame:
    return truth.drop(index=F.EMPTY_QUESTIONNAIRE).reset_index(drop=True)


def test_both_exports_validate_and_agree(field):
    for kind in ("sav", "csv"):
        assert field[kind].ok, field[kind].failures.to_string()
    sav, csv = field["sav"].responses, field["csv"].responses
    pd.testing.assert_frame_equal(sav, csv)
    municipalities = field["sav"].municipalities
    cells = [aggregate_cells(r, municipalities, field["book"], F.WAVE, field["entry"]["not_asked"]) for r in (sav, csv)]
    pd.testing.assert_frame_equal(cells[0], cells[1])


def test_empty_questionnaire_is_unit_nonresponse_not_a_respondent(field):
    result = field["sav"]
    assert len(result.responses) == F.N_RESPONDENTS - 1
    assert result.empty_rows == [F.EMPTY_QUESTIONNAIRE + 1]  # SPSS case number
    assert field["csv"].empty_rows == [F.EMPTY_QUESTIONNAIRE + 2]  # CSV line (header is line 1)
    report = render_report(result, {})
    assert "Unit nonresponse: 1 empty questionnaire" in report and f"Row {F.EMPTY_QUESTIONNAIRE + 1} " in report


def test_cells_count_item_nonresponse_outside_the_base(field):
    truth = _answered(field["truth"])
    cells = aggregate_cells(field["sav"].responses, field["sav"].municipalities, field["book"], F.WAVE,
                            field["entry"]["not_asked"])
    overall = cells[cells["unit"].eq("overall")].set_index(["item", "answer"])
    for item in ("health_priority", "collaborates", "pos_good_relations", F.NEW_ITEM["id"]):
        row = overall.loc[(item, "ja")]
        lead = {"pos_good_relations": "collaborates"}.get(item)
        asked = len(truth) if lead is None else int((truth[lead] == "ja").sum())
        answered = int(truth[item].notna().sum())
        assert (row["asked"], row["answered"], row["no_answer"], row["base"]) == (asked, answered, asked - answered, answered)
        assert row["count"] == int((truth[item] == "ja").sum())
        assert row["pct"] == pytest.approx(100 * row["count"] / answered)
    assert (overall["no_answer"].dropna() >= 0).all() and overall["no_answer"].sum() > 0
    # the blocks this wave did not ask: not asked, no counts at all
    not_asked = cells[cells["item"].isin(field["entry"]["not_asked"])]
    assert not_asked["status"].eq("not asked").all() and not_asked[["count", "asked", "no_answer"]].isna().all().all()


def test_per_municipality_asked_adds_up(field):
    cells = aggregate_cells(field["sav"].responses, field["sav"].municipalities, field["book"], F.WAVE,
                            field["entry"]["not_asked"])
    first = cells[(cells["item"] == "health_work") & (cells["answer"] == "ja")]
    by_unit = first.groupby("unit")["asked"].sum()
    assert by_unit["municipality"] == by_unit["overall"] == by_unit["sector"] == F.N_RESPONDENTS - 1


def test_warnings_list_item_nonresponse_per_item(field):
    truth = _answered(field["truth"])
    nonresponse = field["sav"].nonresponse.set_index("item")
    assert nonresponse.loc["health_priority", "no_answer"] == int(truth["health_priority"].isna().sum())
    report = render_report(field["sav"], {})
    assert "## Warnings" in report and "Item nonresponse:" in report
    assert f"| health_priority | {len(truth)} |" in report


def test_answers_compulsory_turns_nonresponse_into_errors(field):
    entry = field["entry"]
    strict = validate_wave(F.WAVE, entry["export"], entry["municipalities"], field["book"], entry["column_map"],
                           entry["not_asked"], item_nonresponse="error", municipality_map=entry["municipality_map"])
    assert not strict.ok
    expected = int(field["sav"].nonresponse["no_answer"].sum())
    assert len(strict.failures) == expected
    assert set(strict.failures["rule"]) == {"missing_value", "missing_but_asked"}


def test_text_sectors_and_own_job_titles(field):
    truth = _answered(field["truth"])
    responses = field["sav"].responses.set_index("respondent_id")
    expected = truth.set_index("respondent_id")
    assert (responses["sector"].astype(str) == expected["sector"]).all()
    titles = expected["job_title"].value_counts()
    counts = responses["function"].value_counts()
    assert counts["projectleider"] == titles.get("Projectleider", 0) and counts["manager"] == titles.get("Manager", 0)
    assert counts["beleidsadviseur"] == titles.get("Adviseur", 0) + titles.get("Senior adviseur", 0)
    assert list(responses["function"].cat.categories)[-2:] == ["projectleider", "manager"]
    reading = "\n".join(code_reading_lines(field["sav"].reading, "en"))
    assert "Volksgezondheid → vgz" in reading and "Senior adviseur → beleidsadviseur" in reading
    # one language per output: the English validation report names the categories in English
    assert "categories of this wave's own: projectleider (Project leader), manager (Manager)" in reading
    dutch = "\n".join(code_reading_lines(field["sav"].reading, "nl"))
    assert "eigen categorieën van deze meting: projectleider (Projectleider)" in dutch and "no answer" not in dutch
    read_as_none = {"groups": [{"columns": ["Q1 (health_work)"], "pairs": [["1", "ja"], ["9", None]]}]}
    assert code_reading_lines(read_as_none, "nl") == ["Q1 (health_work): 1 → ja, 9 → geen antwoord"]


def test_municipality_sheet_in_its_own_shape(field):
    sheet = field["sav"].municipalities.set_index("municipality_id")
    assert list(sheet.index) == F.MUNICIPALITY_IDS  # leading zeros kept
    assert sheet["size_class"].tolist() == ["G4", "G32", "G32", "small", "small", "unknown"]
    assert sheet["krachtwijk"].tolist() == ["yes", "yes", "no", "no", "unknown", "no"]
    assert sheet["questionnaires_sent"].eq("unknown").all()  # no column for it: unknown, not 0


def test_unmapped_sheet_column_is_reported(field, tmp_path):
    entry = field["entry"]
    without_ignore = {**entry["municipality_map"], "ignore": []}
    result = validate_wave(F.WAVE, entry["export"], entry["municipalities"], field["book"], entry["column_map"],
                           entry["not_asked"], municipality_map=without_ignore)
    problem = result.failures.iloc[0]
    assert len(result.failures) == 1 and problem["column"] == "Provincie" and "ignore" in problem["expected"]
    bad = pd.read_excel(entry["municipalities"], dtype=str)
    bad.loc[2, "Grootte"] = "reusachtig"
    bad.to_excel(tmp_path / "sheet.xlsx", index=False)
    result = validate_wave(F.WAVE, entry["export"], str(tmp_path / "sheet.xlsx"), field["book"], entry["column_map"],
                           entry["not_asked"], municipality_map=entry["municipality_map"])
    problem = result.failures.iloc[0]
    assert (problem["row"], problem["column"], problem["value"]) == (4, "size_class", "reusachtig")


@pytest.mark.parametrize("change, rule", [
    (lambda m: m["columns"].update({"Gemeente": "municipality_id", "Respondent": "municipality_id"}), "config:two_columns_one_item"),
    (lambda m: m["codes"]["function"].update({"Manager": "directeur"}), "config:unknown_answer"),
    (lambda m: m["codes"].update({"yes_noo": {1: "ja"}}), "config:unknown_code_map"),
    (lambda m: m["codes"]["sector"].update({"Overig ": "vgz"}), "config:one_code_two_answers"),
])
def test_impossible_maps_are_named_config_problems(field, change, rule):
    import copy

    entry = copy.deepcopy(field["entry"])
    change(entry["column_map"])
    result = validate_wave(F.WAVE, entry["export"], entry["municipalities"], field["book"], entry["column_map"],
                           entry["not_asked"], municipality_map=entry["municipality_map"])
    assert rule in set(result.failures["rule"]), result.failures.to_string()
    assert result.failures["file"].str.startswith("config:").all()


def test_undeclared_category_is_rejected(field):
    entry = field["entry"]
    book = load_codebook(field["folder"] / "codebook.yaml", ROOT / "config/sectors.yaml", wave=F.WAVE)  # no categories
    result = validate_wave(F.WAVE, entry["export"], entry["municipalities"], book, entry["column_map"],
                           entry["not_asked"], municipality_map=entry["municipality_map"])
    assert "config:unknown_answer" in set(result.failures["rule"])


def test_spss_labels_translate_codes_whatever_else_is_labelled(field, tmp_path):
    """No code map for the yes/no items: the labels 'Ja', 'Nee', 'Weet niet' translate 1, 2, 3
    though 9 is labelled 'Geen antwoord' too; 9 not declared user-missing is no answer by its label."""
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(Path(field["entry"]["export"])), user_missing=True)
    pyreadstat.write_sav(frame, str(tmp_path / "no_missing.sav"), variable_value_labels=meta.variable_value_labels)
    entry = field["entry"]
    result = validate_wave(F.WAVE, str(tmp_path / "no_missing.sav"), entry["municipalities"], field["book"],
                           entry["column_map"], entry["not_asked"], municipality_map=entry["municipality_map"])
    assert result.ok, result.failures.head().to_string()
    pd.testing.assert_frame_equal(result.responses.drop(columns="hours_per_week"),
                                  field["sav"].responses.drop(columns="hours_per_week"))
