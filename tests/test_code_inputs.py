"""A rule's code inputs come from its script's imports (`code_of` in workflow/rules/common.smk), so
that editing a module reruns exactly the rules that run it."""
import ast
import os

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def code_of():
    """code_of as the workflow defines it (taken from common.smk, not copied here)."""
    source = (ROOT / "workflow" / "rules" / "common.smk").read_text(encoding="utf-8")
    start = source.index("def code_of(")
    end = source.index("\ndef ", start + 1)
    namespace = {"os": os}
    exec(compile(ast.parse(source[start:end]), "common.smk", "exec"), namespace)
    cwd = os.getcwd()
    os.chdir(ROOT)
    yield namespace["code_of"]
    os.chdir(cwd)


def test_validation_does_not_depend_on_the_attacker(code_of):
    validate = code_of("validate")
    assert "src/analysis/core/validate.py" in validate and "src/analysis/core/io/readers.py" in validate
    assert "src/analysis/core/disclosure/pseudonyms.py" in validate  # pseudonyms are applied there
    assert "src/analysis/core/disclosure/attacker.py" not in validate
    assert not any("/publication/" in p or "/rivm2010/" in p for p in validate)


def test_the_attacker_reruns_aggregation(code_of):
    assert "src/analysis/core/disclosure/attacker.py" in code_of("aggregate")


def test_every_script_lists_existing_files_of_its_layer(code_of):
    for script in sorted((ROOT / "workflow" / "scripts").glob("*.py")):
        files = code_of(script.stem)
        assert files, script.name
        assert all((ROOT / f).is_file() and f.startswith("src/analysis/") for f in files), script.name
    assert "src/analysis/publication/tables.py" in code_of("report")  # report.py imports it
