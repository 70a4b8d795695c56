"""The audit of the published report: planted defects are found with the right verdict, a
consistent reference gives no findings, and findings on the real reference checked by hand."""
from pathlib import Path

import pandas as pd
import pytest

from analysis.rivm2010.audit import FINDING_COLUMNS, STATUS_COLUMNS, cell_status, find_inconsistencies, infer_rounding_rule, late_municipality_candidates, load_reference, render_markdown, summarize

REF_DIR = Path(__file__).resolve().parents[1] / "data" / "reference" / "rivm2010"

# ---------------------------------------------------------------------------------------------
# A small synthetic reference: 3 municipalities (n = 4, 8, 6; 18 respondents), of whom 4, 6 and
# 5 collaborate (15), 3 sectors A, B, C. Every percentage below was worked out by hand, half up.


def _long(table, rows, total, row_type="municipality"):
    """Appendix-table long format. rows: {row_id: (n, {col_key: (pct, count)})};
    total: (row_id, n, {col_key: (pct, count, denom or None)})."""
    out = []
    for row_id, (n, cols) in rows.items():
        for pos, (key, (pct, count)) in enumerate(cols.items(), start=1):
            out.append(dict(table=table, row_type=row_type, row_id=str(row_id), n_printed_raw=f"(n={n})",
                            n_value=n, col_pos=pos, col_key=key, pct_printed_raw=f"{pct}%", pct_value=pct,
                            count_printed_raw=f"({count})", count_value=count, denom_printed=None,
                            line_pct=100 + len(out), line_count=100 + len(out), line_n=100 + len(out)))
    total_id, total_n, total_cols = total
    for pos, (key, (pct, count, denom)) in enumerate(total_cols.items(), start=1):
        out.append(dict(table=table, row_type="total", row_id=total_id, n_printed_raw=f"(n={total_n})",
                        n_value=total_n, col_pos=pos, col_key=key, pct_printed_raw=f"{pct}%", pct_value=pct,
                        count_printed_raw=f"({count})", count_value=count, denom_printed=denom,
                        line_pct=900 + pos, line_count=900 + pos, line_n=900))
    return pd.DataFrame(out)


def consistent_reference():
    vii2 = _long("VII.2", {
        "1": (4, {"werken_aan_gezondheid": (75, 3), "achterstandsgroepen": (67, 2), "werken_aan_segv": (50, 2)}),
        "2": (8, {"werken_aan_gezondheid": (63, 5), "achterstandsgroepen": (20, 1), "werken_aan_segv": (13, 1)}),
        "3": (6, {"werken_aan_gezondheid": (67, 4), "achterstandsgroepen": (100, 4), "werken_aan_segv": (50, 3)}),
    }, ("Gemiddeld/Totaal", 18, {"werken_aan_gezondheid": (67, 12, 18), "achterstandsgroepen": (58, 7, 12),
                                 "werken_aan_segv": (33, 6, 18)}))
    viii2 = _long("VIII.2", {"1": (4, {"intersectoraal_samenwerken": (100, 4)}),
                             "2": (8, {"intersectoraal_samenwerken": (75, 6)}),
                             "3": (6, {"intersectoraal_samenwerken": (83, 5)})},
                  ("Gemiddeld/Totaal", 18, {"intersectoraal_samenwerken": (83, 15, 18)}))
    ix1 = _long("IX.1", {
        "1": (4, {"positieve_ervaringen": (75, 3), "structurele_overlegvormen": (25, 1)}),
        "2": (6, {"positieve_ervaringen": (83, 5), "structurele_overlegvormen": (50, 3)}),
        "3": (5, {"positieve_ervaringen": (80, 4), "structurele_overlegvormen": (40, 2)}),
    }, ("Gemiddeld", 15, {"positieve_ervaringen": (80, 12, None), "structurele_overlegvormen": (40, 6, None)}))
    ix3 = _long("IX.3", {"1": (4, {"col1": (50, 2)}), "2": (6, {"col1": (67, 4)}), "3": (5, {"col1": (100, 5)})},
                ("Gemiddeld", 15, {"col1": (73, 11, None)}))
    viii1 = _long("VIII.1", {"A": (4, {"intersectoraal_samenwerken": (75, 3)}),
                             "B": (7, {"intersectoraal_samenwerken": (86, 6)}),
                             "C": (7, {"intersectoraal_samenwerken": (86, 6)})},
                  ("Gemiddeld/Totaal", 18, {"intersectoraal_samenwerken": (83, 15, 18)}), row_type="sector")
    fig61 = pd.DataFrame([
        dict(figure="6.1", pos_in_text=1, factor_label_printed="Factor een", ja_pct_printed=80, weet_niet_pct_printed=13, nee_pct_printed=7,
             line_ja=11, line_weet_niet=12, line_nee=13, matching_table="IX.1", matching_table_col_pos=1),
        dict(figure="6.1", pos_in_text=2, factor_label_printed="Factor twee", ja_pct_printed=40, weet_niet_pct_printed=20, nee_pct_printed=40,
             line_ja=21, line_weet_niet=22, line_nee=23, matching_table="IX.1", matching_table_col_pos=2),
    ])
    footnotes = pd.DataFrame([dict(table="IX.1", n_in_footnote=15, of_total=18, line=950),
                              dict(table="IX.3", n_in_footnote=15, of_total=18, line=960)])
    vi1 = pd.DataFrame([dict(sector="A", sent_printed=5, received_printed=4, pct_printed="80%", line=1),
                        dict(sector="B", sent_printed=8, received_printed=7, pct_printed="88%", line=2),
                        dict(sector="C", sent_printed=9, received_printed=7, pct_printed="78%", line=3),
                        dict(sector="Totaal", sent_printed=22, received_printed=18, pct_printed="82%", line=4)])
    domains = pd.DataFrame([dict(domain_id="1", domain_printed="a en b", vi1_sectors_named="A;B", n_printed=11, line=5),
                            dict(domain_id="2", domain_printed="c", vi1_sectors_named="C", n_printed=7, line=6)])
    return {"tab_VII2_topic_per_municipality": vii2, "tab_VIII2_collaboration_per_municipality": viii2,
            "tab_IX1_positive_factors_per_municipality": ix1, "tab_IX3_political_factors_per_municipality": ix3,
            "tab_VIII1_collaboration_per_sector": viii1, "fig_6_1_positive_factors": fig61,
            "table_footnotes": footnotes, "tab_VI1_response_per_sector": vi1, "sec_4_2_2_domain_n": domains}


def _set(ref, stem, where: dict, **values):
    """A copy of ref with one table's matching row(s) changed."""
    ref = {k: v.copy() for k, v in ref.items()}
    df = ref[stem]
    mask = pd.Series(True, index=df.index)
    for col, val in where.items():
        mask &= df[col].astype(str) == str(val)
    assert mask.sum() >= 1, where
    for col, val in values.items():
        df[col] = df[col].astype(object)
        df.loc[mask, col] = val
    return ref


def _only(findings, **match):
    hit = findings
    for col, val in match.items():
        hit = hit[hit[col] == val]
    assert len(hit) == 1, f"expected one finding {match}, got:\n{findings.to_string()}"
    return hit.iloc[0]


@pytest.fixture
def ref():
    return consistent_reference()


def test_consistent_reference_has_no_findings(ref):
    findings = find_inconsistencies(ref)
    assert list(findings.columns) == FINDING_COLUMNS
    assert findings.empty, findings.to_string()
    status = cell_status(ref)
    assert list(status.columns) == STATUS_COLUMNS
    assert (status["status"] == "consistent").all()
    # every printed count/pct cell of the appendix tables: 12 + 4 + 8 + 4 + 4
    assert len(status) == 32


def test_percentage_typo(ref):
    # 5 of 6 is 83.3%: 84% fits no count of 6, and the count 5 agrees with the column total 12.
    bad = _set(ref, "tab_IX1_positive_factors_per_municipality", {"row_id": "2", "col_key": "positieve_ervaringen"},
               pct_value=84, pct_printed_raw="84%")
    f = _only(find_inconsistencies(bad), table="IX.1", row_id="2", col_key="positieve_ervaringen")
    assert f["verdict"] == "percentage typo" and f["check"] == "pct_vs_count"
    assert f["consistent"].startswith("83%")
    assert len(find_inconsistencies(bad)) == 1


def test_count_typo_located_by_column_total(ref):
    # 40% of 5 is 2; the printed 3 makes the column add up to 7 instead of the total 6.
    bad = _set(ref, "tab_IX1_positive_factors_per_municipality", {"row_id": "3", "col_key": "structurele_overlegvormen"},
               count_value=3, count_printed_raw="(3)")
    findings = find_inconsistencies(bad)
    f = _only(findings, table="IX.1", row_id="3", col_key="structurele_overlegvormen")
    assert f["verdict"] == "count typo" and f["consistent"] == "40% (2)"
    assert len(findings) == 1  # the column sum is explained by this cell, not reported again
    status = cell_status(bad).set_index(["table", "row_id", "col_key"])["status"]
    assert status[("IX.1", "3", "structurele_overlegvormen")] == "inconsistent"
    assert status[("IX.1", "2", "structurele_overlegvormen")] == "consistent"


def test_wrong_denominator_over_all_respondents(ref):
    # IX.3's base is the 6 collaborators of municipality 2; 50% is 4 of its 8 respondents.
    bad = _set(ref, "tab_IX3_political_factors_per_municipality", {"row_id": "2", "col_key": "col1"},
               pct_value=50, pct_printed_raw="50%")
    f = _only(find_inconsistencies(bad), table="IX.3", row_id="2", col_key="col1")
    assert f["verdict"] == "wrong denominator"
    assert "8" in f["explanation"]


def test_nested_base_achterstandsgroepen(ref):
    # Base is the 4 of municipality 3 who work on health: 4 of 4 is 100%; 67% is 4 of its 6 respondents.
    bad = _set(ref, "tab_VII2_topic_per_municipality", {"row_id": "3", "col_key": "achterstandsgroepen"},
               pct_value=67, pct_printed_raw="67%")
    f = _only(find_inconsistencies(bad), table="VII.2", row_id="3", col_key="achterstandsgroepen")
    assert f["verdict"] == "wrong denominator"


def test_rows_not_adding_up_to_the_total(ref):
    # Municipality 1: 100% (4) is consistent in itself, but the column now adds up to 13, not 12.
    bad = _set(ref, "tab_IX1_positive_factors_per_municipality", {"row_id": "1", "col_key": "positieve_ervaringen"},
               pct_value=100, count_value=4)
    findings = find_inconsistencies(bad)
    f = _only(findings, check="column_sum")
    assert (f["table"], f["row_id"], f["col_key"]) == ("IX.1", "Gemiddeld", "positieve_ervaringen")
    assert f["verdict"] == "not explainable by a single cell"
    status = cell_status(bad).set_index(["table", "row_id", "col_key"])["status"]
    assert status[("IX.1", "Gemiddeld", "positieve_ervaringen")] == "inconsistent"


def test_n_differing_across_tables(ref):
    # Municipality 2 has 6 collaborators in VIII.2 and IX.1; IX.3 prints n=7 (and 57% = 4 of 7).
    bad = _set(ref, "tab_IX3_political_factors_per_municipality", {"row_id": "2"},
               n_value=7, pct_value=57)
    f = _only(find_inconsistencies(bad), check="n_across_tables")
    assert (f["table"], f["row_id"], f["col_key"], f["verdict"]) == ("IX.3", "2", "n", "count typo")
    assert f["consistent"].startswith("n=6")


def test_figure_ja_differs_from_table_total(ref):
    # 73 / 20 / 7 is a possible split of 15 (11 + 3 + 1), but IX.1's total is 80%.
    bad = _set(ref, "fig_6_1_positive_factors", {"pos_in_text": 1}, ja_pct_printed=73, weet_niet_pct_printed=20)
    findings = find_inconsistencies(bad)
    f = _only(findings, check="figure_vs_table")
    assert (f["table"], f["row_id"], f["col_key"], f["verdict"]) == ("Figuur 6.1", "Factor een", "ja", "percentage typo")
    assert findings[findings["check"] == "figure_split"].empty


def test_impossible_ja_weet_niet_nee_triple(ref):
    # 40% = 6, 20% = 3 and 33% = 5 of 15 are each possible, but 6 + 3 + 5 = 14, not 15.
    bad = _set(ref, "fig_6_1_positive_factors", {"pos_in_text": 2}, nee_pct_printed=33)
    f = _only(find_inconsistencies(bad), check="figure_split")
    assert (f["table"], f["row_id"], f["verdict"]) == ("Figuur 6.1", "Factor twee", "percentage typo")
    assert "Nee 40%" in f["consistent"]


def test_domain_size_typo(ref):
    bad = _set(ref, "sec_4_2_2_domain_n", {"domain_id": "1"}, n_printed=12)
    f = _only(find_inconsistencies(bad), check="domain_size")
    assert (f["table"], f["row_id"], f["verdict"]) == ("4.2.2", "1", "count typo")
    assert "11" in f["consistent"]


def test_domain_size_counting_an_unnamed_sector(ref):
    # Like the report's domain 2: the n includes a sector (here C, 7) that the text does not name.
    bad = _set(ref, "sec_4_2_2_domain_n", {"domain_id": "2"}, vi1_sectors_named="", n_printed=7)
    bad = _set(bad, "sec_4_2_2_domain_n", {"domain_id": "1"}, n_printed=18)
    f = _only(find_inconsistencies(bad), check="domain_size", row_id="1")
    assert f["verdict"] == "wrong denominator" and "C" in f["explanation"]


def test_footnote_contradicting_its_table(ref):
    # IX.3's rows and total percentages are over 15 (11 of 15 = 73%); the footnote says 13.
    bad = _set(ref, "table_footnotes", {"table": "IX.3"}, n_in_footnote=13)
    f = _only(find_inconsistencies(bad), check="footnote")
    assert (f["table"], f["row_id"], f["col_key"], f["verdict"]) == ("IX.3", "footnote", "n", "count typo")
    assert "15" in f["consistent"]


def test_sector_n_against_vi1(ref):
    bad = _set(ref, "tab_VIII1_collaboration_per_sector", {"row_id": "B"}, n_value=8)
    findings = find_inconsistencies(bad)
    f = _only(findings, check="sector_n")
    assert (f["table"], f["row_id"], f["verdict"]) == ("VIII.1", "B", "count typo")


def test_rounding_rule_inferred_from_halves(ref):
    # The fixture prints 1/8 as 13% and 5/8 as 63%: half even would print 12 and 62.
    assert infer_rounding_rule(ref) in {"half_up", "half_up_via_tenths"}
    assert not find_inconsistencies(ref, rule="half_even").empty


def test_findings_are_deterministic_and_markdown_lists_them(ref):
    bad = _set(ref, "table_footnotes", {"table": "IX.3"}, n_in_footnote=13)
    first, second = find_inconsistencies(bad), find_inconsistencies(bad)
    pd.testing.assert_frame_equal(first, second)
    md = render_markdown(first, summarize(bad, first))
    assert "## Rounding" in md and "count typo" in md and "(13 v/d 18)" in md


# ---------------------------------------------------------------------------------------------
# The real published reference: findings checked by hand against the report text
# (/work/shared/seeds/002_9e92258df757b000.txt; line numbers below are that file's).


@pytest.fixture(scope="module")
def real():
    ref = load_reference(REF_DIR)
    return ref, find_inconsistencies(ref)


def test_real_reference_has_dozens_of_findings(real):
    _, findings = real
    assert len(findings) >= 20
    assert set(findings["verdict"]) == {"count typo", "percentage typo", "wrong denominator",
                                        "not explainable by a single cell"}


def test_real_rounding_is_half_up_via_one_decimal(real):
    ref, _ = real
    # VII.3 line 4023: municipality 8 (n=11) prints 5 as 46%; 5/11 = 45.45 is 45 with one-step
    # half up but 45.5 -> 46 via one decimal. Line 4260: 35 of 123 = 28.46 printed 29%.
    assert infer_rounding_rule(ref) == "half_up_via_tenths"
    plain = find_inconsistencies(ref, rule="half_up")
    assert len(plain[(plain.table == "VII.3") & (plain.row_id == "8")]) == 2


def test_real_hand_checked_findings(real):
    _, findings = real
    # Line 3793: municipality 3 works on health 83% (5) of 6, achterstandsgroepen 83% (5): over
    # the 5 who work on health that is 100%; 83% is 5 of all 6 respondents.
    f = _only(findings, table="VII.2", row_id="3", col_key="achterstandsgroepen")
    assert f["verdict"] == "wrong denominator"
    # Line 3792: 72% (5) with n=7; 5/7 = 71.4% and no count of 7 gives 72%.
    f = _only(findings, table="VII.2", row_id="2", col_key="werken_aan_segv")
    assert f["verdict"] == "percentage typo" and f["consistent"].startswith("71%")
    # Line 3805: municipality 15 "57% (6)" of 7; 4/7 = 57%, and the column adds up to 75 with 6
    # but to the printed 73 with 4.
    f = _only(findings, table="VII.2", row_id="15", col_key="gezondheid_prioriteit")
    assert f["verdict"] == "count typo" and f["consistent"] == "57% (4)"
    # Lines 5070-5071: IX.1 municipality 11 prints "100% (0)" with n=7.
    f = _only(findings, table="IX.1", row_id="11", col_key="duidelijkheid_bijdrage_eigen_terrein")
    assert f["verdict"] == "count typo" and f["consistent"] == "100% (7)"
    # Line 6246-6264: IX.3 municipality 15 (n=5) prints 14% (1), 29% (2): sevenths, not fifths.
    wrong = findings[(findings.table == "IX.3") & (findings.row_id == "15")]
    assert len(wrong) == 5 and set(wrong["verdict"]) == {"wrong denominator"}
    # Line 6308: IX.3's footnote says 96 of 123, the table's n and percentages are over 98.
    f = _only(findings, table="IX.3", check="footnote")
    assert f["verdict"] == "count typo" and "98" in f["consistent"]
    # Lines 5447-5876: IX.2 "negatieve ervaringen" rows 0+4+2+1+0+1+3+0+2+2+1+2+2+5+0+0 = 25,
    # total printed 20% (20), as Figuur 6.4 (20%).
    f = _only(findings, table="IX.2", row_id="Gemiddeld", col_key="negatieve_ervaringen")
    assert f["check"] == "column_sum" and f["verdict"] == "not explainable by a single cell"
    # Line 1127: Tabel 4.2 prints 60% of n=69; 41/69 = 59.4%, 42/69 = 60.9%.
    f = _only(findings, table="4.2")
    assert f["verdict"] == "percentage typo"


def test_real_tables_without_findings(real):
    _, findings = real
    # Hand-checked: Tabel VI.1 (sums 155 / 123, every %), Tabel 3.1 (rows and columns),
    # VIII.1 / VIII.2 (sum 98 of 123), Figuur 6.1 (every triple splits 98).
    for table in ("VI.1", "3.1", "VIII.1", "VIII.2", "Figuur 6.1"):
        assert findings[findings.table == table].empty, table


def test_real_late_municipality_is_16(real):
    ref, _ = real
    # Section 3.2 (line 760): 85% without the late municipality. Only municipality 16 (1 returned)
    # with 11 sent gives it: 122 / 144 = 84.7%.
    found = late_municipality_candidates(ref, infer_rounding_rule(ref))
    assert [(c["municipality"], c["sent"]) for c in found] == [("16", 11)]


def test_real_cell_status_covers_every_appendix_cell(real):
    ref, findings = real
    status = cell_status(ref, findings)
    # VII.2 85 + VII.3 136 + VIII.1 14 + VIII.2 17 + VIII.3 85 + IX.1 170 + IX.2 170 + IX.3 102
    assert len(status) == 779
    s = status.set_index(["table", "row_id", "col_key"])["status"]
    assert s[("IX.1", "11", "duidelijkheid_bijdrage_eigen_terrein")] == "inconsistent"
    assert s[("IX.1", "10", "duidelijkheid_bijdrage_eigen_terrein")] == "consistent"
    assert s[("VII.3", "8", "opleidingsniveau")] == "consistent"  # 46% fits via one decimal


def test_figure_inherits_a_total_that_contradicts_its_rows(ref):
    # IX.1's total 13 of 15 (87%) fits itself and Figuur 6.1 (87 / 13 / 0 = 13 + 2 + 0 of 15), but
    # the municipality rows add up to 12: the figure cannot be matched together with the rows.
    bad = _set(ref, "tab_IX1_positive_factors_per_municipality", {"row_type": "total", "col_pos": 1},
               count_value=13, pct_value=87)
    bad = _set(bad, "fig_6_1_positive_factors", {"pos_in_text": 1}, ja_pct_printed=87, weet_niet_pct_printed=13,
               nee_pct_printed=0)
    findings = find_inconsistencies(bad)
    assert set(findings["check"]) == {"column_sum", "figure_vs_rows"}
    f = _only(findings, check="figure_vs_rows")
    assert (f["table"], f["row_id"], f["verdict"]) == ("Figuur 6.1", "Factor een", "not explainable by a single cell")
    assert "80%" in f["consistent"]


def test_statements_the_tables_contradict_are_listed_with_their_lines(real):
    """Footnote 22 (lines 950-952): onderwijs, sociale zaken, wonen and ruimte responded less often
    than VGZ, jeugd, sport, milieu, veiligheid and zorg; Tabel VI.1 prints ruimte 89% and sport 63%."""
    ref, findings = real
    md = render_markdown(findings, summarize(ref, findings))
    section = md.split("## Statements of the text that the printed tables contradict")[1]
    row = next(line for line in section.splitlines() if line.startswith("| S4.3.1c |"))
    assert "| 950-952 |" in row and "minder vaak ingevuld" in row
