"""Entry points of the cross-wave step: read the valid waves, compute, protect, render, write."""
from __future__ import annotations
import pandas as pd
from analysis.core.codebook import Codebook
from analysis.core.waves.statistics import GEE_COLUMNS, gee_table
from analysis.core.waves.rendering import compared_with_earlier_waves_html, cross_wave_report_html, item_labels, save_figure, trend_figure
from analysis.core.waves.comparison import DIFFERENCE_COLUMNS, INDICATOR_COLUMNS, WITHIN_COLUMNS, difference_table, hidden_cells, indicator_items, indicator_table, protect_indicators, respondent_frame, wave_kind, within_wave_table


def wave_status(wave: str, cfg: dict, book: Codebook) -> dict:
    """Whether a wave passes validation, as a small record the cross-wave outputs rely on.

    The same `validate_wave` as rule validate, so both agree; any error (an unreadable file, a
    not_asked item the codebook lacks) is caught and recorded, naming wave, file and field,
    because one bad wave must not stop the comparison of the others.
    """
    from analysis.core.validate import validate_wave

    record = {"wave": wave, "kind": wave_kind(wave, cfg), "description": cfg.get("description", ""),
              "report": f"results/{wave}/validation/report.md",
              "disclosure": (cfg.get("disclosure") or {}).get("mode", "public"),
              "min_base": int((cfg.get("disclosure") or {}).get("min_base", 5))}
    try:
        result = validate_wave(wave, cfg["export"], cfg["municipalities"], book, cfg.get("column_map"),
                               cfg.get("not_asked", []), item_nonresponse=cfg.get("item_nonresponse"),
                               municipality_map=cfg.get("municipality_map"))
    except Exception as err:  # noqa: BLE001 - recorded, never swallowed: the report shows it
        return {**record, "valid": False, "problems": 1,
                "first_problems": [f"wave {wave}: {type(err).__name__}: {err}"]}
    problems = [f"wave {wave}: {p.file}, row {'' if pd.isna(p.row) else p.row}, field {p.column}: "
                f"{p.rule} (value {p.value!r}; expected {p.expected})"
                for p in result.failures.head(5).itertuples(index=False)]
    return {**record, "valid": result.ok, "problems": len(result.failures), "first_problems": problems,
            "respondents": 0 if result.responses is None else len(result.responses)}


def stack_waves(waves: list[str], responses: dict[str, str], municipalities: dict[str, str], book: Codebook,
                items: list[str]) -> pd.DataFrame:
    frames = [respondent_frame(w, pd.read_parquet(responses[w]), pd.read_csv(municipalities[w], dtype=str), book, items)
              for w in waves]
    return pd.concat(frames, ignore_index=True)


def _write_csv(table: pd.DataFrame, path) -> None:
    table.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")


def by_wave(paths: list[str]) -> dict[str, str]:
    """results/<wave>/<file> -> {wave: path}: how the workflow hands a rule one file per wave."""
    from pathlib import Path

    return {Path(p).parent.name: p for p in paths}


def read_statuses(paths: list[str]) -> list[dict]:
    """The validation records (results/waves/status/<wave>.json) of rule wave_status."""
    import json
    from pathlib import Path

    return [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]


def read_hidden(cells: dict[str, str], public_cells: dict[str, str] | None = None) -> dict[tuple, tuple[str, bool]]:
    """The cells each wave's cells.csv hides; for a restricted wave shown in a public report, the
    cells its public view (`public_cells`, rule public_view) hides."""
    from analysis.core.aggregate import read_cells

    return hidden_cells({wave: read_cells((public_cells or {}).get(wave, path)) for wave, path in cells.items()})


def shown_of_earlier_wave(book: Codebook, comparisons: dict | None = None) -> list[str]:
    """The items a later public wave's outputs show of an earlier wave: the chapter's indicators and
    within-wave comparisons, and the fact sheets' blocks (the previous wave's column), with the
    items they are asked after (skip logic: a follow-up's base is its lead item's count)."""
    from analysis.core.waves.comparison import within_wave_specs

    wanted = set(indicator_items(book)) | {spec[1] for spec in within_wave_specs(comparisons)}
    wanted |= {it.id for block in book.feedback_blocks for it in book.block(block)}
    # codebook order puts every lead item before its follow-ups (codebook._check_references), so
    # one pass from the last item up closes the set under asked_if
    for it in reversed(book.items):
        if it.id in wanted:
            wanted |= set(it.asked_if)
    return [it.id for it in book.items if it.id in wanted]


def public_view(cells: pd.DataFrame, rules, book: Codebook, municipalities: pd.DataFrame,
                items: list[str] | None = None):
    """A restricted wave's cells as public mode would publish them (the same protection as rule
    aggregate, under the public rules `rules`), for the chapter and fact sheets of a later public
    wave that compare with it: (protected cells, counts, audit, decision) as `aggregate.protect`.
    `items`: only these (`shown_of_earlier_wave`): a reader of the later wave sees no other cell
    of the earlier one, so only these need protecting, and against each other; the pattern is
    found on far fewer cells (benchmarks/README.md: "public_view protects only what a later wave
    shows")."""
    from analysis.core.aggregate import protect

    if items is not None:
        cells = cells[cells["item"].isin(items)].reset_index(drop=True)
    return protect(cells, rules, book, municipalities)


def run_public_view(cells_path: str, municipalities_path: str, book: Codebook, disclosure: dict, out_path: str,
                    comparisons: dict | None = None, report_md: str | None = None,
                    report_csv: str | None = None) -> None:
    """Rule public_view: the view and, for the output checker, its report (as rule aggregate's)."""
    from pathlib import Path

    from analysis.core.aggregate import read_cells, write_csv
    from analysis.core.disclosure.checkreport import write_checker_report
    from analysis.core.disclosure.rules import PublicationRules

    rules = PublicationRules.from_config({**disclosure, "mode": "public"})
    municipalities = pd.read_csv(municipalities_path, dtype=str, keep_default_na=False)
    protected, counted, audit, decision = public_view(read_cells(cells_path), rules, book, municipalities,
                                                      shown_of_earlier_wave(book, comparisons))
    write_csv(protected, out_path)
    if report_md is not None:
        wave = Path(out_path).parent.name
        write_checker_report(counted, protected, audit, decision, rules, f"{wave} as a later public wave shows it",
                             report_md, report_csv)


def run_cross_wave(statuses: list[dict], responses: dict[str, str], municipalities: dict[str, str], book: Codebook,
                   language: str, outdir: str, cells: dict[str, str] | None = None,
                   comparisons: dict | None = None) -> list[str]:
    """Build results/waves/ from the valid waves (config order); name the excluded ones. `cells`
    (the waves' protected cells.csv) carries their small-cell protection over."""
    from pathlib import Path

    out = Path(outdir)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    waves = [s["wave"] for s in statuses if s["valid"]]
    excluded = [s for s in statuses if not s["valid"]]
    kinds = {s["wave"]: s["kind"] for s in statuses}
    descriptions = {s["wave"]: s.get("description", "") for s in statuses}
    items = indicator_items(book)
    labels = item_labels(book, items, language)
    if waves:
        stacked = stack_waves(waves, responses, municipalities, book, items)
        hidden = read_hidden(cells or {})
        indicators = protect_indicators(indicator_table(stacked, items, waves, kinds), hidden)
        differences = difference_table(indicators, waves)
        gee = gee_table(stacked, items, waves)
        within = pd.concat([within_wave_table(stacked, w, hidden, comparisons, book) for w in waves], ignore_index=True)
    else:  # every wave failed validation: empty tables that still say which waves were excluded
        indicators, differences, gee, within = (pd.DataFrame(columns=c) for c in
                                                (INDICATOR_COLUMNS, DIFFERENCE_COLUMNS, GEE_COLUMNS, WITHIN_COLUMNS))
        items = []
    # each wave's disclosure mode: a restricted wave's rows in indicators/differences/gee/within
    # are its cells as they are (small ones included), so the folder is then not for publication
    # (report.html's banner says so; the CSVs can only say it here, by wave)
    pd.DataFrame([{k: s.get(k) for k in ("wave", "kind", "valid", "problems", "report", "disclosure")} for s in statuses]).assign(
        included=lambda t: t["valid"]).to_csv(out / "waves.csv", index=False, lineterminator="\n")
    for name, table in (("indicators", indicators), ("differences", differences), ("gee", gee), ("within_wave", within)):
        _write_csv(table, out / f"{name}.csv")
    pngs = {}
    for item in items:
        png, _ = save_figure(trend_figure(indicators, item, labels[item], waves, kinds, language), str(out / "figures" / f"trend_{item}"))
        pngs[item] = Path(png).read_bytes()
    restricted = [s["wave"] for s in statuses if s["valid"] and s.get("disclosure") == "restricted"]
    report = cross_wave_report_html(waves, kinds, descriptions, excluded, indicators, differences, gee, within, labels,
                                    pngs, restricted, language, comparisons, book)
    (out / "report.html").write_text(report, encoding="utf-8")
    return waves


def run_chapter(wave: str, statuses: list[dict], responses: dict[str, str], municipalities: dict[str, str],
                book: Codebook, language: str, out_path: str, cells: dict[str, str] | None = None,
                comparisons: dict | None = None, public_cells: dict[str, str] | None = None) -> None:
    """results/waves/chapter_<wave>.html: this wave against the valid waves before it.
    `cells`: each wave's cells file, whose hidden cells the chapter hides too. `public_cells`: the
    public view of earlier restricted waves, for a public wave's chapter, read instead of their
    cells.csv (the workflow passes the view as `cells` straight away: common.smk, shown_cells)."""
    from pathlib import Path

    order = [s["wave"] for s in statuses]
    earlier = [s["wave"] for s in statuses[: order.index(wave)] if s["valid"]]
    excluded = [s for s in statuses[: order.index(wave)] if not s["valid"]]
    kinds = {s["wave"]: s["kind"] for s in statuses}
    items = indicator_items(book)
    stacked = stack_waves([*earlier, wave], responses, municipalities, book, items)
    restricted = [s["wave"] for s in statuses if s["wave"] in (*earlier, wave) and s.get("disclosure") == "restricted"]
    mine = next(s for s in statuses if s["wave"] == wave)
    as_public: list[str] = []
    if mine.get("disclosure", "public") == "public":
        # a public wave's report shows an earlier restricted wave as if it were public: only the
        # cells that pass the public rules, and no "not for publication" banner
        as_public, restricted = [w for w in restricted if w != wave], []
    hidden = read_hidden(cells or {}, {w: p for w, p in (public_cells or {}).items() if w in as_public})
    indicators = protect_indicators(indicator_table(stacked, items, [*earlier, wave], kinds), hidden)
    indicators = indicators[~(indicators["wave"].isin(as_public) & indicators["unit"].eq("municipality"))]
    differences = difference_table(indicators, [*earlier, wave])
    within = within_wave_table(stacked, wave, hidden, comparisons, book)
    fragment = compared_with_earlier_waves_html(wave, earlier, kinds, indicators, differences, within,
                                                item_labels(book, items, language), excluded, restricted, language,
                                                comparisons, book)
    Path(out_path).write_text(fragment + "\n", encoding="utf-8")
