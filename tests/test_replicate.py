"""Replication: printed vs regenerated cells, matched via the codebook; audit verdicts attached."""
import pandas as pd
import pytest

from analysis.core.aggregate import aggregate_cells
from analysis.rivm2010.replicate import build_scorecard, normalise_table, summarise, summary_markdown
from analysis.core.responses import typed_responses

SHEET = pd.DataFrame({"municipality_id": ["1", "2"], "name": ["", ""], "size_class": ["G4", "G32"],
                      "krachtwijk": ["yes", "no"], "questionnaires_sent": ["3", "1"]})
FINDING_COLUMNS = ["check", "table", "row_type", "row_id", "col_key", "printed", "consistent", "verdict",
                   "explanation", "line"]
APPENDIX = ["table", "row_type", "row_id", "n_printed_raw", "n_value", "col_pos", "col_key", "col_label",
            "label_basis", "pct_printed_raw", "pct_value", "count_printed_raw", "count_value", "denom_printed",
            "extra_printed", "line_pct", "line_count", "line_n"]


@pytest.fixture
def cells(book):
    # municipality 1: 2 of 3 collaborate; municipality 2: 1 of 1 -> total 3 of 4 = 75%
    rows = [("1", "vgz", "ja"), ("1", "vgz", "ja"), ("1", "jeugd", "nee"), ("2", "vgz", "ja")]
    answers = pd.DataFrame([
        {"respondent_id": f"R{i}", "wave": "hand", "municipality_id": m, "sector": s, "collaborates": c,
         "health_priority": "ja", "health_work": "nee", "hours_per_week": 1.0}
        for i, (m, s, c) in enumerate(rows)
    ])
    return aggregate_cells(typed_responses(answers, book), SHEET, book, "hand")


def viii_2(rows):
    """A fake Tabel VIII.2 in the reference's long format: (row_type, row_id, n, pct, count)."""
    return pd.DataFrame([
        dict(table="VIII.2", row_type=t, row_id=r, n_printed_raw=str(n), n_value=str(n), col_pos="1",
             col_key="intersectoraal_samenwerken", col_label="Intersectoraal samenwerken", label_basis="printed",
             pct_printed_raw=f"{p}%", pct_value=str(p), count_printed_raw=f"({c})", count_value=str(c),
             denom_printed="", extra_printed="", line_pct="10", line_count="10", line_n="10")
        for t, r, n, p, c in rows
    ], columns=APPENDIX)


def findings(*rows):
    return pd.DataFrame([dict(zip(FINDING_COLUMNS, r)) for r in rows], columns=FINDING_COLUMNS)


def test_all_cells_match_when_printed_equals_regenerated(book, cells):
    ref = {"tab_VIII2": viii_2([("municipality", "1", 3, 67, 2), ("municipality", "2", 1, 100, 1),
                                ("total", "Gemiddeld/Totaal", 4, 75, 3)])}
    card = build_scorecard(cells, ref, findings(), book)
    # 3 rows x (count, pct) + 3 n cells
    assert len(card) == 9 and card["match"].all()
    assert set(card["item"].dropna()) == {"collaborates"}  # found through the codebook's col_key


def test_planted_mismatch_without_finding_is_unexplained(book, cells):
    ref = {"tab_VIII2": viii_2([("municipality", "1", 3, 67, 3), ("municipality", "2", 1, 100, 1)])}
    card = build_scorecard(cells, ref, findings(), book)
    bad = card[~card["match"]]
    assert list(zip(bad["row"], bad["quantity"], bad["printed_value"], bad["regenerated"])) == [("1", "count", 3, 2)]
    assert bad["verdict"].tolist() == ["unexplained"]
    total = summarise(card).iloc[-1]
    assert (total["compared"], total["matches"], total["unexplained"], total["explained"]) == (6, 5, 1, 0)
    assert "unexplained: 1" in summary_markdown(summarise(card), card, "hand")


def test_mismatch_with_audit_finding_is_explained(book, cells):
    ref = {"tab_VIII2": viii_2([("municipality", "1", 3, 67, 3)])}
    audit = findings(("pct_vs_count", "VIII.2", "municipality", "1", "intersectoraal_samenwerken", "67% (3), base 3",
                      "67% (2)", "count typo", "67% of 3 is 2", "10"))
    card = build_scorecard(cells, ref, audit, book)
    bad = card[~card["match"]]
    assert bad["verdict"].tolist() == ["count typo"] and bad["explanation"].tolist() == ["67% of 3 is 2"]
    assert summarise(card).iloc[-1]["unexplained"] == 0


def test_finding_on_other_cell_does_not_explain(book, cells):
    ref = {"tab_VIII2": viii_2([("municipality", "1", 3, 67, 3)])}
    audit = findings(("pct_vs_count", "VIII.2", "municipality", "2", "intersectoraal_samenwerken", "", "", "count typo",
                      "", "11"))
    card = build_scorecard(cells, ref, audit, book)
    assert card.loc[~card["match"], "verdict"].tolist() == ["unexplained"]


def test_municipality_missing_from_wave_is_not_regenerated(book, cells):
    ref = {"tab_VIII2": viii_2([("municipality", "9", 2, 50, 1)])}
    card = build_scorecard(cells, ref, findings(), book)
    assert not card["match"].any() and set(card["verdict"]) == {"not regenerated"}
    assert summarise(card).iloc[-1]["unexplained"] == 3  # counted: nothing explains them


def test_chapter_tables_and_domain_n(book, cells):
    ref = {
        "tab_4_1_priorities": pd.DataFrame([dict(item_key="gezondheid_prioriteit", item_printed="x",
                                                 count_printed="4", n_printed="4", pct_printed="100%", line="885")]),
        "sec_4_2_2_domain_n": pd.DataFrame([dict(domain_id="1", domain_printed="", vi1_sectors_named="",
                                                 n_printed="1", line="898", note=""),
                                            dict(domain_id="2", domain_printed="", vi1_sectors_named="",
                                                 n_printed="4", line="899", note="")]),
    }
    card = build_scorecard(cells, ref, findings(), book).set_index(["table", "row", "column"])
    assert card.loc[("4.1", "gezondheid_prioriteit", "count"), "match"]
    assert card.loc[("4.1", "gezondheid_prioriteit", "pct"), "regenerated"] == 100
    assert card.loc[("4.2.2", "1", "n"), "regenerated"] == 1  # jeugd
    assert card.loc[("4.2.2", "2", "n"), "regenerated"] == 3  # VGZ counts in domain 2
    assert not card.loc[("4.2.2", "2", "n"), "match"]


def test_table_names_normalise():
    assert normalise_table("Tabel VII.2") == normalise_table("VII.2") == "vii.2"
    assert normalise_table("Figuur 6.1") != normalise_table("6.1")


def test_register_tables_are_compared_cell_by_cell(book, cells):
    """Tabel 3.1 (interview register) and VI.1 sent/% (questionnaires sent) do not come from
    cells.csv: they are compared against the tables as built; a blank printed cell means 0."""
    from analysis.publication.tables import tabel_3_1, tabel_VI_1

    ref = {
        "tab_3_1_interviews_by_sector_and_type": pd.DataFrame([
            dict(sector_category="VGZ", footnote_marker="", aantal_interviews="2", g4_met_krachtwijk="1",
                 g32_met_krachtwijk="", g32_zonder_krachtwijk="1", kleinere_gemeenten_zonder_krachtwijk="", line="800"),
            dict(sector_category="Sport", footnote_marker="", aantal_interviews="1", g4_met_krachtwijk="",
                 g32_met_krachtwijk="", g32_zonder_krachtwijk="1", kleinere_gemeenten_zonder_krachtwijk="", line="801"),
        ]),
        "tab_VI1_response_per_sector": pd.DataFrame([dict(sector="VGZ", sent_printed="4", received_printed="3",
                                                          pct_printed="75%", line="3605")]),
    }
    register = pd.DataFrame({"municipality_type": ["g4_met_krachtwijk", "G32 zonder krachtwijk", "g4-met-krachtwijk"],
                             "sector_category": ["VGZ", "VGZ", "Sport"]})
    sent = pd.DataFrame({"sector": [s.id for s in book.sectors], "questionnaires_sent": ["4"] * len(book.sectors)})
    tables = {"tabel_3_1": tabel_3_1(register, SHEET, "nl", None, book),
              "tabel_VI_1": tabel_VI_1(cells, book, "nl", sent)}
    card = build_scorecard(cells, ref, findings(), book, tables).set_index(["table", "row", "column"]).sort_index()
    assert card.loc[("3.1", "VGZ", "aantal_interviews"), "regenerated"] == 2
    assert card.loc[("3.1", "VGZ", "g32_met_krachtwijk"), "printed_value"] == 0
    assert card.loc[("3.1", "VGZ", "g32_met_krachtwijk"), "match"]
    # Sport was interviewed in a G4 city, printed under G32 zonder krachtwijk: two mismatches
    sport = card.loc[("3.1", "Sport")]
    assert sorted(sport.loc[~sport["match"]].index) == ["g32_zonder_krachtwijk", "g4_met_krachtwijk"]
    assert card.loc[("VI.1", "VGZ", "sent"), "regenerated"] == 4 and card.loc[("VI.1", "VGZ", "sent"), "match"]
    assert card.loc[("VI.1", "VGZ", "percentage"), "regenerated"] == 75
    # without the register the cells are "not regenerated", never silently dropped
    bare = build_scorecard(cells, ref, findings(), book)
    assert bare.loc[bare["table"] == "3.1", "verdict"].eq("not regenerated").all()
