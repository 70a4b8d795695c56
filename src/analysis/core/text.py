"""Every word the survey engine writes for a reader, in Dutch and English: cell statuses, the
disclosure notes, the notes that say a wave's data are invented or reconstructed, and the
cross-wave chapter. The publication layer's words are in analysis/publication/text.py (core may
not import it); it takes the status words from here.
"""
from __future__ import annotations

from analysis.core.vocabulary import BASE_0, NOT_ASKED

# Cell statuses (vocabulary.py) and the cross-wave statuses, as a reader sees them.
STATUS_WORDS = {
    "nl": {NOT_ASKED: "niet gevraagd", BASE_0: "basis 0", "suppressed": "onderdrukt",
           "no respondents": "geen respondenten", "not estimable": "niet schatbaar"},
    "en": {NOT_ASKED: "not asked", BASE_0: "base 0", "suppressed": "suppressed",
           "no respondents": "no respondents", "not estimable": "not estimable"},
}

# Small-cell protection: what the marks mean, and the line every public or restricted output carries.
DISCLOSURE_WORDS = {
    "nl": {"marks": "'< {k}' = minder dan {k} respondenten, niet getoond; '×' = verborgen zodat zo'n cel niet uit totalen te herleiden is",
           "restricted": "Vertrouwelijk (restricted): kan cellen met minder dan {k} respondenten bevatten; niet voor publicatie",
           "public": "Openbaar (public): geen cel met minder dan {k} respondenten getoond of te herleiden",
           "keep_group": "Gemeenten met {q} of meer respondenten houden hun eigen rijen (keep_group); daarvoor zijn "
                         "totalen per grootteklasse verborgen (×) die zonder die regel getoond waren"},
    "en": {"marks": "'< {k}' = fewer than {k} respondents, not shown; '×' = hidden so that such a cell cannot be recomputed from totals",
           "restricted": "Restricted: may contain cells of fewer than {k} respondents; not for publication",
           "public": "Public: no cell of fewer than {k} respondents is shown or recomputable",
           "keep_group": "Municipalities of {q} or more respondents keep their own rows (keep_group); for that, "
                         "size-class totals are hidden (×) that would be shown without the rule"},
}


# The one text per kind of non-original data, in the three lengths its outputs have room for:
# `note` under every table and on the feedback pages, `banner` at the top and bottom of
# report.html, `figure` in a figure's footer.
DATA_NOTES = {
    "nl": {
        "synthetic": {
            "note": "Synthetische gegevens (verzonnen, voor tests en demonstratie): niet de gegevens van het RIVM-onderzoek.",
            "banner": "SYNTHETISCHE GEGEVENS: verzonnen, niet de gegevens van het RIVM-onderzoek.",
            "figure": "SYNTHETISCHE GEGEVENS (verzonnen, niet de RIVM-data)",
        },
        "reconstructed": {
            "note": "Gereconstrueerde microdata (herbouwd uit de gepubliceerde tabellen; wat die niet vastleggen is vrij "
                    "gekozen, zie RECONSTRUCTION.md), niet de originele gegevens.",
            "banner": "GERECONSTRUEERDE GEGEVENS: uit de gepubliceerde tabellen herbouwd; wat die niet vastleggen is vrij "
                      "gekozen (RECONSTRUCTION.md bij de ruwe gegevens). Niet de originele RIVM-microdata.",
            "figure": "Gereconstrueerde microdata (gepubliceerde tabellen + vrije keuzes, zie RECONSTRUCTION.md), "
                      "niet de originele gegevens",
        },
    },
    "en": {
        "synthetic": {
            "note": "Synthetic data (invented, for tests and demonstration): not the RIVM study's data.",
            "banner": "SYNTHETIC DATA: invented, not the data of the RIVM study.",
            "figure": "SYNTHETIC DATA (invented, not the RIVM data)",
        },
        "reconstructed": {
            "note": "Reconstructed microdata (rebuilt from the published tables; what they do not fix was chosen freely, "
                    "see RECONSTRUCTION.md), not the original data.",
            "banner": "RECONSTRUCTED DATA: rebuilt from the published tables; what they do not fix was chosen freely "
                      "(RECONSTRUCTION.md beside the raw data). Not the original RIVM microdata.",
            "figure": "Reconstructed microdata (published tables + free choices, see RECONSTRUCTION.md), "
                      "not the original data",
        },
    },
}
DATA_NOTE_SEPARATOR = {"note": " ", "banner": " ", "figure": "; "}


def data_note(language: str = "nl", synthetic: bool = False, reconstructed: bool = False, form: str = "note") -> str:
    """What every output of an invented or reconstructed wave says about its data ("" for real
    data), in the `form` the output has room for (note, banner or figure)."""
    kinds = [kind for kind, flag in (("synthetic", synthetic), ("reconstructed", reconstructed)) if flag]
    return DATA_NOTE_SEPARATOR[form].join(DATA_NOTES[language][kind][form] for kind in kinds)


# --- the cross-wave chapter and report (analysis/core/waves/rendering.py) ---------------------------
# In the label language; the CSV outputs keep English status words (they are data, read by code as
# well as people).

CHAPTER_TEXT = {
    "en": {"chapter": "Compared with earlier waves", "wave": "Wave", "first": "This is the first valid wave: there "
           "is no earlier wave to compare with.", "earlier": "Earlier waves", "skipped": "Earlier wave {wave} failed "
           "validation and is not compared (see {report}).", "within": "Within this wave", "indicator": "indicator",
           "unit": "unit", "everyone": "all respondents", "no_respondents": "no respondents",
           "pair": "waves (later - earlier)", "difference": "difference", "ci": "95% CI", "to": "to",
           "restricted": "Includes restricted wave(s) {waves}: cells of few respondents may appear. Not for publication.",
           "of": "of", "vs": "vs", "pp": "percentage points", "caveat": "Caveat: the respondents come from {caveat}, "
           "so this describes these municipalities and is no estimate for all Dutch municipalities.",
           "other_than": "other than", "title": "Survey waves compared", "main": "Main indicators per wave",
           "between": "Differences between waves", "gee": "Indicators by wave and VNG domain (GEE)",
           "each": "Within each wave", "methods": "Methods", "included": "Included waves (in fielding order)",
           "not_original": "Synthetic waves are invented data; reconstructed waves are rebuilt from published tables. "
           "Neither is original survey microdata.", "excluded": "Excluded waves",
           "failed": "failed validation ({problems} problems; see {report})",
           "caption": "{label}: % yes per wave (all respondents; social and physical sectors), Wilson 95% intervals.",
           "term": "term", "odds_ratio": "odds ratio", "test": "test", "municipalities": "municipalities",
           "left_out": "left out"},
    "nl": {"chapter": "Vergeleken met eerdere metingen", "wave": "Meting", "first": "Dit is de eerste geldige meting: "
           "er is geen eerdere meting om mee te vergelijken.", "earlier": "Eerdere metingen", "skipped": "Eerdere meting "
           "{wave} is afgekeurd bij de validatie en wordt niet vergeleken (zie {report}).", "within": "Binnen deze meting",
           "indicator": "indicator", "unit": "eenheid", "everyone": "alle respondenten", "no_respondents": "geen respondenten",
           "pair": "metingen (later - eerder)", "difference": "verschil", "ci": "95%-BI", "to": "tot",
           "restricted": "Bevat vertrouwelijke meting(en) {waves}: cellen met weinig respondenten kunnen voorkomen. "
           "Niet voor publicatie.", "of": "van", "vs": "tegen", "pp": "procentpunt",
           "caveat": "Let op: de respondenten komen uit {caveat}; dit beschrijft deze gemeenten en is geen schatting "
           "voor alle Nederlandse gemeenten.", "other_than": "anders dan", "title": "Metingen vergeleken",
           "main": "Belangrijkste indicatoren per meting", "between": "Verschillen tussen metingen",
           "gee": "Indicatoren naar meting en VNG-domein (GEE)", "each": "Binnen elke meting", "methods": "Methoden",
           "included": "Opgenomen metingen (in volgorde van veldwerk)",
           "not_original": "Synthetische metingen zijn verzonnen gegevens; gereconstrueerde metingen zijn herbouwd uit "
           "gepubliceerde tabellen. Geen van beide zijn oorspronkelijke microdata.", "excluded": "Uitgesloten metingen",
           "failed": "afgekeurd bij de validatie ({problems} problemen; zie {report})",
           "caption": "{label}: % ja per meting (alle respondenten; sociale en fysieke sectoren), 95%-Wilson-intervallen.",
           "term": "term", "odds_ratio": "oddsratio", "test": "toets", "municipalities": "gemeenten",
           "left_out": "weggelaten"},
}


# A unit (tables' rows) as a reader sees it. Domain and sector labels come from config/sectors.yaml
# (the codebook); the sector classes (social/physical/other, sectors.yaml `class`) have no label
# there, so theirs are here; a unit kind's word goes before the label ("VNG-domein Anders").
UNIT_WORDS = {
    "nl": {"domain": "VNG-domein", "sector": "sector", "size_class": "grootteklasse", "municipality": "gemeente",
           "class": "sectoren", "wave": "meting"},
    "en": {"domain": "VNG domain", "sector": "sector", "size_class": "size class", "municipality": "municipality",
           "class": "sectors", "wave": "wave"},
}
CLASS_WORDS = {
    "nl": {"social": "sociale sectoren", "physical": "fysieke sectoren", "other": "overige sectoren"},
    "en": {"social": "social sectors", "physical": "physical sectors", "other": "other sectors"},
}
# The sheet's size class `small` (vocabulary.py); G4 and G32 are names. Publication's tables,
# figures and fact sheets take it from here (publication/text.py size_class_name).
SIZE_CLASS_WORDS = {"nl": {"small": "Kleinere gemeenten"}, "en": {"small": "Smaller municipalities"}}
# group b of a within-wave comparison left open in the config: every other unit of group a's kind
OTHER_UNITS_WORDS = {
    "nl": {"sector": "andere sectoren", "domain": "andere VNG-domeinen", "class": "andere sectoren",
           "size_class": "andere grootteklassen", "municipality": "andere gemeenten"},
    "en": {"sector": "other sectors", "domain": "other VNG domains", "class": "other sectors",
           "size_class": "other size classes", "municipality": "other municipalities"},
}
# The kind of a wave that is not an original survey, after its name: "rivm2009 (gereconstrueerd)".
KIND_WORDS = {"nl": {"synthetic": "synthetisch", "reconstructed": "gereconstrueerd"},
              "en": {"synthetic": "synthetic", "reconstructed": "reconstructed"}}
# The tests' names of comparison.py / statistics.py (the CSVs keep the English ones).
TEST_WORDS = {"nl": {"chi-square": "chi-kwadraat", "Fisher exact": "Fisher exact"},
              "en": {"chi-square": "chi-square", "Fisher exact": "Fisher exact"}}


SERIES_NAMES = {language: (CHAPTER_TEXT[language]["everyone"].capitalize(), CLASS_WORDS[language]["social"].capitalize(),
                           CLASS_WORDS[language]["physical"].capitalize(), STATUS_WORDS[language][NOT_ASKED],
                           axis)
                for language, axis in (("nl", "% ja (95%-Wilson-interval)"), ("en", "% yes (95% Wilson interval)"))}


# The methods paragraph of the chapter and the cross-wave report; `sample`: the config's caveat.
METHODS_TEXT = {
    "en": ("Percentages: yes / respondents asked (skip logic) who answered (no answer is left out), with Wilson 95% "
           "intervals. Differences: later wave minus earlier wave, Newcombe hybrid score 95% interval; Fisher exact "
           "test where an expected count is below 5, else Pearson chi-square. Holm correction within each pair of "
           "waves and unit kind. GEE: logistic, municipality as cluster, exchangeable working correlation "
           "(independence where that does not converge), bias-reduced (Mancl-DeRouen) standard errors, t-tests on "
           "(municipalities - parameters) degrees of freedom, Holm across indicators per term. Municipality ids "
           "belong to one wave, so municipalities are not compared across waves. A cell where all or none said yes "
           "gives 'not estimable' in the model."),
    "nl": ("Percentages: ja / respondenten aan wie de vraag is gesteld (routing) en die antwoordden (geen antwoord "
           "telt niet mee), met 95%-Wilson-intervallen. Verschillen: latere meting min eerdere meting, met een "
           "95%-interval volgens Newcombe (hybrid score); Fisher exact toets als een verwacht aantal kleiner is dan 5, "
           "anders de chi-kwadraattoets van Pearson. Holm-correctie binnen elk paar metingen en elke soort eenheid. "
           "GEE: logistisch, gemeente als cluster, uitwisselbare werkcorrelatie (onafhankelijkheid waar die niet "
           "convergeert), bias-gecorrigeerde standaardfouten (Mancl-DeRouen), t-toetsen met (gemeenten - parameters) "
           "vrijheidsgraden, Holm over de indicatoren per term. Gemeentecodes horen bij één meting, dus gemeenten "
           "worden niet tussen metingen vergeleken. Een cel waarin iedereen of niemand ja zei, is in het model "
           "'niet schatbaar'."),
}
METHODS_SAMPLE = {"en": "The municipalities are {sample}.", "nl": "De gemeenten zijn {sample}."}


# How a wave's export was read: every value of its coded columns and the answer it counts as
# (validate.how_codes_were_read). The validation report (English) and the wave's report.html (in
# its language) both print it with code_reading_lines: one text, two places.
CODE_READING_WORDS = {
    "nl": {"title": "Hoe de codes van de export zijn gelezen",
           "intro": "Elke waarde in een gecodeerde kolom van de export en het antwoord waarvoor die telt (kolomindeling "
                    "en codes van de configuratie, SPSS-waardelabels, labels in de tekst, eigen categorieën van deze "
                    "meting); SPSS user-missing codes zijn geen antwoord.",
           "no_answer": "geen antwoord", "own": "eigen categorieën van deze meting", "empty": "(leeg)"},
    "en": {"title": "How the export's codes were read",
           "intro": "Every value found in a coded column and the answer it counts as (column map, SPSS value labels, "
                    "labels in the text, the wave's own categories); SPSS user-missing codes are no answer.",
           "no_answer": "no answer", "own": "categories of this wave's own", "empty": "(empty)"},
}


def code_reading_lines(reading: dict | None, language: str = "en") -> list[str]:
    """The lines of "how the export's codes were read": per group of columns read alike
    "SECTOR (sector): Volksgezondheid → vgz, 9 → no answer", and per item the wave's own
    categories. `reading`: {"groups": [{"columns", "pairs": [[value, answer key or None]]}],
    "own": [{"item", "answers": [[key, nl, en]]}]}."""
    w = CODE_READING_WORDS[language]
    reading = reading or {}
    lines = [", ".join(g["columns"]) + ": " + ", ".join(f"{raw or w['empty']} → {w['no_answer'] if key is None else key}"
                                                        for raw, key in g["pairs"]) for g in reading.get("groups", [])]
    lines += [f"{own['item']}: {w['own']}: " + ", ".join(f"{key} ({nl if language == 'nl' else en})" for key, nl, en in own["answers"])
              for own in reading.get("own", [])]
    return lines
