"""The one registry of outputs (publication/registry.py) is what the workflow, the builders and
report.html use: a registered output missing from any of them fails here."""
import re
from pathlib import Path

import pandas as pd
import pytest

import analysis.publication.figures as F
import analysis.publication.report as R
import analysis.publication.tables as T
from analysis.publication.registry import CHAPTERS, FIGURE, OUTPUTS, TABLE, caption_rst
from conftest import ROOT


def test_every_output_has_its_builder_and_a_unique_stem():
    assert len({s.stem for s in OUTPUTS}) == len(OUTPUTS)
    for spec in OUTPUTS:
        module = T if spec.kind == TABLE else F
        assert callable(getattr(module, spec.builder, None)), f"{spec.stem}: no {spec.builder} in {module.__name__}"
        assert spec.chapter in CHAPTERS and spec.nl and spec.en


def test_rule_all_lists_every_registered_output():
    """Parse the workflow as Snakemake does and read the inputs of `rule all`."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import OutputSettings, ResourceSettings

    with SnakemakeApi(OutputSettings(quiet=True)) as api:
        workflow = api.workflow(resource_settings=ResourceSettings(cores=1), snakefile=ROOT / "Snakefile", workdir=ROOT)
        targets = {str(f) for f in workflow._workflow.get_rule("all").input}
    waves = {Path(t).parts[1] for t in targets if t.endswith("/report.html") and "/waves/" not in t}
    assert waves
    for wave in waves:
        for spec in OUTPUTS:
            ends = (".csv", ".md") if spec.kind == TABLE else (".png", ".svg", ".data.csv")
            folder = "tables" if spec.kind == TABLE else "figures"
            missing = [e for e in ends if f"results/{wave}/{folder}/{spec.stem}{e}" not in targets]
            assert not missing, f"rule all lacks {spec.stem}{missing} of wave {wave}"


def test_report_html_shows_every_registered_output_with_its_heading(book):
    stems = [s.stem for s in OUTPUTS]
    tables = {s.stem: pd.DataFrame({"a": ["1"]}) for s in OUTPUTS if s.kind == TABLE}
    figures = {s.stem: b"\x89PNG" for s in OUTPUTS if s.kind == FIGURE}
    cells = pd.DataFrame({"unit": ["overall"], "item": ["sector"], "base": ["9"]})
    page = R.build_report(wave="w", language="nl", banner=None, cells=cells, book=book, tables=tables,
                          figures_png=figures, entry_provenance={s: "p" for s in stems}, extra_chapters=[],
                          provenance="p")
    assert re.findall(r'<section id="([^"]+)"', page) == stems
    for spec in OUTPUTS:
        assert spec.heading("nl") in page
    assert [nl for nl, _ in CHAPTERS.values() if f">{nl}</h2>" not in page] == []


@pytest.mark.parametrize("spec", OUTPUTS, ids=lambda s: s.stem)
def test_caption_names_the_output(spec):
    text = caption_rst(spec)
    assert spec.heading("nl", " — ") in text and spec.en in text
