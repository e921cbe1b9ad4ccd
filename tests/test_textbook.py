"""Thirty textbook results: jac reaches each one's form, and each form is right.

The table lives in bench/textbook.py, which `bench/run.py --only simplify` reports
on; its docstring defines "reaches" (equal at random points, and no longer than the
textbook's form as printed). Here every case must reach its form, through the
engine and, for a few, through the CLI; and every textbook form is checked against a
second opinion that does not involve jac's simplifier: SymPy's own Jacobian,
determinant and substitution, reduced to zero by SymPy (expand, cancel, trigsimp, fu
or simplify) and, when Maxima is installed, by Maxima's ratsimp/trigsimp/radcan.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sympy

from jaccli.engine.bridge import to_sympy
from jaccli.parse import parse_functions

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import textbook

CASES = textbook.CASES
IDS = [f"{case.command}: {case.name}" for case in CASES]


def test_the_table_has_thirty_cases_of_every_command() -> None:
    assert len(CASES) == 30
    assert len({(case.command, case.name) for case in CASES}) == 30
    assert {case.command for case in CASES} == {"det", "jacobian", "eval", "linearize"}


# --------------------------------------------------------------------------- jac reaches the form


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jac_reaches_the_textbook_form(case: textbook.Case) -> None:
    outcome = textbook.run(case)
    for got, want in zip(outcome.got, outcome.want, strict=True):
        assert textbook.equal_at_points(case, got, want), f"{got} is not {want}"
        assert len(str(got)) <= len(str(want)), f"{got} is longer than the textbook's {want}"
    # The target is 1 s (bench/textbook.py reports it); a shared machine gets some slack.
    assert outcome.seconds < 3 * textbook.TIME_LIMIT


def _cli_result(jac: Any, case: textbook.Case) -> list[Any]:
    """jac's printed result, read back by jac: JSON for det and jacobian (the fixture then
    checks the schema and finite differences too), plain text at a symbolic point (which
    the fixture's finite differences cannot evaluate).
    """
    argv = [case.command, case.functions, "--vars", case.variables]
    if case.command == "jacobian":
        argv.append("--simplify")
    if case.point is not None:
        argv += ["--at", case.point, "--format", "plain"]
    else:
        argv += ["--format", "json"]
    run = jac(argv)
    assert run.code == 0, run.stderr
    if case.command == "det":
        texts = [run.json()["determinant"]]
    elif case.command == "jacobian":
        texts = [e for row in run.json()["jacobian"] for e in row]
    else:  # one line a row (tab-separated entries) or a component of L
        texts = [e for line in run.stdout.splitlines() for e in line.split("\t")]
    return parse_functions(texts, case.variables.split(","))


CLI_CASES = ["2-link arm", "elliptic", "logistic-loss gradient", "Lorenz at C+",
             "Lorenz at C+, linearized"]  # fmt: skip


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.name in CLI_CASES], ids=lambda c: f"{c.command}: {c.name}"
)
def test_the_cli_prints_the_textbook_form(jac: Any, case: textbook.Case) -> None:
    got, want = _cli_result(jac, case), textbook.expected(case)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert textbook.equal_at_points(case, g, w), f"{g} is not {w}"
        assert len(str(g)) <= len(str(w)), f"{g} is longer than the textbook's {w}"


def test_the_two_link_arm_from_the_issue(jac: Any) -> None:
    arm = "l1*cos(q1) + l2*cos(q1+q2), l1*sin(q1) + l2*sin(q1+q2)"
    run = jac(["det", arm, "--vars", "q1,q2", "--format", "plain"])
    assert run.code == 0 and run.stdout in ("l1*l2*sin(q2)\n", "l2*l1*sin(q2)\n")


# --------------------------------------------------------------------------- a second opinion


def sympy_value(case: textbook.Case) -> list[Any]:
    """The case's result as SymPy alone computes it, unsimplified (jac only parses)."""
    functions, variables, point = textbook.parse(case)
    f = sympy.Matrix([to_sympy(e) for e in functions])
    xs = [to_sympy(v) for v in variables]
    j = f.jacobian(xs)
    if case.command == "det":
        return [j.det()]
    if case.command == "jacobian":
        return list(j)
    assert point is not None
    at = {to_sympy(k): to_sympy(v) for k, v in point.items()}
    if case.command == "eval":
        return list(j.xreplace(at))
    a = sympy.Matrix([at[x] for x in xs])
    return list(f.xreplace(at) + j.xreplace(at) * (sympy.Matrix(xs) - a))


def sympy_says_zero(difference: Any) -> bool:
    for method in (sympy.expand, sympy.cancel, sympy.trigsimp, sympy.fu, sympy.simplify):
        if method(difference) == 0:
            return True
    return False


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_textbook_form_agrees_with_sympy(case: textbook.Case) -> None:
    theirs = sympy_value(case)
    forms = [to_sympy(e) for e in textbook.expected(case)]
    assert len(theirs) == len(forms)
    for value, form in zip(theirs, forms, strict=True):
        assert textbook.equal_at_points(case, value, form), f"{form} is not {value}"
        assert sympy_says_zero(form - value), f"SymPy does not reduce {form} - ({value}) to 0"


def _maxima_text(expr: Any, names: dict[Any, Any]) -> str:
    text = sympy.sstr(expr.xreplace(names), order=None).replace("**", "^")
    return re.sub(r"\bE\b", "%e", re.sub(r"\bpi\b", "%pi", text))


@pytest.fixture(scope="module")
def maxima_verdicts() -> dict[tuple[str, str], list[str]]:
    """Maxima's reduction of (textbook form − SymPy's value) for every entry, in one run."""
    if shutil.which("maxima") is None:
        pytest.skip("Maxima is not installed (apt-get install maxima)")
    lines = [
        "display2d:false$",
        "zero(d) := block([r], r: ratsimp(d), if r # 0 then r: trigsimp(factor(r)),"
        " if r # 0 then r: radcan(r), if r # 0 then r: ratsimp(trigsimp(trigexpand(r))), r)$",
    ]
    for n, case in enumerate(CASES):
        values = sympy_value(case)
        forms = [to_sympy(e) for e in textbook.expected(case)]
        symbols = set().union(*(e.free_symbols for e in (*values, *forms)))
        # Maxima's own names (gamma, beta, %e...) cannot clash with m0, m1, ...
        names = {s: sympy.Symbol(f"m{k}") for k, s in enumerate(sorted(symbols, key=str))}
        for value, form in zip(values, forms, strict=True):
            difference = f"({_maxima_text(form, names)}) - ({_maxima_text(value, names)})"
            lines.append(f'print("case{n}:", zero({difference}))$')
    script = "\n".join(lines) + "\n"
    done = subprocess.run(
        ["maxima", "--very-quiet", "--batch-string", script],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    if " -- an error." in done.stdout:  # Maxima goes on after an error: say which
        where = done.stdout.split(" -- an error.")[0].splitlines()[-4:]
        pytest.fail("Maxima could not run the check:\n" + "\n".join(where))
    verdicts: dict[tuple[str, str], list[str]] = {}
    for line in done.stdout.splitlines():
        found = re.fullmatch(r"case(\d+): (.*?)\s*", line)
        if found:
            case = CASES[int(found.group(1))]
            verdicts.setdefault((case.command, case.name), []).append(found.group(2))
    return verdicts


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_textbook_form_agrees_with_maxima(
    case: textbook.Case, maxima_verdicts: dict[tuple[str, str], list[str]]
) -> None:
    verdicts = maxima_verdicts.get((case.command, case.name))
    assert verdicts == ["0"] * len(textbook.expected(case)), verdicts
