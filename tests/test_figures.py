"""Figures: numbers checked by hand on tiny cells frames, n and wave shown, byte-identical reruns."""
from __future__ import annotations

import filecmp
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

import analysis.publication.figures as F
from analysis.core.codebook import load_codebook
from analysis.core.responses import typed_responses
from analysis.fixtures.synthetic import synthetic_answers

ROOT = Path(__file__).resolve().parents[1]
WAVE = "synthetic-test"


@pytest.fixture(scope="module")
def book():
    return load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml")


def cells_from_answers(answers: pd.DataFrame, book, wave: str = WAVE) -> pd.DataFrame:
    """Count like the cells.csv contract: per unit, item and answer key; base = who was asked.

    A stand-in for the aggregate stage, so these tests do not depend on it.
    """
    resp = typed_responses(answers, book)
    resp["domain"] = resp["sector"].astype(str).map({s.id: s.domain for s in book.sectors})
    units = {"overall": None, "sector": "sector", "domain": "domain", "municipality": "municipality_id"}
    rows = []
    for item in book.coded_items:
        if item.type == "sector":
            continue
        for unit, col in units.items():
            groups = [("all", resp)] if col is None else resp.groupby(resp[col].astype(str), observed=True)
            for unit_id, g in groups:
                answered = g[item.id].dropna()
                base = len(answered)
                for key in item.keys:
                    count = int((answered == key).sum())
                    lo, hi = proportion_confint(count, base, method="wilson") if base else (np.nan, np.nan)
                    pct = 100 * count / base if base else np.nan
                    rows.append(dict(wave=wave, table=item.block or "respondent", unit=unit, unit_id=str(unit_id),
                                     item=item.id, answer=key, base=base, count=count, pct=pct,
                                     pct_rounded=np.floor(pct + 0.5) if base else np.nan, ci_low=lo, ci_high=hi))
    return pd.DataFrame(rows)


def respondent(book, i, municipality, sector, collab="ja", **answers):
    """One answer row: defaults 'nee' / not ticked, skip logic applied via the codebook."""
    row = {"respondent_id": f"SYN-{i:03d}", "wave": WAVE, "municipality_id": municipality, "sector": sector,
           "function": "beleidsmedewerker", "hours_per_week": 32.0, "collaborates": collab}
    for item in book.items:
        if item.id in row or not item.answers:
            continue
        row[item.id] = answers.get(item.id, "nee")
    for item in book.items:  # not asked -> missing
        if item.asked_if and not book.is_asked(item, row):
            row[item.id] = None
    return row


@pytest.fixture(scope="module")
def small(book):
    """6 respondents, hand-countable: municipalities 2 and 10 (numeric order matters), 3 and 1."""
    rows = [
        respondent(book, 1, "2", "vgz", collab_with_jeugd="ja", collab_with_wonen="ja", pos_good_relations="ja",
                   pos_clear_roles="weet_niet", health_work="ja", segv_work="ja", det_lifestyle="ja"),
        respondent(book, 2, "2", "jeugd", collab_with_vgz="ja", pos_good_relations="weet_niet",
                   health_work="ja", segv_work="ja", det_lifestyle="ja"),
        respondent(book, 3, "10", "wonen", collab_with_vgz="nee", pos_good_relations="ja", health_work="nee"),
        respondent(book, 4, "10", "veiligheid", collab="nee", health_work="ja", segv_work="ja"),
        respondent(book, 5, "10", "anders", collab="nee", health_work="ja", segv_work="ja"),
        respondent(book, 6, "1", "vgz", collab_with_jeugd="nee", pos_good_relations="ja", health_work="ja"),
    ]
    return cells_from_answers(pd.DataFrame(rows), book)


@pytest.fixture(scope="module")
def municipalities():
    return pd.DataFrame({"municipality_id": ["10", "2", "1"], "name": ["X", "Y", "Z"], "size_class": ["g4"] * 3,
                         "krachtwijk": [True, False, True], "questionnaires_sent": ["4", "unknown", "2"]})


def row(data, **where):
    sel = data
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, where
    return sel.iloc[0]


# --- numbers --------------------------------------------------------------------------------------


def test_6_1_segments_sum_to_100_and_weet_niet_is_its_own_segment(small, book):
    _, data = F.figuur_6_1(small, book)
    # 4 collaborators: good relations ja (1, 3, 6), weet niet (2)
    assert row(data, item="pos_good_relations", answer="ja")["pct"] == pytest.approx(75)
    assert row(data, item="pos_good_relations", answer="weet_niet")["pct"] == pytest.approx(25)
    assert row(data, item="pos_good_relations", answer="nee")["pct"] == pytest.approx(0)
    sums = data.groupby("item")["pct"].sum()
    assert np.allclose(sums, 100)
    assert set(data["answer"]) == {"ja", "weet_niet", "nee"}
    assert (data["base"] == 4).all()


def test_6_4_has_the_same_three_segments(small, book):
    _, data = F.figuur_6_4(small, book)
    assert list(data.loc[data["item"] == "neg_poor_relations", "answer"]) == ["ja", "weet_niet", "nee"]


def test_5_1_shows_both_directions(small, book):
    _, data = F.figuur_5_1(small, book)
    # VGZ -> sector: two collaborating VGZ officers; jeugd ticked by 1 of 2, wonen by 1 of 2
    assert row(data, direction="vgz_to_sector", partner_sector="jeugd")["pct"] == pytest.approx(50)
    assert row(data, direction="vgz_to_sector", partner_sector="wonen")["pct"] == pytest.approx(50)
    assert row(data, direction="vgz_to_sector", partner_sector="sport")["pct"] == pytest.approx(0)
    # sector -> VGZ: jeugd 1/1, wonen 0/1; veiligheid had nobody collaborating: n=0, not 0%
    assert row(data, direction="sector_to_vgz", partner_sector="jeugd")["pct"] == pytest.approx(100)
    assert row(data, direction="sector_to_vgz", partner_sector="wonen")["pct"] == pytest.approx(0)
    veiligheid = row(data, direction="sector_to_vgz", partner_sector="veiligheid")
    assert veiligheid["status"] == "n=0" and pd.isna(veiligheid["pct"])
    assert "vgz" not in set(data["partner_sector"])


def test_4_1_shows_domains_1_to_3_only(small, book):
    _, data = F.figuur_4_1(small, book)
    assert set(data["unit_id"]) == {"1", "2", "3"}
    # domain 2 = VGZ (respondents 1 and 6): both work on health
    assert row(data, unit_id="2", item="health_work")["pct"] == pytest.approx(100)
    # domain 3 = wonen (respondent 3) does not
    assert row(data, unit_id="3", item="health_work")["pct"] == pytest.approx(0)
    assert row(data, unit_id="2", item="health_work")["row_label"].endswith("(n=2)")


def test_4_2_leaves_out_small_municipalities_and_says_so(small, book):
    fig, data = F.figuur_4_2(small, book, min_n=2)
    assert "1" not in set(data["unit_id"])  # municipality 1 has one respondent
    assert (data["min_n"] == 2).all()
    assert "Gemeente 1 (n=1)" in fig._supxlabel.get_text()
    _, all_data = F.figuur_4_2(small, book, min_n=1)
    assert "1" in set(all_data["unit_id"])


def test_municipalities_sorted_numerically_with_n_and_total_row(small, book):
    _, data = F.figuur_6_6(small, book)
    order = list(dict.fromkeys(data["row_label"]))
    # collaborators: municipality 1 has 1, 2 has 2, 10 has 1; then the total row
    assert order == ["Gemeente 1 (n=1)", "Gemeente 2 (n=2)", "Gemeente 10 (n=1)", "Totaal (n=4)"]


def test_6_2_and_6_3_split_by_factor_kind(small, book):
    _, ind = F.figuur_6_2(small, book)
    _, org = F.figuur_6_3(small, book)
    kinds = {it.id: it.extra["factor_kind"] for it in book.block("positive_factors")}
    assert {kinds[i] for i in ind["item"]} == {"individual"}
    assert {kinds[i] for i in org["item"]} == {"organisational"}
    assert set(ind["item"]) | set(org["item"]) == set(kinds)
    assert row(ind, unit_id="2", item="pos_good_relations")["pct"] == pytest.approx(50)


def test_item_not_asked_in_wave_reads_not_asked_not_zero(small, book):
    cells = small.copy()
    cells.loc[cells["item"] == "pos_uniform_language", ["base", "count"]] = 0
    cells.loc[cells["item"] == "pos_uniform_language", ["pct", "pct_rounded", "ci_low", "ci_high"]] = np.nan
    cells["status"] = np.where(cells["item"] == "pos_uniform_language", "not asked", "ok")
    fig, data = F.figuur_6_1(cells, book)
    missing = data[data["item"] == "pos_uniform_language"]
    assert (missing["status"] == "not asked").all() and missing["pct"].isna().all()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "niet gevraagd" in texts
    # an item with no rows at all is not asked either
    fig, data = F.figuur_6_6(cells[cells["item"] != "pol_3"], book, language="en")
    assert (data.loc[data["item"] == "pol_3", "status"] == "not asked").all()
    assert "not asked" in [t.get_text() for t in fig.axes[0].texts]


def test_3_1_response_and_unknown_sent(small, book, municipalities):
    fig, data = F.figuur_3_1(small, municipalities, book)
    assert list(data["municipality_id"]) == ["1", "2", "10"]
    assert row(data, municipality_id="10")["response_pct"] == pytest.approx(75)  # 3 of 4
    assert row(data, municipality_id="1")["response_pct"] == pytest.approx(50)
    unknown = row(data, municipality_id="2")
    assert unknown["status"] == "sent unknown" and pd.isna(unknown["response_pct"]) and unknown["received"] == 2
    assert "2 ontvangen; verstuurd onbekend" in [t.get_text() for t in fig.axes[0].texts]


def test_4_3_and_6_5_overall(small, book):
    _, det = F.figuur_4_3(small, book)
    assert row(det, item="det_lifestyle")["pct"] == pytest.approx(100 * 2 / 6)
    assert row(det, item="det_lifestyle")["pct_rounded"] == 33
    assert det["ci_high"].max() <= 100 and det["ci_high"].max() > 1  # proportions became percentages
    _, pol = F.figuur_6_5(small, book)
    assert (pol["base"] == 4).all()


def test_VI_1_functions_and_optional_hours(small, book):
    _, data = F.figuur_VI_1(small, book)
    assert row(data, answer="beleidsmedewerker")["pct"] == pytest.approx(100)
    hours = pd.DataFrame({"sector": ["vgz", "jeugd"], "n": [2, 1], "mean_hours": [30.0, 24.5]})
    fig, data = F.figuur_VI_1(small, book, hours_by_sector=hours)
    assert len(fig.axes) == 2
    assert set(data.loc[data["panel"] == "hours_per_week", "unit_id"]) == {"vgz", "jeugd"}


def test_english_labels_and_wave_in_footer(small, book):
    fig, data = F.figuur_6_1(small, book, language="en", note="SYNTHETIC DATA")
    footer = fig._supxlabel.get_text()
    assert WAVE in footer and "SYNTHETIC DATA" in footer
    assert "Good relations with other sectors" in set(data["item_label"])
    assert "(n=4)" in fig._suptitle.get_text()


# --- files ----------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("error:constrained_layout not applied")  # a squashed figure is a bug
def test_every_figure_builds_and_renders_byte_identically(small, book, municipalities, tmp_path):
    """Run a draws the figures one by one in this process; run b shares them out over two forked
    workers (as the figures step does): the same bytes either way."""
    ids = []
    for spec, fig, data in F.build_figures(small, municipalities, book, note="SYNTHETISCHE GEGEVENS"):
        F.save_figure(fig, data, tmp_path / "a" / spec.stem)
        ids.append(spec.number)
    written = F.write_figures(tmp_path / "b", small, municipalities, book, note="SYNTHETISCHE GEGEVENS", workers=2)
    assert [p.name for p in written][:3] == ["figuur_3_1.png", "figuur_3_1.svg", "figuur_3_1.data.csv"]
    assert ids == F.FIGURE_IDS == ["3.1", "4.1", "4.2", "4.3", "4.4", "4.5", "5.1", "5.2",
                                   "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "VI.1"]
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    expected = sorted(f"{F.FIGURES[i].stem}{ext}" for i in ids for ext in (".png", ".svg", ".data.csv"))
    assert names == expected == sorted(p.name for p in written)
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", names, shallow=False)
    assert mismatch == [] and errors == []
    svg = (tmp_path / "a" / "figuur_6_1.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib" not in svg.split("<svg", 1)[0] + svg[:2000]
    assert b"Software" not in (tmp_path / "a" / "figuur_6_1.png").read_bytes()
    # SVG text stays text; a viewer without DejaVu Sans must fall back to a sans-serif, not a serif
    families = set(re.findall(r"font-family: ([^;\"]+)", svg))
    assert families == {"'DejaVu Sans', sans-serif"}


def test_synthetic_wave_builds_all_figures(book, municipalities):
    ids = [str(i) for i in range(1, 17)]
    answers = synthetic_answers(book, ids, 80, "synthetic-demo", seed=7)
    cells = cells_from_answers(answers, book, "synthetic-demo")
    muni = pd.DataFrame({"municipality_id": ids, "questionnaires_sent": [8] * 15 + ["unknown"]})
    out = {spec.number: data for spec, _, data in F.build_figures(cells, muni, book)}
    assert set(out) == set(F.FIGURE_IDS)
    assert all((d["wave"] == "synthetic-demo").all() for d in out.values())


def test_a_figure_heading_n_is_over_the_items_the_figure_draws(book, municipalities):
    """Review r18d: report.html's heading n (and its answered n under item nonresponse) of Figuur
    4.2, 6.2, 6.3 and 6.6 came from no items at all (no `published` entry names those figures), so
    their headings never said "beantwoord" where their own rows did. The items a heading counts
    (answered.entry_items) are the items its data table draws, for every figure that draws items."""
    from analysis.publication.answered import entry_items

    ids = [str(i) for i in range(1, 17)]
    cells = cells_from_answers(synthetic_answers(book, ids, 80, "synthetic-demo", seed=7), book, "synthetic-demo")
    muni = pd.DataFrame({"municipality_id": ids, "questionnaires_sent": [8] * 16})
    drawn = {spec.number: set(data["item"]) for spec, _, data in F.build_figures(cells, muni, book) if "item" in data}
    assert {"4.2", "6.2", "6.3", "6.6"} <= set(drawn)
    for number, items in drawn.items():
        counted = {it.id for it in entry_items(F.FIGURES[number], book)}
        # Figuur VI.1's hours come from hours_by_sector.csv, not from rows of its data table
        assert counted - {"hours_per_week"} == items if number == "VI.1" else counted == items, number


def test_ci_given_as_percentages_is_not_scaled_again(small, book):
    as_pct = small.assign(ci_low=small["ci_low"] * 100, ci_high=small["ci_high"] * 100)
    _, a = F.figuur_4_3(small, book)
    _, b = F.figuur_4_3(as_pct, book)
    assert np.allclose(a["ci_high"], b["ci_high"])


def test_free_cells_of_a_reconstructed_wave_are_marked_in_figures():
    """A plotted cell whose cells.csv basis is "free" (issue 17) reads "36% †" and the footer gets the
    legend; a wave without a basis column is drawn as before."""
    row = pd.Series({"status": "ok", "pct_rounded": 36.0, "basis": "free"})
    assert F._pct_text(row, "nl") == "36% †"
    assert F._pct_text(row.drop("basis"), "nl") == "36%"
    data = pd.DataFrame({"status": ["ok", "ok"], "basis": ["printed", "free"]})
    assert F._free_note(data, "en").startswith("† A free choice")
    assert F._free_note(data.assign(basis="printed"), "en") is None and F._free_note(data.drop(columns="basis"), "nl") is None



def test_4_1_legend_n_is_the_answered_n_of_its_data_table(book):
    """Review r16n #7: a domain's legend n is the base of its plotted percentages (who answered
    the figure's items), the n column of the figure's data table, not every respondent of the
    domain: here domain 2 (vgz, zorg) has 3 respondents, of whom one answered neither health item."""
    from analysis.core.aggregate import aggregate_cells
    from analysis.publication.tables import figuur_4_1_data

    answers = pd.DataFrame([
        {"respondent_id": "R1", "municipality_id": "2", "sector": "vgz", "health_work": "ja", "segv_work": "ja"},
        {"respondent_id": "R2", "municipality_id": "2", "sector": "vgz", "health_work": "nee", "segv_work": "nee"},
        {"respondent_id": "R3", "municipality_id": "2", "sector": "zorg"},  # asked both, answered neither
        {"respondent_id": "R4", "municipality_id": "10", "sector": "jeugd", "health_work": "ja", "segv_work": "nee"},
    ]).assign(wave=WAVE, collaborates="nee", hours_per_week=8.0)
    sheet = pd.DataFrame({"municipality_id": ["2", "10"], "size_class": ["small", "small"]})
    cells = aggregate_cells(typed_responses(answers, book), sheet, book, WAVE)
    fig, data = F.figuur_4_1(cells, book)
    zorg = book.domains["2"]["nl"]
    assert figuur_4_1_data(cells, book).set_index("VNG-domein").at[zorg, "n"] == 2
    legend = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_legend().get_texts()]
    assert legend[1] == f"{zorg} (beantwoord n=2)"
    assert row(data, unit_id="2", item="health_work")["row_label"] == f"{zorg} (beantwoord n=2)"
    # the rows of a per-municipality figure name their n the same way (the base of their cells)
    _, per_municipality = F.figuur_4_2(cells, book, min_n=1)
    assert row(per_municipality, unit_id="2", item="health_work")["row_label"] == "Gemeente 2 (beantwoord n=2)"
