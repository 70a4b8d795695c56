"""Publication rules of a wave (config `disclosure:`): which cells are sensitive and how wide the
interval must be that a reader can give a hidden one.

- min_base (k): a count or percentage whose base is 1 .. k-1 is sensitive ("< k").
- min_count (c): a count of 1 .. c is sensitive even when its base is large (0 = off, the default:
  the group of k or more protects the person, not the count; see README).
- min_group (g): a unit (municipality, sector, ...) with 1 .. g-1 respondents is never shown by
  itself: every cell of it is sensitive (default k; larger than k hides mid-sized units whole).
- protection_width (w): a reader who adds up everything published must be left with an interval of
  at least min(w, base) for every sensitive count. Width, not "contains 0 .. k-1": with the base
  shown (every table prints n) the count lies in 0 .. base anyway, so "contains 0 .. k-1" is the
  special case w = k - 1 (nothing learnt beyond n), and a width can be set between "not pinned"
  (w = 1, the old rule) and that. A reader who only learns "1, 2 or 3 of 4 said ja" has not learnt
  any officer's answer.
- keep_group (q): a municipality with at least q respondents keeps its own rows shown wherever
  some safe pattern allows: the optimiser hides size-class totals and smaller municipalities
  instead of any cell of it (secondary.py: a cost premium above every other pattern of the
  table; sectors are not kept so, see secondary.KEPT_UNITS). Default 9 = 2k - 1 at k = 5: the
  smallest unit whose every yes/no split has a side of at least k officers, so its row always
  speaks for a group the rule itself would publish, and the size from which a GGD expects a
  municipality's own figures. 0 or None: off (the cheapest pattern, whoever it hides). It
  cannot keep a cell that no safe pattern shows: the
  unit's own sensitive cells, the follow-ups of its hidden lead count, and cells no way round
  can spare (the overall row sensitive, every other unit of the classes involved kept too, or the
  totals leaving the small unit's count too little room); then as few such cells as possible.
- method: optimal (an integer program picks the fewest, cheapest complementary cells) or escalation
  (the rule set before issue 16: hide the whole breakdown of an item where the attacker pins a
  cell; width 1; kept for comparison).
"""
from __future__ import annotations

from dataclasses import dataclass

from analysis.core.disclosure.marks import MODES
from analysis.core.disclosure.settings import DEFAULTS

METHODS = ("optimal", "escalation")


@dataclass(frozen=True)
class PublicationRules:
    mode: str = DEFAULTS["mode"]
    min_base: int = DEFAULTS["min_base"]
    min_count: int = DEFAULTS["min_count"]
    min_group: int | None = None       # None: the same as min_base
    protection_width: int = DEFAULTS["protection_width"]
    method: str = DEFAULTS["method"]
    keep_group: int | None = DEFAULTS["keep_group"]  # 0 or None: off

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"disclosure mode {self.mode!r} is not one of {MODES}")
        if self.method not in METHODS:
            raise ValueError(f"disclosure method {self.method!r} is not one of {METHODS}")
        for name in ("min_base", "protection_width"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"disclosure {name} must be at least 1, not {getattr(self, name)!r}")
        if self.keep_group is not None and (isinstance(self.keep_group, bool)
                                               or not isinstance(self.keep_group, int) or self.keep_group < 0):
            raise ValueError(f"disclosure keep_group must be a whole number of respondents (0 or null: off), "
                             f"not {self.keep_group!r}")

    @property
    def group(self) -> int:
        return int(self.min_base if self.min_group is None else self.min_group)

    @property
    def keep(self) -> int | None:
        """The keep_group rule's threshold, or None when it is off."""
        return int(self.keep_group) if self.keep_group else None

    @classmethod
    def from_config(cls, settings: dict | None) -> "PublicationRules":
        """From a wave's `disclosure:` settings (unknown keys such as pseudonym_salt ignored)."""
        from analysis.core.disclosure.settings import disclosure_settings

        settings = disclosure_settings(settings)
        known = {k: settings[k] for k in ("mode", "min_base", "min_count", "min_group", "protection_width", "method")
                 if k in settings and settings[k] is not None}
        if "keep_group" in settings:  # null is a setting here: the rule off
            known["keep_group"] = settings["keep_group"]
        return cls(**known)
