"""An invented SurveyMonkey-style export (review r18e): .xlsx, TWO header rows (question text on
row 1 over its sub-columns, option / 'Response' on row 2), answers as Dutch words, municipality
as a NAME, ticks as option text, matrix questions ja / weet ik niet / nee, item nonresponse.
Usage: python surveymonkey_two_header.py data/raw/<wave> <truth dir>. Also writes truth.csv (codebook ids and keys per respondent) for checking by hand.
The wave reads it as written with `column_map.header_rows: 2`, which `draft_wave` proposes itself."""
import csv
import datetime as dt
import random
import sys
from pathlib import Path

import openpyxl

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = random.Random(18)

MUNIS = [  # name, size class word, krachtwijk, sent, province, respondents
    ("Rijnhaven", "G4", "Ja", 15, "Zuid-Holland", 12),
    ("Zeevliet", "G32", "Ja", 11, "Zeeland", 9),
    ("Hoogveen", "G32", "Nee", 9, "Drenthe", 7),
    ("Lindendaal", "overig", "Nee", 7, "Gelderland", 5),
    ("'s-Heerenveld", "overig", "Nee", 6, "Noord-Brabant", 4),
    ("Oostermeer", "overig", "Onbekend", None, "Friesland", 3),
]
SECTORS = [  # tool word, codebook id
    ("Volksgezondheid", "vgz"), ("Onderwijs", "onderwijs"), ("Jeugd", "jeugd"),
    ("Sociale zaken", "sociale_zaken"), ("Wonen", "wonen"), ("Ruimtelijke ordening", "ruimte"),
    ("Sport en recreatie", "sport"), ("Verkeer en vervoer", "mobiliteit"), ("Integratie", "integratie"),
    ("Milieu", "milieu"), ("Zorg en welzijn", "zorg"), ("Openbare orde en veiligheid", "veiligheid"),
    ("Anders", "anders"),
]
FUNCTIONS = [("Beleidsmedewerker", "beleidsmedewerker"), ("Senior beleidsmedewerker", "senior_beleidsmedewerker"),
             ("Beleidsadviseur", "beleidsadviseur"), ("Senior beleidsadviseur", "senior_beleidsadviseur"),
             ("Coördinator/teamleider", "coordinator")]
TG = [("Mensen met een lage sociaaleconomische status", "low_ses"), ("Allochtonen", "migrants"),
      ("Bewoners van achterstandswijken", "deprived_areas"), ("Andere groepen", "other")]
DET = [("Verbeteren laag inkomen", "det_income"), ("Verminderen werkloosheid", "det_unemployment"),
       ("Verbeteren laag opleidingsniveau", "det_education"), ("Verbeteren ongunstige woonomstandigheden", "det_housing"),
       ("Verbeteren ongunstige werkomstandigheden", "det_working_conditions"), ("Tegengaan sociale uitsluiting", "det_social_exclusion"),
       ("Tegengaan ongezonde leefstijl", "det_lifestyle"), ("Vergroten kwaliteit van zorg", "det_care_quality")]
FORMS = [("Uitwisselen van informatie", "form_information_exchange"), ("Losstaande activiteiten door eigen sectoren", "form_separate_activities"),
         ("Afstemmen van activiteiten", "form_coordinate_activities"), ("Gezamenlijk uitvoeren van activiteiten", "form_joint_activities"),
         ("Werken aan een gezamenlijk doel", "form_common_goal")]
POS = [("Positieve ervaringen met intersectoraal samenwerken", "pos_positive_experiences"),
       ("Aanwezigheid van structurele overlegvormen", "pos_structural_meetings"),
       ("Het bestaan van een duidelijke rolverdeling", "pos_clear_roles"),
       ("Voldoende beschikbaarheid van middelen", "pos_sufficient_resources"),
       ("Aanwezigheid van sleutelpersonen die verbindingen leggen", "pos_key_persons"),
       ("Aanwezigheid concrete uitvoeringsplannen", "pos_concrete_plans"),
       ("Duidelijkheid hoe eigen beleidsterrein kan bijdragen", "pos_clear_contribution"),
       ("Het bestaan van goede relaties met andere beleidsterreinen", "pos_good_relations"),
       ("Het bestaan van een gemeenschappelijk belang", "pos_common_interest"),
       ("Uniform gebruik van taal met andere beleidsterreinen", "pos_uniform_language")]
NEG = [("Negatieve ervaringen met intersectoraal samenwerken", "neg_negative_experiences"),
       ("Afwezigheid van structurele overlegvormen", "neg_no_structural_meetings"),
       ("Het ontbreken van een duidelijke rolverdeling", "neg_unclear_roles"),
       ("Onvoldoende beschikbaarheid van middelen", "neg_insufficient_resources"),
       ("Afwezigheid van sleutelpersonen die verbindingen leggen", "neg_no_key_persons"),
       ("Afwezigheid concrete uitvoeringsplannen", "neg_no_concrete_plans"),
       ("Onduidelijkheid over hoe eigen beleidsterrein kan bijdragen", "neg_unclear_contribution"),
       ("Het ontbreken van goede relaties met andere beleidsterreinen", "neg_poor_relations"),
       ("Het bestaan van een tegengesteld belang", "neg_opposing_interests"),
       ("Geen uniform taalgebruik met andere beleidsterreinen", "neg_no_uniform_language")]
YN = {"ja": "Ja", "nee": "Nee"}
YDN = {"ja": "Ja", "nee": "Nee", "weet_niet": "Weet ik niet"}

Q_HP = "Is het verbeteren van de GEZONDHEID van burgers in uw gemeente een prioriteit binnen uw eigen beleidsterrein(en)?"
Q_HW = "Is er vanuit uw eigen beleidsterrein(en) in het afgelopen jaar gewerkt aan het verbeteren van de GEZONDHEID van burgers?"
Q_HTG = "U geeft aan dat er vanuit uw beleidsterrein(en) is gewerkt aan het verbeteren van de GEZONDHEID. Wordt hierbij rekening gehouden met achterstandsgroepen?"
Q_HTGL = "Zo ja, met welke achterstandsgroepen wordt dan rekening gehouden?"
Q_SP = "Is het terugdringen van GEZONDHEIDSACHTERSTANDEN van burgers in uw gemeente prioriteit binnen uw eigen beleidsterrein(en)?"
Q_SW = "Is er vanuit uw eigen beleidsterrein(en) in het afgelopen jaar gewerkt aan het terugdringen van GEZONDHEIDSACHTERSTANDEN?"
Q_STGL = "U geeft aan dat er vanuit uw eigen beleidsterrein(en) is gewerkt aan het terugdringen van GEZONDHEIDSACHTERSTANDEN. Met welke achterstandsgroepen wordt dan rekening gehouden?"
Q_DET = "Is er vanuit uw eigen beleidsterrein(en) in het afgelopen jaar gewerkt aan het verbeteren van ONGUNSTIGE OMSTANDIGHEDEN waar achterstandsgroepen vaak mee te maken hebben?"
Q_COL = "Is er vanuit uw eigen beleidsterrein(en) in het afgelopen jaar samengewerkt met andere beleidsterreinen om GEZONDHEIDSACHTERSTANDEN van burgers in uw gemeente terug te dringen?"
Q_PART = "Met welke beleidsterreinen is er samengewerkt om GEZONDHEIDSACHTERSTANDEN van burgers terug te dringen?"
Q_FORM = "Waaruit bestaat de samenwerking met andere beleidsterreinen om GEZONDHEIDSACHTERSTANDEN van burgers terug te dringen?"
Q_POS = "Hebben de onderstaande factoren een POSITIEVE INVLOED gehad op de intersectorale samenwerking om GEZONDHEIDSACHTERSTANDEN terug te dringen in uw gemeente?"
Q_NEG = "Hebben de onderstaande factoren een NEGATIEVE INVLOED gehad op de intersectorale samenwerking om GEZONDHEIDSACHTERSTANDEN terug te dringen in uw gemeente?"

# columns: (row1 text or None under a spanning question, row2 text, truth id or None)
cols = [("Respondent ID", None, "respondent_id"), ("Collector ID", None, None), ("Start Date", None, None),
        ("End Date", None, None), ("IP Address", None, None), ("Email Address", None, None),
        ("First Name", None, None), ("Last Name", None, None), ("Custom Data 1", None, None),
        ("In welke gemeente werkt u?", "Response", "municipality_id"),
        ("Wat is uw functie?", "Response", "function"), (None, "Anders (graag specificeren)", None),
        ("Voor welke afdeling werkt u?", "Open-Ended Response", None),
        ("Wat is/zijn uw beleidsterreinen?", "Response", "sector"),
        ("Hoeveel uur per week besteedt u gemiddeld per week aan dit/deze beleidsterrein(en)?", "Open-Ended Response", "hours_per_week"),
        (Q_HP, "Response", "health_priority"), (Q_HW, "Response", "health_work"), (Q_HTG, "Response", "health_target_groups")]
for i, (t, k) in enumerate(TG):
    cols.append((Q_HTGL if i == 0 else None, t, "health_tg_" + k))
cols += [(Q_SP, "Response", "segv_priority"), (Q_SW, "Response", "segv_work")]
for i, (t, k) in enumerate(TG):
    cols.append((Q_STGL if i == 0 else None, t, "segv_tg_" + k))
for i, (t, k) in enumerate(DET):
    cols.append((Q_DET if i == 0 else None, t, k))
cols.append((Q_COL, "Response", "collaborates"))
for i, (t, k) in enumerate(SECTORS):
    cols.append((Q_PART if i == 0 else None, t, "collab_with_" + k))
for i, (t, k) in enumerate(FORMS):
    cols.append((Q_FORM if i == 0 else None, t, k))
for i, (t, k) in enumerate(POS):
    cols.append((Q_POS if i == 0 else None, t, k))
for i, (t, k) in enumerate(NEG):
    cols.append((Q_NEG if i == 0 else None, t, k))


def yn(p):
    return "ja" if rng.random() < p else "nee"


def maybe_missing(v, p=0.05):
    return None if rng.random() < p else v


truth_rows, tool_rows = [], []
rid = 11400000000
start = dt.datetime(2026, 3, 2, 9, 0)
for name, _, _, _, _, n in MUNIS:
    for j in range(n):
        rid += rng.randint(3, 900)
        t = {"respondent_id": rid, "municipality_id": name}
        sector_word, sector = SECTORS[rng.randrange(len(SECTORS))] if j else SECTORS[0]
        t["sector"] = sector
        fw, fk = FUNCTIONS[rng.randrange(len(FUNCTIONS))]
        t["function"] = maybe_missing(fk, 0.03)
        t["hours_per_week"] = maybe_missing(rng.choice([8, 12, 16, 18, 24, 32, 36]), 0.08)
        t["health_priority"] = maybe_missing(yn(0.7))
        t["health_work"] = yn(0.75)
        if t["health_work"] == "ja":
            t["health_target_groups"] = maybe_missing(yn(0.7))
        t["segv_priority"] = maybe_missing(yn(0.5))
        t["segv_work"] = maybe_missing(yn(0.6), 0.04)
        for k in ("low_ses", "migrants", "deprived_areas", "other"):
            if t.get("health_target_groups") == "ja":
                t["health_tg_" + k] = yn(0.5)
            if t["segv_work"] == "ja":
                t["segv_tg_" + k] = yn(0.5)
        for _, k in DET:
            t[k] = yn(0.4)
        t["collaborates"] = maybe_missing(yn(0.7), 0.03)
        if t["collaborates"] == "ja":
            for _, k in SECTORS:
                t["collab_with_" + k] = yn(0.3)
            for _, k in FORMS:
                t[k] = yn(0.5)
            for _, k in POS + NEG:
                r = rng.random()
                t[k] = maybe_missing("ja" if r < 0.5 else "weet_niet" if r < 0.65 else "nee", 0.06)
        truth_rows.append(t)
        # the tool's row
        row = []
        for r1, r2, tid in cols:
            label = r1 or r2
            if tid is None:
                v = {"Collector ID": 431207755, "Start Date": start + dt.timedelta(hours=len(tool_rows) * 7),
                     "End Date": start + dt.timedelta(hours=len(tool_rows) * 7, minutes=rng.randint(9, 40)),
                     "Voor welke afdeling werkt u?": rng.choice(["Maatschappelijke ontwikkeling", "Ruimte", "Samenleving", None]),
                     }.get(label)
                if r2 == "Anders (graag specificeren)":
                    v = None
            elif tid == "respondent_id":
                v = rid
            elif tid == "municipality_id":
                v = name
            elif tid == "sector":
                v = sector_word
            elif tid == "function":
                v = fw if t["function"] else None
            elif tid == "hours_per_week":
                v = t["hours_per_week"]
            else:
                val = t.get(tid)
                if val is None:
                    v = None
                elif any(tid == k for _, k in DET + FORMS) or tid.startswith(("health_tg_", "segv_tg_", "collab_with_")):
                    v = r2 if val == "ja" else None      # a tick column: the option's text where ticked
                elif tid.startswith(("pos_", "neg_")):
                    v = YDN[val]
                else:
                    v = YN[val]
            row.append(v)
        tool_rows.append(row)

# one questionnaire opened and left (only the municipality answered): SurveyMonkey keeps it
empty = [None] * len(cols)
empty[0], empty[1], empty[2] = rid + 17, 431207755, start
empty[9] = "Zeevliet"
tool_rows.insert(20, empty)

wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Sheet"
ws.append([c[0] for c in cols])
ws.append([c[1] for c in cols])
for r in tool_rows:
    ws.append(r)
# SurveyMonkey merges a question's row-1 cell over its sub-columns
i = 0
while i < len(cols):
    j = i + 1
    while j < len(cols) and cols[j][0] is None and cols[j][1] not in (None,):
        j += 1
    if j - i > 1 and cols[i][0] is not None:
        ws.merge_cells(start_row=1, start_column=i + 1, end_row=1, end_column=j)
    i = j
wb.save(out / "Intersectoraal_samenwerken_2026.xlsx")

g = openpyxl.Workbook()
gs = g.active
gs.title = "Gemeenten"
gs.append(["Gemeentenaam", "Grootteklasse", "Krachtwijk", "Vragenlijsten verstuurd", "Provincie"])
for name, size, kw, sent, prov, _ in MUNIS:
    gs.append([name, size, kw, sent if sent is not None else "onbekend", prov])
g.save(out / "gemeenten.xlsx")
# the wave's folder says what it is: nobody may take these answers or municipalities for the study's
(out / "README.md").write_text("# INVENTED SurveyMonkey-style wave for review r18e (no real data; invented municipalities)\n",
                               encoding="utf-8")
Path(sys.argv[2]).mkdir(parents=True, exist_ok=True)

ids = [c[2] for c in cols if c[2]]
with open(Path(sys.argv[2]) / "truth.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=ids)
    w.writeheader()
    for t in truth_rows:
        w.writerow({k: t.get(k, "") for k in ids})
with open(Path(sys.argv[2]) / "truth_columns.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["index", "row1", "row2", "truth"])
    for i, c in enumerate(cols):
        w.writerow([i, c[0] or "", c[1] or "", c[2] or ""])
print(len(truth_rows), "respondents +1 empty;", len(cols), "columns")
