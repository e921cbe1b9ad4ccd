"""The fast path of the front end (jaccli.parse.fast) against the reference parser.

The reference (tokens, grammar, build) is the specification: `read_and_build` must give what
`read_functions` then `build` give, the same values, names and warnings' columns, or the same
error with the same message and caret, on generated, mutated and hostile input, with limits
small enough that every one is hit at its boundary. And the common inputs must really take
the fast path: a change that silently loses it fails here, not only in the bench.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jaccli import _symengine
from jaccli.errors import JacError
from jaccli.parse import DEFAULT_LIMITS, Limits, build, read_functions, typed_names
from jaccli.parse.fast import FastReader
from jaccli.parse.grammar import Parser
from jaccli.parse.inputs import read_and_build
from jaccli.parse.tokens import _tokenize_each, tokenize
from tests import hostile

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import workloads

_symengine.load()

VARIABLES = ("x", "y", "z", "sin", "e")  # sin and e declared variables: names, not a call


def _outcome(run: Any) -> tuple[Any, ...]:
    try:
        parsed, built = run()
        names = list(typed_names(parsed).items())
        return ("ok", [str(v) for v in built], names, [p.shape for p in parsed])
    except JacError as e:
        where = e.location
        return ("error", type(e), e.template, where and tuple(where))


def _both(
    arguments: Sequence[str], variables: Sequence[str], limits: Limits, stdin: str = ""
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    def reference() -> tuple[Any, Any]:
        parsed = read_functions(arguments, variables, lambda: stdin, limits)
        return parsed, build(parsed, limits)

    fast = _outcome(lambda: read_and_build(arguments, variables, lambda: stdin, limits))
    return fast, _outcome(reference)


def _same(
    arguments: Sequence[str], variables: Sequence[str], limits: Limits, stdin: str = ""
) -> None:
    fast, reference = _both(arguments, variables, limits, stdin)
    assert fast == reference, (arguments, stdin)


# ------------------------------------------------------------------- generated input

_NUMBERS = st.sampled_from(
    ["0", "1", "2", "10", "007", "0.5", "2.", ".5", "1e3", "2E-2", "123456789", "9" * 45]
)
_NAMES = st.sampled_from(
    ["x", "y", "z", "k1", "w_2", "e", "E", "pi", "sin", "sinx", "xy", "exp", "u0", "lam", "q"]
)
_FUNCTIONS = st.sampled_from(
    ["sin", "cos", "exp", "log", "tanh", "sqrt", "atan2", "abs", "sum", "foo", "x", "pi"]
)
_BLANK = st.sampled_from(["", "", "", " ", "  ", "\t"])


def _calls(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda f, args: f"{f}({', '.join(args)})", _FUNCTIONS, st.lists(inner, max_size=3)
    )


def _binary(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    ops = st.sampled_from(["+", "-", "*", "/", "^", "**", " + ", "*-", "+-", ".*", "./", ".^"])
    return st.builds(lambda a, op, b: f"{a}{op}{b}", inner, ops, inner)


EXPRESSIONS = st.recursive(
    st.one_of(_NUMBERS, _NAMES),
    lambda inner: st.one_of(
        _binary(inner),
        _calls(inner),
        st.builds(lambda a: f"({a})", inner),
        st.builds(lambda s, a: f"{s}{a}", st.sampled_from(["-", "+", "- -"]), inner),
        st.builds(lambda a, b: f"{a}{b}", inner, st.sampled_from(["'", "^2", "(x)", " x"])),
    ),
    max_leaves=12,
)
LINES = st.builds(
    lambda items, bracket, blank: f"[{blank}{', '.join(items)}]" if bracket else ", ".join(items),
    st.lists(EXPRESSIONS, min_size=1, max_size=3),
    st.booleans(),
    _BLANK,
)
# Small limits, so that each one is hit, and at its boundary as often as not.
LIMITS = st.builds(
    Limits,
    input=st.integers(5, 400),
    tokens=st.integers(1, 80),
    depth=st.integers(1, 8),
    digits=st.integers(1, 40),
)
_FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(lines=st.lists(LINES, min_size=1, max_size=4), limits=LIMITS, declared=st.booleans())
@example(lines=["(+x)"], limits=Limits(5, 4, 2, 1), declared=False)  # the column of x: 0
@example(lines=["x*y - 2*z", "y*z - 2*x", "z*z - 2*y"], limits=DEFAULT_LIMITS, declared=True)
# -2 is known as a negative number after the first line; its minus is a level of nesting
@example(lines=["2*x*-2", "(x+-2*x)"], limits=Limits(400, 80, digits=40, depth=1), declared=False)
def test_generated_input_reads_as_the_reference_reads_it(
    lines: list[str], limits: Limits, declared: bool
) -> None:
    variables = VARIABLES if declared else ()
    _same(["-"], variables, limits, "\n".join(lines))
    _same(lines, variables, limits)  # one argument a line: labels, running token count


_ALPHABET = [
    *"xyz0123456789+-*/^(),[]. \t'=eE_\"$#",
    *("\u00b2", "\u00d7", "\u2212", "\u2299", "\u0445", "\x00", "\x1b", "\u00a0", "\n", "π"),
]


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    text = draw(LINES)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        what = draw(st.sampled_from(["insert", "delete", "replace"]))
        ch = draw(st.sampled_from(_ALPHABET))
        if what == "insert":
            text = text[:at] + ch + text[at:]
        elif what == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + ch + text[at + 1 :]
    return text


@_FAST
@given(text=_mutated(), limits=LIMITS, declared=st.booleans())
def test_mutated_input_reads_as_the_reference_reads_it(
    text: str, limits: Limits, declared: bool
) -> None:
    _same(["-"], VARIABLES if declared else (), limits, text)


@_FAST
@given(line=LINES, limits=LIMITS, before=st.integers(0, 40))
def test_a_line_the_fast_path_reads_is_read_alike_by_the_reference(
    line: str, limits: Limits, before: int
) -> None:
    """Per line: None, or the reference's values, token count, and tree on demand."""
    line = line.replace("\n", " ")
    got = FastReader(VARIABLES, limits).line(line, before)
    if got is None:
        return
    parser = Parser(line, "input", VARIABLES, limits, before)  # must not raise
    assert parser.tokens[-1].kind == "end" and len(parser.tokens) - 1 == got.tokens
    nodes = parser.parse_list()
    reference = build([_parsed(node, line) for node in nodes], limits)
    assert [str(v) for v in got.values] == [str(v) for v in reference]
    assert got.values == reference
    parsed, _ = read_and_build(["-"], VARIABLES, lambda: line, limits._replace(input=len(line)))
    assert [repr(p.node) for p in parsed] == [repr(n) for n in nodes]  # the lazy trees


def _parsed(node: Any, line: str) -> Any:
    from jaccli.parse.tree import Parsed

    return Parsed(node, line, "input")


# ------------------------------------------------------------------- fixed corpora


def _hostile_texts() -> list[str]:
    texts = [*hostile.INJECTIONS, *hostile.CHARACTERS, *hostile._syntax_cases(60)]
    texts += [t for t in hostile.BOMBS if len(t) <= 200_000]
    return texts


@pytest.mark.parametrize("text", _hostile_texts(), ids=range(len(_hostile_texts())))
def test_hostile_input_reads_as_the_reference_reads_it(text: str) -> None:
    limits = Limits(input=300_000, tokens=50_000, digits=1000, depth=100)
    _same(["-"], ("x", "y"), limits, text)
    _same(["-"], (), limits, text)


_WORKLOADS = [("layer", 30), ("layer", 100), ("arm", 60), ("bratu", 10_000), ("kinetics", 300)]


@pytest.mark.parametrize("kind, n", _WORKLOADS)
def test_workloads_take_the_fast_path_and_agree(kind: str, n: int) -> None:
    lines, variables = getattr(workloads, kind)(n)
    text = "\n".join(lines)
    limits = DEFAULT_LIMITS._replace(input=10_000_000, tokens=5_000_000)
    parsed, built = read_and_build(["-"], variables, lambda: text, limits)
    assert all(p.fast for p in parsed), "a workload line fell back to the reference"
    reference = read_functions(["-"], variables, lambda: text, limits)
    assert [str(v) for v in built] == [str(v) for v in build(reference, limits)]
    assert typed_names(parsed) == typed_names(reference)
    assert all(p._node is None for p in parsed)  # no tree kept


def test_a_huge_number_before_sends_the_rest_to_the_reference() -> None:
    """Builder tracks numbers past 4,096 bits across lines (their products are estimated);
    the fast path knows nothing of them, so after one, the reference builds every line."""
    half = str(2**2500)
    lines = ["x*2^5000", f"({half}*{half}*x)*y", f"({half}*{half}*x)*({half}*{half}*x)*y"]
    limits = DEFAULT_LIMITS._replace(digits=2000)
    fast, reference = _both(["-"], ("x", "y"), limits, "\n".join(lines))
    assert fast == reference and fast[0] == "error"
    assert _outcome(lambda: read_and_build(lines[1:], ("x", "y"), None, limits))[0] == "ok"


def test_errors_keep_their_order_across_lines() -> None:
    """A parse error on a later line wins over an undefined value on an earlier one."""
    for text in ["x/0\ny+", "x+y\nlog(0)*x\n2x", "x\n1/(x-x)\ny", "x^(1/0)\n(("]:
        _same(["-"], ("x", "y"), DEFAULT_LIMITS, text)


def test_parsed_items_pickle_and_reparse() -> None:
    parsed, _ = read_and_build(["x*y + sin(x), -2*y^3"], ("x", "y"), None, DEFAULT_LIMITS)
    again = pickle.loads(pickle.dumps(parsed))
    assert [repr(p.node) for p in again] == [repr(p.node) for p in parsed]
    nodes = Parser("x*y + sin(x), -2*y^3", "input", ("x", "y")).parse_list()
    assert [repr(p.node) for p in parsed] == [repr(n) for n in nodes]


# ------------------------------------------------------------------- the scanner


def _tokens(scan: Any, text: str) -> Any:
    try:
        return scan(text, "input")
    except JacError as e:
        return (type(e), e.template, e.location)


_SCANNED = st.text(alphabet=st.sampled_from([*_ALPHABET, *"ab.e5*/^", "\r", "\x0b", "~"]))


@_FAST
@given(text=st.one_of(_SCANNED, LINES, _mutated()))
def test_the_pattern_scanner_gives_the_character_loops_tokens(text: str) -> None:
    """Token lists identical (kinds, texts, columns), and the same stray-character error."""
    assert _tokens(tokenize, text) == _tokens(_tokenize_each, text)


def test_the_scanner_agrees_on_the_workloads_and_the_hostile_corpus() -> None:
    texts = [line for kind, n in _WORKLOADS for line in getattr(workloads, kind)(n)[0]]
    for text in [*texts, *_hostile_texts()]:
        assert _tokens(tokenize, text) == _tokens(_tokenize_each, text)


def test_the_names_of_one_component_of_a_fast_line() -> None:
    parsed, _ = read_and_build(["x*y + z, (w)*x"], (), None, DEFAULT_LIMITS)
    assert all(p.fast for p in parsed)
    reference = read_functions(["x*y + z, (w)*x"])
    assert typed_names(parsed) == typed_names(reference)
    assert (
        typed_names(parsed[1:])
        == typed_names(reference[1:])
        == {
            "w": ("input", 9),
            "x": ("input", 13),
        }
    )
