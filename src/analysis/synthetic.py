"""Synthetic questionnaire data that obeys the codebook: for tests and demos only.

Nothing made here is the RIVM study's data. Respondent ids start with "SYN-" and the wave id must
contain "synthetic", so synthetic rows can never be mistaken for the 2009 wave.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.codebook import Codebook

SYNTHETIC_PREFIX = "SYN-"


def synthetic_answers(book: Codebook, municipality_ids: list[str], n: int, wave: str, seed: int) -> pd.DataFrame:
    """`n` respondents with answer keys (not codes), skip logic respected, fixed `seed`.

    Returns the canonical, decoded form: one column per codebook item, categorical items as
    answer keys, items that were not asked as missing (None).
    """
    if "synthetic" not in wave:
        raise ValueError(f"wave id {wave!r} must contain 'synthetic'")
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        answers: dict = {}
        for item in book.items:
            answers[item.id] = _draw(item, book, answers, rng, i, wave, municipality_ids)
        rows.append(answers)
    return pd.DataFrame(rows, columns=book.ids)


def _draw(item, book, answers, rng, i, wave, municipality_ids):
    if item.type == "id":
        return f"{SYNTHETIC_PREFIX}{i + 1:03d}"
    if item.type == "wave":
        return wave
    if item.type == "municipality":
        # every municipality gets at least one respondent, then at random
        return municipality_ids[i] if i < len(municipality_ids) else str(rng.choice(municipality_ids))
    if item.type == "number":
        return float(round(rng.uniform(8, 40) * 2) / 2)  # half hours, a plausible working week
    if not book.is_asked(item, answers):
        return None
    keys = item.keys
    if item.answer_set in ("yes_no", "selected"):
        return "ja" if rng.random() < 0.6 else "nee"
    return str(keys[rng.integers(len(keys))])


def encode(answers: pd.DataFrame, book: Codebook) -> pd.DataFrame:
    """Answer keys -> the codebook's numeric codes, as a canonical export holds them."""
    out = answers.copy()
    for item in book.coded_items:
        if item.id in out:
            codes = {a.key: a.code for a in item.answers}
            out[item.id] = out[item.id].map(codes).astype("Int64")
    return out


def fixture_municipalities(ids: list[str]) -> pd.DataFrame:
    """An invented municipality sheet: one of each size class, sent counts partly unknown."""
    classes = ["G4", "G32", "G32", "small"]
    return pd.DataFrame({
        "municipality_id": ids,
        "name": [f"Synthetische gemeente {i}" for i in ids],
        "size_class": [classes[k % 4] for k in range(len(ids))],
        "krachtwijk": ["yes", "yes", "no", "no"][: len(ids)],
        "questionnaires_sent": ["7", "6", "unknown", "5"][: len(ids)],
        "note": "synthetic",
    })


def write_fixture(book: Codebook, folder: str, wave: str = "synthetic-fixture", n: int = 20, seed: int = 20091) -> None:
    """(Re)write the synthetic fixture wave: python -m analysis.synthetic data/raw/synthetic-fixture"""
    from pathlib import Path

    ids = ["1", "2", "3", "4"]
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    encode(synthetic_answers(book, ids, n, wave, seed), book).to_csv(out / "responses.csv", index=False, lineterminator="\n")
    fixture_municipalities(ids).to_csv(out / "municipalities.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    import sys

    from analysis.codebook import load_codebook

    write_fixture(load_codebook("config/codebook.yaml", "config/sectors.yaml"), sys.argv[1])
