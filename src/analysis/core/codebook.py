"""The questionnaire codebook (config/codebook.yaml) and sector list (config/sectors.yaml).

Everything that knows an item, an answer code, a label or a skip rule asks this module. Loading
checks the codebook's own consistency, so a typo in the YAML fails early with the item named.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

ITEM_TYPES = {"id", "wave", "municipality", "sector", "number", "categorical"}


class CodebookError(ValueError):
    """The codebook or sector list contradicts itself."""


@dataclass(frozen=True)
class Answer:
    code: int
    key: str
    nl: str
    en: str

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
    required: bool = True
    min: float | None = None
    max: float | None = None
    published: tuple[dict, ...] = ()
    only_in_waves: tuple[str, ...] = ()  # empty: asked in every wave
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


def _answers(raw: list[dict], where: str) -> tuple[Answer, ...]:
    answers = tuple(Answer(int(a["code"]), str(a["key"]), str(a["nl"]), str(a["en"])) for a in raw)
    for attr in ("code", "key"):
        values = [getattr(a, attr) for a in answers]
        if len(set(values)) != len(values):
            raise CodebookError(f"{where}: duplicate answer {attr}s {values}")
    return answers


def load_codebook(codebook_path: str | Path, sectors_path: str | Path) -> Codebook:
    """Read and cross-check the codebook and the sector list."""
    cb = yaml.safe_load(Path(codebook_path).read_text(encoding="utf-8"))
    sc = yaml.safe_load(Path(sectors_path).read_text(encoding="utf-8"))
    answer_sets = {name: _answers(raw, f"answer set {name}") for name, raw in cb["answer_sets"].items()}
    sectors = tuple(
        Sector(s["id"], int(s["code"]), s["nl"], s["en"], str(s["domain"]), s["class"]) for s in sc["sectors"]
    )
    sector_answers = tuple(Answer(s.code, s.id, s.nl, s.en) for s in sectors)
    known = {"id", "type", "nl", "en", "answer_set", "asked_if", "block", "required", "min", "max", "published", "only_in_waves"}

    items: list[Item] = []
    for raw in cb["items"]:
        iid = raw.get("id", "?")
        if raw.get("type") not in ITEM_TYPES:
            raise CodebookError(f"item {iid}: type {raw.get('type')!r} is not one of {sorted(ITEM_TYPES)}")
        if raw["type"] == "categorical":
            if raw.get("answer_set") not in answer_sets:
                raise CodebookError(f"item {iid}: answer_set {raw.get('answer_set')!r} is not defined")
            answers = answer_sets[raw["answer_set"]]
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
                min=raw.get("min"),
                max=raw.get("max"),
                published=tuple(raw.get("published") or ()),
                only_in_waves=tuple(raw.get("only_in_waves") or ()),
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
