import pytest
import yaml

from analysis.core.codebook import CodebookError, load_codebook

from conftest import ROOT


def test_every_item_of_the_design_is_in_the_codebook(book):
    expected = {"respondent_id", "municipality_id", "sector", "health_priority", "health_target_groups",
                "segv_tg_other", "det_care_quality", "collaborates", "collab_with_vgz", "form_common_goal",
                "pos_uniform_language", "neg_no_uniform_language", "pol_college_support", "pol_national_policy"}
    assert expected <= set(book.ids)


def test_answer_keys_keep_codebook_order(book):
    assert book["pos_clear_roles"].keys == ["ja", "weet_niet", "nee"]
    assert book["sector"].keys[0] == "vgz" and book["sector"].keys[-1] == "anders"


def test_skip_logic_is_read(book):
    assert book["health_tg_low_ses"].asked_if == {"health_target_groups": "ja"}
    assert book["segv_tg_low_ses"].asked_if == {"segv_work": "ja"}
    assert book.is_asked(book["form_common_goal"], {"collaborates": "ja"})
    assert not book.is_asked(book["form_common_goal"], {"collaborates": "nee"})


def test_vgz_is_counted_in_domain_2_so_that_section_4_2_2_gives_41(book):
    # Tabel VI.1 received: sociale zaken 8, integratie 8, zorg 11, VGZ 14 -> 41 (section 4.2.2)
    assert {s.id for s in book.sectors if s.domain == "2"} == {"vgz", "sociale_zaken", "integratie", "zorg"}


def _write_variant(tmp_path, mutate):
    data = yaml.safe_load((ROOT / "config" / "codebook.yaml").read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["items"][7].update(asked_if={"no_such_item": "ja"}), "not an earlier item"),
    (lambda d: d["items"][7].update(asked_if={"health_work": "misschien"}), "is not an answer"),
    (lambda d: d["items"][7].update(answer_set="nope"), "answer_set 'nope'"),
    (lambda d: d["items"].append(dict(d["items"][7])), "defined twice"),
])
def test_inconsistent_codebook_is_refused_naming_the_item(tmp_path, mutate, message):
    with pytest.raises(CodebookError, match=message):
        load_codebook(_write_variant(tmp_path, mutate), ROOT / "config" / "sectors.yaml")
