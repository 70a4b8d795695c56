"""What a suppressed cell looks like, and the notes every public or restricted output carries."""
from __future__ import annotations
import pandas as pd


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


WORDS = {
    "nl": {"marks": "'< {k}' = minder dan {k} respondenten, niet getoond; '×' = verborgen zodat zo'n cel niet uit totalen te herleiden is",
           "restricted": "Vertrouwelijk (restricted): kan cellen met minder dan {k} respondenten bevatten; niet voor publicatie",
           "public": "Openbaar (public): geen cel met minder dan {k} respondenten getoond of te herleiden"},
    "en": {"marks": "'< {k}' = fewer than {k} respondents, not shown; '×' = hidden so that such a cell cannot be recomputed from totals",
           "restricted": "Restricted: may contain cells of fewer than {k} respondents; not for publication",
           "public": "Public: no cell of fewer than {k} respondents is shown or recomputable"},
}


def disclosure_note(mode: str, min_base: int, language: str = "nl") -> str:
    """The line every output of a wave carries: restricted or public, and what the marks mean."""
    words = WORDS[language]
    if mode == "restricted":
        return words["restricted"].format(k=min_base)
    return f"{words['public'].format(k=min_base)}. {words['marks'].format(k=min_base)}."


DATA_NOTES = {
    "nl": {"synthetic": "Synthetische gegevens (verzonnen, voor tests en demonstratie): niet de gegevens van het "
                        "RIVM-onderzoek.",
           "reconstructed": "Gereconstrueerde microdata (herbouwd uit de gepubliceerde tabellen; wat die niet "
                            "vastleggen is vrij gekozen, zie RECONSTRUCTION.md), niet de originele gegevens."},
    "en": {"synthetic": "Synthetic data (invented, for tests and demonstration): not the RIVM study's data.",
           "reconstructed": "Reconstructed microdata (rebuilt from the published tables; what they do not fix was "
                            "chosen freely, see RECONSTRUCTION.md), not the original data."},
}


def data_note(language: str = "nl", synthetic: bool = False, reconstructed: bool = False) -> str:
    """The line every table and feedback page of an invented or reconstructed wave carries."""
    if synthetic:
        return DATA_NOTES[language]["synthetic"]
    return DATA_NOTES[language]["reconstructed"] if reconstructed else ""
