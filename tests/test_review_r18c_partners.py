"""Review r18c: complementary cells are chosen among the 12 LARGEST other municipalities only
(secondary.MAX_PARTNER_UNITS), so a cheaper safe pattern on a small municipality is never seen,
yet the checker report calls the pattern proven optimal. Seen on a national wave (342 x ~10):
all 69 complementary municipality cells fell on municipalities of 14-36 respondents, and a
16-respondent municipality lost its Tabel VIII.2 row although one of 6 respondents would do.

Invented data only. It failed on the reviewed code (b61f251); since keep_group (on by default) the
candidates are the units below it first, and the optimiser finds C. With keep_group off the
candidates are still the largest (the pattern before issue 16's sixth pass)."""
import pandas as pd

from analysis.core.aggregate import aggregate_cells
from analysis.core.disclosure.attacker import (
    attack,
    cell_relations,
    cell_values,
    count_key,
    holding_relations,
    unit_nesting,
)
from analysis.core.disclosure.rules import PublicationRules
from analysis.core.disclosure.secondary import UNIT_WEIGHTS, choose_suppression
from analysis.core.responses import typed_responses
from analysis.fixtures.synthetic import synthetic_answers

K = 5
# municipality -> (ja, nee) on `collaborates`; all but S1..S4 in G32
DESIGN = {"A": (2, 0), "B": (4, 0), "C": (3, 3), **{f"L{i:02d}": (11, 4 + i) for i in range(13)},
          **{f"S{i}": (5, 3) for i in range(1, 5)}}


def wave(book):
    ids = list(DESIGN)
    munis = pd.DataFrame({"municipality_id": ids, "name": [f"Gemeente {i}" for i in ids],
                          "size_class": ["small" if i.startswith("S") else "G32" for i in ids]})
    n = sum(a + b for a, b in DESIGN.values())
    answers = synthetic_answers(book, ids, n, "synthetic-test", 7)
    rows = [(m, "ja") for m, (a, _) in DESIGN.items() for _ in range(a)]
    rows += [(m, "nee") for m, (_, b) in DESIGN.items() for _ in range(b)]
    answers["municipality_id"] = [m for m, _ in rows]
    answers["collaborates"] = [c for _, c in rows]
    for item in book.items:  # the follow-ups of collaborates: asked only after ja
        if "collaborates" in item.asked_if:
            answers[item.id] = [item.keys[0] if c == "ja" else None for _, c in rows]
    cells = aggregate_cells(typed_responses(answers, book), munis, book, "synthetic-test")
    return cells[cells["item"] == "collaborates"].reset_index(drop=True), munis


def hidden_municipalities(decision):
    return sorted({uid for (item, unit, uid, _a) in decision.hidden if unit == "municipality"})


def widths_if_hidden(cells, book, munis, hide):
    values = cell_values(cells)
    relations = holding_relations(values, cell_relations(cells, unit_nesting(book, munis), book))
    shown = dict(values)
    for k in values:
        if k[0] == "count" and k[2] == "municipality" and k[3] in hide:
            shown[k] = None
    out = attack(shown, relations, exact=True).set_index("key")["width"]
    return {m: out[count_key("collaborates", "municipality", m, "ja")] for m in hide}


def test_the_cheapest_partner_is_a_small_municipality(book):
    cells, munis = wave(book)
    decision = choose_suppression(cells, PublicationRules(), book=book, municipalities=munis)
    chosen = [m for m in hidden_municipalities(decision) if m not in ("A", "B")]
    # the pattern the optimiser could not see: hide C (6 respondents) with A and B
    w = widths_if_hidden(cells, book, munis, {"A", "B", "C"})
    assert w["A"] >= 2 - 1e-9 and w["B"] >= 3 - 1e-9, w  # safe: A (base 2) needs 2, B (base 4) needs 3
    cost_c = 2 * UNIT_WEIGHTS["municipality"] * 6 / K  # its ja and nee cells
    piece = next(p for p in decision.pieces if p["unit"] == "municipality" and p["complementary"])
    assert chosen == ["C"], (f"complementary on {chosen} (sizes {[sum(DESIGN[m]) for m in chosen]}), cost "
                             f"{piece['cost']:.2f}, reported bound {piece['bound']:.2f}; hiding C costs {cost_c:.2f}")
