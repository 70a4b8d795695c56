"""Municipality fact sheets (publication/pages.py): a marker only where a difference is
significant after Holm, a sentence where n is too small, the previous wave matched on cbs_code,
"all other municipalities" never shown beside a hidden own cell, and a page that prints on A4.
Cells are written by hand (invented numbers), so every expected value is computed here."""
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.publication.pages import municipality_page, page_context

K = 5


def cell(unit, unit_id, item, count, base, status="ok", wave="synthetic-now"):
    hidden = status != "ok"
    return {"wave": wave, "table": "priorities", "unit": unit, "unit_id": unit_id, "item": item, "answer": "ja",
            "base": pd.NA if status == "×" else base, "count": pd.NA if hidden else count,
            "pct": pd.NA if hidden else 100 * count / base, "pct_rounded": pd.NA, "ci_low": pd.NA, "ci_high": pd.NA,
            "status": status}


def cells_of(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for col in ("base", "count"):
        frame[col] = frame[col].astype("Int64")
    return frame


def fisher_two_sided(a, n1, c, n2) -> float:
    """Fisher's exact test by hand: the hypergeometric probabilities no larger than the observed."""
    total, yes = n1 + n2, a + c
    prob = [math.comb(yes, x) * math.comb(total - yes, n1 - x) / math.comb(total, n1)
            for x in range(max(0, yes - n2), min(yes, n1) + 1)]
    observed = math.comb(yes, a) * math.comb(total - yes, n1 - a) / math.comb(total, n1)
    return sum(p for p in prob if p <= observed * (1 + 1e-7))


# Municipality A (10 officers, size class G32): health_priority 10 of 10 against 21 of 52 in the
# other municipalities; health_work 5 of 10 against 26 of 52. B has 2 officers.
NOW = cells_of([
    cell("overall", "all", "health_priority", 31, 62), cell("overall", "all", "health_work", 31, 62),
    cell("municipality", "A", "health_priority", 10, 10), cell("municipality", "A", "health_work", 5, 10),
    cell("municipality", "B", "health_priority", 1, 2), cell("municipality", "B", "health_work", 1, 2),
    cell("size_class", "G32", "health_priority", 14, 20), cell("size_class", "G32", "health_work", 10, 20),
])
SHEET = pd.DataFrame({"municipality_id": ["A", "B"], "name": ["Aastad", "Beedorp"], "size_class": ["G32", "G32"],
                      "cbs_code": ["GM0001", "GM0002"], "pseudonym": ["G-aaaaaa", "G-bbbbbb"]})
# the previous wave: other ids, the same CBS code for A (X); health_priority 2 of 10 there
BEFORE = cells_of([
    cell("overall", "all", "health_priority", 20, 40, wave="synthetic-before"),
    cell("municipality", "X", "health_priority", 2, 10, wave="synthetic-before"),
    cell("municipality", "X", "health_work", 5, 10, wave="synthetic-before"),
])
BEFORE_SHEET = pd.DataFrame({"municipality_id": ["X"], "size_class": ["G32"], "cbs_code": ["GM0001"]})


def rows_of(page: str) -> dict[str, list[str]]:
    """indicator label -> the cells of its row, tags stripped."""
    out = {}
    for row in re.findall(r"<tr><td class=\"ind\">(.*?)</tr>", page):
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", "<td>" + row)]
        out[cells[0]] = cells[1:]
    return out


@pytest.fixture(scope="module")
def page_a(book):
    context = page_context(NOW, SHEET, BEFORE, BEFORE_SHEET, "synthetic-before")
    return municipality_page("A", NOW, SHEET, book, "restricted", K, "en", None, context)


def test_a_significant_and_a_non_significant_difference(book, page_a):
    p_priority, p_work = fisher_two_sided(10, 10, 21, 52), fisher_two_sided(5, 10, 26, 52)
    holm_priority = min(1.0, 2 * min(p_priority, p_work))  # the smaller p of two, times two
    assert holm_priority < 0.05 and p_work > 0.05
    rows = rows_of(page_a)
    priority, work = rows["Health as a priority within own sector"], rows["Working on health from own sector"]
    assert priority[1].startswith("▲") and "40% n=52" in priority[1]
    assert "higher than the other municipalities" in priority[-1]
    assert not work[1].startswith(("▲", "▼")) and "50% n=52" in work[1]
    assert work[-1] == "no demonstrable difference"
    assert "differs demonstrably on: Health as a priority within own sector (higher than the other municipalities" in page_a


def test_own_cell_has_its_wilson_interval_and_n(page_a):
    # Wilson 95% for 5 of 10, by hand: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)
    z, p, n = 1.959963984540054, 0.5, 10
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)
    assert (round(100 * low), round(100 * high)) == (24, 76)
    assert rows_of(page_a)["Working on health from own sector"][0] == "50% (24–76%) n=10"


def test_previous_wave_is_matched_on_the_cbs_code_and_tested(page_a):
    # 10 of 10 now against 2 of 10 then; Holm over the two indicators (the other: 5/10 vs 5/10, p = 1)
    p = fisher_two_sided(10, 10, 2, 10)
    assert min(1.0, 2 * p) < 0.05
    rows = rows_of(page_a)
    assert "Previous wave (synthetic-before)" in page_a
    assert rows["Health as a priority within own sector"][3] == "▲ 20% n=10"
    assert rows["Working on health from own sector"][3] == "50% n=10"
    assert "higher than in the previous wave" in rows["Health as a priority within own sector"][-1]


def test_size_class_is_shown_and_tested_against_its_other_members(page_a):
    rows = rows_of(page_a)
    # G32 is 14 of 20 with A; without A 4 of 10: Fisher 10/10 vs 4/10
    assert rows["Health as a priority within own sector"][2].endswith("70% n=20")
    significant = min(1.0, 2 * fisher_two_sided(10, 10, 4, 10)) < 0.05
    assert rows["Health as a priority within own sector"][2].startswith("▲") == significant


def test_too_few_respondents_says_so_in_a_sentence(book):
    # B: 2 officers. Even 0 of 2 or 2 of 2 against the others (30 of 60) is not significant:
    assert min(fisher_two_sided(0, 2, 30, 60), fisher_two_sided(2, 2, 30, 60)) > 0.05
    page = municipality_page("B", NOW, SHEET, book, "restricted", K, "nl", None, page_context(NOW, SHEET))
    assert rows_of(page)["Gezondheid als prioriteit binnen de eigen beleidssector"][-1] == \
        "te weinig respondenten om iets te zeggen"
    assert "Bij 2 van de 2 indicatoren zijn er te weinig respondenten om iets te zeggen" in page
    assert not [c for row in rows_of(page).values() for c in row if c.startswith(("▲", "▼"))]
    assert "Uw gemeente deed niet mee aan een eerdere meting" in page


def test_all_others_is_hidden_with_a_hidden_own_cell(book):
    hidden = NOW.copy()
    own = (hidden["unit"] == "municipality") & (hidden["unit_id"] == "B")
    hidden.loc[own, ["count"]] = pd.NA
    hidden.loc[own, "status"] = "< 5"
    page = municipality_page("B", hidden, SHEET, book, "public", K, "en", None, page_context(hidden, SHEET))
    row = rows_of(page)["Health as a priority within own sector"]
    assert row[0] == "&lt; 5" and row[1] == "×"
    assert "n=60" not in page  # 62 - 2: would give B's base away
    assert "Beedorp" not in page and "G-bbbbbb" in page


def test_previous_small_cell_of_a_restricted_wave_is_not_shown_on_a_public_page(book):
    before = BEFORE.copy()
    before.loc[before["unit"] == "municipality", "base"] = 4  # fine in a restricted wave
    before.loc[before["unit"] == "municipality", "count"] = 1
    page = municipality_page("A", NOW, SHEET, book, "public", K, "en", None,
                             page_context(NOW, SHEET, before, BEFORE_SHEET, "synthetic-before"))
    assert rows_of(page)["Health as a priority within own sector"][3] == "&lt; 5"
    assert "n=4" not in page


def test_the_page_prints_on_a4(page_a):
    style = page_a.split("<style>")[1].split("</style>")[0]
    assert "@page{size:A4" in style
    assert "table-layout:fixed" in style and "width:100%" in style  # no table wider than the page
    assert "break-inside:avoid" in style and "display:table-header-group" in style


@pytest.mark.parametrize("mode", ["public", "restricted"])
def test_a_sheets_cbs_code_survives_validation_as_a_pseudonym_in_public_mode(book, tmp_path, mode):
    from conftest import FIXTURE
    from analysis.core.disclosure.pseudonyms import pseudonym
    from analysis.core.validate import run_validation

    sheet = pd.read_csv(FIXTURE / "municipalities.csv", dtype=str, keep_default_na=False)
    sheet["cbs_code"] = ["GM0363", "GM0599", "", "GM0014"]
    sheet.to_csv(tmp_path / "municipalities.csv", index=False)
    ok, message = run_validation("synthetic-fixture", str(FIXTURE / "responses.csv"), str(tmp_path / "municipalities.csv"),
                                 book, None, tmp_path / "v", tmp_path / "r.parquet", tmp_path / "m.csv",
                                 disclosure={"mode": mode, "pseudonym_salt": "s"})
    assert ok, message
    codes = pd.read_csv(tmp_path / "m.csv", dtype=str, keep_default_na=False)["cbs_code"].tolist()
    if mode == "public":  # the same salt gives the same pseudonym in every wave: sheets still match
        assert codes == [pseudonym("cbs:GM0363", "s"), pseudonym("cbs:GM0599", "s"), "", pseudonym("cbs:GM0014", "s")]
        assert not any("GM0" in c for c in codes)
    else:
        assert codes == ["GM0363", "GM0599", "", "GM0014"]


def test_fisher_exact_is_scipys():
    """statistics.fisher_exact_p (exact integers) against scipy on generated tables."""
    import numpy as np
    from scipy.stats import fisher_exact

    from analysis.core.waves.statistics import fisher_exact_p

    rng = np.random.default_rng(2009)
    for _ in range(300):
        n1, n2 = int(rng.integers(1, 30)), int(rng.integers(1, 200))
        c1, c2 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n2 + 1))
        expected = fisher_exact([[c1, n1 - c1], [c2, n2 - c2]]).pvalue
        assert fisher_exact_p(c1, n1, c2, n2) == pytest.approx(expected, rel=1e-12)


def test_holm_is_statsmodels_holm(monkeypatch):
    import gc

    import numpy as np
    from statsmodels.stats.multitest import multipletests

    # multipletests runs a full garbage collection on every call (the reason holm exists): in the
    # test process that made this test take 15 s for 100 calls; the numbers do not depend on it
    monkeypatch.setattr(gc, "collect", lambda *args: 0)

    from analysis.core.waves.statistics import holm

    rng = np.random.default_rng(12)
    for size in (1, 2, 3, 7, 30):
        for _ in range(20):
            p = rng.random(size) ** 3
            p[rng.random(size) < 0.2] = p[0]  # ties
            series = pd.Series(p, index=[f"i{i}" for i in range(size)])
            assert holm(series).to_numpy().tolist() == multipletests(p, method="holm")[1].tolist()
    with_missing = pd.Series([0.01, None, 0.04])
    assert holm(with_missing).tolist()[0] == 0.02 and pd.isna(holm(with_missing).tolist()[1])


def test_a_free_cell_of_a_reconstructed_wave_is_marked_with_its_legend(book):
    """Issue 17: a cell nothing published fixes (basis free) says so on the page, as in the tables."""
    plain = municipality_page("A", NOW, SHEET, book, "restricted", K, "en", None, page_context(NOW, SHEET))
    assert "†" not in plain  # a wave without a basis column: no mark, no legend
    marked = NOW.assign(basis="printed")
    free = (marked["unit"] == "municipality") & (marked["unit_id"] == "A") & (marked["item"] == "health_work")
    marked.loc[free, "basis"] = "free"
    page = municipality_page("A", marked, SHEET, book, "restricted", K, "en", None, page_context(marked, SHEET))
    row = rows_of(page)["Health as a priority within own sector"]
    assert not [c for c in row if "†" in c]  # printed cells stay unmarked
    work = rows_of(page)["Working on health from own sector"]
    assert work[0] == "50% (24–76%) n=10 †" and work[1].endswith("n=52 †")  # own, and all others from it
    assert not work[2].endswith("†")  # the size class is printed here
    assert "† A free choice of the reconstruction" in page


def test_summary_does_not_claim_comparisons_of_hidden_indicators(book):
    """Review r18c: the page of a 1-respondent municipality said "on none of the 30 indicators
    does your municipality differ" while every own cell was hidden, so nothing was compared."""
    from analysis.publication.pages import Share, Test, summary_sentences

    none = Test(None, False, 0)
    tests = {f"{part}_{kind}": value for kind in ("others", "size_class", "previous")
             for part, value in (("test", none), ("p_holm", float("nan")))}
    items = [it.id for it in book.items if it.type == "categorical"][:4]
    hidden = pd.DataFrame([{"item": i, "own": None, **tests} for i in items])
    said = " ".join(summary_sentences(hidden, book, "nl"))
    assert "Geen van de 4 indicatoren" in said and "verschilt uw gemeente aantoonbaar" not in said
    mixed = hidden.copy()
    mixed.at[0, "own"] = Share(3, 6)
    said = " ".join(summary_sentences(mixed, book, "en"))
    assert "On none of the 1 indicators" in said and "3 of the 4 indicators of your municipality are not shown" in said


def test_a_size_class_total_hidden_for_keep_group_is_explained_on_the_page(book):
    """Review r16n #6: where keep_group hid size-class totals in the wave (marks.keep_group_note)
    and the page's size-class column shows a '×', the page's notes say why; not where it shows none."""
    from analysis.core.disclosure.marks import keep_group_note

    note = keep_group_note(2, 9, "en")
    hidden = NOW.copy()
    total = (hidden["unit"] == "size_class") & (hidden["item"] == "health_work")
    hidden.loc[total, ["count", "base"]] = pd.NA
    hidden.loc[total, "status"] = "×"
    page = municipality_page("A", hidden, SHEET, book, "public", K, "en", None, page_context(hidden, SHEET), note)
    assert rows_of(page)["Working on health from own sector"][2] == "×"
    assert note in page and "keep_group" in note
    shown = municipality_page("A", NOW, SHEET, book, "public", K, "en", None, page_context(NOW, SHEET), note)
    assert note not in shown
    assert note not in municipality_page("A", hidden, SHEET, book, "public", K, "en", None, page_context(hidden, SHEET))


def test_keep_group_note_only_on_pages_whose_size_class_lost_a_total_to_it(tmp_path):
    """Review r18d: every fact sheet with a '×' in its size-class column said keep_group hid it,
    also the pages of a size class none of whose totals report.csv lists as hidden for keep_group
    (the '×' there protect small cells). A (G32) lost its health_work total to keep_group; C
    (small) shows a '×' total that is complementary."""
    from analysis.core.disclosure.checkreport import KEEP_GROUP_REASON
    from analysis.publication.pages import write_municipality_pages

    root = Path(__file__).resolve().parents[1]
    hidden = cells_of([
        cell("overall", "all", "health_priority", 31, 62), cell("overall", "all", "health_work", 31, 62),
        cell("municipality", "A", "health_priority", 10, 10), cell("municipality", "A", "health_work", 5, 10),
        cell("municipality", "C", "health_priority", 6, 10), cell("municipality", "C", "health_work", 4, 10),
        cell("size_class", "G32", "health_priority", 14, 20), cell("size_class", "G32", "health_work", 0, 0, "×"),
        cell("size_class", "small", "health_priority", 17, 42), cell("size_class", "small", "health_work", 0, 0, "×"),
    ])
    hidden.to_csv(tmp_path / "cells.csv", index=False)
    pd.DataFrame({"municipality_id": ["A", "C"], "size_class": ["G32", "small"], "krachtwijk": ["no", "no"],
                  "questionnaires_sent": ["12", "12"], "pseudonym": ["A", "C"]}).to_csv(tmp_path / "m.csv", index=False)
    pd.DataFrame([{"table": "x", "item": "health_work", "unit": "size_class", "unit_id": "G32", "answer": "ja",
                   "status": "×", "role": "complementary", "reason": KEEP_GROUP_REASON},
                  {"table": "x", "item": "health_work", "unit": "size_class", "unit_id": "small", "answer": "ja",
                   "status": "×", "role": "complementary", "reason": "complementary: hidden so that ..."}]
                 ).to_csv(tmp_path / "report.csv", index=False)
    write_municipality_pages(tmp_path / "cells.csv", tmp_path / "m.csv", root / "config" / "codebook.yaml",
                             root / "config" / "sectors.yaml", "en", {"mode": "public", "min_base": K, "keep_group": 9},
                             None, tmp_path / "pages", disclosure_report=tmp_path / "report.csv")
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (tmp_path / "pages").glob("*.html")}
    assert set(pages) == {"A", "C"}
    assert rows_of(pages["A"])["Working on health from own sector"][2] == "×"
    assert rows_of(pages["C"])["Working on health from own sector"][2] == "×"
    assert "(keep_group)" in pages["A"]
    assert "keep_group" not in pages["C"]


def test_page_n_is_the_answered_n_and_its_legend_says_so(book):
    """Review r18d: under item nonresponse a page printed the answered n (the base) while its
    legend said n counts those asked. A asked 10 officers about health_work, 8 answered, 4 'ja'."""
    rows = NOW.copy()
    for col in ("asked", "answered"):
        rows[col] = rows["base"]
    own = (rows["unit"] == "municipality") & (rows["unit_id"] == "A") & (rows["item"] == "health_work")
    rows.loc[own, ["base", "count", "answered", "asked"]] = [8, 4, 8, 10]
    rows.loc[own, "pct"] = 50.0
    for language, answered in (("en", "answered it"), ("nl", "beantwoordde")):
        page = municipality_page("A", rows, SHEET, book, "public", K, language, None, page_context(rows, SHEET))
        label = "Working on health from own sector" if language == "en" else "Werken aan gezondheid vanuit de eigen beleidssector"
        assert "n=8" in rows_of(page)[label][0] and "n=10" not in rows_of(page)[label][0]
        assert answered in page
