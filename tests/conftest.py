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


def codebook_with_additions(additions_file: Path, folder: Path) -> Path:
    """config/codebook.yaml with the stanzas of a draft's codebook_additions.yaml added, as a user
    copies them in: the codebook a drafted wave with new questions validates against."""
    import yaml

    additions = yaml.safe_load(Path(additions_file).read_text(encoding="utf-8"))
    raw = yaml.safe_load((ROOT / "config" / "codebook.yaml").read_text(encoding="utf-8"))
    raw["items"] += additions["items"]
    raw["answer_sets"].update(additions.get("answer_sets") or {})
    grown = Path(folder) / "codebook.yaml"
    grown.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return grown
