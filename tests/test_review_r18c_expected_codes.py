"""Review r18c: for a column read through a wave's column_map, a wrong code's "expected" names the
codebook's codes, not the tool's: `0` in a yes/no column mapped {1: ja, 2: nee, 9: null} is
rejected with "expected: one of 1=ja, 0=nee" -- the message lists as allowed the very value it
rejects, and hides that 2 is the tool's nee. Failed on the reviewed code (b61f251); validate._Explainer now
lists the wave's codes."""
import csv
import io
import sys
from pathlib import Path

import yaml

from analysis.core.validate import validate_wave

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "generators"))
import gemeenten_342 as gen  # the reviewer's invented national wave


def test_expected_names_the_tools_codes(book, tmp_path):
    wave = "synthetic-gem342-n3"
    gen.write_wave(tmp_path, "n3")
    path = tmp_path / "responses.csv"
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    rows[10][rows[0].index("V1")] = "0"
    f = rows[0].index("FUNCTIE")  # the wave's own category needs the per-wave codebook: leave it out
    for r in rows[1:]:
        r[f] = "Anders" if r[f] == "Projectleider" else r[f]
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    entry = yaml.safe_load(gen.config_entry(wave, "n3"))[wave]
    del entry["column_map"]["codes"]["function"]["Projectleider"]
    result = validate_wave(wave, str(path), str(tmp_path / "gemeenten.xlsx"), book, entry["column_map"],
                           municipality_map=entry["municipality_map"])
    problem = result.failures.iloc[0]
    assert len(result.failures) == 1 and problem["value"] == "0"
    assert "0=" not in problem["expected"] and "2" in problem["expected"], problem["expected"]
