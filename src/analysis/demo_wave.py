"""The demo second wave `synthetic-demo-2025`: INVENTED data, exported the way a survey tool would.

Why it exists: to show (and test) that a new wave needs no code change. The export is an SPSS
`.sav` with the tool's own column names (RESP_ID, GEMEENTE, SECTOR, Q4_1, ...), the tool's own
codes (1 = ja, 2 = nee, 8 = weet niet, 9 = geen antwoord as SPSS user-missing; sectors numbered
alphabetically), value labels and variable labels. The wave's config entry maps them back to the
codebook (`config_entry`). It differs from 2009 the way a real later wave might: other
(invented) municipalities "A".."H", and the political-factors block was not asked (config
`not_asked`). An item the codebook restricts to this wave (`only_in_waves`) is exported when the
codebook has one, so the generator works with or without such an extra item.

    python -m analysis.demo_wave data/raw/synthetic-demo-2025      # fixed seed: same files

Answers are drawn by `analysis.synthetic.synthetic_answers`, so the codebook's skip logic holds.
Nothing here describes a real municipality or officer.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.codebook import Codebook, Item
from analysis.synthetic import synthetic_answers

WAVE = "synthetic-demo-2025"
SEED = 20251
N_RESPONDENTS = 90
MUNICIPALITY_IDS = list("ABCDEFGH")
# The 2025 questionnaire (invented) dropped the political-factors block of 2009.
NOT_ASKED = ["pol_college_support", "pol_portfolio_holder", "pol_3", "pol_4", "pol_5", "pol_national_policy"]
# The extra item proposed for the codebook (only_in_waves: [synthetic-demo-2025]).
EXTRA_ITEM = "health_in_environment_vision"

# The tool's codes per answer set: tool code -> answer key (None = no answer, SPSS user-missing).
NO_ANSWER = 9
TOOL_CODES = {
    "yes_no": {1: "ja", 2: "nee", 9: None},
    "yes_dk_no": {1: "ja", 2: "nee", 8: "weet_niet", 9: None},
    "selected": {1: "ja", 0: "nee", 9: None},
    "function": {1: "beleidsmedewerker", 2: "senior_beleidsmedewerker", 3: "beleidsadviseur",
                 4: "senior_beleidsadviseur", 5: "coordinator", 6: "anders", 9: None},
}
# The tool numbers sectors alphabetically by their Dutch name, unlike the codebook.
TOOL_SECTOR_CODES = {
    1: "anders", 2: "integratie", 3: "jeugd", 4: "milieu", 5: "mobiliteit", 6: "onderwijs", 7: "ruimte",
    8: "sociale_zaken", 9: "sport", 10: "vgz", 11: "veiligheid", 12: "wonen", 13: "zorg",
}
TOOL_LABELS = {"ja": "Ja", "nee": "Nee", "weet_niet": "Weet niet", None: "Geen antwoord"}
SELECTED_LABELS = {"ja": "Aangevinkt", "nee": "Niet aangevinkt", None: "Geen antwoord"}

# Tool column names: question numbers of the (invented) 2025 questionnaire.
_FIXED = {
    "respondent_id": "RESP_ID", "municipality_id": "GEMEENTE", "sector": "SECTOR", "function": "FUNCTIE",
    "hours_per_week": "UREN", "health_priority": "Q4_1", "health_work": "Q4_2", "health_target_groups": "Q4_3",
    "segv_priority": "Q4_5", "segv_work": "Q4_6", "collaborates": "Q5_1", EXTRA_ITEM: "Q4_9",
}
_NUMBERED = {  # block -> question prefix; members are numbered in codebook order
    "health_target_groups": "Q4_4_", "segv_target_groups": "Q4_7_", "determinants": "Q4_8_",
    "collab_partners": "Q5_2_", "collab_forms": "Q5_3_", "positive_factors": "Q6_1_",
    "negative_factors": "Q6_2_", "political_factors": "Q6_3_",
}


def tool_column_names(book: Codebook) -> dict[str, str]:
    """Codebook item id -> the tool's column name, for every item except `wave`."""
    names: dict[str, str] = {}
    counters: dict[str, int] = {}
    for item in book.items:
        if item.type == "wave":
            continue  # the tool does not export the wave; the config's wave id is used
        if item.id in _FIXED:
            names[item.id] = _FIXED[item.id]
        elif item.block in _NUMBERED:
            counters[item.block] = counters.get(item.block, 0) + 1
            names[item.id] = f"{_NUMBERED[item.block]}{counters[item.block]}"
        else:  # an item added to the codebook later: a name the tool could have given it
            names[item.id] = f"X_{item.id.upper()}"
    return names


def tool_codes_for(item: Item) -> dict[int, str | None]:
    """Tool code -> answer key of one coded item."""
    return TOOL_SECTOR_CODES if item.type == "sector" else TOOL_CODES[item.answer_set]


def config_entry(book: Codebook, folder: str = f"data/raw/{WAVE}") -> dict:
    """The wave's entry under `waves:` in config/config.yaml (column and code map included)."""
    # the extra item's column is mapped even before the codebook declares it: a map entry for a
    # column the export lacks is harmless, so one config entry serves both codebooks
    names = {**tool_column_names(book), EXTRA_ITEM: _FIXED[EXTRA_ITEM]}
    return {
        "description": "Synthetic demo wave 2025 (INVENTED data: shows how a new wave is added)",
        "export": f"{folder}/responses.sav",
        "municipalities": f"{folder}/municipalities.csv",
        "synthetic": True,
        "disclosure": {"pseudonym_salt": "synthetic-demo"},
        "not_asked": list(NOT_ASKED),
        "column_map": {
            "columns": {tool: item_id for item_id, tool in names.items()},
            "codes": {**{k: dict(v) for k, v in TOOL_CODES.items()}, "sector": dict(TOOL_SECTOR_CODES)},
        },
    }


def demo_answers(book: Codebook) -> pd.DataFrame:
    """Answer keys of the demo wave, only the items its questionnaire contained."""
    drawn = synthetic_answers(book, MUNICIPALITY_IDS, N_RESPONDENTS, WAVE, SEED)
    asked = [it.id for it in book.items_in_wave(WAVE, NOT_ASKED) if it.type != "wave"]
    return drawn[asked]


def to_tool_export(answers: pd.DataFrame, book: Codebook) -> tuple[pd.DataFrame, dict]:
    """Answer keys -> the tool's columns and codes, plus SPSS metadata (labels, user-missing).

    Routed-past questions stay system-missing, as survey tools export them; a few respondents
    who skipped the optional hours question get the user-missing 99 ("geen antwoord").
    """
    names = tool_column_names(book)
    out = pd.DataFrame(index=answers.index)
    meta = {"column_labels": {}, "variable_value_labels": {}, "missing_ranges": {}}
    for item_id in answers.columns:
        item, col = book[item_id], names[item_id]
        meta["column_labels"][col] = item.nl
        if item.answers:
            key_to_code = {key: code for code, key in tool_codes_for(item).items() if key is not None}
            out[col] = answers[item_id].map(key_to_code).astype("float64")
            meta["variable_value_labels"][col] = _value_labels(item)
            if item.type != "sector":
                meta["missing_ranges"][col] = [NO_ANSWER]
        elif item.type == "number":
            out[col] = _hours_with_no_answer(answers[item_id])
            meta["variable_value_labels"][col] = {99: "Geen antwoord"}
            meta["missing_ranges"][col] = [99]
        else:
            out[col] = answers[item_id].astype(str)
    return out, meta


def _value_labels(item: Item) -> dict[int, str]:
    if item.type == "sector":
        return {code: item.answer_label(key) for code, key in TOOL_SECTOR_CODES.items()}
    names = SELECTED_LABELS if item.answer_set == "selected" else TOOL_LABELS
    return {code: names.get(key) or item.answer_label(key) for code, key in TOOL_CODES[item.answer_set].items()}


def _hours_with_no_answer(hours: pd.Series) -> pd.Series:
    every_eleventh = pd.Series(np.arange(len(hours)) % 11 == 10, index=hours.index)
    return hours.astype("float64").mask(every_eleventh, 99.0)


# Questionnaires sent but not returned, per municipality (None: number sent unknown). Sent is
# derived from the respondents generated, so that no municipality returns more than it was sent.
NOT_RETURNED = [2, 0, 0, None, 1, 0, 4, 5]


def demo_municipality_sheet(received: dict[str, int]) -> pd.DataFrame:
    """Eight invented municipalities, marked synthetic in name and note; `received`: respondents
    per municipality id in the generated export."""
    sizes = ["G4", "G32", "G32", "G32", "small", "small", "small", "unknown"]
    sent = ["unknown" if extra is None else str(received.get(m, 0) + extra)
            for m, extra in zip(MUNICIPALITY_IDS, NOT_RETURNED)]
    return pd.DataFrame({
        "municipality_id": MUNICIPALITY_IDS,
        "name": [f"Verzonnen gemeente {m} (synthetisch)" for m in MUNICIPALITY_IDS],
        "size_class": sizes,
        "krachtwijk": ["yes", "yes", "no", "yes", "no", "no", "unknown", "no"],
        "questionnaires_sent": sent,
        "note": "synthetic: invented for the demo wave, not a real municipality",
    })


# SPSS header: "$FL2", product name (60), 5 x int32, bias (float64), then the creation date
# (9 bytes) and time (8 bytes). readstat writes the clock time there; a fixed stamp keeps the
# committed file byte-identical when it is regenerated.
_STAMP_OFFSET, FIXED_STAMP = 92, b"01 Jan 2500:00:00"


def _fix_creation_stamp(sav: Path) -> None:
    data = bytearray(sav.read_bytes())
    if data[:4] != b"$FL2":
        raise ValueError(f"{sav}: not an SPSS system file")
    data[_STAMP_OFFSET:_STAMP_OFFSET + len(FIXED_STAMP)] = FIXED_STAMP
    sav.write_bytes(bytes(data))


def write_demo_wave(book: Codebook, folder: str | Path) -> list[Path]:
    """Write responses.sav and municipalities.csv (the README is kept by hand)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    export, meta = to_tool_export(demo_answers(book), book)
    import pyreadstat

    sav = out / "responses.sav"
    pyreadstat.write_sav(export, str(sav), file_label=f"{WAVE}: SYNTHETIC demo data, invented", **meta)
    _fix_creation_stamp(sav)
    sheet = out / "municipalities.csv"
    received = export[_FIXED["municipality_id"]].astype(str).value_counts().to_dict()
    demo_municipality_sheet(received).to_csv(sheet, index=False, lineterminator="\n")
    return [sav, sheet]


if __name__ == "__main__":
    import sys

    import yaml

    from analysis.codebook import load_codebook

    codebook = load_codebook("config/codebook.yaml", "config/sectors.yaml")
    if sys.argv[1:] == ["--config"]:
        print(yaml.safe_dump({WAVE: config_entry(codebook)}, sort_keys=False, allow_unicode=True))
    else:
        for path in write_demo_wave(codebook, sys.argv[1]):
            print(f"wrote {path}")
