"""The cross-wave report and each wave's chapter 'Compared with earlier waves': HTML and trend figures."""
from __future__ import annotations
import html
import numpy as np
import pandas as pd
from analysis.core.codebook import Codebook
from analysis.core.rounding import format_percent
from analysis.core.text import CHAPTER_TEXT, SERIES_NAMES, STATUS_WORDS, UNIT_ID_WORDS_NL, UNIT_WORDS_NL
from analysis.core.vocabulary import OK


def wave_label(wave: str, kind: str) -> str:
    return wave if kind == "survey" else f"{wave} ({kind})"


def caveat(comparisons: dict | None, language: str) -> str:
    """What the respondents are a sample of (`comparisons: caveat:` in the config), or ''."""
    return ((comparisons or {}).get("caveat") or {}).get(language, "")


def comparison_label(comparisons: dict | None, english: str, language: str) -> str:
    """The label of a within-wave comparison in `language`; rows carry the English one."""
    for spec in (comparisons or {}).get("within_wave", []):
        if spec["label"]["en"] == english:
            return spec["label"].get(language, english)
    return english


def _within_text(row: dict, language: str = "en", comparisons: dict | None = None) -> str:
    comparison = comparison_label(comparisons, row["comparison"], language)
    if row["status"] != OK:
        return f"{comparison}: {status_text(row['status'], language)}."
    t = CHAPTER_TEXT[language]
    # one language per output: the groups' ids (social, physical) in the words of the text
    words = {**UNIT_ID_WORDS_NL, "social": "sociale sectoren", "physical": "fysieke sectoren"} if language == "nl" else {}
    group_a = words.get(str(row["group_a"]), str(row["group_a"]))
    group_b = str(row["group_b"]).replace("other than", t["other_than"], 1)
    group_b = words.get(group_b, group_b)
    return (f"{comparison}: {format_percent(count=row['count_a'], base=row['n_a'])} {t['of']} {group_a} "
            f"({row['count_a']}/{row['n_a']}) {t['vs']} {format_percent(count=row['count_b'], base=row['n_b'])} {t['of']} {group_b} "
            f"({row['count_b']}/{row['n_b']}); {t['difference']} {_points(row['diff'])} {t['pp']} "
            f"({t['ci']} {_points(row['ci_low'])} {t['to']} {_points(row['ci_high'])}), Fisher exact p = {row['p']:.3f} "
            f"(Holm {row['p_holm']:.3f})." + (" " + t["caveat"].format(caveat=caveat(comparisons, language))
                                              if caveat(comparisons, language) else ""))


def item_labels(book: Codebook, items: list[str], language: str = "nl") -> dict[str, str]:
    return {i: book[i].extra.get(f"short_{language}") or book[i].label(language) for i in items}


def _pct(value: float) -> str:
    return format_percent(value)


def _points(proportion: float) -> str:
    """A difference of two proportions in signed percentage points: '+8', '-0'."""
    return format_percent(100 * proportion, sign=True, symbol="")


def unit_text(unit: str, unit_id, language: str = "en") -> str:
    """'domain 1' / 'VNG-domein 1', 'class social' / 'sectoren sociaal'."""
    if language == "nl":
        return f"{UNIT_WORDS_NL.get(unit, unit)} {UNIT_ID_WORDS_NL.get(str(unit_id), unit_id)}"
    return f"{unit} {unit_id}"


def status_text(status, language: str = "en") -> str:
    """A status word in the label language ('base 0 in sport' -> 'basis 0 in sport')."""
    text = str(status)
    if language == "nl":
        for en, nl in STATUS_WORDS["nl"].items():
            if text.startswith(en):
                return nl + text[len(en):]
    return text


def cell_text(row: dict, language: str = "en") -> str:
    """'45% (9/20; 95% CI 26-66%)' or the status, never 'nan'."""
    if row.get("status") != OK:
        return status_text(row.get("status"), language)
    return (f"{_pct(row['pct'])} ({int(row['count'])}/{int(row['n'])}; "
            f"{CHAPTER_TEXT[language]['ci']} {format_percent(100 * row['ci_low'], symbol='')}-{format_percent(100 * row['ci_high'])})")


def difference_text(row: dict, language: str = "en") -> str:
    if row.get("status") != OK:
        return status_text(row.get("status"), language)
    t = CHAPTER_TEXT[language]
    return (f"{_points(row['diff'])} pp ({t['ci']} {_points(row['ci_low'])} {t['to']} {_points(row['ci_high'])}); "
            f"{row['test']} p = {row['p']:.3f}, Holm p = {row['p_holm']:.3f}")


def trend_figure(indicators: pd.DataFrame, item: str, label: str, waves: list[str], kinds: dict[str, str],
                 language: str = "nl"):
    """Overall % per wave with Wilson intervals, and the social and physical sectors beside it.
    A wave that did not ask the item shows "not asked" instead of a point."""
    # a bare Figure, no pyplot: no global state to close, and half a second less of imports
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.8))
    ax = fig.add_subplot()
    x = np.arange(len(waves))
    everyone, social, physical, not_asked, y_label = SERIES_NAMES[language]
    series = [("overall", "all", everyone, "o", "-", 0.0),
              ("class", "social", social, "s", "--", -0.08),
              ("class", "physical", physical, "^", ":", 0.08)]
    for unit, unit_id, name, marker, style, shift in series:
        cells = indicators[(indicators["item"] == item) & (indicators["unit"] == unit) & (indicators["unit_id"] == unit_id)]
        cells = cells.set_index("wave").reindex(waves)
        ok = cells["status"].eq(OK).to_numpy()
        pct = cells["pct"].to_numpy(dtype=float)
        err = np.vstack([pct - 100 * cells["ci_low"].to_numpy(dtype=float), 100 * cells["ci_high"].to_numpy(dtype=float) - pct])
        ax.errorbar(x[ok] + shift, pct[ok], yerr=err[:, ok], marker=marker, linestyle=style, capsize=3, label=name)
    for i, wave in enumerate(waves):
        status = indicators.loc[(indicators["item"] == item) & (indicators["wave"] == wave) & (indicators["unit"] == "overall"), "status"]
        if status.empty or status.iloc[0] != OK:
            ax.text(i, 50, not_asked, ha="center", va="center", rotation=90, fontsize=8, color="0.4")
    ax.set_xticks(x, [wave_label(w, kinds[w]) for w in waves], fontsize=8)
    ax.set_xlim(-0.5, len(waves) - 0.5)
    ax.set_ylim(0, 100)
    ax.set_ylabel(y_label)
    ax.set_title(label, fontsize=10)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


def save_figure(fig, stem: str) -> tuple[str, str]:
    """PNG and SVG that are byte-identical on every run (fixed SVG ids, no dates)."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "rivm-270161002-waves", "svg.fonttype": "none"}):
        fig.savefig(f"{stem}.svg", metadata={"Date": None})
        fig.savefig(f"{stem}.png", dpi=110, metadata={"Software": None})
    return f"{stem}.png", f"{stem}.svg"


def _table_html(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def indicators_html(indicators: pd.DataFrame, waves: list[str], kinds: dict[str, str], labels: dict[str, str],
                    units: tuple[str, ...] = ("overall", "domain", "class"), language: str = "en") -> str:
    """One table: indicator x unit in rows, waves in columns."""
    t = CHAPTER_TEXT[language]
    header = [t["indicator"], t["unit"], *[wave_label(w, kinds[w]) for w in waves]]
    rows = []
    keyed = {(r["wave"], r["item"], r["unit"], r["unit_id"]): r for r in indicators.to_dict("records")}
    for item in labels:
        for unit in units:
            ids = list(dict.fromkeys(indicators.loc[(indicators["item"] == item) & (indicators["unit"] == unit), "unit_id"]))
            for unit_id in ids:
                cells = [cell_text(keyed[(w, item, unit, unit_id)], language) if (w, item, unit, unit_id) in keyed
                         else t["no_respondents"] for w in waves]
                rows.append([labels[item], unit_text(unit, unit_id, language) if unit != "overall" else t["everyone"], *cells])
    return _table_html(header, rows)


def differences_html(differences: pd.DataFrame, labels: dict[str, str], units: tuple[str, ...] = ("overall", "domain", "class"),
                     language: str = "en") -> str:
    t = CHAPTER_TEXT[language]
    shown = differences[differences["unit"].isin(units)]
    rows = [[labels.get(r["item"], r["item"]), unit_text(r["unit"], r["unit_id"], language), f"{r['wave_b']} - {r['wave_a']}",
             difference_text(r, language)] for r in shown.to_dict("records")]
    return _table_html([t["indicator"], t["unit"], t["pair"], t["difference"]], rows)


def within_html(within: pd.DataFrame, language: str = "en", comparisons: dict | None = None) -> str:
    return "".join(f"<p>{html.escape(r['wave'])}: {html.escape(_within_text(r, language, comparisons))}</p>"
                   for r in within.to_dict("records"))


def gee_html(gee: pd.DataFrame, labels: dict[str, str], language: str = "en") -> str:
    t = CHAPTER_TEXT[language]
    rows = []
    for r in gee.to_dict("records"):
        if r["status"] != OK:
            rows.append([labels.get(r["item"], r["item"]), "", "", status_text(r["status"], language)])
            continue
        rows.append([labels.get(r["item"], r["item"]), f"{r['term']} {r['level']} {t['vs']} {r['reference']}",
                     f"OR {r['odds_ratio']:.2f} ({t['ci']} {r['or_ci_low']:.2f}-{r['or_ci_high']:.2f})",
                     f"t({int(r['df'])}) = {r['t']:.2f}, p = {r['p']:.3f}, Holm p = {r['p_holm']:.3f}; "
                     f"n = {int(r['n'])}, {int(r['n_clusters'])} {t['municipalities']}"
                     + (f"; {t['left_out']}: {r['excluded']}" if isinstance(r["excluded"], str) and r["excluded"] else "")])
    return _table_html([t["indicator"], t["term"], t["odds_ratio"], t["test"]], rows)


STYLE = ("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
         "table{border-collapse:collapse;font-size:.85em;margin:1em 0}td,th{border:1px solid #bbb;padding:.2em .5em;"
         "text-align:left;vertical-align:top}.warn{background:#fff3cd;padding:.5em 1em}</style>")


def methods_html(comparisons: dict | None = None) -> str:
    """The methods paragraph (English: statistical terms), with the sample caveat of the config."""
    sample = caveat(comparisons, "en")
    return METHODS.replace("</p>", (" " + html.escape(f"The municipalities are {sample}.") if sample else "") + "</p>")


METHODS = (
    "<p>Percentages: yes / respondents asked (skip logic) who answered (no answer is left out), with Wilson 95% "
    "intervals. Differences: later wave "
    "minus earlier wave, Newcombe hybrid score 95% interval; Fisher exact test where an expected count is "
    "below 5, else Pearson chi-square. Holm correction within each pair of waves and unit kind. GEE: logistic, "
    "municipality as cluster, exchangeable working correlation (independence where that does not converge), bias-reduced (Mancl-DeRouen) standard errors, "
    "t-tests on (municipalities - parameters) degrees of freedom, Holm across indicators per term. Municipality "
    "ids belong to one wave, so municipalities are not compared across waves. A cell where all or none said yes "
    "gives 'not estimable' in the model.</p>"
)


def _waves_list_html(waves: list[str], kinds: dict[str, str], descriptions: dict[str, str], excluded: list[dict],
                     language: str = "en") -> str:
    t = CHAPTER_TEXT[language]
    parts = [f"<p>{t['included']}: "
             + ", ".join(html.escape(wave_label(w, kinds[w]) + (f" - {descriptions[w]}" if descriptions.get(w) else ""))
                         for w in waves) + ".</p>"]
    if any(kinds[w] != "survey" for w in waves):
        parts.append(f'<p class="warn">{html.escape(t["not_original"])}</p>')
    if excluded:
        items = "".join(f"<li>{html.escape(e['wave'])}: "
                        + html.escape(t["failed"].format(problems=e["problems"], report=e["report"])) + "<ul>"
                        + "".join(f"<li>{html.escape(p)}</li>" for p in e.get("first_problems", []))
                        + "</ul></li>" for e in excluded)
        parts.append(f'<div class="warn"><p>{t["excluded"]}:</p><ul>{items}</ul></div>')
    return "".join(parts)


def restricted_warning(restricted: list[str], language: str = "en") -> str:
    """Cross-wave outputs take each wave's cells as its own mode allows: a restricted wave's
    cells are not protected, so every page that shows them says so."""
    if not restricted:
        return ""
    text = CHAPTER_TEXT[language]["restricted"].format(waves=", ".join(restricted))
    return f'<p class="warn">{html.escape(text)}</p>'


def cross_wave_report_html(waves, kinds, descriptions, excluded, indicators, differences, gee, within, labels,
                           figures_png: dict[str, bytes], restricted: list[str] = (), language: str = "en",
                           comparisons: dict | None = None) -> str:
    """results/waves/report.html: self-contained (figures embedded, no links out)."""
    import base64

    t = CHAPTER_TEXT[language]
    figures = "".join(
        f'<figure><img alt="{html.escape(labels[i])}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        f"<figcaption>{html.escape(t['caption'].format(label=labels[i]))}</figcaption></figure>"
        for i, png in figures_png.items())
    body = [
        f"<h1>{t['title']}</h1>", restricted_warning(list(restricted), language),
        _waves_list_html(waves, kinds, descriptions, excluded, language),
        f"<h2>{t['main']}</h2>", indicators_html(indicators, waves, kinds, labels, language=language), figures,
        f"<h2>{t['between']}</h2>", differences_html(differences, labels, language=language),
        f"<h2>{t['gee']}</h2>", gee_html(gee, labels, language),
        f"<h2>{t['each']}</h2>", within_html(within, language, comparisons), f"<h2>{t['methods']}</h2>",
        methods_html(comparisons),
    ]
    return (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{t["title"]}</title>'
            + STYLE + "</head><body>" + "".join(body) + "</body></html>\n")


def compared_with_earlier_waves_html(wave: str, earlier: list[str], kinds: dict[str, str], indicators: pd.DataFrame,
                                     differences: pd.DataFrame, within: pd.DataFrame, labels: dict[str, str],
                                     excluded: list[dict] = (), restricted: list[str] = (), language: str = "en",
                                     comparisons: dict | None = None) -> str:
    """The chapter "Compared with earlier waves" of one wave's report (an HTML fragment), in the
    report's label language; the statistical methods paragraph stays in English."""
    t = CHAPTER_TEXT[language]
    title = (f"<section id=\"compared-with-earlier-waves\"><h2>{t['chapter']}</h2>"
             + restricted_warning(list(restricted), language))
    intro = f"<p>{t['wave']} {html.escape(wave_label(wave, kinds[wave]))}. "
    if not earlier:
        intro += t["first"] + "</p>"
    else:
        intro += (t["earlier"] + ": " + ", ".join(html.escape(wave_label(w, kinds[w])) for w in earlier) + ".</p>")
    skipped = "".join('<p class="warn">' + html.escape(t["skipped"].format(wave=e["wave"], report=e["report"])) + "</p>"
                      for e in excluded)
    ours = differences[differences["wave_b"] == wave] if len(differences) else differences
    parts = [title, intro, skipped, indicators_html(indicators, [*earlier, wave], kinds, labels, language=language)]
    if earlier:
        parts.append(differences_html(ours, labels, language=language))
    parts += [f"<h3>{t['within']}</h3>", within_html(within[within["wave"] == wave], language, comparisons),
              methods_html(comparisons), "</section>"]
    return "".join(parts)
