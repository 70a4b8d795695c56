"""End to end: snakemake in a temporary copy of the project, on the fixture and a broken copy."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml


SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


def _run(project, *targets):
    return subprocess.run([SNAKEMAKE, "--cores", "2", *targets], cwd=project, capture_output=True, text=True)


def _only_fixture_wave(project, raw_dir="data/raw/synthetic-fixture", wave="synthetic-fixture"):
    cfg = yaml.safe_load((project / "config/config.yaml").read_text())
    cfg["waves"] = {wave: {"export": f"{raw_dir}/responses.csv", "municipalities": f"{raw_dir}/municipalities.csv", "synthetic": True}}
    (project / "config/config.yaml").write_text(yaml.safe_dump(cfg))


def test_fixture_wave_validates(project):
    _only_fixture_wave(project)
    done = _run(project, "results/synthetic-fixture/responses.parquet")
    assert done.returncode == 0, done.stderr[-3000:]
    responses = pd.read_parquet(project / "results/synthetic-fixture/responses.parquet")
    assert len(responses) == 20 and responses["respondent_id"].str.startswith("SYN-").all()
    assert "No problems" in (project / "results/synthetic-fixture/validation/report.md").read_text()


def test_broken_wave_fails_with_report_and_no_responses(project):
    _only_fixture_wave(project)
    export = project / "data/raw/synthetic-fixture/responses.csv"
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    frame.loc[0, "health_priority"] = "7"
    frame.loc[1, "sector"] = "99"
    frame.to_csv(export, index=False)
    before = export.read_bytes()

    done = _run(project, "results/synthetic-fixture/responses.parquet")

    assert done.returncode != 0
    assert "results/synthetic-fixture/validation/report.md" in done.stderr  # the terminal says where
    report = (project / "results/synthetic-fixture/validation/report.md").read_text()
    assert "2 problems" in report and "allowed_code" in report and "known_sector" in report
    failures = pd.read_csv(project / "results/synthetic-fixture/validation/failures.csv", dtype=str)
    assert set(failures["respondent_id"]) == {"SYN-001", "SYN-002"}
    assert not (project / "results/synthetic-fixture/responses.parquet").exists()
    assert export.read_bytes() == before  # raw data untouched


def test_config_with_unknown_key_is_refused_at_parse_time(project):
    cfg = yaml.safe_load((project / "config/config.yaml").read_text())
    cfg["langauge"] = "en"
    (project / "config/config.yaml").write_text(yaml.safe_dump(cfg))
    done = _run(project, "-n")
    assert done.returncode != 0 and "langauge" in done.stdout + done.stderr


def _only_wave(project, wave):
    cfg = yaml.safe_load((project / "config/config.yaml").read_text())
    cfg["waves"] = {wave: cfg["waves"][wave]}
    (project / "config/config.yaml").write_text(yaml.safe_dump(cfg))


def _files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_2009_wave_replicates_the_report_and_rebuilds_identically(project, tmp_path):
    """Issue 4 end to end: every table and figure of the 2009 wave, the scorecard against the
    published numbers (data/reference) with no unexplained mismatch, and a second build from
    scratch in another folder that is byte-identical."""
    _only_wave(project, "rivm2009")
    done = _run(project)
    assert done.returncode == 0, done.stderr[-3000:]

    summary = pd.read_csv(project / "results/rivm2009/replication/summary.csv").set_index("table")
    assert summary.loc["total", "compared"] > 1500
    assert summary.loc["total", "unexplained"] == 0
    assert summary.loc["total", "matches"] / summary.loc["total", "compared"] > 0.95
    # Tabel 3.1 (interview register) and VI.1 (sent, received, %) are compared in full, and match
    published_3_1 = pd.read_csv(project / "data/reference/rivm2010/tab_3_1_interviews_by_sector_and_type.csv")
    assert summary.loc["3.1", "compared"] == summary.loc["3.1", "matches"] == 5 * len(published_3_1)
    assert summary.loc["VI.1", "compared"] == summary.loc["VI.1", "matches"] == 3 * 14
    report = (project / "results/rivm2009/report.html").read_text(encoding="utf-8")
    assert "GERECONSTRUEERDE GEGEVENS" in report and "Tabel IX.3" in report
    # issue 6: the replication runs restricted (small cells as published) and says so everywhere
    assert "Vertrouwelijk" in report and "Vertrouwelijk" in (project / "results/rivm2009/tables/tabel_VIII_2.md").read_text()
    assert len(list((project / "results/rivm2009/municipalities").glob("*.html"))) == 16

    second = tmp_path / "second"
    shutil.copytree(project, second, ignore=shutil.ignore_patterns("results", ".snakemake"))
    assert _run(second).returncode == 0
    for part in ("tables", "figures", "replication"):
        first, again = _files(project / "results/rivm2009" / part), _files(second / "results/rivm2009" / part)
        assert first.keys() == again.keys() and len(first) >= 3
        assert [k for k in first if first[k] != again[k]] == []
    for name in ("cells.csv", "report.html"):
        assert (project / "results/rivm2009" / name).read_bytes() == (second / "results/rivm2009" / name).read_bytes()


def test_public_wave_shows_no_small_cell_name_or_respondent_row(project):
    """Issue 6 end to end on the demo wave (public, k = 5): no output shows a count of a base
    below k, municipality names never leave data/raw, every municipality gets a pseudonymous
    feedback page, and no file under results/ holds a respondent id or a row per respondent."""
    import hashlib

    from analysis.core.aggregate import read_cells
    from analysis.core.disclosure.leakscan import scan_results_for_respondent_rows
    from analysis.core.io.readers import read_export

    wave = "synthetic-demo-2025"
    _only_wave(project, wave)
    raw = project / "data/raw" / wave
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.iterdir()}
    done = _run(project)
    assert done.returncode == 0, done.stderr[-3000:]
    assert before == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.iterdir()}

    results = project / "results" / wave
    cells = read_cells(results / "cells.csv")
    answers = cells[cells["count"].notna() & (cells["item"] != "sector")]
    assert ((answers["base"] >= 5) | (answers["base"] == 0)).all()
    assert (cells["status"] == "< 5").any() and (cells["status"] == "×").any()

    sheet = pd.read_csv(raw / "municipalities.csv", dtype=str)
    names = [n for n in sheet["name"] if n]
    for path in (project / "results").rglob("*"):
        if path.suffix in (".csv", ".md", ".html", ".svg", ".json"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [n for n in names if n in text], path
    pages = sorted(p.name for p in (results / "municipalities").glob("*.html"))
    assert len(pages) == len(sheet) and all(p.startswith("G-") for p in pages)
    assert "×" in (results / "tables/tabel_IX_1.md").read_text(encoding="utf-8")

    export = read_export(raw / "responses.sav")
    ids = export.data["RESP_ID"].astype(str).tolist()
    items = yaml.safe_load((project / "config/config.yaml").read_text())["waves"][wave]["column_map"]["columns"].values()
    problems = scan_results_for_respondent_rows(project / "results", ids, list(items))
    assert problems == [], problems

    # issue 16: no sensitive cell is shown in any file of the wave or of the cross-wave outputs
    from analysis.core.disclosure.leakscan import scan_results_for_sensitive_cells

    report = pd.read_csv(results / "disclosure/report.csv", dtype=str, keep_default_na=False)
    sensitive = report[report["role"] == "sensitive"]
    keys = set(zip(sensitive["item"], sensitive["unit"], sensitive["unit_id"], sensitive["answer"]))
    assert len(keys) > 100
    for folder in (results, project / "results/waves"):
        assert scan_results_for_sensitive_cells(folder, keys, 5) == []
    # every municipality of 9 or more respondents has its Tabel VIII.2 row (collaboration) shown
    viii2 = pd.read_csv(results / "tables/tabel_VIII_2.csv", dtype=str, keep_default_na=False)
    rows = viii2[viii2.iloc[:, 0].str.startswith("Gemeente") & (viii2["Totaal"].astype(int) >= 9)]
    assert len(rows) >= 3 and rows.iloc[:, 1:-1].apply(lambda col: col.str.contains("%")).all().all()


def test_export_and_codebook_name_a_broken_wave_and_export_only_the_valid_one(project):
    """`snakemake export` (opt-in) and the codebook documents with one valid and one broken wave."""
    broken = project / "data/raw/synthetic-broken"
    shutil.copytree(project / "data/raw/synthetic-fixture", broken)
    frame = pd.read_csv(broken / "responses.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "sector"] = "99"
    frame.to_csv(broken / "responses.csv", index=False)
    cfg = yaml.safe_load((project / "config/config.yaml").read_text())
    cfg["waves"] = {w: {"export": f"data/raw/{w}/responses.csv", "municipalities": f"data/raw/{w}/municipalities.csv",
                        "synthetic": True} for w in ("synthetic-fixture", "synthetic-broken")}
    (project / "config/config.yaml").write_text(yaml.safe_dump(cfg))

    done = _run(project, "export", "results/codebook/ddi-codebook.xml")
    assert done.returncode == 0, done.stderr[-3000:]
    microdata = project / "microdata"
    assert sorted(p.name for p in (microdata / "synthetic-fixture").iterdir()) == [
        "README.md", "municipalities.csv", "synthetic-fixture.csv", "synthetic-fixture.dta", "synthetic-fixture.sav",
        "synthetic-fixture.sps"]
    readme = (microdata / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("**RESPONDENTGEGEVENS") and re.search(r"`synthetic-broken`: \d+ problems", readme)
    assert not list(microdata.glob("synthetic-broken/*"))
    names = pd.read_csv(broken / "municipalities.csv", dtype=str)["name"].tolist()
    for path in microdata.rglob("*.*"):
        assert not [n for n in names if n.encode("utf-8") in path.read_bytes()], path
    ddi = (project / "results/codebook/ddi-codebook.xml").read_text(encoding="utf-8")
    assert ddi.count("<fileDscr ") == 1 and "synthetic-fixture.sav" in ddi

    refused = _run(project, "microdata/synthetic-broken/synthetic-broken.sav")
    assert refused.returncode != 0 and "wave synthetic-broken did not validate" in refused.stderr
    assert not (microdata / "synthetic-broken" / "synthetic-broken.sav").exists()
