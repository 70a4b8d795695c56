"""The disclosure settings, with the safe defaults written once.

Every entry point — the workflow (common.smk), `run_validation`, `run_aggregate`, a notebook — reads
its settings through `disclosure_settings`, so that leaving them out gives public mode with k = 5
and pseudonyms, never unprotected cells or real municipality ids. Restricted output is only had by
asking for it by name (`mode: restricted`). No heavy imports: the workflow imports this at parse
time.
"""
from __future__ import annotations

DEFAULTS = {"mode": "public", "min_base": 5, "pseudonym_salt": "",
            # publication rules (rules.py, README "Small cells and pseudonyms"); min_group: = min_base
            "min_count": 0, "protection_width": 3, "method": "optimal",
            # a unit of this many respondents keeps its own rows wherever a safe pattern allows
            # (2k - 1 at k = 5; 0 or null: off; rules.py)
            "keep_group": 9}


def disclosure_settings(*layers: dict | None) -> dict:
    """DEFAULTS overridden by each layer in turn (global config, then the wave's own), key by key."""
    settings = dict(DEFAULTS)
    for layer in layers:
        settings.update(layer or {})
    return settings
