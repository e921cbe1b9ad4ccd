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
from collections.abc import Callable, Collection
from operator import itemgetter
from sys import intern
from typing import Any, NamedTuple

from jaccli.parse.grammar import CONSTANTS, FUNCTIONS

# An ASCII name as jac reads it (the fast path, stencils, --vars @FILE); the reference
# tokenizer also reads other letters.
ASCII_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_PARTS = re.compile(f"({ASCII_NAME.pattern})")  # splits a line into text and names
_TRIAL_LINES = 64  # looked up for this many lines at least, then only while half hit


class Reading(NamedTuple):
    """A line read as a renaming of one read before."""

    values: list[Any]
    tokens: int
    # per value: the one it renames, and how: the names that change (old name -> new name),
    # and the renaming of their symbols as SymEngine's map
    sources: list[tuple[Any, dict[str, str], Any]]


class Renamed(tuple):  # type: ignore[type-arg]
    """F's components (a tuple), and for each one read as a renaming of an earlier line's:
    (that component, the names it renames as a dict, old name -> new name, and the renaming
    of their symbols as SymEngine's map), else None. Differentiation renames that
    component's row of J (jaccli.engine.renamed); anything else sees a tuple."""

    renamings: tuple[tuple[Any, dict[str, str], Any] | None, ...] = ()
    # The names typed as symbols, as jaccli.parse.typed_names finds them, when the reading
    # found them on the way (every line read by the fast path); else None.
    typed: dict[str, tuple[str, int]] | None = None

    def take_typed(self) -> dict[str, tuple[str, int]] | None:
        """`typed`, once: it is not kept with F."""
        typed, self.typed = self.typed, None
        return typed

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled and copied as the plain tuple: the renamings are for this process only
        (SymEngine's maps do not pickle), and a plain tuple differentiates the same."""
        return tuple, (tuple(self),)


def _picker(indices: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """The items of a list at `indices`, as a tuple (one C call)."""
    if len(indices) == 1:
        (i,) = indices
        return lambda items: (items[i],)
    return itemgetter(*indices)


class _Line:
    """A line the fast path read: its names in order and each at its first occurrence, its
    calls and its values."""

    __slots__ = ("again", "calls", "firsts", "names", "tokens", "unique", "values")

    def __init__(self, names: list[str], calls: set[str], values: list[Any], tokens: int):
        self.names, self.calls, self.values, self.tokens = names, calls, values, tokens
        first: dict[str, int] = {}
        for k, name in enumerate(names):
            first.setdefault(name, k)
        self.unique = list(first)  # the names, each once, in order
        # A line's names rename these where the names at the first occurrences differ
        # (`firsts`) and each name is again where this line's is (`again`: None if no name
        # is repeated here).
        self.firsts = _picker(list(first.values())) if names else None
        repeated = len(first) < len(names)
        self.again = _picker([first[name] for name in names]) if repeated else None


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
        parts = _PARTS.split(text)  # text, name, text, ..., text: one scan for both
        names = parts[1::2]
        skeleton = "#".join(parts[0::2])
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
        # As many names as `line` has: one skeleton.
        if line.firsts is None:  # no names
            return Reading(line.values, line.tokens, [(v, {}, None) for v in line.values])
        if line.again is not None and line.again(names) != tuple(names):
            return None  # a name repeated there is not here: not a renaming
        new_names = line.firsts(names)
        if len(set(new_names)) != len(new_names):
            return None  # not one to one
        # the new names interned: they are kept with the value, as many as the rows
        changed = {
            old: intern(new) for old, new in zip(line.unique, new_names, strict=True) if old != new
        }
        if not changed:
            return Reading(line.values, line.tokens, [(v, changed, None) for v in line.values])
        if not line.calls.isdisjoint(changed):
            return None  # a call renamed: read otherwise
        symbols = self.symbols
        for new in changed.values():
            if new not in symbols:
                if new not in self.variables and (new in FUNCTIONS or new in CONSTANTS):
                    return None  # read otherwise than as a symbol
                symbols[new] = self.symbol(new)
        # SymEngine's own map, made once: differentiation renames the row by it too. Filled
        # item by item: half the time of making it from a dict.
        renaming = self.dict_basic()
        for old, new in changed.items():
            renaming[symbols[old]] = symbols[new]
        values = [v.xreplace(renaming) for v in line.values]
        return Reading(values, line.tokens, [(v, changed, renaming) for v in line.values])
