"""Draft a wave's config entry from its export: `python -m analysis.core.io.draft_wave PATH`.

    python -m analysis.core.io.draft_wave data/raw/my-wave/responses.sav --sheet data/raw/my-wave/gemeenten.xlsx

reads the export (CSV, .sav, .xlsx: names, variable labels, value labels, user-missing codes,
values) and writes, into results/draft/<wave>/ (or --out DIR; never into config/ or data/raw):
draft_config.yaml (the entry for `waves:`), codebook_additions.yaml (candidate new questions),
review.md (every decision, low-confidence first) and decisions.csv. `--out -` prints the entry.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.core.codebook import load_codebook
from analysis.core.io.draft.proposal import Draft, draft_wave
from analysis.core.io.draft.render import (
    additions_yaml,
    decisions_csv,
    entry_yaml,
    review_markdown,
)
from analysis.core.io.readers import ExportReadError

PROTECTED = ("config", "data/raw")


class DraftError(ValueError):
    """The draft cannot be made or written where asked."""


def check_out_dir(out: Path, root: Path) -> None:
    """A draft is for a person to check: it never lands in config/ or data/raw by itself."""
    resolved = out.resolve()
    for folder in PROTECTED:
        protected = (root / folder).resolve()
        if resolved == protected or protected in resolved.parents:
            raise DraftError(f"--out {out}: a draft is never written into {folder}/; choose another folder")


def write_draft(draft: Draft, book, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = {"draft_config.yaml": entry_yaml(draft, book), "codebook_additions.yaml": additions_yaml(draft),
             "review.md": review_markdown(draft, book), "decisions.csv": decisions_csv(draft)}
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in files]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.core.io.draft_wave", description=__doc__.split("\n")[0])
    parser.add_argument("export", help="the export: .csv, .sav or .xlsx")
    parser.add_argument("--sheet", help="the municipality sheet (.csv, .xlsx or .sav)")
    parser.add_argument("--wave", help="wave id (default: the export's folder name)")
    parser.add_argument("--out", help="output folder (default results/draft/<wave>/); '-' prints the entry")
    parser.add_argument("--codebook", default="config/codebook.yaml")
    parser.add_argument("--sectors", default="config/sectors.yaml")
    args = parser.parse_args(argv)
    wave = args.wave or Path(args.export).resolve().parent.name
    try:
        book = load_codebook(args.codebook, args.sectors)
        out = None if args.out == "-" else Path(args.out or Path("results") / "draft" / wave)
        if out is not None:
            check_out_dir(out, Path.cwd())
        draft = draft_wave(args.export, book, wave, args.sheet, args.codebook, args.sectors)
    except (DraftError, ExportReadError, FileNotFoundError) as err:
        print(f"draft_wave: {err}", file=sys.stderr)
        return 2
    if out is None:
        sys.stdout.write(entry_yaml(draft, book))
        return 0
    for path in write_draft(draft, book, out):
        print(f"wrote {path}")
    low = sorted(draft.low)
    print(f"{len(draft.decisions)} columns, {len(low)} low-confidence lines to check first (see {out / 'review.md'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
