"""The layers of src/analysis (README "Layout"): core, the survey engine, knows no study and no
publication; publication knows no study. Read from the imports themselves, so a violation fails
here rather than in review."""
import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "analysis"
FORBIDDEN = {"core": ("analysis.publication", "analysis.rivm2010", "analysis.fixtures"),
             "publication": ("analysis.rivm2010", "analysis.fixtures")}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def violations() -> list[str]:
    found = []
    for layer, forbidden in FORBIDDEN.items():
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            for name in sorted(imported_modules(path)):
                if name.startswith(forbidden) or name in ("analysis.publication", "analysis.rivm2010"):
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_core_and_publication_keep_to_their_layer():
    assert violations() == []


def test_the_check_sees_a_violation(tmp_path, monkeypatch):
    """The check itself can fail: a core module that imports the study is caught."""
    fake = tmp_path / "src" / "analysis" / "core"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text("from analysis.rivm2010.audit import find_inconsistencies\n")
    (tmp_path / "src" / "analysis" / "publication").mkdir()
    monkeypatch.setattr("test_layers.PACKAGE", tmp_path / "src" / "analysis")
    monkeypatch.setattr("test_layers.ROOT", tmp_path)
    assert "src/analysis/core/bad.py imports analysis.rivm2010.audit" in violations()


def test_every_module_lives_in_a_layer():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert loose == []
