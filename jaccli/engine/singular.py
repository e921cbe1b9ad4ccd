"""Where J loses rank: the singular configurations of a map (a robot arm, a change of
coordinates), or at a point how far from singular J is.

A square J is singular where det J = 0: det J is factored and each factor is a branch,
solved for one variable over the reals with its families kept (the 2-link arm's
det J = l1·l2·sin q2 vanishes on q2 = kπ, k ∈ ℤ), a factor in the parameters alone
(l1 = 0) a condition on them, and a factor solveset cannot solve reported as its
equation, never dropped. An m×n J with m ≠ n loses rank where every maximal minor
vanishes, which is where det(J Jᵀ) = 0 (m < n; det(Jᵀ J) for m > n): by Cauchy–Binet
that is the sum of the squares of the minors, so the minors are solved together.

At a point: the singular values (largest first), the rank, the condition number
σ_max/σ_min (∞ where J is singular) and Yoshikawa's manipulability √det(J Jᵀ).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from functools import reduce
from itertools import combinations
from typing import Any

from jaccli.engine.derivatives import differentiate
from jaccli.engine.determinants import determinant, structured_det
from jaccli.engine.gradient import digits_need_point, variable_labels
from jaccli.engine.results import (
    Branch,
    Column,
    Header,
    Listing,
    Part,
    SingularResult,
    Sparse,
    Value,
)
from jaccli.engine.simplify import simplify_expr
from jaccli.engine.singular_point import numeric_svd, part, singular_at
from jaccli.engine.singular_solve import Solution, factors, namer, solve_factor, solve_system
from jaccli.engine.variables import header, natural_key

MINOR_LIMIT = 20  # maximal minors solved together and listed; more: det(J Jᵀ) alone


CONDITION = "a condition on the parameters"
NO_REAL = "no real solution"
BRANCH_COLUMNS = (
    Column("equation", "equation (= 0)"),
    Column("variables", "variables"),
    Column("values", "values"),
    Column("where", "where"),
    Column("solved", "solved"),
)


def singular(
    functions: Sequence[Any],
    variables: Sequence[Any] | None = None,
    *,
    point: Mapping[Any, Any] | None = None,
    digits: int | None = None,
) -> SingularResult:
    """Where J loses rank (det J = 0 as branches, or where a non-square J's rank drops);
    at `point`, its singular values, rank, condition number and manipulability there."""
    digits_need_point(digits, point)
    head = header(functions, variables)
    xs = head["variables"]
    if point is not None:
        return singular_at(head, point, digits)
    jac = differentiate(functions, xs)
    shown = part(jac, xs)
    m, n = jac.shape
    if m == n:
        return _square(head, jac, shown)
    return _rectangular(head, jac, shown)


# --------------------------------------------------------------------------- square J


def _square(head: Header, jac: Sparse, part: Part) -> SingularResult:

    xs, n = head["variables"], jac.shape[1]
    det = determinant(head["functions"], xs).determinant
    rank = n if det != 0 else _generic_rank(jac, n - 1)
    values = (Value("determinant", "det J", "\\det J", det, True), _rank_value(rank))
    if det == 0:
        return _everywhere(head, part, det, values, rank, n, "det J ≡ 0")
    if det.is_Number:
        note = f"J is nowhere singular: det J = {det}, a non-zero constant."
        return _verdict(head, part, det, values, "nowhere", note)
    branches: list[Branch] = []
    rows: list[tuple[Any, ...]] = []
    for f in factors(_sympy(det)):
        branch, listed = _factor_branch(f, xs, _names(head))
        branches.append(branch)
        rows += listed
    notes = ["J is singular where det J = 0: on the union of the branches listed."]
    notes += _unsolved_note(branches)
    return SingularResult(
        **head,
        parts=(part,),
        determinant=det,
        branches=tuple(branches),
        values=values,
        listings=(Listing("branches", "Branches of det J = 0", BRANCH_COLUMNS, tuple(rows), True),),
        facts=(("singular", "on branches"),),
        notes=tuple(notes),
    )


def _everywhere(
    head: Header, part: Part, det: Any, values: tuple[Value, ...], rank: int, full: int, why: str
) -> SingularResult:
    note = (
        f"J is singular everywhere ({why}): its generic rank is {rank} of {full} "
        "(its rank at a random point)."
    )
    return _verdict(head, part, det, values, "everywhere", note)


def _verdict(
    head: Header, part: Part, det: Any, values: tuple[Value, ...], singular: str, note: str
) -> SingularResult:
    """A result without branches: J singular nowhere or everywhere, and why."""
    return SingularResult(
        **head,
        parts=(part,),
        determinant=det,
        values=values,
        facts=(("singular", singular),),
        notes=(note,),
    )


def _factor_branch(
    f: Any, xs: Sequence[Any], taken: set[str]
) -> tuple[Branch, list[tuple[Any, ...]]]:
    """One factor of det J (SymPy) as a Branch and its rows in the listing."""
    from jaccli.engine.bridge import from_sympy

    equation = from_sympy(f)
    real_xs = {_sympy(x) for x in xs}
    if not f.free_symbols & real_xs:
        return Branch(equation, (), CONDITION, True), [(equation, (), (), CONDITION, "yes")]
    solved = solve_factor(f, real_xs, namer(taken))
    return _as_branch(equation, solved, "")


def _as_branch(
    equation: Any, solved: list[Solution] | None, assumption: str
) -> tuple[Branch, list[tuple[Any, ...]]]:
    """A branch from its solutions (None: unsolved; []: no real solution)."""
    from jaccli.engine.bridge import from_sympy

    if solved is None:
        return Branch(equation, (), "", False), [(equation, (), (), assumption, "no")]
    if not solved:
        return Branch(equation, (), NO_REAL, True), [(equation, (), (), NO_REAL, "yes")]
    rows, flat, wheres = [], [], []
    for s in map(_in_order, solved):
        pairs = s.values
        names = tuple(from_sympy(v) for v, _ in pairs)
        values = tuple(from_sympy(x) for _, x in pairs)
        where = _where(s, assumption)
        rows.append((equation, names, values, where, "yes"))
        flat.append(tuple(e for pair in zip(names, values, strict=True) for e in pair))
        wheres.append(where)
    where = "; ".join(dict.fromkeys(w for w in wheres if w))
    return Branch(equation, tuple(flat), where, True), rows


def _in_order(s: Solution) -> Solution:
    """The variables in natural order, and the family parameters named k, j, ... in the
    order they appear there (q2 = kπ, q3 = jπ)."""
    pairs = sorted(s.values, key=lambda p: natural_key(p[0].name))
    seen = [i for _, x in pairs for i in sorted(x.free_symbols, key=str) if i in s.integers]
    order = list(dict.fromkeys(seen))
    renamed = dict(zip(order, s.integers, strict=False))
    values = tuple((v, x.xreplace(renamed)) for v, x in pairs)
    return s._replace(values=values, integers=tuple(renamed.values()))


def _where(s: Solution, assumption: str) -> str:
    words = []
    if s.integers:
        words.append(", ".join(str(k) for k in s.integers) + " ∈ ℤ")
    words += [f"when {c}" for c in s.conditions]
    if assumption:
        words.append(assumption)
    return "; ".join(words)


def _unsolved_note(branches: Sequence[Branch]) -> list[str]:
    if not any(not b.solved for b in branches):
        return []
    return [
        "A branch marked 'no' could not be solved (transcendental, or too large): it is given "
        "as its equation, and J is singular wherever that equation holds."
    ]


# --------------------------------------------------------------------------- non-square J


def _rectangular(head: Header, jac: Sparse, part: Part) -> SingularResult:
    """rank J < min(m, n) where every maximal minor is 0, i.e. where det(J Jᵀ) = 0."""
    import symengine as se

    m, n = jac.shape
    small, wide = min(m, n), m < n
    gram_label, gram_latex = (
        ("det(J Jᵀ)", "\\det(J J^{\\mathsf{T}})")
        if wide
        else ("det(Jᵀ J)", "\\det(J^{\\mathsf{T}} J)")
    )
    rows = jac.dense()
    subsets = list(combinations(range(max(m, n)), small))
    labels = variable_labels(head["variables"]) if wide else tuple(f"f{i + 1}" for i in range(m))
    listings: list[Listing] = []
    minors: list[Any] = []
    if len(subsets) <= MINOR_LIMIT:
        for chosen in subsets:
            sub = (
                tuple(tuple(r[j] for j in chosen) for r in rows)
                if wide
                else tuple(rows[i] for i in chosen)
            )
            minors.append(simplify_expr(structured_det(sub)))
        gram = se.Add(*(e**2 for e in minors))
        which = "columns" if wide else "rows"
        minor_rows = tuple(
            (", ".join(labels[i] for i in c), e) for c, e in zip(subsets, minors, strict=True)
        )
        listings.append(
            Listing(
                "minors",
                f"Maximal minors (by {which})",
                (Column(which, which), Column("minor", "minor")),
                minor_rows,
            )
        )
    else:
        matrix = se.DenseMatrix([list(r) for r in rows])
        product = matrix * matrix.T if wide else matrix.T * matrix
        gram = simplify_expr(
            structured_det(tuple(tuple(product[i, j] for j in range(small)) for i in range(small)))
        )
    rank = _generic_rank(jac, small)
    values = (Value("determinant", gram_label, gram_latex, gram, True), _rank_value(rank))
    if rank < small or gram == 0:
        return _everywhere(
            head, part, gram, values, rank, small, f"every maximal minor is 0 ({gram_label} ≡ 0)"
        )
    found = _minor_branches(minors, head) if minors else _gram_branches(gram, head)
    branches = tuple(b for b, _ in found)
    listed = tuple(r for _, rs in found for r in rs)
    notes = [
        f"J is {m}×{n}: its rank drops below {small} where every {small}×{small} minor is 0, "
        f"which is where {gram_label} = 0 (by Cauchy–Binet, the sum of the squares of the minors).",
        *_unsolved_note(branches),
    ]
    if not branches:
        notes.append(f"Some minor is never 0: J has rank {small} everywhere.")
    listings.insert(
        0, Listing("branches", f"Branches of {gram_label} = 0", BRANCH_COLUMNS, listed, True)
    )
    return SingularResult(
        **head,
        parts=(part,),
        determinant=gram,
        branches=branches,
        values=values,
        listings=tuple(listings),
        facts=(("singular", "on branches" if branches else "nowhere"),),
        notes=tuple(notes),
    )


Found = list[tuple[Branch, list[tuple[Any, ...]]]]


def _minor_branches(minors: list[Any], head: Header) -> Found:
    """The factors every minor shares, each a branch; then the rest of the minors solved
    together, as one branch (their sum of squares = 0)."""
    import symengine as se
    import sympy

    from jaccli.engine.bridge import from_sympy

    xs = head["variables"]
    sym = [_sympy(e) for e in minors]
    common = reduce(sympy.gcd, [e for e in sym if e != 0])
    shared = factors(common)
    found: Found = [_factor_branch(f, xs, _names(head)) for f in shared]
    rest = [sympy.cancel(e / common) for e in sym]
    if any(e.is_number and e != 0 for e in rest):
        return found
    equation = se.Add(*(from_sympy(e) ** 2 for e in rest))
    system = solve_system(rest, {_sympy(x) for x in xs}, namer(_names(head)))
    if system is None:
        found.append(_as_branch(equation, None, "every minor = 0"))
        return found
    assumed = sorted(str(from_sympy(a)) for a in system.assumed)
    assumption = f"for {', '.join(assumed)} ≠ 0" if assumed else ""
    found.append(_as_branch(equation, system.solutions, assumption))
    return found


def _gram_branches(gram: Any, head: Header) -> Found:
    return [_factor_branch(f, head["variables"], _names(head)) for f in factors(_sympy(gram))]


# --------------------------------------------------------------------------- helpers


def _sympy(e: Any) -> Any:
    from jaccli.engine.bridge import to_sympy

    return to_sympy(e)


def _names(head: Header) -> set[str]:
    found = {str(s) for f in head["functions"] for s in f.free_symbols}
    return found | {x.name for x in head["variables"]}


def _rank_value(rank: int) -> Value:
    import symengine as se

    latex = "\\operatorname{rank} J \\text{ (generic)}"
    return Value("generic_rank", "generic rank", latex, se.Integer(rank))


def _generic_rank(jac: Sparse, at_most: int) -> int:
    """The rank of J at a random point (parameters too), numerically at 30 digits: the
    rank almost everywhere. At most `at_most` (when J is known to be singular)."""
    import symengine as se

    symbols = sorted({s for row in jac.rows for _, e in row for s in e.free_symbols}, key=str)
    rng = random.Random(14)
    for _ in range(5):
        at = {s: se.Rational(rng.randint(23, 170), 97) for s in symbols}
        try:
            sigma = numeric_svd(jac.dense(), 30, at)
        except (TypeError, ValueError, RuntimeError, OverflowError):
            continue  # undefined there (log of a negative number): another point
        return min(sum(1 for s in sigma if s > sigma[0] * 10**-20), at_most)
    return at_most
