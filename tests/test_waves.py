"""Cross-wave statistics against textbook values, and the workflow with a new and a broken wave."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from analysis.core.waves.comparison import NOT_ASKED, OK, SIZE_CLASSES, difference_table, indicator_table, protect_indicators, respondent_frame, within_wave_table, yes_indicator
from analysis.core.waves.rendering import compared_with_earlier_waves_html
from analysis.core.waves.statistics import fisher_exact_p, gee_table, holm, newcombe_difference, two_proportion_test, wilson
from analysis.fixtures.demo_wave import WAVE as DEMO, config_entry
from analysis.core.disclosure.pseudonyms import pseudonym
from conftest import ROOT

# the study's within-wave comparisons, as the workflow passes them
COMPARISONS = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["comparisons"]

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))


# --- statistics: textbook values --------------------------------------------------------------

def test_wilson_newcombe_1998_single_proportion():
    # Newcombe (1998a) Stat Med 17:857, example 81/263: Wilson 0.2553 to 0.3662
    assert wilson(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    # 0/20 is defined (0 to 0.1611), not "nan"
    assert wilson(0, 20) == pytest.approx((0.0, 0.1611), abs=5e-5)


@pytest.mark.parametrize("counts, expected", [
    # Newcombe (1998b) Stat Med 17:873, Table II, method 10 (hybrid score)
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0)),
])
def test_newcombe_difference_matches_the_paper(counts, expected):
    diff, low, high = newcombe_difference(*counts)
    assert diff == pytest.approx(counts[0] / counts[1] - counts[2] / counts[3])
    assert (low, high) == pytest.approx(expected, abs=5e-5)


def test_fisher_exact_lady_tasting_tea():
    # Fisher's tea-tasting table [[3, 1], [1, 3]]: two-sided p = 34/70
    assert fisher_exact_p(3, 4, 1, 4) == pytest.approx(34 / 70)


def test_exact_test_is_chosen_when_an_expected_count_is_small():
    assert two_proportion_test(3, 4, 1, 4)[0] == "Fisher exact"
    test, p = two_proportion_test(56, 70, 48, 80)
    assert test == "chi-square"
    # Pearson chi-square of [[56, 14], [48, 32]] by hand: X2 = 55.751 * 0.125978 = 7.0234 (= z^2, z = 2.650)
    table = np.array([[56, 14], [48, 32]])
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    x2 = ((table - expected) ** 2 / expected).sum()
    assert x2 == pytest.approx(7.0234, abs=1e-4)
    assert p == pytest.approx(float(stats.chi2.sf(x2, 1)))


def test_holm_by_hand():
    p = pd.Series([0.01, 0.04, 0.03, 0.005, np.nan])
    # sorted 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1 -> max(0.04, 0.06)=0.06
    assert holm(p).iloc[:4].tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert np.isnan(holm(p).iloc[4])  # nothing tested stays untested


def _mancl_derouen(y, x, groups, beta):
    """Bias-reduced sandwich of a logistic GEE with independence working correlation, by hand."""
    mu = 1 / (1 + np.exp(-x @ beta))
    w = mu * (1 - mu)
    bread = np.linalg.inv((x * w[:, None]).T @ x)
    meat = np.zeros_like(bread)
    for g in np.unique(groups):
        i = groups == g
        xi, wi, ri = x[i], w[i], y[i] - mu[i]
        h = (xi * wi[:, None]) @ bread @ xi.T  # H_ii = D_i B^-1 D_i' V_i^-1 for the canonical link
        u = xi.T @ np.linalg.solve(np.eye(i.sum()) - h, ri)  # D_i' V_i^-1 (I - H_ii)^-1 r_i
        meat += np.outer(u, u)
    return np.sqrt(np.diag(bread @ meat @ bread))


def test_gee_bias_reduced_standard_errors_match_mancl_derouen_by_hand():
    import statsmodels.api as sm

    rng = np.random.default_rng(7)
    groups = np.repeat(np.arange(10), 6)
    x = np.column_stack([np.ones(60), rng.integers(0, 2, 60)]).astype(float)
    y = (rng.random(60) < 0.3 + 0.3 * x[:, 1]).astype(float)
    fit = sm.GEE(y, x, groups=groups, family=sm.families.Binomial(),
                 cov_struct=sm.cov_struct.Independence()).fit(cov_type="bias_reduced")
    assert fit.bse == pytest.approx(_mancl_derouen(y, x, groups, fit.params), rel=1e-6)
    assert (fit.bse > fit.standard_errors("robust")).all()  # the correction widens small-sample SEs


# --- indicators, not asked, not estimable -----------------------------------------------------

def _frame(wave, yes, no, item="health_work", municipalities=("1", "2", "3", "4")):
    answers = ["ja"] * yes + ["nee"] * no
    n = len(answers)
    return pd.DataFrame({
        "wave": wave, "respondent_id": [f"{wave}-{i}" for i in range(n)],
        "cluster": [f"{wave}:{municipalities[i % len(municipalities)]}" for i in range(n)], "overall": "all",
        "sector": pd.Categorical(["vgz", "wonen"] * (n // 2) + ["vgz"] * (n % 2), categories=["vgz", "wonen"]),
        "domain": pd.Categorical(["2", "3"] * (n // 2) + ["2"] * (n % 2), categories=["1", "2", "3"]),
        "class": pd.Categorical(["social", "physical"] * (n // 2) + ["social"] * (n % 2), categories=["social", "physical"]),
        "municipality": [municipalities[i % len(municipalities)] for i in range(n)],
        "size_class": pd.Categorical(["G4"] * n, categories=SIZE_CLASSES),
        item: yes_indicator(pd.Series(answers)),
    })


def test_an_item_absent_from_a_wave_is_not_asked_never_zero(book):
    responses = pd.DataFrame({"respondent_id": ["A", "B"], "municipality_id": ["1", "1"], "sector": ["vgz", "wonen"],
                              "health_work": pd.Categorical([None, None], categories=["ja", "nee"])})
    sheet = pd.DataFrame({"municipality_id": ["1"], "size_class": ["G4"]})
    frame = respondent_frame("w2", responses, sheet, book, ["health_work", "collaborates"])
    table = indicator_table(frame, ["health_work", "collaborates"], ["w2"], {"w2": "synthetic"})
    assert set(table["status"]) == {NOT_ASKED}
    assert table["count"].isna().all() and table["pct"].isna().all()  # no silent 0
    within = within_wave_table(frame, "w2", comparisons=COMPARISONS)
    assert (within["status"] == NOT_ASKED).all() and "not asked" in within["text"].iloc[0]


def test_difference_with_a_not_asked_wave_says_so(book):
    stacked = pd.concat([_frame("w1", 6, 4), _frame("w2", 3, 7).assign(health_work=pd.NA)], ignore_index=True)
    table = indicator_table(stacked, ["health_work"], ["w1", "w2"], {"w1": "survey", "w2": "survey"})
    diffs = difference_table(table, ["w1", "w2"])
    assert diffs["status"].eq("not asked in w2").all() and diffs["diff"].isna().all()


def test_difference_is_later_minus_earlier_with_newcombe_interval():
    stacked = pd.concat([_frame("w1", 48, 32), _frame("w2", 56, 14)], ignore_index=True)
    table = indicator_table(stacked, ["health_work"], ["w1", "w2"], {"w1": "survey", "w2": "survey"})
    overall = difference_table(table, ["w1", "w2"]).query("unit == 'overall'").iloc[0]
    assert overall["diff"] == pytest.approx(0.2)
    assert (overall["ci_low"], overall["ci_high"]) == pytest.approx((0.0524, 0.3339), abs=5e-5)


def test_cross_wave_tables_hide_what_a_public_wave_hides():
    """Issue 6: a cell the public wave's cells.csv suppresses stays hidden in indicators,
    differences and within-wave comparisons (marked, never 0 or NaN without a reason)."""
    stacked = pd.concat([_frame("w1", 48, 32), _frame("w2", 56, 14)], ignore_index=True)
    table = indicator_table(stacked, ["health_work"], ["w1", "w2"], {"w1": "survey", "w2": "survey"})
    hidden = {("w2", "health_work", "sector", "vgz"): ("< 5", False), ("w2", "health_work", "municipality", "3"): ("×", True)}
    out = protect_indicators(table, hidden)
    vgz = out.query("wave == 'w2' and unit == 'sector' and unit_id == 'vgz'").iloc[0]
    assert vgz["status"] == "< 5" and pd.isna(vgz["count"]) and pd.isna(vgz["pct"]) and vgz["n"] > 0
    muni = out.query("wave == 'w2' and unit == 'municipality' and unit_id == '3'").iloc[0]
    assert muni["status"] == "×" and pd.isna(muni["n"])
    assert (out.query("wave == 'w1'")["status"] == "ok").all()
    diff = difference_table(out, ["w1", "w2"]).query("unit == 'sector' and unit_id == 'vgz'").iloc[0]
    assert "< 5" in diff["status"] and pd.isna(diff["diff"])
    within = within_wave_table(stacked.assign(collaborates=stacked["health_work"]), "w2",
                                 {("w2", "collaborates", "sector", "vgz"): ("< 5", False)}, COMPARISONS)
    assert within.set_index("item").loc["collaborates", "status"] == "suppressed (< 5)"


def test_all_yes_wave_makes_the_model_not_estimable_with_a_reason():
    stacked = pd.concat([_frame("w1", 10, 0), _frame("w2", 5, 5)], ignore_index=True)
    gee = gee_table(stacked, ["health_work"], ["w1", "w2"])
    assert len(gee) == 1 and gee["status"].iloc[0].startswith("not estimable: all or none said yes in wave w1")
    assert gee[["log_odds", "p"]].isna().all().all()  # nothing pretends to be a number


def test_too_few_clusters_is_not_estimable():
    stacked = pd.concat([_frame("w1", 4, 6, municipalities=("1",)), _frame("w2", 6, 4, municipalities=("1",))])
    gee = gee_table(stacked.reset_index(drop=True), ["health_work"], ["w1", "w2"])
    assert "clusters" in gee["status"].iloc[0] and gee["status"].iloc[0].startswith("not estimable")


def test_gee_reports_t_based_p_on_clusters_minus_parameters():
    rng = np.random.default_rng(3)
    frames = [_frame(w, int(k), 40 - int(k), municipalities=tuple("ABCDEFGH")) for w, k in (("w1", 15), ("w2", 26))]
    stacked = pd.concat(frames, ignore_index=True)
    stacked["health_work"] = stacked["health_work"].sample(frac=1, random_state=rng.integers(1000)).to_numpy()
    gee = gee_table(stacked, ["health_work"], ["w1", "w2"])
    wave = gee[gee["term"] == "wave"].iloc[0]
    assert wave["status"] == OK and wave["df"] == 16 - 3  # 16 municipalities, 3 parameters
    assert wave["p"] == pytest.approx(2 * stats.t.sf(abs(wave["t"]), 13))


def test_within_wave_comparison_carries_numbers_and_the_caveat():
    frame = _frame("w1", 12, 8)
    frame["segv_work"] = frame["health_work"]
    frame["collaborates"] = frame["health_work"]
    table = within_wave_table(frame, "w1", comparisons=COMPARISONS)
    social = table.iloc[0]
    assert social["status"] == OK and social["test"] == "Fisher exact"
    assert social["n_a"] + social["n_b"] == 20
    assert "not a random sample (report footnote 17)" in social["text"]


def test_chapter_fragment_names_the_wave_and_the_excluded_ones():
    stacked = pd.concat([_frame("w1", 6, 4), _frame("w2", 3, 7)], ignore_index=True)
    for item in ("segv_work", "collaborates"):
        stacked[item] = stacked["health_work"]
    kinds = {"w1": "reconstructed", "w2": "synthetic"}
    items = ["health_work"]
    table = indicator_table(stacked, items, ["w1", "w2"], kinds)
    html = compared_with_earlier_waves_html("w2", ["w1"], kinds, table, difference_table(table, ["w1", "w2"]),
                                              within_wave_table(stacked, "w2", comparisons=COMPARISONS), {"health_work": "Werken aan gezondheid"},
                                              [{"wave": "bad", "report": "results/bad/validation/report.md"}])
    assert "Compared with earlier waves" in html and "w1 (reconstructed)" in html and "w2 (synthetic)" in html
    assert "bad failed validation" in html and "nan" not in html.lower().replace("nance", "")
    assert "Not for publication" not in html
    marked = compared_with_earlier_waves_html("w2", ["w1"], kinds, table, difference_table(table, ["w1", "w2"]),
                                                within_wave_table(stacked, "w2", comparisons=COMPARISONS), {"health_work": "x"}, [], ["w1"])
    assert "Includes restricted wave(s) w1" in marked and "Not for publication" in marked
    dutch = compared_with_earlier_waves_html("w2", ["w1"], kinds, table, difference_table(table, ["w1", "w2"]),
                                               within_wave_table(stacked, "w2", comparisons=COMPARISONS), {"health_work": "x"},
                                               [{"wave": "bad", "report": "r.md"}], ["w1"], language="nl",
                                               comparisons=COMPARISONS)
    assert "Vergeleken met eerdere metingen" in dutch and "Eerdere metingen: w1 (gereconstrueerd)" in dutch
    assert "bad is afgekeurd" in dutch and "Niet voor publicatie" in dutch and "95%-BI" in dutch
    for english in ("Compared with", "Earlier waves", "Within this wave", "all respondents", " vs ", "Caveat"):
        assert english not in dutch, english


# --- the workflow ----------------------------------------------------------------------------

def _copy_project(dst: Path) -> Path:
    dst.mkdir()
    for part in ("Snakefile", "workflow", "config", "src", "data", "profiles"):
        src = ROOT / part
        if src.exists():
            (shutil.copytree if src.is_dir() else shutil.copy)(src, dst / part)
    return dst


@pytest.fixture
def project(tmp_path):
    return _copy_project(tmp_path / "project")


def _configure(project, waves: dict):
    cfg = yaml.safe_load((project / "config/config.yaml").read_text())
    cfg["waves"] = waves
    (project / "config/config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))


FIXTURE = {"export": "data/raw/synthetic-fixture/responses.csv",
           "municipalities": "data/raw/synthetic-fixture/municipalities.csv", "synthetic": True}


def _targets(waves):
    return ["results/waves/report.html", *[f"results/waves/chapter_{w}.html" for w in waves],
            *[f"results/{w}/responses.parquet" for w in waves]]


def _snakemake(project, *args):
    return subprocess.run([SNAKEMAKE, "--cores", "2", "--keep-going", *args], cwd=project, capture_output=True, text=True)


def _dry_run_jobs(project, targets) -> list[tuple[str, str]]:
    """(rule, wave) of every job a dry run would run ("" for a job without a wave)."""
    done = _snakemake(project, "-n", *targets)
    assert done.returncode == 0, done.stderr[-3000:]
    jobs: list[list[str]] = []
    for line in (done.stdout + done.stderr).splitlines():
        if start := re.match(r"^(?:local)?(?:rule|checkpoint) (\w+):$", line):
            jobs.append([start[1], ""])
        elif (wave := re.match(r"^\s+wildcards: wave=(\S+)$", line)) and jobs:
            jobs[-1][1] = wave[1]
    return [tuple(job) for job in jobs]


def _digests(folder: Path) -> dict[str, str]:
    import hashlib
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def demo_added(tmp_path_factory, book):
    """The fixture wave built, then the demo wave (public, the default) added as a new user adds
    one: the dry run in between, and the demo wave built in full (its report, tables, pages).
    One build serves the cross-wave test and the public-mode test below."""
    project = _copy_project(tmp_path_factory.mktemp("waves") / "project")
    _configure(project, {"synthetic-fixture": FIXTURE})
    built = _snakemake(project, *_targets(["synthetic-fixture"]))
    assert built.returncode == 0, built.stderr[-3000:]
    up_to_date = _dry_run_jobs(project, _targets(["synthetic-fixture"]))

    _configure(project, {"synthetic-fixture": FIXTURE, DEMO: config_entry(book)})
    added = _dry_run_jobs(project, _targets(["synthetic-fixture", DEMO]))
    raw_before = _digests(project / "data/raw" / DEMO)
    results = f"results/{DEMO}"
    built = _snakemake(project, *_targets(["synthetic-fixture", DEMO]), f"{results}/report.html",
                       f"{results}/municipalities", f"{results}/tables/tables.xlsx")
    assert built.returncode == 0, built.stderr[-3000:]
    return {"project": project, "up_to_date": up_to_date, "added": added, "raw_before": raw_before}


def test_adding_the_demo_wave_runs_only_its_jobs_and_the_cross_wave_ones(demo_added, book):
    project = demo_added["project"]
    assert demo_added["up_to_date"] == []
    # the cross-wave outputs read the protected cells.csv of each wave: its aggregate job runs too;
    # its chapter is written by its report job, which embeds the wave's tables and figures
    assert sorted(demo_added["added"]) == sorted([("validate", DEMO), ("aggregate", DEMO), ("wave_status", DEMO),
                                                  ("publication", DEMO), ("report", DEMO), ("waves", "")])

    indicators = pd.read_csv(project / "results/waves/indicators.csv", dtype={"unit_id": str})
    assert set(indicators["wave"]) == {"synthetic-fixture", DEMO}
    demo_municipalities = indicators.loc[(indicators["wave"] == DEMO) & (indicators["unit"] == "municipality"), "unit_id"]
    # public mode (the default): municipalities under their pseudonyms, small cells marked
    salt = config_entry(book).get("disclosure", {}).get("pseudonym_salt", "")
    assert set(demo_municipalities) == {pseudonym(m, salt) for m in "ABCDEFGH"}
    assert indicators.loc[indicators["pct"].isna(), "status"].ne("ok").all()
    report = (project / "results/waves/report.html").read_text()
    assert f"{DEMO} (synthetisch)" in report and "http" not in report and "data:image/png;base64," in report
    chapter = (project / f"results/waves/chapter_{DEMO}.html").read_text()
    # the chapter sits in the wave's Dutch report (language: nl), so it is in Dutch too
    assert "Vergeleken met eerdere metingen" in chapter and "synthetic-fixture (synthetisch)" in chapter
    assert "Compared with earlier waves" not in chapter and "Binnen deze meting" in chapter
    svg = project / "results/waves/figures/trend_collaborates.svg"
    first = svg.read_bytes()
    (project / "results/waves/report.html").unlink()
    assert _snakemake(project, "results/waves/report.html").returncode == 0
    assert svg.read_bytes() == first  # deterministic figures
    assert "<dc:date>" not in first.decode()


def test_public_wave_shows_no_small_cell_name_or_respondent_row(demo_added):
    """Issue 6 end to end on the demo wave (public, k = 5): no output shows a count of a base
    below k, municipality names never leave data/raw, every municipality gets a pseudonymous
    feedback page, and no file under results/ holds a respondent id or a row per respondent."""
    from analysis.core.aggregate import read_cells
    from analysis.core.disclosure.leakscan import scan_results_for_respondent_rows
    from analysis.core.io.readers import read_export

    project = demo_added["project"]
    raw = project / "data/raw" / DEMO
    assert demo_added["raw_before"] == _digests(raw)

    results = project / "results" / DEMO
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
    items = yaml.safe_load((project / "config/config.yaml").read_text())["waves"][DEMO]["column_map"]["columns"].values()
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


def test_a_broken_wave_next_to_a_valid_one(project):
    broken_dir = project / "data/raw/broken-2024"
    shutil.copytree(project / "data/raw/synthetic-fixture", broken_dir)
    export = pd.read_csv(broken_dir / "responses.csv", dtype=str, keep_default_na=False)
    export.loc[0, "health_priority"] = "7"  # no such code
    export.loc[1, "municipality_id"] = "99"  # not in the municipality sheet
    export = export.drop(columns="wave")  # optional column; else every row names the wrong wave
    export.to_csv(broken_dir / "responses.csv", index=False)
    broken = {"export": "data/raw/broken-2024/responses.csv", "municipalities": "data/raw/broken-2024/municipalities.csv"}
    _configure(project, {"broken-2024": broken, "synthetic-fixture": FIXTURE})

    done = _snakemake(project, *_targets(["broken-2024", "synthetic-fixture"]))

    assert done.returncode != 0  # the bad wave is an error ...
    assert (project / "results/synthetic-fixture/responses.parquet").exists()  # ... that stops nothing else
    assert not (project / "results/broken-2024/responses.parquet").exists()
    status = json.loads((project / "results/waves/status/broken-2024.json").read_text())
    assert not status["valid"] and status["problems"] == 2
    assert any("broken-2024" in p and "responses.csv" in p and "health_priority" in p for p in status["first_problems"])
    waves = pd.read_csv(project / "results/waves/waves.csv")
    assert waves.set_index("wave")["included"].to_dict() == {"broken-2024": False, "synthetic-fixture": True}
    # each wave's disclosure mode (public: the default), so that a restricted one's rows are known
    assert waves.set_index("wave")["disclosure"].to_dict() == {"broken-2024": "public", "synthetic-fixture": "public"}
    assert set(pd.read_csv(project / "results/waves/indicators.csv")["wave"]) == {"synthetic-fixture"}
    report = (project / "results/waves/report.html").read_text()
    assert "Uitgesloten metingen" in report and "broken-2024" in report and "Excluded waves" not in report
    chapter = (project / "results/waves/chapter_synthetic-fixture.html").read_text()
    assert "eerste geldige meting" in chapter and "broken-2024 is afgekeurd bij de validatie" in chapter


def test_public_wave_reads_a_restricted_previous_wave_only_through_its_public_view(project):
    """Issue 16 (consistency): the fact sheets of a public wave compare each municipality with its
    previous wave (matched on cbs_code). When that wave is restricted, the sheets must show it as the
    chapter does, through its public view: a cell the view hides as a complementary one must not be
    printed on a sheet (a reader would subtract it from the chapter's totals)."""
    raw = project / "data/raw"
    for wave in ("early-restricted", "late-public"):
        shutil.copytree(raw / "synthetic-fixture", raw / wave)
        sheet = pd.read_csv(raw / wave / "municipalities.csv", dtype=str)
        sheet["cbs_code"] = [f"GM{int(m):04d}" for m in sheet["municipality_id"]]
        sheet.to_csv(raw / wave / "municipalities.csv", index=False)
        export = pd.read_csv(raw / wave / "responses.csv", dtype=str, keep_default_na=False)
        export.assign(wave=wave).to_csv(raw / wave / "responses.csv", index=False)
    entry = {w: {"export": f"data/raw/{w}/responses.csv", "municipalities": f"data/raw/{w}/municipalities.csv",
                 "synthetic": True} for w in ("early-restricted", "late-public")}
    entry["early-restricted"]["disclosure"] = {"mode": "restricted"}
    _configure(project, entry)
    built = _snakemake(project, "results/late-public/municipalities")
    assert built.returncode == 0, built.stderr[-3000:]
    summary = _snakemake(project, "--detailed-summary", "results/late-public/municipalities")
    assert summary.returncode == 0, summary.stderr[-3000:]
    row = next(line.split("\t") for line in summary.stdout.splitlines()
               if line.startswith("results/late-public/municipalities\t"))
    inputs = set(row[4].split(","))
    assert "results/early-restricted/cells_as_public.csv" in inputs
    assert "results/early-restricted/cells.csv" not in inputs
    # and the view hides cells the restricted cells.csv shows: without it the sheets would print them
    view = pd.read_csv(project / "results/early-restricted/cells_as_public.csv", dtype={"unit_id": str})
    own = pd.read_csv(project / "results/early-restricted/cells.csv", dtype={"unit_id": str})
    both = own.merge(view, on=["item", "unit", "unit_id", "answer"], suffixes=("_own", "_view"))
    assert ((both["status_own"] == "ok") & (both["status_view"] != "ok")).any()
    # the output checker gets the view's report, with the public rules (the wave itself is restricted)
    checked = (project / "results/early-restricted/disclosure/as_public.md").read_text(encoding="utf-8")
    assert "Mode **public**" in checked and "Check by the attacker" in checked


def test_chapter_percentages_are_of_those_who_answered_and_its_methods_say_so():
    """Review r18d: the chapter printed 97% (103/106) for a wave where 111 were asked and 106
    answered, while its methods paragraph said 'yes / respondents asked'. Here w2 asks 10, 8 answer."""
    w2 = _frame("w2", 3, 7)
    w2.loc[[8, 9], "health_work"] = np.nan  # two of the 7 "nee" left empty: asked, no answer
    stacked = pd.concat([_frame("w1", 6, 4), w2], ignore_index=True)
    for item in ("segv_work", "collaborates"):
        stacked[item] = stacked["health_work"]
    kinds = {"w1": "survey", "w2": "survey"}
    table = indicator_table(stacked, ["health_work"], ["w1", "w2"], kinds)
    html = compared_with_earlier_waves_html("w2", ["w1"], kinds, table, difference_table(table, ["w1", "w2"]),
                                            within_wave_table(stacked, "w2", comparisons=COMPARISONS), {"health_work": "x"}, [])
    assert "38% (3/8;" in html and "(3/10;" not in html
    assert "yes / respondents asked (skip logic) who answered" in html


def _wave_with_every_unit(wave, yes, no):
    """_frame plus respondents of sector `anders` (VNG domain `anders`, class `other`)."""
    frame = _frame(wave, yes, no)
    for column, value in (("sector", "anders"), ("domain", "anders"), ("class", "other")):
        frame[column] = frame[column].cat.add_categories([value])
    others = frame.iloc[:4].copy()
    others["respondent_id"] = [f"{wave}-x{i}" for i in range(4)]
    others[["sector", "domain", "class"]] = ["anders", "anders", "other"]
    return pd.concat([frame, others], ignore_index=True)


def _chapter(book, language):
    stacked = pd.concat([_wave_with_every_unit("w1", 36, 4), _wave_with_every_unit("w2", 4, 36)], ignore_index=True)
    for item in ("segv_work", "collaborates"):
        stacked[item] = stacked["health_work"]
    kinds = {"w1": "reconstructed", "w2": "synthetic"}
    table = indicator_table(stacked, ["health_work"], ["w1", "w2"], kinds)
    return compared_with_earlier_waves_html("w2", ["w1"], kinds, table, difference_table(table, ["w1", "w2"]),
                                            within_wave_table(stacked, "w2", comparisons=COMPARISONS),
                                            {"health_work": "x"}, language=language, comparisons=COMPARISONS, book=book)


def test_dutch_chapter_is_dutch_and_names_units_by_their_labels(book):
    """Review r18d (finding 9): the Dutch chapter said 'overall all', '(synthetic)', '59% van vgz ...
    tegen ... van anders dan vgz', 'p = 0.000' and had an English methods paragraph."""
    html = _chapter(book, "nl")
    cells = re.findall(r"<td>([^<]*)</td>", html)
    assert "overall all" not in html and "alle respondenten" in cells[1::4]  # both tables' unit column
    assert "w1 (gereconstrueerd)" in html and "w2 (synthetisch)" in html
    assert "(synthetic)" not in html and "(reconstructed)" not in html
    # the sectors and domains as config/sectors.yaml names them, the classes in words
    assert f"van {book.sector('vgz').nl} (" in html and "van andere sectoren (" in html
    assert f"VNG-domein {book.domains['anders']['nl']}" in cells and "overige sectoren" in cells
    assert not re.search(r"\b(vgz|anders dan|social|physical|other|domain|class)\b", html)
    # a difference of 80 points on 40 + 40 respondents: p is below 0.001, never printed as 0.000
    assert "0.000" not in html and "p &lt; 0.001" in html
    assert "Percentages: ja / respondenten" in html and "Holm-correctie" in html
    for english in ("respondents asked", "Differences:", "The municipalities are", "chi-square"):
        assert english not in html, english


def test_english_chapter_names_units_by_their_labels_not_ids(book):
    """Review r18d: the English chapter said 'domain anders' and 'class other'."""
    html = _chapter(book, "en")
    cells = re.findall(r"<td>([^<]*)</td>", html)
    assert f"VNG domain {book.domains['anders']['en']}" in cells and "other sectors" in cells
    assert f"of {book.sector('vgz').en} (" in html and "of other sectors (" in html
    assert not re.search(r"domain anders|class other|class social|of vgz|other than", html)
    assert "w1 (reconstructed)" in html and "The municipalities are" in html


def test_a_size_class_comparison_names_small_as_the_fact_sheets_do():
    """The words for size class `small` are core's (publication's size_class_name takes them): a
    within-wave comparison by size class never says 'small'."""
    from analysis.core.waves.rendering import _within_text
    from analysis.publication.text import size_class_name

    comparisons = {"within_wave": [{"label": {"en": "G4 vs small", "nl": "G4 tegen kleinere"}, "item": "health_work",
                                    "unit": "size_class", "group_a": "G4", "group_b": "small"}]}
    row = {"comparison": "G4 vs small", "status": "ok", "group_a": "G4", "group_b": "small", "count_a": 5, "n_a": 10,
           "count_b": 3, "n_b": 10, "diff": 0.2, "ci_low": -0.2, "ci_high": 0.5, "p": 0.6, "p_holm": 0.6}
    for language in ("nl", "en"):
        text = _within_text(row, language, comparisons)
        assert f"{size_class_name('small', language)} (3/10)" in text and "small (" not in text, text
