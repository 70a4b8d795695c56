"""The report's checkable statements (data/reference/rivm2010/statements.csv) and their predicates.

A statement of the text ("de sociale beleidssectoren werken vaker aan het terugdringen van
gezondheidsachterstanden dan de fysieke") becomes a predicate over respondent-level data, written
in a small language and evaluated here, independently of how the data were made:

    pct('segv_work', 'class:social') >= pct('segv_work', 'class:physical') + 5

Values are percentages of 0-100 (not rounded) or counts. Functions (item = codebook id, answer
"ja" unless given; unit as below):

    n(unit)                          respondents in the unit
    cnt(item, unit[, answer])        respondents of the unit giving the answer
    pct(item, unit[, answer])        % of those asked the item (its skip logic) in the unit
    share(item, unit[, answer])      % of all respondents of the unit (asked or not)
    both(a, b, unit)                 respondents giving ja to both items
    anyof('a,b,...', unit)           respondents giving ja to at least one of the items
    overlap(a, b, unit)              both / the smaller of cnt(a), cnt(b): 1 = one group inside the other
    lift(a, b, unit)                 both x asked / (cnt(a) x cnt(b)): 1 = independence, > 1 = overlap
    spread(item, units[, min_n])     max - min of pct over a set of units (units with >= min_n asked)
    mean_hours(unit)                 mean hours per week
    response(unit)                   % of the questionnaires sent that came back
    full_response(unit)              municipalities of the unit whose every questionnaire came back
    count_munis(unit)                municipalities of the unit
    low(x, y, ...) / high(x, y, ...) the smallest / largest of its arguments
    every(expr, units) / some(expr, units)   expr (a string, with ``U`` for the unit) for all / any unit

Units: ``all``; ``sector:vgz``; ``domain:1``; ``class:social`` (sectors.yaml class);
``muni:2``; ``size:G4``; ``krachtwijk:yes``; ``nonvgz``; ``not:muni:16`` (everyone else);
``size:G32&krachtwijk:yes`` (both). Sets: ``sectors``, ``domains`` (1-3 of
Figuur 4.1), ``munis`` and ``categories`` (size class x krachtwijk), or a list: ``'sector:jeugd,sector:sport'``.

Only these names, numbers, strings, + - * /, comparisons and and/or/not are allowed; anything else
is an error naming the statement.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

STATEMENT_COLUMNS = ["id", "section", "lines", "quote_nl", "paraphrase_en", "predicate", "vague_word",
                     "tolerance", "tables_decide"]
# tables_decide: "no" (only the statement constrains it), "true" (the printed tables force it),
# "contradicted" (the printed tables make it false: reported, never forced).
DECIDE_VALUES = ("no", "true", "contradicted")
YES = "ja"
FIGURE_4_1_DOMAINS = ("1", "2", "3")


class StatementError(ValueError):
    """A predicate that cannot be read or evaluated, with the statement it belongs to."""


@dataclass
class SurveyData:
    """What the predicates read: respondents (answer keys; None = not asked), sectors, municipalities."""
    respondents: pd.DataFrame               # municipality_id, sector, items..., hours_per_week
    sector_domain: dict[str, str]
    sector_class: dict[str, str]
    municipalities: pd.DataFrame | None = None   # municipality_id, size_class, krachtwijk, questionnaires_sent
    sent_by_sector: dict[str, int] | None = None


def load_statements(path: str | Path) -> pd.DataFrame:
    """The statements CSV, checked: every column, a known tables_decide, a readable predicate."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in STATEMENT_COLUMNS if c not in df.columns]
    if missing:
        raise StatementError(f"{path}: missing column(s) {', '.join(missing)}")
    for i, r in df.iterrows():
        if r["tables_decide"] not in DECIDE_VALUES:
            raise StatementError(f"{path}, row {i + 2} ({r['id']}): tables_decide {r['tables_decide']!r} "
                                 f"is not one of {', '.join(DECIDE_VALUES)}")
        _check_syntax(r["predicate"], f"{path}, row {i + 2} ({r['id']})")
    if df["id"].duplicated().any():
        raise StatementError(f"{path}: duplicate id(s) {sorted(df.loc[df['id'].duplicated(), 'id'])}")
    return df


# --- the language ---------------------------------------------------------------------------------

_ALLOWED = (ast.Expression, ast.Compare, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Load,
            ast.Constant, ast.And, ast.Or, ast.Not, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub,
            ast.Gt, ast.GtE, ast.Lt, ast.LtE, ast.Eq, ast.NotEq, ast.keyword)


def _check_syntax(text: str, where: str) -> ast.Expression:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        raise StatementError(f"{where}: predicate {text!r} is not readable ({e.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise StatementError(f"{where}: {type(node).__name__} is not allowed in a predicate ({text!r})")
        if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS):
            raise StatementError(f"{where}: unknown function in predicate {text!r}")
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS and node.id != "U":
            raise StatementError(f"{where}: unknown name {node.id!r} in predicate {text!r}")
    return tree


class _Evaluator:
    def __init__(self, data: SurveyData):
        self.d = data
        r = data.respondents.copy()
        r["municipality_id"] = r["municipality_id"].astype(str)
        r["_domain"] = r["sector"].map(data.sector_domain)
        r["_class"] = r["sector"].map(data.sector_class)
        if data.municipalities is not None:
            m = data.municipalities.assign(municipality_id=data.municipalities["municipality_id"].astype(str))
            r = r.merge(m[["municipality_id", "size_class", "krachtwijk"]], on="municipality_id", how="left")
        self.r = r

    # units
    UNIT_COLUMNS = {"sector": "sector", "domain": "_domain", "class": "_class", "muni": "municipality_id",
                    "size": "size_class", "krachtwijk": "krachtwijk"}

    def select(self, unit: str) -> pd.DataFrame:
        """Respondents of a unit; "a&b" is both, "not:muni:16" everyone outside muni 16."""
        return self._filter(self.r, unit)

    def _filter(self, frame: pd.DataFrame, unit: str) -> pd.DataFrame:
        if unit == "all":
            return frame
        if unit == "nonvgz":
            return frame[frame["sector"] != "vgz"]
        if "&" in unit:
            for part in unit.split("&"):
                frame = self._filter(frame, part)
            return frame
        negate = unit.startswith("not:")
        kind, _, value = unit[4:].partition(":") if negate else unit.partition(":")
        column = self.UNIT_COLUMNS.get(kind)
        if column is None or column not in frame.columns:
            raise StatementError(f"unknown unit {unit!r}")
        hit = frame[column].astype(str) == value
        return frame[~hit if negate else hit]

    def units(self, spec: str) -> list[str]:
        if spec == "sectors":
            return [f"sector:{s}" for s in self.d.sector_domain]
        if spec == "domains":
            return [f"domain:{d}" for d in FIGURE_4_1_DOMAINS]
        if spec == "munis":
            return [f"muni:{m}" for m in sorted(self.r["municipality_id"].unique(), key=_natural)]
        if spec == "categories":   # Box 3.1's four kinds of municipality
            pairs = self._sheet()[["size_class", "krachtwijk"]].drop_duplicates().astype(str).values.tolist()
            return [f"size:{a}&krachtwijk:{b}" for a, b in sorted(pairs)]
        return [u.strip() for u in spec.split(",") if u.strip()]

    # functions
    def n(self, unit):
        return len(self.select(unit))

    def _item(self, item):
        if item not in self.r.columns:
            raise StatementError(f"unknown item {item!r}")
        return item

    def cnt(self, item, unit, answer=YES):
        return int((self.select(unit)[self._item(item)] == answer).sum())

    def asked(self, item, unit):
        return int(self.select(unit)[self._item(item)].notna().sum())

    def pct(self, item, unit, answer=YES):
        base = self.asked(item, unit)
        return float("nan") if base == 0 else 100.0 * self.cnt(item, unit, answer) / base

    def share(self, item, unit, answer=YES):
        base = self.n(unit)
        return float("nan") if base == 0 else 100.0 * self.cnt(item, unit, answer) / base

    def both(self, a, b, unit):
        sel = self.select(unit)
        return int(((sel[self._item(a)] == YES) & (sel[self._item(b)] == YES)).sum())

    def anyof(self, items, unit):
        sel = self.select(unit)
        return int((sel[[self._item(i) for i in _item_list(items)]] == YES).any(axis=1).sum())

    def overlap(self, a, b, unit):
        smaller = min(self.cnt(a, unit), self.cnt(b, unit))
        return float("nan") if smaller == 0 else self.both(a, b, unit) / smaller

    def lift(self, a, b, unit):
        sel = self.select(unit)
        asked = int((sel[self._item(a)].notna() & sel[self._item(b)].notna()).sum())
        ca, cb = self.cnt(a, unit), self.cnt(b, unit)
        return float("nan") if ca == 0 or cb == 0 else self.both(a, b, unit) * asked / (ca * cb)

    def spread(self, item, units, min_n=1):
        values = [self.pct(item, u) for u in self.units(units) if self.asked(item, u) >= min_n]
        return max(values) - min(values) if values else float("nan")

    def mean_hours(self, unit):
        return float(pd.to_numeric(self.select(unit)["hours_per_week"]).mean())

    def _sheet(self) -> pd.DataFrame:
        if self.d.municipalities is None:
            raise StatementError("no municipality sheet: questionnaires sent are unknown")
        return self.d.municipalities.assign(municipality_id=self.d.municipalities["municipality_id"].astype(str))

    def _sent(self, unit):
        kind = unit.removeprefix("not:").partition(":")[0]
        if kind == "sector":
            if self.d.sent_by_sector is None:
                raise StatementError("no questionnaires sent per sector")
            return self.d.sent_by_sector.get(unit.partition(":")[2], 0)
        return int(self._filter(self._sheet(), unit)["questionnaires_sent"].sum())

    def response(self, unit):
        sent = self._sent(unit)
        return float("nan") if sent == 0 else 100.0 * self.n(unit) / sent

    def full_response(self, unit):
        """Municipalities of the unit (all, size:G4, ...) whose every questionnaire came back."""
        sheet = self._filter(self._sheet(), unit)
        return sum(1 for m in sheet["municipality_id"] if self.n(f"muni:{m}") == self._sent(f"muni:{m}"))

    def count_munis(self, unit):
        """Municipalities of the unit (from the municipality sheet)."""
        return int(self._filter(self._sheet(), unit)["municipality_id"].nunique())

    @staticmethod
    def low(*args):
        return min(args)

    @staticmethod
    def high(*args):
        return max(args)

    def every(self, expr, units):
        return all(self._eval_unit(expr, u) for u in self.units(units))

    def some(self, expr, units):
        return any(self._eval_unit(expr, u) for u in self.units(units))

    def _eval_unit(self, expr, unit):
        return bool(self.evaluate(expr, unit))

    def evaluate(self, text: str, unit: str | None = None):
        tree = _check_syntax(text, "predicate")
        env = {name: getattr(self, name) for name in FUNCTIONS}
        if unit is not None:
            env["U"] = unit
        return _eval(tree.body, env)


FUNCTIONS = ("n", "cnt", "pct", "share", "both", "anyof", "overlap", "lift", "spread", "mean_hours", "response",
             "full_response", "count_munis", "low", "high", "every", "some")

_BIN = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
        ast.Div: lambda a, b: a / b}
_CMP = {ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b, ast.Lt: lambda a, b: a < b,
        ast.LtE: lambda a, b: a <= b, ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b}


def _eval(node, env):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise StatementError(f"{node.id!r} is not defined here")
        return env[node.id]
    if isinstance(node, ast.BinOp):
        return _BIN[type(node.op)](_eval(node.left, env), _eval(node.right, env))
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, env)
        return (not value) if isinstance(node.op, ast.Not) else -value
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, env) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env)
        for op, right_node in zip(node.ops, node.comparators):
            right = _eval(right_node, env)
            if not _CMP[type(op)](left, right):   # NaN compares False: an empty base never passes
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        args = [_eval(a, env) for a in node.args]
        kwargs = {k.arg: _eval(k.value, env) for k in node.keywords}
        return env[node.func.id](*args, **kwargs)
    raise StatementError(f"{type(node).__name__} is not allowed")


def _item_list(items: str) -> list[str]:
    """anyof's first argument: item ids separated by commas."""
    out = [i.strip() for i in str(items).split(",") if i.strip()]
    if not out:
        raise StatementError(f"anyof() needs at least one item, got {items!r}")
    return out


def _natural(value: str):
    return (0, int(value)) if str(value).isdigit() else (1, str(value))


def evaluate_statements(statements: pd.DataFrame, data: SurveyData) -> pd.DataFrame:
    """Every statement with `holds` (True / False) on the data."""
    ev = _Evaluator(data)
    out = statements.copy()
    holds = []
    for r in statements.itertuples(index=False):
        try:
            holds.append(bool(ev.evaluate(r.predicate)))
        except StatementError as e:
            raise StatementError(f"statement {r.id} (lines {r.lines}): {e}") from None
    out["holds"] = holds
    return out


# --- reading an export (the codebook's codes -> answer keys) ------------------------------------------

def survey_data_from_export(raw_dir: str | Path, codebook: str | Path, sectors: str | Path,
                            wave: str = "rivm2009") -> SurveyData:
    """The wave's export as the predicates read it: codes decoded with the codebook only."""
    from analysis.core.codebook import load_codebook

    raw_dir = Path(raw_dir)
    book = load_codebook(codebook, sectors).for_wave(wave)
    export = pd.read_csv(raw_dir / "responses.csv", dtype=str, keep_default_na=False)
    resp = pd.DataFrame({"municipality_id": export["municipality_id"]})
    by_code = {str(s.code): s.id for s in book.sectors}
    resp["sector"] = export["sector"].map(lambda v: by_code.get(v, v))
    for it in book.items:
        if it.answers and it.id in export.columns and it.id != "sector":
            codes = {str(a.code): a.key for a in it.answers}
            resp[it.id] = export[it.id].map(lambda v, c=codes: c.get(v) if v != "" else None)
    resp["hours_per_week"] = pd.to_numeric(export["hours_per_week"], errors="coerce")
    munis = pd.read_csv(raw_dir / "municipalities.csv", dtype={"municipality_id": str}) \
        if (raw_dir / "municipalities.csv").exists() else None
    sent = None
    if (raw_dir / "sent_by_sector.csv").exists():
        s = pd.read_csv(raw_dir / "sent_by_sector.csv", dtype=str)
        key, value = s.columns[0], [c for c in s.columns if "sent" in c][0]
        sent = {by_code.get(k, k): int(v) for k, v in zip(s[key], s[value])}
    return SurveyData(resp, {s.id: str(s.domain) for s in book.sectors},
                      {s.id: s.social_class for s in book.sectors}, munis, sent)


# --- which cells a statement constrains ----------------------------------------------------------------

# statement unit kind -> cells.csv unit kind (units cells.csv does not have, e.g. krachtwijk, are left out)
CELL_UNITS = {"all": "overall", "sector": "sector", "domain": "domain", "class": "class", "muni": "municipality"}
_ITEM_CALLS = {"cnt": 1, "pct": 1, "share": 1, "both": 2, "overlap": 2, "lift": 2, "spread": 1}


def _cell_unit(unit: str) -> tuple[str, str] | None:
    if unit == "all":
        return ("overall", "all")
    kind, _, value = unit.partition(":")
    if "&" in unit or kind not in CELL_UNITS or kind == "all":
        return None
    return (CELL_UNITS[kind], value)


def referenced_cells(predicate: str, data: SurveyData) -> set[tuple[str, str, str, str]]:
    """The cells.csv addresses (unit, unit_id, item, answer) whose counts a predicate reads."""
    ev = _Evaluator(data)
    out: set[tuple[str, str, str, str]] = set()

    def visit(text: str, unit_value: str | None) -> None:
        for node in ast.walk(ast.parse(text, mode="eval")):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            name = node.func.id
            args = [a.value if isinstance(a, ast.Constant) else (unit_value if isinstance(a, ast.Name) else None)
                    for a in node.args]
            if name in ("every", "some") and isinstance(args[0], str) and isinstance(args[1], str):
                for u in ev.units(args[1]):
                    visit(args[0], u)
            elif name == "anyof" and isinstance(args[0], str) and len(args) > 1 and isinstance(args[1], str):
                cell = _cell_unit(args[1])
                if cell:
                    out.update((cell[0], cell[1], i, YES) for i in _item_list(args[0]))
            elif name in _ITEM_CALLS:
                k = _ITEM_CALLS[name]
                items, unit = args[:k], args[k] if len(args) > k else None
                answer = args[k + 1] if name in ("cnt", "pct", "share") and len(args) > k + 1 else YES
                if unit is None or any(not isinstance(i, str) for i in items):
                    continue
                units = ev.units(unit) if name == "spread" else [unit]
                for u in units:
                    cell = _cell_unit(u)
                    if cell:
                        out.update((cell[0], cell[1], i, answer) for i in items)

    visit(predicate, None)
    return out
