"""The questionnaire codebook (config/codebook.yaml) and sector list (config/sectors.yaml).

Everything that knows an item, an answer code, a label or a skip rule asks this module. Loading
checks the codebook's own consistency, so a typo in the YAML fails early with the item named.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from analysis.core.io.yaml_keys import DuplicateKeyError, load_yaml

ITEM_TYPES = {"id", "wave", "municipality", "sector", "number", "categorical"}
# Items that identify a respondent and the units of every table: always answered, whatever the
# item-nonresponse policy (a respondent without municipality or sector cannot be placed anywhere).
STRUCTURAL_TYPES = {"id", "municipality", "sector"}
# Item nonresponse (asked, not answered): accepted and counted, or an error (an export in which an
# empty cell means a broken export). Default: accept.
NONRESPONSE_POLICIES = ("accept", "error")


class CodebookError(ValueError):
    """The codebook or sector list contradicts itself."""


@dataclass(frozen=True)
class Answer:
    code: int
    key: str
    nl: str
    en: str
    # other words survey tools use for this answer (config/sectors.yaml `aliases`: "Volksgezondheid"
    # for VGZ); only the draft of a new wave's config reads them (io/draft), never validation
    aliases: tuple[str, ...] = ()

    def label(self, language: str = "nl") -> str:
        return self.nl if language == "nl" else self.en


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    nl: str
    en: str
    answers: tuple[Answer, ...] = ()
    answer_set: str | None = None
    asked_if: dict[str, str] = field(default_factory=dict)
    block: str | None = None
    required: bool = True  # the column must be in the export (False only for `wave`)
    item_nonresponse: str | None = None  # accept | error; None: the wave's policy decides
    min: float | None = None
    max: float | None = None
    published: tuple[dict, ...] = ()
    only_in_waves: tuple[str, ...] = ()  # empty: asked in every wave
    wave_answers: tuple[str, ...] = ()  # keys of the answer categories the wave added (config `categories`)
    extra: dict = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """Answer keys in codebook order: the category order of every output."""
        return [a.key for a in self.answers]

    def label(self, language: str = "nl") -> str:
        return self.nl if language == "nl" else self.en

    def answer_label(self, key: str, language: str = "nl") -> str:
        for a in self.answers:
            if a.key == key:
                return a.label(language)
        raise KeyError(f"{self.id}: no answer {key!r}")

    def in_table(self, table: str) -> dict | None:
        """The item's `published` entry for Tabel `table` (not a figure of the same number:
        the report has both a Tabel 4.1 and a Figuur 4.1)."""
        return next((p for p in self.published if str(p.get("table")) == table), None)

    def in_figure(self, figure: str) -> bool:
        return any(str(p.get("figure")) == figure for p in self.published)


@dataclass(frozen=True)
class Sector:
    id: str
    code: int
    nl: str
    en: str
    domain: str
    social_class: str


@dataclass(frozen=True)
class Codebook:
    items: tuple[Item, ...]
    sectors: tuple[Sector, ...]
    domains: dict[str, dict]
    blocks: dict[str, dict]
    hub: str = ""  # config/sectors.yaml `hub`: the sector the study looks out from ("" = the first)
    compared_domains: tuple[str, ...] = ()  # config/sectors.yaml: domains compared side by side (() = all)

    @property
    def hub_sector(self) -> Sector:
        """The hub sector (Figuur 5.1's centre; first row of Tabel 3.1)."""
        return self.sector(self.hub) if self.hub else self.sectors[0]

    @property
    def domains_compared(self) -> list[str]:
        """The VNG domains drawn side by side (Figuur 4.1), in sectors.yaml order."""
        return [d for d in self.domains if not self.compared_domains or d in self.compared_domains]

    @property
    def feedback_blocks(self) -> list[str]:
        """The blocks shown on the municipality feedback pages (codebook `feedback: true`)."""
        return [name for name, spec in self.blocks.items() if spec.get("feedback")]

    def __getitem__(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(f"item {item_id!r} is not in the codebook")

    def __contains__(self, item_id: str) -> bool:
        return any(it.id == item_id for it in self.items)

    @property
    def ids(self) -> list[str]:
        return [it.id for it in self.items]

    @property
    def coded_items(self) -> list[Item]:
        """Items whose values come from a closed answer list (incl. sector)."""
        return [it for it in self.items if it.answers]

    def block(self, name: str) -> list[Item]:
        return [it for it in self.items if it.block == name]

    def sector(self, sector_id: str) -> Sector:
        for s in self.sectors:
            if s.id == sector_id:
                return s
        raise KeyError(f"sector {sector_id!r} is not in config/sectors.yaml")

    def items_in_wave(self, wave: str, not_asked: list[str] | tuple = ()) -> list[Item]:
        """The items a wave's questionnaire contained.

        An item is left out when the wave's config lists it as not asked, when the codebook
        restricts it to other waves (`only_in_waves`), or when the item it depends on (asked_if)
        was left out: a follow-up question cannot be asked without its lead question.
        """
        unknown = set(not_asked) - set(self.ids)
        if unknown:
            raise CodebookError(f"wave {wave}: not_asked names items not in the codebook: {sorted(unknown)}")
        kept: list[Item] = []
        for it in self.items:
            if it.id in not_asked or (it.only_in_waves and wave not in it.only_in_waves):
                continue
            if all(parent in {k.id for k in kept} for parent in it.asked_if):
                kept.append(it)
        return kept

    def for_wave(self, wave: str, not_asked: list[str] | tuple = ()) -> "Codebook":
        """The codebook as one wave's questionnaire: only the items it contained."""
        return replace(self, items=tuple(self.items_in_wave(wave, not_asked)))

    def is_asked(self, item: Item, answers: dict) -> bool:
        """Whether `item` was asked of a respondent whose answer keys are `answers`."""
        return all(answers.get(parent) == key for parent, key in item.asked_if.items())


def nonresponse_policy(wave_setting) -> tuple[str, dict[str, str]]:
    """A wave's `item_nonresponse` (accept | error, or {default: ..., <item id>: ...}) as
    (default, per item); checked, so a misspelt policy is named rather than ignored."""
    if wave_setting is None or isinstance(wave_setting, str):
        return _policy(wave_setting, "wave config") or "accept", {}
    per_item = {str(k): _policy(v, f"wave config item_nonresponse.{k}") for k, v in dict(wave_setting).items()}
    return per_item.pop("default", None) or "accept", per_item


def answer_compulsory(item: Item, wave_setting=None) -> bool:
    """Whether an asked item must be answered: always for the items that place a respondent
    (id, municipality, sector); else the wave's policy for the item, the codebook's, the wave's
    default, in that order (default accept: item nonresponse is data)."""
    if item.type in STRUCTURAL_TYPES:
        return True
    if item.type == "wave" or not item.required:
        return False
    default, per_item = nonresponse_policy(wave_setting)
    return (per_item.get(item.id) or item.item_nonresponse or default) == "error"


def _answers(raw: list[dict], where: str) -> tuple[Answer, ...]:
    answers = tuple(Answer(int(a["code"]), str(a["key"]), str(a["nl"]), str(a["en"])) for a in raw)
    return _answers_checked(answers, where)


def _policy(value, where: str) -> str | None:
    if value is not None and value not in NONRESPONSE_POLICIES:
        raise CodebookError(f"{where}: item_nonresponse {value!r} is not one of {list(NONRESPONSE_POLICIES)}")
    return value


def _extra_answers(raw: list[dict], base: tuple[Answer, ...], iid: str) -> tuple[Answer, ...]:
    """Answer categories a wave adds to an item: after the codebook's own, codes numbered on."""
    next_code = max((a.code for a in base), default=0) + 1
    extra = []
    for i, a in enumerate(raw):
        if not isinstance(a, dict) or "key" not in a:
            raise CodebookError(f"item {iid}: a wave category needs at least a key, got {a!r}")
        key = str(a["key"])
        extra.append(Answer(int(a.get("code", next_code + i)), key, str(a.get("nl", key)), str(a.get("en", a.get("nl", key)))))
    return _answers_checked(base + tuple(extra), f"item {iid} with the wave's own categories")[len(base):]


def _answers_checked(answers: tuple[Answer, ...], where: str) -> tuple[Answer, ...]:
    for attr in ("code", "key"):
        values = [getattr(a, attr) for a in answers]
        if len(set(values)) != len(values):
            raise CodebookError(f"{where}: duplicate answer {attr}s {values}")
    return answers


def wave_slice(raw: dict, wave: str, categories: dict | None = None) -> dict:
    """The part of the codebook (as parsed YAML) that one wave's outputs depend on.

    Items restricted to other waves (`only_in_waves`) are left out, and with them the answer sets
    and blocks nobody else uses; the wave's own answer categories (config `categories`) are added
    to their items. Items the wave lists as `not_asked` stay: its tables show them as "not asked".
    Written per wave (only when it changes), this is what a wave's rules depend on, so adding a
    question for one wave reruns that wave and not the others.
    """
    items = [dict(it) for it in raw.get("items", [])
             if not it.get("only_in_waves") or wave in it.get("only_in_waves")]
    for item_id, spec in (categories or {}).items():
        found = [it for it in items if it.get("id") == item_id]
        if not found:
            raise CodebookError(f"wave {wave}: categories names {item_id!r}, which is not an item of its questionnaire")
        if found[0].get("type") != "categorical":
            raise CodebookError(f"wave {wave}: categories for {item_id!r}: only a categorical item can have its own categories")
        found[0]["extra_answers"] = list((spec or {}).get("add") or [])
    used_sets = {it.get("answer_set") for it in items}
    used_blocks = {it.get("block") for it in items}
    out = {k: v for k, v in raw.items() if k not in ("items", "answer_sets", "blocks")}
    out["answer_sets"] = {k: v for k, v in (raw.get("answer_sets") or {}).items() if k in used_sets}
    out["blocks"] = {k: v for k, v in (raw.get("blocks") or {}).items() if k in used_blocks}
    out["items"] = items
    return out


def load_codebook(codebook_path: str | Path, sectors_path: str | Path, wave: str | None = None,
                  categories: dict | None = None) -> Codebook:
    """Read and cross-check the codebook and the sector list; with `wave`, only that wave's slice
    (see wave_slice), its own categories (`categories`, the wave config's) included."""
    try:
        cb = load_yaml(codebook_path)  # a key given twice is refused, not silently the last one
    except DuplicateKeyError as err:
        raise CodebookError(str(err)) from None
    if wave is not None:
        cb = wave_slice(cb, wave, categories)
    try:
        sc = load_yaml(sectors_path)
    except DuplicateKeyError as err:
        raise CodebookError(str(err)) from None
    answer_sets = {name: _answers(raw, f"answer set {name}") for name, raw in cb["answer_sets"].items()}
    sectors = tuple(
        Sector(s["id"], int(s["code"]), s["nl"], s["en"], str(s["domain"]), s["class"]) for s in sc["sectors"]
    )
    sector_answers = tuple(Answer(s.code, s.id, s.nl, s.en, tuple(str(a) for a in raw.get("aliases", ())))
                           for s, raw in zip(sectors, sc["sectors"]))
    known = {"id", "type", "nl", "en", "answer_set", "asked_if", "block", "required", "min", "max", "published",
             "only_in_waves", "item_nonresponse", "extra_answers"}

    items: list[Item] = []
    for raw in cb["items"]:
        iid = raw.get("id", "?")
        if raw.get("type") not in ITEM_TYPES:
            raise CodebookError(f"item {iid}: type {raw.get('type')!r} is not one of {sorted(ITEM_TYPES)}")
        if raw["type"] == "categorical":
            if raw.get("answer_set") not in answer_sets:
                raise CodebookError(f"item {iid}: answer_set {raw.get('answer_set')!r} is not defined")
            # a wave's own categories (wave config `categories`, put here by wave_slice)
            answers = answer_sets[raw["answer_set"]] + _extra_answers(raw.get("extra_answers") or [],
                                                                    answer_sets[raw["answer_set"]], iid)
        elif raw["type"] == "sector":
            answers = sector_answers
        else:
            answers = ()
        items.append(
            Item(
                id=iid,
                type=raw["type"],
                nl=raw["nl"],
                en=raw["en"],
                answers=answers,
                answer_set=raw.get("answer_set"),
                asked_if={k: str(v) for k, v in (raw.get("asked_if") or {}).items()},
                block=raw.get("block"),
                required=raw.get("required", True),
                item_nonresponse=_policy(raw.get("item_nonresponse"), f"item {iid}"),
                min=raw.get("min"),
                max=raw.get("max"),
                published=tuple(raw.get("published") or ()),
                only_in_waves=tuple(raw.get("only_in_waves") or ()),
                wave_answers=tuple(str(a["key"]) for a in raw.get("extra_answers") or ()),
                extra={k: v for k, v in raw.items() if k not in known},
            )
        )
    book = Codebook(tuple(items), sectors, sc["domains"], cb.get("blocks", {}), str(sc.get("hub") or ""),
                    tuple(str(d) for d in sc.get("compared_domains") or ()))
    _check_references(book)
    return book


def _check_references(book: Codebook) -> None:
    seen: set[str] = set()
    for it in book.items:
        if it.id in seen:
            raise CodebookError(f"item {it.id} is defined twice")
        seen.add(it.id)
        for parent, key in it.asked_if.items():
            if parent not in seen:
                raise CodebookError(f"item {it.id}: asked_if names {parent!r}, which is not an earlier item")
            if key not in book[parent].keys:
                raise CodebookError(f"item {it.id}: asked_if {parent}={key!r} is not an answer of {parent}")
        if it.block and it.block not in book.blocks:
            raise CodebookError(f"item {it.id}: block {it.block!r} is not declared under blocks")
    if book.hub and book.hub not in {s.id for s in book.sectors}:
        raise CodebookError(f"config/sectors.yaml: hub {book.hub!r} is not one of the sectors listed there")
    unknown = set(book.compared_domains) - set(book.domains)
    if unknown:
        raise CodebookError(f"config/sectors.yaml: compared_domains {sorted(unknown)} are not declared under domains")
    for s in book.sectors:
        if s.domain not in book.domains:
            raise CodebookError(f"sector {s.id}: domain {s.domain!r} is not declared under domains")
