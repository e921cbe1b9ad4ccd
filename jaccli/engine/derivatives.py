"""Differentiation: J row by row, each row by its non-zero entries.

SymEngine differentiates; a row whose function has abs, sign or an undefined function
goes through SymPy instead (`bridge.needs_sympy`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from jaccli.engine.algebra import atoms
from jaccli.engine.bridge import from_sympy, to_sympy
from jaccli.engine.results import Block, JacobianResult, Progress, Sparse, SparseRow
from jaccli.engine.variables import header

if TYPE_CHECKING:
    from jaccli.engine.matrix_form import Structure
    from jaccli.engine.renamed import Renamings


class _Unknown(Exception):
    """A derivative SymEngine left unevaluated that jac has no rule for: SymPy takes over."""


def _diff(f: Any, v: Any) -> Any:
    """d f/d v by SymEngine, with jac's rules where it stops: d|u| = sign(u) du and
    d sign(u) = 2 DiracDelta(u) du (SymPy's). Used where SymPy's answer cannot be read
    back (d|x^x|/dx holds re, im and arg); SymPy's is kept otherwise, as it simplifies
    |u|^2 to u^2 where it knows u is real."""
    import symengine as se

    from jaccli.functions import symengine_functions

    d = diff(f, v)
    pending = atoms(d, se.Derivative, se.Subs)
    if not pending:
        return d
    delta: Any = symengine_functions()["DiracDelta"]
    done: dict[Any, Any] = {}
    for node in pending:
        if isinstance(node, se.Subs):
            inner, (xi,), (at,) = node.expr, node.variables, node.point
            g = inner.args[0] if isinstance(inner, se.Derivative) else None
            if (
                g is None
                or not isinstance(g, se.sign)
                or g.args[0] != xi
                or inner.variables != (xi,)
            ):
                raise _Unknown
            done[node] = 2 * delta(at)
    for node in pending:
        if isinstance(node, se.Derivative) and not any(node in s.args for s in done):
            g, by = node.expr, node.variables
            if by != (v,) or not isinstance(g, (se.Abs, se.sign)):
                raise _Unknown
            u = g.args[0]
            factor = se.sign(u) if isinstance(g, se.Abs) else 2 * delta(u)
            done[node] = factor * _diff(u, v)
    return d.subs(done)


def atan2_nodes(f: Any, found: Any = None) -> tuple[Any, ...]:
    """The atan2 calls in f (or among `found`, its atoms) whose derivative SymEngine would
    divide by their x argument: those of expressions (of two symbols it writes it well)."""
    import symengine as se

    calls = atoms(f, se.atan2) if found is None else found
    return tuple(
        a
        for a in calls
        if isinstance(a, se.atan2) and not (a.args[0].is_Symbol and a.args[1].is_Symbol)
    )


def diff(f: Any, v: Any, nodes: Sequence[Any] | None = None) -> Any:
    """d f/d v by SymEngine, with d atan2(Y, X) = (X dY − Y dX)/(X² + Y²).

    SymEngine's own rule for atan2 of expressions divides by X: d/dt atan2(r sin t, r cos t)
    comes out undefined where cos t = 0, although atan2 is smooth there (the polar inverse on
    the y axis). Each call is stood in for by a symbol while SymEngine differentiates, and its
    derivative by the rule is added through the chain rule. `nodes`: f's atan2 calls, if known.
    """
    import symengine as se

    nodes = atan2_nodes(f) if nodes is None else nodes
    if not nodes:
        return _held(f, v, f.diff(v))
    stand = {a: se.Symbol(f"atan2@{k}") for k, a in enumerate(nodes)}
    g = f.xreplace(stand)  # top down: an atan2 inside another one's arguments goes with it
    present = g.free_symbols
    d = g.diff(v)
    for a, s in stand.items():
        if s in present:
            y, x = a.args
            d += g.diff(s) * (x * diff(y, v) - y * diff(x, v)) / (x**2 + y**2)
    if any(node.has(*stand.values()) for node in atoms(d, se.Derivative, se.Subs)):
        # A derivative SymEngine left unevaluated (of min, max) with a stand-in inside cannot
        # take its atan2 back: SymEngine's own rule, and jac's fallbacks for what it leaves.
        return _held(f, v, f.diff(v))
    return _held(f, v, d.xreplace({s: a for a, s in stand.items()}))


def _constant_calls(f: Any) -> set[Any]:
    """f's outermost calls of constants, acosh(-1): only where it has some can `_held`
    change an entry (xreplace takes each whole, with the calls inside it)."""
    import symengine as se

    return atoms(f, se.Function, outermost=lambda call: not call.free_symbols)


def _held(f: Any, v: Any, d: Any) -> Any:
    """SymEngine differentiates a constant call at a pole of its derivative to nan: d/dy of
    acosh(-1)*y comes out nan*y (its rule multiplies 1/sqrt((-1)^2 - 1) by d(-1)/dy = 0).
    Where nan appears, f's constant calls stand still as symbols while it is differentiated."""
    import symengine as se

    if not d.has(se.nan) or f.has(se.nan):
        return d
    constants = list(_constant_calls(f))
    if not constants:
        return d
    stand = {a: se.Symbol(f"constant@{k}") for k, a in enumerate(constants)}
    return diff(f.xreplace(stand), v).xreplace({s: a for a, s in stand.items()})


# The functions SymEngine differentiates by itself, as its printer names them: neither abs,
# sign nor atan2 (abs(, sign(, atan2() nor a declared or unknown function (g(, DiracDelta(,
# Derivative(, re(), which jac's catalogue forbids declaring under these names.
_TRIG = ("sin", "cos", "tan", "cot", "sec", "csc")
_PLAIN_CALLS = frozenset(
    f"{arc}{t}{hyperbolic}" for arc in ("", "a") for t in _TRIG for hyperbolic in ("", "h")
) | {"exp", "log", "sqrt", "erf"}
# A call in SymEngine's text: whatever stands between an operator (or a bracket) and "(";
# nothing for a bracket that only groups. The look-behind starts a match only where a
# name can start: without it a 100,000-digit number is rescanned from every digit.
_CALL = re.compile(r"(?<![^\s()*+/,-])([^\s()*+/,-]*)\(")


def plain(f: Any, text: str | None = None) -> bool:
    """Whether f surely holds no abs, sign, atan2 or declared function: its text (`str(f)`,
    if known) calls only functions SymEngine differentiates alone. Printing is C++ and the
    scan one regular expression, where walking f's nodes in Python (`atoms`) cost as much as
    differentiating."""
    calls = set(_CALL.findall(str(f) if text is None else text))
    return all(name in _PLAIN_CALLS for name in calls - {""})


def by_symengine(f: Any, moved: bool = False, text: str | None = None) -> tuple[Any, ...] | None:
    """f's atan2 calls of expressions (for `diff`) when SymEngine can differentiate f alone;
    None when f needs SymPy or jac's rules (abs, sign, declared functions): one walk of f
    answers both questions, and none when its text shows it has none of them (`plain`).
    `moved`: all of f's atan2 calls, which become calls of sums once f is moved along a
    direction (F(x + εv))."""
    import symengine as se

    if plain(f, text):
        return ()
    found = atoms(f, se.Abs, se.sign, se.FunctionSymbol, se.atan2)
    if not all(isinstance(a, se.atan2) for a in found):
        return None
    return tuple(found) if moved else atan2_nodes(f, found)


def _differentiate_one(
    f: Any, variables: Sequence[Any], columns: Mapping[Any, int] | None = None
) -> SparseRow:
    """The non-zero ∂f/∂x_j, by column. `columns` (each variable's column, built once by
    the caller) visits only the symbols f holds: 3 of 2,000 for a Bratu row, instead of
    asking each of the 2,000 variables whether f holds it."""
    present = f.free_symbols
    if columns is None:
        pairs = [(j, v) for j, v in enumerate(variables) if v in present]
    else:
        pairs = present_columns(present, columns)
    return _row(f, pairs, by_symengine(f))


def present_columns(present: Iterable[Any], columns: Mapping[Any, int]) -> list[tuple[int, Any]]:
    """(column, variable) for the variables among `present`, by column (no two the same,
    so the variables themselves are never compared)."""
    return sorted([(columns[s], s) for s in present if s in columns])


def _row(f: Any, pairs: Sequence[tuple[int, Any]], nodes: tuple[Any, ...] | None) -> SparseRow:
    """The non-zero ∂f/∂v for the (column, v) `pairs`; `nodes` as `by_symengine(f)` says."""
    if nodes == () and len(pairs) >= _MANY:
        from jaccli.engine import forward

        found = forward.row(f, [v for _, v in pairs])
        if _constant_calls(f):  # else no entry needs _held: not a walk of each entry
            found = [_held(f, v, d) for (_, v), d in zip(pairs, found, strict=True)]
        return tuple((j, d) for (j, _), d in zip(pairs, found, strict=True) if d != 0)
    if nodes is not None:
        row = [(j, diff(f, v, nodes)) for j, v in pairs]
        return tuple((j, d) for j, d in row if d != 0)
    g = to_sympy(f)
    row = [(j, from_sympy(g.diff(to_sympy(v)))) for j, v in pairs]
    if any(_foreign(d) or _pending(d) for _, d in row):
        # SymPy's d|x^x|/dx holds re, im and arg, which come back as Python callbacks that
        # SymEngine cannot even print, and its d sign(log(x))/dx stays a Derivative (it
        # cannot tell that log(x) is real): jac's own rules for abs and sign instead.
        row = _by_jac(f, pairs) or row
    return tuple((j, d) for j, d in row if d != 0)


_MANY = 8  # columns from which a row is differentiated by engine.forward, its tree paid once


def partial(f: Any, v: Any) -> Any:
    """∂f/∂v as an entry of J is computed: jac's rules for abs and sign included, so no
    Derivative is left unevaluated (SymEngine's d/dx (x - |x|) holds one)."""
    from symengine import Integer

    row = _differentiate_one(f, [v])
    return row[0][1] if row else Integer(0)


def _foreign(expr: Any) -> bool:
    """Whether SymPy handed back a function SymEngine only wraps (re, im, arg)."""
    from symengine import Function

    return any(type(a).__name__ == "PyFunction" for a in atoms(expr, Function))


def _pending(expr: Any) -> bool:
    """Whether a derivative was left undone (a Derivative or Subs of something defined)."""
    from symengine import Derivative, FunctionSymbol, Subs

    return any(not atoms(d, FunctionSymbol) for d in atoms(expr, Derivative, Subs))


def _by_jac(f: Any, pairs: Sequence[tuple[int, Any]]) -> list[tuple[int, Any]] | None:
    """The row by jac's own rules (abs, sign), or None when SymPy must do it."""
    from symengine import FunctionSymbol

    if atoms(f, FunctionSymbol):  # DiracDelta, or a function declared with no formula
        return None
    try:
        return [(j, _diff(f, v)) for j, v in pairs]
    except _Unknown:
        return None


# Templates are looked up for this many rows at least, then only while half of them hit:
# input with no repetition (random weights) pays for this many lookups, no more. A block of
# up to 20 equations repeated down the rows (a species each) hits from its third block on.
_TRIAL_ROWS = 64
_CANDIDATES = 4  # templates kept for one skeleton
# A name in SymEngine's text, not a function's: what a row's skeleton leaves out.
_NAME = re.compile(r"[^\W\d]\w*(?![\w(])")


class _Template:
    """The first row of a template (its symbols in slot order: its variables by column, then
    its parameters by name), boxed with its non-zero derivatives once a second row has the
    same template: one renaming of the box (C++) onto a row's symbols gives the row's own
    expression, to check that it is the template's indeed, and its entries, as
    differentiating the row gives them."""

    __slots__ = ("box", "complete", "form", "printed", "slots", "symbols", "unsafe")

    def __init__(self, expr: Any, symbols: Sequence[Any], text: str) -> None:
        import symengine as se

        self.box = _box(expr)
        self.symbols = tuple(symbols)
        self.slots: tuple[int, ...] = ()  # the variables (by position) with a non-zero derivative
        self.complete = False
        # How it prints (`printed_form`), each name with the slot of its symbol, or -1
        self.form, names = printed_form(text)
        slot = {s: k for k, s in enumerate(self.symbols)}
        self.printed = [(n, slot.get(se.Symbol(n), -1)) for n in names]
        self.unsafe = False  # renamed entries print otherwise than differentiating a row

    def differentiate(self, variables: int) -> None:
        (expr,) = self.box.args
        nodes = by_symengine(expr) or ()
        found = [(k, diff(expr, s, nodes)) for k, s in enumerate(self.symbols[:variables])]
        found = [(k, d) for k, d in found if d != 0]
        self.slots = tuple(k for k, _ in found)
        self.box = _box(expr, *(d for _, d in found))
        self.complete = True


def _box(*exprs: Any) -> Any:
    """Expressions held as the arguments of an undefined function, kept in order: renamed
    by one call."""
    import symengine as se

    return se.Function("@")(*exprs)


# A name that _NAME finds whole where another name stood.
_WHOLE_NAME = re.compile(r"[^\W\d]\w*")


def printed_form(text: str) -> tuple[str, list[str]]:
    """A printed expression as a format with a slot for each name, and the names: the text
    of T renamed by σ is `form.format(*[σ(name) for name in names])`, which is how
    tests/test_renamed.py's reference `printed_alike` tests a row, in one comparison.

    A name of `_NAME` is a run of word characters not followed by "(", without its leading
    digits, so filling a slot with another name that starts with a letter (`_WHOLE_NAME`)
    changes no other name nor any text between: the filled text has the skeleton
    (`_NAME.sub`) and the names (`_NAME.findall`) `printed_alike` wants, and a text with
    both is that filled text (tests/test_renamed.py compares the two)."""
    pieces = _NAME.split(text)
    return "{}".join(p.replace("{", "{{").replace("}", "}}") for p in pieces), _NAME.findall(text)


def _prints_as(template: _Template, text: str, symbols: Sequence[Any]) -> bool:
    """`printed_alike` for the text of a row, renaming the template's slots to `symbols`."""
    names = [n if k < 0 else str(symbols[k]) for n, k in template.printed]
    if text != template.form.format(*names):
        return False
    return all(map(_WHOLE_NAME.fullmatch, names))


def _renamed(
    template: _Template,
    f: Any,
    symbols: Sequence[Any],
    pairs: Sequence[tuple[int, Any]],
    text: str,
) -> SparseRow | None:
    """f's row from `template` renamed onto `symbols` (f's, in slot order), if f is the
    template so renamed and prints as it does (`text`: f printed); else None."""
    if template.unsafe or len(symbols) != len(template.symbols):
        return None
    if not _prints_as(template, text, symbols):
        return None  # tested first: no renaming for a row printed otherwise
    rename = dict(zip(template.symbols, symbols, strict=True))
    renamed = template.box.xreplace(rename).args
    if renamed[0] != f:
        return None
    first = not template.complete
    if first:  # a second row of it: time to differentiate it
        template.differentiate(len(pairs))
        renamed = template.box.xreplace(rename).args
    if len(template.slots) == len(pairs):  # no entry 0: column by column
        row = tuple(zip([j for j, _ in pairs], renamed[1:], strict=True))
    else:
        row = tuple((pairs[k][0], d) for k, d in zip(template.slots, renamed[1:], strict=True))
    if first:  # the first renaming, against differentiating the row
        direct = _row(f, pairs, by_symengine(f))
        if not printed_same(row, direct):
            template.unsafe = True  # the renaming simplifies: u**(2/3)*u**(1/3) is u
            return direct
    return row


def printed_same(a: SparseRow, b: SparseRow) -> bool:
    """Whether two rows print the same, column by column."""
    return [(j, str(e)) for j, e in a] == [(j, str(e)) for j, e in b]


class Templates:
    """J's rows, each template differentiated once: d/dσ(s) (T∘σ) = (dT/ds)∘σ for a renaming
    σ of T's slots s to a row's own symbols, so a row of a known template costs a renaming
    (C++), not a differentiation. A row is the template's only if renaming the template
    gives the row's own expression back, and its entries are then the ones differentiating
    the row gives, printed the same (tests prove it on bratu, kinetics, arm, layer and
    random systems).

    Rows that need SymPy (abs, sign, declared functions) are differentiated one by one, and
    input without repetition stops being looked up after `_TRIAL_ROWS` rows."""

    def __init__(self, columns: Mapping[Any, int]) -> None:
        self.columns = columns
        # Templates by skeleton: a row's counts of variables and symbols, and its text without
        # the names. Rows of one template have one skeleton; one skeleton, several templates.
        self.known: dict[tuple[int, int, str], list[_Template]] | None = {}
        self.seen: set[tuple[int, int, str]] = set()  # skeletons seen once: no template yet
        # The template the last row with as many variables and symbols had: tried first,
        # as rows of a stencil follow one another (and then the text is not printed).
        self.last: dict[tuple[int, int], _Template] = {}
        self.looked = self.hits = 0
        self.renamings: Renamings | None = None  # rows the parser read as renamings

    def row(self, f: Any) -> SparseRow:
        pairs: list[tuple[int, Any]] = []
        parameters = []
        for s in f.free_symbols:  # one look-up each: this loop is a fifth of a row's cost
            j = self.columns.get(s)
            if j is None:
                parameters.append(s)
            else:
                pairs.append((j, s))
        pairs.sort()  # by column: no two the same, so the symbols are never compared
        if self.known is None:
            return _row(f, pairs, by_symengine(f))
        symbols = [v for _, v in pairs] + (sorted(parameters, key=str) if parameters else [])
        self.looked += 1
        counts = (len(pairs), len(symbols))
        text = str(f)
        last = self.last.get(counts)
        found = None if last is None else _renamed(last, f, symbols, pairs, text)
        if found is not None:
            self.hits += 1
            return found
        skeleton = (*counts, _NAME.sub("#", text))  # a template only of as many symbols
        candidates = self.known.get(skeleton, [])
        for template in candidates:
            found = _renamed(template, f, symbols, pairs, text)
            if found is not None:
                self.hits += 1
                self.last[counts] = template
                return found
        nodes = by_symengine(f, text=text)
        if nodes is not None and skeleton not in self.seen:
            self.seen.add(skeleton)  # once is no pattern yet: its template from a second row
        elif nodes is not None and not any(t.unsafe for t in candidates):
            candidates.insert(0, _Template(f, symbols, text))
            self.known[skeleton] = candidates[:_CANDIDATES]
        if self.looked >= _TRIAL_ROWS and 2 * self.hits < self.looked:
            self.known, self.seen = None, set()  # no stencil here: stop paying for lookups
        return _row(f, pairs, nodes)

    def renamed(self, source: tuple[Any, Mapping[str, str], Any], f: Any) -> SparseRow | None:
        """The row of a component the parser read as a renaming σ of an earlier one, T
        (`source`, jaccli.parse.stencil): T's row renamed, d σ(T)/d σ(s) = σ(dT/ds), when
        σ keeps variables variables and parameters parameters; else None
        (jaccli.engine.renamed)."""
        if self.renamings is None:
            from jaccli.engine.renamed import Renamings

            self.renamings = Renamings(self.columns, self.row)
        return self.renamings.row(source, f)


def differentiate(
    functions: Sequence[Any],
    variables: Sequence[Any],
    progress: Progress | None = None,
    *,
    templates: bool = True,
) -> Sparse:
    """J by its non-zero entries, row by row. Rows that are one expression up to a renaming
    of their symbols (a stencil: the rows of a finite-difference residual) are differentiated
    once (`Templates`), and rows the parser read as renamings of an earlier row (`functions`
    a `jaccli.parse.stencil.Renamed`) rename its row; `templates=False` differentiates every
    row itself."""
    rows = []
    columns = {v: j for j, v in enumerate(variables)}
    cache = Templates(columns) if templates else None
    # Components the parser read as renamings of earlier ones (jaccli.parse.stencil.Renamed)
    sources = getattr(functions, "renamings", None) if cache is not None else None
    for i, f in enumerate(functions):
        if cache is None:
            rows.append(_differentiate_one(f, variables, columns))
            continue
        row = None if sources is None or sources[i] is None else cache.renamed(sources[i], f)
        rows.append(cache.row(f) if row is None else row)
        if progress is not None and i % 64 == 63:
            progress(64)
    if progress is not None:
        progress(len(functions) % 64)
    return Sparse((len(functions), len(variables)), tuple(rows))


def jacobian(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    simplify: bool = False,
    progress: Progress | None = None,
    structure: Structure | None = None,
    index: bool = False,
) -> JacobianResult:
    """The Jacobian of `functions` with respect to `variables` (all free symbols if None).

    With the `structure` of F as typed (vectors and matrices), J in matrix form too, and
    with `index` each block of it in index notation.
    """
    head = header(functions, variables)
    sparse = differentiate(functions, head["variables"], progress)
    if simplify:
        from jaccli.engine.simplify import simplify_expr  # and trig's tables: only here

        sparse = sparse.mapped(simplify_expr)
    form: tuple[Block, ...] = ()
    if structure is not None:
        from jaccli.engine.matrix_form import blocks_for

        form = blocks_for(structure, head["variables"], index)
    return JacobianResult(**head, sparse=sparse, matrix_form=form)
