"""Where an output came from: the sha256 of its input files, the git commit, the config's hash.
Written once here; the validation report and report.html both print them."""
from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def config_hash(settings: dict) -> str:
    """A short hash of the settings that shaped the outputs (canonical JSON, so key order is irrelevant)."""
    return hashlib.sha256(json.dumps(_text_keys(settings), sort_keys=True, default=str).encode()).hexdigest()[:16]


def _text_keys(value):
    """Every mapping key as text: a wave's code map mixes a tool's numbers and words (`1: ja`,
    `N/A: null`), and json cannot sort int and str keys together (JSON writes them as text anyway)."""
    if isinstance(value, dict):
        return {str(k): _text_keys(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_text_keys(v) for v in value]
    return value


def git_commit(cwd: str | Path = ".") -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
