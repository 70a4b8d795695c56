"""Review r18d #7: a table's n column is never blank, "<NA>" or a 0 that is not a count, and the
n column of report.html's size-class tables adds up to its total."""
import pandas as pd
import pytest

import analysis.publication.tables as T
from analysis.core.aggregate import aggregate_cells
from analysis.core.responses import typed_responses

SHEET = pd.DataFrame({"municipality_id": ["1", "2", "3"], "name": ["", "", ""], "size_class": ["G4", "G32", "unknown"],
                      "krachtwijk": ["yes", "no", "no"], "questionnaires_sent": ["4", "3", "1"]})
IX_1_ITEM = "pos_positive_experiences"  # an item of Tabel IX.1, asked of who collaborates


def _answers(rows, book):
    answers = pd.DataFrame([r | {"respondent_id": f"R{i}", "wave": "hand", "hours_per_week": 8.0}
                            for i, r in enumerate(rows)])
    return aggregate_cells(typed_responses(answers, book), SHEET, book, "hand")


@pytest.fixture
def cells(book):
    """Municipality 1 (G4): 4 respondents, 3 collaborate; 2 (G32): 3 respondents, 2 collaborate;
    3 (size unknown): 1 respondent, who collaborates. Item nonresponse: in G4 one respondent
    skipped health_priority, in G32 one skipped health_work, so Tabel VII.2's largest base is
    health_work's in G4 (4) and health_priority's in G32 (3): 4 + 3 + 1 = 8 > 7 answered overall."""
    rows = [
        dict(municipality_id="1", sector="vgz", health_work="ja", health_target_groups="nee",
             collaborates="ja", pos_positive_experiences="ja"),
        dict(municipality_id="1", sector="jeugd", health_priority="nee", health_work="ja", health_target_groups="nee",
             collaborates="ja", pos_positive_experiences="nee"),
        dict(municipality_id="1", sector="wonen", health_priority="ja", health_work="nee",
             collaborates="ja", pos_positive_experiences="ja"),
        dict(municipality_id="1", sector="vgz", health_priority="nee", health_work="nee", collaborates="nee"),
        dict(municipality_id="2", sector="vgz", health_priority="ja", health_work="ja", health_target_groups="nee",
             collaborates="ja", pos_positive_experiences="ja"),
        dict(municipality_id="2", sector="milieu", health_priority="nee", collaborates="ja",
             pos_positive_experiences="nee"),
        dict(municipality_id="2", sector="sport", health_priority="nee", health_work="nee", collaborates="nee"),
        dict(municipality_id="3", sector="vgz", health_priority="ja", health_work="nee", collaborates="ja",
             pos_positive_experiences="ja"),
    ]
    return _answers(rows, book)


def _hide_follow_ups(cells, unit, unit_id):
    """What public mode does to the follow-ups of a hidden lead count (suppression._apply_cells):
    every row of Tabel IX.1's items in the unit reads '×', its base hidden too."""
    out = cells.copy()
    rows = out["unit"].eq(unit) & out["unit_id"].eq(unit_id) & out["item"].str.startswith("pos_")
    out["status"] = out["status"].astype("string")
    out.loc[rows, ["count", "pct", "pct_rounded", "ci_low", "ci_high", "base"]] = pd.NA
    out.loc[rows, "status"] = "×"
    return out


def test_a_hidden_n_reads_the_mark_of_its_cells_in_the_table_files(book, cells, tmp_path):
    hidden = _hide_follow_ups(cells, "municipality", "2")
    t = T.tabel_IX_1(hidden, book, "nl")
    assert list(t["n"]) == [3, "×", 1, 6]  # municipality 2's n (2 collaborators) is hidden with its cells
    T.write_tables({"tabel_IX_1": t}, tmp_path, tmp_path / "t.xlsx")
    md = (tmp_path / "tabel_IX_1.md").read_text(encoding="utf-8").splitlines()
    assert md[-3].startswith("| Gemeente 2 | × |") and md[-3].endswith("| × |")
    csv = pd.read_csv(tmp_path / "tabel_IX_1.csv", dtype=str, keep_default_na=False)
    assert list(csv["n"]) == ["3", "×", "1", "6"]  # numbers stay numbers as written before


def test_a_hidden_size_class_n_reads_the_mark_never_na(book, cells):
    t = T.size_class_table(_hide_follow_ups(cells, "size_class", "G4"), book, "IX.1", "nl")
    assert list(t["n"]) == ["×", 2, 6]
    assert "<NA>" not in t.astype(str).to_numpy()


def test_n_of_a_table_the_wave_did_not_ask_reads_not_asked(book, cells):
    # nobody was asked Tabel IX.3's political factors in this wave
    assert set(T.tabel_IX_3(cells, book, "nl")["n"]) == {"niet gevraagd"}
    assert set(T.size_class_table(cells, book, "IX.3", "en")["n"]) == {"not asked"}
    assert T.size_class_n_note(cells, book, "IX.3", "nl") == ""


def test_size_class_totals_add_up_and_the_note_says_what_they_count(book, cells):
    per_municipality = T.tabel_VII_2(cells, book, "nl")
    assert list(per_municipality["Totaal"]) == [4, 3, 1, 7]  # each row its largest base: 8 against 7
    t = T.size_class_table(cells, book, "VII.2", "nl")
    assert list(t["Grootteklasse"]) == ["G4", "G32", "Gemiddeld/Totaal"]
    # one item's base (health_priority: 7 answered overall, the first of the largest) in every row
    assert list(t["Totaal"]) == [3, 3, 7]
    assert t.loc[0, "Gezondheid prioriteit"] == "33% (1)"
    assert t.loc[0, "Werken aan gezondheid"] == "50% (2 v/d 4)"  # its own base, now it is not the row's n
    note = T.size_class_n_note(cells, book, "VII.2", "nl")
    assert note.startswith("Totaal: wie 'Gezondheid als prioriteit binnen de eigen beleidssector' beantwoordde")
    assert note.endswith("op 1 respondent van gemeenten zonder bekende grootteklasse na (alleen in het totaal).")
    # not where a size class's n is hidden: the difference would tell it
    assert "zonder bekende" not in T.size_class_n_note(_hide_follow_ups(cells, "size_class", "G4"), book, "IX.1", "nl")
    assert "unknown size class" in T.size_class_n_note(cells, book, "IX.1", "en")


def test_report_size_class_tables_print_the_mark_and_say_what_n_counts(book, cells):
    import html
    import re

    import analysis.publication.report as R

    stems = [e.stem for _, _, entries in R.OUTLINE for e in entries]
    tables = {s: pd.DataFrame({"Gemeente": ["Gemeente 1"], "x": ["1"]}) for s in stems if s.startswith(("tabel", "figuur_4_1_data"))}
    hidden = _hide_follow_ups(cells, "size_class", "G4")
    page = R.build_report(wave="w", language="nl", banner=None, cells=hidden.astype(str), book=book, tables=tables,
                          figures_png={s: b"png" for s in stems if s not in tables}, entry_provenance={s: "" for s in stems},
                          extra_chapters=[], provenance="", interviews_n=1, max_rows=1, typed_cells=hidden,
                          tables_dir="results/w/tables")
    section = {stem: html.unescape(re.search(rf'<section id="{stem}">(.*?)</section>', page).group(1))
               for stem in T.MUNICIPALITY_ROW_TABLES}
    assert all("<NA>" not in s and "<td></td>" not in s for s in section.values())
    assert re.search(r"<tr><td>G4</td>(<td>×</td>)+</tr>", section["tabel_IX_1"])  # its n too
    assert "<td>Gemiddeld/Totaal</td>" in section["tabel_VII_2"] and "<td>3</td><td>3</td>" not in section["tabel_VII_2"]
    assert "Totaal: wie 'Gezondheid als prioriteit binnen de eigen beleidssector' beantwoordde" in section["tabel_VII_2"]
    assert "n: wie 'Positieve ervaringen" in section["tabel_IX_1"]
    assert "niet gevraagd</td></tr>" in section["tabel_IX_3"] and "n: wie" not in section["tabel_IX_3"]
