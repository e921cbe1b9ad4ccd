"""What the user gives: the components of F (arguments, stdin), the variables, a point.

Messages and locations name the variables and the point as {vars} and {at}: the CLI words
them as its options (--vars, --at), the Python API as its keyword arguments (jaccli.errors).
"""

from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from jaccli.errors import LimitError, Location, ParseError, UsageError, literal
from jaccli.parse.build import Builder, build
from jaccli.parse.grammar import CONSTANTS, Parser
from jaccli.parse.limits import DEFAULT_LIMITS, Limits, limit_hint
from jaccli.parse.tokens import describe, tokenize
from jaccli.parse.tree import Parsed


def _lines(text: str, where: str) -> Iterable[tuple[str, str]]:
    """Non-blank lines of `text` without `#` comments, each with a label for messages."""
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0]
        if line.strip():
            yield line, (f"{where} line {number}" if len(lines) > 1 else where)


def read_functions(
    arguments: Sequence[str],
    variables: Collection[str] = (),
    read_stdin: Callable[[], str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[Parsed]:
    """Parse the components F_1..F_m from command-line arguments; `-` reads them from stdin.

    Each argument (and each stdin line) holds one or more comma-separated
    components, optionally in brackets. Names in `variables` are always
    variables, even `e` or `sin`. Nothing is computed yet: see `build`.
    """
    variables = frozenset(variables)
    parsed: list[Parsed] = []
    characters = tokens = 0
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
        for line, label in _lines(source, where):
            parser = Parser(line, label, variables, limits, tokens)
            tokens += len(parser.tokens) - 1
            for node in parser.parse_list():
                parsed.append(Parsed(node, line, label))
    if not parsed:
        raise UsageError("no functions given (blank input)")
    return parsed


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


# Letters that render like a Latin letter but are a different character: a name
# typed with one is a different symbol, which is very hard to see. Fullwidth and
def parse_variables(text: str) -> tuple[str, ...]:
    """Names from `x,y,z` ({vars}), in order, each a valid name and none repeated."""
    where = "{vars}"
    tokens = tokenize(text, where)
    names: list[str] = []
    expecting_name = True
    for tok in tokens:
        if expecting_name:
            if tok.kind != "name":
                what = "a variable name" if tok.kind != "end" or names else "variable names"
                raise ParseError(
                    f"expected {what}, found {describe(tok)}",
                    Location(text, tok.pos, where),
                )
            if tok.text in names:
                raise ParseError(
                    f"variable '{tok.text}' is listed twice",
                    Location(text, tok.pos, where),
                )
            names.append(tok.text)
        elif tok.kind not in (",", "end"):
            raise ParseError(
                f"expected ',' between variable names, found {describe(tok)}",
                Location(text, tok.pos, where),
            )
        expecting_name = not expecting_name
    return tuple(names)


def parse_point(
    text: str, variables: Collection[str] = (), limits: Limits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """`x=-1,y=2` ({at}) as an ordered mapping from name to exact value (`0.1` is 1/10)."""
    where = "{at}"
    if len(text) > limits.input:
        raise _too_long(text, where, limits.input, limits)
    parser = Parser(text, where, frozenset(variables), limits)
    entries: list[tuple[str, Parsed]] = []
    seen: set[str] = set()
    while True:
        tok = parser.peek()
        if tok.kind != "name":
            raise parser.error(f"expected name=value, found {describe(tok)}", tok.pos)
        parser.take()
        if tok.text in seen:
            raise parser.error(f"'{tok.text}' is given twice", tok.pos)
        if tok.text in CONSTANTS and tok.text not in variables:
            raise parser.error(f"'{tok.text}' is a constant and cannot be given a value", tok.pos)
        seen.add(tok.text)
        parser.expect("=", f"'=' after '{tok.text}'")
        entries.append((tok.text, Parsed(parser.expr(), text, where)))
        if parser.peek().kind != ",":
            break
        parser.take()
    parser.finish()
    builder = Builder(limits)
    return {name: builder.build(p) for name, p in entries}
