"""The workflow on field-like input: a wave from another survey tool built end to end, and a
codebook edit that reruns only the wave it concerns (issue 14)."""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

import analysis.fixtures.field_export as F
from analysis.core.codebook import load_codebook
from conftest import ROOT

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def _copy_project(dst: Path, raw_waves: list[str]) -> Path:
    dst.mkdir()
    for part in ("Snakefile", "workflow", "config", "src"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dst / part)
    for wave in raw_waves:
        shutil.copytree(ROOT / "data/raw" / wave, dst / "data/raw" / wave)
    return dst


def _set_waves(project: Path, waves: dict) -> None:
    cfg = yaml.safe_load((project / "config/config.yaml").read_text())
    cfg["waves"] = waves
    (project / "config/config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True))


def _snakemake(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SNAKEMAKE, "--cores", "2", *args], cwd=project, capture_output=True, text=True)


def _tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def field_build(tmp_path_factory):
    """The field-like wave, alone in a copy of the project, built with `snakemake` (once)."""
    project = _copy_project(tmp_path_factory.mktemp("field") / "project", [])
    codebook = project / "config/codebook.yaml"
    raw = yaml.safe_load(codebook.read_text(encoding="utf-8"))
    raw["items"].append(F.NEW_ITEM)  # a question the shared codebook does not have yet
    codebook.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    full = load_codebook(codebook, project / "config/sectors.yaml")
    F.write_field_wave(full, project / "data/raw" / F.WAVE)
    _set_waves(project, {F.WAVE: F.config_entry(full)})
    before = _tree_hashes(project / "data/raw")
    done = _snakemake(project)
    return {"project": project, "done": done, "raw_before": before, "truth": F.field_answers(full),
            "results": project / "results" / F.WAVE}


def test_field_wave_builds_without_touching_raw_data(field_build):
    done = field_build["done"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert _tree_hashes(field_build["project"] / "data/raw") == field_build["raw_before"]
    assert (field_build["results"] / "report.html").exists() and (field_build["results"] / "tables/tables.xlsx").exists()


def test_field_wave_cells_agree_with_a_hand_recount(field_build):
    truth = field_build["truth"].drop(index=F.EMPTY_QUESTIONNAIRE)
    cells = pd.read_csv(field_build["results"] / "cells.csv", dtype={"unit_id": str})
    overall = cells[cells["unit"] == "overall"].set_index(["item", "answer"])
    for item in ("health_priority", "segv_work", F.NEW_ITEM["id"]):
        answered = truth[item].dropna()
        row = overall.loc[(item, "ja")]
        assert (row["base"], row["answered"], row["asked"]) == (len(answered), len(answered), len(truth))
        assert row["no_answer"] == len(truth) - len(answered)
        assert row["count"] == (answered == "ja").sum()
    function = overall.loc["function"]
    assert function.loc["projectleider", "count"] == (truth["job_title"] == "Projectleider").sum()


def test_field_wave_validation_report_warns_and_lists_the_mapping(field_build):
    report = (field_build["results"] / "validation/report.md").read_text(encoding="utf-8")
    assert "No problems: 47 respondents" in report
    assert "### Item nonresponse" in report and "### Unit nonresponse: 1 empty questionnaire" in report
    assert "Volksgezondheid → vgz" in report and "categories of this wave's own: projectleider" in report


# --- only what changed reruns -------------------------------------------------------------------

def _pretend_built(project: Path) -> None:
    """Every output present and newer than its inputs, without running a job: what a finished
    build leaves, as far as Snakemake's rerun decision is concerned."""
    for _ in range(4):  # checkpoints reveal their dependants only once their outputs exist
        listing = _snakemake(project, "-n").stdout
        outputs = []
        for rule, body in re.findall(r"^(?:rule|checkpoint) (\w+):\n((?:    .*\n)+)", listing, flags=re.M):
            found = re.search(r"^    output: (.*)$", body, flags=re.M)
            outputs += [(rule, f.strip()) for f in found.group(1).split(",")] if found else []
        if not outputs:
            return
        for rule, path in outputs:
            os.makedirs(os.path.dirname(path) and project / os.path.dirname(path), exist_ok=True)
            target = project / path
            if rule == "wave_status":
                target.write_text(json.dumps({"wave": target.stem, "valid": True}))
            elif not Path(path).suffix:  # directory() outputs
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.touch()
        # one time stamp for all: listed out of order, a later touch would make an output newer
        # than the outputs of the jobs after it
        stamp = time.time()
        for path in (project / "results").rglob("*"):
            if path.name != "codebook.yaml":
                os.utime(path, (stamp, stamp))
    raise AssertionError("the workflow kept listing jobs")


def _jobs(listing: str) -> set[tuple[str, str]]:
    jobs = set()
    for rule, body in re.findall(r"^(?:rule|checkpoint) (\w+):\n((?:    .*\n)+)", listing, flags=re.M):
        wave = re.search(r"^    wildcards: wave=(\S+)", body, flags=re.M)
        jobs.add((rule, wave.group(1) if wave else ""))
    return jobs


def test_a_question_for_one_wave_reruns_only_that_wave(tmp_path):
    project = _copy_project(tmp_path / "project", ["synthetic-fixture", "synthetic-demo-2025"])
    demo = yaml.safe_load((ROOT / "config/config.yaml").read_text())["waves"]["synthetic-demo-2025"]
    fixture = {"export": "data/raw/synthetic-fixture/responses.csv",
               "municipalities": "data/raw/synthetic-fixture/municipalities.csv", "synthetic": True}
    _set_waves(project, {"synthetic-fixture": fixture, "synthetic-demo-2025": demo})  # fielding order
    _pretend_built(project)
    # what _pretend_built makes is what the rules declare: the further-questions table included
    # (written by rule publication for every wave, declared so that Snakemake knows and cleans it)
    assert (project / "results/synthetic-fixture/tables/overige_vragen.csv").exists()
    codebook = project / "config/codebook.yaml"

    codebook.write_text("# a comment changes no wave's questionnaire\n" + codebook.read_text(encoding="utf-8"), encoding="utf-8")
    assert "Nothing to be done" in _snakemake(project, "-n").stdout

    codebook.write_text(codebook.read_text(encoding="utf-8") + (
        "\n  - id: health_in_budget\n    type: categorical\n    answer_set: yes_no\n"
        "    only_in_waves: [synthetic-demo-2025]\n    nl: \"Gezondheid in de begroting\"\n    en: \"Health in the budget\"\n"),
        encoding="utf-8")
    jobs = _jobs(_snakemake(project, "-n").stdout)
    assert not {job for job in jobs if job[1] == "synthetic-fixture"}, jobs
    # (publication: its tables and figures; report: its chapter "Compared with earlier waves",
    # report.html and the fact sheets)
    per_wave = {"validate", "wave_status", "aggregate", "publication", "report"}
    assert {rule for rule, wave in jobs if wave == "synthetic-demo-2025"} == per_wave
    # the cross-wave job, which also writes the codebook documents (they describe every item of every wave)
    assert {rule for rule, wave in jobs if wave == ""} == {"waves", "all"}

    # a question added for the earlier wave: that wave's jobs, and of the later wave only what
    # reads the earlier wave's data (the report job: its chapter "compared with earlier waves",
    # the report that embeds it, and the fact sheets that compare with the previous wave). Snakemake reruns what follows a rerun job whatever its output, so this is
    # the least a later wave can rerun while its chapter declares what it reads.
    assert _snakemake(project, "--touch").returncode == 0  # the build of the question above, as if run
    codebook.write_text(codebook.read_text(encoding="utf-8") + (
        "\n  - id: health_in_plan\n    type: categorical\n    answer_set: yes_no\n"
        "    only_in_waves: [synthetic-fixture]\n    nl: \"Gezondheid in het plan\"\n    en: \"Health in the plan\"\n"),
        encoding="utf-8")
    jobs = _jobs(_snakemake(project, "-n").stdout)
    assert {rule for rule, wave in jobs if wave == "synthetic-fixture"} == per_wave
    assert {rule for rule, wave in jobs if wave == "synthetic-demo-2025"} == {"report"}
    assert {rule for rule, wave in jobs if wave == ""} == {"waves", "all"}


def test_new_question_shows_in_the_report_and_the_workbook(field_build):
    from openpyxl import load_workbook

    html = (field_build["results"] / "report.html").read_text(encoding="utf-8")
    assert "Overige vragen van deze meting" in html and F.NEW_ITEM["nl"] in html
    sheet = load_workbook(field_build["results"] / "tables/tables.xlsx")["overige_vragen"]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert F.NEW_ITEM["nl"] in values and "Alle respondenten" in values and "Beleidssector" in values
    md = (field_build["results"] / "tables/overige_vragen.md").read_text(encoding="utf-8")
    assert md.startswith("## Overige vragen van deze meting\n")  # its title, not its file stem
    truth = field_build["truth"].drop(index=F.EMPTY_QUESTIONNAIRE)[F.NEW_ITEM["id"]].dropna()
    assert f"{round(100 * (truth == 'ja').mean())}%" in values


# --- what a reader of the field-like wave's outputs is told about n ------------------------------

def _book(field_build):
    project = field_build["project"]
    return load_codebook(project / "config/codebook.yaml", project / "config/sectors.yaml")


def _collaborators(field_build) -> pd.DataFrame:
    """The respondents asked the collaboration blocks (lead question answered 'ja'), from the truth."""
    truth = field_build["truth"].drop(index=F.EMPTY_QUESTIONNAIRE)
    return truth[truth["collaborates"] == "ja"]


def test_tables_say_their_n_is_the_answered_n_and_note_the_nonresponse(field_build):
    tables = field_build["results"] / "tables"
    assert pd.read_csv(tables / "tabel_IX_1.csv").columns[-1] == "n (beantwoord)"
    assert pd.read_csv(tables / "tabel_VIII_1.csv").columns[-1] == "Totaal (n beantwoord)"
    note = (tables / "tabel_IX_1.md").read_text(encoding="utf-8")
    assert "n = beantwoord: wie de vraag kreeg en een antwoord gaf" in note
    asked = _collaborators(field_build)
    listed = 0
    for item in [it for it in _book(field_build).items if it.in_table("IX.1") is not None]:
        missing = int(asked[item.id].isna().sum())
        pct = int(100 * missing / len(asked) + 0.5)  # by hand: whole percents, half up
        shown = f"{item.label('nl')} {pct}% ({missing} v/d {len(asked)})"
        assert (shown in note) == (pct > 5), shown
        listed += pct > 5
    assert listed  # the generator leaves some factor unanswered by more than 5% of those asked


def test_report_heading_and_figure_title_agree_on_asked_and_answered(field_build):
    asked = _collaborators(field_build)
    items = [it for it in _book(field_build).items if it.in_figure("6.1")]
    answered = sorted(int(asked[it.id].notna().sum()) for it in items)
    said = f"beantwoord n={answered[0]}–{answered[-1]}"
    html = (field_build["results"] / "report.html").read_text(encoding="utf-8")
    heading = re.search(r'<section id="figuur_6_1"><h3>(.*?)</h3>', html).group(1)
    assert heading.endswith(f"(gevraagd n={len(asked)}, {said})"), heading
    svg = (field_build["results"] / "figures/figuur_6_1.svg").read_text(encoding="utf-8")
    title = " ".join(" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg)).split())
    assert said in title, title


def test_report_lists_how_the_export_was_read(field_build):
    html = (field_build["results"] / "report.html").read_text(encoding="utf-8")
    assert "Hoe de codes van de export zijn gelezen" in html
    assert "Volksgezondheid → vgz" in html and "eigen categorieën van deze meting: projectleider (Projectleider)" in html
    assert "How the export" not in html and "no answer" not in html  # one language per output


def test_microdata_of_a_wave_with_its_own_categories(field_build):
    """`snakemake export` of the field-like wave: its own job titles get codes and value labels
    (the export read the whole codebook, which lacks them, and refused the wave)."""
    done = _snakemake(field_build["project"], f"microdata/{F.WAVE}/README.md")
    assert done.returncode == 0, done.stderr[-3000:]
    sps = (field_build["project"] / f"microdata/{F.WAVE}/{F.WAVE}.sps").read_text(encoding="utf-8")
    assert "Projectleider" in sps and "Manager" in sps


def test_further_questions_table_shows_the_new_question_where_disclosure_allows(field_build):
    """On the build's cells.csv, protected as a public wave's are (was a second suppression run of
    its own in test_field_export.py)."""
    from analysis.core.aggregate import read_cells
    from analysis.publication.further import further_items, further_questions_table

    results = field_build["results"]
    book = load_codebook(results / "codebook.yaml", field_build["project"] / "config/sectors.yaml")
    public = read_cells(results / "cells.csv")
    assert [it.id for it in further_items(public, book)] == [F.NEW_ITEM["id"]]
    table = further_questions_table(public, book, "en")
    assert set(table["Unit"]) <= {"All respondents", "Policy sector", "VNG domain", "Size class"}
    total = table[(table["Group"] == "Total") & (table["Answer"] == "Yes")].iloc[0]
    truth = field_build["truth"].drop(index=F.EMPTY_QUESTIONNAIRE)[F.NEW_ITEM["id"]]
    assert (total["n (answered)"], total["Count"]) == (truth.notna().sum(), (truth == "ja").sum())
    assert total["No answer"] == truth.isna().sum()
    # a sector with fewer than 5 answers is never shown as a number
    small = public[(public["item"] == F.NEW_ITEM["id"]) & (public["unit"] == "sector") & (public["base"].fillna(0) < 5)]
    shown = table[table["Unit"] == "Policy sector"]
    assert not small.empty and shown["n (answered)"].astype(str).str.fullmatch(r"[0-4]").sum() == 0
