"""The report's numbered figures: id, file stem and title (nl/en), in report order.

Kept apart from the plotting code in analysis/figures.py so that the report step can name and
caption every figure without loading matplotlib and seaborn (about a second per process).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FigureSpec:
    id: str
    nl: str  # the report's figure title
    en: str

    @property
    def stem(self) -> str:
        """File name without extension: figuur_6_1, figuur_VI_1."""
        return "figuur_" + self.id.replace(".", "_")

    def title(self, language: str) -> str:
        return self.nl if language == "nl" else self.en


FIGURES: dict[str, FigureSpec] = {
    s.id: s
    for s in (
        FigureSpec("3.1", "Respons digitale vragenlijsten", "Response to the online questionnaires"),
        FigureSpec("4.1", "Gezondheid(sachterstanden) naar VNG-domein", "Health (inequalities) by VNG policy domain"),
        FigureSpec("4.2", "Gezondheid(sachterstanden) als onderwerp per gemeente", "Health (inequalities) as a topic per municipality"),
        FigureSpec("4.3", "Verbeteren ongunstige omstandigheden bij achterstandsgroepen", "Improving adverse circumstances of disadvantaged groups"),
        FigureSpec("4.4", "Werken aan opleiding, beroepsklasse en inkomen per gemeente (aangrijpingspunt 1)", "Working on education, occupation and income per municipality (Albeda point 1)"),
        FigureSpec("4.5", "Werken aan leefstijl en woon/leefomstandigheden per gemeente (aangrijpingspunt 3)", "Working on lifestyle and living conditions per municipality (Albeda point 3)"),
        FigureSpec("5.1", "Samenwerking tussen beleidsambtenaar VGZ en andere sectoren", "Collaboration between public health officers and other sectors"),
        FigureSpec("5.2", "Manier van samenwerken tussen verschillende beleidssectoren", "Forms of collaboration between policy sectors"),
        FigureSpec("6.1", "Factoren met een positieve invloed op de intersectorale samenwerking", "Factors with a positive influence on intersectoral collaboration"),
        FigureSpec("6.2", "Verschillen tussen gemeenten voor individuele factoren met positieve invloed", "Differences between municipalities in individual factors with a positive influence"),
        FigureSpec("6.3", "Verschillen tussen gemeenten voor organisatorische factoren met positieve invloed", "Differences between municipalities in organisational factors with a positive influence"),
        FigureSpec("6.4", "Factoren met een negatieve invloed op de intersectorale samenwerking", "Factors with a negative influence on intersectoral collaboration"),
        FigureSpec("6.5", "Politieke factoren met een positieve invloed op intersectorale samenwerking", "Political factors with a positive influence on intersectoral collaboration"),
        FigureSpec("6.6", "Verschillen tussen gemeenten voor politieke factoren met een positieve invloed", "Differences between municipalities in political factors with a positive influence"),
        FigureSpec("VI.1", "Achtergrond respondenten", "Background of the respondents"),
    )
}
FIGURE_IDS = list(FIGURES)
