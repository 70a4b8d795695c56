"""The ONE registry of the report's outputs: every table and figure, in the report's order.

A spec says what an output is (kind, number, nl/en title), where it goes (chapter; the codebook
block whose base is its n), who builds it (a function of publication/tables.py or figures.py,
by name) and what Snakemake's --report caption adds. Everything else reads it:

- workflow/rules/common.smk: the file stems that `rule all`, the tables/figures/report rules and
  their --report captions list (it loads this file by path: no pandas or matplotlib at parse time,
  so this module imports nothing but the standard library);
- publication/tables.py and figures.py: the builders they call and the titles they print;
- publication/report.py: the chapters of report.html and the entries in each.

Adding a table: write its builder in tables.py and one OutputSpec line here (walk-through in
README.md). tests/test_registry.py fails if a registered output is missing from `rule all`, from
the build or from report.html.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

TABLE, FIGURE = "table", "figure"

# What precedes an output's number in its heading (nl, en).
KIND_WORDS = {TABLE: ("Tabel", "Table"), FIGURE: ("Figuur", "Figure")}

# The report's chapters and appendices that the questionnaire data can fill, in its order.
CHAPTERS: dict[str, tuple[str, str]] = {
    "3": ("Hoofdstuk 3 Deelnemende gemeenten en beleidsambtenaren", "Chapter 3 Participating municipalities and officers"),
    "4": ("Hoofdstuk 4 Gezondheidsachterstanden in gemeentelijk beleid", "Chapter 4 Health inequalities in municipal policy"),
    "5": ("Hoofdstuk 5 Intersectorale samenwerking", "Chapter 5 Intersectoral collaboration"),
    "6": ("Hoofdstuk 6 Factoren die de samenwerking bevorderen of belemmeren", "Chapter 6 Factors that help or hinder collaboration"),
    "VI": ("Bijlage VI Respons en respondenten", "Appendix VI Response and respondents"),
    "VII": ("Bijlage VII Gezondheid(sachterstanden) per gemeente", "Appendix VII Health (inequalities) per municipality"),
    "VIII": ("Bijlage VIII Samenwerking per sector en gemeente", "Appendix VIII Collaboration per sector and municipality"),
    "IX": ("Bijlage IX Factoren per gemeente", "Appendix IX Factors per municipality"),
}


@dataclass(frozen=True)
class OutputSpec:
    kind: str  # TABLE or FIGURE
    number: str  # the report's number: "4.1", "VI.1"
    nl: str  # the report's title, without kind and number
    en: str
    chapter: str  # key of CHAPTERS
    builder: str  # the function of publication/tables.py (TABLE) or figures.py (FIGURE) that builds it
    block: str | None = None  # codebook block whose largest base is the n in report.html; None: all respondents
    counts: str = "respondents"  # what that n counts: respondents, or interviews (Tabel 3.1)
    caption: str = ""  # what the --report caption says beyond title and data file
    label: tuple[str, str] | None = None  # a heading other than "<kind> <number>" (nl, en)

    @property
    def stem(self) -> str:
        """File name without extension: tabel_4_1, figuur_VI_1 (the builder's name)."""
        return self.builder

    def title(self, language: str) -> str:
        return self.nl if language == "nl" else self.en

    def heading(self, language: str, sep: str = " ") -> str:
        """'Tabel 4.1 Gezondheid(...)': kind and number (or the label) before the title."""
        k = 0 if language == "nl" else 1
        label = self.label[k] if self.label else f"{KIND_WORDS[self.kind][k]} {self.number}"
        return f"{label}{sep}{self.title(language)}"


_COLUMNS_LOST = ("Column labels of the source table are partly lost in the report's text; labels marked * are "
                 "inferred or unknown (codebook ``label_basis``).")
_SEGMENTS = 'Horizontal 100% bars: Ja / Weet niet / Nee, "weet niet" as its own segment.'


def _t(number, nl, en, chapter, block=None, **kw) -> OutputSpec:
    return OutputSpec(TABLE, number, nl, en, chapter, "tabel_" + number.replace(".", "_"), block, **kw)


def _f(number, nl, en, chapter, block=None, **kw) -> OutputSpec:
    return OutputSpec(FIGURE, number, nl, en, chapter, "figuur_" + number.replace(".", "_"), block, **kw)


OUTPUTS: list[OutputSpec] = [
    _t("3.1", "Betrokken beleidssectoren in de verdiepende interviews", "Policy sectors in the in-depth interviews", "3",
       counts="interviews"),
    _f("3.1", "Respons digitale vragenlijsten", "Response to the online questionnaires", "3",
       caption="Response = questionnaires received / sent per municipality; where the number sent is unknown only "
               "the number received is shown."),
    _t("4.1", "Gezondheid(sachterstanden) als onderwerp in beleid", "Health (inequalities) as a policy topic", "4",
       "priorities"),
    _f("4.1", "Gezondheid(sachterstanden) naar VNG-domein", "Health (inequalities) by VNG policy domain", "4",
       "priorities", caption="Domains 1–3 only: veiligheid (domain 4) and anders are left out for their small "
                             "numbers, as report footnote 19 says.\nWhiskers are Wilson 95% intervals."),
    OutputSpec(TABLE, "4.1", "Werken aan gezondheid(sachterstanden) per VNG-domein",
               "Working on health (inequalities) by VNG domain", "4", "figuur_4_1_data", "priorities",
               label=("Figuur 4.1 (gegevens)", "Figure 4.1 (data)")),
    _f("4.2", "Gezondheid(sachterstanden) als onderwerp per gemeente", "Health (inequalities) as a topic per municipality",
       "4", "priorities", caption="Municipalities with fewer than ``min_n`` respondents (rule parameter, default 2) "
                                  "are left out, as report footnote 20 does; the figure's footer names them. The "
                                  "bottom row is the total."),
    _t("4.2", "Rekening houden met achterstandsgroepen in beleid", "Taking disadvantaged groups into account in policy",
       "4", "health_target_groups"),
    _f("4.3", "Verbeteren ongunstige omstandigheden bij achterstandsgroepen",
       "Improving adverse circumstances of disadvantaged groups", "4", "determinants"),
    _f("4.4", "Werken aan opleiding, beroepsklasse en inkomen per gemeente (aangrijpingspunt 1)",
       "Working on education, occupation and income per municipality (Albeda point 1)", "4", "determinants"),
    _f("4.5", "Werken aan leefstijl en woon/leefomstandigheden per gemeente (aangrijpingspunt 3)",
       "Working on lifestyle and living conditions per municipality (Albeda point 3)", "4", "determinants"),
    _f("5.1", "Samenwerking tussen beleidsambtenaar VGZ en andere sectoren",
       "Collaboration between public health officers and other sectors", "5", "collab_partners",
       caption="Both directions side by side: officers of the hub sector (``hub`` in config/sectors.yaml) who collaborated "
               "with each sector, and each sector's officers who collaborated with the hub. Bases are the "
               "collaborating respondents (the question was asked only of them)."),
    _f("5.2", "Manier van samenwerken tussen verschillende beleidssectoren", "Forms of collaboration between policy sectors",
       "5", "collab_forms", caption="The column headers of Tabel VIII.3 (this figure's data in the report) are lost "
                                    "in the report's text: which form is which column is a best guess (see "
                                    "config/codebook.yaml)."),
    _f("6.1", "Factoren met een positieve invloed op de intersectorale samenwerking",
       "Factors with a positive influence on intersectoral collaboration", "6", "positive_factors", caption=_SEGMENTS),
    _f("6.2", "Verschillen tussen gemeenten voor individuele factoren met positieve invloed",
       "Differences between municipalities in individual factors with a positive influence", "6", "positive_factors"),
    _f("6.3", "Verschillen tussen gemeenten voor organisatorische factoren met positieve invloed",
       "Differences between municipalities in organisational factors with a positive influence", "6", "positive_factors"),
    _f("6.4", "Factoren met een negatieve invloed op de intersectorale samenwerking",
       "Factors with a negative influence on intersectoral collaboration", "6", "negative_factors", caption=_SEGMENTS),
    _f("6.5", "Politieke factoren met een positieve invloed op intersectorale samenwerking",
       "Political factors with a positive influence on intersectoral collaboration", "6", "political_factors",
       caption=_COLUMNS_LOST),
    _f("6.6", "Verschillen tussen gemeenten voor politieke factoren met een positieve invloed",
       "Differences between municipalities in political factors with a positive influence", "6", "political_factors",
       caption=_COLUMNS_LOST),
    _t("VI.1", "Respons per beleidsterrein", "Response per policy sector", "VI"),
    _f("VI.1", "Achtergrond respondenten", "Background of the respondents", "VI"),
    _t("VII.2", "Aantallen gezondheid(sachterstanden) als onderwerp per gemeente",
       "Health (inequalities) as a policy topic per municipality", "VII", "priorities"),
    _t("VII.3", "Aantallen determinanten gezondheid(sachterstanden) per gemeente",
       "Determinants of health (inequalities) per municipality", "VII", "determinants"),
    _t("VIII.1", "Samenwerken met andere sectoren vanuit perspectief beleidssector",
       "Collaboration with other sectors, by policy sector", "VIII", "collaboration"),
    _t("VIII.2", "Samenwerken met andere sectoren vanuit perspectief gemeente",
       "Collaboration with other sectors, by municipality", "VIII", "collaboration"),
    _t("VIII.3", "Manieren van samenwerken", "Forms of collaboration (by municipality)", "VIII", "collab_forms"),
    _t("IX.1", "Factoren met een positieve invloed vanuit perspectief gemeenten",
       "Factors with a positive influence, by municipality", "IX", "positive_factors"),
    _t("IX.2", "Factoren met een negatieve invloed vanuit perspectief gemeenten",
       "Factors with a negative influence, by municipality", "IX", "negative_factors"),
    _t("IX.3", "Politieke factoren met een positieve invloed vanuit perspectief gemeenten",
       "Political factors with a positive influence, by municipality", "IX", "political_factors"),
]

BY_STEM: dict[str, OutputSpec] = {s.stem: s for s in OUTPUTS}
# The table of a wave's questions no registered output uses (publication/further.py): a section
# of report.html, a sheet of the workbook and a declared output of rule publication, not a report table.
FURTHER_STEM = "overige_vragen"
TABLES: list[OutputSpec] = [s for s in OUTPUTS if s.kind == TABLE]
TABLE_IDS: list[str] = [s.stem for s in TABLES]
# figures by their number ("5.1"), the key the figure builders and their tests use
FIGURES: dict[str, OutputSpec] = {s.number: s for s in OUTPUTS if s.kind == FIGURE}
FIGURE_IDS: list[str] = list(FIGURES)
FIGURE_STEMS: list[str] = [s.stem for s in FIGURES.values()]
FigureSpec = OutputSpec  # the name the figure builders use


def call_builder(builder, available: dict):
    """Call a registered builder with those of the available inputs it takes (by parameter name):
    a new table or figure needs its builder and its line in OUTPUTS, no dispatch code."""
    wanted = inspect.signature(builder).parameters
    return builder(**{name: value for name, value in available.items() if name in wanted})


def outline() -> list[tuple[str, str, list[OutputSpec]]]:
    """The chapters of report.html in the report's order: (nl, en, the outputs in it)."""
    return [(nl, en, [s for s in OUTPUTS if s.chapter == key]) for key, (nl, en) in CHAPTERS.items()]


def caption_rst(spec: OutputSpec) -> str:
    """The caption of an output in `snakemake --report` (reStructuredText, rendered by Snakemake)."""
    if spec.kind == FIGURE:
        data = f"Data: ``{spec.stem}.data.csv`` next to this figure; n and the survey wave are printed on the figure."
    else:
        data = ("Rebuilt from ``cells.csv`` of wave ``{{ snakemake.wildcards.wave }}``. A cell reads \"75% (3)\": the "
                "percentage rounded as the report does and the count; \"(1 v/d 2)\" gives the base where skip logic "
                "made it smaller than the row's n. \"Gemiddeld\" rows are pooled (total count / total n). Headers the "
                "report lost say so in brackets.")
    parts = [spec.heading("nl", " — "), f"({spec.en}.) {data}"] + ([spec.caption] if spec.caption else [])
    return "\n\n".join(parts) + "\n"
