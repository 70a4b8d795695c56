"""Shared fixtures: the real codebook and the synthetic fixture wave (invented data)."""
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.codebook import load_codebook

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "data" / "raw" / "synthetic-fixture"


@pytest.fixture(scope="session")
def book():
    return load_codebook(ROOT / "config" / "codebook.yaml", ROOT / "config" / "sectors.yaml")


@pytest.fixture
def fixture_export() -> pd.DataFrame:
    """The fixture export as text, exactly as in the file (a fresh copy per test)."""
    return pd.read_csv(FIXTURE / "responses.csv", dtype=str, keep_default_na=False)


@pytest.fixture
def sheet_path() -> Path:
    return FIXTURE / "municipalities.csv"


@pytest.fixture
def project(tmp_path):
    """A temporary copy of the project, for end-to-end runs of the workflow."""
    dst = tmp_path / "project"
    dst.mkdir()
    for part in ("Snakefile", "workflow", "config", "src", "data"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dst / part)
    return dst
