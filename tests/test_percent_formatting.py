"""Every percentage a reader sees is written by the one formatter (rounding.format_percent).

End to end: two invented waves whose counts give exact halves (5/11 = 45.45%: 46% under the
report's rule, 45% one-step half up; 1/8 = 12.5%: 13%, where half-to-even gives 12) are built by
Snakemake in a temporary copy whose formatter marks what it writes (⟦46%⟧). Then every table
(CSV, Markdown, workbook), figure (its SVG text and data), report.html, municipality page and
cross-wave file is read: a percentage outside a mark was printed by something else.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from analysis.core.codebook import load_codebook
from analysis.core.rounding import percent_of
from analysis.fixtures.synthetic import encode, synthetic_answers
from analysis.publication.tables import column_label
from conftest import ROOT

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
OPEN, CLOSE = "⟦", "⟧"

# municipality -> respondents; 1: 5 of 11 say "ja" to health_priority, 2: 1 of 8, 3: 10 of 22 sent
SIZES = {"1": 11, "2": 8, "3": 10, "4": 12, "5": 12, "6": 12, "7": 12, "8": 11}
PRIORITY_JA = {"1": 5, "2": 1, "3": 5, "4": 6, "5": 6, "6": 6, "7": 6, "8": 5}  # 40 of 88 = 45.45%
SENT = {"1": 22, "2": 64, "3": 22, "4": 24, "5": 24, "6": 24, "7": 24, "8": 22}  # 3: 10/22; 2: 8/64 = 12.5%

# Fixed words that hold a % but are no computed percentage: interval names and an axis title.
LABELS = re.compile(r"95%[- ](?:CI|BI|Wilson|betrouwbaarheidsinterval|interval)|Wilson 95%|% (?:ja|yes)\b")
STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)  # CSS widths (100%) are no percentages shown
UNMARKED = [
    re.compile(r"[+-]?\d+(?:[.,]\d+)?\s?%"),  # 46%, 45.5 %
    re.compile(r"[+-]\d+ (?:pp|procentpunt|percentage points)\b"),  # +8 pp
]


def _wave(book, wave: str, seed: int, priority) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """An export (codes), municipality sheet and sent_by_sector with the counts above."""
    ids = [m for m, size in SIZES.items() for _ in range(size)]
    book = book.for_wave(wave)  # the questions every wave asks
    answers = synthetic_answers(book, list(SIZES), len(ids), wave, seed)
    answers["municipality_id"] = ids
    answers["health_priority"] = priority(answers)
    sheet = pd.DataFrame({"municipality_id": list(SIZES), "name": [f"Halfstad {m}" for m in SIZES],
                          "size_class": ["G4", "G32", "G32", "small", "small", "G32", "small", "G4"],
                          "krachtwijk": ["yes", "yes", "no", "no", "no", "no", "no", "yes"],
                          "questionnaires_sent": [str(SENT[m]) for m in SIZES], "note": "synthetic"})
    received = answers["sector"].value_counts()
    sent = pd.DataFrame({"sector": [s.id for s in book.sectors],
                         "questionnaires_sent": [8 * int(received.get(s.id, 0)) for s in book.sectors]})
    return encode(answers, book), sheet, sent


def _by_municipality(answers: pd.DataFrame) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for m in answers["municipality_id"]:
        seen[m] = seen.get(m, 0) + 1
        out.append("ja" if seen[m] <= PRIORITY_JA[m] else "nee")
    return out


def _every_eighth(answers: pd.DataFrame) -> list[str]:
    return ["ja" if i % 8 == 0 else "nee" for i in range(len(answers))]  # 11 of 88 = 12.5%


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = tmp_path_factory.mktemp("halves") / "project"
    project.mkdir()
    for part in ("Snakefile", "workflow", "config", "src"):
        src = ROOT / part
        (shutil.copytree if src.is_dir() else shutil.copy)(src, project / part)
    book = load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml")
    waves = {}
    for wave, seed, priority in (("synthetic-halves-a", 11, _by_municipality), ("synthetic-halves-b", 12, _every_eighth)):
        raw = project / "data/raw" / wave
        raw.mkdir(parents=True)
        export, sheet, sent = _wave(book, wave, seed, priority)
        export.to_csv(raw / "responses.csv", index=False)
        sheet.to_csv(raw / "municipalities.csv", index=False)
        sent.to_csv(raw / "sent_by_sector.csv", index=False)
        # restricted with k = 1: every cell shown, so every percentage is printed somewhere
        waves[wave] = {"export": f"data/raw/{wave}/responses.csv", "municipalities": f"data/raw/{wave}/municipalities.csv",
                       "sent_by_sector": f"data/raw/{wave}/sent_by_sector.csv", "synthetic": True,
                       "disclosure": {"mode": "restricted", "min_base": 1}}
    cfg = yaml.safe_load((project / "config/config.yaml").read_text())
    cfg["waves"] = waves
    (project / "config/config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True))
    # the copy's one formatter marks what it writes; anything unmarked came from elsewhere
    rounding = project / "src/analysis/core/rounding.py"
    rounding.write_text(rounding.read_text() + f'''

_format_percent = format_percent


def format_percent(*args, **kwargs):
    return "{OPEN}" + _format_percent(*args, **kwargs) + "{CLOSE}"
''')
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    done = subprocess.run([SNAKEMAKE, "--cores", "2"], cwd=project, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return project / "results"


def _texts(results: Path):
    """(file, text) of every output a reader sees; a workbook cell by cell."""
    for path in sorted(results.rglob("*")):
        if path.suffix in (".csv", ".md", ".html", ".svg"):
            yield path, path.read_text(encoding="utf-8")
        elif path.suffix == ".xlsx":
            book = load_workbook(path)
            yield path, "\n".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)


def _unmarked(text: str) -> list[str]:
    found = []
    for line in LABELS.sub("", STYLE.sub("", text)).splitlines():
        bare = re.sub(f"{OPEN}[^{CLOSE}]*{CLOSE}", "\0", line)
        for pattern in UNMARKED:
            found += pattern.findall(bare)
        found += [m.group(0) for m in re.finditer(r"[+-]?\d+[-–](?=\0)", bare)]  # "26-⟦66%⟧"
    return found


def test_every_printed_percentage_comes_from_the_one_formatter(built):
    marked, problems = {}, {}
    for path, text in _texts(built):
        marked[path.suffix] = marked.get(path.suffix, 0) + text.count(OPEN)
        bad = _unmarked(text)
        if bad:
            problems[str(path.relative_to(built))] = bad[:5]
    assert problems == {}
    # every kind of output printed percentages (else the check above proves nothing)
    assert all(marked[s] > 0 for s in (".csv", ".md", ".html", ".svg", ".xlsx")), marked


def test_exact_halves_print_by_the_report_rule_everywhere(built):
    a = built / "synthetic-halves-a"
    seven_two = pd.read_csv(a / "tables/tabel_VII_2.csv", dtype=str).set_index("Gemeenten")
    book = load_codebook(ROOT / "config/codebook.yaml", ROOT / "config/sectors.yaml")
    column = column_label(book["health_priority"], "VII.2", "nl")
    assert seven_two.loc["Halfstad 1", column] == f"{OPEN}46%{CLOSE} (5)"  # 45.45: 46, not 45
    assert seven_two.loc["Halfstad 2", column] == f"{OPEN}13%{CLOSE} (1)"  # 12.5: 13, not 12
    svg = (a / "figures/figuur_3_1.svg").read_text(encoding="utf-8")
    assert f"10/22 ({OPEN}46%{CLOSE})" in svg and f"8/64 ({OPEN}13%{CLOSE})" in svg
    data = pd.read_csv(a / "figures/figuur_3_1.data.csv", dtype={"municipality_id": str}).set_index("municipality_id")
    assert data.loc["3", "response_pct_rounded"] == 46 and data.loc["2", "response_pct_rounded"] == 13
    heat = pd.read_csv(a / "figures/figuur_4_2.data.csv", dtype={"unit_id": str})
    ok = heat[heat["status"] == "ok"]
    assert (ok["pct_rounded"] == [percent_of(c, b) for c, b in zip(ok["count"], ok["base"])]).all()
    assert heat.set_index(["unit_id", "item"]).loc[("1", "health_priority"), "pct_rounded"] == 46
    page = (a / "municipalities/1.html").read_text(encoding="utf-8")
    # the fact sheet: own 5/11 and all other municipalities 35/77 are both 45.45%: 46, not 45
    assert f"{OPEN}46%{CLOSE}" in page and f"{OPEN}45%{CLOSE}" not in page
    sent = pd.read_csv(a / "tables/tabel_VI_1.csv", dtype=str)
    assert sent.iloc[-1, -1] == f"{OPEN}13%{CLOSE}"  # 88 of 704
    cross = (built / "waves/report.html").read_text(encoding="utf-8")
    assert f"{OPEN}46%{CLOSE} (40/88;" in cross and f"{OPEN}13%{CLOSE} (11/88;" in cross


@pytest.mark.parametrize("text, unmarked", [
    (f"{OPEN}46%{CLOSE} (5)", []), ("45% (5)", ["45%"]), (f"26-{OPEN}66%{CLOSE}", ["26-"]),
    (f"{OPEN}26{CLOSE}-{OPEN}66%{CLOSE}", []), ("+15 pp (95%-BI +7 tot +34)", ["+15 pp"]), ("12.5 %", ["12.5 %"]),
    ("Lijntjes: 95%-betrouwbaarheidsinterval (Wilson); % ja", []), ("<style>td{width:100%}</style>", []),
])
def test_the_check_finds_a_percentage_printed_another_way(text, unmarked):
    assert _unmarked(text) == unmarked
