"""What generated code computes, language by language the same: the plan every printer prints.

Interface (the C printer and the NumPy/JAX/Julia/MATLAB printers code against it):

    plan = build(problem, lang=..., what="jacobian"|"value"|"both", name=..., layout=...,
                 command="jac codegen ...")

- `plan.inputs`: `Input(name, array, index)`: jac's name as typed ("q1", "int", "x[1]"),
  the array it is read from ("x": the variables in {vars} order; "p": the parameters,
  sorted by name as `eval --points` reads them) and its 0-based position there.
- `plan.temps`: `(sympy.Symbol, sympy.Expr)` shared subexpressions, in the order to compute
  them (SymEngine's cse over the outputs and the guards' operands, in one pool).
- `plan.outputs`: `Output(block, slot, row, col, expr)`, every slot of each block in order:
  block "value" (F_i, slot i, col -1) and "jacobian" (dense: slot i*n + j, zeros included;
  sparse: the stored cells in row-major order, `plan.cells()`).
- `plan.guards`: `Guard(condition, block, slots)`: where `condition` (a SymPy boolean of
  Eq/Ne/Lt/Le/Gt/Ge, And/Or/Not, `NotFinite(e)`, `NotInteger(e)` and `IsNaN(input)`) holds,
  those slots are NaN. Conditions are evaluated on the inputs and temps, before any slot is
  overwritten. `NotFinite(e)` is jac eval's "e is NaN, or ±inf where every input is finite":
  emitters compute that flag once, as `finite`, before the guards.
- Non-finite values are NOT guards: every emitter ends with its own pass, "a Jacobian entry
  that is NaN or ±inf becomes NaN; a value F_i that is NaN stays NaN, and one that is ±inf
  becomes NaN when every input is finite" (jac eval's rule; one compare per slot).
- `plan.identifiers(reserved)`: jac's names (inputs, temps) → distinct identifiers legal in a
  language whose reserved words (and the names the emitter itself uses: x, p, out, the
  function's name, ...) are `reserved`. Printers print a Symbol through that map.
- `plan.header`: the provenance lines (no comment markers), the same in every language but
  for the index base (0 in C/NumPy/JAX, 1 in Julia/MATLAB), given by `lang`.

Where F_i as typed is undefined, all of row i is (jac eval's rule): the plan checks each
partial operation of F_i as typed (a divisor 0, jac's rule for powers, a function whose value
is not finite, atan2(0, 0)), from the classification `eval --points` uses
(jaccli.batch.guards). jac eval decides on the value of F_i as typed instead, so the two differ
where a later operation absorbs an undefined step (cbrt(-8)^0 is NaN^0 = 1 there, 1/log(x) at
0 is -0): the code says NaN, jac eval a number. And where F_i only overflows (exp(1000)),
jac eval makes the row undefined, the code only the entries that overflow.

Functions print as the catalogue (jaccli.functions) says; what jac's rules add: DiracDelta(u)
is NaN at u = 0 and 0 elsewhere, sign(u) is a double, u^(1/3) (cbrt) is the principal root
(NaN for u < 0), atan2 is the language's own (the guard says where jac calls it undefined).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jaccli.codegen.predicates import predicates as predicates  # re-exported
from jaccli.errors import UsageError, literal

if TYPE_CHECKING:
    from jaccli.problem import Problem

WHATS = ("jacobian", "value", "both")
LAYOUTS = ("auto", "dense", "sparse")
ONE_BASED = frozenset({"julia", "matlab"})


@dataclass(frozen=True)
class Input:
    name: str  # jac's name as typed
    array: str  # "x" (variables) or "p" (parameters)
    index: int  # 0-based position in that array


@dataclass(frozen=True)
class Output:
    block: str  # "value" or "jacobian"
    slot: int  # 0-based position in that block's flat output
    row: int
    col: int  # -1 for a value
    expr: Any  # sympy.Expr over input symbols and temps


@dataclass(frozen=True)
class Guard:
    condition: Any  # SymPy boolean: True where the slots are undefined
    block: str
    slots: tuple[int, ...]
    lazy: bool = False  # only NaN inputs, which some entry of the block reads: C checks it
    # only when an entry is not finite (no cost for arm-20)


@dataclass(frozen=True)
class Plan:
    name: str
    what: str
    layout: str  # "dense" or "sparse"
    m: int
    n: int
    inputs: tuple[Input, ...]
    temps: tuple[tuple[Any, Any], ...]
    outputs: tuple[Output, ...]
    guards: tuple[Guard, ...]
    header: tuple[str, ...]
    operations: int
    lang: str = "c"

    def slots(self, block: str) -> int:
        """The length of a block's flat output (0 for a block the plan does not compute)."""
        return sum(1 for o in self.outputs if o.block == block)

    def cells(self) -> tuple[tuple[int, int], ...]:
        """(row, col) of each Jacobian slot, in slot order."""
        return tuple((o.row, o.col) for o in self.outputs if o.block == "jacobian")

    def blocks(self) -> tuple[str, ...]:
        return {"value": ("value",), "jacobian": ("jacobian",)}.get(
            self.what, ("value", "jacobian")
        )

    def identifiers(self, reserved: Iterable[str]) -> dict[str, str]:
        """Each input's and temp's name → a distinct legal identifier (see the docstring)."""
        names = [i.name for i in self.inputs] + [t.name for t, _ in self.temps]
        return identifiers(names, reserved)


def identifiers(names: Sequence[str], reserved: Iterable[str]) -> dict[str, str]:
    """`names` → distinct ASCII identifiers, none of them in `reserved`: x[1] → x_1,
    int → int_, λ → u03bb; a clash gains underscores. Deterministic: order decides."""
    taken = set(reserved)
    found: dict[str, str] = {}
    for name in names:
        text = "".join(c if c.isascii() else f"u{ord(c):04x}" for c in name)
        text = re.sub(r"\W", "_", text).strip("_") or "v"
        if text[0].isdigit():
            text = "v" + text
        while text in taken:
            text += "_"
        taken.add(text)
        found[name] = text
    return found


def build(
    problem: Problem,
    *,
    lang: str,
    what: str = "jacobian",
    name: str = "jac_f",
    layout: str = "auto",
    command: str = "",
    at: str | None = None,
) -> Plan:
    """The plan for `problem` (see the module's docstring); `at` ("k=3,m=1/2") gives
    parameters values, baked into the code as constants and said in the header."""
    import symengine as se

    from jaccli.codegen.header import header_lines
    from jaccli.engine import differentiate, kinks, resolve_variables

    if what not in WHATS or layout not in LAYOUTS:
        raise UsageError(f"unknown choice: {what if what not in WHATS else layout}")
    if problem.abstract:
        raise UsageError(
            f"{', '.join(problem.abstract)} (declared with {{abstract}}) has no formula to "
            "generate code from: give it one"
        )
    variables, _ = resolve_variables(problem.functions, problem.variables)
    fixed = _fixed(problem, variables, at)
    functions = [f.subs(fixed) if fixed else f for f in problem.functions]
    free = set().union(*(f.free_symbols for f in functions)) - set(variables)
    parameters = sorted(free, key=lambda s: s.name)
    inputs = tuple(Input(v.name, "x", k) for k, v in enumerate(variables)) + tuple(
        Input(s.name, "p", k) for k, s in enumerate(parameters)
    )
    m, n = len(functions), len(variables)
    sparse = differentiate(functions, variables)
    found = kinks(functions, variables)
    row_checks = _row_checks(problem, [*variables, *parameters, *fixed], fixed)
    stored = {(i, j) for i, row in enumerate(sparse.rows) for j, _ in row}
    stored |= {(k.i, k.j) for k in found}
    with_entries = {i for i, _ in stored}
    stored |= {(i, 0) for i in row_checks if i not in with_entries}  # x/x: a stored 0
    chosen = _layout(layout, len(stored), m, n)
    cells = [(i, j) for i in range(m) for j in range(n)] if chosen == "dense" else sorted(stored)
    entries = {(i, j): d for i, row in enumerate(sparse.rows) for j, d in row}
    for i in _complex_rows(functions):  # log(-2)*x + y: F_1 is complex, so all of row 1 is NaN
        functions[i] = se.nan
        entries.update({(k, j): se.nan for k, j in cells if k == i})
    pool: list[Any] = []
    with_value = what != "jacobian"
    with_jacobian = what != "value"
    if with_value:
        pool += functions
    if with_jacobian:
        pool += [entries.get(c, se.Integer(0)) for c in cells]
    if with_jacobian:
        row_checks = _nan_rows(row_checks, functions, entries, cells, [*variables, *parameters])
    conditions = _conditions(row_checks, found if with_jacobian else [])
    operands = [e for _, _, cond in conditions for e in cond.operands]
    temps, reduced = _cse([*pool, *operands], {i.name for i in inputs})
    outputs = _outputs(reduced, m, cells, with_value, with_jacobian)
    guards = _guards(conditions, reduced[len(pool) :], cells, with_value, with_jacobian)
    operations = _count(temps, outputs)
    plan = Plan(name, what, chosen, m, n, inputs, temps, outputs, guards, (), operations, lang)
    given = tuple((s.name, str(v)) for s, v in fixed.items())
    return _with_header(plan, header_lines(plan, command, given))


def _with_header(plan: Plan, header: tuple[str, ...]) -> Plan:
    from dataclasses import replace

    return replace(plan, header=header)


def _fixed(problem: Problem, variables: Sequence[Any], at: str | None) -> dict[Any, Any]:
    """The parameters' values given with {at} (checked against F as typed), exact."""
    if not at:
        return {}
    values = problem.at(at, variables).values
    given = [s.name for s in values if s in set(variables)]
    if given:
        raise UsageError(f"{{at}} gives {given[0]}, a variable: in code it is an input")
    for symbol, value in values.items():
        if value.free_symbols:
            raise UsageError(f"{{at}} {symbol.name} must be a number, not {value}")
    return dict(values)


def _layout(layout: str, nnz: int, m: int, n: int) -> str:
    """Dense unless J is big and sparse: nnz ≤ m·n/4 and m·n > 64 (design §3)."""
    if layout != "auto":
        return layout
    return "dense" if nnz * 4 > m * n or m * n <= 64 else "sparse"


# --------------------------------------------------------------------------- conditions


class _Condition:
    """A guard's condition before CSE: a builder over its operands' reduced forms."""

    def __init__(self, kind: str, operands: Sequence[Any]) -> None:
        self.kind = kind
        self.operands = list(operands)

    def make(self, values: Sequence[Any]) -> Any:
        import sympy

        if sympy.nan in values:  # an operand that is a complex constant: undefined everywhere
            return sympy.true
        if self.kind.startswith("nan"):  # F_i reads an input that is NaN
            return sympy.Or(*(predicates()[2](v) for v in values))
        if self.kind == "zero":
            return sympy.Eq(values[0], 0)
        if self.kind == "power":
            base, exponent = values
            return sympy.Or(
                sympy.And(sympy.Eq(base, 0), sympy.Le(exponent, 0)),
                sympy.And(sympy.Lt(base, 0), predicates()[1](exponent)),
            )
        if self.kind == "atan2":  # jac's atan2(0, 0) is undefined; C's, NumPy's are 0
            return sympy.And(sympy.Eq(values[0], 0), sympy.Eq(values[1], 0))
        if self.kind == "abs":
            return sympy.And(sympy.Eq(values[0], 0), sympy.Ne(values[1], 0))
        if self.kind == "jump":
            return sympy.Eq(values[0], 0)
        if self.kind == "cut":  # atan2(y, x) on its cut: y = 0, x < 0
            return sympy.And(sympy.Eq(values[0], 0), sympy.Lt(values[1], 0))
        if self.kind == "0^0":
            return sympy.And(sympy.Eq(values[0], 0), sympy.Eq(values[1], 0))
        return predicates()[0](values[0])  # a function outside its domain: its value says so


def _row_checks(
    problem: Problem, args: Sequence[Any], fixed: Mapping[Any, Any]
) -> dict[int, list[_Condition]]:
    """Row i → where F_i as typed is undefined (divisors, powers, functions with a domain),
    from the same classification `eval --points` uses (jaccli.batch.guards)."""
    from jaccli.batch.guards import classify, components
    from jaccli.functions import symengine_functions

    checks: dict[int, list[_Condition]] = {}
    for parsed, rows in zip(problem.parsed, components(problem.parsed), strict=True):
        found = classify([parsed], args)
        if found.typed_parsed:
            raise UsageError(
                f"cannot generate the check of {literal(parsed.line.strip())} as typed: "
                "an operation on vectors or matrices that can be undefined (./, inv), or a "
                "name that only its undefined points hold (x/x with x not in {vars}); "
                "write it with scalars"
            )
        conditions = []
        for guard in _with_values(found.guards, fixed):
            if guard.kind in ("zero", "power", "atan2"):
                conditions.append(_Condition(guard.kind, guard.exprs))
            else:
                value = symengine_functions()[guard.kind](*guard.exprs)
                conditions.append(_Condition("finite", [value]))
        for i in rows:
            if conditions:
                checks[i] = conditions
    return checks


def _nan_rows(
    checks: Mapping[int, list[_Condition]],
    functions: Sequence[Any],
    entries: Mapping[tuple[int, int], Any],
    cells: Sequence[tuple[int, int]],
    inputs: Sequence[Any],
) -> dict[int, list[_Condition]]:
    """`checks` and, for each row with a cell that does not read every input F_i reads (y in
    d(x*y)/dx, a structural 0), "an input of F_i is NaN": there F_i is NaN, so jac eval calls
    the whole row undefined. A row whose cells all read them is NaN there already."""
    out = {i: list(found) for i, found in checks.items()}
    order = {s: k for k, s in enumerate(inputs)}
    row_cells: dict[int, list[Any]] = {}
    for i, j in cells:
        row_cells.setdefault(i, []).append(entries.get((i, j)))
    for i, row in row_cells.items():
        reads = functions[i].free_symbols
        if reads and any(e is None or not reads <= e.free_symbols for e in row):
            operands = sorted(reads, key=lambda s: order[s])
            read = set().union(*(e.free_symbols for e in row if e is not None))
            kind = "nan" if reads <= read else "nan!"
            out.setdefault(i, []).append(_Condition(kind, operands))
    return out


def _with_values(guards: Sequence[Any], fixed: Mapping[Any, Any]) -> list[Any]:
    """The guards with the parameters of {at} put in; those left of numbers only are
    dropped (the point was checked against F as typed already)."""
    if not fixed:
        return list(guards)
    found = []
    for guard in guards:
        exprs = tuple(e.subs(fixed) for e in guard.exprs)
        if any(e.free_symbols for e in exprs):
            found.append(guard._replace(exprs=exprs))
    return found


# Rows "an input of F_i is NaN": J only (F_i is NaN there already); lazy when an entry of
# the row reads each such input (so some entry is NaN there too).
_ROWS = {"nan": "lazy", "nan!": "jrow"}


def _conditions(
    rows: Mapping[int, list[_Condition]], found: Sequence[Any]
) -> list[tuple[str, tuple[int, int], _Condition]]:
    """("row", (i, -1), condition) for rows, ("cell", (i, j), condition) for kinks."""
    out = [(_ROWS.get(c.kind, "row"), (i, -1), c) for i in sorted(rows) for c in rows[i]]
    out += [("cell", (k.i, k.j), _Condition(k.kind, [k.a, k.b])) for k in found]
    return out


def _guards(
    conditions: Sequence[tuple[str, tuple[int, int], _Condition]],
    reduced: Sequence[Any],
    cells: Sequence[tuple[int, int]],
    with_value: bool,
    with_jacobian: bool,
) -> tuple[Guard, ...]:
    """One Guard per (block, row or cell), its conditions OR-ed, in a stable order."""
    import sympy

    slot = {c: k for k, c in enumerate(cells)}
    by_row: dict[int, list[int]] = {}
    for k, (i, _) in enumerate(cells):
        by_row.setdefault(i, []).append(k)
    grouped: dict[tuple[str, int, int], list[Any]] = {}
    at = 0
    for what, (i, j), condition in conditions:
        values = reduced[at : at + len(condition.operands)]
        at += len(condition.operands)
        grouped.setdefault((what, i, j), []).append(condition.make(values))
    guards = []
    for (what, i, j), made in grouped.items():
        condition = sympy.Or(*made)
        if condition is sympy.false:
            continue
        if what == "row" and with_value:
            guards.append(Guard(condition, "value", (i,)))
        if what in ("row", "jrow", "lazy") and with_jacobian:
            guards.append(Guard(condition, "jacobian", tuple(by_row.get(i, ())), what == "lazy"))
        if what == "cell":
            guards.append(Guard(condition, "jacobian", (slot[(i, j)],)))
    return tuple(guards)


# --------------------------------------------------------------------------- CSE


def _cse(exprs: Sequence[Any], avoid: set[str]) -> tuple[tuple[tuple[Any, Any], ...], list[Any]]:
    """SymEngine's cse over everything, temps renamed t0, t1, ... (no input's name), in
    SymPy for the printers. SymEngine's is 20× faster than SymPy's and finds more."""
    import symengine as se

    pairs, reduced = se.cse(list(exprs)) if exprs else ([], [])
    names = (f"t{k}" for k in range(10**9))
    rename: dict[Any, Any] = {}
    for symbol, _ in pairs:
        new = next(names)
        while new in avoid:
            new = next(names)
        rename[symbol] = se.Symbol(new)
    temps = tuple((_sympy(rename[s]), _sympy(e.xreplace(rename))) for s, e in pairs)
    return temps, [_sympy(e.xreplace(rename)) for e in reduced]


def _sympy(expr: Any) -> Any:
    """A SymEngine expression in SymPy (SymEngine's own tree walk: no text is parsed), with
    jac's DiracDelta as SymPy's."""
    import sympy

    converted = _real_constants(expr._sympy_())
    deltas = [f for f in converted.atoms(sympy.Function) if f.func.__name__ == "DiracDelta"]
    if deltas:
        converted = converted.xreplace({d: sympy.DiracDelta(*d.args) for d in deltas})
    return converted


def _complex_rows(functions: Sequence[Any]) -> list[int]:
    """The rows whose F_i holds a constant that is not real (or zoo): undefined everywhere."""
    import symengine as se
    import sympy

    def suspect(f: Any) -> bool:  # cheap in SymEngine: I, zoo, a function of a constant
        constants = (g for g in [*f.atoms(se.Pow), *f.atoms(se.Function)] if not g.free_symbols)
        return bool(f.has(se.I, se.zoo) or any(True for _ in constants))

    return [i for i, f in enumerate(functions) if suspect(f) and _sympy(f) is sympy.nan]


def _real_constants(expr: Any) -> Any:
    """`expr` with every constant that is not a real number NaN: jac calls a complex value
    undefined (log(-2) = log 2 + iπ, acosh(0) = iπ/2, (-8)^(1/3) = 2·(-1)^(1/3)), and
    SymPy's zoo (log(0) in d(0^x)/dx) has no double. NaN then absorbs what it meets, as in
    jac eval; the printers never see a complex number."""
    import sympy

    def complex_power(p: Any) -> bool:
        return bool(p.base.is_number and p.exp.is_number and not p.exp.is_integer)

    if not (expr.has(sympy.I, sympy.zoo) or any(map(complex_power, expr.atoms(sympy.Pow)))):
        return expr

    def walk(e: Any) -> Any:
        if e.is_number:
            return sympy.nan if e is sympy.zoo or e.is_extended_real is False else e
        if not e.args or isinstance(e, sympy.Symbol):
            return e
        return e.func(*map(walk, e.args))

    return walk(expr)


def _outputs(
    reduced: Sequence[Any],
    m: int,
    cells: Sequence[tuple[int, int]],
    with_value: bool,
    with_jacobian: bool,
) -> tuple[Output, ...]:
    out = []
    at = 0
    if with_value:
        out += [Output("value", i, i, -1, reduced[i]) for i in range(m)]
        at = m
    if with_jacobian:
        out += [Output("jacobian", k, i, j, reduced[at + k]) for k, (i, j) in enumerate(cells)]
    return tuple(out)


def _count(temps: Sequence[tuple[Any, Any]], outputs: Sequence[Output]) -> int:
    """Arithmetic operations and calls, after CSE (SymPy's count_ops)."""
    import sympy

    return int(
        sum(sympy.count_ops(e) for _, e in temps) + sum(sympy.count_ops(o.expr) for o in outputs)
    )
