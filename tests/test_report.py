"""report.html: every entry in the report's order, self-contained, banner for non-original data."""
import re

import pandas as pd

import analysis.publication.report as R

PNG = b"\x89PNG\r\n\x1a\nfake"


def _inputs(book):
    stems = [e.stem for _, _, entries in R.OUTLINE for e in entries]
    tables = {s: pd.DataFrame({"Gemeente": ["1"], "x": ["75% (3)"]}) for s in stems if s.startswith(("tabel", "figuur_4_1_data"))}
    figures = {s: PNG for s in stems if s not in tables}
    cells = pd.DataFrame({"unit": ["overall"] * 3, "item": ["sector", "collaborates", "pos_clear_roles"],
                          "base": ["123", "123", "98"]})
    prov = {s: f"prov-{s}" for s in stems}
    return tables, figures, cells, prov


def _build(book, cfg, language="nl"):
    tables, figures, cells, prov = _inputs(book)
    return R.build_report(wave="w", language=language, banner=R.banner_text(cfg, "", language), cells=cells, book=book,
                          tables=tables, figures_png=figures, entry_provenance=prov,
                          extra_chapters=[("Replicatie", "<p>scorecard</p>")], provenance="top", interviews_n=32)


def test_every_table_and_figure_in_report_order_with_n_and_provenance(book):
    page = _build(book, {})
    ids = re.findall(r'<section id="([^"]+)"', page)
    assert ids == [e.stem for _, _, entries in R.OUTLINE for e in entries]
    assert ids.index("tabel_3_1") < ids.index("tabel_4_1") < ids.index("figuur_6_6") < ids.index("tabel_IX_3")
    assert "Figuur 6.1 Factoren met een positieve invloed" in page and "(n=98)" in page  # collaborators
    assert "Tabel 3.1 Betrokken beleidssectoren in de verdiepende interviews (n=32)" in page
    assert page.count('class="prov"') == len(ids) + 1 and "prov-figuur_5_1" in page


def test_self_contained(book):
    page = _build(book, {})
    assert "data:image/png;base64," in page
    assert not re.search(r'(src|href)="(?!data:|#)', page)  # nothing fetched from elsewhere


def test_banner_for_reconstructed_and_synthetic_data(book):
    assert "GERECONSTRUEERDE GEGEVENS" in _build(book, {"reconstructed": True})
    assert "SYNTHETIC DATA" in _build(book, {"synthetic": True}, language="en")
    assert 'class="banner"' not in _build(book, {})


def test_config_hash_ignores_key_order():
    assert R.config_hash({"a": 1, "b": {"c": 2}}) == R.config_hash({"b": {"c": 2}, "a": 1})
    assert R.config_hash({"a": 1}) != R.config_hash({"a": 2})


def test_config_hash_of_a_code_map_with_numbers_and_words():
    # a wave's code map may mix a tool's numeric codes and its words (README: `1: ja`, `N/A: null`);
    # YAML gives int and str keys in one mapping, which json's sort_keys cannot order
    mixed = {"waves": {"w": {"column_map": {"codes": {"yes_no": {1: "ja", 2: "nee", "N/A": None, -99: None}}}}}}
    assert R.config_hash(mixed) == R.config_hash(mixed)
    assert R.config_hash(mixed) != R.config_hash({"waves": {"w": {"column_map": {"codes": {"yes_no": {1: "ja"}}}}}})


def test_a_figure_that_leaves_units_out_is_headed_with_the_n_it_shows(book):
    """Review r16n #7: Figuur 3.1's dot layout leaves out municipalities of unknown sent count
    (no rank in its data); its heading gives, beside all respondents, the n of those it shows.
    Figuur 4.1 (and its data table) shows domains 1-3 only. A figure that shows every unit keeps
    its plain n."""
    tables, figures, _, prov = _inputs(book)
    cells = pd.DataFrame({"unit": ["overall"] * 2 + ["municipality"] * 3 + ["domain"] * 3,
                          "unit_id": ["all", "all", "1", "2", "3", "1", "2", "4"],
                          "item": ["sector", "health_work"] + ["sector"] * 6,
                          "base": ["30", "30", "12", "10", "8", "9", "15", "6"]})
    dots = pd.DataFrame({"municipality_id": ["1", "3", "2"], "rank": ["1", "2", ""], "received": ["12", "8", "10"],
                         "status": ["ok", "ok", "sent unknown"]})
    bars = dots.drop(columns="rank")  # the bar layout draws every municipality, unknown sent as received only
    domains = pd.DataFrame({"unit": ["domain", "domain"], "unit_id": ["1", "2"], "item": ["health_work"] * 2})
    heatmap = pd.DataFrame({"unit": ["municipality"] * 3 + ["overall"], "unit_id": ["1", "2", "3", "all"]})

    def heading(stem, data):
        page = R.build_report(wave="w", language="nl", banner=None, cells=cells, book=book, tables=tables,
                              figures_png=figures, entry_provenance=prov, extra_chapters=[], provenance="top",
                              interviews_n=3, figures_data=data)
        return re.search(rf'<section id="{stem}"><h3>([^<]*)</h3>', page).group(1)

    assert heading("figuur_3_1", {"figuur_3_1": dots}).endswith("(alle respondenten: n=30; respondenten in de figuur: 20)")
    assert heading("figuur_3_1", {"figuur_3_1": bars}).endswith("(n=30)")
    assert heading("figuur_3_1", {}).endswith("(n=30)")
    assert heading("figuur_4_1", {"figuur_4_1": domains}).endswith("(alle respondenten: n=30; respondenten in de figuur: 24)")
    assert heading("figuur_4_1_data", {"figuur_4_1": domains}).endswith("(alle respondenten: n=30; respondenten in de tabel: 24)")
    assert heading("figuur_4_2", {"figuur_4_2": heatmap}).endswith("(n=30)")
    assert heading("figuur_4_2", {"figuur_4_2": heatmap[heatmap["unit_id"] != "3"]}).endswith("(alle respondenten: n=30; respondenten in de figuur: 22)")


def test_further_questions_say_why_a_size_class_row_is_hidden_for_keep_group(book):
    """Review r16n #6: the 'Overige vragen' section shows size-class rows; a '×' there gets the
    keep_group note where the wave's keep_group hid size-class totals, and nothing else does."""
    item = next(it for it in book.items if it.answers and it.type == "categorical" and not it.published)

    def row(unit, unit_id, answer, count, status="ok"):
        n = pd.NA if status != "ok" else count
        return {"unit": unit, "unit_id": unit_id, "item": item.id, "answer": answer, "base": 10, "count": n,
                "pct": n, "ci_low": pd.NA, "ci_high": pd.NA, "status": status, "answered": 10, "no_answer": 0}

    cells = pd.DataFrame([row("overall", "all", k, 5) for k in item.keys[:2]]
                         + [row("size_class", "G4", k, None, "×") for k in item.keys[:2]])
    (title, html_), = R.further_chapter(cells, book, "nl", "NOTE-keep_group", {item.id})
    assert "<td>×</td>" in html_ and html_.endswith('<p class="note">NOTE-keep_group</p>')
    (_, plain), = R.further_chapter(cells, book, "nl")
    assert "NOTE-keep_group" not in plain
    # review r18d: a '×' that keep_group did not cause (report.csv names other items) gets no note
    (_, other), = R.further_chapter(cells, book, "nl", "NOTE-keep_group", {"health_work"})
    assert "<td>×</td>" in other and "NOTE-keep_group" not in other


def test_further_questions_name_a_size_class_as_the_fact_sheets_do(book):
    """Review r18d (finding 9): 'Overige vragen' had a row 'Grootteklasse | small' where the tables and
    fact sheets say 'Kleinere gemeenten' / 'Smaller municipalities'."""
    from analysis.publication.further import further_questions_table
    from analysis.publication.text import WORDS

    item = next(it for it in book.items if it.answers and it.type == "categorical" and not it.published)
    cells = pd.DataFrame([{"unit": unit, "unit_id": unit_id, "item": item.id, "answer": item.keys[0], "base": 10,
                           "count": 5, "pct": 50, "ci_low": 0.2, "ci_high": 0.8, "status": "ok", "answered": 10,
                           "no_answer": 0} for unit, unit_id in (("overall", "all"), ("size_class", "small"))])
    for language in ("nl", "en"):
        table = further_questions_table(cells, book, language)
        groups = list(table.iloc[:, 3])
        assert WORDS[language]["size_small"] in groups and "small" not in groups, groups
