"""cells.csv: counts, bases under skip logic, report rounding, Wilson intervals, zeros kept."""
import pandas as pd
import pytest

from analysis.core.aggregate import add_basis, aggregate_cells, hours_by_sector, read_cells, write_csv
from analysis.core.responses import typed_responses
from analysis.fixtures.synthetic import synthetic_answers

SHEET = pd.DataFrame({
    "municipality_id": ["1", "2", "10"],
    "name": ["A", "B", "C"],
    "size_class": ["G4", "small", "unknown"],
    "krachtwijk": ["yes", "no", "unknown"],
    "questionnaires_sent": ["5", "unknown", "3"],
})


def frame(book, rows):
    """A typed responses frame from hand-written rows (missing items = not asked)."""
    base = {"wave": "hand", "hours_per_week": 8.0}
    answers = pd.DataFrame([base | {"respondent_id": f"R{i}"} | r for i, r in enumerate(rows)])
    return typed_responses(answers, book)


def cell(cells, unit, unit_id, item, answer):
    hit = cells[(cells.unit == unit) & (cells.unit_id == unit_id) & (cells.item == item) & (cells.answer == answer)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


@pytest.fixture
def hand(book):
    # 8 respondents in municipality 1 (1 of 8 prioritises health -> 12.5%), 1 in municipality 2
    rows = [{"municipality_id": "1", "sector": "vgz", "health_priority": "ja" if i == 0 else "nee",
             "health_work": "ja" if i < 7 else "nee", "collaborates": "nee"} for i in range(8)]
    rows[1]["health_target_groups"] = "ja"
    rows.append({"municipality_id": "2", "sector": "wonen", "health_priority": "ja", "health_work": "nee",
                 "collaborates": "ja", "pos_positive_experiences": "ja"})
    return frame(book, rows)


def test_rounding_at_exact_halves(book, hand):
    cells = aggregate_cells(hand, SHEET, book, "hand")
    one_eighth = cell(cells, "municipality", "1", "health_priority", "ja")
    seven_eighths = cell(cells, "municipality", "1", "health_work", "ja")
    assert (one_eighth["count"], one_eighth["base"], one_eighth["pct_rounded"]) == (1, 8, 13)
    assert one_eighth["pct"] == pytest.approx(12.5)
    assert (seven_eighths["count"], seven_eighths["pct_rounded"]) == (7, 88)


def test_skip_logic_base_is_who_was_asked(book, hand):
    cells = aggregate_cells(hand, SHEET, book, "hand")
    # health_target_groups is asked only of the 7 in municipality 1 who work on health
    tg = cell(cells, "municipality", "1", "health_target_groups", "ja")
    assert (tg["count"], tg["base"]) == (1, 1)
    assert cell(cells, "overall", "all", "health_priority", "ja")["base"] == 9


def test_unchosen_answer_still_counted_as_zero(book, hand):
    cells = aggregate_cells(hand, SHEET, book, "hand")
    dk = cell(cells, "municipality", "2", "pos_positive_experiences", "weet_niet")
    assert (dk["count"], dk["base"], dk["pct_rounded"], dk["status"]) == (0, 1, 0, "ok")


def test_unit_nobody_was_asked_has_no_percentage(book, hand):
    cells = aggregate_cells(hand, SHEET, book, "hand")
    # nobody in municipality 1 collaborates, so nobody there was asked the positive factors
    none = cell(cells, "municipality", "1", "pos_positive_experiences", "ja")
    assert none["base"] == 0 and none["status"] == "base 0"
    assert pd.isna(none["pct"]) and pd.isna(none["pct_rounded"]) and pd.isna(none["ci_low"])


def test_item_absent_from_wave_is_not_asked_not_zero(book, hand):
    cells = aggregate_cells(hand.drop(columns=["det_income"]), SHEET, book, "hand")
    absent = cells[cells.item == "det_income"]
    assert len(absent) > 0 and (absent["status"] == "not asked").all()
    assert absent["count"].isna().all() and absent["pct"].isna().all()


def test_units_domain_class_and_size_class(book, hand):
    cells = aggregate_cells(hand, SHEET, book, "hand")
    assert cell(cells, "domain", "2", "health_priority", "ja")["base"] == 8  # VGZ counts in domain 2
    assert cell(cells, "class", "physical", "health_priority", "ja")["count"] == 1  # wonen
    assert cell(cells, "size_class", "small", "collaborates", "ja")["count"] == 1
    assert "unknown" not in set(cells.loc[cells.unit == "size_class", "unit_id"])
    # a sector without respondents is still a unit, with base 0
    assert cell(cells, "sector", "sport", "health_priority", "ja")["base"] == 0
    # municipality 10 of the sheet has nobody but still appears, after 2 (natural order)
    ids = list(dict.fromkeys(cells.loc[cells.unit == "municipality", "unit_id"]))
    assert ids == ["1", "2", "10"]


def test_wilson_interval_textbook_value(book):
    rows = [{"municipality_id": "1", "sector": "vgz", "health_priority": "ja" if i < 8 else "nee",
             "health_work": "nee", "collaborates": "nee"} for i in range(10)]
    cells = aggregate_cells(frame(book, rows), SHEET, book, "hand")
    c = cell(cells, "overall", "all", "health_priority", "ja")
    assert c["ci_low"] == pytest.approx(0.4902, abs=1e-4)
    assert c["ci_high"] == pytest.approx(0.9433, abs=1e-4)


def test_table_column_is_the_codebook_block(book, hand):
    cells = aggregate_cells(hand, SHEET, book, "hand")
    assert set(cells.loc[cells.item == "pos_key_persons", "table"]) == {"positive_factors"}
    assert not cells["item"].isin(["respondent_id", "hours_per_week", "municipality_id"]).any()


def test_csv_roundtrip_is_byte_identical_and_keeps_ids(book, tmp_path):
    resp = typed_responses(synthetic_answers(book, ["1", "2", "3"], 20, "synthetic-test", 3), book)
    sheet = SHEET.assign(municipality_id=["1", "2", "3"])
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_csv(aggregate_cells(resp, sheet, book, "synthetic-test"), a)
    write_csv(aggregate_cells(resp, sheet, book, "synthetic-test"), b)
    assert a.read_bytes() == b.read_bytes()
    assert ",nan," not in a.read_text().lower()  # missing is written empty
    back = read_cells(a)
    assert back["unit_id"].dtype == "string" and "1" in set(back["unit_id"])


def test_hours_by_sector_means(book, hand):
    hours = hours_by_sector(hand.assign(hours_per_week=[4.0] * 8 + [10.0]), book, "hand")
    by = hours.set_index("sector")
    assert by.loc["vgz", "mean"] == 4.0 and by.loc["wonen", "n"] == 1
    assert by.loc["all", "mean"] == pytest.approx((32 + 10) / 9)


def test_a_wave_basis_file_becomes_a_column_and_unlisted_cells_are_free(book, hand):
    cells = aggregate_cells(hand, SHEET, book, "hand")
    basis = pd.DataFrame({"unit": ["overall", "sector"], "unit_id": ["all", "vgz"],
                          "item": ["health_priority", "health_priority"], "answer": ["ja", "ja"],
                          "basis": ["printed", "statement"]})
    out = add_basis(cells, basis)
    assert list(out.columns) == list(cells.columns) + ["basis"] and len(out) == len(cells)
    assert cell(out, "overall", "all", "health_priority", "ja")["basis"] == "printed"
    assert cell(out, "sector", "vgz", "health_priority", "ja")["basis"] == "statement"
    assert cell(out, "overall", "all", "health_priority", "nee")["basis"] == "free"
    pd.testing.assert_frame_equal(out.drop(columns="basis"), cells)   # nothing else changes
