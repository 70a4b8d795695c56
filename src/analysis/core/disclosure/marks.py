"""What a suppressed cell looks like, and the notes every public or restricted output carries."""
from __future__ import annotations
import pandas as pd

from analysis.core.text import DISCLOSURE_WORDS


MODES = ("public", "restricted")


HIDDEN_COLUMNS = ["count", "pct", "pct_rounded", "ci_low", "ci_high"]


# The unit kinds whose units are a full partition of the respondents (every respondent has
# exactly one sector, domain, class and municipality). Size classes are not: a municipality of
# unknown size belongs to none, so size classes are related to their municipalities instead.
PARTITION_UNITS = ("sector", "domain", "class", "municipality")


# The sector item counts who responded, by sector: the n every table prints and Tabel VI.1
# publishes. Its cells inside a sector unit are fixed by the unit itself (a VGZ officer's sector
# is VGZ), so they can be neither hidden nor defended; it is left out of disclosure control.
# By municipality (a municipality x sector count) public mode hides it: hide_sector_composition.
UNPROTECTED_ITEMS = ("sector",)


SECONDARY_MARK = "×"


class DisclosureError(RuntimeError):
    """A hidden cell could be recomputed from what is shown."""


def primary_mark(min_base: int) -> str:
    """The status (and the printed text) of a cell whose base is below k."""
    return f"< {int(min_base)}"


def is_suppressed(status) -> bool:
    status = "" if pd.isna(status) else str(status)
    return status.startswith("< ") or status == SECONDARY_MARK


def disclosure_note(mode: str, min_base: int, language: str = "nl") -> str:
    """The line every output of a wave carries: restricted or public, and what the marks mean."""
    words = DISCLOSURE_WORDS[language]
    if mode == "restricted":
        return words["restricted"].format(k=min_base)
    return f"{words['public'].format(k=min_base)}. {words['marks'].format(k=min_base)}."


def keep_group_note(hidden_for_it: int, keep: int | None, language: str = "nl") -> str:
    """The sentence an output showing size-class rows carries when keep_group hid size-class totals
    that the size classes solved apart would have shown (report.csv's reason KEEP_GROUP_REASON;
    `hidden_for_it` such cells in the wave); "" when it hid none, or the rule is off."""
    if not hidden_for_it or not keep:
        return ""
    return DISCLOSURE_WORDS[language]["keep_group"].format(q=int(keep)) + "."
