"""Which symbols are the variables: those given, or every free symbol in natural order."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from jaccli.engine.results import Header
from jaccli.errors import UsageError

_DIGITS = re.compile(r"([0-9]+)")


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort key that puts x2 before x10: digit runs compare as numbers."""
    parts: list[Any] = _DIGITS.split(name)
    # The parts alternate text, number, text...; the name itself breaks ties (X before x)
    # after them, never beside them: x against x1 compares ("x",) with ("x", 1, "").
    parts[1::2] = map(int, parts[1::2])
    parts[0::2] = map(str.casefold, parts[0::2])
    return (tuple(parts), name)


def listed(names: Iterable[str], shown: int = 20) -> str:
    """Names joined by commas, the first `shown` of them and a count of the rest: a note
    about 100,000 inferred variables is a line, not 700 kB of stderr."""
    names = list(names)
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])}, ... and {len(names) - shown:,} more"


def _free_symbols(functions: Iterable[Any]) -> set[Any]:
    found: set[Any] = set()
    for f in functions:
        found |= f.free_symbols
    return found


def infer_variables(functions: Sequence[Any]) -> tuple[Any, ...]:
    """Every free symbol of the functions, in natural order."""
    found = _free_symbols(functions)
    if not found:
        raise UsageError("the functions have no variables: name them with {vars}")
    return tuple(sorted(found, key=lambda s: natural_key(s.name)))


def resolve_variables(
    functions: Sequence[Any], variables: Sequence[Any] | None
) -> tuple[tuple[Any, ...], bool]:
    if variables is None:
        return infer_variables(functions), True
    if not variables:
        raise UsageError("{vars} is empty")
    return tuple(variables), False


def header(functions: Sequence[Any], variables: Sequence[Any] | None) -> Header:
    """What every result starts with: the functions, and the variables given or inferred."""
    found, inferred = resolve_variables(functions, variables)
    return Header(functions=tuple(functions), variables=found, variables_inferred=inferred)
