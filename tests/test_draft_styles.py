"""The wave draft on text exports of survey tools that name their columns in other styles
(review r18d): "Q11_1. improving low income?", "V11_1 Verbeteren laag inkomen", plain labels, bare codes;
answers as text, multiple-choice members as their option's text (or "Y") when ticked and empty
when not, sectors as words, item nonresponse. The generator here knows the truth."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, codebook_with_additions

from analysis.core.io.draft.proposal import draft_wave
from analysis.fixtures.synthetic import synthetic_answers

CODEBOOK, SECTORS = ROOT / "config" / "codebook.yaml", ROOT / "config" / "sectors.yaml"
NEW_QUESTION = "Heeft uw gemeente een lokale nota gezondheidsbeleid?"


def _words(text: str) -> str:
    return " ".join(w.strip("().,?/").lower() for w in text.split() if w.strip("().,?/"))


def _name(style: str, item, code: str, shared: bool, book) -> str:
    if style == "q_words":  # Qualtrics-like: a question code, then the English words
        return f"Q{code}. {_words(item.en)}?"
    if style == "v_dutch":  # SPSS-like code with the Dutch label
        return f"V{code} {item.nl}"
    if style == "bare":  # the question code alone: nothing to read but the values
        return f"Q{code}"
    # plain labels; an option that two lists share gets its list's title in front, as tools do
    return f"{book.blocks[item.block]['nl']} - {item.nl}" if shared else item.nl


def tool_export(book, folder: Path, style: str, seed: int, n: int = 60):
    """(export, sheet, wave, truth column -> item id or None, truth codes per scope)."""
    rng = np.random.default_rng(seed)
    wave = f"synthetic-styles-{style}"
    munis = [f"{int(x):04d}" for x in rng.choice(np.arange(100, 9999), 8, replace=False)]
    answers = synthetic_answers(book, munis, n, wave, seed)
    english = style == "q_words"
    items = [it for it in book.items_in_wave(wave) if it.type != "wave"]
    leads = {parent for it in items for parent in it.asked_if}  # answered always: the tool routes on them
    labels = [it.nl for it in items]
    names, question, member, previous = {}, 0, 0, object()
    for it in items:
        if it.block is None or it.block != previous:
            question, member = question + 1, 0
        member += 1
        previous = it.block
        code = f"{question}_{member}" if it.block else str(question)
        names[it.id] = _name(style, it, code, labels.count(it.nl) > 1, book)
    frame = pd.DataFrame(index=range(n))
    codes: dict[str, dict] = {}
    for it in items:
        values = answers[it.id]
        if it.type in ("id", "municipality"):
            col = values.astype(str)
        elif it.type == "number":  # decimal comma, -99 for no answer
            col = values.map(lambda v: f"{v:.1f}".replace(".", ","))
            col[rng.random(n) < 0.05] = "-99"
        elif it.type == "sector":
            col = values.map(lambda k: book.sector(k).en if english else book.sector(k).nl)
            codes["sector"] = {(s.en if english else s.nl): s.id for s in book.sectors if s.id in set(values)}
        elif it.answer_set == "selected":  # ticked: the option's text (or "Y"); not ticked: empty
            tick = "Y" if style == "v_dutch" else it.en if english else it.nl
            if style == "bare":  # the tool's own wording of the option: "Laag inkomen" for "Verbeteren laag inkomen"
                tick = " ".join(it.nl.split()[1:]) if len(it.nl.split()) > 2 else it.nl
            col = values.map(lambda k, t=tick: t if k == "ja" else "")
            codes.setdefault(it.id, {})[tick] = "ja"
        else:
            col = values.map(lambda k, it=it: "" if pd.isna(k) else it.answer_label(k, "en" if english else "nl"))
            if it.id not in leads:
                col[(values.notna() & (rng.random(n) < 0.06)).to_numpy()] = ""  # item nonresponse
            codes.setdefault(it.answer_set, {}).update({a.en if english else a.nl: a.key for a in it.answers})
        frame[names[it.id]] = col.fillna("")
    frame[NEW_QUESTION] = np.where(rng.random(n) < 0.5, "Ja", "Nee")
    folder.mkdir(parents=True, exist_ok=True)
    export, sheet = folder / "export.csv", folder / "gemeenten.csv"
    frame.to_csv(export, sep=";", index=False)
    pd.DataFrame({"Gemeentecode": munis, "Naam": [f"Verzonnen plaats {m}" for m in munis]}).to_csv(sheet, sep=";", index=False)
    truth = {names[it.id]: it.id for it in items}
    truth[NEW_QUESTION] = None
    return export, sheet, wave, truth, codes


@pytest.mark.parametrize("style,seed", [("q_words", 11), ("v_dutch", 12), ("plain", 13)])
def test_item_columns_of_every_style_are_matched_to_their_items(book, tmp_path, style, seed):
    export, sheet, wave, truth, codes = tool_export(book, tmp_path, style, seed)
    draft = draft_wave(export, book, wave, sheet, CODEBOOK, SECTORS)
    decisions = {d.column: d for d in draft.decisions}
    wrong = {c: decisions[c].item for c, item in truth.items() if decisions[c].item != item}
    assert not wrong, wrong
    # sure where the words tell: low only for an option two lists share word for word (the
    # draft then goes by the columns' numbering or the list's title, and says so)
    labels = [book[i].nl for i in truth.values() if i]
    unsure = {c for c, i in truth.items() if i and decisions[c].confidence == "low" and labels.count(book[i].nl) == 1}
    assert not unsure, unsure
    assert decisions[NEW_QUESTION].item is None
    # the sector's words map to the sector ids; a ticked option's text to ja, its empty cell to nee
    assert {v: draft.codes["sector"].get(v) for v in codes["sector"]} == codes["sector"]
    hours = next(c for c, i in truth.items() if i == "hours_per_week")
    if "-99" in set(pd.read_csv(export, sep=";", dtype=str)[hours]):
        assert draft.codes["hours_per_week"] == {"-99": None}  # the tool's no-answer code, not -99 hours
    ticks = [i for i in truth.values() if i and book[i].answer_set == "selected"]
    for item in ticks:
        table = draft.codes.get(item) or draft.codes["selected"]
        assert {v: table.get(v) for v in codes[item]} == codes[item], item
        assert table.get("") == "nee", item


def test_bare_codes_are_matched_where_the_values_name_the_item(book, tmp_path):
    """Columns named Q10_1 with no label: a multiple-choice member's option text ("laag inkomen")
    and a list of sectors name their items (low confidence: nothing else to go on); yes/no columns
    cannot be told apart and stay candidate new questions; no column goes to a wrong item."""
    export, sheet, wave, truth, codes = tool_export(book, tmp_path, "bare", 21)
    draft = draft_wave(export, book, wave, sheet, CODEBOOK, SECTORS)
    decisions = {d.column: d for d in draft.decisions}
    assert not {c: d.item for c, d in decisions.items() if d.item and d.item != truth[c]}
    named = {c for c, i in truth.items() if i and (book[i].answer_set == "selected" or book[i].type == "sector")}
    assert {c: decisions[c].item for c in named} == {c: truth[c] for c in named}
    assert all(decisions[c].confidence == "low" for c in named)
    assert {v: draft.codes["sector"].get(v) for v in codes["sector"]} == codes["sector"]


def test_draft_of_a_text_export_validates_as_written(book, tmp_path):
    """Option texts with empty cells, sector words, a -99 for no answer: the draft's entry and its
    new question's stanza read the export without a problem, ticked as ja and empty as nee."""
    import yaml

    from analysis.core.codebook import load_codebook
    from analysis.core.io.draft_wave import write_draft
    from analysis.core.validate import run_validation

    export, sheet, wave, truth, _ = tool_export(book, tmp_path / "raw", "q_words", 11)
    draft = draft_wave(export, book, wave, sheet, CODEBOOK, SECTORS)
    files = write_draft(draft, book, tmp_path / "draft")
    entry = yaml.safe_load(files[0].read_text(encoding="utf-8"))[wave]
    grown = codebook_with_additions(files[1], tmp_path)
    out = tmp_path / "out"
    ok, message = run_validation(wave, str(export), str(sheet), load_codebook(grown, SECTORS), entry["column_map"],
                                 out / "validation", out / "responses.parquet", out / "municipalities.csv",
                                 entry.get("not_asked", []), municipality_map=entry.get("municipality_map"))
    assert ok, (out / "validation" / "report.md").read_text()
    responses = pd.read_parquet(out / "responses.parquet")
    exported = pd.read_csv(export, sep=";", dtype=str, keep_default_na=False)
    column = next(c for c, i in truth.items() if i == "det_income")
    assert responses["det_income"].tolist() == ["ja" if v else "nee" for v in exported[column]]


def test_a_municipality_s_own_sector_names_map_to_the_sectors(tmp_path):
    """Review r18d / helper d11: a tool's sector column in the municipality's own words
    ("Volksgezondheid", "Werk en inkomen", "Verkeer en vervoer", "Overig") shares no word with the
    study's labels; sectors.yaml's `aliases` name them, so the draft maps every value (by hand)."""
    from analysis.core.codebook import load_codebook
    from analysis.core.io.draft.columns import code_map, read_profiles
    from analysis.core.io.draft.matching import codebook_scorer

    book = load_codebook(CODEBOOK, SECTORS)
    sector = next(it for it in book.items if it.type == "sector")
    truth = {"Volksgezondheid": "vgz", "Werk en inkomen": "sociale_zaken", "Verkeer en vervoer": "mobiliteit",
             "Overig": "anders", "Volkshuisvesting": "wonen", "Wmo": "zorg", "Inburgering": "integratie",
             "Openbare orde en veiligheid": "veiligheid", "Onderwijs": "onderwijs", "Jeugdbeleid": "jeugd",
             "Sport en recreatie": "sport", "Ruimtelijke ordening": "ruimte", "Milieu": "milieu"}
    export = tmp_path / "export.csv"
    pd.DataFrame({"Q1 Beleidsterrein": list(truth) * 3}).to_csv(export, index=False)
    _, (profile,) = read_profiles(export)
    assert code_map(profile, sector, codebook_scorer(book)).codes == truth


# --- a Qualtrics-like export: the tool's own columns, a municipality code, bare question codes ---
TOOL_COLUMNS = ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
                "UserLanguage", "Ingevuld op"]  # the last: not a tool's name, but dates and times


def qualtrics_like_export(book, folder: Path, seed: int, n: int = 60):
    """The bare style's answers (tool_export) renamed as Qualtrics numbers them: a question per
    yes/no item (Q4, Q5, ...), Qn_1 … Qn_m for a list's members (multiple choice, a grid of
    yes / don't know / no); ResponseId, a municipality code named "gemcode", and the tool's own
    bookkeeping columns in front. (export, sheet, wave, truth column -> item id)."""
    export, sheet, wave, truth, _ = tool_export(book, folder, "bare", seed, n)
    frame = pd.read_csv(export, sep=";", dtype=str, keep_default_na=False).drop(columns=[NEW_QUESTION])
    names, question, previous = {}, 0, object()
    for column, item_id in truth.items():
        if item_id is None:
            continue
        item = book[item_id]
        if item.type == "id":
            names[column] = "ResponseId"
        elif item.type == "municipality":
            names[column] = "gemcode"
        elif item.block is None or item.answer_set == "yes_no":
            question += 1
            names[column] = f"Q{question}"
        else:
            if item.block != previous:
                question, member = question + 1, 0
            member += 1
            names[column] = f"Q{question}_{member}"
        previous = item.block
    frame = frame.rename(columns=names)
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-03-03 08:00") + pd.to_timedelta(np.sort(rng.integers(0, 86_400 * 14, n)), unit="s")
    seconds = rng.integers(300, 2_400, n)
    end = start + pd.to_timedelta(seconds, unit="s")
    stamp = lambda t: t.strftime("%Y-%m-%d %H:%M:%S")
    tool = pd.DataFrame({"StartDate": stamp(start), "EndDate": stamp(end), "Status": "IP Address", "Progress": "100",
                         "Duration (in seconds)": seconds.astype(str), "Finished": "True", "RecordedDate": stamp(end),
                         "UserLanguage": "NL", "Ingevuld op": end.strftime("%d-%m-%Y %H:%M")})
    frame = pd.concat([tool, frame], axis=1)
    frame.to_csv(export, sep=";", index=False)
    return export, sheet, wave, {names[c]: i for c, i in truth.items() if i is not None}


def test_qualtrics_like_bare_codes_tool_columns_and_municipality_code(book, tmp_path):
    """Review issue 18 / helper d12: no labels, bare codes. The tool's bookkeeping (timestamps,
    Status, Progress, ...) is proposed under `ignore:`, not as new questions; "gemcode" holding the
    sheet's ids is municipality_id; numbered runs (Q15_1 … Q15_10 of yes / don't know / no, option
    texts) align with their codebook blocks on values and numbering alone, single yes/no questions
    in the numbering's order: at least 90% of the item columns go to their own item."""
    export, sheet, wave, truth = qualtrics_like_export(book, tmp_path, 31)
    draft = draft_wave(export, book, wave, sheet, CODEBOOK, SECTORS)
    decisions = {d.column: d for d in draft.decisions}
    assert {c for c, _ in draft.ignored} == set(TOOL_COLUMNS)
    assert not {q.column for q in draft.new_questions} & set(TOOL_COLUMNS)
    assert decisions["gemcode"].item == "municipality_id" and decisions["ResponseId"].item == "respondent_id"
    items = {c: i for c, i in truth.items() if book[i].type not in ("id", "municipality")}
    right = [c for c, i in items.items() if decisions[c].item == i]
    assert len(right) >= 0.9 * len(items), {c: decisions[c].item for c in items if c not in right}
    entry = draft_entry_column_map(draft, book)
    assert set(entry["ignore"]) == set(TOOL_COLUMNS)


def draft_entry_column_map(draft, book) -> dict:
    """The column map as the draft writes it (what ingest reads: column_map.ignore)."""
    import yaml

    from analysis.core.io.draft.render import entry_yaml

    return yaml.safe_load(entry_yaml(draft, book))[draft.wave]["column_map"]
