"""Wave entries the config schema cannot judge are refused when the workflow is parsed, each with
its config key and a fix (unit level here; tests/test_ingest_workflow.py runs snakemake)."""
from pathlib import Path

import yaml

from analysis.core.io.wave_config import codebook_item_ids, wave_config_problems, wave_config_report
from conftest import ROOT

CONFIG = yaml.safe_load((ROOT / "config/config.yaml").read_text())
ITEMS = codebook_item_ids(str(ROOT / "config/codebook.yaml"))


def _problems(waves: dict, exists=lambda path: True) -> list[str]:
    return wave_config_problems({"waves": waves}, ITEMS, exists)


def _wave(**extra) -> dict:
    return {"export": "data/raw/w/responses.csv", "municipalities": "data/raw/w/municipalities.csv", **extra}


def test_the_committed_config_has_no_problem():
    assert wave_config_problems(CONFIG, ITEMS, lambda p: (ROOT / p).exists()) == []


def test_reserved_wave_ids_are_refused():
    for reserved in ("audit", "waves", "logs"):
        [problem] = _problems({reserved: _wave()})
        assert problem.startswith(f"waves.{reserved}: ") and "reserved" in problem and f"{reserved}-2025" in problem


def test_malformed_wave_id_is_refused_with_a_suggestion():
    [problem] = _problems({"my wave 2025": _wave()})
    assert "'my wave 2025'" in problem and "e.g. my-wave-2025" in problem


def test_unknown_item_in_not_asked_is_refused_with_the_closest_item():
    [problem] = _problems({"w": _wave(not_asked=["pol_3", "pol_6"])})
    assert problem.startswith("waves.w.not_asked: 'pol_6' is not an item") and "did you mean pol_" in problem


def test_two_columns_onto_one_item_is_refused():
    [problem] = _problems({"w": _wave(column_map={"columns": {"Q1": "health_priority", "Q1b": "health_priority"}})})
    assert problem.startswith("waves.w.column_map.columns: Q1 and Q1b are both mapped onto health_priority")


def test_column_mapped_onto_no_item_is_refused():
    [problem] = _problems({"w": _wave(column_map={"columns": {"Q1": "health_priorty"}})})
    assert "columns.Q1: 'health_priorty' is not an item" in problem and "health_priority" in problem


def test_missing_files_are_refused_unless_the_wave_is_reconstructed():
    problems = _problems({"w": _wave()}, exists=lambda path: False)
    assert [p.split(":")[0] for p in problems] == ["waves.w.export", "waves.w.municipalities"]
    assert "data/raw/w/responses.csv does not exist" in problems[0]
    assert _problems({"w": _wave(reconstructed=True)}, exists=lambda path: False) == []


def test_report_lists_every_problem_once(tmp_path):
    config = {"codebook": str(ROOT / "config/codebook.yaml"),
              "waves": {"audit": _wave(), "w": _wave(not_asked=["nope"])}}
    report = wave_config_report(config)
    assert report.count("\n  - ") == 1 + 2 + 2 + 1  # reserved id, 2 x 2 missing files, not_asked
    assert wave_config_report({"codebook": str(ROOT / "config/codebook.yaml"), "waves": {}}) is None
    assert codebook_item_ids(str(tmp_path / "absent.yaml")) is None
    assert Path(ROOT / "config/codebook.yaml").exists()


# --- a key given twice: PyYAML keeps the last one silently -------------------------------------

CODE_MAP_TWICE = """waves:
  w:
    column_map:
      codes:
        yes_no:
          1: ja
          2: nee
          1: nee
"""


def test_a_code_given_twice_in_a_code_map_is_a_named_config_problem(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(CODE_MAP_TWICE, encoding="utf-8")
    assert yaml.safe_load(CODE_MAP_TWICE)["waves"]["w"]["column_map"]["codes"]["yes_no"] == {1: "nee", 2: "nee"}  # silently
    report = wave_config_report({"codebook": str(ROOT / "config/codebook.yaml"), "waves": {}}, [str(config)])
    assert report is not None and "config:duplicate_key" in report
    assert f"{config} line 8: waves.w.column_map.codes.yes_no has key '1' twice: 1: ja (line 6) and 1: nee (line 8)" in report


def test_the_codebook_loader_refuses_a_key_given_twice(tmp_path):
    import pytest

    from analysis.core.codebook import CodebookError, load_codebook
    from analysis.core.io.yaml_keys import duplicate_keys

    text = (ROOT / "config/codebook.yaml").read_text(encoding="utf-8")
    assert duplicate_keys(text) == [] and duplicate_keys((ROOT / "config/sectors.yaml").read_text(encoding="utf-8")) == []
    broken = tmp_path / "codebook.yaml"
    # the first item's Dutch label written twice
    broken.write_text(text.replace("\n  - id: ", "\n  - nl: first label\n    id: ", 1), encoding="utf-8")
    first_item = yaml.safe_load(text)["items"][0]
    with pytest.raises(CodebookError, match=rf"items.\[{first_item['id']}\] has key 'nl' twice: nl: first label"):
        load_codebook(broken, ROOT / "config/sectors.yaml")
