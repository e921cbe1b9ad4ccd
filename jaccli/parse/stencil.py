"""Lines that are one line up to a renaming of their symbols (a stencil), read once.

A line's skeleton is its text with every name replaced by "#"; numbers, operators and
blanks stay as typed. Two lines with one skeleton that jaccli.parse.fast reads differ only
in their names, so where the names of the second are a one-to-one renaming σ of the first's
symbols (calls kept: exp stays exp, and every new name is one the fast path reads as a
symbol), the fast path would take the very same steps on it, with the same token count,
depth and digits, and build σ of the first line's values: SymEngine's canonical form of an
expression does not depend on how it was built, so one renaming (`xreplace`, C++) gives the
values a second reading would, equal as expressions and printed the same
(tests/test_linear_cost.py compares both ways). Bratu's rows cost a renaming each instead of
a walk of their tokens; input whose lines are all different stops being looked up after
`_TRIAL_LINES` lines with few hits.
"""

import re
from collections.abc import Collection, Container
from typing import Any, NamedTuple

from jaccli.parse.grammar import CONSTANTS, FUNCTIONS

# An ASCII name as jac reads it (the fast path, stencils, --vars @FILE); the reference
# tokenizer also reads other letters.
ASCII_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_TRIAL_LINES = 64  # looked up for this many lines at least, then only while half hit


class Reading(NamedTuple):
    """A line read as a renaming of one read before."""

    values: list[Any]
    tokens: int
    # per value: the one it renames, and how: a dict of symbols, and it as SymEngine's map
    sources: list[tuple[Any, dict[Any, Any], Any]]


class Renamed(tuple):  # type: ignore[type-arg]
    """F's components (a tuple), and for each one read as a renaming of an earlier line's:
    (that component, the renaming of its symbols as a dict and as SymEngine's map), else
    None. Differentiation renames that component's row of J (jaccli.engine.derivatives);
    anything else sees a tuple."""

    renamings: tuple[tuple[Any, dict[Any, Any], Any] | None, ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled and copied as the plain tuple: the renamings are for this process only
        (SymEngine's maps do not pickle), and a plain tuple differentiates the same."""
        return tuple, (tuple(self),)


class _Line:
    """A line the fast path read: its names in order, its calls and its values."""

    __slots__ = ("calls", "names", "tokens", "values")

    def __init__(self, names: list[str], calls: Container[str], values: list[Any], tokens: int):
        self.names, self.calls, self.values, self.tokens = names, calls, values, tokens


class Stencils:
    """The lines read so far by skeleton, for one input (its variables fixed)."""

    def __init__(self, variables: Collection[str], symbols: dict[str, Any], symbol: Any):
        self.variables = variables
        self.symbols = symbols  # the fast path's cache: a name's Symbol once met
        self.symbol = symbol
        import symengine

        self.dict_basic = symengine.DictBasic
        self.known: dict[str, _Line] | None = {}
        self.looked = self.hits = 0

    def find(self, text: str) -> tuple[str, list[str], Reading | None] | None:
        """(skeleton, names, its reading if a line read before renames to it) for a line;
        None once lookups stopped."""
        known = self.known
        if known is None:
            return None
        names = ASCII_NAME.findall(text)
        skeleton = ASCII_NAME.sub("#", text)
        self.looked += 1
        line = known.get(skeleton)
        values = None if line is None else self._renamed(line, names)
        if values is not None:
            self.hits += 1
        elif self.looked >= _TRIAL_LINES and 2 * self.hits < self.looked:
            self.known = None  # no stencil here: stop paying for lookups
        return skeleton, names, values

    def keep(self, skeleton: str, names: list[str], values: list[Any], tokens: int) -> None:
        """A line the fast path read, for the lines with its skeleton after it."""
        if self.known is not None and skeleton not in self.known:
            calls = {n for n in names if n in FUNCTIONS and n not in self.variables}
            self.known[skeleton] = _Line(names, calls, values, tokens)

    def _renamed(self, line: _Line, names: list[str]) -> Reading | None:
        """The reading of a line with `names` where they rename `line`'s one to one."""
        sigma = dict(zip(line.names, names, strict=True))
        if len(set(sigma.values())) != len(sigma) or [sigma[n] for n in line.names] != names:
            return None  # not a renaming, or not one to one
        symbols, rename = self.symbols, {}
        for old, new in sigma.items():
            if old == new:
                continue
            if old in line.calls:
                return None
            s = symbols.get(new)
            if s is None:
                if new not in self.variables and (new in FUNCTIONS or new in CONSTANTS):
                    return None  # read otherwise than as a symbol
                s = symbols[new] = self.symbol(new)
            rename[symbols[old]] = s
        if not rename:
            return Reading(line.values, line.tokens, [(v, rename, rename) for v in line.values])
        # SymEngine's own map, made once: differentiation renames the row by it too
        renaming = self.dict_basic(rename)
        values = [v.xreplace(renaming) for v in line.values]
        return Reading(values, line.tokens, [(v, rename, renaming) for v in line.values])
