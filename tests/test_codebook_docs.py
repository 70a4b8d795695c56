"""The documented codebook (core/io/documentation.py): the DDI Codebook 2.5 file parses and has
the structure the standard requires, describes every item, and carries the frequencies a wave's
cells show and no hidden one; the HTML codebook likewise (synthetic, invented data only).

No DDI XSD ships with a package on this machine's index, so the required elements and their
order (DDI-Codebook 2.5 codebook.xsd: codeBook > stdyDscr > citation > titlStmt > titl; var's
sequence labl, qstn, valrng, invalrng, universe, sumStat, catgry, varFormat, notes) are checked
explicitly."""
import math
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.core.aggregate import aggregate_cells
from analysis.core.io.documentation import WaveInfo, codebook_html, ddi_codebook, overall_frequencies
from analysis.core.responses import typed_responses
from analysis.fixtures.synthetic import fixture_municipalities, synthetic_answers

ROOT = Path(__file__).resolve().parents[1]
NS = {"d": "ddi:codebook:2_5"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# DDI 2.5 varType's sequence, for the children this project writes
VAR_ORDER = ["labl", "qstn", "valrng", "invalrng", "universe", "sumStat", "catgry", "varFormat", "notes"]
POLITICAL = ["pol_college_support", "pol_portfolio_holder", "pol_3", "pol_4", "pol_5", "pol_national_policy"]


@pytest.fixture(scope="module")
def docs(book):
    waves, frequencies, answers = [], {}, {}
    for wave, seed, n, not_asked in (("synthetic-a", 5, 40, ()), ("synthetic-b", 6, 35, POLITICAL)):
        raw = synthetic_answers(book, ["1", "2", "3"], n, wave, seed)
        items = tuple(it.id for it in book.items_in_wave(wave, not_asked))
        raw[[c for c in raw.columns if c not in items]] = None
        answers[wave] = raw
        cells = aggregate_cells(typed_responses(raw, book), fixture_municipalities(["1", "2", "3"]), book, wave)
        frequencies[wave] = overall_frequencies(cells)
        waves.append(WaveInfo(wave, f"invented wave {wave}", "public", True, n, items))
    # a protected cell, as public cells.csv holds it: its numbers must not reach the documents
    f = frequencies["synthetic-b"]
    hidden = (f["item"] == "collab_with_milieu") & (f["answer"] == "ja")
    f.loc[hidden, ["count", "pct_rounded"]] = pd.NA
    f.loc[hidden, "status"] = "< 5"
    waves.append(WaveInfo("synthetic-broken", "did not validate", "public", False, 0, tuple(book.ids)))
    xml = ddi_codebook(book, waves, frequencies, "An invented study", "en")
    page = codebook_html(book, waves, frequencies, "An invented study", "nl")
    return ET.fromstring(xml.encode("utf-8")), page, answers


def raw_items() -> dict:
    return {it["id"]: it for it in yaml.safe_load((ROOT / "config" / "codebook.yaml").read_text(encoding="utf-8"))["items"]}


def tag(element) -> str:
    return element.tag.split("}")[1]


def test_ddi_has_the_required_study_and_file_descriptions(docs):
    root, _, _ = docs
    assert root.tag == "{ddi:codebook:2_5}codeBook" and root.get("version") == "2.5"
    assert [tag(c) for c in root] == ["stdyDscr", "fileDscr", "fileDscr", "dataDscr"]
    assert root.find("d:stdyDscr/d:citation/d:titlStmt/d:titl", NS).text == "An invented study"
    files = root.findall("d:fileDscr", NS)
    assert [f.find("d:fileTxt/d:fileName", NS).text for f in files] == ["synthetic-a.sav", "synthetic-b.sav"]
    assert [f.find("d:fileTxt/d:dimensns/d:caseQnty", NS).text for f in files] == ["40", "35"]


def test_ddi_describes_every_item_in_the_order_the_schema_requires(docs, book):
    root, _, _ = docs
    variables = root.findall("d:dataDscr/d:var", NS)
    assert {v.get("name") for v in variables} == set(raw_items())
    file_ids = {f.get("ID") for f in root.findall("d:fileDscr", NS)}
    assert len({v.get("ID") for v in variables}) == len(variables)
    for var in variables:
        assert set((var.get("files") or "F1").split()) <= file_ids
        order = [VAR_ORDER.index(tag(c)) for c in var]
        assert order == sorted(order), var.get("name")
        assert {lab.get(XML_LANG) for lab in var.findall("d:labl", NS)} == {"nl", "en"}
        for category in var.findall("d:catgry", NS):
            assert tag(category[0]) == "catValu"
    # pol_3 only in the first wave's file; an item no valid wave asked is described without a file
    assert [v.get("files") for v in variables if v.get("name") == "pol_3"] == ["F1"]
    assert [v.get("files") for v in variables if v.get("name") == "health_in_environment_vision"] == [None]


def test_ddi_variable_has_question_codes_missing_codes_universe_and_frequencies(docs):
    root, _, answers = docs
    cb = raw_items()
    var = root.find("d:dataDscr/d:var[@name='health_target_groups'][@files='F2']", NS)
    assert var.find("d:qstn/d:qstnLit", NS).text == cb["health_target_groups"]["question_nl"]
    assert sorted(i.get("VALUE") for i in var.findall("d:invalrng/d:item", NS)) == ["-1", "-2", "-9"]
    assert "health_work" in var.find("d:universe", NS).text and "Yes" in var.find("d:universe", NS).text
    categories = {c.find("d:catValu", NS).text: c for c in var.findall("d:catgry", NS)}
    assert set(categories) == {"1", "0", "-1", "-2", "-9"}
    assert categories["-1"].get("missing") == "Y" and categories["1"].get("missing") is None
    counted = answers["synthetic-b"]["health_target_groups"].value_counts()
    assert categories["1"].find("d:catStat[@type='freq']", NS).text == str(counted["ja"])
    assert categories["0"].find("d:catStat[@type='freq']", NS).text == str(counted["nee"])
    assert var.find("d:sumStat[@type='vald']", NS).text == str(counted.sum())
    hours = root.find("d:dataDscr/d:var[@name='hours_per_week'][@files='F1']", NS)
    assert hours.get("nature") == "ratio" and hours.get("intrvl") == "contin"


def test_a_hidden_cell_stays_hidden_in_both_documents(docs):
    root, page, answers = docs
    var = root.find("d:dataDscr/d:var[@name='collab_with_milieu'][@files='F2']", NS)
    ticked = [c for c in var.findall("d:catgry", NS) if c.find("d:catValu", NS).text == "1"][0]
    assert ticked.find("d:catStat", NS) is None
    assert "hidden" in var.find("d:notes", NS).text
    section = page.split('id="collab_with_milieu"')[1].split("</section>")[0]
    assert "&lt; 5" in section
    shown = answers["synthetic-a"]["collab_with_milieu"].value_counts()["ja"]
    assert f">{shown} (" in section  # the other wave's cell is shown


def test_html_codebook_lists_every_item_with_codes_skip_logic_and_waves(docs, book):
    _, page, answers = docs
    for item_id in raw_items():
        assert f'<section id="{item_id}">' in page
    section = page.split('id="pol_3"')[1].split("</section>")[0]
    assert "synthetic-a, synthetic-broken" in section  # asked per config; the broken wave has no frequencies
    section = page.split('id="health_target_groups"')[1].split("</section>")[0]
    assert "alleen als" in section and "health_work" in section
    counted = answers["synthetic-a"]["health_target_groups"].value_counts()
    # the report's rule, by hand: half up to one decimal, then half up to a whole percent
    tenths = math.floor(Fraction(1000 * int(counted["ja"]), int(counted.sum())) + Fraction(1, 2))
    pct = math.floor(Fraction(tenths, 10) + Fraction(1, 2))
    assert f"{counted['ja']} ({pct}%)" in section
    assert "niet gevalideerd" in page
