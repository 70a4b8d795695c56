"""Feedback pages: self-contained, pseudonymous in public mode, and no other municipality's small
cell on any page (synthetic, invented data only)."""
import pandas as pd
import pytest

from analysis.core.disclosure.pseudonyms import pseudonymise
from analysis.core.disclosure.suppression import protect_cells
from analysis.core.aggregate import aggregate_cells
from analysis.publication.pages import municipality_page
from analysis.core.responses import typed_responses
from analysis.fixtures.synthetic import synthetic_answers

K = 5
SMALL = "99"


def answered(book, answers: dict, choose) -> dict:
    """Answers re-drawn in codebook order with skip logic kept: `choose(item)` for asked items."""
    out = dict(answers)
    for item in book.items:
        if item.block not in book.feedback_blocks and not item.asked_if:
            continue
        if not book.is_asked(item, out):
            out[item.id] = None
        elif item.block in book.feedback_blocks or out.get(item.id) is None:
            out[item.id] = choose(item)
    return out


@pytest.fixture(scope="module")
def wave(book):
    """Six municipalities; SMALL has 3 officers who answer 'ja' to everything (100%), and every
    other municipality has an officer answering 'nee' where asked, so 100% is SMALL's alone."""
    ids = [str(i) for i in range(1, 7)]
    raw = synthetic_answers(book, ids, 60, "synthetic-test", 4)
    rows = raw.to_dict("records")
    for r in rows[:3]:
        r.update(answered(book, {**r, "municipality_id": SMALL}, lambda it: "ja"))
    for m in ids:
        first, second = [r for r in rows if r["municipality_id"] == m][:2]
        first.update(answered(book, {**first, "collaborates": "ja"}, lambda it: "ja" if it.id == "collaborates" else "nee"))
        second.update(answered(book, second, lambda it: "nee"))
    munis = pd.DataFrame({"municipality_id": ids + [SMALL], "name": [f"Gemeente {i}" for i in ids] + ["Kleindorp"],
                          "size_class": ["G4", "G32", "G32", "small", "small", "G32", "small"]})
    cells = aggregate_cells(typed_responses(pd.DataFrame(rows), book), munis, book, "synthetic-test")
    keep = [it.id for it in book.items if it.block in book.feedback_blocks]
    return cells[cells["item"].isin(keep)].reset_index(drop=True), munis


def body(page: str) -> str:
    return page.split("<body>", 1)[1]


@pytest.mark.parametrize("mode", ["public", "restricted"])
def test_no_page_shows_another_municipalitys_small_cell(book, wave, mode):
    cells, munis = wave
    small = cells[(cells["unit"] == "municipality") & (cells["unit_id"] == SMALL) & (cells["answer"] == "ja")]
    assert (small["base"] < K).all() and (small["pct_rounded"] == 100).all()
    prot = protect_cells(cells, K, mode, book=book, municipalities=munis)
    ps = pseudonymise(munis, "test-salt", mode)
    for m in munis["municipality_id"]:
        if m == SMALL:
            continue
        page = body(municipality_page(m, prot, ps, book, mode, K, "nl", "Synthetische data"))
        # SMALL's own cells (100% of 3) appear on no other page, in no column
        assert "100% n=3" not in page and "(44–100%)" not in page and "Kleindorp" not in page
        assert ps.loc[ps["municipality_id"] == SMALL, "pseudonym"].iloc[0] not in page


def test_public_page_is_pseudonymous_self_contained_and_marks_small_cells(book, wave):
    cells, munis = wave
    prot = protect_cells(cells, K, "public", book=book, municipalities=munis)
    ps = pseudonymise(munis, "test-salt", "public")
    page = municipality_page(SMALL, prot, ps, book, "public", K, "en", None)
    assert ps.loc[ps["municipality_id"] == SMALL, "pseudonym"].iloc[0] in page
    assert "Kleindorp" not in page and "Gemeente" not in page
    assert "&lt; 5" in page and "100%" not in body(page)
    assert "http" not in page and "src=" not in page and "<style>" in page
    assert "shown only where your municipality" in page  # how 'all others' is guarded


def test_restricted_page_names_the_municipality(book, wave):
    cells, munis = wave
    prot = protect_cells(cells, K, "restricted", book=book, municipalities=munis)
    page = municipality_page("1", prot, pseudonymise(munis, "s", "restricted"), book, "restricted", K, "nl", None)
    assert "Gemeente 1" in page and "Vertrouwelijk" in page


def test_a_dutch_page_names_the_size_class_in_dutch(book, wave):
    # the sheet's key `small` once reached Dutch pages as "Grootteklasse: small"
    cells, munis = wave
    prot = protect_cells(cells, K, "restricted", book=book, municipalities=munis)
    ps = pseudonymise(munis, "test-salt", "restricted")
    page = body(municipality_page("4", prot, ps, book, "restricted", K, "nl", None))
    assert "Grootteklasse: Kleinere gemeenten" in page and "small" not in page
    assert "Size class: Smaller municipalities" in body(municipality_page("4", prot, ps, book, "restricted", K, "en", None))
