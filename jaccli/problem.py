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

    from jaccli.parse import Limits, Parsed

# What a caller may give as a value in a point: text as typed ("pi/3", "0.1" is 1/10),
# or a Python number (a float means the decimal it prints as).
Value = Union[str, float, "numbers.Real", decimal.Decimal, "Expr"]
PointText = Union[str, Mapping[str, Value]]  # noqa: UP007


@dataclass(frozen=True)
class Problem:
    """F as SymEngine expressions, the variables if given, and how F was typed."""

    functions: tuple[Expr, ...]
    variables: tuple[Symbol, ...] | None  # None: the engine infers them
    parsed: tuple[Parsed, ...]  # F as typed, to check it at a point
    limits: Limits
    size: int  # characters of input: big inputs get a progress bar
    warnings: tuple[str, ...] = ()  # likely typos: a Cyrillic х, sinx, a --vars name unused

    def at(self, point: PointText, variables: Sequence[Symbol] | None = None) -> Point:
        """`point` (`"x=-1,y=2"` or a mapping) checked against F as typed.

        F is built at the point operation by operation, so x/x at x=0 is undefined (with a
        caret under it) although the expression x/x is 1 once built. `variables` are the
        ones the point is for, when the engine has inferred them.
        """
        from jaccli.parse import build, confusable_letters, make_symbol, parse_point

        text = point if isinstance(point, str) else _point_text(point)
        names = [v.name for v in variables or self.variables or ()]
        values = parse_point(text, names, self.limits)
        build(self.parsed, self.limits, values)  # raises for F undefined there as typed
        exact = {make_symbol(name): value for name, value in values.items()}
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
) -> Problem:
    """Parse F (one text "x+y, x*y", or one text per argument) and the variables.

    `stdin` is the text an argument "-" stands for (the CLI reads it before any work).
    """
    from jaccli import _symengine
    from jaccli.parse import (
        DEFAULT_LIMITS,
        build,
        confusable_letters,
        make_symbol,
        parse_variables,
        read_functions,
        suspicious_names,
    )

    _symengine.load()
    limits = limits or DEFAULT_LIMITS
    arguments = [functions] if isinstance(functions, str) else list(functions)
    vars_text = (
        variables if variables is None or isinstance(variables, str) else ",".join(variables)
    )
    names = parse_variables(vars_text) if vars_text is not None else ()
    parsed = read_functions(arguments, names, _once(stdin), limits)
    texts = [a for a in arguments if a != "-"] + ([stdin] if stdin else [])
    warnings = confusable_letters([*texts, vars_text or ""])
    warnings += suspicious_names(parsed, names if vars_text is not None else None)
    built = tuple(build(parsed, limits))
    symbols = tuple(make_symbol(n) for n in names) if vars_text is not None else None
    if symbols is not None:
        warnings += _unused_variables(symbols, built, parsed)
    size = sum(len(t) for t in texts)
    return Problem(built, symbols, tuple(parsed), limits, size, tuple(warnings))


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
    variables: Sequence[Symbol], functions: Sequence[Expr], parsed: Sequence[Parsed]
) -> list[str]:
    """A warning for variables that occur in no function: a typo, or a column of zeros.

    A name that was typed but cancels (x/x) is not one: its zero column is the answer.
    """
    from jaccli.parse import typed_names

    used: set[Symbol] = set()
    for f in functions:
        used |= f.free_symbols
    unused = [v.name for v in variables if v not in used]
    if unused:  # rare, so the trees are walked again only then
        typed = typed_names(parsed)
        unused = [name for name in unused if name not in typed]
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
