"""What the user gives: the components of F (arguments, stdin), the variables, a point.

Messages and locations name the variables and the point as {vars} and {at}: the CLI words
them as its options (--vars, --at), the Python API as its keyword arguments (jaccli.errors).
"""

import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from jaccli.errors import LimitError, Location, ParseError, UsageError, literal
from jaccli.parse.build import Builder, build
from jaccli.parse.grammar import CONSTANTS, Parser
from jaccli.parse.limits import DEFAULT_LIMITS, Limits, limit_hint
from jaccli.parse.shapes import Checker, Shape, entry_names
from jaccli.parse.shapes import describe as describe_shape
from jaccli.parse.stencil import Renamed
from jaccli.parse.tokens import describe, tokenize
from jaccli.parse.tree import Parsed, Reparse


def _lines(text: str, where: str) -> Iterable[tuple[str, str]]:
    """Non-blank lines of `text` without `#` comments, each with a label for messages."""
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0] if "#" in raw else raw
        if line and not line.isspace():  # line.strip(), without the copy
            yield line, (f"{where} line {number}" if len(lines) > 1 else where)


def input_texts(arguments: Sequence[str], stdin: str | None) -> list[str]:
    """The texts F is read from: the arguments, and stdin's (already read) for `-`."""
    return [a for a in arguments if a != "-"] + ([stdin] if stdin else [])


def count_lines(text: str) -> int:
    """The lines of `text` that are read, as `_sources` yields them (not blank, not only a
    comment): the total of a progress bar for reading."""
    return sum(1 for _ in _lines(text, ""))


def _sources(
    arguments: Sequence[str], read_stdin: Callable[[], str] | None, limits: Limits
) -> Iterator[tuple[str, str]]:
    """The lines of the arguments (`-` reads stdin), each with its label, in order; the
    input limit is checked per argument before any of its lines is read."""
    characters = 0
    for index, argument in enumerate(arguments, start=1):
        if argument == "-":
            if read_stdin is None:
                raise UsageError("'-' (read from stdin) is not available here")
            source, where = read_stdin(), "stdin"
        elif argument.startswith("--") and len(argument) > 2:
            raise UsageError(f"no such option: {literal(argument.split('=', 1)[0])}")
        else:
            source, where = (
                argument,
                f"argument {index}" if len(arguments) > 1 else "input",
            )
        if characters + len(source) > limits.input:
            raise _too_long(source, where, limits.input - characters, limits)
        characters += len(source)
        yield from _lines(source, where)


class _Reading:
    """The reference reader's state across lines: the tokens so far, the shapes' extra."""

    def __init__(
        self,
        variables: frozenset[str],
        limits: Limits,
        shapes: Mapping[str, Shape] | None,
        abstract: Collection[str],
    ) -> None:
        self.variables, self.limits = variables, limits
        self.shapes, self.abstract = shapes, abstract
        self.tokens = self.spent = 0

    def line(self, line: str, label: str) -> tuple[list[Parsed], bool]:
        """The parsed components of a line, and whether it has vectors or matrices."""
        parser = Parser(
            line, label, self.variables, self.limits, self.tokens, self.shapes, self.abstract
        )
        self.tokens += len(parser.tokens) - 1
        nodes = parser.parse_list()
        if not parser.shaped:
            return [Parsed(node, line, label) for node in nodes], False
        tokens = self.tokens + self.spent
        checker = Checker(line, label, self.limits, tokens, declared=bool(self.shapes))
        items = [Parsed(node, line, label, checker.shape(node)) for node in nodes]
        self.spent = checker.spent - self.tokens
        return items, True


def read_functions(
    arguments: Sequence[str],
    variables: Collection[str] = (),
    read_stdin: Callable[[], str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    shapes: Mapping[str, Shape] | None = None,
    abstract: Collection[str] = (),
    progress: Callable[[int], None] | None = None,
) -> list[Parsed]:
    """Parse the components F_1..F_m from command-line arguments; `-` reads them from stdin.

    Each argument (and each stdin line) holds one or more comma-separated
    components, optionally in brackets. Names in `variables` are always
    variables, even `e` or `sin`; names in `shapes` are vectors and matrices, and an
    expression with one stands for all the entries of its value. Nothing is computed
    yet: see `build`, and `read_and_build` for both at once.
    """
    reading = _Reading(frozenset(variables), limits, shapes, abstract)
    parsed: list[Parsed] = []
    sources = _sources(arguments, read_stdin, limits)
    for line, label in sources if progress is None else _told(sources, progress):
        parsed.extend(reading.line(line, label)[0])
    if not parsed:
        raise UsageError("no functions given (blank input)")
    return parsed


def read_and_build(
    arguments: Sequence[str],
    variables: Collection[str],
    read_stdin: Callable[[], str] | None,
    limits: Limits,
    shapes: Mapping[str, Shape] | None = None,
    abstract: Collection[str] = (),
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Parsed], Sequence[Any]]:
    """`read_functions` then `build`, with the same errors in the same order, faster.

    Each line is read by jaccli.parse.fast when it can (its values at once), else by the
    reference parser. Every line is read before any is built, as `read_functions` then
    `build` do, so a parse error on line 5 still wins over 1/0 on line 2. The parsed items
    keep their line, not their tree: `Parsed.node` parses again where it is needed. The
    components come as a `stencil.Renamed` tuple when every line was read whole.
    `progress` is told of the lines read (`count_lines`), a block of them at a time.
    """
    if shapes or abstract:
        items = read_functions(arguments, variables, read_stdin, limits, shapes, abstract, progress)
        return items, build(items, limits)
    from jaccli.parse.fast import FastReader, line_names

    names = frozenset(variables)
    reader = FastReader(names, limits)
    reading = _Reading(names, limits, None, ())
    again = Reparse(names, limits)
    parsed: list[Parsed] = []
    values: list[Any] = []  # per item: its value, or _PENDING for the reference to build
    renamings: list[tuple[Any, Any, Any] | None] = []  # per item: what it renames, or None
    pending = False  # whether the reference read a line: its items are built below
    typed: dict[str, tuple[str, int]] = {}  # typed_names, while every line is read fast
    sources = _sources(arguments, read_stdin, limits)
    for line, label in sources if progress is None else _told(sources, progress):
        done = reader.line(line, reading.tokens)
        if done is not None:
            reading.tokens += done.tokens
            if not pending:
                for name, column in line_names(line, names, typed, done.names):
                    typed[name] = (label, column)
            if len(done.values) == 1:  # the common line: one component
                parsed.append(Parsed(None, line, label, None, 0, again, fast=True))
                values.append(done.values[0])
                renamings.append(None if done.sources is None else done.sources[0])
                continue
            for index, value in enumerate(done.values):
                parsed.append(Parsed(None, line, label, None, index, again, fast=True))
                values.append(value)
            if done.sources is None:
                renamings.extend(None for _ in done.values)
            else:
                renamings.extend(done.sources)
            continue
        pending = True
        items, shaped = reading.line(line, label)
        for index, item in enumerate(items):
            values.append(_PENDING)  # the tree is kept only until it is built
            parsed.append(item if shaped else Parsed(item.node, line, label, None, index, again))
            renamings.append(None)
    if not parsed:
        raise UsageError("no functions given (blank input)")
    if not pending:  # every value is built (and no Builder met a huge number): as below
        return parsed, _renamed(values, renamings, typed)
    builder = Builder(limits)
    built: list[Any] = []
    for item, value in zip(parsed, values, strict=True):
        if value is _PENDING or builder.big:  # after a huge number, as the reference does
            built.extend(builder.build(item))
            item.forget()
        else:
            built.append(value)
    if builder.big or len(built) != len(renamings):
        return parsed, built
    return parsed, _renamed(built, renamings)


_TOLD_EVERY = 4096  # lines read between two calls of a progress callback


def _told(
    sources: Iterable[tuple[str, str]], progress: Callable[[int], None]
) -> Iterator[tuple[str, str]]:
    """`sources`, telling `progress` of every _TOLD_EVERY lines read and of the rest at the
    end (`count_lines` counts them: blank and comment lines are not read)."""
    count = 0
    for count, item in enumerate(sources, start=1):
        yield item
        if count % _TOLD_EVERY == 0:
            progress(_TOLD_EVERY)
    progress(count % _TOLD_EVERY)


def _renamed(
    built: list[Any], renamings: list[Any], typed: dict[str, tuple[str, int]] | None = None
) -> Renamed:
    renamed = Renamed(built)
    renamed.renamings = tuple(renamings)
    renamed.typed = typed
    return renamed


_PENDING = object()


def _too_long(source: str, where: str, allowed: int, limits: Limits) -> LimitError:
    line_start = source.rfind("\n", 0, allowed) + 1
    line_number = source.count("\n", 0, line_start) + 1
    line_end = source.find("\n", allowed)
    line = source[line_start : line_end if line_end >= 0 else len(source)]
    label = f"{where} line {line_number}" if "\n" in source else where
    return LimitError(
        f"the input is longer than {limits.input:,} characters; {limit_hint('input')}",
        Location(line, allowed - line_start, label),
    )


def parse_functions(
    arguments: Sequence[str],
    variables: Collection[str] = (),
    read_stdin: Callable[[], str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[Any]:
    """`read_functions`, then `build`: the components as SymEngine expressions."""
    return build(read_functions(arguments, variables, read_stdin, limits), limits)


_MAX_RANGE = 1_000_000  # names in one range such as u0..u999999


def parse_variables(text: str, where: str = "{vars}") -> tuple[str, ...]:
    """Names from `x,y,z` ({vars}, or `where`), in order, each a valid name and none repeated.

    `x1..x9` (or `u0..u99`, `q01..q12`) is a range of names: a common stem and whole numbers.
    """
    tokens = tokenize(text, where)
    names: list[str] = []
    seen: set[str] = set()

    def fail(message: str, pos: int) -> ParseError:
        return ParseError(message, Location(text, pos, where))

    i = 0
    while True:
        tok = tokens[i]
        if tok.kind != "name":
            what = "a variable name" if tok.kind != "end" or names else "variable names"
            raise fail(f"expected {what}, found {describe(tok)}", tok.pos)
        group = [tok.text]
        if tokens[i + 1].kind == "..":
            last = tokens[i + 2]
            if last.kind != "name":
                raise fail(f"expected a name to end the range, found {describe(last)}", last.pos)
            group = _name_range(tok.text, last.text, functools.partial(fail, pos=tok.pos))
            i += 2
        for name in group:
            if name in seen:
                raise fail(f"'{name}' is listed twice", tok.pos)
            seen.add(name)
        names.extend(group)
        after = tokens[i + 1]
        if after.kind == "end":
            return tuple(names)
        if after.kind != ",":
            raise fail(f"expected ',' between variable names, found {describe(after)}", after.pos)
        i += 2


def _name_range(first: str, last: str, fail: Callable[[str], ParseError]) -> list[str]:
    """x1..x9 as x1, x2, ..., x9; q01..q12 keeps the zeros (q01, ..., q12)."""
    stem = first.rstrip("0123456789")
    start, end = first[len(stem) :], last[len(stem) :]
    if not start or not last.startswith(stem) or not end.isdigit() or not start.isdigit():
        raise fail(
            f"{first}..{last} is not a range: write a name and a number at both ends, x1..x9"
        )
    low, high = int(start), int(end)
    if low > high:
        raise fail(f"{first}..{last} runs backwards: write {stem}{end}..{stem}{start}")
    if high - low >= _MAX_RANGE:
        raise fail(f"{first}..{last} has more than {_MAX_RANGE:,} names")
    width = len(start) if start.startswith("0") and len(start) > 1 else 0
    return [f"{stem}{k:0{width}d}" for k in range(low, high + 1)]


def parse_point(
    text: str,
    variables: Collection[str] = (),
    limits: Limits = DEFAULT_LIMITS,
    shapes: Mapping[str, Shape] | None = None,
    abstract: Collection[str] = (),
) -> dict[Any, Any]:
    """`x=-1,y=2` ({at}) as an ordered mapping from name to exact value (`0.1` is 1/10).

    A vector or matrix declared in `shapes` is given whole (`x=[1,2]`, `W=[[1,0],[0,1]]`) or
    entry by entry (`x[1]=1`); the mapping has one value per entry (`x[1]`). A function
    declared with {abstract} is given at a point (`g(0)=1`, `g'(0)=2`): its key is that call.
    """
    where = "{at}"
    if len(text) > limits.input:
        raise _too_long(text, where, limits.input, limits)
    shapes = shapes or {}
    parser = Parser(text, where, frozenset(variables), limits, shapes=shapes, abstract=abstract)
    entries: list[tuple[str, Parsed]] = []
    calls: list[tuple[Any, Parsed]] = []
    seen: set[str] = set()
    while True:
        tok = parser.peek()
        if tok.kind != "name":
            raise parser.error(f"expected name=value, found {describe(tok)}", tok.pos)
        if parser.tokens[parser.i + 1].kind in ("(", "'") and abstract:
            call = parser.name()  # g(0), g'(0): a declared function's value at a number
            parser.expect("=", f"'=' after {text[call.pos : call.end]}")
            calls.append((call, Parsed(parser.expr(), text, where)))
            if parser.peek().kind != ",":
                break
            parser.take()
            continue
        name = parser.entry(parser.take()).name if parser.tokens[parser.i + 1].kind == "[" else None
        if name is None:
            name = parser.take().text
        shape = shapes.get(name)
        given = entry_names(name, shape) if shape is not None else [name]
        for entry in given:
            whole = entry.partition("[")[0]
            if entry in seen or (whole != entry and whole in seen):
                raise parser.error(f"'{entry}' is given twice", tok.pos)
        if name in CONSTANTS and name not in variables:
            raise parser.error(f"'{name}' is a constant and cannot be given a value", tok.pos)
        seen.update(given)
        seen.add(name)
        parser.expect("=", f"'=' after '{name}'")
        start = parser.peek().pos
        if shape is None:
            entries.append((name, Parsed(parser.expr(), text, where)))
        else:
            values = _array(parser, name, shape)
            entries.extend((e, Parsed(v, text, where)) for e, v in zip(given, values, strict=True))
        if parser.shaped:  # x=b'x', x=W*v: a value is made of numbers and scalars
            raise parser.error(
                f"the value of '{name}' is made of numbers and scalars: vector syntax "
                "(' .* ./ .^, vectors, sum(...)) is for F",
                start,
            )
        if parser.peek().kind != ",":
            break
        parser.take()
    parser.finish()
    builder = Builder(limits)
    point: dict[Any, Any] = {name: builder.build(p)[0] for name, p in entries}
    for (name, parsed), value in zip(entries, point.values(), strict=True):
        # x=y,y=1 was J at x = y with y then 1 elsewhere: an answer "at a point" that still
        # held y. Values are numbers or parameters the point leaves symbolic (x=k-1).
        given = sorted(s.name for s in value.free_symbols if s.name in seen)
        if given:
            raise parser.error(
                f"the value of '{name}' holds '{given[0]}', which this point gives a value "
                f"too: give '{name}' a number, or an expression of parameters it leaves out",
                parsed.node.pos,
            )
    for call, value in calls:
        key = builder.build(Parsed(call, text, where))[0]
        if key.free_symbols:
            raise parser.error(
                f"{text[call.pos : call.end]}: give a function's value at numbers", call.pos
            )
        if key in point:
            raise parser.error(f"{text[call.pos : call.end]} is given twice", call.pos)
        point[key] = builder.build(value)[0]
    return point


def _array(parser: Parser, name: str, shape: Shape) -> list[Any]:
    """`[1,2]` for a vector, `[[1,0],[0,1]]` for a matrix: the entries' trees, row by row."""
    rows, columns = shape
    vector = 1 in shape
    opening = parser.peek()
    if opening.kind != "[":
        wanted = f"[{', '.join(['...'] * min(rows * columns, 3))}]" if vector else "[[...], ...]"
        raise parser.error(
            f"'{name}' {describe_shape(shape)}: give its value as {wanted}", opening.pos
        )
    parser.take()
    if vector:
        items = parser.expressions()
        parser.close(opening, "]", "',' or ']'", "the '['")
        if len(items) != rows * columns:
            raise parser.error(
                f"'{name}' has {rows * columns} entries, not {len(items)}", opening.pos
            )
        return items
    out: list[Any] = []
    for i in range(rows):
        row = parser.peek()
        if row.kind != "[":
            raise parser.error(
                f"expected row {i + 1} of '{name}' as [...], found {describe(row)}", row.pos
            )
        parser.take()
        items = parser.expressions()
        parser.close(row, "]", "',' or ']'", "the '['")
        if len(items) != columns:
            raise parser.error(
                f"row {i + 1} of '{name}' has {len(items)} entries, not {columns}", row.pos
            )
        out.extend(items)
        if i + 1 < rows:
            parser.expect(",", f"',' and row {i + 2} of '{name}' ({rows} rows)")
    parser.close(opening, "]", "']'", "the '['")
    return out
