"""The corpus of tests/ingest_corpus.py through run_validation: every defect is rejected with its
rule and line, no responses table, raw files untouched, no traceback; every benign variation is
accepted with the same cells as the clean file."""
import hashlib

import pandas as pd
import pytest

from analysis.core.validate import run_validation
from ingest_corpus import FIXTURE, WAVE, Case, benign_cases, defect_cases


def _run(case: Case, book, out):
    ok, message = run_validation(case.wave, str(case.export), str(case.sheet), book, case.column_map, out,
                                 out / "responses.parquet", out / "municipalities.csv", case.not_asked)
    return ok, message, (out / "report.md").read_text(encoding="utf-8")


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return defect_cases(tmp_path_factory.mktemp("defects"))


def test_corpus_has_forty_defect_classes(corpus):
    assert len({c.name for c in corpus}) == len(corpus) >= 40
    kinds = {c.export.suffix for c in corpus} | {"sheet" for c in corpus if c.export == FIXTURE / "responses.csv"}
    assert kinds >= {".csv", ".sav", ".xlsx", "sheet"}


def _problem_lines(report: str, rule: str) -> list[str]:
    return [line for line in report.splitlines() if line.startswith("| ") and f"| {rule} |" in line]


@pytest.mark.parametrize("index", range(60))
def test_defect_is_rejected_with_rule_and_line(corpus, book, tmp_path, index):
    if index >= len(corpus):
        pytest.skip("corpus smaller than 60")
    case = corpus[index]
    before = {p: _digest(p) for p in (case.export, case.sheet)}
    ok, message, report = _run(case, book, tmp_path)
    assert not ok, f"{case.name}: accepted\n{report}"
    assert not (tmp_path / "responses.parquet").exists()
    assert (tmp_path / "failures.csv").exists()
    assert {p: _digest(p) for p in before} == before  # raw files byte-identical
    assert "Traceback" not in report and "validation_stopped" not in report, report
    rows = _problem_lines(report, case.rule)
    assert rows, f"{case.name}: no {case.rule} problem in\n{report}"
    if case.row is not None:
        assert any(f"| {case.row} |" in line for line in rows), f"{case.name}: not at line {case.row}:\n{report}"
    if case.says:
        assert any(case.says in line for line in rows), f"{case.name}: {case.says!r} not in\n{report}"
    failures = pd.read_csv(tmp_path / "failures.csv", dtype=str)
    if case.most_problems is not None:
        assert len(failures) <= case.most_problems, failures.to_string()
    assert case.rule in set(failures["rule"])


@pytest.fixture(scope="module")
def clean(book, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    case = Case("clean", FIXTURE / "responses.csv", FIXTURE / "municipalities.csv")
    ok, _, report = _run(case, book, out)
    assert ok, report
    return pd.read_parquet(out / "responses.parquet"), pd.read_csv(out / "municipalities.csv", dtype=str)


@pytest.fixture(scope="module")
def benign(book, tmp_path_factory):
    return benign_cases(tmp_path_factory.mktemp("benign"), book)


@pytest.mark.parametrize("index", range(25))
def test_benign_variation_is_accepted_with_the_same_cells(benign, clean, book, tmp_path, index):
    if index >= len(benign):
        pytest.skip("fewer benign variations")
    case = benign[index]
    ok, message, report = _run(case, book, tmp_path)
    assert ok, f"{case.name}: rejected\n{report}"
    responses = pd.read_parquet(tmp_path / "responses.parquet")
    sheet = pd.read_csv(tmp_path / "municipalities.csv", dtype=str)
    pd.testing.assert_frame_equal(responses, clean[0])
    pd.testing.assert_frame_equal(sheet, clean[1])


def test_benign_corpus_covers_the_named_variations(benign):
    names = {c.name for c in benign}
    assert {"bom", "utf16", "cp1252", "crlf", "semicolon_decimal_comma", "shuffled_columns",
            "answer_keys_instead_of_codes", "codes_as_1.0", "padded_codes", "trailing_blank_lines",
            "leading_blank_line"} <= names
