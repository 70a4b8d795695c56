"""Review r18c, reproduction: public protection of many tiny municipalities where a lead item is
answered "ja" by everyone (follow-ups all answered) does not finish in time. The attacker's
item-by-item LP fixes the follow-ups at their true values, which pins every unanimous lead count
(follow-up base = lead count); each such count then gets two LPs of the whole linked component,
whose size grows with the number of municipalities: time ~ municipalities^2.

    PYTHONPATH=src python benchmarks/generators/repro_audit_unanimous.py 20 40 80
prints, per number of municipalities (3 officers each, invented): seconds of protect_wave and
how many lead counts are unanimous.
"""
import sys
import time

from analysis.core.aggregate import aggregate_cells
from analysis.core.codebook import load_codebook
from analysis.core.disclosure.rules import PublicationRules
from analysis.core.disclosure.suppression import protect_wave
from analysis.core.responses import typed_responses
from analysis.fixtures.synthetic import small_unanimous_groups

BLOCKS = ("collaboration", "collab_partners", "collab_forms", "positive_factors")


def cells_of(book, m: int, per: int = 3, seed: int = 5):
    answers, munis = small_unanimous_groups(book, m, per, seed)
    cells = aggregate_cells(typed_responses(answers, book), munis, book, "synthetic-test")
    keep = {it.id for it in book.items if it.block in BLOCKS}
    return cells[cells["item"].isin(keep)].reset_index(drop=True), munis


def main(sizes):
    book = load_codebook("config/codebook.yaml", "config/sectors.yaml")
    for m in sizes:
        cells, munis = cells_of(book, m)
        t = time.process_time()
        protect_wave(cells, PublicationRules(), book=book, municipalities=munis)
        print(f"{m} municipalities x 3: protect_wave {time.process_time() - t:.1f} s CPU", flush=True)


if __name__ == "__main__":
    main([int(x) for x in sys.argv[1:]] or [20, 40, 80])
