"""Numbers and words that were wrong or confusing once a wave differs from 2009 (issue 14): each
test is one the old code fails."""

import re

import pandas as pd

from analysis.core.aggregate import aggregate_cells
from analysis.fixtures.synthetic import fixture_municipalities, synthetic_answers
from analysis.publication import tables as T
from analysis.publication.registry import BY_STEM, FIGURES
from analysis.publication.report import entry_html, entry_n


def _overall(rows):
    return pd.DataFrame([{"unit": "overall", "unit_id": "all", "item": i, "answer": a, "base": b, "count": c,
                          "status": s, "asked": asked} for i, a, b, c, s, asked in rows])


def _factor_cells(book, status="ok"):
    """188 answered 'collaborates' (152 ja); the factors of Tabel IX.1 answered by 142-150 of the 152 asked."""
    rows = [("sector", "vgz", 188, 20, "ok", 188), ("collaborates", "ja", 188, 152, "ok", 188),
            ("collaborates", "nee", 188, 36, "ok", 188)]
    for i, it in enumerate(T.published_items(book, "IX.1")):
        base = None if status == "not asked" else 150 - (i % 9)
        rows += [(it.id, "ja", base, None if base is None else 100, status, None if base is None else 152)]
    return _overall(rows)


def test_footnote_counts_the_lead_items_answers_not_the_largest_base(book):
    note = T.table_footnote("tabel_IX_1", _factor_cells(book), book, "nl")
    assert note.endswith("(152 v/d 188).")  # 152 collaborated; 150 is only the most answered factor


def test_a_block_not_asked_has_no_footnote_and_no_n(book):
    cells = _factor_cells(book, status="not asked")
    assert T.table_footnote("tabel_IX_1", cells, book, "nl") == ""
    assert entry_n(cells, book, "positive_factors") is None
    title = entry_html(FIGURES["6.1"], "", None, "p", "nl")
    assert "niet gevraagd" in title and "n=0" not in title


def test_entry_n_is_who_was_asked(book):
    assert entry_n(_factor_cells(book), book, "positive_factors") == 152  # not 150, not "n=142–150"


def test_no_interview_register_is_said_not_n_0():
    title = entry_html(BY_STEM["tabel_3_1"], "", "geen interviewregister", "p", "nl")
    assert "(geen interviewregister)" in title and "n=0" not in title


def test_figure_title_of_a_block_not_asked_says_so():
    from analysis.publication.figures import _n_text

    data = pd.DataFrame({"status": ["not asked"] * 3, "base": [0, 0, 0]})
    assert _n_text(data, "nl") == "niet gevraagd" and _n_text(data, "en") == "not asked"


def test_cells_of_an_item_not_asked_have_no_base(book):
    ids = ["1", "2", "3", "4"]
    answers = synthetic_answers(book, ids, 20, "synthetic-x", 7)
    from analysis.core.responses import typed_responses

    responses = typed_responses(answers.assign(pol_3=None), book)
    cells = aggregate_cells(responses, fixture_municipalities(ids), book, "synthetic-x", ["pol_3"])
    pol = cells[cells["item"] == "pol_3"]
    assert pol["status"].eq("not asked").all() and pol["base"].isna().all()  # never a base of 0


def test_public_chapter_shows_an_earlier_restricted_wave_as_if_public(book, tmp_path):
    from analysis.core.aggregate import write_csv
    from analysis.core.responses import typed_responses
    from analysis.core.waves.build import read_hidden, run_chapter, run_public_view

    ids = ["1", "2", "3", "4"]
    paths = {"responses": {}, "municipalities": {}, "cells": {}}
    for wave, seed in (("synthetic-a", 1), ("synthetic-b", 2)):
        folder = tmp_path / wave
        folder.mkdir()
        responses = typed_responses(synthetic_answers(book, ids, 40, wave, seed), book)
        sheet = fixture_municipalities(ids)
        cells = aggregate_cells(responses, sheet, book, wave)  # b's own protection does not matter here
        responses.to_parquet(folder / "responses.parquet")
        sheet.to_csv(folder / "municipalities.csv", index=False)
        write_csv(cells, folder / "cells.csv")
        for key, name in (("responses", "responses.parquet"), ("municipalities", "municipalities.csv"), ("cells", "cells.csv")):
            paths[key][wave] = str(folder / name)
    public_a = str(tmp_path / "synthetic-a" / "cells_as_public.csv")
    run_public_view(paths["cells"]["synthetic-a"], paths["municipalities"]["synthetic-a"], book, {"min_base": 5},
                    public_a, report_md=str(tmp_path / "as_public.md"), report_csv=str(tmp_path / "as_public.csv"))
    statuses = [{"wave": "synthetic-a", "valid": True, "kind": "synthetic", "disclosure": "restricted"},
                {"wave": "synthetic-b", "valid": True, "kind": "synthetic", "disclosure": "public"}]
    run_chapter("synthetic-b", statuses, paths["responses"], paths["municipalities"], book, "nl",
                str(tmp_path / "chapter.html"), paths["cells"], public_cells={"synthetic-a": public_a})
    html = (tmp_path / "chapter.html").read_text(encoding="utf-8")
    assert "Niet voor publicatie" not in html and "vertrouwelijk" not in html.lower()
    # the restricted wave's small cells are hidden as public mode hides them
    hidden = read_hidden({"synthetic-a": paths["cells"]["synthetic-a"]}, {"synthetic-a": public_a})
    raw = pd.read_csv(paths["cells"]["synthetic-a"], dtype={"unit_id": str})
    small = raw[(raw["base"] > 0) & (raw["base"] < 5) & (raw["item"] == "health_work") & (raw["unit"] == "sector")]
    assert len(small) and all(("synthetic-a", "health_work", "sector", u) in hidden for u in small["unit_id"])
    # its own chapter, restricted, keeps the banner
    run_chapter("synthetic-a", statuses[:1], paths["responses"], paths["municipalities"], book, "nl",
                str(tmp_path / "chapter_a.html"), {"synthetic-a": paths["cells"]["synthetic-a"]})
    assert "Niet voor publicatie" in (tmp_path / "chapter_a.html").read_text(encoding="utf-8")


def test_public_view_protects_what_a_later_wave_shows_and_the_items_those_are_asked_after(book):
    from analysis.core.waves.build import shown_of_earlier_wave
    from analysis.core.waves.comparison import indicator_items

    comparisons = {"within_wave": [{"label": {"en": "x"}, "item": "neg_poor_relations", "unit": "sector",
                                    "group_a": "vgz"}]}
    items = shown_of_earlier_wave(book, comparisons)
    looked_up = set(indicator_items(book)) | {"neg_poor_relations"}
    looked_up |= {it.id for block in book.feedback_blocks for it in book.block(block)}
    assert looked_up <= set(items)
    # a follow-up brings the item it is asked after (its base is that item's count), down the chain
    assert book["neg_poor_relations"].asked_if and set(book["neg_poor_relations"].asked_if) <= set(items)
    for it in book.items:
        if it.id in items:
            assert set(it.asked_if) <= set(items), it.id
    # and nothing a later wave does not show: fewer cells for the optimiser
    assert "collab_with_vgz" not in items and len(items) < len(book.items)
    assert items == [it.id for it in book.items if it.id in set(items)]  # codebook order


def test_within_wave_text_in_dutch_has_no_english_group_names():
    from analysis.core.waves.rendering import _within_text

    row = {"comparison": "x", "status": "ok", "group_a": "social", "group_b": "physical", "count_a": 33, "n_a": 50,
           "count_b": 14, "n_b": 50, "diff": 0.38, "ci_low": 0.2, "ci_high": 0.55, "p": 0.001, "p_holm": 0.002}
    text = _within_text(row, "nl")
    assert "sociale sectoren" in text and "fysieke sectoren" in text
    assert not re.search(r"\b(social|physical)\b", text)


def test_figure_4_1_note_gives_the_left_out_domains_with_their_n(book):
    from analysis.core.responses import typed_responses
    from analysis.publication.figures import figuur_4_1

    ids = ["1", "2", "3", "4"]
    responses = typed_responses(synthetic_answers(book, ids, 60, "synthetic-x", 3), book)
    cells = aggregate_cells(responses, fixture_municipalities(ids), book, "synthetic-x")
    fig, _ = figuur_4_1(cells, book, "nl")
    texts = " ".join(t.get_text() for t in fig.texts)
    n_safety = int((responses["sector"] == "veiligheid").sum())
    assert "voetnoot 19" in texts and f"Veiligheid (n={n_safety})" in texts and "kleine aantallen" not in texts


# --- asked n and answered n, said the same way in the report's headings, figures and tables -----

def _answered(cells: pd.DataFrame) -> pd.DataFrame:
    """cells.csv as the aggregate step writes it now: `answered` = base (item nonresponse counted)."""
    return cells.assign(answered=cells["base"])


def test_report_heading_and_figure_title_say_asked_and_answered(book):
    from analysis.publication.answered import entry_items, report_n_text
    from analysis.publication.figures import _n_text

    cells = _answered(_factor_cells(book))  # 152 asked; the factors answered by 142-150 of them
    heading = report_n_text(152, cells, entry_items(BY_STEM["tabel_IX_1"], book), "nl")
    assert heading == "gevraagd n=152, beantwoord n=142–150"
    assert report_n_text(152, cells, entry_items(BY_STEM["tabel_IX_1"], book), "en") == "asked n=152, answered n=142–150"
    ids = [it.id for it in T.published_items(book, "IX.1")]
    data = pd.DataFrame({"item": ids, "status": "ok", "base": [150 - (i % 9) for i in range(len(ids))]})
    assert _n_text(data, "nl", cells) == "beantwoord n=142–150"  # the figure: the answered n of the heading
    assert heading.endswith(_n_text(data, "nl", cells))


def test_without_item_nonresponse_n_stays_as_the_report_prints_it(book):
    from analysis.publication.answered import entry_items, report_n_text

    cells = _factor_cells(book)
    cells = cells.assign(base=cells["asked"], answered=cells["asked"])  # everyone asked answered
    assert report_n_text(152, cells, entry_items(BY_STEM["tabel_IX_1"], book), "nl") == "n=152"
    assert T.table_note("tabel_IX_1", cells, book, "nl") == ""


def test_table_note_names_the_items_above_the_threshold(book):
    cells = _answered(_factor_cells(book))
    items = T.published_items(book, "IX.1")
    note = T.table_note("tabel_IX_1", cells, book, "nl")
    assert note.startswith("n = beantwoord:")
    # 152 asked: 150 answered is 1% no answer, 142 is 7% (10 of 152): listed only above 5%, by hand
    listed = [it for i, it in enumerate(items) if 100 * (2 + i % 9) / 152 > 5.5]
    assert listed and all(f"{it.label('nl')} " in note for it in listed)
    assert f"{items[0].label('nl')} 1%" not in note
    assert "7% (10 v/d 152)" in note and "boven 5%" in note
    english = T.table_note("tabel_IX_1", cells, book, "en")
    assert english.startswith("n = answered:") and "above 5%" in english and " v/d " not in english


def test_nonresponse_note_tells_apart_two_items_with_one_label(book):
    # Tabel 4.2 has "Allochtonen" in both columns (health and SEGV target groups); its note read
    # "Allochtonen 8% (8 v/d 96); Allochtonen 9% (9 v/d 104)" without saying which is which
    from analysis.publication.answered import nonresponse_note

    cells = pd.DataFrame({"unit": "overall", "item": ["health_tg_migrants", "segv_tg_migrants"],
                          "asked": [96, 104], "answered": [88, 95], "status": "ok"})
    note = nonresponse_note(cells, book, ["health_tg_migrants", "segv_tg_migrants"], "nl")
    assert "Allochtonen (In beleid gericht op het verbeteren van gezondheid) 8% (8 v/d 96)" in note
    assert "Allochtonen (In beleid gericht op het terugdringen van gezondheidsachterstanden) 9% (9 v/d 104)" in note
    single = nonresponse_note(cells.iloc[:1], book, ["health_tg_migrants"], "nl")
    assert "Allochtonen 8% (8 v/d 96)" in single  # one item: no qualifier needed
