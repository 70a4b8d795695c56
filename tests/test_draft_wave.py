"""The wave draft (core/io/draft): column -> item, code maps, not asked, new questions, sheet map,
checked against the demo wave's hand-written config and against field-like exports whose truth
the generator knows (fixtures/field_wave.py)."""
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT, codebook_with_additions

import analysis.fixtures.demo_wave as D
from analysis.core.codebook import load_codebook
from analysis.core.io.draft.proposal import draft_wave
from analysis.core.io.draft.render import SHEET_MAP_KEY, entry_yaml
from analysis.core.io.draft.text import Scorer, word_similarity
from analysis.core.io.draft_wave import DraftError, check_out_dir, main, write_draft
from analysis.core.validate import run_validation
from analysis.fixtures.field_wave import make_field_wave

CODEBOOK, SECTORS = ROOT / "config" / "codebook.yaml", ROOT / "config" / "sectors.yaml"
DEMO = ROOT / "data" / "raw" / D.WAVE


def _draft(book, export, wave, sheet=None, codebook=CODEBOOK):
    return draft_wave(export, book, wave, sheet, codebook, SECTORS)


# --- the scorer ------------------------------------------------------------------------------


def test_word_similarity_forgives_typos_and_abbreviations_not_opposites():
    assert word_similarity("overlegvromen", "overlegvormen") > 0.5  # two letters swapped
    assert word_similarity("soc", "sociale", True) == 0.85  # "Soc. zaken"
    assert word_similarity("aanwezigheid", "afwezigheid") < word_similarity("overlegvromen", "overlegvormen")
    assert word_similarity("gezondheid", "gezondheidsachterstanden") == 0.0  # another word, not a typo


def test_label_scores_highest_against_its_own_text():
    texts = ["Aanwezigheid van structurele overlegvormen", "Afwezigheid van structurele overlegvormen",
             "Voldoende beschikbaarheid van middelen", "Onvoldoende beschikbaarheid van middelen"]
    s = Scorer(texts)
    assert s.score("Aanwezigheid van structurele overlegvromen", texts[0]) > s.score("Aanwezigheid van structurele overlegvromen", texts[1])
    assert s.score("Voldoende middelen", texts[2]) > s.score("Voldoende middelen", texts[3])
    assert s.score("Soc. zaken", "Sociale zaken") > 0.9
    # a question text around the option is explained by the context, not held against it
    assert s.score("Met welke groepen? - Allochtonen", "Allochtonen", "Met welke groepen wordt rekening gehouden") > 0.9


# --- the demo wave ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_draft(book):
    return _draft(book, DEMO / "responses.sav", D.WAVE, DEMO / "municipalities.csv")


def test_demo_draft_reproduces_the_hand_written_config(book, demo_draft):
    truth = D.config_entry(book)
    exported = set(demo_draft.profiles)
    expected = {tool: item for tool, item in truth["column_map"]["columns"].items() if tool in exported}
    assert demo_draft.columns == expected
    for scope, table in truth["column_map"]["codes"].items():
        assert demo_draft.codes[scope] == {str(c): k for c, k in table.items()}, scope
    assert sorted(i for i, _, _ in demo_draft.not_asked) == sorted(D.NOT_ASKED)
    assert not demo_draft.new_questions
    # the two lists of the same target groups are told apart by column order only: flagged
    low = {d.column for d in demo_draft.decisions if d.confidence == "low"}
    assert {"Q4_4_1", "Q4_7_1"} <= low


def test_demo_sheet_already_canonical_needs_no_map(book, demo_draft):
    import jsonschema

    assert all(s.target == s.column and not s.values for s in demo_draft.sheet_decisions)
    text = entry_yaml(demo_draft, book)
    assert SHEET_MAP_KEY not in text
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    cfg["waves"] = yaml.safe_load(text)  # the draft as written is a valid config entry
    jsonschema.validate(cfg, schema)


def test_question_missing_from_the_codebook_becomes_a_valid_stanza(book, tmp_path):
    raw = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    raw["items"] = [it for it in raw["items"] if it["id"] != D.EXTRA_ITEM]
    smaller = tmp_path / "codebook.yaml"
    smaller.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    draft = _draft(load_codebook(smaller, SECTORS), DEMO / "responses.sav", D.WAVE, codebook=smaller)
    [new] = draft.new_questions
    assert new.column == "Q4_9" and new.valid == ""
    assert new.stanza["answer_set"] == "yes_dk_no" and new.stanza["only_in_waves"] == [D.WAVE]
    assert new.stanza["nl"] == book[D.EXTRA_ITEM].nl


def test_new_follow_up_question_gets_its_skip_rule(book, tmp_path):
    """Without pos_clear_roles in the codebook, its column is a new question asked only of those
    who collaborate, and it does not take its negative twin's item (one column per item)."""
    raw = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    raw["items"] = [it for it in raw["items"] if it["id"] != "pos_clear_roles"]
    smaller = tmp_path / "codebook.yaml"
    smaller.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    draft = _draft(load_codebook(smaller, SECTORS), DEMO / "responses.sav", D.WAVE, codebook=smaller)
    [new] = draft.new_questions
    assert new.column == "Q6_1_3" and new.valid == ""
    assert new.stanza["asked_if"] == {"collaborates": "ja"} and new.stanza["answer_set"] == "yes_dk_no"
    assert draft.columns["Q6_2_3"] == "neg_unclear_roles" and draft.columns["Q6_1_4"] == "pos_sufficient_resources"


def test_canonical_export_needs_no_code_map_and_nothing_to_check(book):
    """The 2009 export uses codebook ids and codes: every column maps to itself, confidently."""
    draft = _draft(book, ROOT / "data/raw/rivm2009/responses.csv", "rivm2009", ROOT / "data/raw/rivm2009/municipalities.csv")
    assert all(d.column == d.item for d in draft.decisions) and not draft.new_questions
    assert draft.codes == {} and draft.low == set()


# --- field-like exports ----------------------------------------------------------------------

CASES = [("spss_v", 6), ("spss_q", 6), ("csv_dutch", 4)]  # 6: two lists of the same options, columns shuffled


@pytest.mark.parametrize("style,seed", CASES)
def test_field_like_export_is_drafted_correctly(book, tmp_path, style, seed):
    truth = make_field_wave(book, tmp_path, seed, style)
    draft = _draft(book, truth.export, truth.wave, truth.sheet)
    got = {d.column: d.item for d in draft.decisions}
    wrong = {c for c, item in truth.columns.items() if got.get(c) != item}
    assert 1 - len(wrong) / len(truth.columns) >= 0.9, wrong
    low = {d.column for d in draft.decisions if d.confidence == "low"}
    assert wrong <= low, f"wrong but not flagged: {wrong - low}"
    # every code map right (user-missing -> null), for every code the file holds or labels
    for scope, table in truth.codes.items():
        columns = [draft.profiles[c] for c, i in truth.columns.items() if i and (book[i].answer_set or book[i].type) == scope]
        in_file = set().union(*({*p.values, *p.value_labels, *p.user_missing} for p in columns))
        table = {c: k for c, k in table.items() if c in in_file}
        assert {c: draft.codes[scope].get(c, "absent") for c in table} == table, scope
    [new] = draft.new_questions
    assert truth.columns[new.column] is None and new.valid == ""
    assert set(truth.not_asked) <= {i for i, _, _ in draft.not_asked}
    sheet = {s.column: s.target for s in draft.sheet_decisions}
    assert sheet == truth.sheet_columns
    values = {s.target: s.values for s in draft.sheet_decisions if s.values}
    assert values == truth.sheet_values  # klein -> small, ja -> yes


def test_codes_without_any_label_are_guessed_and_flagged(book, tmp_path):
    """An .xlsx of bare numbers: columns still match on their names, but which sector a code
    means cannot be known: every code line that is wrong is a low-confidence line."""
    truth = make_field_wave(book, tmp_path, 3, "xlsx_codes")
    draft = _draft(book, truth.export, truth.wave, truth.sheet)
    got = {d.column: d.item for d in draft.decisions}
    assert sum(got.get(c) == i for c, i in truth.columns.items()) / len(truth.columns) >= 0.9
    low_codes = {(c.scope, c.code) for c in draft.code_decisions if c.confidence == "low"}
    wrong_codes = {(scope, code) for scope, table in truth.codes.items() for code, key in table.items()
                   if code in draft.codes.get(scope, {}) and draft.codes[scope][code] != key}
    assert wrong_codes and wrong_codes <= low_codes
    assert ("yes_no", "1") in low_codes  # right, but a guess all the same


def _apply_sheet_map(sheet: Path, entry: dict, out: Path) -> Path:
    """What the sheet's column_map will do once validation reads it (issue 14): here by hand."""
    m = entry[SHEET_MAP_KEY]
    frame = pd.read_csv(sheet, dtype=str).rename(columns=m["columns"])
    for col, table in (m.get("codes") or {}).items():
        frame[col] = frame[col].map(lambda v, t=table: t.get(v, v))
    frame.to_csv(out, index=False)
    return out


def test_draft_as_written_builds_or_fails_on_its_low_lines(book, tmp_path):
    truth = make_field_wave(book, tmp_path / "raw", 5, "spss_q", nonresponse=0.0)
    draft = _draft(book, truth.export, truth.wave, truth.sheet)
    files = write_draft(draft, book, tmp_path / "draft")
    assert [f.name for f in files] == ["draft_config.yaml", "codebook_additions.yaml", "review.md", "decisions.csv"]
    entry = yaml.safe_load(files[0].read_text(encoding="utf-8"))[truth.wave]
    sheet = _apply_sheet_map(truth.sheet, entry, tmp_path / "sheet.csv")

    def run(codebook_book, name):
        out = tmp_path / name
        out.mkdir()
        return run_validation(truth.wave, str(truth.export), str(sheet), codebook_book, entry["column_map"], out / "validation",
                              out / "responses.parquet", out / "municipalities.csv", entry.get("not_asked", []))

    # as written, before the new question's stanza is in the codebook: validation fails, and
    # every problem names a column the draft marked low-confidence
    ok, _ = run(book, "before")
    assert not ok
    failures = pd.read_csv(tmp_path / "before" / "validation" / "failures.csv", dtype=str)
    flagged = {line.split(" (")[0] for line in failures["column"]}
    assert flagged and flagged <= draft.low, flagged - draft.low
    # with the stanza of codebook_additions.yaml added, the wave builds
    additions = yaml.safe_load(files[1].read_text(encoding="utf-8"))
    ok, _message = run(load_codebook(codebook_with_additions(files[1], tmp_path), SECTORS), "after")
    assert ok, (tmp_path / "after" / "validation" / "report.md").read_text()
    responses = pd.read_parquet(tmp_path / "after" / "responses.parquet")
    assert len(responses) == 60 and additions["items"][0]["id"] in responses


def test_review_page_lists_low_confidence_first(book, tmp_path):
    truth = make_field_wave(book, tmp_path, 2, "spss_v")
    draft = _draft(book, truth.export, truth.wave, truth.sheet)
    files = write_draft(draft, book, tmp_path / "out")
    review = files[2].read_text(encoding="utf-8")
    rows = [line for line in review.split("## Columns")[1].split("\n## ")[0].splitlines() if line.startswith("| ") and "`" in line]
    levels = [r.split("|")[1].strip() for r in rows]
    assert len(rows) == len(draft.decisions)
    assert levels == sorted(levels, key=["low", "medium", "high"].index)
    assert all(f"`{c}`" in review for c in truth.columns)


def test_draft_is_never_written_into_config_or_raw_data(tmp_path, capsys):
    for folder in ("config", "data/raw", "data/raw/my-wave"):
        with pytest.raises(DraftError, match="never written"):
            check_out_dir(tmp_path / folder, tmp_path)
    check_out_dir(tmp_path / "results" / "draft", tmp_path)  # fine
    code = main([str(DEMO / "responses.sav"), "--out", str(ROOT / "config" / "draft"),
                 "--codebook", str(CODEBOOK), "--sectors", str(SECTORS)])
    assert code == 2 and "never written into config/" in capsys.readouterr().err
    assert not (ROOT / "config" / "draft").exists()


def test_unreadable_export_is_one_clear_message(tmp_path, capsys):
    bad = tmp_path / "export.sav"
    bad.write_bytes(b"not spss")
    code = main([str(bad), "--out", str(tmp_path / "out"), "--codebook", str(CODEBOOK), "--sectors", str(SECTORS)])
    assert code == 2 and str(bad) in capsys.readouterr().err


def test_out_dash_prints_the_entry(capsys):
    code = main([str(DEMO / "responses.sav"), "--out", "-", "--codebook", str(CODEBOOK), "--sectors", str(SECTORS)])
    entry = yaml.safe_load(capsys.readouterr().out)
    assert code == 0 and entry[D.WAVE]["column_map"]["columns"]["Q5_1"] == "collaborates"


def test_values_that_match_no_answer_are_listed_in_the_draft_entry(book, tmp_path):
    """Job titles of the tool's own (issue 14's field-like export) are written where the user
    completes the code map, as comments: a map to an answer, or a category of the wave."""
    import analysis.fixtures.field_export as F

    F.write_field_wave(book, tmp_path)
    draft = _draft(book, tmp_path / "responses.sav", F.WAVE, tmp_path / "gemeenten.xlsx")
    entry = entry_yaml(draft, book)
    for title in ("Projectleider", "Manager"):  # the codebook's function list has neither
        assert f"        # {title}: ?  # LOW: matches no answer; map it to one, or add it as a category of this wave" in entry
    assert yaml.safe_load(entry)[F.WAVE]["column_map"]["codes"]["function"].get("Projectleider") is None


def test_items_without_a_column_are_not_sure_while_unlabelled_columns_matched_nothing(book, tmp_path, fixture_export):
    # a CSV of a tool with bare question codes (Q00, Q05_1, ...; no labels) matched nothing: the
    # draft marked every codebook item "not_asked  # high", and the README says to check only LOW
    # lines. With columns it could not read, "this item is not in the export" is a guess.
    bare = fixture_export.drop(columns=["wave"])
    bare.columns = ["id"] + [f"Q{i:02d}_SQ{i:03d}" for i in range(1, len(bare.columns))]
    path = tmp_path / "export.csv"
    bare.to_csv(path, index=False, sep=";")
    draft = _draft(book, path, "synthetic-bare")
    blind = [d.column for d in draft.decisions if d.item is None and d.text == 0]
    assert blind  # the premise: columns with nothing to compare by name
    sure = [item for item, confidence, _ in draft.not_asked if confidence != "low"]
    assert not sure, sure
    assert all("whose name or label resembles no item" in note for _, _, note in draft.not_asked)
