"""The engine's vocabulary: unit kinds, size classes, cell statuses, the order of municipality ids.

Written once here; every layer imports it. Words a reader sees (nl/en) are in text.py.
"""
from __future__ import annotations

import re

# Unit kinds of cells.csv, in the order of their sections in every output.
UNITS = ["overall", "sector", "domain", "class", "municipality", "size_class"]
OVERALL, OVERALL_ID = "overall", "all"

# Municipality size classes of the municipality sheet; UNKNOWN is allowed there but never a unit.
SIZE_CLASSES = ["G4", "G32", "small"]
UNKNOWN = "unknown"
SHEET_SIZE_CLASSES = SIZE_CLASSES + [UNKNOWN]
YES_NO_UNKNOWN = ["yes", "no", UNKNOWN]

# Status of a cell: counted; nobody in the unit was asked the item; the wave did not ask it at all.
OK, BASE_0, NOT_ASKED = "ok", "base 0", "not asked"


def natural_key(value) -> tuple:
    """Sort key that puts municipality "2" before "10" (ids are strings)."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(value)))


# Value labels that mean "asked, not answered" (SPSS labels of a tool's no-answer code, compared
# case- and space-insensitively): such a code is item nonresponse, whatever its number.
NO_ANSWER_LABELS = ("geen antwoord", "niet beantwoord", "wil niet zeggen", "no answer", "not answered", "refused")

# Dutch words a municipality sheet may use for its values (case-insensitive); a wave's
# `municipality_map.codes` adds its own.
SHEET_VALUE_WORDS = {
    "size_class": {"g4": "G4", "g32": "G32", "small": "small", "klein": "small", "overig": "small",
                   "unknown": UNKNOWN, "onbekend": UNKNOWN},
    "krachtwijk": {"yes": "yes", "ja": "yes", "no": "no", "nee": "no", "unknown": UNKNOWN, "onbekend": UNKNOWN},
    "questionnaires_sent": {"unknown": UNKNOWN, "onbekend": UNKNOWN},
}

# A published table gets a note naming its items' nonresponse (no answer / asked) above this many
# percent. Why 5: with a share r not answering, the percentage of all who were asked can lie
# anywhere in an interval r wide around the valid percent printed (the non-answerers all 'ja' or all
# 'nee'). Below 5 points that is narrower than the sampling uncertainty of any unit of this study
# (a Wilson 95% interval is wider than ±5 points up to ~380 respondents), so a note would flag
# nothing a reader needs; above it, the missing answers can move a percentage by more than the
# report's comparisons between units. It is also the usual rule of thumb for "ignorable" item
# nonresponse in survey reporting.
ITEM_NONRESPONSE_NOTE_PCT = 5
