"""Rows of J for components the parser read as renamings of an earlier one.

jaccli.parse.stencil reads a line that is an earlier line T with its names renamed (σ, old
name -> new name) by one renaming of T's values, and hands the differentiation σ with the
component (a `Renamed` tuple). Its row is then T's row renamed: d σ(T)/d σ(s) = σ(dT/ds),
one renaming (C++) of T's entries for the whole row, where σ keeps variables variables and
parameters parameters and the component prints as T does with its names renamed (else
SymEngine may have oriented it otherwise: tanh(k - u) as -tanh(-k + u)). The first row of
each T is also differentiated itself and compared, printed, with the renamed one.

Everything a row needs is looked up by name (strings hash and compare in C), not by
symbol: a bratu row of 10^5 costs its renaming, a print of the component and a few dict
look-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from sys import intern
from typing import Any

from jaccli.engine.derivatives import (
    _box,
    _differentiate_one,
    by_symengine,
    printed_form,
    printed_same,
)
from jaccli.engine.results import SparseRow


class _Source:
    """What the rows renamed from one component T need: T's row, whether each of its
    symbols (by name) is a variable, the variable's name of each entry, the entries that
    hold symbols (`moving`, renamed by one call: boxed where there are several) and T's
    text as a format with a slot per name (the text a renamed row must print)."""

    __slots__ = (
        "box", "by", "checked", "entries", "form", "kinds", "moving", "printed", "row",
        "template",
    )  # fmt: skip

    def __init__(self, template: Any, row: SparseRow, columns: Mapping[Any, int]) -> None:
        self.template = template  # kept: its id is the key, so it must stay alive
        self.row = row
        free = template.free_symbols
        variables = {columns[s]: s.name for s in free if s in columns}
        self.by = [variables[j] for j, _ in row]
        # The entries of numbers (bratu's 1s) are every row's; the others are renamed.
        self.entries = [d for _, d in row]
        self.moving = [k for k, d in enumerate(self.entries) if d.free_symbols]
        moving = [self.entries[k] for k in self.moving]
        self.box = moving[0] if len(moving) == 1 else _box(*moving)
        self.kinds = {s.name: s in columns for s in free}  # whether each is a variable
        self.form, self.printed = printed_form(str(template))
        self.checked = False


def prints_renamed(f: Any, form: str, names: list[str], changed: Mapping[str, str]) -> bool:
    """Whether f prints as the expression of `printed_form` with its names renamed
    (σ: `changed`, names of jac's input, which `_NAME` finds whole)."""
    get = changed.get
    return str(f) == form.format(*[get(n, n) for n in names])


class Renamings:
    """The rows of J for components read as renamings (`row`), for one J's columns."""

    def __init__(self, columns: Mapping[Any, int], differentiate: Callable[[Any], SparseRow]):
        import symengine

        self.columns = columns
        self.differentiate = differentiate  # a row of T itself (Templates.row)
        self.sources: dict[int, _Source | None] = {}
        # Each variable's column by name; None where a variable is not a plain symbol (then
        # names do not say which variable is which, and every row is differentiated).
        plain = all(type(v) is symengine.Symbol for v in columns)
        self.names: dict[str, int] | None = (
            {intern(v.name): j for v, j in columns.items()} if plain else None
        )
        if self.names is not None and len(self.names) != len(columns):
            self.names = None

    def row(self, source: tuple[Any, Mapping[str, str], Any], f: Any) -> SparseRow | None:
        """f's row, f being T renamed (`source`, jaccli.parse.stencil: T, the names σ
        changes and σ as SymEngine's map); None where f's row must be had otherwise."""
        template, changed, renaming = source
        names = self.names
        if names is None:
            return None
        key = id(template)
        if key in self.sources:
            known = self.sources[key]
        else:
            known = self.sources[key] = self._source(template)
        if known is None:
            return None
        kinds = known.kinds
        for old, new in changed.items():  # σ keeps variables variables, parameters parameters
            kind = kinds.get(old)
            if kind is not None and (new in names) != kind:
                return None
        if not changed or not known.row:
            return known.row
        if not prints_renamed(f, known.form, known.printed, changed):
            return None  # printed otherwise than T renamed
        get = changed.get
        entries = list(known.entries)
        moving = known.moving
        if len(moving) == 1:  # one renaming (C++) for the whole row
            entries[moving[0]] = known.box.xreplace(renaming)
        elif moving:
            for k, entry in zip(moving, known.box.xreplace(renaming).args, strict=True):
                entries[k] = entry
        row = tuple(sorted(zip([names[get(n, n)] for n in known.by], entries, strict=True)))
        if not known.checked:  # the first renaming: against differentiating the row
            known.checked = True
            direct = _differentiate_one(f, (), self.columns)
            if not printed_same(row, direct):
                self.sources[id(template)] = None
                return direct
        return row

    def _source(self, template: Any) -> _Source | None:
        """T's row and how to rename it; None where SymEngine alone does not differentiate
        T (abs, sign, atan2)."""
        if by_symengine(template) != ():
            return None
        return _Source(template, self.differentiate(template), self.columns)
