"""jac under attack: it never runs user text, never hangs, never lies, never leaves a trace."""

from __future__ import annotations

import builtins
import os
import pickle
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

import mpmath
import pytest
import symengine

from jaccli import budget
from jaccli.errors import JacError, LimitError, Location, ParseError, UndefinedError
from jaccli.parse import Limits, limits_from_env, parse_functions, parse_point
from tests import hostile
from tests.conftest import invoke
from tests.installed import jac_path

# --------------------------------------------------------------------------- injection


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records every new import and every open() while a test runs."""
    parse_functions(["sin(x)^2 + 1/2 + 0.5e1*y"])  # jac's own lazy imports happen here
    calls: list[str] = []
    real_import, real_open = builtins.__import__, builtins.open

    def spy_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name not in sys.modules:
            calls.append(f"import {name}")
        return real_import(name, *args, **kwargs)

    def spy_open(*args: Any, **kwargs: Any) -> Any:
        calls.append(f"open {args[0]!r}")
        return real_open(*args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", spy_import)
    monkeypatch.setattr(builtins, "open", spy_open)
    yield calls


@pytest.mark.parametrize("text", hostile.INJECTIONS)
def test_injection_is_a_parse_error_with_no_side_effect(text: str, spy: list[str]) -> None:
    with pytest.raises(ParseError):
        parse_functions([text], ["x", "y"])
    with pytest.raises(ParseError):
        parse_point(f"x={text}", ["x"])
    assert spy == []


def test_names_are_only_ever_symbols(spy: list[str]) -> None:
    # Words that are Python builtins are plain symbols when not called.
    for name in ["eval", "exec", "open", "os", "sys", "sympify", "Symbol", "lambda", "import"]:
        [expr] = parse_functions([f"2*{name}"])
        assert expr == 2 * symengine.Symbol(name)
    assert spy == []


# --------------------------------------------------------------------------- limits


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("2^2^2^2^2^2", "JAC_MAX_DIGITS"),
        ("10^10^10", "JAC_MAX_DIGITS"),
        ("((9^9)^9999)^9999", "JAC_MAX_DIGITS"),
        ("(2^99999)*(2^99999)*(2^99999)*(2^99999)*x", "JAC_MAX_DIGITS"),
        ("sqrt(2)^(10^7)", "JAC_MAX_DIGITS"),
        ("(3*sqrt(2))^(10^6)", "JAC_MAX_DIGITS"),
        ("1e999999999", "JAC_MAX_DIGITS"),
        ("0.5^(10^9)", "JAC_MAX_DIGITS"),
        ("1" * 100_001, "JAC_MAX_DIGITS"),
        ("sin(" * 300 + "x" + ")" * 300, "JAC_MAX_DEPTH"),
        ("x" + "^x" * 200, "JAC_MAX_DEPTH"),
        ("+".join(["x"] * 300_000), "JAC_MAX_TOKENS"),
    ],
)
def test_bombs_are_refused_naming_the_limit_and_column(text: str, limit: str) -> None:
    # CPU seconds of this process, not the wall clock: the work refused, not how busy the
    # machine is (the other pytest-xdist worker, the hostile inputs' jac processes, ...).
    # The default token limit (8 million) admits 10^5 unknowns; the bomb is checked against
    # the old default, 500,000, so that tokenizing up to the limit stays quick.
    start = time.process_time()
    with pytest.raises(LimitError) as caught:
        parse_functions([text], limits=Limits(tokens=500_000))
    assert time.process_time() - start < 5  # refused before the work, not after
    assert limit in caught.value.message
    assert caught.value.location is not None


def test_numbers_just_inside_the_limits_are_computed() -> None:
    [big] = parse_functions(["10^99999 + 2^2^2^2^2"])
    assert big == symengine.Integer(10**99999 + 2**65536)
    [deep] = parse_functions(["sin(" * 99 + "x" + ")" * 99])
    assert deep.has(symengine.Symbol("x"))


def test_the_input_length_limit_names_the_line_and_column() -> None:
    limits = Limits(input=50)
    text = "x\n" * 20 + "y + y + y + y\n"
    with pytest.raises(LimitError, match=r"longer than 50 characters; raise .* JAC_MAX_INPUT") as e:
        parse_functions(["-"], read_stdin=lambda: text, limits=limits)
    assert e.value.location == Location("y + y + y + y", 10, "stdin line 21")


def test_limits_come_from_the_environment() -> None:
    limits = limits_from_env({"JAC_MAX_DIGITS": "10", "JAC_MAX_DEPTH": "3", "JAC_MAX_TOKENS": "5"})
    assert limits == Limits(digits=10, depth=3, tokens=5)
    with pytest.raises(LimitError, match="more than 10 digits"):
        parse_functions(["12345678901*x"], limits=limits)
    with pytest.raises(LimitError, match="nested more than 3"):
        parse_functions(["((((x))))"], limits=limits._replace(tokens=100))
    with pytest.raises(LimitError, match="more than 5 tokens") as caught:
        parse_functions(["x+y", "x+y"], limits=limits)
    assert caught.value.location == Location("x+y", 2, "argument 2")
    with pytest.raises(JacError, match="JAC_MAX_DEPTH must be a positive whole number"):
        limits_from_env({"JAC_MAX_DEPTH": "lots"})


def test_limits_are_raised_through_the_cli() -> None:
    run = invoke(["jacobian", "2^2^2^2^2^2*x"])
    assert run.code == 3 and "JAC_MAX_DIGITS" in run.stderr
    run = invoke(["jacobian", "((((x))))"], env={"JAC_MAX_DEPTH": "3"})
    assert run.code == 3 and "nested more than 3" in run.stderr
    run = invoke(["jacobian", "x^200000"], env={"JAC_MAX_DIGITS": "10"})
    assert run.code == 0, run.stderr


# --------------------------------------------------------------------------- budgets


def _sleep() -> None:
    time.sleep(30)


def _gmp_power() -> Any:
    return symengine.Integer(3) ** symengine.Integer(10**9)  # C code: GMP, 200 MB, seconds


def _allocate() -> bytes:
    return bytes(3 << 30)


def test_the_time_budget_stops_python_and_c_code() -> None:
    for work in (_sleep, _gmp_power):
        start = time.monotonic()
        with pytest.raises(budget.BudgetError, match=r"after 0.5 s, the time budget.*timeout="):
            budget.run(work, budget.Budget(timeout=0.5, memory=None))
        assert time.monotonic() - start < 3


def test_the_memory_budget_stops_python_and_c_code() -> None:
    start = budget.start_size()  # this test process is bigger than jac: measure it
    assert start is not None
    size = start + (128 << 20)
    for work in (_allocate, _gmp_power):
        # as jac says it: 3 GiB where the process happens to need 2.875 GiB + 128 MiB
        match = rf"{re.escape(budget.describe_memory(size))}, the memory budget.*max_memory="
        with pytest.raises(budget.BudgetError, match=match):
            budget.run(work, budget.Budget(timeout=60, memory=size))


def test_results_and_errors_cross_the_worker_intact() -> None:
    assert budget.run(lambda: ("ok", 2**70), budget.Budget()) == ("ok", 2**70)
    location = Location("1/x", 2, "input")

    def fail() -> None:
        raise UndefinedError("1/x is undefined", location)

    with pytest.raises(UndefinedError) as caught:
        budget.run(fail, budget.Budget())
    assert caught.value.location == location
    with pytest.raises(budget.WorkerCrash, match="ZeroDivisionError") as crash:
        budget.run(lambda: 1 // 0, budget.Budget())
    assert "Traceback" in crash.value.details


def test_errors_pickle_with_their_location() -> None:
    error = ParseError("bad", Location("x +", 3, "argument 2"))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ParseError and copy.location == error.location


@pytest.mark.parametrize(
    ("text", "value"),
    [("90", 90.0), ("1.5", 1.5), ("0", None)],
)
def test_timeout_option(text: str, value: float | None) -> None:
    assert budget.parse_timeout(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("4G", 4 << 30), ("512M", 512 << 20), ("512MiB", 512 << 20), ("1.5g", 3 << 29), ("0", None)],
)
def test_memory_option(text: str, value: int | None) -> None:
    assert budget.parse_memory(text) == value


@pytest.mark.parametrize(
    "bad", [("--timeout", "soon"), ("--timeout", "-1"), ("--max-memory", "lots")]
)
def test_bad_budgets_are_usage_errors(bad: tuple[str, str]) -> None:
    run = invoke(["jacobian", "x", *bad])
    assert run.code == 2 and bad[0] in run.stderr


def test_budget_exceeded_through_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    from jaccli import engine

    monkeypatch.setattr(engine, "jacobian", lambda *a, **k: _sleep())
    start = time.monotonic()
    run = invoke(["jacobian", "x", "--timeout", "0.5"])
    assert run.code == 3 and run.stdout == ""
    assert run.stderr == (
        "jac: error: stopped after 0.5 s, the time budget; "
        "raise it with --timeout or JAC_TIMEOUT (0 for no limit)\n"
    )
    assert time.monotonic() - start < 5


# --------------------------------------------------------------------------- honest numbers

NUMERIC_EDGES = [
    # (command, point, exit code, what stderr or stdout must contain)
    (["eval", "x/x"], "x=0", 1, "x/x is undefined at x=0 (division by zero)"),
    (["eval", "sin(x)/x"], "x=0", 1, "sin(x)/x is undefined at x=0"),
    (["eval", "1/(x-1)"], "x=1", 1, "1/(x-1) is undefined at x=1"),  # SymPy #21076: 1.45e135
    (["eval", "x^y"], "x=0,y=0", 1, "x^y is undefined at x=0, y=0 (zero to the power zero)"),
    (["eval", "0^0 + x"], "x=1", 1, "0^0 is undefined"),
    (["eval", "x*log(x)"], "x=0", 1, "log(x) is undefined at x=0"),
    (["eval", "atan2(y, x)"], "x=0,y=0", 1, "is undefined at x=0, y=0"),
    (["eval", "abs(x)"], "x=0", 1, "abs(x) has no derivative where x = 0"),
    (
        ["eval", "abs(x - y)"],
        "x=1,y=1",
        1,
        "J[1,1] = ∂f1/∂x; J[1,2] = ∂f1/∂y are undefined at x=1, y=1: abs(x - y) has no",
    ),
    (
        ["eval", "abs(x) + sqrt(y)"],
        "x=0,y=0",
        1,
        "J[1,1] = ∂f1/∂x (abs(x) has no derivative where x = 0); J[1,2] = ∂f1/∂y are",
    ),
    (["eval", "abs(x^2)"], "x=0", 0, "0"),  # |x²| = x² is smooth
    (["eval", "sign(x)"], "x=0", 1, "sign(x) has no derivative where x = 0"),
    (["eval", "sign(x)"], "x=2", 0, "0"),
    (["eval", "sign(x^2)"], "x=0", 1, "sign(x**2) has no derivative"),
    (["eval", "DiracDelta(x)"], "x=0", 1, "DiracDelta(x) is undefined"),
    (["eval", "sqrt(x)"], "x=0", 1, "J[1,1] = ∂f1/∂x is undefined at x=0"),
    (["eval", "sqrt(x)"], "x=-1", 1, "f1 is complex at x=-1, although jac's variables are real"),
    (["eval", "log(x)"], "x=-1", 1, "f1 is complex at x=-1"),
    (["eval", "acos(x)"], "x=2", 1, "complex at x=2"),
    (["eval", "cbrt(x)"], "x=-8", 1, "complex at x=-8"),
    (["eval", "x*y"], "x=sqrt(-1),y=2", 0, "2\tsqrt(-1)"),  # a complex point: complex is expected
    (["linearize", "x^2"], "x=0.1", 0, "(1/5)*x - 1/100"),  # decimals stay exact
    (["eval", "x^2"], "x=10^3000", 0, "2" + "0" * 3000),  # past Python's 4300-digit guard
    (["eval", "cos(x)", "--digits", "5"], "x=10^-30", 0, "-1.0000e-30"),
    (["linearize", "sin(x) - x", "--digits", "5"], "x=10^-30", 0, "3.3333e-91 - 5.0000e-61*x"),
    (["eval", "sec(x)", "--digits", "8"], "x=4/5", 0, "1.4778651"),  # once aborted in MPFR
    (
        ["eval", "x*(sin(y)^2 + cos(y)^2 - 1)", "--vars", "x", "--digits", "3"],
        "x=1,y=pi/7",
        1,
        "it may be exactly zero",
    ),
]


@pytest.mark.parametrize(("command", "point", "code", "expected"), NUMERIC_EDGES)
def test_numeric_edge_cases(command: list[str], point: str, code: int, expected: str) -> None:
    run = invoke([*command, "--at", point, "--format", "plain"])
    assert run.code == code, run.stderr
    assert expected in (run.stdout if code == 0 else run.stderr), run


def _true_digits(derivative: Any, point: dict[str, str], digits: int) -> Decimal:
    """The derivative's value by mpmath with 40 extra digits, rounded to `digits`."""
    with mpmath.workdps(digits + 40):
        args = [mpmath.mpf(Fraction(v).numerator) / Fraction(v).denominator for v in point.values()]
        value = derivative(*args)
        with localcontext() as context:
            context.prec = digits
            context.rounding = ROUND_HALF_EVEN
            return +Decimal(mpmath.nstr(value, digits + 30, strip_zeros=False))


mp = mpmath


@pytest.mark.parametrize(
    ("text", "derivative", "point", "digits"),
    [
        ("sin(x*y)", lambda x, y: mp.cos(x * y) * y, {"x": "1/3", "y": "7"}, 1),
        ("sin(x*y)", lambda x, y: mp.cos(x * y) * y, {"x": "1/3", "y": "7"}, 15),
        ("exp(x)", mp.exp, {"x": "1"}, 50),
        ("exp(x)", mp.exp, {"x": "1"}, 1000),
        ("atan(x)", lambda x: 1 / (1 + x**2), {"x": "1e20"}, 30),
        ("sin(x)", mp.cos, {"x": "1e50"}, 25),
        ("log(x)", lambda x: 1 / x, {"x": "3"}, 17),
        ("x^x", lambda x: x**x * (mp.log(x) + 1), {"x": "2/3"}, 40),
    ],
)
def test_digits_are_right_to_the_last_digit(
    text: str, derivative: Any, point: dict[str, str], digits: int
) -> None:
    at = ",".join(f"{k}={v}" for k, v in point.items())
    run = invoke(["eval", text, "--vars", ",".join(point), "--at", at, "--digits", str(digits)])
    assert run.code == 0, run.stderr
    first = run.stdout.split()[0]
    assert Decimal(first) == _true_digits(derivative, point, digits)
    assert len(first.replace("-", "").replace(".", "").split("e")[0].lstrip("0")) <= digits


# --------------------------------------------------------------------------- output hygiene


def test_control_characters_are_rejected_and_never_echoed() -> None:
    for text in ["x\x1b[31m+y", "x\x07", "x\u202e+y", "x\x08y"]:
        run = invoke(["jacobian", text])
        assert run.code == 2
        assert "unexpected character U+" in run.stderr
        assert not any(ord(c) < 32 and c != "\n" for c in run.stderr), repr(run.stderr)
        assert "\u202e" not in run.stderr


def test_markup_in_input_stays_text() -> None:
    run = invoke(["jacobian", "[bold]x[/bold]"])
    assert run.code == 2 and "[bold]x[/bold]" in run.stderr


def test_lookalike_letters_are_named_in_a_warning() -> None:
    run = invoke(["jacobian", "х + y", "--vars", "x,y"])  # Cyrillic х
    assert run.code == 0
    assert (
        "jac: warning: 'х' in 'х + y' (column 1) is U+0445 CYRILLIC SMALL LETTER HA, "
        "not the Latin letter x\n"
    ) in run.stderr
    run = invoke(["jacobian", "θ*α + β", "--vars", "θ,α"])  # Greek is fine
    assert run.code == 0 and "warning" not in run.stderr
    run = invoke(["eval", "x", "--vars", "x", "--at", "ｘ=1"])
    assert "U+FF58 FULLWIDTH LATIN SMALL LETTER X" in run.stderr


# --------------------------------------------------------------------------- the installed jac


def _run_case(case: hostile.Case, home: Path) -> tuple[hostile.Case, int, str, str, float]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "TMPDIR": str(home / "tmp"),
        "NO_COLOR": "1",
        "LANG": "C.UTF-8",
    }
    start = time.monotonic()
    proc = subprocess.run(
        [jac_path(), *case.args],
        input=(case.stdin or "").encode(),
        capture_output=True,
        cwd=home / "work",
        env=env,
        timeout=120,
        check=False,
    )
    elapsed = time.monotonic() - start
    return case, proc.returncode, proc.stdout.decode(), proc.stderr.decode(), elapsed


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_two_hundred_hostile_inputs_through_the_installed_jac(tmp_path: Path) -> None:
    cases = hostile.cases()
    assert len(cases) >= 200 and len(set(cases)) == len(cases)
    (tmp_path / "work").mkdir()
    (tmp_path / "tmp").mkdir()
    before = _tree(tmp_path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda c: _run_case(c, tmp_path), cases))
    problems = []
    for case, code, out, err, elapsed in results:
        label = f"{case.kind} {case.args!r:.120}"
        if code not in case.codes:
            problems.append(f"{label}: exit {code}: {err[-300:]}")
        if "Traceback" in err or "internal error" in err:
            problems.append(f"{label}: {err[-300:]}")
        if code != 0:
            lines = [line for line in err.splitlines() if line.startswith("jac: error:")]
            if len(lines) != 1 or out:
                problems.append(f"{label}: not one clean error: {err[-300:]!r} {out[:80]!r}")
        if any(ord(c) < 32 and c not in "\n\t" for c in err):
            problems.append(f"{label}: control character on stderr: {err[-200:]!r}")
        if elapsed > 30:
            problems.append(f"{label}: took {elapsed:.1f} s")
    assert not problems, "\n".join(problems)
    assert _tree(tmp_path) == before  # no file left anywhere jac could write: cwd, HOME, TMPDIR
    assert not list(Path.cwd().glob("core*")) and not Path("pwned").exists()


def test_delivery_to_a_slow_reader_is_outside_the_deadline() -> None:
    def slow_reader(value: str, stdout: Any) -> str:
        time.sleep(1.0)  # `jac ... | less`, with someone reading
        return value + " delivered"

    limits = budget.Budget(timeout=0.5, memory=None)
    assert budget.run(lambda: "result", limits, slow_reader) == "result delivered"


def test_an_endless_stdin_is_cut_at_the_input_limit() -> None:
    start = time.monotonic()
    proc = subprocess.run(
        f"yes x | {jac_path()} jacobian - --vars x",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 3
    assert "longer than 16,000,000 characters" in proc.stderr
    assert time.monotonic() - start < 20


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    functions = ", ".join(f"x^{k}" for k in range(3000))
    proc = subprocess.run(
        f'{jac_path()} jacobian "{functions}" --vars x | head -c 10',
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        executable="/bin/bash",
    )
    assert proc.stdout == "0\n1\n2*x\n3*"  # x^0 = 1 first
    assert proc.stderr == ""
