"""End to end: an invented national wave (342 municipalities, 2,500 respondents) through the whole
workflow in a temporary copy of the project.

Public mode, the default (about 7 respondents per municipality: the case that stopped the build
with a DisclosureError before the optimal suppression of issue 16).
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from PIL import Image

from conftest import ROOT

from analysis.core.codebook import load_codebook
from analysis.fixtures.national import write_national_wave

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
WAVE = "synthetic-national"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = tmp_path_factory.mktemp("national") / "project"
    project.mkdir()
    for part in ("Snakefile", "workflow", "config", "src"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, project / part)
    raw = project / "data/raw" / WAVE
    write_national_wave(load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml"), raw, 2500, WAVE, seed=18)
    cfg = yaml.safe_load((project / "config/config.yaml").read_text())
    cfg["waves"] = {WAVE: {"export": f"data/raw/{WAVE}/responses.csv", "municipalities": f"data/raw/{WAVE}/municipalities.csv",
                           "synthetic": True}}
    (project / "config/config.yaml").write_text(yaml.safe_dump(cfg))
    done = subprocess.run([SNAKEMAKE, "--cores", "2"], cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return project / "results" / WAVE


def test_every_figure_is_bounded_and_names_every_municipality_in_its_data(built):
    pngs = sorted((built / "figures").glob("*.png"))
    assert len(pngs) == 15
    heights = []
    for p in pngs:
        with Image.open(p) as png:
            heights.append(png.size[1])
    assert max(heights) <= 3000
    cells = pd.read_csv(built / "cells.csv", dtype={"unit_id": str}, keep_default_na=False, na_values=[""])
    municipalities = set(cells.loc[cells["unit"] == "municipality", "unit_id"])
    assert len(municipalities) == 342
    for stem in ("figuur_4_4", "figuur_5_2", "figuur_6_6"):
        data = pd.read_csv(built / "figures" / f"{stem}.data.csv", dtype={"unit_id": str})
        assert set(data.loc[data["unit"] == "municipality", "unit_id"]) == municipalities


def test_pages_tables_and_report_are_built(built):
    pages = list((built / "municipalities").glob("*.html"))
    assert len(pages) == 342 and all(p.name.startswith("G-") for p in pages)  # public: pseudonyms only
    assert (built / "disclosure" / "report.md").exists()
    assert (built / "tables" / "tables.xlsx").exists()
    report = built / "report.html"
    # figures are embedded: bounded figures keep the report to a few MB (27.8 MB before)
    assert report.stat().st_size < 12_000_000
    # a table per municipality: by size class in the report (G4, G32, smaller, pooled), whole in the csv
    section = re.search(r'<section id="tabel_VII_2">(.*?)</section>', report.read_text(encoding="utf-8")).group(1)
    assert section.count("<tr>") == 5 and "342 gemeenten: hier per grootteklasse" in section
    assert len(pd.read_csv(built / "tables" / "tabel_VII_2.csv")) == 343
    assert (built.parent / "waves" / "gee.csv").exists()


def test_notes_and_headings_follow_what_was_hidden_and_shown(built):
    """Review r16n #6, #7 on the built wave: report.html says keep_group hid size-class totals
    exactly when report.csv lists such a cell, and Figuur 3.1's heading counts the respondents
    it shows where its dot layout leaves out municipalities of unknown sent count."""
    from analysis.core.disclosure.checkreport import KEEP_GROUP_REASON

    page = (built / "report.html").read_text(encoding="utf-8")
    listed = pd.read_csv(built / "disclosure" / "report.csv", dtype=str, keep_default_na=False)["reason"].eq(KEEP_GROUP_REASON).any()
    assert ("houden hun eigen rijen (keep_group)" in page) == listed
    data = pd.read_csv(built / "figures" / "figuur_3_1.data.csv", dtype={"municipality_id": str})
    heading = re.search(r'<section id="figuur_3_1"><h3>([^<]*)</h3>', page).group(1)
    drawn = data["rank"].notna()
    assert ("respondenten in de figuur" in heading) == (not drawn.all())
    if not drawn.all():
        assert heading.endswith(f"respondenten in de figuur: {int(data.loc[drawn, 'received'].sum())})")
