"""Rich tables for people at a terminal.

A matrix wider than the terminal is not squeezed into unreadable slivers: it is
shown as a list of its non-zero entries (row, column, entry) instead. So is one asked for
with --sparse, and a big mostly-zero one (more than 10^4 entries, under 5% non-zero) on
any width: its grid would be built of zeros.

Rich is imported where something is drawn, not with this module: `jaccli.render.formats_for`
imports every format module to ask which results it draws.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import singledispatch
from typing import TYPE_CHECKING, Any

from jaccli.engine import (
    DeterminantResult,
    EvaluationResult,
    JacobianResult,
    LinearizationResult,
    Listing,
    MatricesResult,
    Point,
    Sparse,
    point_label,
)
from jaccli.render import RenderOptions, forms
from jaccli.render.sparse import BIG_GRID, listed
from jaccli.render.syntax import cell_text, shadowed, to_display

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
    from rich.table import Table
    from rich.text import Text

LABEL_WIDTH = 30  # longer component expressions are cut in row labels; the entries never are
LISTING_AS_TABLE = 300  # up to this many non-zero entries, a too-wide matrix is listed in a table


def _t(value: str, style: str = "") -> Text:
    # Text, never a markup string: user-derived text such as "[/]" must print literally.
    from rich.text import Text

    return Text(value, style=style)


def _label(i: int, f: Any, spell: frozenset[str] = frozenset()) -> Text:
    text = to_display(f, None, spell)
    if len(text) > LABEL_WIDTH:
        text = text[: LABEL_WIDTH - 1] + "…"
    return _t(f"f{i + 1} = {text}")


def _title(text: str) -> Text:
    """A title above a table. Not the table's own title, which Rich wraps at the table's
    width: a point such as `y = k - 1` would break in the middle of its expression."""
    return _t(text, style="table.title")


def _point_text(point: Point, spell: frozenset[str]) -> str:
    return ", ".join(f"{point_label(s)} = {to_display(v, None, spell)}" for s, v in point)


class MatrixView:
    """A matrix as a grid when every entry fits on one line, else as a list of non-zero entries.

    The decision is made at print time, against the actual terminal width.
    """

    def __init__(
        self,
        title: str,
        functions: Sequence[Any],
        variables: Sequence[Any],
        sparse: Sparse,
        digits: int | None = None,
        corner: str = "∂fᵢ/∂xⱼ",
        preface: Sequence[Text] = (),
        rows: Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
        by_entry: bool = False,
    ) -> None:
        self.title = title
        # Listed by entry whatever the width: asked for (--sparse), or big and mostly zeros.
        self.by_entry = listed(sparse, by_entry, cells=BIG_GRID)
        self.preface = preface  # lines under the title: J in matrix form
        self.corner = corner
        self.functions = functions
        self.variables = variables
        self.sparse = sparse
        self.spell = shadowed(variables, functions)
        # What rows and columns are: `f1 = x*y` and the variables, unless named otherwise
        # (the rows of a gradient are variables; its one column is ∇f).
        self.row_names = rows
        self.columns = list(columns) if columns is not None else [v.name for v in variables]
        # Only the non-zero entries are printed; zeros are written "0" when drawn.
        self.nonzero = [
            [(j, to_display(e, digits, self.spell)) for j, e in row] for row in sparse.rows
        ]

    @property
    def cells(self) -> list[list[str]]:
        return list(Sparse(self.sparse.shape, tuple(map(tuple, self.nonzero))).filled(str, "0"))

    def row_label(self, i: int) -> Text:
        if self.row_names is not None:
            return _t(self.row_names[i])
        return _label(i, self.functions[i], self.spell)

    def row_name(self, i: int) -> str:
        """A row's name in a listing of entries: f1, or its own name."""
        return f"f{i + 1}" if self.row_names is None else self.row_names[i]

    def grid_width(self) -> int:
        """Width of the grid with every entry on one line and labels cut to LABEL_WIDTH."""
        labels = max((len(self.row_label(i)) for i in range(self.sparse.shape[0])), default=0)
        columns = [len(name) for name in self.columns]
        for row in self.nonzero:
            for j, text in row:
                columns[j] = max(columns[j], len(text))
        return max(labels, len(self.corner)) + sum(columns) + 3 * (len(columns) + 1) + 1

    def grid(self) -> Table:
        from rich.table import Table

        table = Table(header_style="bold cyan")
        table.add_column(_t(self.corner), style="dim", no_wrap=True)
        for name in self.columns:
            table.add_column(_t(name), justify="right", no_wrap=True)
        for i, row in enumerate(self.cells):
            table.add_row(self.row_label(i), *(_t(e) for e in row))
        return table

    def entries(self) -> Table:
        from rich.table import Table

        m, n = self.sparse.shape
        cells = [(i, j, text) for i, row in enumerate(self.nonzero) for j, text in row]
        caption = f"{m}×{n}, too wide for the terminal: {len(cells)} non-zero entries listed"
        table = Table(caption=None if self.by_entry else _t(caption), caption_justify="default")
        table.add_column(_t("row"), justify="right", no_wrap=True)
        table.add_column(_t("column"), no_wrap=True)
        table.add_column(_t("entry"), overflow="fold")
        for i, j, e in cells:
            table.add_row(_t(self.row_name(i)), _t(self.columns[j]), _t(e))
        return table

    def listing(self) -> RenderResult:
        """The non-zero entries one a line, streamed without a table layout.

        Rich lays out a table by measuring every cell; for 10,000 entries that took
        5.7 s against 0.7 s for the whole JSON run. Lines of text cost nothing to lay
        out, and the terminal wraps long entries.
        """
        from rich.segment import Segment
        from rich.style import Style

        m = self.sparse.shape[0]
        count = sum(len(row) for row in self.nonzero)
        label = Style(bold=True)
        yield Segment(f"{self.title}: {count} non-zero entries\n", Style(bold=True))
        yield from self.preface
        names = [self.row_name(i) for i in range(m)]
        width = max(map(len, names), default=0) + 1 + max(map(len, self.columns), default=0)
        for i, row in enumerate(self.nonzero):
            for j, text in row:
                yield Segment(f"{f'{names[i]} {self.columns[j]}':<{width}}", label)
                yield Segment(f"  {text}\n")

    def _heading(self) -> Iterator[Text]:
        if self.title:  # a part of a result whose label heads its only column has none
            yield _title(self.title)
        yield from self.preface

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.by_entry and self.grid_width() <= options.max_width:
            yield from self._heading()
            yield self.grid()
        elif (count := sum(len(row) for row in self.nonzero)) <= LISTING_AS_TABLE:
            yield from self._heading()
            if self.by_entry:  # said above the table: a caption wraps in a narrow one
                m, n = self.sparse.shape
                yield _t(f"{m}×{n}: {count} non-zero {'entry' if count == 1 else 'entries'}")
            yield self.entries()
        else:
            yield from self.listing()


def _key_values(title: str, rows: Iterable[tuple[str, str]]) -> Group:
    from rich.console import Group
    from rich.table import Table

    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in rows:
        table.add_row(_t(key), _t(value))
    return Group(_title(title), table)


def _at_point(
    result: EvaluationResult | LinearizationResult | MatricesResult, spell: frozenset[str]
) -> str:
    """`Jacobian at x = 1, y = 2`: the heading of a result at a point."""
    return f"{result.subject} at {_point_text(result.point or (), spell)}"


# Registered by explicit class: singledispatch would evaluate the return annotation, and
# RenderableType exists only for type checkers (Rich loads when something is drawn).
@singledispatch
def render(result: Any, options: RenderOptions) -> RenderableType:
    raise TypeError(f"no table renderer for {type(result).__name__}")


def _matrix_form(result: JacobianResult) -> list[Text]:
    """One line per block of J in matrix form, with the part of J it is when not all of it."""
    lines = []
    for block in result.matrix_form:
        where = forms.coverage(block, result)
        lines.append(_t(forms.equation(block) + (f"  ({where})" if where else "")))
        index = forms.index_equation(block)
        if index is not None:
            lines.append(_t("  " + index))
    return lines


@render.register(JacobianResult)
def _jacobian(result: JacobianResult, options: RenderOptions) -> RenderableType:
    m, n = result.shape
    title = f"{result.title} ({m}×{n})"
    preface = _matrix_form(result)
    if not forms.entries_shown(result, options):
        from rich.console import Group

        return Group(_title(title), *preface, _t(forms.left_out(result), style="dim"))
    return MatrixView(
        title,
        result.functions,
        result.variables,
        result.sparse,
        corner=result.entry_label,
        preface=preface,
        by_entry=options.sparse,
    )


@render.register(DeterminantResult)
def _determinant(result: DeterminantResult, options: RenderOptions) -> RenderableType:
    spell = shadowed(result.variables, result.functions)
    rows = [("variables", ", ".join(v.name for v in result.variables))]
    if result.point is not None:
        rows.append(("at", _point_text(result.point, spell)))
    rows.append((result.symbol, to_display(result.determinant, result.digits, spell)))
    if result.log_abs is not None and result.sign is not None:
        log = "-∞" if result.singular else to_display(result.log_abs, result.digits, spell)
        rows.append((f"log|{result.symbol}|", log))
        rows.append((f"sign({result.symbol})", to_display(result.sign, None, spell)))
    if result.meaning is not None:
        rows.append(("meaning", result.meaning))
    return _explained(_key_values(result.title, rows), result.explanation)


def _explained(shown: RenderableType, explanation: Sequence[str]) -> RenderableType:
    """A result with its explanation (--explain) under it, a sentence a line (wrapped)."""
    if not explanation:
        return shown
    from rich.console import Group

    return Group(shown, _t(""), *(_t(sentence) for sentence in explanation))


@render.register(EvaluationResult)
def _evaluation(result: EvaluationResult, options: RenderOptions) -> RenderableType:
    title = _at_point(result, shadowed(result.variables, result.functions))
    view = MatrixView(
        title, result.functions, result.variables, result.sparse, result.digits, result.entry_label
    )
    view.by_entry |= options.sparse
    return _explained(view, result.explanation)


@render.register(LinearizationResult)
def _linearization(result: LinearizationResult, options: RenderOptions) -> RenderableType:
    from rich.console import Group
    from rich.table import Table

    spell = shadowed(result.variables, result.functions)
    jac = JacobianResult.symbol
    summary = Table(header_style="bold cyan")
    summary.add_column(_t("component"), style="dim")
    summary.add_column(_t("F(a)"), justify="right")
    summary.add_column(_t(f"{result.symbol}(x) = F(a) + {jac}(a)(x − a)"))
    for i, (f, value, lin) in enumerate(
        zip(result.functions, result.value, result.linearization, strict=True)
    ):
        value_text = to_display(value, result.digits, spell)
        lin_text = to_display(lin, result.digits, spell)
        summary.add_row(_label(i, f, spell), _t(value_text), _t(lin_text))
    matrix = MatrixView(
        f"{jac}(a)", result.functions, result.variables, result.sparse, result.digits
    )
    matrix.by_entry |= options.sparse
    matrix.corner = result.entry_label
    shown = Group(_title(_at_point(result, spell)), summary, _t(""), matrix)
    return _explained(shown, result.explanation)


SHOWN_FUNCTIONS = 8  # components listed under a result's title; past that, how many more


@render.register(MatricesResult)
def _matrices(result: MatricesResult, options: RenderOptions) -> RenderableType:
    """Grad, Hessian, JVP, VJP, chain: the functions, the inputs given, each matrix, the notes."""
    from rich.console import Group

    spell = shadowed(result.variables, result.functions)
    title = result.title if result.point is None else _at_point(result, spell)
    lines: list[RenderableType] = [_title(title)]
    named = len(result.functions) > 1
    for i, f in enumerate(result.functions[:SHOWN_FUNCTIONS]):
        lines.append(_t(f"{f'f{i + 1}' if named else 'f'} = {to_display(f, None, spell)}"))
    if len(result.functions) > SHOWN_FUNCTIONS:
        lines.append(_t(f"… and {len(result.functions) - SHOWN_FUNCTIONS} more components"))
    for name, values in result.given:
        shown = ", ".join(to_display(v, None, spell) for v in values)
        lines.append(_t(f"{name}: ({shown})"))
    for part in result.parts:
        vector = part.columns == ("",)  # a column: its label heads it, rows need no corner
        view = MatrixView(
            "" if vector and len(result.parts) == 1 else part.label,
            result.functions,
            result.variables,
            part.sparse,
            result.digits,
            corner="" if vector else part.label,
            rows=part.rows,
            columns=(part.label,) if vector else part.columns,
            by_entry=options.sparse,
        )
        lines += [_t(""), view]
    if result.values:
        lines.append(_t(""))
    for value in result.values:
        lines.append(_t(f"{value.label} = {to_display(value.value, result.digits, spell)}"))
    for listing in result.listings:
        lines += [_t(""), _listing(listing, result.digits, spell)]
    lines += [_t(note, style="dim") for note in result.notes]
    return Group(*lines)


def _listing(listing: Listing, digits: int | None, spell: frozenset[str]) -> RenderableType:
    """Eigenvalues, equilibria, branches: a table under the listing's label."""
    from rich.console import Group
    from rich.table import Table

    table = Table(header_style="bold cyan")
    for column in listing.columns:
        table.add_column(_t(column.label), overflow="fold")
    for row in listing.rows:
        table.add_row(*(_t(cell_text(c, digits, spell, display=True)) for c in row))
    return Group(_title(listing.label), table)


# --------------------------------------------------------------------------- sparsity

from jaccli.engine import SparsityResult  # noqa: E402  (kept beside its renderer)


@render.register(SparsityResult)
def _sparsity(result: SparsityResult, options: RenderOptions) -> RenderableType:
    """The functions and the numbers as for any analysis, then the picture of the pattern
    (jaccli.render.spy: one cell per entry, or shaded blocks with their scale), then notes."""
    from dataclasses import replace

    from rich.console import Group

    from jaccli.render.spy import Spy

    stats = render.dispatch(MatricesResult)(replace(result, parts=(), notes=()), options)
    notes = [_t(note, style="dim") for note in result.notes]
    return Group(stats, _t(""), Spy(result.pattern, result.column_colors), *notes)
