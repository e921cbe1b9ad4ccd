"""Caps on the input, checked while it is read, before any expensive work starts."""

from collections.abc import Mapping
from typing import NamedTuple

from jaccli.errors import UsageError


class Limits(NamedTuple):
    """Caps on the input, checked while reading it, before any expensive work.

    Each has an environment variable to raise it (see `LIMIT_VARIABLES`).
    """

    # Characters in all the input together: room for 10^5 unknowns (bratu 100,000 is
    # 4.9 MB, a kinetics chain of 100,000 about 6.5 MB); `yes | jac jacobian -` stops here,
    # after reading 16 MB, and the worker's memory budget bounds what the parse then takes.
    input: int = 16_000_000
    # Tokens (numbers, names, operators, brackets) in all the input: a bound on the
    # size of the expression trees, and so on the work of building them (bratu 100,000
    # is 1.8 million tokens).
    tokens: int = 8_000_000
    # Digits of any exact number, written or computed: 9^9^9 or 1e999999999 would
    # take minutes and gigabytes. Powers are estimated before they are computed.
    digits: int = 100_000
    # How deeply parentheses, calls, signs and powers nest: 300 nested `sin(` would
    # otherwise exhaust Python's recursion limit here or in SymPy.
    depth: int = 100


DEFAULT_LIMITS = Limits()
LIMIT_VARIABLES = {
    "input": "JAC_MAX_INPUT",
    "tokens": "JAC_MAX_TOKENS",
    "digits": "JAC_MAX_DIGITS",
    "depth": "JAC_MAX_DEPTH",
}
MAX_NESTING = DEFAULT_LIMITS.depth
MAX_NUMBER_DIGITS = DEFAULT_LIMITS.digits


def limits_from_env(environ: Mapping[str, str]) -> Limits:
    """The limits, each raised or lowered by its environment variable when set."""
    values: dict[str, int] = {}
    for field, variable in LIMIT_VARIABLES.items():
        text = environ.get(variable, "").strip().replace("_", "")
        if not text:
            continue
        if not text.isdigit() or int(text) < 1:
            raise UsageError(f"{variable} must be a positive whole number, not {text!r}")
        values[field] = int(text)
    return DEFAULT_LIMITS._replace(**values)


def limit_hint(field: str) -> str:
    return f"raise the limit with {LIMIT_VARIABLES[field]}"
