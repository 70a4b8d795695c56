"""The report's tables from cells: layout, hand-computed cells, lost headers, determinism."""
from pathlib import Path

import pandas as pd
import pytest

import analysis.publication.tables as T
from analysis.core.aggregate import aggregate_cells
from analysis.core.responses import typed_responses

ROOT = Path(__file__).resolve().parents[1]
SHEET = pd.DataFrame({"municipality_id": ["1", "2"], "name": ["", ""], "size_class": ["G4", "G32"],
                      "krachtwijk": ["yes", "no"], "questionnaires_sent": ["4", "2"]})


@pytest.fixture
def cells(book):
    """Municipality 1: 4 respondents, 3 collaborate; municipality 2: 2 respondents, 1 collaborates.

    Positive experiences among collaborators: m1 ja, ja, weet_niet; m2 ja -> m1 67% (2), total 75% (3).
    health_work ja for 3 of 6; health_target_groups ja for 1 of those 3.
    """
    rows = [
        dict(municipality_id="1", sector="vgz", health_priority="ja", health_work="ja", health_target_groups="ja",
             health_tg_low_ses="ja", health_tg_migrants="nee", health_tg_deprived_areas="nee", health_tg_other="nee",
             collaborates="ja", pos_positive_experiences="ja", det_income="ja"),
        dict(municipality_id="1", sector="jeugd", health_priority="nee", health_work="ja", health_target_groups="nee",
             collaborates="ja", pos_positive_experiences="ja", det_income="nee"),
        dict(municipality_id="1", sector="wonen", health_priority="nee", health_work="nee",
             collaborates="ja", pos_positive_experiences="weet_niet", det_income="nee"),
        dict(municipality_id="1", sector="vgz", health_priority="nee", health_work="nee", collaborates="nee",
             det_income="nee"),
        dict(municipality_id="2", sector="vgz", health_priority="ja", health_work="ja", health_target_groups="nee",
             collaborates="ja", pos_positive_experiences="ja", det_income="ja"),
        dict(municipality_id="2", sector="milieu", health_priority="nee", health_work="nee", collaborates="nee",
             det_income="nee"),
    ]
    answers = pd.DataFrame([r | {"respondent_id": f"R{i}", "wave": "hand", "hours_per_week": 8.0}
                            for i, r in enumerate(rows)])
    return aggregate_cells(typed_responses(answers, book), SHEET, book, "hand")


def test_municipality_table_cells_n_and_pooled_average(book, cells):
    t = T.tabel_IX_1(cells, book, "nl")
    assert list(t["Gemeente"]) == ["Gemeente 1", "Gemeente 2", "Gemiddeld"]
    col = "Positieve ervaringen met intersectoraal samenwerken [kolomkop verloren in rapport; vermoedelijk]"
    assert list(t[col]) == ["67% (2)", "100% (1)", "75% (3)"]
    assert list(t["n"]) == [3, 1, 4]  # collaborators: who was asked


def test_skip_logic_base_shown_when_it_is_not_the_row_n(book, cells):
    t = T.tabel_VII_2(cells, book, "nl")
    # achterstandsgroepen: asked of those working on health (m1: 2 of 4 respondents)
    assert t.loc[0, "Achterstandsgroepen"] == "50% (1 v/d 2)"
    assert t.loc[0, "Gezondheid prioriteit"] == "25% (1)"
    assert t.loc[2, "Gezondheid prioriteit"] == "33% (2)"  # 2 of 6 pooled
    # headed as the report prints Tabel VII.2: Gemeenten ... Totaal, pooled row Gemiddeld/Totaal
    assert list(t["Totaal"]) == [4, 2, 6] and t.columns[0] == "Gemeenten"
    assert t.iloc[-1, 0] == "Gemiddeld/Totaal"


def test_vii_3_columns_follow_codebook(book, cells):
    t = T.tabel_VII_3(cells, book, "en")
    # the report printed no headers over Tabel VII.3's columns: the header says so
    assert t.columns[1] == "Improving low income [column header lost in report; presumably]"
    assert t.columns[0] == "Municipality" and t.iloc[-1, 0] == "Average"
    assert t.loc[1, t.columns[1]] == "50% (1)"


def test_lost_headers_say_so(book, cells):
    viii3 = T.tabel_VIII_3(cells, book, "nl")
    for header in viii3.columns[1:-1]:
        assert "[kolomkop verloren in rapport; vermoedelijk]" in header
    ix3 = T.tabel_IX_3(cells, book, "nl").columns
    assert "kolomkop verloren in rapport" in ix3[3] and "vermoedelijk" not in ix3[3]  # pol_3: unknown
    assert ix3[6] == "Veel aandacht vanuit landelijk beleid"  # printed (vertically): kept as is
    assert "[column header lost in report; presumably]" in T.tabel_IX_3(cells, book, "en").columns[1]


def test_not_asked_item_reads_not_asked(book, cells):
    absent = cells.copy()
    rows = absent["item"] == "det_income"
    absent.loc[rows, "status"] = "not asked"
    absent.loc[rows, "count"] = pd.NA
    t = T.tabel_VII_3(absent, book, "nl")
    assert set(t["Verbeteren laag inkomen [kolomkop verloren in rapport; vermoedelijk]"]) == {"niet gevraagd"}


def test_base_zero_cell_is_a_dash_not_zero(book, cells):
    t = T.tabel_VIII_1(cells, book, "nl")
    by = t.set_index("Beleidssectoren")
    assert by.loc["Sport", "Intersectoraal samenwerken"] == "–"
    assert by.loc["VGZ", "Intersectoraal samenwerken"] == "67% (2)"
    assert by.loc["Gemiddeld/Totaal", "Intersectoraal samenwerken"] == "67% (4)"


def test_tabel_4_1_and_4_2(book, cells):
    t41 = T.tabel_4_1(cells, book, "nl")
    assert list(t41.iloc[:2, 1]) == [2, 3] and list(t41["Percentage"]) == ["33%", "50%"] + ["niet gevraagd"] * 2
    assert "(n=6)" in t41.columns[1]
    assert len(t41) == 4  # Figuur 4.1's achterstandsgroepen is not a row of Tabel 4.1
    t42 = T.tabel_4_2(cells, book, "nl").set_index("Rekening houden met achterstandsgroepen")
    health = [c for c in t42.columns if "verbeteren van gezondheid" in c]
    # headed as printed: "In beleid gericht op het verbeteren van gezondheid (n=73)" in 2009
    assert health == ["In beleid gericht op het verbeteren van gezondheid (n=1)"]
    assert t42.loc["Mensen met lage SES", health[0]] == "100% (1)"
    assert t42.loc["Allochtonen", health[0]] == "0% (0)"


def test_tabel_vi_1_with_and_without_sent(book, cells):
    sent = pd.DataFrame({"sector": [s.id for s in book.sectors], "questionnaires_sent": [8] * 13})
    t = T.tabel_VI_1(cells, book, "nl", sent).set_index("Beleidsterreinen")
    assert (t.loc["VGZ", "Ontvangen"], t.loc["VGZ", "Percentage"]) == (3, "38%")  # 3/8 = 37.5 -> 38
    assert (t.loc["Totaal", "Verstuurd"], t.loc["Totaal", "Ontvangen"]) == (104, 6)
    unknown = T.tabel_VI_1(cells, book, "nl").set_index("Beleidsterreinen")
    assert unknown.loc["VGZ", "Verstuurd"] == "onbekend" and unknown.loc["VGZ", "Percentage"] == "–"


def test_figuur_4_1_data_domains_1_to_3_only(book, cells):
    t = T.figuur_4_1_data(cells, book, "nl")
    assert len(t) == 3  # veiligheid and anders are left out, as in the report
    # domain 2 (VGZ counted there): 3 VGZ respondents, 2 work on health
    assert t.loc[1, "Werken aan gezondheid"] == "67% (2)"


def test_free_cells_of_a_reconstructed_wave_are_marked_with_a_legend(book, cells):
    """A cell whose basis (cells.csv, issue 17) is "free" reads "67% (2) †" and the table gets the
    legend; printed cells and a wave without a basis column are unchanged."""
    plain = T.figuur_4_1_data(cells, book, "nl")
    assert T.free_legend(plain, "nl") == ""
    basis = cells.assign(basis="printed")
    free = (basis["unit"] == "domain") & (basis["unit_id"] == "2") & (basis["item"] == "health_work")
    basis.loc[free, "basis"] = "free"
    marked = T.figuur_4_1_data(basis, book, "nl")
    assert marked.loc[1, "Werken aan gezondheid"] == "67% (2) †"
    assert marked.loc[0, "Werken aan gezondheid"] == plain.loc[0, "Werken aan gezondheid"]
    assert T.free_legend(marked, "nl").startswith("† Vrije keuze van de reconstructie")
    assert T.free_legend(T.figuur_4_1_data(basis, book, "en"), "en").startswith("† A free choice")


def test_tabel_3_1_from_register(book):
    register = pd.DataFrame({"municipality_id": ["1", "1", "2"], "sector_category": ["VGZ", "Sport", "VGZ"]})
    t = T.tabel_3_1(register, SHEET, "nl").set_index("Beleidssectoren")
    assert t.loc["VGZ", "Aantal interviews"] == 2
    assert t.loc["VGZ", "G4 met krachtwijk"] == 1 and t.loc["VGZ", "G32 zonder krachtwijk"] == 1
    assert t.loc["Totaal", "Aantal interviews"] == 3


def test_tabel_3_1_types_as_keys_rows_in_report_order_and_english(book):
    """The 2009 register names types by key (g32_met_krachtwijk); the report orders the rows VGZ,
    then by VNG domain (Onderwijs/jeugd, Sport, Sociale zaken, Wonen/Ruimte)."""
    register = pd.DataFrame({
        "municipality_type": ["g32_met_krachtwijk", "kleinere_gemeenten_zonder_krachtwijk", "G4 met krachtwijk",
                              "g32_zonder_krachtwijk", "g32_met_krachtwijk", "somewhere else"],
        "sector_category": ["Wonen/Ruimte", "Sociale zaken", "Sport", "Onderwijs/jeugd", "VGZ", "VGZ"]})
    t = T.tabel_3_1(register, SHEET, "nl", None, book)
    assert list(t["Beleidssectoren"]) == ["VGZ", "Onderwijs/jeugd", "Sport", "Sociale zaken", "Wonen/Ruimte", "Totaal"]
    t = t.set_index("Beleidssectoren")
    assert t.loc["Wonen/Ruimte", "G32 met krachtwijk"] == 1 and t.loc["Sport", "G4 met krachtwijk"] == 1
    assert t.loc["VGZ", "onbekend"] == 1  # an unknown type is counted and shown, not dropped
    assert t.loc["Totaal", "Aantal interviews"] == 6
    en = T.tabel_3_1(register, SHEET, "en", None, book)
    assert list(en["Policy sectors"])[:2] == ["Public health", "Education/Youth"]
    assert en.set_index("Policy sectors").loc["Public health", "unknown"] == 1  # counted in English too


def test_tabel_3_1_in_a_public_wave_hides_small_counts_and_joins_pseudonyms():
    """The register comes from data/raw with raw ids and is not in cells.csv, so the protection
    of the aggregate step never saw it. Public: counts of 1..k-1 interviewees hide the table;
    large enough counts are shown, with the raw ids matched to the sheet's pseudonyms."""
    from analysis.core.disclosure.pseudonyms import public_wave

    public = {"mode": "public", "min_base": 2, "pseudonym_salt": "s"}
    _, sheet = public_wave(pd.DataFrame({"municipality_id": ["1"]}), SHEET, "s")
    small = pd.DataFrame({"municipality_id": ["1", "1", "2"], "sector_category": ["VGZ", "Sport", "VGZ"]})
    hidden = T.tabel_3_1(small, sheet, "nl", public)
    assert list(hidden.columns) == ["Opmerking"] and "minder dan 2 interviews" in hidden.iloc[0, 0]
    assert not hidden.isin([1]).any().any()
    large = pd.DataFrame({"municipality_id": ["1", "1", "2", "2"], "sector_category": ["VGZ"] * 4})
    shown = T.tabel_3_1(large, sheet, "nl", public).set_index("Beleidssectoren")
    assert shown.loc["VGZ", "G4 met krachtwijk"] == 2 and shown.loc["VGZ", "G32 zonder krachtwijk"] == 2
    assert "onbekend" not in shown.columns  # every raw id found its pseudonym
    restricted = T.tabel_3_1(small, SHEET, "nl", {"mode": "restricted", "min_base": 2}).set_index("Beleidssectoren")
    assert restricted.loc["Sport", "Aantal interviews"] == 1


def test_workbook_is_byte_identical_and_outputs_written(book, cells, tmp_path):
    tables = T.build_tables(cells, book, "nl", SHEET)
    T.write_tables(tables, tmp_path / "a", tmp_path / "a.xlsx", "nl", "note")
    T.write_tables(tables, tmp_path / "b", tmp_path / "b.xlsx", "nl", "note")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert sorted(p.stem for p in (tmp_path / "a").glob("*.csv")) == sorted(T.TABLE_IDS)
    assert "Geen interviewregister" in (tmp_path / "a" / "tabel_3_1.md").read_text()


def test_footnote_for_tables_asked_of_collaborators_only(book, tmp_path):
    """Tabel IX.1's questions are asked only of those who collaborate: the report's '*' note with
    this wave's numbers ("98 v/d 123" in 2009), under the table and a '*' in its title."""
    items = [it.id for it in T.published_items(book, "IX.1")]
    # 7 of the 10 who answered 'collaborates' said ja; the footnote counts them (not the factors' bases)
    cells = pd.DataFrame({"unit": "overall", "item": ["sector", "collaborates", "collaborates", *items],
                          "answer": ["vgz", "ja", "nee", *["ja"] * len(items)],
                          "count": [2, 7, 3, *[5] * len(items)], "base": [10, 10, 10] + [6] * len(items)})
    note = T.table_footnote("tabel_IX_1", cells, book, "nl")
    assert note.startswith("* ") and note.endswith("(7 v/d 10).") and "Intersectoraal samenwerken" in note
    assert T.table_footnote("tabel_IX_1", cells, book, "en").endswith("(7 of 10).")
    assert T.table_title("tabel_IX_1", "nl", note) == "Tabel IX.1 Factoren met een positieve invloed vanuit perspectief gemeenten*"
    # Tabel VII.2 is asked of everyone: no note
    assert T.table_footnote("tabel_VII_2", cells, book, "nl") == ""
    everyone = cells.copy()  # all 10 collaborate: the questions were asked of everyone
    everyone.loc[everyone["item"] == "collaborates", "count"] = [10, 0]
    assert T.table_footnote("tabel_IX_1", everyone, book, "nl") == ""
    T.write_tables({"tabel_IX_1": pd.DataFrame({"a": [1]})}, tmp_path, tmp_path / "t.xlsx", "nl", "",
                   {"tabel_IX_1": note})
    md = (tmp_path / "tabel_IX_1.md").read_text()
    assert md.startswith("## Tabel IX.1") and "gemeenten*" in md.splitlines()[0] and "(7 v/d 10)." in md
    assert "v/d" not in (tmp_path / "tabel_IX_1.csv").read_text()


def test_size_class_table_for_many_municipalities(book, cells):
    """The bounded table report.html shows above the threshold: a row per size class (m1 is G4,
    m2 is G32) in the same cell format, and the pooled row."""
    t = T.size_class_table(cells, book, "IX.1", "nl")
    col = "Positieve ervaringen met intersectoraal samenwerken [kolomkop verloren in rapport; vermoedelijk]"
    assert list(t["Grootteklasse"]) == ["G4", "G32", "Gemiddeld"]
    assert list(t[col]) == ["67% (2)", "100% (1)", "75% (3)"]
    assert list(t["n"]) == [3, 1, 4]
    assert T.MUNICIPALITY_ROW_TABLES == {f"tabel_{t}" for t in ("VII_2", "VII_3", "VIII_2", "VIII_3", "IX_1", "IX_2", "IX_3")}


def test_report_shows_size_classes_above_the_threshold_and_the_tables_up_to_it(book, cells):
    import re

    import analysis.publication.report as R

    stems = [e.stem for _, _, entries in R.OUTLINE for e in entries]
    tables = {s: pd.DataFrame({"Gemeente": ["Gemeente 1", "Gemeente 2"], "x": ["1", "2"]})
              for s in stems if s.startswith(("tabel", "figuur_4_1_data"))}
    text = cells.astype(str)

    def section(page, stem):
        return re.search(rf'<section id="{stem}">(.*?)</section>', page).group(1)

    def build(max_rows):
        return R.build_report(wave="w", language="nl", banner=None, cells=text, book=book, tables=tables,
                              figures_png={s: b"png" for s in stems if s not in tables}, entry_provenance={s: "" for s in stems},
                              extra_chapters=[], provenance="", interviews_n=1, max_rows=max_rows, typed_cells=cells,
                              tables_dir="results/w/tables")
    at, above = build(2), build(1)
    assert "Gemeente 1" in section(at, "tabel_IX_1") and "Grootteklasse" not in at
    bounded = section(above, "tabel_IX_1")
    assert "Gemeente 1" not in bounded and "<td>G4</td>" in bounded and "<td>75% (3)</td>" in bounded
    assert "2 gemeenten: hier per grootteklasse; de tabel per gemeente staat in results/w/tables/tabel_IX_1.csv" in bounded
    assert section(above, "tabel_VIII_1") == section(at, "tabel_VIII_1")  # by sector: unchanged


def test_a_size_class_table_with_a_total_hidden_for_keep_group_says_why(book, cells):
    """Review r16n #6: above the threshold report.html shows size-class rows; where one reads '×'
    and the wave's keep_group hid size-class totals, the note under that table says so."""
    import re

    import analysis.publication.report as R

    stems = [e.stem for _, _, entries in R.OUTLINE for e in entries]
    tables = {s: pd.DataFrame({"Gemeente": ["Gemeente 1"], "x": ["1"]}) for s in stems if s.startswith(("tabel", "figuur_4_1_data"))}
    hidden = cells.copy()
    g4 = (hidden["unit"] == "size_class") & (hidden["unit_id"] == "G4") & (hidden["item"] == "pos_positive_experiences")
    hidden.loc[g4, ["count", "pct", "pct_rounded"]] = pd.NA
    hidden.loc[g4, "status"] = "×"
    note = "NOTE-keep_group"
    page = R.build_report(wave="w", language="nl", banner=None, cells=hidden.astype(str), book=book, tables=tables,
                          figures_png={s: b"png" for s in stems if s not in tables}, entry_provenance={s: "" for s in stems},
                          extra_chapters=[], provenance="", interviews_n=1, max_rows=1, typed_cells=hidden,
                          tables_dir="results/w/tables", keep_note=note)
    section = {stem: re.search(rf'<section id="{stem}">(.*?)</section>', page).group(1) for stem in T.MUNICIPALITY_ROW_TABLES}
    assert "<td>×</td>" in section["tabel_IX_1"] and note in section["tabel_IX_1"]
    assert [s for s in section if note in section[s]] == ["tabel_IX_1"]
    # review r18d: only under a table one of whose items lost a size-class total to keep_group
    # (report.csv), not under every size-class table with a '×' of the wave
    for kept, said in (({"pos_positive_experiences"}, True), ({"health_work"}, False)):
        page = R.build_report(wave="w", language="nl", banner=None, cells=hidden.astype(str), book=book, tables=tables,
                              figures_png={s: b"png" for s in stems if s not in tables},
                              entry_provenance={s: "" for s in stems}, extra_chapters=[], provenance="", interviews_n=1,
                              max_rows=1, typed_cells=hidden, tables_dir="results/w/tables", keep_note=note,
                              kept_items=kept)
        ix1 = re.search(r'<section id="tabel_IX_1">(.*?)</section>', page).group(1)
        assert "<td>×</td>" in ix1 and (note in ix1) == said


def test_further_questions_file_says_why_a_size_class_row_is_hidden_for_keep_group(book, cells, tmp_path):
    """Review r16n #6, in the published files too: where the wave's disclosure report lists cells
    hidden for keep_group, overige_vragen.md and the workbook carry the keep_group note under the
    further questions when a size-class row there reads '×'; without such cells they do not."""
    from openpyxl import load_workbook

    from analysis.core.disclosure.checkreport import KEEP_GROUP_REASON

    extra = cells[cells["item"] == "health_work"].assign(item="health_in_environment_vision")
    g4 = extra["unit"].eq("size_class") & extra["unit_id"].eq("G4")
    extra.loc[g4, ["count", "pct", "pct_rounded", "ci_low", "ci_high"]] = pd.NA
    extra.loc[g4, "status"] = "×"
    (tmp_path / "cells.csv").write_text(pd.concat([cells, extra]).to_csv(index=False), encoding="utf-8")
    SHEET.to_csv(tmp_path / "municipalities.csv", index=False)
    report = tmp_path / "disclosure" / "report.csv"
    report.parent.mkdir()
    note = "houden hun eigen rijen (keep_group)"

    def written(reason: str, item: str = "health_in_environment_vision") -> tuple[str, list]:
        pd.DataFrame({"item": [item], "unit": ["size_class"], "unit_id": ["G4"],
                      "answer": ["ja"], "reason": [reason]}).to_csv(report, index=False)
        out = tmp_path / f"{reason[:4]}-{item}"
        T.run_tables(tmp_path / "cells.csv", tmp_path / "municipalities.csv", ROOT / "config/codebook.yaml",
                     ROOT / "config/sectors.yaml", None, None, "nl", "", out, out / "tables.xlsx",
                     {"mode": "public", "min_base": 5, "keep_group": 9})
        sheet = load_workbook(out / "tables.xlsx")["overige_vragen"]
        return (out / "overige_vragen.md").read_text(encoding="utf-8"), [c for r in sheet.iter_rows(values_only=True) for c in r if c]

    md, workbook = written(KEEP_GROUP_REASON)
    assert "| ×" in md and note in md and any(note in str(c) for c in workbook)
    md, workbook = written("sensitive: base below 5")
    assert "| ×" in md and note not in md and not any(note in str(c) for c in workbook)
    # keep_group hid another item's total, not this table's: its '×' is an ordinary one (review r18d)
    md, workbook = written(KEEP_GROUP_REASON, "health_work")
    assert "| ×" in md and note not in md and not any(note in str(c) for c in workbook)
