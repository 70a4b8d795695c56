"""A handful of the corpus cases through snakemake itself (one wave per case, one run), and config
problems refused when the workflow is parsed."""
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from ingest_corpus import benign_cases, defect_cases

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
THROUGH_SNAKEMAKE = ["truncated_mid_row", "duplicate_header", "xlsx_formula_without_value", "sheet_header_only",
                     "sav_truncated", "code_map_matches_nothing"]


def _snakemake(project, *args):
    return subprocess.run([SNAKEMAKE, "--cores", "2", *args], cwd=project, capture_output=True, text=True)


def _add_wave(project, waves: dict, wave: str, case, folder_name=None) -> dict:
    folder = project / "data/raw" / (folder_name or wave)
    folder.mkdir(parents=True)
    export = folder / f"responses{case.export.suffix}"
    sheet = folder / "municipalities.csv"
    shutil.copy(case.export, export)
    shutil.copy(case.sheet, sheet)
    waves[wave] = {"export": str(export.relative_to(project)), "municipalities": str(sheet.relative_to(project)),
                   "synthetic": True}
    if case.column_map:
        waves[wave]["column_map"] = case.column_map
    if case.not_asked:
        waves[wave]["not_asked"] = list(case.not_asked)
    return {p: p.read_bytes() for p in (export, sheet)}


def test_broken_waves_fail_with_their_rule_and_line_and_a_benign_one_builds(project, tmp_path, book):
    cases = {c.name: c for c in defect_cases(tmp_path / "corpus")}
    benign = {c.name: c for c in benign_cases(tmp_path / "benign", book)}["leading_blank_line_semicolon"]
    cfg = yaml.safe_load((project / "config/config.yaml").read_text())
    cfg["waves"], raw = {}, {}
    for name in THROUGH_SNAKEMAKE:
        raw.update(_add_wave(project, cfg["waves"], name.replace("_", "-"), cases[name]))
    # the fixture's rows say wave synthetic-fixture
    raw.update(_add_wave(project, cfg["waves"], "synthetic-fixture", benign, "benign"))
    (project / "config/config.yaml").write_text(yaml.safe_dump(cfg))

    done = _snakemake(project, "--keep-going", *[f"results/{w}/responses.parquet" for w in cfg["waves"]])

    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    for name in THROUGH_SNAKEMAKE:
        wave, case = name.replace("_", "-"), cases[name]
        results = project / "results" / wave
        report = (results / "validation/report.md").read_text()
        assert not (results / "responses.parquet").exists(), name
        lines = [x for x in report.splitlines() if f"| {case.rule} |" in x]
        assert lines, f"{name}: {case.rule} not in\n{report}"
        assert case.row is None or any(f"| {case.row} |" in x for x in lines), report
        assert case.says is None or any(case.says in x for x in lines), report
        log = (project / f"results/logs/validate_{wave}.log").read_text()
        assert "Traceback" not in log and "Fatal Python error" not in log, log
    assert (project / "results/synthetic-fixture/responses.parquet").exists(), done.stderr[-3000:]
    assert {p: p.read_bytes() for p in raw} == raw  # raw files byte-identical


def test_config_problems_are_refused_before_any_job(project):
    cfg = yaml.safe_load((project / "config/config.yaml").read_text())
    demo = cfg["waves"]["synthetic-demo-2025"]
    demo["not_asked"].append("pol_7")
    demo["column_map"]["columns"]["Q4_1_copy"] = "health_priority"
    cfg["waves"]["audit"] = dict(cfg["waves"]["synthetic-demo-2025"], export="data/raw/audit/responses.sav")
    text = yaml.safe_dump(cfg)
    # and a code given twice in a code map (YAML would keep `1: nee` silently)
    at = text.index("1: ja\n", text.index("yes_no:\n"))
    indent = text[text.rfind("\n", 0, at) + 1:at]
    text = text[:at] + f"1: ja\n{indent}1: nee\n" + text[at + len("1: ja\n"):]
    (project / "config/config.yaml").write_text(text)

    done = _snakemake(project)

    said = done.stdout + done.stderr
    assert done.returncode != 0 and not (project / "results").exists()  # no job ran
    assert "waves.synthetic-demo-2025.not_asked: 'pol_7' is not an item of the codebook" in said
    assert "Q4_1 and Q4_1_copy are both mapped onto health_priority" in said
    assert "waves.audit: the wave id 'audit' is reserved" in said
    assert "waves.audit.export: file data/raw/audit/responses.sav does not exist" in said
    assert "config:duplicate_key: config/config.yaml line" in said
    assert "waves.synthetic-demo-2025.column_map.codes.yes_no has key '1' twice: 1: ja" in said
    assert "Traceback" not in said
