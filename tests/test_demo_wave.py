"""The demo wave: invented, reproducible, in a survey tool's own names and codes, and valid."""

import pandas as pd
import pyreadstat
import yaml

import analysis.fixtures.demo_wave as D
from analysis.core.codebook import load_codebook
from analysis.core.validate import validate_wave
from conftest import ROOT

COMMITTED = ROOT / "data" / "raw" / D.WAVE
def _validate(book, folder):
    entry = D.config_entry(book, str(folder))
    return validate_wave(D.WAVE, entry["export"], entry["municipalities"], book, entry["column_map"], entry["not_asked"])


def test_generator_is_reproducible_and_matches_the_committed_files(book, tmp_path):
    D.write_demo_wave(book, tmp_path / "a")
    D.write_demo_wave(book, tmp_path / "b")
    for name in ("responses.sav", "municipalities.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() == (COMMITTED / name).read_bytes(), (
            f"data/raw/{D.WAVE}/{name} is stale: run python -m analysis.fixtures.demo_wave data/raw/{D.WAVE}")


def test_export_speaks_the_tools_language(book):
    frame, meta = pyreadstat.read_sav(str(COMMITTED / "responses.sav"), user_missing=True)
    assert {"RESP_ID", "GEMEENTE", "SECTOR", "Q4_1", "Q5_1"} <= set(frame.columns)
    assert not set(frame.columns) & set(book.ids)  # no codebook names: the column map is needed
    assert meta.variable_value_labels["Q4_1"] == {1: "Ja", 2: "Nee", 9: "Geen antwoord"}
    assert meta.missing_ranges["Q4_1"] == [{"lo": 9.0, "hi": 9.0}]  # 9 is SPSS user-missing
    assert meta.column_names_to_labels["Q5_1"] == book["collaborates"].nl
    assert (frame["UREN"] == 99).sum() > 0  # a few 'geen antwoord' on the optional hours question
    assert "SYNTHETIC" in meta.file_label and frame["RESP_ID"].str.startswith("SYN-").all()


def test_demo_wave_validates_with_its_config_entry(book):
    result = _validate(book, COMMITTED)
    assert result.ok, result.failures.to_string()
    responses = result.responses
    assert len(responses) == D.N_RESPONDENTS and set(responses["municipality_id"]) == set(D.MUNICIPALITY_IDS)
    assert responses[D.NOT_ASKED].isna().all().all()  # the political block: not asked, not 'no'
    assert responses["hours_per_week"].isna().sum() == (pd.Series(range(D.N_RESPONDENTS)) % 11 == 10).sum()
    assert responses["sector"].notna().all() and "weet_niet" in set(responses["pos_clear_roles"].dropna())


def test_municipality_sheet_is_marked_invented():
    sheet = pd.read_csv(COMMITTED / "municipalities.csv", dtype=str)
    assert sheet["municipality_id"].tolist() == D.MUNICIPALITY_IDS
    assert sheet["name"].str.contains("synthetisch").all() and sheet["note"].str.contains("synthetic").all()
    assert "invented" in (COMMITTED / "README.md").read_text().lower()


def test_config_entry_passes_the_config_schema(book):
    import jsonschema

    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    cfg["waves"] = {D.WAVE: D.config_entry(book)}
    jsonschema.validate(yaml.safe_load(yaml.safe_dump(cfg)), schema)  # through YAML, as the lead pastes it
    assert "synthetic" in D.WAVE


def test_works_with_and_without_the_extra_item(book, tmp_path):
    """The codebook declares an item only this wave asked; a codebook without it works too."""
    assert book[D.EXTRA_ITEM].only_in_waves == (D.WAVE,)
    result = _validate(book, COMMITTED)
    assert result.ok, result.failures.to_string()
    assert result.responses[D.EXTRA_ITEM].notna().all()
    assert "Q4_9" in pyreadstat.read_sav(str(COMMITTED / "responses.sav"), metadataonly=True)[1].column_names

    codebook = (ROOT / "config/codebook.yaml").read_text()
    start = codebook.index("  - id: " + D.EXTRA_ITEM)
    end = codebook.index("\n\n", start)
    (tmp_path / "codebook.yaml").write_text(codebook[:start] + codebook[end + 2:])
    reduced = load_codebook(tmp_path / "codebook.yaml", ROOT / "config/sectors.yaml")
    D.write_demo_wave(reduced, tmp_path / "without")
    assert _validate(reduced, tmp_path / "without").ok
    assert "Q4_9" not in pyreadstat.read_sav(str(tmp_path / "without/responses.sav"), metadataonly=True)[1].column_names

