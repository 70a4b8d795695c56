"""Checks of the waves in config/config.yaml that a JSON schema cannot make: they need the
codebook or the file system. Run when the workflow is parsed, so that a wrong wave entry stops
the run before any job, with the config key and how to fix it, instead of a traceback (or a
result folder written over) somewhere in the middle of a build.

Plain Python and YAML only: it runs on every parse of the workflow.
"""
from __future__ import annotations

import os
import re

WAVE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
# result folders next to results/<wave>/: a wave of that name would write into them
RESERVED_WAVE_IDS = {"audit": "results/audit (the audit of the published report)",
                     "waves": "results/waves (the comparison across waves)",
                     "logs": "results/logs (the logs of every job)"}


def wave_config_problems(config: dict, item_ids: set[str] | None, exists=os.path.exists) -> list[str]:
    """Every problem of the `waves:` entries, each as "waves.<id>.<key>: what is wrong: the fix".

    `item_ids`: the codebook's item ids (None: not checked). A wave marked `reconstructed` may
    lack its files: `snakemake reconstruct` writes them."""
    waves = config.get("waves")
    if not isinstance(waves, dict):
        return []  # the JSON schema says what is wrong with it
    problems = []
    for wave, entry in waves.items():
        problems += _wave_id_problems(str(wave))
        if isinstance(entry, dict):
            problems += _entry_problems(str(wave), entry, item_ids, exists)
    return problems


def _wave_id_problems(wave: str) -> list[str]:
    if wave in RESERVED_WAVE_IDS:
        return [f"waves.{wave}: the wave id {wave!r} is reserved: the wave would write into "
                f"{RESERVED_WAVE_IDS[wave]}. Fix: rename the wave, e.g. {wave}-2025 (and its data/raw folder)"]
    if not WAVE_ID.match(wave):
        suggestion = re.sub(r"[^A-Za-z0-9_-]+", "-", wave).strip("-_") or "wave-2025"
        return [f"waves.{wave!r}: a wave id is a folder name of letters, digits, '-' and '_', starting with a "
                f"letter or digit. Fix: rename it, e.g. {suggestion}"]
    return []


def _entry_problems(wave: str, entry: dict, item_ids: set[str] | None, exists) -> list[str]:
    problems = []
    if not entry.get("reconstructed"):
        for key in ("export", "municipalities"):
            path = entry.get(key)
            if isinstance(path, str) and not exists(path):
                problems.append(f"waves.{wave}.{key}: file {path} does not exist. Fix: correct the path, "
                                f"or put the file there (data/raw/{wave}/)")
    not_asked = entry.get("not_asked") or []
    if item_ids is not None and isinstance(not_asked, list):
        for item in not_asked:
            if item not in item_ids:
                problems.append(f"waves.{wave}.not_asked: {item!r} is not an item of the codebook. Fix: use a "
                                f"codebook item id{_close_to(item, item_ids)}, or remove it")
    columns = (entry.get("column_map") or {}).get("columns") if isinstance(entry.get("column_map"), dict) else None
    if isinstance(columns, dict):
        problems += _column_map_problems(wave, columns, item_ids)
    return problems


def _column_map_problems(wave: str, columns: dict, item_ids: set[str] | None) -> list[str]:
    problems, sources = [], {}
    for tool_column, item in columns.items():
        sources.setdefault(item, []).append(str(tool_column))
        if item_ids is not None and isinstance(item, str) and item not in item_ids:
            problems.append(f"waves.{wave}.column_map.columns.{tool_column}: {item!r} is not an item of the "
                            f"codebook. Fix: map it onto a codebook item id{_close_to(item, item_ids)}")
    for item, tool_columns in sources.items():
        if len(tool_columns) > 1:
            problems.append(f"waves.{wave}.column_map.columns: {' and '.join(tool_columns)} are both mapped onto "
                            f"{item}; an item is one column of the export. Fix: map only one of them")
    return problems


def _close_to(name: str, item_ids: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(str(name), sorted(item_ids), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def codebook_item_ids(codebook_path: str) -> set[str] | None:
    """The item ids of the codebook, or None if it cannot be read (its loader says why, later)."""
    from analysis.core.io.yaml_keys import safe_load

    try:
        with open(codebook_path, encoding="utf-8") as f:
            raw = safe_load(f)
        return {str(item["id"]) for item in raw["items"]}
    except Exception:  # noqa: BLE001 - a broken codebook is reported by the codebook loader
        return None


def wave_config_report(config: dict, files=()) -> str | None:
    """Every problem of the configured waves as one message, or None (workflow parse time).
    `files`: the config files as given to Snakemake; they, the codebook and the sector list are
    also checked for a mapping key given twice (YAML would keep the last silently)."""
    from analysis.core.io.yaml_keys import duplicate_key_problems

    codebook = config.get("codebook")
    problems = duplicate_key_problems([*files, config.get("codebook"), config.get("sectors")])
    problems += wave_config_problems(config, codebook_item_ids(codebook) if isinstance(codebook, str) else None)
    if not problems:
        return None
    return "config/config.yaml: the waves cannot be built as configured:\n  - " + "\n  - ".join(problems)
