# Helpers shared by every stage: the configured waves, what each stage builds, and the inputs
# that depend on a wave's config. Kept here so that the stage files hold rules only.
import json
import os
import re

WAVES = list(config["waves"])


# The report's tables and figures, by file stem. Written out rather than imported from
# src/analysis (importing it would load pandas/matplotlib on every parse of the workflow);
# tests/test_tables.py and tests/test_figures.py check these lists against the package.
TABLE_IDS = ["tabel_3_1", "tabel_4_1", "figuur_4_1_data", "tabel_4_2", "tabel_VI_1", "tabel_VII_2",
             "tabel_VII_3", "tabel_VIII_1", "tabel_VIII_2", "tabel_VIII_3", "tabel_IX_1", "tabel_IX_2",
             "tabel_IX_3"]
FIGURE_STEMS = [
    "figuur_3_1", "figuur_4_1", "figuur_4_2", "figuur_4_3", "figuur_4_4", "figuur_4_5",
    "figuur_5_1", "figuur_5_2", "figuur_6_1", "figuur_6_2", "figuur_6_3", "figuur_6_4",
    "figuur_6_5", "figuur_6_6", "figuur_VI_1",
]
AUDIT_OUTPUTS = ["results/audit/published_consistency.csv", "results/audit/published_consistency.md"]


def wave_cfg(wave):
    """The config entry of one wave (wave id -> dict)."""
    return config["waves"][wave]


def code_of(script):
    """The source files of src/analysis that workflow/scripts/<script>.py runs: its `analysis.*`
    imports, followed transitively. A rule lists them as inputs, so editing a module reruns exactly
    the rules that import it (the attacker reruns aggregate and what follows, not validation).
    Read with ast, so parsing the workflow imports nothing heavy."""
    import ast

    def module_file(name):
        base = os.path.join("src", *name.split("."))
        for path in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.exists(path):
                return path
        return None

    def imports(path):
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
                yield node.module
                yield from (f"{node.module}.{a.name}" for a in node.names)  # `from pkg import module`
            elif isinstance(node, ast.Import):
                yield from (a.name for a in node.names if a.name.startswith("analysis"))

    seen, todo = set(), [f"workflow/scripts/{script}.py"]
    while todo:
        path = todo.pop()
        for name in imports(path):
            parts = name.split(".")
            for i in range(2, len(parts) + 1):  # the packages on the way run their __init__ too
                found = module_file(".".join(parts[:i]))
                if found and found not in seen:
                    seen.add(found)
                    todo.append(found)
    return sorted(seen)


def existing_wave_files(wave):
    """The wave's export and municipality sheet, as far as they exist."""
    cfg = wave_cfg(wave)
    return {key: cfg[key] for key in ("export", "municipalities") if os.path.exists(cfg[key])}


def has_reference(wave):
    return "reference" in wave_cfg(wave)


def data_kind(wave):
    """{synthetic, reconstructed} of a wave: what its outputs' notes must say about the data."""
    cfg = wave_cfg(wave)
    return {"synthetic": bool(cfg.get("synthetic", False)), "reconstructed": bool(cfg.get("reconstructed", False))}


def optional_table_inputs(wave):
    """sent_by_sector (Tabel VI.1 'Verstuurd') and the interview register (Tabel 3.1), if the wave
    has them. A configured register that does not exist yet gives a Tabel 3.1 that says so, rather
    than a workflow that cannot start."""
    cfg = wave_cfg(wave)
    return {key: cfg[key] for key in ("sent_by_sector", "interviews") if key in cfg and os.path.exists(cfg[key])}


def reference_inputs(wave):
    """The replication and the audit, for a wave with a published reference."""
    if not has_reference(wave):
        return {}
    replication = f"results/{wave}/replication"
    return {"scorecard": f"{replication}/scorecard.csv", "summary": f"{replication}/summary.csv", "audit": AUDIT_OUTPUTS[0]}


def wave_targets(wave):
    """Everything `rule all` builds for one wave."""
    results = f"results/{wave}"
    targets = [f"{results}/responses.parquet", f"{results}/cells.csv", f"{results}/hours_by_sector.csv",
               f"{results}/tables/tables.xlsx", f"{results}/report.html", f"{results}/municipalities"]
    targets += [f"{results}/tables/{t}.{ext}" for t in TABLE_IDS for ext in ("csv", "md")]
    targets += [f"{results}/figures/{s}{ext}" for s in FIGURE_STEMS for ext in (".png", ".svg", ".data.csv")]
    if has_reference(wave):
        targets += [f"{results}/replication/{f}" for f in ("scorecard.csv", "summary.csv", "summary.md")]
        targets += AUDIT_OUTPUTS
    return targets


# --- across waves (rules in waves.smk) ---------------------------------------------------------

def waves_up_to(wave):
    """The configured waves up to and including `wave` (config order = fielding order)."""
    return WAVES[: WAVES.index(wave) + 1]


def valid_waves(waves):
    """Those of `waves` that passed validation; known only once their status jobs have run."""
    valid = []
    for wave in waves:
        with open(checkpoints.wave_status.get(wave=wave).output[0], encoding="utf-8") as f:
            if json.load(f)["valid"]:
                valid.append(wave)
    return valid


def wave_files(waves, name):
    return [f"results/{wave}/{name}" for wave in waves]


def cross_wave_targets():
    """The cross-wave part of the default target (the comparison report, each wave's chapter)."""
    return ["results/waves/report.html"] + [f"results/waves/chapter_{wave}.html" for wave in WAVES]


def disclosure_cfg(wave):
    """The disclosure settings of one wave: safe defaults < global config < the wave's own."""
    from analysis.core.disclosure.settings import disclosure_settings

    return disclosure_settings(config.get("disclosure"), wave_cfg(wave).get("disclosure"))
