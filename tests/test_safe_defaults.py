"""Every library entry point is safe by default: public mode, k = 5, pseudonyms. Restricted output
only when asked for by name (issue 12: a notebook user calling the package got real ids and
unprotected small cells)."""
import pandas as pd

from conftest import FIXTURE, ROOT
from analysis.core.aggregate import run_aggregate
from analysis.core.disclosure.settings import DEFAULTS, disclosure_settings
from analysis.core.validate import run_validation

WAVE = "synthetic-fixture"


def _validate(tmp_path, book, **kwargs):
    out = dict(report_dir=tmp_path / "validation", responses_out=tmp_path / "responses.parquet",
               municipalities_out=tmp_path / "municipalities.csv")
    ok, message = run_validation(WAVE, str(FIXTURE / "responses.csv"), str(FIXTURE / "municipalities.csv"), book,
                                 None, **out, **kwargs)
    assert ok, message
    return out


def test_defaults_are_public_k5():
    assert disclosure_settings() == {"mode": "public", "min_base": 5, "pseudonym_salt": "", "min_count": 0,
                                     "protection_width": 3, "method": "optimal", "keep_group": 9} == DEFAULTS
    assert disclosure_settings({"mode": "restricted"})["mode"] == "restricted"


def test_validation_without_settings_pseudonymises(tmp_path, book):
    real_ids = set(pd.read_csv(FIXTURE / "municipalities.csv", dtype=str)["municipality_id"])
    out = _validate(tmp_path, book)
    ids = set(pd.read_parquet(out["responses_out"])["municipality_id"])
    assert ids and not ids & real_ids
    assert all(i.startswith("G-") for i in ids)
    sheet = pd.read_csv(out["municipalities_out"], dtype=str, keep_default_na=False)
    assert "name" not in sheet or sheet["name"].eq("").all()


def test_validation_gives_real_ids_only_when_restricted_is_asked_for(tmp_path, book):
    real_ids = set(pd.read_csv(FIXTURE / "municipalities.csv", dtype=str)["municipality_id"])
    out = _validate(tmp_path, book, disclosure={"mode": "restricted"})
    assert set(pd.read_parquet(out["responses_out"])["municipality_id"]) <= real_ids


def test_aggregation_without_settings_hides_small_cells(tmp_path, book):
    out = _validate(tmp_path, book)
    cells_out, hours_out = tmp_path / "cells.csv", tmp_path / "hours.csv"
    run_aggregate(out["responses_out"], out["municipalities_out"], ROOT / "config/codebook.yaml",
                  ROOT / "config/sectors.yaml", WAVE, cells_out, hours_out)
    cells = pd.read_csv(cells_out, dtype={"unit_id": str})
    # a base of 0 (nobody asked) describes nobody; the sector item by sector is each unit's n, shown
    # by design (README "Small cells and pseudonyms")
    small = cells["base"].between(1, 4) & cells["item"].ne("sector")
    assert small.any() or cells["status"].astype(str).str.startswith("<").any()  # the fixture has small units
    assert cells.loc[small, "count"].isna().all()
