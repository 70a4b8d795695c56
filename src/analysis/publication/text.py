"""Every word the publication layer writes for a reader, in Dutch (as the report) and English.

One table for tables, figures, report.html and the municipality pages, so a word they share
("Gemeente", "Totaal", "niet gevraagd") is written once. Engine words (cell statuses, disclosure
marks, data notes, the cross-wave chapter) are in analysis/core/text.py: core may not import this
layer. Titles of the tables and figures are in registry.py, with the rest of each output's spec.
"""
from __future__ import annotations

from analysis.core.text import SIZE_CLASS_WORDS, STATUS_WORDS
from analysis.core.vocabulary import NOT_ASKED

# the mark of a cell of a reconstructed wave that nothing published fixes (cells.csv `basis` free)
FREE_MARK = "†"

WORDS: dict[str, dict[str, str]] = {
    "nl": {
        # shared
        "municipality": "Gemeente",
        "total": "Totaal",
        "n": "n",
        "not_asked": STATUS_WORDS["nl"][NOT_ASKED],
        "free_mark": FREE_MARK,
        "free_legend": (f"{FREE_MARK} Vrije keuze van de reconstructie: geen gepubliceerd getal, geen afleiding daarvan en "
                        "geen uitspraak van het rapport legt deze cel vast. Geen bevinding."),
        "wave": "Meting",
        "unknown": "onbekend",
        "note": "Opmerking",
        # tables
        "average": "Gemiddeld",
        "sector": "Beleidsterrein",
        "domain": "VNG-domein",
        "lost": "kolomkop verloren in rapport",
        "presumably": "vermoedelijk",
        "sent": "Verstuurd",
        "received": "Ontvangen",
        "percentage": "Percentage",
        "respondents": "Aantal respondenten",
        "priorities": "Prioriteiten en doelstellingen in beleid",
        "target_groups": "Rekening houden met achterstandsgroepen",
        "interviews": "Aantal interviews",
        "sector_category": "Beleidssectoren",
        "no_register": "Geen interviewregister voor deze meting: Tabel 3.1 kan niet worden gemaakt.",
        "no_register_short": "geen interviewregister", "not_asked_in_wave": "niet gevraagd in deze meting",
        "register_small": "Tabel 3.1 niet getoond (publieke meting): cellen met minder dan {k} interviews zouden geïnterviewden herkenbaar maken.",
        # figures
        "no_base": "n=0",
        "pct_officers": "Percentage beleidsambtenaren",
        "pct_yes": "% ja",
        "response": "Respons (%)",
        "received_axis": "Aantal ontvangen vragenlijsten",
        "sent_unknown": "{received} ontvangen; verstuurd onbekend",
        "response_known": "{received}/{sent} = {pct} waar het aantal verstuurd bekend is; in totaal {total} ontvangen",
        "left_out": "Weggelaten (minder dan {min_n} respondenten): {names}",
        "not_shown": "Niet getoond (kleine aantallen): ",
        "hub_to": "{hub} werkt samen met sector ({hub} n={n})",
        "collab_n": "n bij een sector: respondenten van die sector die intersectoraal samenwerken (de vraag is alleen hun gesteld)",
        "to_hub": "Sector werkt samen met {hub}",
        "functions": "Functie",
        "hours": "Gemiddeld aantal uren per week",
        "whiskers": "Lijntjes: 95%-betrouwbaarheidsinterval (Wilson)",
        "uncertain": "* label in het rapport (deels) onleesbaar; kolomvolgorde geschat",
        "ranked": "Gemeenten, gesorteerd van hoog naar laag",
        "shown": "{shown} van {total} gemeenten; zonder percentage: {hidden}",
        "total_line": "Totaal {pct}",
        "size_class": "Grootteklasse",
        "size_small": SIZE_CLASS_WORDS["nl"]["small"],
        "by_size_class": "{count} gemeenten: hier per grootteklasse; de tabel per gemeente staat in {csv} en tables.xlsx",
        "size_class_n": "{n}: wie '{item}' beantwoordde (de vraag van deze tabel met de meeste antwoorden), "
                        "per grootteklasse; de grootteklassen tellen zo op tot het totaal",
        "size_class_n_unknown": ", op {count} {respondents} van gemeenten zonder bekende grootteklasse na (alleen in het totaal)",
        "respondent_count_word": ("respondent", "respondenten"),  # 1, more
        "differs": "gevuld: 95%-interval (Wilson) sluit het totaal uit",
        "overlaps": "open: interval omvat het totaal",
        "dots_note": "Elke stip is een gemeente, met haar 95%-interval (Wilson); de cijfers per gemeente staan in het databestand en op de gemeentepagina's",
        "left_out_count": "Weggelaten (minder dan {min_n} respondenten): {count} gemeenten",
        "response_total": "Totaal {pct}",
        "sent_unknown_count": "Aantal verstuurd onbekend: {count} gemeenten (niet getoond)",
        # report.html's heading of a figure (or its data table) that leaves units out
        # (respondents of the units shown, not an answered n: said in words, not as "n=")
        "shown_n": "respondenten in de figuur: {n}", "shown_n_table": "respondenten in de tabel: {n}",
        # ... and its n of all respondents (asked, answered) before that, said to be of all of them
        "of_all": "alle respondenten: {n}",
        # report
        "report_title": "Intersectoraal samenwerken in de aanpak van gezondheidsachterstanden",
        "source": "Herkomst",
        "replication": "Replicatie van het gepubliceerde rapport",
        "audit": "Audit: tegenstrijdigheden in het gepubliceerde rapport",
        "contents": "Inhoud",
        "earlier": "Vergeleken met eerdere metingen",
        "no_reference": "Voor deze meting is geen gepubliceerde referentie.",
        # pages
        "feedback_title": "Terugkoppeling",
        "indicator": "Indicator",
        "own": "Uw gemeente",
        "all": "Alle respondenten",
        "range": "Spreiding over gemeenten",
        "n_munis": "aantal gemeenten",
        "share": "Percentage 'ja' (aantal); n = aantal respondenten aan wie de vraag is gesteld.",
        "range_note": "De spreiding (laagste–hoogste percentage) is berekend over gemeenten met ten minste {k} respondenten voor de vraag; kleinere gemeenten zijn weggelaten zodat hun antwoorden niet uit de spreiding af te leiden zijn.",
        "few": "Met 4 tot 12 respondenten per gemeente zijn verschillen met andere gemeenten zelden meer dan toeval.",
        "of": " v/d ",
    },
    "en": {
        # shared
        "municipality": "Municipality",
        "total": "Total",
        "n": "n",
        "not_asked": STATUS_WORDS["en"][NOT_ASKED],
        "free_mark": FREE_MARK,
        "free_legend": (f"{FREE_MARK} A free choice of the reconstruction: no printed number, nothing derived from one and "
                        "no statement of the report fixes this cell. Not a finding."),
        "wave": "Wave",
        "unknown": "unknown",
        "note": "Note",
        # tables
        "average": "Average",
        "sector": "Policy sector",
        "domain": "VNG domain",
        "lost": "column header lost in report",
        "presumably": "presumably",
        "sent": "Sent",
        "received": "Received",
        "percentage": "Percentage",
        "respondents": "Number of respondents",
        "priorities": "Priorities and goals in policy",
        "target_groups": "Taking disadvantaged groups into account",
        "interviews": "Number of interviews",
        "sector_category": "Policy sectors",
        "no_register": "No interview register for this wave: Tabel 3.1 cannot be built.",
        "no_register_short": "no interview register", "not_asked_in_wave": "not asked in this wave",
        "register_small": "Table 3.1 not shown (public wave): cells with fewer than {k} interviews would make interviewees identifiable.",
        # figures
        "no_base": "n=0",
        "pct_officers": "Percentage of policy officers",
        "pct_yes": "% yes",
        "response": "Response (%)",
        "received_axis": "Questionnaires received",
        "sent_unknown": "{received} received; number sent unknown",
        "response_known": "{received}/{sent} = {pct} where the number sent is known; {total} received in all",
        "left_out": "Left out (fewer than {min_n} respondents): {names}",
        "not_shown": "Not shown (small numbers): ",
        "hub_to": "{hub} collaborates with sector ({hub} n={n})",
        "collab_n": "n of a sector: its respondents who collaborate intersectorally (only they were asked)",
        "to_hub": "Sector collaborates with {hub}",
        "functions": "Function",
        "hours": "Mean hours per week",
        "whiskers": "Whiskers: Wilson 95% confidence interval",
        "uncertain": "* label (partly) illegible in the report; column order estimated",
        "ranked": "Municipalities, sorted from high to low",
        "shown": "{shown} of {total} municipalities; without a percentage: {hidden}",
        "total_line": "Total {pct}",
        "size_class": "Size class",
        "size_small": SIZE_CLASS_WORDS["en"]["small"],
        "by_size_class": "{count} municipalities: shown here by size class; the table per municipality is in {csv} and tables.xlsx",
        "size_class_n": "{n}: respondents who answered '{item}' (the question of this table with the most answers), "
                        "by size class; so the size classes add up to the total",
        "size_class_n_unknown": ", but for {count} {respondents} of municipalities of unknown size class (in the total only)",
        "respondent_count_word": ("respondent", "respondents"),
        "differs": "filled: 95% interval (Wilson) excludes the total",
        "overlaps": "open: interval includes the total",
        "dots_note": "Each dot is a municipality, with its 95% interval (Wilson); the numbers per municipality are in the data file and on the municipality pages",
        "left_out_count": "Left out (fewer than {min_n} respondents): {count} municipalities",
        "response_total": "Total {pct}",
        "sent_unknown_count": "Number sent unknown: {count} municipalities (not shown)",
        "shown_n": "respondents in the figure: {n}", "shown_n_table": "respondents in the table: {n}",
        "of_all": "all respondents: {n}",
        # report
        "report_title": "Intersectoral collaboration to reduce health inequalities",
        "source": "Provenance",
        "replication": "Replication of the published report",
        "audit": "Audit: contradictions within the published report",
        "contents": "Contents",
        "earlier": "Compared with earlier waves",
        "no_reference": "This wave has no published reference.",
        # pages
        "feedback_title": "Feedback",
        "indicator": "Indicator",
        "own": "Your municipality",
        "all": "All respondents",
        "range": "Range over municipalities",
        "n_munis": "municipalities",
        "share": "Percentage 'yes' (count); n = respondents who were asked the question.",
        "range_note": "The range (lowest–highest percentage) covers municipalities with at least {k} respondents for the question; smaller ones are left out so that their answers cannot be read from the range.",
        "few": "With 4 to 12 respondents per municipality, differences from other municipalities are rarely more than chance.",
        "of": " of ",
    },
}


# The municipality fact sheets (publication/pages.py).
FACT_SHEET_WORDS = {
    "nl": {"title": "Factsheet", "municipality": "Gemeente", "indicator": "Indicator", "wave": "Meting",
           "own": "Uw gemeente", "others": "Alle andere gemeenten", "size_class": "Grootteklasse",
           "previous": "Vorige meting", "difference": "Verschil",
           "higher": {"others": "hoger dan de andere gemeenten", "size_class": "hoger dan de rest van de grootteklasse",
                      "previous": "hoger dan in de vorige meting"},
           "lower": {"others": "lager dan de andere gemeenten", "size_class": "lager dan de rest van de grootteklasse",
                     "previous": "lager dan in de vorige meting"},
           "no_difference": "geen aantoonbaar verschil", "too_small": "te weinig respondenten om iets te zeggen",
           "not_compared": "–",
           "summary_differs": "Uw gemeente verschilt aantoonbaar bij: {items}.",
           "summary_none": "Bij geen van de {n} indicatoren verschilt uw gemeente aantoonbaar van de andere gemeenten "
                           "of de rest van de eigen grootteklasse{previous}.",
           "or_previous": " of de vorige meting",
           "summary_hidden": "{n} van de {total} indicatoren van uw gemeente worden niet getoond (te weinig "
                             "respondenten, of afgeschermd om andere cijfers te beschermen) en dus niet vergeleken.",
           "summary_all_hidden": "Geen van de {n} indicatoren van uw gemeente kan worden getoond (te weinig "
                                 "respondenten, of afgeschermd om andere cijfers te beschermen): er valt op deze "
                                 "pagina niets te vergelijken.",
           "summary_small": "Bij {n} van de {total} indicatoren zijn er te weinig respondenten om iets te zeggen: "
                            "zelfs als iedereen of niemand 'ja' had geantwoord, was het verschil met de andere "
                            "gemeenten niet aantoonbaar geweest.",
           "legend": "Percentage 'ja' met 95%-betrouwbaarheidsinterval (Wilson); n = aantal respondenten dat de vraag "
                     "kreeg en beantwoordde ('geen antwoord' telt niet mee). ▲/▼: aantoonbaar hoger/lager (Fisher exact, Holm-correctie over de "
                     "indicatoren van deze pagina, p < 0,05); zonder teken is een verschil niet meer dan toeval.",
           "others_note": "Alle andere gemeenten: alle respondenten min die van uw gemeente; alleen getoond waar "
                          "het cijfer van uw gemeente zelf getoond wordt.",
           "previous_none": "Uw gemeente deed niet mee aan een eerdere meting (of is daarin niet herkenbaar via de "
                            "gemeentecode)."},
    "en": {"title": "Fact sheet", "municipality": "Municipality", "indicator": "Indicator", "wave": "Wave",
           "own": "Your municipality", "others": "All other municipalities", "size_class": "Size class",
           "previous": "Previous wave", "difference": "Difference",
           "higher": {"others": "higher than the other municipalities", "size_class": "higher than the rest of its size class",
                      "previous": "higher than in the previous wave"},
           "lower": {"others": "lower than the other municipalities", "size_class": "lower than the rest of its size class",
                     "previous": "lower than in the previous wave"},
           "no_difference": "no demonstrable difference", "too_small": "too few respondents to tell",
           "not_compared": "–",
           "summary_differs": "Your municipality differs demonstrably on: {items}.",
           "summary_none": "On none of the {n} indicators does your municipality differ demonstrably from the other "
                           "municipalities or the rest of its size class{previous}.",
           "or_previous": " or its previous wave",
           "summary_hidden": "{n} of the {total} indicators of your municipality are not shown (too few respondents, "
                             "or hidden to protect other figures) and so not compared.",
           "summary_all_hidden": "None of the {n} indicators of your municipality can be shown (too few respondents, "
                                 "or hidden to protect other figures): there is nothing to compare on this page.",
           "summary_small": "On {n} of the {total} indicators there are too few respondents to tell anything: even if "
                            "everyone or no one had answered 'yes', the difference from the other municipalities "
                            "could not have been shown.",
           "legend": "Percentage 'yes' with 95% confidence interval (Wilson); n = respondents who were asked the "
                     "question and answered it ('no answer' is left out). ▲/▼: demonstrably higher/lower (Fisher exact, Holm correction over this page's "
                     "indicators, p < 0.05); without a mark a difference is no more than chance.",
           "others_note": "All other municipalities: all respondents minus those of your municipality; shown only "
                          "where your municipality's own figure is shown.",
           "previous_none": "Your municipality took part in no earlier wave (or cannot be matched to one by its "
                            "municipality code)."},
}


# The section 'Overige vragen van deze meting' (publication/further.py).
FURTHER_WORDS = {
    "nl": {"title": "Overige vragen van deze meting", "question": "Vraag", "answer": "Antwoord", "unit": "Eenheid",
           "group": "Groep", "n": "n (beantwoord)", "count": "Aantal", "pct": "%", "ci": "95%-BI",
           "no_answer": "Geen antwoord", "overall": "Alle respondenten", "sector": "Beleidssector",
           "domain": "VNG-domein", "size_class": "Grootteklasse", "all": "Totaal",
           "intro": "Vragen van deze meting die in geen tabel of figuur van het rapport staan. Percentages van wie de vraag "
                    "beantwoordde; 95%-betrouwbaarheidsinterval volgens Wilson.",
           "none": "Deze meting heeft geen vragen buiten de tabellen en figuren van het rapport."},
    "en": {"title": "Further questions of this wave", "question": "Question", "answer": "Answer", "unit": "Unit",
           "group": "Group", "n": "n (answered)", "count": "Count", "pct": "%", "ci": "95% CI",
           "no_answer": "No answer", "overall": "All respondents", "sector": "Policy sector",
           "domain": "VNG domain", "size_class": "Size class", "all": "Total",
           "intro": "Questions of this wave that no table or figure of the report shows. Percentages of those who "
                    "answered; Wilson 95% confidence interval.",
           "none": "This wave has no questions beyond the report's tables and figures."},
}


# Asked and answered n where a wave has item nonresponse (publication/answered.py): the n column
# and heading n of tables, the n in figure titles and in report.html's headings, and the note under
# a table. Without item nonresponse outputs keep the report's plain "n".
ANSWERED_WORDS = {
    "nl": {"n_answered": FURTHER_WORDS["nl"]["n"], "answered": "beantwoord", "asked": "gevraagd",
           "explained": "n = beantwoord: wie de vraag kreeg en een antwoord gaf; 'geen antwoord' telt niet mee in n en "
                        "percentages.",
           "above": "Geen antwoord (item-nonrespons) boven {pct}%: {items}.",
           "item": "{label} {pct} ({no_answer}{of}{asked})"},
    "en": {"n_answered": FURTHER_WORDS["en"]["n"], "answered": "answered", "asked": "asked",
           "explained": "n = answered: those asked who gave an answer; 'no answer' is left out of n and percentages.",
           "above": "No answer (item nonresponse) above {pct}%: {items}.",
           "item": "{label} {pct} ({no_answer}{of}{asked})"},
}


def size_class_name(size_class: str, language: str = "nl") -> str:
    """A size class as a reader sees it: G4 and G32 are names, `small` is the sheet's key
    ("Kleinere gemeenten" in Dutch tables, figure legends and fact sheets alike), `unknown` a word."""
    if size_class == "small":
        return WORDS[language]["size_small"]
    if size_class == "unknown":
        return WORDS[language]["unknown"]
    return size_class
