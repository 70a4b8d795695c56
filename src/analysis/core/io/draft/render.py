"""The draft as files a researcher checks: the config entry (YAML, every line with its
confidence as a comment), codebook additions (YAML) and the review page (Markdown, every
decision, low-confidence first)."""
from __future__ import annotations

import yaml

from analysis.core.codebook import Codebook
from analysis.core.io.draft.proposal import Draft
from analysis.core.vocabulary import natural_key

# The key of the municipality sheet's map in a wave's config entry: the export's column_map shape
# (columns, codes per sheet field, ignore), as issue 14 reads it. Written once here.
SHEET_MAP_KEY = "municipality_map"
_RANK = {"low": 0, "medium": 1, "high": 2}


def _scalar(value) -> str:
    if isinstance(value, str) and value.lstrip("-").isdigit() and not (len(value) > 1 and value.startswith("0")):
        return value  # a numeric tool code: an int key, as in the README's examples
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip().removesuffix("...").strip()


def _mark(confidence: str, detail: str) -> str:
    return f"  # {'LOW' if confidence == 'low' else confidence}: {detail}"


def entry_yaml(draft: Draft, book: Codebook) -> str:
    """The wave's draft entry under `waves:` (indented as in config/config.yaml)."""
    lines = [f"# Draft config entry of wave {draft.wave} (python -m analysis.core.io.draft_wave).",
             "# Lines marked LOW need a look (review.md says why); then copy the entry under `waves:` in",
             "# config/config.yaml and any stanza of codebook_additions.yaml into config/codebook.yaml.",
             f"{draft.wave}:",
             '  description: "TODO: one line about this wave"',
             f"  export: {_scalar(draft.export)}",
             f"  municipalities: {_scalar(draft.sheet or 'TODO: the municipality sheet')}"]
    if draft.not_asked:
        lines.append("  not_asked:")
        for item, confidence, note in draft.not_asked:
            lines.append(f"    - {item}" + _mark(confidence, note or "no column matched"))
    lines.append("  column_map:")
    if draft.header_rows > 1:  # the columns below are named by these rows together, joined with " - "
        lines.append(f"    header_rows: {draft.header_rows}"
                     + _mark("medium", f"the export's header takes {draft.header_rows} rows (columns with values under no name otherwise)"))
    lines.append("    columns:")
    new = {q.column: q for q in draft.new_questions}
    for d in sorted(draft.decisions, key=lambda d: natural_key(d.column)):  # the tool's numbering
        if d.item:
            runner = f"; runner-up {d.runner_up} {d.runner_up_score:.2f}" if d.margin < 0.1 and d.runner_up else ""
            lines.append(f"      {_scalar(d.column)}: {d.item}" + _mark(d.confidence, f"{d.score:.2f}{runner}"))
        elif d.column in new:
            lines.append(f"      {_scalar(d.column)}: {new[d.column].stanza['id']}"
                         + _mark("low", "NEW question: add its stanza from codebook_additions.yaml"))
    low_codes = {(c.scope, c.code): c for c in draft.code_decisions if c.confidence == "low"}
    code_maps = dict(draft.codes)
    for q in draft.new_questions:
        if q.code_map and (q.answer_set or not _covered(q, draft)):
            code_maps[q.stanza["id"]] = q.code_map
    # values that match no answer: written as comments where the user completes the map (else
    # validation stops on each of them, one problem per respondent)
    unmatched: dict[str, list] = {}
    for c in draft.code_decisions:
        if c.key in (None, "?") and c.code not in code_maps.get(c.scope, {}):
            unmatched.setdefault(c.scope, []).append(c)
    for scope in unmatched:
        code_maps.setdefault(scope, {})
    if code_maps:
        lines.append("    codes:")
    for scope, table in code_maps.items():
        lines.append(f"      {scope}:" + (" {}" if not table else ""))
        for code, key in table.items():
            note = low_codes.get((scope, code))
            mark = _mark("low", f"label {note.label!r} ~ {key} ({note.similarity:.2f})" if note.label else
                         "no value label: guessed") if note else ""
            lines.append(f"        {_scalar(code)}: {_scalar(key)}{mark}")
        own = scope in {it.id for it in book.items} and book[scope].type == "categorical"
        for c in unmatched.get(scope, []):
            lines.append(f"        # {_scalar(c.code)}: ?  # LOW: matches no answer; map it to one"
                         + (", or add it as a category of this wave (`categories:`, README)" if own else ""))
    if draft.ignored:  # read by ingest: dropped before validation
        lines.append("    ignore:")
        lines += [f"      - {_scalar(c)}" + _mark("low", why) for c, why in draft.ignored]
    sheet = draft.sheet_decisions
    if sheet and any(s.target != s.column or s.values or s.unmapped_values for s in sheet):
        lines += [f"  {SHEET_MAP_KEY}:", "    columns:"]
        for s in sheet:
            if s.target:
                lines.append(f"      {_scalar(s.column)}: {_scalar(s.target)}" + _mark(s.confidence, f"{s.score:.2f}"))
        valued = [s for s in sheet if s.target and (s.values or s.unmapped_values)]
        if valued:
            lines.append("    codes:")
            for s in valued:
                lines.append(f"      {s.target}:")
                for value, key in s.values.items():
                    lines.append(f"        {_scalar(value)}: {_scalar(key)}")
                for value in s.unmapped_values:
                    lines.append(f"        {_scalar(value)}: null" + _mark("low", "no sheet value matched"))
        unread = [s for s in sheet if not s.target]
        if unread:
            lines.append("    ignore:")
            lines += [f"      - {_scalar(s.column)}" + _mark("low", "matches no sheet field") for s in unread]
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)  # what is written must parse
    return text


def _covered(q, draft: Draft) -> bool:
    """The new question's codes are those of its answer set's map already."""
    table = draft.codes.get(q.stanza.get("answer_set") or "", {})
    return all(table.get(c, "-") == k for c, k in q.code_map.items())


def additions_yaml(draft: Draft) -> str:
    lines = [f"# Candidate new questions of wave {draft.wave}: columns no codebook item matched.",
             "# Each stanza loads with core/codebook.py as it stands; translate `en`, then add it under",
             "# `items:` (and a new answer set under `answer_sets:`) in config/codebook.yaml."]
    for edit in draft.codebook_edits:
        lines.append(f"# Also: {edit}")
    answer_sets = {k: v for q in draft.new_questions if q.answer_set for k, v in q.answer_set.items()}
    if answer_sets:
        lines.append(yaml.safe_dump({"answer_sets": answer_sets}, sort_keys=False, allow_unicode=True).rstrip())
    items = [q.stanza for q in draft.new_questions]
    lines.append(yaml.safe_dump({"items": items}, sort_keys=False, allow_unicode=True).rstrip() if items else "items: []")
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def review_markdown(draft: Draft, book: Codebook) -> str:
    """Every decision, low-confidence ones first."""
    d = draft.decisions
    matched = [x for x in d if x.item]
    count = lambda level: sum(x.confidence == level for x in matched)
    low_codes = [c for c in draft.code_decisions if c.confidence == "low"]
    lines = [f"# Draft of wave `{draft.wave}`: review", "",
             f"Export `{draft.export}`" + (f", municipality sheet `{draft.sheet}`" if draft.sheet else "") + ".", "",
             (f"- {len(d)} columns: {len(matched)} matched to codebook items ({count('high')} high, {count('medium')} "
             f"medium, {count('low')} low confidence), {len(draft.new_questions)} candidate new questions"
             + (f", {len(draft.ignored)} survey-tool columns to ignore" if draft.ignored else "")),
             f"- {len(draft.codes)} code maps; {len(low_codes)} code lines to check",
             f"- {len(draft.not_asked)} codebook items without a column (`not_asked`)", "",
             ("Score = 0.6 × text + 0.25 × values + 0.15 × position (each 0–1; for a new question, the evidence of its nearest item). **low**: score below 0.55, "
             "runner-up within 0.05, no label to go on, or a block chosen by the columns' numbering; check these first. "
             "Nothing was written into `config/` or `data/raw`."), ""]
    if draft.codebook_edits:
        lines += ["## Codebook edits needed", ""] + [f"- {e}" for e in draft.codebook_edits] + [""]
    lines += ["## Columns, low-confidence first", "",
              "| confidence | column | variable label | → item | item label | score | text | values | position | runner-up | notes |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    new = {q.column: q for q in draft.new_questions}
    for x in sorted(d, key=lambda x: (_RANK[x.confidence], x.score)):
        p = draft.profiles[x.column]
        target = x.item or (f"NEW `{new[x.column].stanza['id']}`" if x.column in new else "ignore")
        label = book[x.item].nl if x.item else "(candidate new question)" if x.column in new else "(survey tool's own column)"
        runner = f"{x.runner_up} ({x.runner_up_score:.2f})" if x.runner_up else ""
        lines.append("| " + " | ".join(_cell(v) for v in [
            x.confidence, f"`{x.column}`", p.label, target, label, f"{x.score:.2f}", f"{x.text:.2f}",
            f"{x.values:.2f}", f"{x.position:.0f}", runner, "; ".join(x.notes)]) + " |")
    lines += ["", "## Code maps, low-confidence first", "",
              "| confidence | map | code | value label | → answer | similarity | columns |", "|---|---|---|---|---|---|---|"]
    for c in draft.code_decisions:
        cols = ", ".join(c.columns[:6]) + (f" … ({len(c.columns)})" if len(c.columns) > 6 else "")
        key = "no answer (null)" if c.key is None else c.key
        lines.append("| " + " | ".join(_cell(v) for v in [c.confidence, c.scope, c.code, c.label, key,
                                                            f"{c.similarity:.2f}", cols]) + " |")
    lines += ["", "## Codebook items without a column (`not_asked`)", "", "| confidence | item | label | note |", "|---|---|---|---|"]
    for item, confidence, note in sorted(draft.not_asked, key=lambda t: _RANK[t[1]]):
        lines.append(f"| {confidence} | `{item}` | {_cell(book[item].nl)} | {_cell(note)} |")
    lines += ["", "## Candidate new questions", ""]
    if not draft.new_questions:
        lines.append("None: every column matched a codebook item.")
    for q in draft.new_questions:
        status = "loads with core/codebook.py" if not q.valid else f"DOES NOT LOAD: {q.valid}"
        lines += [f"### `{q.column}` → `{q.stanza['id']}` ({status})", "", "```yaml",
                  yaml.safe_dump([q.stanza], sort_keys=False, allow_unicode=True).rstrip(), "```", ""]
        if q.answer_set:
            lines += ["with a new answer set:", "", "```yaml",
                      yaml.safe_dump(q.answer_set, sort_keys=False, allow_unicode=True).rstrip(), "```", ""]
    if draft.sheet_decisions:
        lines += ["", f"## Municipality sheet (`{SHEET_MAP_KEY}`)", "",
                  "| confidence | sheet column | → field | score | values | values not matched |", "|---|---|---|---|---|---|"]
        for s in sorted(draft.sheet_decisions, key=lambda s: _RANK[s.confidence]):
            values = ", ".join(f"{k} → {v}" for k, v in s.values.items())
            lines.append("| " + " | ".join(_cell(v) for v in [s.confidence, f"`{s.column}`", s.target or "(none)",
                                                                f"{s.score:.2f}", values, ", ".join(s.unmapped_values)]) + " |")
    return "\n".join(lines) + "\n"


def decisions_csv(draft: Draft) -> str:
    import pandas as pd

    new = {q.column: q.stanza["id"] for q in draft.new_questions}
    rows = [{"kind": "column", "line": x.column,
             "proposal": x.item or (f"new:{new[x.column]}" if x.column in new else "ignore"),
             "confidence": x.confidence, "score": round(x.score, 3), "runner_up": x.runner_up} for x in draft.decisions]
    rows += [{"kind": "code", "line": c.line, "proposal": c.key, "confidence": c.confidence,
              "score": round(c.similarity, 3), "runner_up": None} for c in draft.code_decisions]
    rows += [{"kind": "not_asked", "line": i, "proposal": "not_asked", "confidence": conf, "score": None,
              "runner_up": note} for i, conf, note in draft.not_asked]
    rows += [{"kind": "sheet", "line": s.column, "proposal": s.target, "confidence": s.confidence,
              "score": round(s.score, 3), "runner_up": None} for s in draft.sheet_decisions]
    return pd.DataFrame(rows).to_csv(index=False, lineterminator="\n")
