"""Microdata export (core/io/export.py): SPSS and Stata files read back with pyreadstat keep every
label, missing code and measurement level; the .sav read back as a wave gives the same cells.csv;
several waves go into one harmonised file; public exports name no municipality; bad input is
refused with the item named and nothing written (synthetic, invented data only)."""
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml

from analysis.core.aggregate import run_aggregate
from analysis.core.codebook import Codebook
from analysis.core.io.export import (ExportError, coded_wave, export_variables, harmonised_waves, run_export_harmonised,
                                     run_export_wave)
from analysis.core.responses import typed_responses
from analysis.core.validate import run_validation
from analysis.fixtures.synthetic import encode, fixture_municipalities, synthetic_answers

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK, SECTORS = ROOT / "config" / "codebook.yaml", ROOT / "config" / "sectors.yaml"
POLITICAL = ["pol_college_support", "pol_portfolio_holder", "pol_3", "pol_4", "pol_5", "pol_national_policy"]
# written here, not read from the module: the codes the issue asks to keep apart
NOT_ASKED, NOT_IN_WAVE, NO_ANSWER = -1.0, -2.0, -9.0


def raw_codebook() -> dict:
    return yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))


def make_wave(book: Codebook, folder: Path, wave: str, seed: int, n: int = 30, not_asked=()) -> dict:
    """An invented wave in canonical form (codebook ids and codes) on disk: export + sheet."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = ["1", "2", "3", "4"]
    answers = synthetic_answers(book, ids, n, wave, seed)
    keep = [it.id for it in book.items_in_wave(wave, not_asked)]
    encode(answers[keep], book).to_csv(folder / "responses.csv", index=False, lineterminator="\n")
    # more respondents than the fixture sheet says were sent: sent unknown
    fixture_municipalities(ids).assign(questionnaires_sent="unknown").to_csv(
        folder / "municipalities.csv", index=False, lineterminator="\n")
    return {"export": str(folder / "responses.csv"), "municipalities": str(folder / "municipalities.csv"),
            "not_asked": list(not_asked)}


def build(book, wave: str, cfg: dict, disclosure: dict, out: Path, aggregate: bool = True) -> dict[str, Path]:
    """validate + aggregate, as the workflow does, into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"responses": out / "responses.parquet", "sheet": out / "municipalities.csv", "cells": out / "cells.csv"}
    ok, message = run_validation(wave, cfg["export"], cfg["municipalities"], book, cfg.get("column_map"),
                                 out / "validation", paths["responses"], paths["sheet"], cfg.get("not_asked", []),
                                 disclosure)
    assert ok, message
    if aggregate:
        run_aggregate(paths["responses"], paths["sheet"], CODEBOOK, SECTORS, wave, paths["cells"], out / "hours.csv", disclosure)
    return paths


def export(book, wave, cfg, disclosure, built, out: Path, language="nl") -> Path:
    run_export_wave({"wave": wave, "valid": True}, built["responses"], built["sheet"], book,
                    {**cfg, "disclosure": disclosure}, language, out)
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_sav_read_back_as_a_wave_gives_byte_identical_cells(book, tmp_path, seed):
    """Unseen-style waves (other seeds, the political block not asked in one)."""
    wave = "synthetic-roundtrip"
    disclosure = {"mode": "restricted", "min_base": 5, "pseudonym_salt": ""}
    cfg = make_wave(book, tmp_path / "raw", wave, seed, not_asked=POLITICAL if seed == 2 else ())
    built = build(book, wave, cfg, disclosure, tmp_path / "first")
    out = export(book, wave, cfg, disclosure, built, tmp_path / "microdata")
    again = build(book, wave, {"export": str(out / f"{wave}.sav"), "municipalities": str(out / "municipalities.csv"),
                               "not_asked": cfg["not_asked"]}, disclosure, tmp_path / "second")
    assert again["cells"].read_bytes() == built["cells"].read_bytes()


def test_public_round_trip_keeps_the_pseudonyms_and_names_no_municipality(book, tmp_path):
    wave = "synthetic-public"
    disclosure = {"mode": "public", "min_base": 5, "pseudonym_salt": "s"}
    cfg = make_wave(book, tmp_path / "raw", wave, 7, n=40)
    built = build(book, wave, cfg, disclosure, tmp_path / "first", aggregate=False)
    out = export(book, wave, cfg, disclosure, built, tmp_path / "microdata")
    names = pd.read_csv(cfg["municipalities"], dtype=str)["name"].tolist()
    for path in out.iterdir():
        text = path.read_bytes()
        assert not [n for n in names if n.encode("utf-8") in text], path.name
    frame, _ = pyreadstat.read_sav(out / f"{wave}.sav")
    assert frame["municipality_id"].str.match(r"^G-[0-9a-f]{6}$").all()
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("**RESPONDENTGEGEVENS") and "NIET VOOR PUBLICATIE" in readme.splitlines()[0]
    again = build(book, wave, {"export": str(out / f"{wave}.sav"), "municipalities": str(out / "municipalities.csv")},
                  disclosure, tmp_path / "second", aggregate=False)
    # the same validated table and sheet: aggregation (public protection included, about a
    # minute here) is a function of these two, so it gives the same cells.csv
    # (the sheet's rows come in the order of its ids: raw ids before, pseudonyms now)
    sheets = [pd.read_csv(b["sheet"], dtype=str).sort_values("municipality_id", ignore_index=True) for b in (again, built)]
    pd.testing.assert_frame_equal(*sheets)
    pd.testing.assert_frame_equal(pd.read_parquet(again["responses"]), pd.read_parquet(built["responses"]))


@pytest.fixture(scope="module")
def exported(book, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    wave = "synthetic-labels"
    disclosure = {"mode": "restricted", "min_base": 5, "pseudonym_salt": ""}
    cfg = make_wave(book, tmp / "raw", wave, 11, n=40, not_asked=POLITICAL)
    built = build(book, wave, cfg, disclosure, tmp / "built")
    out = export(book, wave, cfg, disclosure, built, tmp / "microdata")
    return wave, out, pd.read_parquet(built["responses"])


def test_sav_carries_question_text_value_labels_missing_codes_and_levels(exported):
    wave, out, responses = exported
    cb = {it["id"]: it for it in raw_codebook()["items"]}
    frame, meta = pyreadstat.read_sav(out / f"{wave}.sav", user_missing=True)
    labels = meta.column_names_to_labels
    assert labels["health_target_groups"] == cb["health_target_groups"]["question_nl"]
    assert labels["collab_with_vgz"] == "Samengewerkt met VGZ"  # no question text: the item's label
    assert meta.variable_value_labels["health_priority"] == {
        1.0: "Ja", 0.0: "Nee", -1.0: "Niet gevraagd (routing)", -2.0: "Niet gevraagd in deze meting", -9.0: "Geen antwoord"}
    assert meta.variable_value_labels["sector"][1.0] == "VGZ"
    ranges = {(r["lo"], r["hi"]) for r in meta.missing_ranges["health_target_groups"]}
    assert ranges == {(-9.0, -9.0), (-2.0, -2.0), (-1.0, -1.0)}
    assert meta.variable_measure["hours_per_week"] == "scale"
    assert meta.variable_measure["health_priority"] == "nominal"
    assert "pol_3" not in frame  # not asked in this wave: not in its own file
    # routed past health_target_groups exactly when health_work is 'nee'
    routed = responses["health_work"].astype(str).eq("nee").to_numpy()
    assert (frame.loc[routed, "health_target_groups"] == NOT_ASKED).all()
    assert frame.loc[~routed, "health_target_groups"].isin([0.0, 1.0]).all()
    assert routed.any() and (~routed).any()


def test_dta_carries_labels_and_stata_missing_values(exported):
    wave, out, responses = exported
    frame, meta = pyreadstat.read_dta(out / f"{wave}.dta", user_missing=True)
    assert meta.variable_value_labels["health_priority"][1] == "Ja"
    assert meta.variable_value_labels["health_priority"]["a"] == "Niet gevraagd (routing)"
    assert meta.variable_value_labels["health_priority"]["c"] == "Geen antwoord"
    # Stata declares no missing values: .a-.z are missing by nature; the file holds those it uses
    assert set(meta.missing_user_values["health_target_groups"]) == {"a"}
    routed = responses["health_work"].astype(str).eq("nee").to_numpy()
    assert (frame.loc[routed, "health_target_groups"] == "a").all()
    assert len(meta.column_names_to_labels["health_target_groups"].encode("utf-8")) <= 80  # Stata's limit
    plain, _ = pyreadstat.read_dta(out / f"{wave}.dta")
    assert plain.loc[routed, "health_target_groups"].isna().all()


def test_sps_declares_what_the_sav_has(exported):
    wave, out, _ = exported
    sps = (out / f"{wave}.sps").read_text(encoding="utf-8")
    _, meta = pyreadstat.read_sav(out / f"{wave}.sav")
    csv_header = (out / f"{wave}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert csv_header == meta.column_names
    variables = sps.split("/VARIABLES=")[1].split("VARIABLE LABELS")[0].split()
    assert variables[0::2] == meta.column_names
    assert f"/FILE='{wave}.csv'" in sps
    assert "health_target_groups 'U geeft aan" in sps
    assert "MISSING VALUES" in sps and "(-9, -2, -1)." in sps
    assert "    -1 'Niet gevraagd (routing)'" in sps and "(SCALE)." in sps
    values = sps.split("VALUE LABELS")[1].split("MISSING VALUES")[0]
    assert values.count("\n  /") == len([v for v in meta.column_names if v not in ("respondent_id", "wave", "municipality_id")]) - 1
    assert all(len(line) <= 80 for line in sps.split("VALUE LABELS")[1].splitlines() if not line.startswith("    "))


def test_harmonised_file_has_every_waves_rows_and_not_asked_where_a_wave_did_not_ask(book, tmp_path):
    disclosure = {"mode": "restricted", "min_base": 5, "pseudonym_salt": ""}
    statuses, responses, sheets, cfgs = [], {}, {}, {}
    for wave, seed, n, not_asked in (("synthetic-a", 3, 25, ()), ("synthetic-b", 4, 31, POLITICAL)):
        # the validated form, without validating: typed answers and the sheet as files
        answers = synthetic_answers(book, ["1", "2"], n, wave, seed)
        answers[[it.id for it in book.items if it.id not in {i.id for i in book.items_in_wave(wave, not_asked)}]] = None
        responses[wave], sheets[wave] = tmp_path / f"{wave}.parquet", tmp_path / f"{wave}.csv"
        typed_responses(answers, book).to_parquet(responses[wave])
        fixture_municipalities(["1", "2"]).to_csv(sheets[wave], index=False)
        statuses.append({"wave": wave, "valid": True})
        cfgs[wave] = {"not_asked": list(not_asked), "disclosure": disclosure}
    statuses.append({"wave": "synthetic-broken", "valid": False, "problems": 3, "report": "somewhere.md"})
    cfgs["synthetic-broken"] = {"disclosure": disclosure}
    out = tmp_path / "microdata" / "all-waves"
    run_export_harmonised(statuses, responses, sheets, book, cfgs, "en", out, tmp_path / "microdata" / "README.md")
    frame, meta = pyreadstat.read_sav(out / "all-waves.sav", user_missing=True)
    assert frame["wave"].value_counts().to_dict() == {"synthetic-a": 25, "synthetic-b": 31}
    b = frame["wave"] == "synthetic-b"
    assert (frame.loc[b, "pol_3"] == NOT_IN_WAVE).all() and not (frame.loc[~b, "pol_3"] == NOT_IN_WAVE).any()
    assert meta.variable_value_labels["pol_3"][NOT_IN_WAVE] == "Not asked in this wave"
    readme = (tmp_path / "microdata" / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("**RESPONDENT-LEVEL DATA") and "synthetic-broken" in readme
    dta, _ = pyreadstat.read_dta(out / "all-waves.dta", user_missing=True)
    assert (dta.loc[b.to_numpy(), "pol_3"] == "b").all()


def test_harmonised_file_puts_a_wave_without_an_item_first(book):
    """A wave that lacks an item, with more than 100 rows, first: the Stata writer once took such a
    column for text."""
    first = pd.DataFrame({"respondent_id": [f"r{i}" for i in range(120)], "wave": "w1", "municipality_id": "1"})
    second = pd.DataFrame({"respondent_id": ["s1"], "wave": "w2", "municipality_id": "2", "health_priority": [1.0]})
    frame = harmonised_waves({"w1": first, "w2": second}, book)
    assert list(frame["health_priority"].iloc[[0, 119, 120]]) == [NOT_IN_WAVE, NOT_IN_WAVE, 1.0]


def test_an_item_without_a_label_stops_the_export_naming_it(book):
    blank = replace(book["collab_with_vgz"], nl="   ")  # and no question text
    with pytest.raises(ExportError, match="item collab_with_vgz: the codebook has no nl label"):
        export_variables(book, [book["health_work"], blank], "nl")
    unlabelled_answer = replace(book["health_work"], answers=(replace(book["health_work"].answers[0], en=""),))
    with pytest.raises(ExportError, match=r"item health_work: .* answer code\(s\) \[1\]"):
        export_variables(book, [unlabelled_answer], "en")


def test_a_column_the_codebook_lacks_stops_the_export_naming_it(book):
    responses = pd.DataFrame({"respondent_id": ["1"], "wave": ["w"], "municipality_id": ["1"], "q_new": ["ja"]})
    with pytest.raises(ExportError, match=r"\['q_new'\] are not codebook items"):
        coded_wave(responses, book, "w")


def test_a_wave_that_did_not_validate_is_not_exported(book, tmp_path):
    out = tmp_path / "microdata" / "w"
    status = {"wave": "w", "valid": False, "problems": 2, "report": "results/w/validation/report.md",
              "first_problems": ["wave w: x.csv, row 3, field sector: known_sector"]}
    with pytest.raises(ExportError, match=r"wave w did not validate \(2 problems; see results/w/validation/report.md\): "
                                          "nothing exported"):
        run_export_wave(status, None, None, book, {"disclosure": {"mode": "public", "min_base": 5}}, "nl", out)
    assert not out.exists()


def test_a_public_export_of_real_ids_is_refused(book, tmp_path):
    """A table validated in restricted mode (real ids) under a public configuration."""
    responses = tmp_path / "responses.parquet"
    pd.DataFrame({"respondent_id": ["r1"], "wave": ["w"], "municipality_id": ["0363"]}).to_parquet(responses)
    out = tmp_path / "microdata" / "w"
    with pytest.raises(ExportError, match=r"municipality ids that are not pseudonyms \(0363\)"):
        run_export_wave({"wave": "w", "valid": True}, responses, tmp_path / "none.csv", book, {}, "nl", out)
    assert not out.exists()


@pytest.mark.parametrize("wave", ["rivm2009", "synthetic-demo-2025"])
def test_the_configured_waves_read_back_from_their_sav(book, tmp_path, wave):
    """The 2009 (restricted) and demo (public, SPSS with a column map) waves as configured: the
    exported .sav reads back, without the column map, to the same validated table and sheet
    (2009: the same cells.csv, byte for byte) and has every label and missing code in place."""
    from analysis.core.disclosure.settings import disclosure_settings

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    cfg = {key: str(ROOT / value) if key in ("export", "municipalities") else value
           for key, value in config["waves"][wave].items()}
    disclosure = disclosure_settings(config.get("disclosure"), cfg.get("disclosure"))
    restricted = disclosure["mode"] == "restricted"
    built = build(book, wave, cfg, disclosure, tmp_path / "first", aggregate=restricted)
    out = export(book, wave, cfg, disclosure, built, tmp_path / "microdata")
    again = build(book, wave, {"export": str(out / f"{wave}.sav"), "municipalities": str(out / "municipalities.csv"),
                               "not_asked": cfg.get("not_asked", [])}, disclosure, tmp_path / "second", aggregate=restricted)
    pd.testing.assert_frame_equal(pd.read_parquet(again["responses"]), pd.read_parquet(built["responses"]))
    if restricted:
        assert again["cells"].read_bytes() == built["cells"].read_bytes()
    frame, meta = pyreadstat.read_sav(out / f"{wave}.sav", user_missing=True)
    coded = [c for c in frame.columns if c not in ("respondent_id", "wave", "municipality_id")]
    assert all(meta.variable_value_labels[c][-9.0] == "Geen antwoord" for c in coded)
    assert all(len(meta.missing_ranges[c]) == 3 for c in coded)
    assert all(meta.column_names_to_labels[c] for c in frame.columns)


@pytest.mark.skipif(shutil.which("pspp") is None, reason="PSPP (GNU SPSS clone) not installed")
def test_pspp_reads_the_csv_with_the_sps_into_the_same_file_as_the_sav(exported, tmp_path):
    """The syntax really runs: PSPP reads the CSV copy with it, and what it saves equals the .sav
    in data, variable labels, value labels, missing values and measurement levels."""
    wave, out, _ = exported
    (tmp_path / "run.sps").write_text(f"INCLUDE FILE='{wave}.sps'.\nSAVE OUTFILE='{tmp_path / 'pspp.sav'}'.\n")
    done = subprocess.run(["pspp", str(tmp_path / "run.sps")], cwd=out, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "error" not in done.stdout.lower(), done.stdout + done.stderr
    pspp, pm = pyreadstat.read_sav(tmp_path / "pspp.sav", user_missing=True)
    ours, om = pyreadstat.read_sav(out / f"{wave}.sav", user_missing=True)
    pd.testing.assert_frame_equal(pspp, ours)
    assert pm.column_names_to_labels == om.column_names_to_labels
    assert pm.variable_value_labels == om.variable_value_labels
    assert pm.missing_ranges == om.missing_ranges
    assert pm.variable_measure == om.variable_measure


@pytest.mark.parametrize("seed", range(3))
def test_every_empty_cell_gets_the_code_of_why_it_is_empty(book, seed):
    """Generated waves with item nonresponse blanked at random: every empty cell is -1 exactly when
    the skip logic routed past the item, -2 when the wave lacked it, -9 otherwise; no cell stays
    empty and every answer keeps its codebook code."""
    import numpy as np

    rng = np.random.default_rng(seed)
    wave = f"synthetic-gen-{seed}"
    not_asked = list(rng.choice(POLITICAL, size=int(rng.integers(0, 4)), replace=False))
    answers = synthetic_answers(book, ["1", "2", "3"], 40, wave, seed)
    in_wave = {it.id for it in book.items_in_wave(wave, not_asked)}
    answers[[c for c in answers.columns if c not in in_wave]] = None
    asked = {it.id: answers.apply(lambda r, it=it: book.is_asked(it, r.to_dict()), axis=1) for it in book.items}
    blank = rng.random(answers.shape) < 0.1  # item nonresponse: asked, left empty
    coded_items = [it.id for it in book.items if it.answers or it.type == "number"]
    for j, column in enumerate(answers.columns):
        if column in coded_items and column in in_wave:
            answers.loc[blank[:, j] & answers[column].notna().to_numpy(), column] = None
    frame = coded_wave(typed_responses(answers, book), book, wave, not_asked,
                       items=[it for it in book.items if it.id in coded_items])
    responses = typed_responses(answers, book)
    for item in coded_items:
        values, original = frame[item], responses[item]
        assert values.notna().all()
        if item not in in_wave:
            assert (values == NOT_IN_WAVE).all(), item
            continue
        routed_past = ~asked[item].to_numpy() | ~_parents_answered(book, item, responses)
        empty = original.isna().to_numpy()
        assert (values[empty & routed_past] == NOT_ASKED).all(), item
        assert (values[empty & ~routed_past] == NO_ANSWER).all(), item
        codes = {a.key: float(a.code) for a in book[item].answers}
        shown = original[~empty]
        expected = shown.astype(object).map(codes) if codes else shown.astype(float)
        assert values[~empty].tolist() == expected.tolist(), item


def _parents_answered(book, item_id, responses):
    """Respondents whose lead answers are there (a blank lead answer routes past its follow-ups)."""
    mask = pd.Series(True, index=responses.index)
    for parent in book[item_id].asked_if:
        mask &= responses[parent].notna()
    return mask.to_numpy()
