"""A HiGHS instance set up the same way for every solver of the project: the reconstruction's
integer program (analysis/reconstruct.py) and the small-cell attacker's LPs (analysis/disclosure.py).
"""
from __future__ import annotations


def new_highs(threads: int = 1):
    """A silent, seeded HiGHS instance that uses `threads` threads.

    HiGHS keeps one thread scheduler per process, and from highspy 1.16 on a model that asks for
    another number of threads than the scheduler was started with fails with status "Not Set".
    The scheduler is therefore reset first, so that which solver ran earlier in the same process
    (the tests run both) cannot change the result.
    """
    import highspy  # only here: a step that never solves anything does not load the solver

    highspy.Highs.resetGlobalScheduler(True)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    h.setOptionValue("random_seed", 0)
    return h
