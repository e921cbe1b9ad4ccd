"""Text, variables and a point → one checked problem, with its warnings as data.

The CLI, `eval --points` and the Python API all start here, so they read the same
functions the same way: the same parser, limits, errors and typo warnings.
"""

from __future__ import annotations

import decimal
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from jaccli.errors import UsageError

if TYPE_CHECKING:
    from symengine import Basic as Expr
    from symengine import Symbol

    from jaccli.engine.matrix_form import Structure
    from jaccli.parse import Limits, Parsed
    from jaccli.parse.shapes import Shape

# What a caller may give as a value in a point: text as typed ("pi/3", "0.1" is 1/10),
# or a Python number (a float means the decimal it prints as).
Value = Union[str, float, "numbers.Real", decimal.Decimal, "Expr"]
PointText = Union[str, Mapping[str, Value]]  # noqa: UP007
# Declared vectors and matrices: "W=3x2,x=2" or {"W": (3, 2), "x": 2}.
ShapesText = Union[str, Mapping[str, Union[int, tuple[int, int]]]]  # noqa: UP007


@dataclass(frozen=True)
class Problem:
    """F as SymEngine expressions, the variables if given, and how F was typed."""

    functions: tuple[Expr, ...]
    variables: tuple[Symbol, ...] | None  # None: the engine infers them
    parsed: tuple[Parsed, ...]  # F as typed, to check it at a point
    limits: Limits
    warnings: tuple[str, ...] = ()  # likely typos: a Cyrillic х, sinx, a --vars name unused
    shapes: Mapping[str, Shape] | None = None  # declared vectors and matrices, (rows, columns)
    layout: tuple[str, ...] = ()  # which rows and columns of J the vectors and matrices are
    abstract: tuple[str, ...] = ()  # functions declared with no formula: g(u), g'(u)

    @property
    def structure(self) -> Structure | None:
        """F as typed with its shapes, for J in matrix form; None without vectors."""
        if not self.shapes:
            return None  # without importing the matrix form (11 ms of a small call)
        from jaccli.engine.matrix_form import Structure

        return Structure(self.parsed, self.shapes)

    def at(self, point: PointText, variables: Sequence[Symbol] | None = None) -> Point:
        """`point` (`"x=-1,y=2"` or a mapping) checked against F as typed.

        F is built at the point operation by operation, so x/x at x=0 is undefined (with a
        caret under it) although the expression x/x is 1 once built. `variables` are the
        ones the point is for, when the engine has inferred them.
        """
        from jaccli.parse import build, confusable_letters, make_symbol, parse_point

        text = point if isinstance(point, str) else _point_text(point)
        names = [v.name for v in variables or self.variables or ()]
        values = parse_point(text, names, self.limits, self.shapes, self.abstract)
        build(self.parsed, self.limits, values)  # raises for F undefined there as typed
        exact = {make_symbol(k) if isinstance(k, str) else k: v for k, v in values.items()}
        return Point(exact, tuple(confusable_letters([text])))


@dataclass(frozen=True)
class Point:
    """Exact values by symbol, variables and parameters alike, checked against F."""

    values: dict[Symbol, Expr]
    warnings: tuple[str, ...] = ()


def read(
    functions: str | Sequence[str],
    variables: str | Sequence[str] | None = None,
    *,
    stdin: str | None = None,
    limits: Limits | None = None,
    shapes: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Problem:
    """Parse F (one text "x+y, x*y", or one text per argument) and the variables.

    `stdin` is the text an argument "-" stands for (the CLI reads it before any work).
    `shapes` declares vectors and matrices; a variable with a shape stands for its entries,
    row by row (x[1], x[2]; W[1,1], W[1,2], ...), and so does a component with one.
    `abstract` declares functions with no formula ("g,h"): g(u), and its derivatives g'(u).
    `progress` is told how many more lines are read, now and then (a progress bar).
    """
    from jaccli import _symengine
    from jaccli.parse import (
        DEFAULT_LIMITS,
        confusable_letters,
        make_symbol,
        parse_variables,
        read_and_build,
        suspicious_names,
        typed_names,
    )

    _symengine.load()
    limits = limits or DEFAULT_LIMITS
    arguments = [functions] if isinstance(functions, str) else list(functions)
    vars_text = (
        variables if variables is None or isinstance(variables, str) else ",".join(variables)
    )
    from jaccli.parse.inputs import input_texts
    from jaccli.parse.shapes import expand_variables
    from jaccli.parse.stencil import Renamed

    declared = _shapes(shapes)
    typed_vars = parse_variables(vars_text) if vars_text is not None else ()
    names = tuple(expand_variables(typed_vars, declared))
    unknown = _abstract(abstract, [*typed_vars, *declared])
    parsed, components = read_and_build(
        arguments, typed_vars, _once(stdin), limits, declared, unknown, progress
    )
    texts = input_texts(arguments, stdin)
    warnings = confusable_letters([*texts, vars_text or ""])
    typed = components.take_typed() if isinstance(components, Renamed) else None
    if typed is None:  # else found while reading
        typed = typed_names(parsed)  # one walk for both warnings
    warnings += suspicious_names(parsed, typed_vars if vars_text is not None else None, typed)
    built = components if isinstance(components, tuple) else tuple(components)
    symbols = tuple(make_symbol(n) for n in names) if vars_text is not None else None
    if symbols is not None:
        warnings += _unused_variables(symbols, built, typed)
    warnings += _unused_shapes(declared, parsed, typed_vars)
    layout = tuple(_layout(parsed, typed_vars, declared)) if declared else ()
    return Problem(
        built,
        symbols,
        tuple(parsed),
        limits,
        tuple(warnings),
        declared or None,
        layout,
        unknown,
    )


def _unused_shapes(
    shapes: Mapping[str, Shape], parsed: Sequence[Parsed], variables: Sequence[str]
) -> list[str]:
    """A warning for a shape no function and no variable uses: a typo (X=3 for x), which
    leaves the name meant a scalar."""
    if not shapes:
        return []
    from jaccli.parse import typed_names

    typed = {name.partition("[")[0] for name in typed_names(parsed)} | set(variables)
    unused = [name for name in shapes if name not in typed]
    if not unused:
        return []
    return [f"{{shape}} declares {', '.join(unused)}, which no function uses (a typo?)"]


def _abstract(abstract: str | Sequence[str] | None, taken: Sequence[str]) -> tuple[str, ...]:
    """The names of functions declared with no formula ({abstract}), checked."""
    from jaccli.errors import Location, ParseError
    from jaccli.functions import CATALOGUE
    from jaccli.parse import CONSTANTS, parse_variables

    if abstract is None:
        return ()
    text = abstract if isinstance(abstract, str) else ",".join(abstract)
    names = parse_variables(text, "{abstract}")
    for name in names:
        why = (
            "is a function jac knows"
            if name in CATALOGUE
            else "is a constant"
            if name in CONSTANTS
            else "is a variable or a vector"
            if name in taken
            else "has a '_', which jac keeps for derivatives (g_12(u, v))"
            if "_" in name
            else None
        )
        if why is not None:
            where = Location(text, text.find(name), "{abstract}")
            raise ParseError(f"'{name}' {why}: declare another name as a function", where)
    return names


def _layout(
    parsed: Sequence[Parsed], variables: Sequence[str], shapes: Mapping[str, Shape]
) -> list[str]:
    """Where the entries of vectors and matrices are in J: "rows 1-3: W*x + b, in order"."""
    from jaccli.parse.shapes import entry_names

    def span(first: int, count: int, what: str, entries: str, shape: Shape) -> str:
        where = f"{first}" if count == 1 else f"{first}-{first + count - 1}"
        order = "in order" if 1 in shape else "row by row"
        return f"{what} {where}: {entries}, {order}"

    notes: list[str] = []
    row = 1
    for item in parsed:
        count = 1 if item.shape is None else item.shape[0] * item.shape[1]
        if count > 1:
            text = item.line[item.node.pos : item.node.end].strip()
            notes.append(span(row, count, "rows", f"the entries of {text}", item.shape or (1, 1)))
        row += count
    column = 1
    for name in variables:
        shape = shapes.get(name)
        if shape is None:
            column += 1
            continue
        names = entry_names(name, shape)
        listed = f"{names[0]}..{names[-1]}" if len(names) > 1 else names[0]
        notes.append(span(column, len(names), "columns", listed, shape))
        column += len(names)
    return notes


def _shapes(shapes: ShapesText | None) -> dict[str, Shape]:
    """Declared shapes from their text ({shape}) or, from Python, a mapping of sizes."""
    from jaccli.parse.shapes import parse_shapes

    if shapes is None:
        return {}
    if isinstance(shapes, str):
        return parse_shapes(shapes) if shapes.strip() else {}
    parts = []
    for name, size in shapes.items():
        sides = (size,) if isinstance(size, int) else tuple(size)
        if not all(isinstance(side, int) and not isinstance(side, bool) for side in sides):
            raise UsageError(
                f"{{shape}}: the size of {name} must be a whole number or (rows, columns)"
            )
        parts.append(f"{name}={'x'.join(str(side) for side in sides)}")
    return parse_shapes(",".join(parts))


def _once(stdin: str | None) -> Callable[[], str]:
    """stdin's text for the first "-"; a second "-" finds stdin at its end, as a read would."""
    unread = [stdin or ""]
    return lambda: unread.pop() if unread else ""


def _point_text(point: Mapping[str, Value]) -> str:
    """A mapping from the Python API as the text jac parses: {"x": 0.5} is "x=0.5"."""
    parts = []
    for name, value in point.items():
        if not isinstance(name, str):
            raise UsageError(f"{{at}} names variables by string, not {type(name).__name__}")
        # Text as typed, a real number (Fraction prints 1/2, a float its shortest decimal), or
        # a SymEngine or SymPy number, which prints exactly.
        exact = isinstance(value, (str, numbers.Real, decimal.Decimal)) or hasattr(
            value, "free_symbols"
        )
        if isinstance(value, bool) or not exact:
            raise UsageError(f"{{at}}: the value of {name} must be a real number or text")
        parts.append(f"{name}=({value})")
    if not parts:
        raise UsageError("{at} is empty")
    return ",".join(parts)


def _unused_variables(
    variables: Sequence[Symbol], functions: Sequence[Expr], typed: Mapping[str, object]
) -> list[str]:
    """A warning for variables that occur in no function: a typo, or a column of zeros.

    A name that was typed but cancels (x/x) is not one: its zero column is the answer. So
    only the variables not typed (`typed`: `typed_names`) are looked for in F, which is
    rare: F's symbols are not collected at all when every variable was typed.
    """
    untyped = [
        v for v in variables if v.name not in typed and v.name.partition("[")[0] not in typed
    ]
    used: set[Symbol] = set()
    if untyped:
        for f in functions:
            used |= f.free_symbols
    unused = [v.name for v in untyped if v not in used]
    if not unused:
        return []
    names = ", ".join(unused[:20]) + (f" and {len(unused) - 20} more" if len(unused) > 20 else "")
    if len(unused) == len(variables):
        what = f"no function depends on {{vars}} {names}: every entry is 0"
    elif len(unused) == 1:
        what = f"no function depends on {names}: its column is 0"
    else:
        what = f"no function depends on {names}: their columns are 0"
    return [f"{what} (a typo?)"]
