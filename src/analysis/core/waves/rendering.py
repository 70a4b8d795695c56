"""The cross-wave report and each wave's chapter 'Compared with earlier waves': HTML and trend figures."""
from __future__ import annotations
import html
import numpy as np
import pandas as pd
from analysis.core.codebook import Codebook
from analysis.core.rounding import format_percent
from analysis.core.text import (CHAPTER_TEXT, CLASS_WORDS, KIND_WORDS, METHODS_SAMPLE, METHODS_TEXT, OTHER_UNITS_WORDS,
                                SERIES_NAMES, SIZE_CLASS_WORDS, STATUS_WORDS, TEST_WORDS, UNIT_WORDS)
from analysis.core.vocabulary import OK


def wave_label(wave: str, kind: str, language: str = "en") -> str:
    """'rivm2009 (gereconstrueerd)': a wave that is no original survey says so, in the text's language."""
    return wave if kind == "survey" else f"{wave} ({KIND_WORDS[language].get(kind, kind)})"


def caveat(comparisons: dict | None, language: str) -> str:
    """What the respondents are a sample of (`comparisons: caveat:` in the config), or ''."""
    return ((comparisons or {}).get("caveat") or {}).get(language, "")


def comparison_label(comparisons: dict | None, english: str, language: str) -> str:
    """The label of a within-wave comparison in `language`; rows carry the English one."""
    for spec in (comparisons or {}).get("within_wave", []):
        if spec["label"]["en"] == english:
            return spec["label"].get(language, english)
    return english


def _comparison_unit(comparisons: dict | None, english: str) -> str | None:
    """The unit kind (sector, class, ...) of a within-wave comparison; rows carry its English label."""
    return next((spec["unit"] for spec in (comparisons or {}).get("within_wave", []) if spec["label"]["en"] == english), None)


def _group_text(unit: str | None, group: str, language: str, book: Codebook | None) -> str:
    """A group of a within-wave comparison as the text names it: 'VGZ', 'sociale sectoren', and for
    "other than vgz" (group b left open) 'andere sectoren'."""
    if group.startswith("other than "):
        other = OTHER_UNITS_WORDS[language].get(unit or "")
        if other:
            return other
        return f"{CHAPTER_TEXT[language]['other_than']} {_group_text(unit, group[len('other than '):], language, book)}"
    if unit is None:  # a row without its config: the class words are the only ids it can name
        return CLASS_WORDS[language].get(group, group)
    return unit_text(unit, group, language, book)


def _within_text(row: dict, language: str = "en", comparisons: dict | None = None, book: Codebook | None = None) -> str:
    comparison = comparison_label(comparisons, row["comparison"], language)
    if row["status"] != OK:
        return f"{comparison}: {status_text(row['status'], language)}."
    t = CHAPTER_TEXT[language]
    # one language per output: the groups in the words and labels of the text, never their ids
    unit = _comparison_unit(comparisons, row["comparison"])
    group_a, group_b = (_group_text(unit, str(row[g]), language, book) for g in ("group_a", "group_b"))
    return (f"{comparison}: {format_percent(count=row['count_a'], base=row['n_a'])} {t['of']} {group_a} "
            f"({row['count_a']}/{row['n_a']}) {t['vs']} {format_percent(count=row['count_b'], base=row['n_b'])} {t['of']} {group_b} "
            f"({row['count_b']}/{row['n_b']}); {t['difference']} {_points(row['diff'])} {t['pp']} "
            f"({t['ci']} {_points(row['ci_low'])} {t['to']} {_points(row['ci_high'])}), "
            f"{TEST_WORDS[language]['Fisher exact']} p {p_text(row['p'])} "
            f"(Holm p {p_text(row['p_holm'])})." + (" " + t["caveat"].format(caveat=caveat(comparisons, language))
                                                  if caveat(comparisons, language) else ""))


def p_text(p: float) -> str:
    """'= 0.042', or '< 0.001' where three decimals would print 0.000 or 0.001 for a smaller p."""
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def item_labels(book: Codebook, items: list[str], language: str = "nl") -> dict[str, str]:
    return {i: book[i].extra.get(f"short_{language}") or book[i].label(language) for i in items}


def _pct(value: float) -> str:
    return format_percent(value)


def _points(proportion: float) -> str:
    """A difference of two proportions in signed percentage points: '+8', '-3', '0'."""
    return format_percent(100 * proportion, sign=True, symbol="")


def unit_text(unit: str, unit_id, language: str = "en", book: Codebook | None = None) -> str:
    """A unit as the report's tables name it: 'alle respondenten', 'VNG-domein Anders' / 'VNG domain
    Other' (the domain's label in config/sectors.yaml), 'VGZ' (the sector's), 'sociale sectoren' /
    'other sectors' (a sector class), 'Kleinere gemeenten' (size class small). Without the codebook a
    domain or sector keeps its id."""
    unit_id = str(unit_id)
    if unit == "overall":
        return CHAPTER_TEXT[language]["everyone"]
    if unit == "class" and unit_id in CLASS_WORDS[language]:
        return CLASS_WORDS[language][unit_id]
    if unit == "size_class" and unit_id in SIZE_CLASS_WORDS[language]:
        return SIZE_CLASS_WORDS[language][unit_id]
    if unit == "sector" and book is not None and any(s.id == unit_id for s in book.sectors):
        return getattr(book.sector(unit_id), language)
    if unit == "domain" and book is not None and unit_id in book.domains:
        unit_id = book.domains[unit_id][language]
    return f"{UNIT_WORDS[language].get(unit, unit)} {unit_id}"


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
            f"{TEST_WORDS[language].get(row['test'], row['test'])} p {p_text(row['p'])}, Holm p {p_text(row['p_holm'])}")


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
    ax.set_xticks(x, [wave_label(w, kinds[w], language) for w in waves], fontsize=8)
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
                    units: tuple[str, ...] = ("overall", "domain", "class"), language: str = "en",
                    book: Codebook | None = None) -> str:
    """One table: indicator x unit in rows, waves in columns."""
    t = CHAPTER_TEXT[language]
    header = [t["indicator"], t["unit"], *[wave_label(w, kinds[w], language) for w in waves]]
    rows = []
    keyed = {(r["wave"], r["item"], r["unit"], r["unit_id"]): r for r in indicators.to_dict("records")}
    for item in labels:
        for unit in units:
            ids = list(dict.fromkeys(indicators.loc[(indicators["item"] == item) & (indicators["unit"] == unit), "unit_id"]))
            for unit_id in ids:
                cells = [cell_text(keyed[(w, item, unit, unit_id)], language) if (w, item, unit, unit_id) in keyed
                         else t["no_respondents"] for w in waves]
                rows.append([labels[item], unit_text(unit, unit_id, language, book), *cells])
    return _table_html(header, rows)


def differences_html(differences: pd.DataFrame, labels: dict[str, str], units: tuple[str, ...] = ("overall", "domain", "class"),
                     language: str = "en", book: Codebook | None = None) -> str:
    t = CHAPTER_TEXT[language]
    shown = differences[differences["unit"].isin(units)]
    rows = [[labels.get(r["item"], r["item"]), unit_text(r["unit"], r["unit_id"], language, book), f"{r['wave_b']} - {r['wave_a']}",
             difference_text(r, language)] for r in shown.to_dict("records")]
    return _table_html([t["indicator"], t["unit"], t["pair"], t["difference"]], rows)


def within_html(within: pd.DataFrame, language: str = "en", comparisons: dict | None = None,
                book: Codebook | None = None) -> str:
    return "".join(f"<p>{html.escape(r['wave'])}: {html.escape(_within_text(r, language, comparisons, book))}</p>"
                   for r in within.to_dict("records"))


def _gee_term(r: dict, language: str, book: Codebook | None) -> str:
    """'VNG-domein Veiligheid tegen VNG-domein Jeugd, onderwijs en sport', 'meting b tegen a'."""
    vs = CHAPTER_TEXT[language]["vs"]
    return f"{unit_text(r['term'], r['level'], language, book)} {vs} {unit_text(r['term'], r['reference'], language, book)}"


def gee_html(gee: pd.DataFrame, labels: dict[str, str], language: str = "en", book: Codebook | None = None) -> str:
    t = CHAPTER_TEXT[language]
    rows = []
    for r in gee.to_dict("records"):
        if r["status"] != OK:
            rows.append([labels.get(r["item"], r["item"]), "", "", status_text(r["status"], language)])
            continue
        rows.append([labels.get(r["item"], r["item"]), _gee_term(r, language, book),
                     f"OR {r['odds_ratio']:.2f} ({t['ci']} {r['or_ci_low']:.2f}-{r['or_ci_high']:.2f})",
                     f"t({int(r['df'])}) = {r['t']:.2f}, p {p_text(r['p'])}, Holm p {p_text(r['p_holm'])}; "
                     f"n = {int(r['n'])}, {int(r['n_clusters'])} {t['municipalities']}"
                     + (f"; {t['left_out']}: {r['excluded']}" if isinstance(r["excluded"], str) and r["excluded"] else "")])
    return _table_html([t["indicator"], t["term"], t["odds_ratio"], t["test"]], rows)


STYLE = ("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
         "table{border-collapse:collapse;font-size:.85em;margin:1em 0}td,th{border:1px solid #bbb;padding:.2em .5em;"
         "text-align:left;vertical-align:top}.warn{background:#fff3cd;padding:.5em 1em}</style>")


def methods_html(comparisons: dict | None = None, language: str = "en") -> str:
    """The methods paragraph in the text's language, with the sample caveat of the config."""
    sample = caveat(comparisons, language)
    return ("<p>" + html.escape(METHODS_TEXT[language], quote=False)
            + (" " + html.escape(METHODS_SAMPLE[language].format(sample=sample), quote=False) if sample else "") + "</p>")


def _waves_list_html(waves: list[str], kinds: dict[str, str], descriptions: dict[str, str], excluded: list[dict],
                     language: str = "en") -> str:
    t = CHAPTER_TEXT[language]
    parts = [f"<p>{t['included']}: "
             + ", ".join(html.escape(wave_label(w, kinds[w], language) + (f" - {descriptions[w]}" if descriptions.get(w) else ""))
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
                           comparisons: dict | None = None, book: Codebook | None = None) -> str:
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
        f"<h2>{t['main']}</h2>", indicators_html(indicators, waves, kinds, labels, language=language, book=book), figures,
        f"<h2>{t['between']}</h2>", differences_html(differences, labels, language=language, book=book),
        f"<h2>{t['gee']}</h2>", gee_html(gee, labels, language, book),
        f"<h2>{t['each']}</h2>", within_html(within, language, comparisons, book), f"<h2>{t['methods']}</h2>",
        methods_html(comparisons, language),
    ]
    return (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{t["title"]}</title>'
            + STYLE + "</head><body>" + "".join(body) + "</body></html>\n")


def compared_with_earlier_waves_html(wave: str, earlier: list[str], kinds: dict[str, str], indicators: pd.DataFrame,
                                     differences: pd.DataFrame, within: pd.DataFrame, labels: dict[str, str],
                                     excluded: list[dict] = (), restricted: list[str] = (), language: str = "en",
                                     comparisons: dict | None = None, book: Codebook | None = None) -> str:
    """The chapter "Compared with earlier waves" of one wave's report (an HTML fragment), all in the
    report's label language; `book` names the domains and sectors as the report's tables do."""
    t = CHAPTER_TEXT[language]
    title = (f"<section id=\"compared-with-earlier-waves\"><h2>{t['chapter']}</h2>"
             + restricted_warning(list(restricted), language))
    intro = f"<p>{t['wave']} {html.escape(wave_label(wave, kinds[wave], language))}. "
    if not earlier:
        intro += t["first"] + "</p>"
    else:
        intro += (t["earlier"] + ": " + ", ".join(html.escape(wave_label(w, kinds[w], language)) for w in earlier) + ".</p>")
    skipped = "".join('<p class="warn">' + html.escape(t["skipped"].format(wave=e["wave"], report=e["report"])) + "</p>"
                      for e in excluded)
    ours = differences[differences["wave_b"] == wave] if len(differences) else differences
    parts = [title, intro, skipped, indicators_html(indicators, [*earlier, wave], kinds, labels, language=language, book=book)]
    if earlier:
        parts.append(differences_html(ours, labels, language=language, book=book))
    parts += [f"<h3>{t['within']}</h3>", within_html(within[within["wave"] == wave], language, comparisons, book),
              methods_html(comparisons, language), "</section>"]
    return "".join(parts)
