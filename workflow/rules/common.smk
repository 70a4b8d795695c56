# Helpers shared by every stage: the configured waves, what each stage builds, and the inputs
# that depend on a wave's config. Kept here so that the stage files hold rules only.
import copy
import json
import os
import re

WAVES = list(config["waves"])


def _load_registry():
    """src/analysis/publication/registry.py, the one list of the report's tables and figures. Loaded
    by path: it imports only the standard library, so parsing the workflow loads no pandas or
    matplotlib, and it is this checkout's registry whatever `analysis` the environment has."""
    import importlib.util
    import sys

    path = os.path.join(workflow.basedir, "src", "analysis", "publication", "registry.py")
    spec = importlib.util.spec_from_file_location("_output_registry", path)
    registry = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = registry  # dataclasses look their module up there
    spec.loader.exec_module(registry)
    return registry


REGISTRY = _load_registry()
TABLE_IDS = REGISTRY.TABLE_IDS  # file stems: tabel_4_1, figuur_4_1_data, ...
FIGURE_STEMS = REGISTRY.FIGURE_STEMS  # figuur_3_1, ..., figuur_VI_1


def caption(stem):
    """The --report caption of a registered output, written from the registry (Snakemake reads
    captions from files, and only when it renders the report)."""
    path = os.path.abspath(os.path.join(".snakemake", "captions", f"{stem}.rst"))
    text = REGISTRY.caption_rst(REGISTRY.BY_STEM[stem])
    if not os.path.exists(path) or open(path, encoding="utf-8").read() != text:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return path


AUDIT_OUTPUTS = ["results/audit/published_consistency.csv", "results/audit/published_consistency.md"]


def wave_cfg(wave):
    """The config entry of one wave (wave id -> dict)."""
    return config["waves"][wave]


def code_of(script, _imports_of={}):
    """The source files of src/analysis that workflow/scripts/<script>.py runs: its `analysis.*`
    imports, followed transitively. A rule lists them as inputs, so editing a module reruns exactly
    the rules that import it (the attacker reruns aggregate and what follows, not validation).
    Read with ast, so parsing the workflow imports nothing heavy; each file is read once per parse
    of the workflow (`_imports_of`, shared by the calls: parsing every module again for each rule
    was half the time of a no-op run)."""
    import ast

    def module_file(name):
        base = os.path.join("src", *name.split("."))
        for path in (f"{base}.py", os.path.join(base, "__init__.py")):
            if os.path.exists(path):
                return path
        return None

    def statements(nodes):
        """Every statement, nested ones included (an import is always a statement): walks far
        fewer nodes than ast.walk, which visits every expression too."""
        for node in nodes:
            yield node
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                yield from statements(getattr(node, field, None) or [])

    def imports(path):
        if path not in _imports_of:
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read(), path)
            names = []
            for node in statements(tree.body):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analysis"):
                    names.append(node.module)
                    names += [f"{node.module}.{a.name}" for a in node.names]  # `from pkg import module`
                elif isinstance(node, ast.Import):
                    names += [a.name for a in node.names if a.name.startswith("analysis")]
            _imports_of[path] = names
        return _imports_of[path]

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


# The codebook documents: the codebook (results/waves/codebook.yaml: its content without comments,
# rewritten only when that changes, so a comment edit reruns nothing) + the wave config + each
# valid wave's cells.csv (protected in public mode) -> codebook.html (for people) and
# ddi-codebook.xml (DDI Codebook 2.5, for data archives). Part of every build; written by rule
# `waves` (waves.smk), which reads the same inputs: one process less per build (issue 18).
CODEBOOK_DOCS = ["results/codebook/codebook.html", "results/codebook/ddi-codebook.xml"]


def cross_wave_targets():
    """The cross-wave part of the default target (the comparison report, each wave's chapter)."""
    return ["results/waves/report.html"] + [f"results/waves/chapter_{wave}.html" for wave in WAVES]


def disclosure_cfg(wave):
    """The disclosure settings of one wave: safe defaults < global config < the wave's own."""
    from analysis.core.disclosure.settings import disclosure_settings

    return disclosure_settings(config.get("disclosure"), wave_cfg(wave).get("disclosure"))


def disclosure_cfg_public():
    """The settings a public wave gets by default (global config over the safe defaults)."""
    from analysis.core.disclosure.settings import disclosure_settings

    return disclosure_settings(config.get("disclosure"), {"mode": "public"})


def shown_cells(wave, earlier):
    """The cells file of an `earlier` wave that `wave`'s outputs show: a public wave's chapter and
    fact sheets read a restricted earlier wave through its public view (rule public_view), never
    its own cells.csv: one protection pattern of that wave in every public output (a cell the
    chapter hides as a complementary one must not reappear in a fact sheet)."""
    as_public = disclosure_cfg(wave)["mode"] == "public" and disclosure_cfg(earlier)["mode"] == "restricted"
    return f"results/{earlier}/{'cells_as_public.csv' if as_public else 'cells.csv'}"


# --- the part of the codebook each wave uses ---------------------------------------------------

def _write_if_changed(path, text):
    """Write `text` to `path` only if it differs: the file's time stamp then moves only when its
    content does, which is what Snakemake's rerun decision looks at."""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def _codebook_yaml(_read={}):
    """The codebook as data, read once per parse of the workflow (libyaml where available)."""
    from analysis.core.io.yaml_keys import safe_load

    if "codebook" not in _read:
        with open(config["codebook"], encoding="utf-8") as f:
            _read["codebook"] = safe_load(f)
    return copy.deepcopy(_read["codebook"])


def wave_codebook(wave):
    """results/<wave>/codebook.yaml: the codebook as this wave uses it (analysis.core.codebook.
    wave_slice: no items of other waves, the wave's own categories added), rewritten only when it
    changes. A wave's rules depend on it instead of config/codebook.yaml, so adding a question for
    one wave, or editing a comment, does not rebuild the others."""
    import yaml

    from analysis.core.codebook import wave_slice

    text = yaml.safe_dump(wave_slice(_codebook_yaml(), wave, wave_cfg(wave).get("categories")),
                          sort_keys=True, allow_unicode=True)
    return _write_if_changed(f"results/{wave}/codebook.yaml", text)


def all_waves_codebook():
    """results/waves/codebook.yaml: the whole codebook without its comments, for the cross-wave
    rules (which compare items over waves); rewritten only when its content changes."""
    import yaml

    return _write_if_changed("results/waves/codebook.yaml", yaml.safe_dump(_codebook_yaml(), sort_keys=True, allow_unicode=True))


WAVE_CODEBOOK = {wave: wave_codebook(wave) for wave in WAVES}
CROSS_WAVE_CODEBOOK = all_waves_codebook()


# --- inputs and params of single rules (kept here so that the stage files hold rules only) ---

def previous_wave_files(wave):
    """The cells (shown_cells) and municipalities.csv of the last valid wave before `wave`, if
    there is one: what the fact sheets compare with."""
    earlier = valid_waves(waves_up_to(wave)[:-1])
    if not earlier:
        return {}
    return {"previous_cells": shown_cells(wave, earlier[-1]),
            "previous_municipalities": f"results/{earlier[-1]}/municipalities.csv"}


def compared_cells(wave):
    """The cells the chapter "Compared with earlier waves" of `wave` reads: its own cells.csv and
    shown_cells of each valid earlier wave."""
    return [shown_cells(wave, w) for w in valid_waves(waves_up_to(wave)[:-1])] + [f"results/{wave}/cells.csv"]


def export_cfg(wave):
    """The wave's config entry with its resolved disclosure settings."""
    return {**wave_cfg(wave), "disclosure": disclosure_cfg(wave)}


def reconstruct_outputs(wave):
    """The files `snakemake reconstruct` writes for the reconstructed wave (its config names them)."""
    cfg = wave_cfg(wave)
    folder = os.path.dirname(cfg["export"])
    return {
        "csv": cfg["export"],
        "sav": os.path.splitext(cfg["export"])[0] + ".sav",
        "municipalities": cfg["municipalities"],
        "interviews": cfg["interviews"],
        "sent_by_sector": cfg["sent_by_sector"],
        "notes": os.path.join(folder, "RECONSTRUCTION.md"),
        **({"basis": cfg["cell_basis"]} if "cell_basis" in cfg else {}),
    }
