"""Figures of a national wave (342 municipalities): bounded size, every municipality, sorted, intervals.

The cells come from the real aggregation of an invented national wave (fixtures/national.py), so
size classes, small municipalities, skip logic and n=0 cells occur as they would in a real one.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from PIL import Image

import analysis.publication.figures as F
from analysis.core.aggregate import aggregate_cells
from analysis.core.codebook import load_codebook
from analysis.core.responses import typed_responses
from analysis.fixtures.national import national_wave

ROOT = Path(__file__).resolve().parents[1]
WAVE = "synthetic-national-test"
PER_MUNICIPALITY = ["4.2", "4.4", "4.5", "5.2", "6.2", "6.3", "6.6"]


@pytest.fixture(scope="module")
def book():
    return load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml")


@pytest.fixture(scope="module")
def national(book):
    answers, sheet = national_wave(book, 2500, WAVE, seed=7, codes=False)
    cells = aggregate_cells(typed_responses(answers, book.for_wave(WAVE)), sheet, book.for_wave(WAVE), WAVE)
    return cells, sheet


@pytest.fixture(scope="module")
def drawn(national, book, tmp_path_factory):
    """Every figure of the national wave, saved once: {id: (figure, data, png path)}."""
    cells, sheet = national
    out = tmp_path_factory.mktemp("national")
    result = {}
    for spec, fig, data in F.build_figures(cells, sheet, book, "nl", None, 2, None, ["3.1"] + PER_MUNICIPALITY):
        png = F.save_figure(fig, data, out / spec.stem)[0]
        result[spec.number] = (fig, data, png)
    return result


@pytest.mark.parametrize("fig_id", ["3.1"] + PER_MUNICIPALITY)
def test_national_figures_stay_readable_in_size(drawn, fig_id):
    with Image.open(drawn[fig_id][2]) as png:
        width, height = png.size
    assert height <= 3000 and width <= 3000, (width, height)
    # the report's heatmap would be a row per municipality: 342 * 0.3 in * 150 dpi > 15,000 px
    assert height < 2000


@pytest.mark.parametrize("fig_id", PER_MUNICIPALITY)
def test_every_municipality_once_per_item_sorted_with_its_interval(drawn, national, fig_id):
    cells, sheet = national
    fig, data, _ = drawn[fig_id]
    muni = data[data["unit"] == "municipality"]
    n_resp = F.respondents(cells, "municipality")
    min_n = 2 if fig_id == "4.2" else 1
    expected = set(n_resp.index[n_resp >= min_n])
    assert len(expected) > 300
    total = data[data["unit"] == "overall"].set_index("item")["pct"]
    for item, rows in muni.groupby("item"):
        assert sorted(rows["unit_id"]) == sorted(expected)  # each municipality exactly once
        ok = rows[rows["status"] == "ok"].sort_values("rank")
        assert list(ok["rank"]) == list(range(1, len(ok) + 1))
        assert (np.diff(ok["pct"].to_numpy()) <= 0).all()  # high to low
        assert ((ok["ci_low"] <= ok["pct"] + 1e-9) & (ok["pct"] <= ok["ci_high"] + 1e-9)).all()
        outside = (ok["ci_low"] > total[item]) | (ok["ci_high"] < total[item])
        assert (ok["differs_from_total"].astype(bool) == outside).all()
        assert rows.loc[rows["status"] != "ok", "rank"].isna().all()


@pytest.mark.parametrize("fig_id", PER_MUNICIPALITY)
def test_each_panel_draws_one_dot_and_one_interval_per_shown_municipality(drawn, fig_id):
    fig, data, _ = drawn[fig_id]
    muni = data[(data["unit"] == "municipality") & (data["status"] == "ok")]
    axes = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert len(axes) == data["item"].nunique()
    dots = [sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)) for ax in axes]
    whiskers = [sum(len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection)) for ax in axes]
    per_item = muni.groupby("item", sort=False).size()
    items = list(dict.fromkeys(data["item"]))
    assert dots == [per_item.get(i, 0) for i in items]
    assert whiskers == dots
    # the total is the dashed reference line of each panel
    total = data[data["unit"] == "overall"].set_index("item")["pct"]
    for ax, item in zip(axes, items):
        lines = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
        assert len(lines) == 1 and lines[0].get_ydata()[0] == pytest.approx(total[item])


def test_response_figure_has_every_municipality_sorted(drawn, national):
    _, sheet = national
    _, data, _ = drawn["3.1"]
    assert sorted(data["municipality_id"]) == sorted(sheet["municipality_id"])
    ok = data[data["status"] == "ok"].sort_values("rank")
    assert (np.diff(ok["response_pct"].to_numpy()) <= 0).all()
    assert set(data["size_class"]) == {"G4", "G32", "small"}


def test_threshold_from_config_switches_the_layout(national, book):
    cells, sheet = national
    # far above the number of municipalities a row per municipality would be unreadable: refused
    with pytest.raises(ValueError, match="3000 px"):
        F.figuur_4_4(cells, book, max_rows=400, municipalities=sheet)
    # a small wave above a low threshold gets the dot plot too; at or under it, the heatmap
    few = cells[(cells["unit"] != "municipality") | cells["unit_id"].isin(["GM0001", "GM0002", "GM0003"])]
    _, dots = F.figuur_4_4(few, book, max_rows=2, municipalities=sheet)
    _, heat = F.figuur_4_4(few, book, max_rows=3, municipalities=sheet)
    assert "rank" in dots and "rank" not in heat


def test_every_panel_shows_all_its_dots_when_one_item_is_mostly_hidden(national, book):
    """Public mode can hide nearly all municipality cells of one item (a hidden lead takes its
    follow-ups along). The panels share x: the last panel's few dots once set the range of all
    of them, and every other panel showed 2 of its 300 dots."""
    cells, sheet = national
    cells = cells.copy()
    last = "segv_work"  # the last panel of Figuur 4.2 (the priorities block)
    hide = (cells["unit"] == "municipality") & (cells["item"] == last)
    hide &= cells["unit_id"] != min(cells.loc[hide, "unit_id"])
    cells.loc[hide, ["count", "pct", "pct_rounded", "ci_low", "ci_high"]] = np.nan
    cells.loc[hide, "status"] = "×"
    fig, data = F.figuur_4_2(cells, book, municipalities=sheet)
    hidden = data[(data["item"] == last) & (data["status"] == "×")]
    assert any(f"{len(hidden)} ×" in ax.get_title(loc="left") for ax in fig.axes)  # hidden, not "small numbers"
    for ax in (ax for ax in fig.axes if ax.get_title(loc="left")):
        lo, hi = ax.get_xlim()
        xs = np.concatenate([c.get_offsets()[:, 0] for c in ax.collections if isinstance(c, PathCollection)])
        assert len(xs) and ((xs >= lo) & (xs <= hi)).all(), (ax.get_title(loc="left"), lo, hi, xs.max())


def test_size_classes_in_the_legend_are_in_the_figures_language(drawn):
    # the sheet's key `small` once stood in the Dutch legends
    for fig_id in ("3.1", "4.2"):
        fig = drawn[fig_id][0]
        labels = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
        assert any(lab.startswith("Kleinere gemeenten (") for lab in labels), labels
        assert not any("small" in lab for lab in labels), labels
