"""The report's figures, rebuilt from results/<wave>/cells.csv: one builder per figure.

Each builder is pure: it takes DataFrames and the codebook and returns the matplotlib Figure and
the tidy data it plots (`figuur_6_1(cells, book, language) -> (Figure, DataFrame)`). Only
`save_figure` writes files: `<stem>.png`, `<stem>.svg` and `<stem>.data.csv`, byte-identical on
every rerun (fixed size, dpi, font, metadata and SVG hash salt).

Assumptions about cells.csv (the aggregate stage's contract):
- `pct` is 100 * count / base, unrounded; `pct_rounded` is the report's half-up whole percent.
- `ci_low` / `ci_high` are Wilson 95% bounds; proportions (0-1) are expected, percentages are
  recognised (any bound above 1) and used as they are.
- An item the wave did not ask has `status == "not asked"`, or base 0 in every unit, or no rows at
  all. Such an item is drawn as "niet gevraagd" / "not asked", never as 0%.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import textwrap
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.core.codebook import Codebook, Item
from analysis.core.rounding import format_percent, whole_percent
from analysis.core.disclosure.marks import SECONDARY_MARK as SUPPRESSED_N, is_suppressed
from analysis.publication.answered import figure_items, figure_n_text, has_item_nonresponse, respondents
from analysis.publication.registry import FIGURE, FIGURE_IDS, FIGURES, KIND_WORDS, FigureSpec, call_builder
from analysis.publication.tables import mark_free, unit_n
from analysis.publication.text import WORDS, size_class_name
from analysis.core.vocabulary import SIZE_CLASSES, UNKNOWN, natural_key

# --- what is drawn -------------------------------------------------------------------------------


# Which figures exist, their numbers, titles and builders: publication/registry.py (one spec each).


# Fixed look: DejaVu Sans ships with matplotlib, so every machine renders the same PNG glyphs.
# Named as the one sans-serif font, so that an SVG says "'DejaVu Sans', sans-serif": a viewer
# without DejaVu Sans falls back to its own sans-serif, not to its default serif font.
STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8,
    "svg.hashsalt": "rivm270161002",
    "svg.fonttype": "none",  # text stays text: searchable, selectable, a third of the cost
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
DPI = 150
PNG_METADATA = {"Software": None}
# zlib level 3 instead of PIL's 6: the same pixels, files ~3% larger, a third less time encoding
PNG_ENCODING = {"compress_level": 3}
SVG_METADATA = {"Date": None, "Creator": None}
ANSWER_COLOURS = {"ja": "#2b6c9e", "weet_niet": "#b8b8b8", "nee": "#e39c4c"}
BAR_COLOUR = "#2b6c9e"
# Up to this many municipalities the per-municipality figures keep the report's layout (a heatmap
# or bar row per municipality); above it, a sorted dot plot per item whose size does not grow
# with the number of municipalities. 55 rows is where a heatmap passes 3000 px at 150 dpi.
MUNICIPALITY_ROWS_MAX = 40
MUNICIPALITY_ROWS_LIMIT = 55
# size classes of the municipality sheet (vocabulary.SHEET_SIZE_CLASSES): drawn small first, so
# that the few large cities are on top
SIZE_CLASS_COLOURS = dict(zip(SIZE_CLASSES, ("#b2182b", "#e39c4c", "#2b6c9e"))) | {UNKNOWN: "#888888"}
NOT_ASKED_COLOUR = "#eeeeee"


# --- reading cells -------------------------------------------------------------------------------


def _wave(cells: pd.DataFrame) -> str:
    waves = sorted(cells["wave"].astype(str).unique())
    return ", ".join(waves)


def _not_asked(cells: pd.DataFrame, item_ids: list[str]) -> set[str]:
    """Items the wave did not ask at all: they must read "not asked", not 0%."""
    rows = cells[cells["item"].isin(item_ids)]
    status = rows["status"].astype(str) if "status" in rows else pd.Series("", index=rows.index)
    per_item = pd.DataFrame({"item": rows["item"], "base": rows["base"], "flag": status.eq("not asked")})
    per_item = per_item.groupby("item").agg(base=("base", "sum"), flagged=("flag", "all"))
    asked = per_item.index[(per_item["base"] > 0) & ~per_item["flagged"]]
    return set(item_ids) - set(asked)


def _ci_factor(cells: pd.DataFrame) -> float:
    # Proportions are expected; a bound above 1 can only be a percentage.
    high = pd.to_numeric(cells.get("ci_high", pd.Series(dtype=float)), errors="coerce")
    return 1.0 if high.max(skipna=True) > 1 else 100.0


def answer_table(cells: pd.DataFrame, unit: str, item_ids: list[str], answer: str = "ja",
                 unit_ids: list[str] | None = None) -> pd.DataFrame:
    """One row per (unit_id, item): count of `answer`, base, pct and CI (in %), and a status.

    Every unit_id of `unit` (or of `unit_ids`, for units that may have no respondents at all) gets
    every item, so a missing combination still appears: status "not asked" (the wave did not ask
    the item) or "n=0" (nobody in the unit was asked it).
    """
    unit_rows = cells[cells["unit"] == unit]
    if unit_ids is None:
        unit_ids = sorted(unit_rows["unit_id"].astype(str).unique(), key=natural_key)
    grid = pd.MultiIndex.from_product([unit_ids, item_ids], names=["unit_id", "item"]).to_frame(index=False)
    hits = unit_rows[unit_rows["item"].isin(item_ids) & (unit_rows["answer"] == answer)].copy()
    hits["unit_id"] = hits["unit_id"].astype(str)
    cols = ["unit_id", "item", "base", "count", "pct", "pct_rounded", "ci_low", "ci_high", "status", "basis"]
    out = grid.merge(hits[[c for c in cols if c in hits]], on=["unit_id", "item"], how="left")
    # a suppressed cell keeps its mark ("< k" or "×") and no number, never 0
    if "status" not in out:
        out["status"] = ""
    suppressed = out["status"].map(is_suppressed).astype(bool)
    out["base"] = out["base"].mask(out["base"].isna() & ~suppressed, 0).astype("Int64")
    out["count"] = out["count"].mask(out["count"].isna() & ~suppressed, 0).astype("Int64")
    factor = _ci_factor(cells)
    out["ci_low"] = out["ci_low"] * factor
    out["ci_high"] = out["ci_high"] * factor
    not_asked = _not_asked(cells, item_ids)
    status = np.where(out["item"].isin(not_asked), "not asked", np.where(out["base"].fillna(1) == 0, "n=0", "ok"))
    out["status"] = out["status"].where(suppressed, status).astype(str)
    # pct of a unit nobody was asked is undefined, not 0
    for col in ("pct", "pct_rounded", "ci_low", "ci_high"):
        out[col] = out[col].where(out["status"] == "ok")
    out.insert(0, "unit", unit)
    out.insert(3, "answer", answer)
    return out


def _n(n) -> str:
    """An n for a label; a base hidden by small-cell protection reads "×", never 0."""
    return SUPPRESSED_N if pd.isna(n) else str(int(n))


def figure_n_label(cells: pd.DataFrame, items: list[Item], language: str) -> Callable[[object], str]:
    """How a legend or row label gives a unit's n of answered bases: "n=31", or "beantwoord
    n=29" where some who were asked the items did not answer (the figure title's words)."""
    nonresponse = has_item_nonresponse(cells, [it.id for it in items])
    return lambda n: SUPPRESSED_N if pd.isna(n) else figure_n_text(n, n, nonresponse, language)


# --- labels ----------------------------------------------------------------------------------------


def _unit_label(book: Codebook, unit: str, unit_id: str, language: str) -> str:
    if unit == "municipality":
        return f"{WORDS[language]['municipality']} {unit_id}" if str(unit_id).isdigit() else str(unit_id)
    if unit == "sector":
        return getattr(book.sector(unit_id), language)
    if unit == "domain":
        return book.domains[unit_id][language]
    if unit == "overall":
        return WORDS[language]["total"]
    return str(unit_id)


def _item_label(item: Item, language: str, width: int = 45) -> str:
    # Labels rebuilt from a garbled report get a star, explained in the footer.
    star = "*" if _uncertain(item) else ""
    return textwrap.fill(item.label(language) + star, width)


def _uncertain(item: Item) -> bool:
    # label_basis says how sure the *table column* behind an item is. Inferred with high
    # confidence (Tabel VII.3, IX.1, IX.2: headers not printed, columns in the figures' order)
    # leaves the label itself certain: the report's figures print it.
    basis = str(item.extra.get("label_basis", "printed"))
    return basis == "unknown" or (basis.startswith("inferred") and not basis.endswith("high"))


def _pct_text(row, language: str) -> str:
    if row["status"] == "not asked":
        return WORDS[language]["not_asked"]
    if is_suppressed(row["status"]):
        return str(row["status"])
    if row["status"] != "ok" or pd.isna(row["pct_rounded"]):
        return WORDS[language]["no_base"]
    text = format_percent(row["pct_rounded"])
    # a reconstructed wave's cell that nothing published fixes: marked, legend in the footer
    return mark_free(text, row.get("basis") == "free", language)


def _free_note(data: pd.DataFrame, language: str) -> str | None:
    """The legend of the free-cell mark, when the figure shows a free cell."""
    if "basis" not in data:
        return None
    shown = data["basis"].eq("free") & data["status"].eq("ok")
    return WORDS[language]["free_legend"] if shown.any() else None


# --- drawing ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(STYLE):
        yield


def _new_figure(width: float, height: float, canvas: bool = True) -> Figure:
    # A bare Figure (no pyplot): no global state, nothing to close, same result in any process.
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    if canvas:
        # with a canvas attached, seaborn's tick-label overlap check reuses the figure's renderer;
        # without one it draws the whole figure into a new renderer once per label (quadratic in
        # rows: 10 GB for a heatmap of 342 municipalities).
        FigureCanvasAgg(fig)
    return fig


def _finish(fig: Figure, spec: FigureSpec, language: str, wave: str, n_text: str | None, notes: list[str | None]) -> None:
    """Title with n, footer with the wave id and any note (synthetic data, left-out units)."""
    title = spec.title(language) + (f" ({n_text})" if n_text else "")
    # ~12 characters of 9 pt text per inch: wrap so a narrow heatmap keeps its whole title
    heading = f"{KIND_WORDS[FIGURE][0 if language == 'nl' else 1]} {spec.number}  {title}"
    fig.suptitle(textwrap.fill(heading, int(fig.get_figwidth() * 12)), fontsize=9, x=0.01, ha="left")
    footer = [f"{WORDS[language]['wave']}: {wave}"] + [n for n in notes if n]
    # ~17 characters of 6.5 pt text per inch: long notes (small-cell protection) wrap, not clip
    width = int(fig.get_figwidth() * 17)
    lines = [textwrap.fill(line, width) for note in footer for line in note.split("\n")]
    fig.supxlabel("\n".join(lines), x=0.01, ha="left", fontsize=6.5, color="#444444")


def _pct_bars(ax, data: pd.DataFrame, labels: list[str], language: str, colour: str = BAR_COLOUR) -> None:
    """Horizontal % bars, top to bottom in data order, with Wilson whiskers and the rounded %."""
    y = np.arange(len(data))[::-1]
    pct = data["pct"].fillna(0).to_numpy()
    err = np.vstack([(data["pct"] - data["ci_low"]).fillna(0), (data["ci_high"] - data["pct"]).fillna(0)])
    ax.barh(y, pct, color=colour, xerr=err, error_kw={"ecolor": "#555555", "elinewidth": 0.7, "capsize": 2})
    for yi, (_, row) in zip(y, data.iterrows()):
        # right of the whisker, so the number never sits on the error bar
        x = 1 if row["status"] != "ok" else np.nanmax([row["pct"], row["ci_high"]]) + 1
        ax.text(x, yi, _pct_text(row, language), va="center", fontsize=7,
                style="italic" if row["status"] != "ok" else "normal")
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 110)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(WORDS[language]["pct_officers"])


def _heatmap(ax, data: pd.DataFrame, row_col: str, col_col: str, language: str) -> None:
    """Rows x columns of % ja: colour = %, text = rounded % (and the cell's n when it differs)."""
    rows = list(dict.fromkeys(data[row_col]))
    cols = list(dict.fromkeys(data[col_col]))
    pct = data.pivot(index=row_col, columns=col_col, values="pct").reindex(index=rows, columns=cols).astype(float)
    text = data.assign(t=data.apply(lambda r: _cell_text(r, language), axis=1))
    annot = text.pivot(index=row_col, columns=col_col, values="t").reindex(index=rows, columns=cols)
    ax.set_facecolor(NOT_ASKED_COLOUR)
    with _no_tick_label_overlap_check():
        sns.heatmap(pct, ax=ax, vmin=0, vmax=100, cmap="Blues", annot=annot.to_numpy(), fmt="", mask=pct.isna(),
                    linewidths=0.5, linecolor="white", annot_kws={"fontsize": 6.5},
                    cbar_kws={"label": WORDS[language]["pct_yes"], "shrink": 0.6})
    # seaborn leaves masked cells blank: write why they are empty
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            if np.isnan(pct.iat[i, j]):
                ax.text(j + 0.5, i + 0.5, annot.iat[i, j], ha="center", va="center", fontsize=5.5, style="italic", color="#555555")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=90)
    ax.tick_params(axis="y", labelrotation=0)


@contextlib.contextmanager
def _no_tick_label_overlap_check() -> Iterator[None]:
    """seaborn's heatmap turns overlapping tick labels (vertical x labels, horizontal y labels);
    _heatmap sets both rotations itself right after, so the check decides nothing here. On a
    figure without a canvas (see _municipality_heatmap) it measures each label with a renderer of
    its own: a third of a second per wave. Skipped while the heatmap is drawn; the pixels are the
    same (compared with numpy on every figure of both configured waves)."""
    matrix = sns.matrix
    check = getattr(matrix, "axis_ticklabels_overlap", None)
    if check is None:  # another seaborn: nothing to skip
        yield
        return
    matrix.axis_ticklabels_overlap = lambda labels: False
    try:
        yield
    finally:
        matrix.axis_ticklabels_overlap = check


def _cell_text(row, language: str) -> str:
    text = _pct_text(row, language)
    if row["status"] == "ok" and row["base"] != row["row_n"]:
        text += f"\n(n={row['base']})"
    return text


# --- shared shapes -----------------------------------------------------------------------------------


def _per_municipality(cells: pd.DataFrame, book: Codebook, items: list[Item], language: str, min_n: int) -> tuple[pd.DataFrame, list[str]]:
    """% ja per municipality and item, plus a total row; municipalities below `min_n` left out."""
    ids = [it.id for it in items]
    muni = answer_table(cells, "municipality", ids)
    n_resp = respondents(cells, "municipality")
    muni["respondents"] = muni["unit_id"].map(n_resp).fillna(0).astype(int)
    dropped = sorted(muni.loc[muni["respondents"] < min_n, "unit_id"].unique(), key=natural_key)
    muni = muni[muni["respondents"] >= min_n]
    total = answer_table(cells, "overall", ids)
    total["respondents"] = int(respondents(cells, "overall").max())
    data = pd.concat([muni, total], ignore_index=True)
    # the row's n is who answered these items there (e.g. collaborators; the base of its plotted
    # percentages, as the appendix tables' n), shown in the row label as Figuur 4.1's legend does
    data["row_n"] = data.groupby("unit_id")["base"].transform("max").astype("Int64")
    said = figure_n_label(cells, items, language)
    data["row_label"] = [f"{_unit_label(book, u, i, language)} ({said(n)})" for u, i, n in zip(data["unit"], data["unit_id"], data["row_n"])]
    data["item_label"] = data["item"].map({it.id: _item_label(it, language, 28) for it in items})
    data["min_n"] = min_n
    left_out = [f"{_unit_label(book, 'municipality', m, language)} (n={n_resp.get(m, 0)})" for m in dropped]
    return data, left_out


def _municipality_heatmap(cells, book, items, spec, language, note, min_n, max_rows=MUNICIPALITY_ROWS_MAX,
                          municipalities=None) -> tuple[Figure, pd.DataFrame]:
    if _many_municipalities(cells, max_rows):
        return _municipality_dots(cells, book, items, spec, language, note, min_n, municipalities)
    data, left_out = _per_municipality(cells, book, items, language, min_n)
    n_rows = data["unit_id"].nunique()
    with _style():
        # No canvas: the report's heatmaps were laid out after seaborn's per-label redraws, and
        # their bytes depend on it (with a canvas, cell edges move by 0.1 px). That costs a draw
        # per label, bounded because the heatmap is only used up to MUNICIPALITY_ROWS_LIMIT rows.
        fig = _new_figure(2.0 + 1.0 * len(items), 3.4 + 0.3 * n_rows, canvas=False)
        ax = fig.add_subplot()
        _heatmap(ax, data, "row_label", "item_label", language)
        ax.axhline(n_rows - 1, color="black", linewidth=1)  # separates the total row
        notes = [WORDS[language]["left_out"].format(min_n=min_n, names=", ".join(left_out)) if left_out else None]
        notes.append(WORDS[language]["uncertain"] if any(_uncertain(it) for it in items) else None)
        _finish(fig, spec, language, _wave(cells), None, notes + [note, _free_note(data, language)])
    return fig, _tidy(data, spec, cells)


def _many_municipalities(cells: pd.DataFrame, max_rows: int) -> bool:
    """Above `max_rows` municipalities a row per municipality is unreadable: use the dot plot."""
    if max_rows > MUNICIPALITY_ROWS_LIMIT:
        raise ValueError(f"figures: municipality_rows_max is {max_rows}; above {MUNICIPALITY_ROWS_LIMIT} "
                         "a figure with a row per municipality is taller than 3000 px")
    return respondents(cells, "municipality").size > max_rows


def _size_classes(municipalities: pd.DataFrame | None) -> dict[str, str]:
    """municipality id -> size class of the sheet (unknown where the sheet has none)."""
    if municipalities is None or "size_class" not in municipalities:
        return {}
    return dict(zip(municipalities["municipality_id"].astype(str), municipalities["size_class"].astype(str)))


def _ranked(rows: pd.DataFrame, value: str) -> pd.DataFrame:
    """Rows with a value, highest first; ties in the one municipality order (natural_key)."""
    keys = [natural_key(unit_id) for unit_id in rows["unit_id"]]
    rows = rows.iloc[sorted(range(len(rows)), key=keys.__getitem__)]
    rows = rows.sort_values(value, ascending=False, kind="stable")
    return rows.assign(rank=np.arange(1, len(rows) + 1))


def _municipality_dots(cells, book, items, spec, language, note, min_n, municipalities) -> tuple[Figure, pd.DataFrame]:
    """One panel per item: every municipality a dot at its % ja with its Wilson interval, sorted
    high to low, coloured by size class, the total as a dashed line; a dot is filled when its
    interval excludes the total. Its size does not depend on the number of municipalities."""
    t = WORDS[language]
    data, left_out = _per_municipality(cells, book, items, language, min_n)
    data["size_class"] = data["unit_id"].map(_size_classes(municipalities)).fillna(UNKNOWN).where(data["unit"] == "municipality")
    total = data[data["unit"] == "overall"].set_index("item")
    ranked, widest = [], 0
    with _style():
        fig = _new_figure(10.0, 2.1 + 1.55 * len(items))
        # a thin first row holds the legend: laid out like any panel, it never covers the title
        rows = fig.subplots(len(items) + 1, 1, squeeze=False, height_ratios=[0.12] + [1] * len(items))[:, 0]
        legend_ax, axes = rows[0], rows[1:]
        for ax in axes[1:]:
            ax.sharex(axes[0])
        for ax, item in zip(axes, items):
            rows = data[(data["unit"] == "municipality") & (data["item"] == item.id)]
            shown = _ranked(rows[rows["status"] == "ok"], "pct")
            ref = total.at[item.id, "pct"]
            shown = shown.assign(differs_from_total=(shown["ci_low"] > ref) | (shown["ci_high"] < ref))
            ranked.append(pd.concat([shown, rows[rows["status"] != "ok"].assign(rank=pd.NA)]))
            widest = max(widest, len(shown))
            _dot_panel(ax, shown, ref, t["total_line"].format(pct=_pct_text(total.loc[item.id], language)))
            # why each is without a percentage, in the marks the note explains ("< 5", "×", "n=0"):
            # a breakdown hidden to protect others is not "small numbers"
            why = rows.loc[rows["status"] != "ok", "status"].astype(str).value_counts().sort_index()
            title = f"{item.label(language)}{'*' if _uncertain(item) else ''}  —  " + t["shown"].format(
                shown=len(shown), total=len(rows), hidden=", ".join(f"{n} {mark}" for mark, n in why.items()) or "0")
            ax.set_title(textwrap.fill(title, 140), fontsize=7.5, loc="left")
        # the panels share x: the range is the widest panel's, else an item whose municipality
        # cells are mostly hidden would cut every other panel down to its few dots
        axes[0].set_xlim(-1, max(1, widest))
        axes[-1].set_xlabel(t["ranked"])
        _size_legend(legend_ax, data, t, language)
        notes = [t["dots_note"],
                 t["left_out_count"].format(min_n=min_n, count=len(left_out)) if left_out else None,
                 t["uncertain"] if any(_uncertain(it) for it in items) else None, note]
        _finish(fig, spec, language, _wave(cells), None, notes)
    out = pd.concat(ranked + [data[data["unit"] == "overall"]], ignore_index=True)
    return fig, _tidy(out, spec, cells)


def _dot_panel(ax, shown: pd.DataFrame, ref: float, ref_label: str) -> None:
    """Dots (x = rank) with Wilson whiskers, coloured by size class; the total as a line."""
    x = shown["rank"].to_numpy() - 1
    for size_class, colour in reversed(SIZE_CLASS_COLOURS.items()):
        pick = (shown["size_class"] == size_class).to_numpy()
        if not pick.any():
            continue
        d = shown[pick]
        ax.vlines(x[pick], d["ci_low"], d["ci_high"], color=colour, linewidth=0.5, alpha=0.55)
        filled = d["differs_from_total"].to_numpy(dtype=bool)
        ax.scatter(x[pick][filled], d["pct"][filled], s=9, color=colour, linewidths=0, zorder=3)
        ax.scatter(x[pick][~filled], d["pct"][~filled], s=9, facecolors="white", edgecolors=colour, linewidths=0.6, zorder=3)
    if pd.notna(ref):
        ax.axhline(ref, color="black", linestyle="--", linewidth=0.8, zorder=4)
        ax.text(1.0, ref, " " + ref_label, transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=7)
    ax.set_ylim(0, 100)
    ax.set_yticks(range(0, 101, 25), [format_percent(v) for v in range(0, 101, 25)])
    ax.set_xticks([])
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.5)
    ax.set_axisbelow(True)


def _size_legend(ax, data: pd.DataFrame, t: dict, language: str) -> None:
    """Size classes with their number of municipalities, and what a filled dot means."""
    from matplotlib.lines import Line2D

    counts = data.dropna(subset=["size_class"]).drop_duplicates("unit_id")["size_class"].value_counts()
    handles = [Line2D([], [], marker="o", linestyle="", color=c, markersize=4, label=f"{size_class_name(k, language)} ({counts[k]})")
               for k, c in SIZE_CLASS_COLOURS.items() if k in counts]
    handles += [Line2D([], [], marker="o", linestyle="", color="#444444", markersize=4, label=t["differs"]),
                Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#444444", markersize=4, label=t["overlaps"])]
    handles[0].set_label(f"{t['size_class']}: {handles[0].get_label()}")
    ax.axis("off")
    ax.legend(handles=handles, fontsize=6.5, ncols=len(handles), loc="center left", frameon=False, borderaxespad=0)


def _overall_bars(cells, book, items, spec, language, note) -> tuple[Figure, pd.DataFrame]:
    data = answer_table(cells, "overall", [it.id for it in items])
    data["item_label"] = data["item"].map({it.id: _item_label(it, language) for it in items})
    with _style():
        fig = _new_figure(7.5, 1.2 + 0.38 * len(items))
        ax = fig.add_subplot()
        _pct_bars(ax, data, list(data["item_label"]), language)
        notes = [WORDS[language]["whiskers"], WORDS[language]["uncertain"] if any(_uncertain(it) for it in items) else None, note]
        _finish(fig, spec, language, _wave(cells), _n_text(data, language, cells), notes + [_free_note(data, language)])
    return fig, _tidy(data, spec, cells)


def _n_text(data: pd.DataFrame, language: str = "nl", cells: pd.DataFrame | None = None) -> str:
    """The n of a figure's title: the answered n of its items ("n=142–150"), said to be the
    answered n where some who were asked did not answer (`cells`), as report.html's heading says."""
    bases = sorted(set(data.loc[data["status"] == "ok", "base"]))
    if len(data) and data["status"].eq("not asked").all():
        return WORDS[language]["not_asked"]  # the wave did not ask it: never "n=0" (read as nobody)
    if not bases:
        return "n=0"
    nonresponse = cells is not None and has_item_nonresponse(cells, data["item"].unique())
    return figure_n_text(bases[0], bases[-1], nonresponse, language)


def _tidy(data: pd.DataFrame, spec: FigureSpec, cells: pd.DataFrame) -> pd.DataFrame:
    """The plotted numbers in a stable column order, with the figure and wave they belong to."""
    out = data.copy()
    out.insert(0, "figure", spec.number)
    out.insert(1, "wave", _wave(cells))
    first = ["figure", "wave", "unit", "unit_id", "row_label", "item", "item_label", "answer",
             "base", "count", "pct", "pct_rounded", "ci_low", "ci_high", "status"]
    cols = [c for c in first if c in out] + [c for c in out if c not in first]
    out = out[cols]
    for c in ("row_label", "item_label"):
        if c in out:
            out[c] = out[c].str.replace("\n", " ", regex=False)
    return out.reset_index(drop=True)


# --- the figures -------------------------------------------------------------------------------------


def figuur_3_1(cells: pd.DataFrame, municipalities: pd.DataFrame, book: Codebook, language: str = "nl",
               note: str | None = None, max_rows: int = MUNICIPALITY_ROWS_MAX) -> tuple[Figure, pd.DataFrame]:
    """Response per municipality: received / questionnaires_sent; received only where sent is unknown."""
    spec, t = FIGURES["3.1"], WORDS[language]
    received = respondents(cells, "municipality")
    data = municipalities[["municipality_id"]].astype(str).copy()
    data["received"] = data["municipality_id"].map(received).fillna(0).astype(int)
    data["sent"] = pd.to_numeric(municipalities["questionnaires_sent"], errors="coerce").astype("Int64").to_numpy()
    data["response_pct"] = (100 * data["received"] / data["sent"].astype("Float64")).astype(float)
    data["response_pct_rounded"] = pd.array([whole_percent(count=r, base=s) if pd.notna(s) and s > 0 else pd.NA
                                             for r, s in zip(data["received"], data["sent"])], dtype="Int64")
    data["status"] = np.where(data["sent"].isna(), "sent unknown", "ok")
    data = data.iloc[sorted(range(len(data)), key=lambda i: natural_key(data["municipality_id"].iat[i]))]
    data["row_label"] = [f"{_unit_label(book, 'municipality', m, language)} (n={n})" for m, n in zip(data["municipality_id"], data["received"])]
    known = data[data["status"] == "ok"]
    if _many_municipalities(cells, max_rows) or len(data) > max_rows:
        return _response_dots(data, municipalities, spec, language, _wave(cells), note)
    with _style():
        fig = _new_figure(7.0, 1.2 + 0.3 * len(data))
        ax = fig.add_subplot()
        y = np.arange(len(data))[::-1]
        show_pct = not known.empty
        values = data["response_pct"].fillna(0) if show_pct else data["received"]
        ax.barh(y, values, color=BAR_COLOUR)
        for yi, (_, row) in zip(y, data.iterrows()):
            if row["status"] == "ok":
                label = f"{int(row['received'])}/{int(row['sent'])} ({format_percent(row['response_pct_rounded'])})"
            else:
                label = t["sent_unknown"].format(received=int(row["received"]))
            ax.text((values.loc[row.name] if row["status"] == "ok" or not show_pct else 0) + 1, yi, label, va="center", fontsize=7)
        ax.set_yticks(y, list(data["row_label"]))
        ax.set_xlim(0, 130 if show_pct else max(1, data["received"].max()) * 1.4)
        ax.set_xlabel(t["response"] if show_pct else t["received_axis"])
        total_received = int(data["received"].sum())
        if show_pct:
            total_sent = int(known["sent"].sum())
            got = int(known["received"].sum())
            pct = format_percent(count=got, base=total_sent)
            n_text = f"{got}/{total_sent} = {pct}"
            if len(known) < len(data):
                n_text = t["response_known"].format(received=got, sent=total_sent, pct=pct, total=total_received)
        else:
            n_text = f"n={total_received}"
        _finish(fig, spec, language, _wave(cells), n_text, [note])
    out = data.assign(figure=spec.number, wave=_wave(cells))
    return fig, out[["figure", "wave", "municipality_id", "row_label", "received", "sent", "response_pct", "response_pct_rounded", "status"]].reset_index(drop=True)


def _response_dots(data, municipalities, spec, language, wave, note) -> tuple[Figure, pd.DataFrame]:
    """Figuur 3.1 for many municipalities: response per municipality sorted high to low, coloured
    by size class, the overall response as a line (no interval: a response rate is a count of
    the whole population, not an estimate). Without any number sent: questionnaires received."""
    t = WORDS[language]
    known = data[data["status"] == "ok"]
    show_pct = not known.empty
    value = "response_pct" if show_pct else "received"
    data = data.assign(unit_id=data["municipality_id"], size_class=data["municipality_id"].map(_size_classes(municipalities)).fillna(UNKNOWN))
    shown = _ranked(data[data["status"] == "ok"] if show_pct else data, value)
    if show_pct:
        got, sent = int(known["received"].sum()), int(known["sent"].sum())
        ref, n_text = 100 * got / sent, f"{got}/{sent} = {format_percent(count=got, base=sent)}"
        ref_label = t["response_total"].format(pct=format_percent(count=got, base=sent))
    else:
        ref, n_text, ref_label = float(data["received"].mean()), f"n={int(data['received'].sum())}", ""
    with _style():
        fig = _new_figure(10.0, 3.6)
        ax = fig.add_subplot()
        x = shown["rank"].to_numpy() - 1
        for size_class, colour in reversed(SIZE_CLASS_COLOURS.items()):
            pick = (shown["size_class"] == size_class).to_numpy()
            ax.scatter(x[pick], shown[value].to_numpy()[pick], s=9, color=colour, linewidths=0, zorder=3,
                       label=f"{size_class_name(size_class, language)} ({int(pick.sum())})")
        ax.axhline(ref, color="black", linestyle="--", linewidth=0.8)
        if ref_label:
            ax.text(1.0, ref, " " + ref_label, transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=7)
        ax.set_xlim(-1, max(1, len(shown)))
        ax.set_xticks([])
        ax.set_ylim(0, max(100.0, float(np.nanmax(shown[value]))) * 1.05 if show_pct else None)
        ax.set_ylabel(t["response"] if show_pct else t["received_axis"])
        ax.set_xlabel(t["ranked"])
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.5)
        ax.set_axisbelow(True)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend([h for h, lab in zip(handles, labels) if not lab.endswith("(0)")], [lab for lab in labels if not lab.endswith("(0)")],
                  title=t["size_class"], fontsize=6.5, title_fontsize=7, ncols=4, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False)
        unknown = len(data) - len(known)
        notes = [t["sent_unknown_count"].format(count=unknown) if show_pct and unknown else None, note]
        _finish(fig, spec, language, wave, n_text, notes)
    out = pd.concat([shown, data[~data["municipality_id"].isin(shown["municipality_id"])].assign(rank=pd.NA)], ignore_index=True)
    out = out.assign(figure=spec.number, wave=wave)
    return fig, out[["figure", "wave", "municipality_id", "row_label", "size_class", "rank", "received", "sent", "response_pct",
                     "response_pct_rounded", "status"]].reset_index(drop=True)


def figuur_4_1(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None) -> tuple[Figure, pd.DataFrame]:
    """% ja per VNG domain for the figure's items, the domains of config/sectors.yaml
    `compared_domains` (the report leaves out 4 veiligheid and anders, footnote 19)."""
    spec = FIGURES["4.1"]
    domains = book.domains_compared
    items = figure_items(book, "4.1")
    data = answer_table(cells, "domain", [it.id for it in items])
    data = data[data["unit_id"].isin(domains)].copy()
    # A domain's n is the base of its plotted percentages: those who answered the figure's items
    # (the largest base among them, as the data table's "n (beantwoord)" column: tables.unit_n),
    # not all respondents of the domain, whom item nonresponse makes more (review r16n, #7).
    n_dom = unit_n(cells, "domain", items)
    said = figure_n_label(cells, items, language)
    data["row_label"] = [f"{_unit_label(book, 'domain', d, language)} ({said(n_dom.get(d, 0))})" for d in data["unit_id"]]
    data["item_label"] = data["item"].map({it.id: _item_label(it, language, 30) for it in items})
    with _style():
        fig = _new_figure(8.0, 4.6)
        ax = fig.add_subplot()
        width = 0.8 / len(domains)
        palette = sns.color_palette("Blues_d", len(domains))
        for k, dom in enumerate(domains):
            d = data[data["unit_id"] == dom].set_index("item").reindex([it.id for it in items])
            x = np.arange(len(items)) + (k - (len(domains) - 1) / 2) * width
            err = np.vstack([(d["pct"] - d["ci_low"]).fillna(0), (d["ci_high"] - d["pct"]).fillna(0)])
            label = d["row_label"].dropna().iat[0] if d["row_label"].notna().any() else dom
            ax.bar(x, d["pct"].fillna(0), width, color=palette[k], label=textwrap.fill(label, 40), yerr=err,
                   error_kw={"ecolor": "#555555", "elinewidth": 0.7, "capsize": 2})
            for xi, (_, row) in zip(x, d.iterrows()):
                txt = _pct_text(row, language) if pd.notna(row["status"]) else ""
                ax.text(xi, (np.nanmax([row["pct"], row["ci_high"]]) if row["status"] == "ok" else 0) + 1, txt, ha="center", va="bottom", fontsize=6.5,
                        rotation=0 if row["status"] == "ok" else 90)
        ax.set_xticks(np.arange(len(items)), [_item_label(it, language, 30) for it in items])
        ax.set_ylim(0, 110)
        ax.set_ylabel(WORDS[language]["pct_officers"])
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=len(domains), frameon=False)
        # left out as the 2009 report did (its footnote 19), whatever their n in this wave: the note
        # says so with their n, rather than "small numbers" under a domain of 16
        left = [f"{_unit_label(book, 'domain', d, language)} ({said(n_dom.get(d, 0))})" for d in book.domains if d not in domains]
        notes = [("Niet getoond, zoals in het rapport van 2009 (voetnoot 19): " if language == "nl"
                  else "Not shown, as in the 2009 report (footnote 19): ") + ", ".join(left),
                 WORDS[language]["whiskers"], note, _free_note(data, language)]
        _finish(fig, spec, language, _wave(cells), None, notes)
    return fig, _tidy(data, spec, cells)


def figuur_4_2(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None,
               min_n: int = 2,
               max_rows: int = MUNICIPALITY_ROWS_MAX, municipalities: pd.DataFrame | None = None) -> tuple[Figure, pd.DataFrame]:
    """Priorities block per municipality; municipalities with fewer than `min_n` respondents left out (footnote 20)."""
    return _municipality_heatmap(cells, book, figure_items(book, "4.2"), FIGURES["4.2"], language, note, min_n, max_rows, municipalities)


def figuur_4_3(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None) -> tuple[Figure, pd.DataFrame]:
    """Determinants worked on, all respondents."""
    return _overall_bars(cells, book, figure_items(book, "4.3"), FIGURES["4.3"], language, note)


def figuur_4_4(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None,
               max_rows: int = MUNICIPALITY_ROWS_MAX, municipalities: pd.DataFrame | None = None) -> tuple[Figure, pd.DataFrame]:
    """Determinants of Albeda point 1 (education, occupation, income) per municipality."""
    return _municipality_heatmap(cells, book, figure_items(book, "4.4"), FIGURES["4.4"], language, note, 1, max_rows, municipalities)


def figuur_4_5(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None,
               max_rows: int = MUNICIPALITY_ROWS_MAX, municipalities: pd.DataFrame | None = None) -> tuple[Figure, pd.DataFrame]:
    """Determinants of Albeda point 3 (lifestyle, living and working conditions) per municipality."""
    return _municipality_heatmap(cells, book, figure_items(book, "4.5"), FIGURES["4.5"], language, note, 1, max_rows, municipalities)


def figuur_5_1(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None) -> tuple[Figure, pd.DataFrame]:
    """Both directions: the hub sector's officers (config/sectors.yaml `hub`: VGZ) who collaborated
    with sector X, and sector X's officers who did with the hub."""
    spec, t = FIGURES["5.1"], WORDS[language]
    hub = book.hub_sector.id
    hub_name = getattr(book.hub_sector, language)
    partner_item = {it.extra["partner_sector"]: it.id for it in book.block("collab_partners")}
    others = [s.id for s in book.sectors if s.id != hub and s.id in partner_item]
    hub_rows = answer_table(cells, "sector", [partner_item[s] for s in others], unit_ids=[hub])
    hub_rows = hub_rows[hub_rows["unit_id"] == hub].assign(direction=f"{hub}_to_sector")
    hub_rows["partner_sector"] = hub_rows["item"].map({v: k for k, v in partner_item.items()})
    back = answer_table(cells, "sector", [partner_item[hub]], unit_ids=others)
    back = back[back["unit_id"].isin(others)].assign(direction=f"sector_to_{hub}")
    back["partner_sector"] = back["unit_id"]
    data = pd.concat([hub_rows, back], ignore_index=True)
    order = {s: i for i, s in enumerate(others)}
    data = data.sort_values(["direction", "partner_sector"], key=lambda c: c.map(order) if c.name == "partner_sector" else c, kind="stable")
    back_n = back.set_index("partner_sector")["base"]
    data["row_label"] = [f"{getattr(book.sector(s), language)} (n={_n(back_n.get(s, 0))})" for s in data["partner_sector"]]
    hub_n = _n(hub_rows["base"].max()) if len(hub_rows) else 0
    with _style():
        fig = _new_figure(7.5, 1.4 + 0.42 * len(others))
        ax = fig.add_subplot()
        y = np.arange(len(others))[::-1]
        for k, (direction, colour, label) in enumerate(
            [(f"{hub}_to_sector", BAR_COLOUR, t["hub_to"].format(hub=hub_name, n=hub_n)),
             (f"sector_to_{hub}", "#e39c4c", t["to_hub"].format(hub=hub_name))]
        ):
            d = data[data["direction"] == direction].set_index("partner_sector").reindex(others)
            yy = y + (0.2 if k == 0 else -0.2)
            ax.barh(yy, d["pct"].fillna(0), 0.4, color=colour, label=label)
            for yi, (_, row) in zip(yy, d.iterrows()):
                ax.text((row["pct"] if row["status"] == "ok" else 0) + 1, yi, _pct_text(row, language), va="center", fontsize=6.5)
        ax.set_yticks(y, [f"{getattr(book.sector(s), language)} (n={_n(back_n.get(s, 0))})" for s in others])
        ax.set_xlim(0, 115)
        ax.set_xlabel(t["pct_officers"])
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=2, frameon=False)
        _finish(fig, spec, language, _wave(cells), None, [t["collab_n"], note, _free_note(data, language)])
    return fig, _tidy(data, spec, cells)


def figuur_5_2(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None,
               max_rows: int = MUNICIPALITY_ROWS_MAX, municipalities: pd.DataFrame | None = None) -> tuple[Figure, pd.DataFrame]:
    """Forms of collaboration per municipality (Tabel VIII.3) with the total row."""
    return _municipality_heatmap(cells, book, figure_items(book, "5.2"), FIGURES["5.2"], language, note, 1, max_rows, municipalities)


def _answer_segments(cells, book, fig_id, language, note) -> tuple[Figure, pd.DataFrame]:
    """Horizontal 100% bars Ja / Weet niet / Nee per factor: weet niet is its own segment."""
    spec = FIGURES[fig_id]
    items = figure_items(book, fig_id)
    keys = items[0].keys
    data = pd.concat([answer_table(cells, "overall", [it.id for it in items], k) for k in keys], ignore_index=True)
    data["item_label"] = data["item"].map({it.id: _item_label(it, language) for it in items})
    order = {it.id: i for i, it in enumerate(items)}
    data = data.sort_values(["item", "answer"], key=lambda c: c.map(order) if c.name == "item" else c.map(keys.index), kind="stable")
    with _style():
        fig = _new_figure(8.0, 1.4 + 0.4 * len(items))
        ax = fig.add_subplot()
        y = np.arange(len(items))[::-1]
        left = np.zeros(len(items))
        for key in keys:
            d = data[data["answer"] == key].set_index("item").reindex([it.id for it in items])
            width = d["pct"].fillna(0).to_numpy()
            ax.barh(y, width, left=left, color=ANSWER_COLOURS.get(key, "#888888"), label=items[0].answer_label(key, language))
            for yi, l, w, r in zip(y, left, width, d["pct_rounded"]):
                if w >= 4:  # a number does not fit in a thinner segment; the data file has it
                    ax.text(l + w / 2, yi, format_percent(r, symbol=""), ha="center", va="center", fontsize=6.5, color="white" if key != "weet_niet" else "black")
            left += width
        for yi, it in zip(y, items):
            st = data.loc[data["item"] == it.id, "status"].iat[0]
            if st != "ok":
                ax.text(1, yi, WORDS[language]["not_asked"] if st == "not asked" else "n=0", va="center", fontsize=7, style="italic")
        ax.set_yticks(y, [_item_label(it, language) for it in items])
        ax.set_xlim(0, 100)
        ax.set_xticks(range(0, 101, 10), [format_percent(v) for v in range(0, 101, 10)])
        ax.set_xlabel(WORDS[language]["pct_officers"])
        ax.legend(ncols=len(keys), fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
        _finish(fig, spec, language, _wave(cells), _n_text(data, language, cells), [note])
    return fig, _tidy(data, spec, cells)


def figuur_6_1(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None) -> tuple[Figure, pd.DataFrame]:
    """Positive factors: Ja / Weet niet / Nee per factor."""
    return _answer_segments(cells, book, "6.1", language, note)


def figuur_6_2(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None,
               max_rows: int = MUNICIPALITY_ROWS_MAX, municipalities: pd.DataFrame | None = None) -> tuple[Figure, pd.DataFrame]:
    """Individual positive factors (codebook factor_kind) per municipality."""
    return _municipality_heatmap(cells, book, figure_items(book, "6.2"), FIGURES["6.2"], language, note, 1, max_rows, municipalities)


def figuur_6_3(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None,
               max_rows: int = MUNICIPALITY_ROWS_MAX, municipalities: pd.DataFrame | None = None) -> tuple[Figure, pd.DataFrame]:
    """Organisational positive factors (codebook factor_kind) per municipality."""
    return _municipality_heatmap(cells, book, figure_items(book, "6.3"), FIGURES["6.3"], language, note, 1, max_rows, municipalities)


def figuur_6_4(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None) -> tuple[Figure, pd.DataFrame]:
    """Negative factors: Ja / Weet niet / Nee per factor."""
    return _answer_segments(cells, book, "6.4", language, note)


def figuur_6_5(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None) -> tuple[Figure, pd.DataFrame]:
    """Political factors ticked, all collaborating respondents."""
    return _overall_bars(cells, book, figure_items(book, "6.5"), FIGURES["6.5"], language, note)


def figuur_6_6(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None,
               max_rows: int = MUNICIPALITY_ROWS_MAX, municipalities: pd.DataFrame | None = None) -> tuple[Figure, pd.DataFrame]:
    """Political factors per municipality (Tabel IX.3)."""
    return _municipality_heatmap(cells, book, figure_items(book, "6.6"), FIGURES["6.6"], language, note, 1, max_rows, municipalities)


def figuur_VI_1(cells: pd.DataFrame, book: Codebook, language: str = "nl", note: str | None = None,
                hours_by_sector: pd.DataFrame | None = None) -> tuple[Figure, pd.DataFrame]:
    """Respondents' functions; mean hours per week by sector when hours_by_sector is given.

    hours_by_sector: results/<wave>/hours_by_sector.csv of the aggregate stage: `sector` (sector id,
    or "all" for the total) and a mean column (`mean`, also `mean_hours` / `hours_mean`), optionally `n`.
    """
    spec, t = FIGURES["VI.1"], WORDS[language]
    item = book["function"]
    funcs = pd.concat([answer_table(cells, "overall", [item.id], k) for k in item.keys], ignore_index=True)
    funcs["item_label"] = [item.answer_label(k, language) for k in funcs["answer"]]
    funcs["panel"] = "function"
    hours = _hours(hours_by_sector, book, language)
    with _style():
        fig = _new_figure(8.0 if hours is None else 11.0, 1.4 + 0.32 * max(len(item.keys), 0 if hours is None else len(hours)))
        axes = fig.subplots(1, 1 if hours is None else 2, squeeze=False)[0]
        _pct_bars(axes[0], funcs, list(funcs["item_label"]), language)
        axes[0].set_title(t["functions"], fontsize=8, loc="left")
        if hours is not None:
            y = np.arange(len(hours))[::-1]
            axes[1].barh(y, hours["mean_hours"].fillna(0), color="#e39c4c")
            marks = hours["status"].fillna("").astype(str) if "status" in hours else pd.Series("", index=hours.index)
            for yi, v, mark in zip(y, hours["mean_hours"], marks):
                # no mean: a sector without respondents (n=0) or a suppressed small sector ("< k", "×")
                text = f"{v:.1f}" if pd.notna(v) else (mark or "n=0")
                axes[1].text((v if pd.notna(v) else 0) + 0.5, yi, text, va="center", fontsize=6.5)
            axes[1].set_yticks(y, list(hours["row_label"]))
            axes[1].set_xlabel(t["hours"])
            axes[1].set_title(t["hours"], fontsize=8, loc="left")
        _finish(fig, spec, language, _wave(cells), _n_text(funcs, language, cells), [t["whiskers"], note])
    data = _tidy(funcs, spec, cells)
    if hours is not None:
        h = hours.rename(columns={"sector": "unit_id"}).assign(figure=spec.number, wave=_wave(cells), unit="sector", panel="hours_per_week")
        data = pd.concat([data, h], ignore_index=True)
    return fig, data


def _hours(hours_by_sector: pd.DataFrame | None, book: Codebook, language: str) -> pd.DataFrame | None:
    """Mean hours per sector in sector order, the overall row ("all") last as the total."""
    if hours_by_sector is None or hours_by_sector.empty:
        return None
    mean_col = next(c for c in ("mean_hours", "hours_mean", "mean", "hours_per_week") if c in hours_by_sector)
    h = hours_by_sector.rename(columns={mean_col: "mean_hours"}).copy()
    h["sector"] = h["sector"].astype(str)
    order = {s.id: i for i, s in enumerate(book.sectors)}
    h = h[h["sector"].isin(order) | (h["sector"] == "all")]
    h = h.sort_values("sector", key=lambda c: c.map(order).fillna(len(order)), kind="stable").reset_index(drop=True)
    names = [WORDS[language]["total"] if s == "all" else getattr(book.sector(s), language) for s in h["sector"]]
    n = h["n"].astype(int) if "n" in h else None
    h["row_label"] = [name + (f" (n={n.iat[i]})" if n is not None else "") for i, name in enumerate(names)]
    return h


# --- all figures, and writing them ---------------------------------------------------------------------


def build_figures(cells: pd.DataFrame, municipalities: pd.DataFrame, book: Codebook, language: str = "nl",
                  note: str | None = None, min_n: int = 2,
                  hours_by_sector: pd.DataFrame | None = None,
                  only: list[str] | None = None,
                  max_rows: int = MUNICIPALITY_ROWS_MAX) -> Iterator[tuple[FigureSpec, Figure, pd.DataFrame]]:
    """Every figure of the report in report order (or those in `only`), one at a time (a Figure is
    large; save and drop it).

    Each builder gets the inputs its parameters name (registry.call_builder). min_n applies to
    Figuur 4.2 only, as in the report (footnote 20), as only figuur_4_2 takes it; the other
    per-municipality figures show every municipality, as Tabellen VII.3, VIII.3 and IX.1-3 do. With more than
    `max_rows` municipalities they are sorted dot plots instead of a row per municipality.
    """
    available = {"cells": cells, "municipalities": municipalities, "book": book, "language": language, "note": note,
                 "min_n": min_n, "hours_by_sector": hours_by_sector, "max_rows": max_rows}
    for fig_id in FIGURE_IDS if only is None else [i for i in FIGURE_IDS if i in only]:
        fig, data = call_builder(globals()[FIGURES[fig_id].builder], available)
        yield FIGURES[fig_id], fig, data


def save_figure(fig: Figure, data: pd.DataFrame, stem: str | Path) -> list[Path]:
    """Write <stem>.png, <stem>.svg and <stem>.data.csv; the same figure gives the same bytes."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_name(stem.name + ext) for ext in (".png", ".svg", ".data.csv")]
    with _style():
        # lay the figure out once and freeze it: with a layout engine, every savefig draws the
        # figure twice (layout pass + output), which made writing figures the slowest build step
        engine = fig.get_layout_engine()
        if engine is not None:
            engine.execute(fig)
            fig.set_layout_engine(None)
        fig.savefig(paths[0], format="png", dpi=DPI, metadata=PNG_METADATA, pil_kwargs=dict(PNG_ENCODING))
        fig.savefig(paths[1], format="svg", metadata=SVG_METADATA)
    data.to_csv(paths[2], index=False, lineterminator="\n", float_format="%.6g")
    return paths


def write_figures(out_dir: str | Path, cells: pd.DataFrame, municipalities: pd.DataFrame, book: Codebook,
                  language: str = "nl", note: str | None = None, min_n: int = 2,
                  hours_by_sector: pd.DataFrame | None = None, workers: int = 1,
                  max_rows: int = MUNICIPALITY_ROWS_MAX, meanwhile: Callable[[], object] | None = None) -> list[Path]:
    """Build and save every figure into `out_dir`; returns the files written, in report order.

    Drawing is the longest step of a build. With workers > 1 the figures are shared out over
    forked processes, which inherit the libraries this process has loaded (a fresh process would
    spend over a second importing them). Each figure is drawn on its own, so the files are the
    same bytes whatever the number of workers. `meanwhile` (e.g. writing the wave's tables) runs in
    this process while the workers draw, after they are forked; with one worker, before drawing.
    """
    args = (Path(out_dir), cells, municipalities, book, language, note, min_n, hours_by_sector, max_rows)
    shares = [FIGURE_IDS[k::workers] for k in range(max(1, min(workers, len(FIGURE_IDS))))]
    if len(shares) == 1 or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        return _write_share(FIGURE_IDS, *args)
    with ProcessPoolExecutor(len(shares), mp_context=multiprocessing.get_context("fork")) as pool:
        done = [pool.submit(_write_share, share, *args) for share in shares]
        if meanwhile is not None:
            meanwhile()
        written = [path for job in done for path in job.result()]
    order = {FIGURES[i].stem: k for k, i in enumerate(FIGURE_IDS)}
    return sorted(written, key=lambda p: order[p.name.split(".")[0]])  # stable: png, svg, data


def _write_share(fig_ids: list[str], out_dir: Path, cells, municipalities, book, language, note, min_n,
                 hours_by_sector, max_rows) -> list[Path]:
    written = []
    for spec, fig, data in build_figures(cells, municipalities, book, language, note, min_n, hours_by_sector, fig_ids, max_rows):
        written += save_figure(fig, data, out_dir / spec.stem)
    return written
