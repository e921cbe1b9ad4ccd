"""Where entries of J are undefined although their formula is not: which checks are built."""

from __future__ import annotations

import math

import symengine as se

from jaccli.engine.kink import kinks
from tests.conftest import invoke

x, y, z = se.symbols("x y z")


def test_a_base_that_is_never_zero_builds_no_zero_power_check() -> None:
    # exp(u) is E**u and pi**x has base π: neither is ever 0^0.
    for f in (se.exp(x + z) * y, se.pi**x, se.exp(x * y)):
        assert [k for k in kinks([f], [x, y, z]) if k.kind == "0^0"] == [], f


def test_a_base_that_can_be_zero_still_does() -> None:
    found = [k for k in kinks([x**y], [x, y]) if k.kind == "0^0"]
    assert [(k.j, k.a, k.b) for k in found] == [(0, x, y), (1, x, y)]


def test_zero_to_the_zero_is_still_undefined_in_every_path() -> None:
    run = invoke(
        ["eval", "x^y", "--vars", "x,y", "--points", "-", "--format", "csv"],
        input="x,y\n0,0\n2,3\n",
    )
    assert run.code == 0, run.stderr
    rows = [line.split(",") for line in run.stdout.splitlines()[1:]]
    assert rows[0][2:] == ["nan", "nan"], rows
    assert math.isclose(float(rows[1][2]), 12.0) and math.isclose(
        float(rows[1][3]), 8 * math.log(2)
    )


def test_exp_at_zero_is_defined_in_every_path() -> None:
    run = invoke(
        ["eval", "exp(x+z)*y", "--vars", "x,y,z", "--points", "-", "--format", "csv"],
        input="x,y,z\n0,0,0\n",
    )
    assert run.code == 0 and run.stderr == "", run.stderr
    assert run.stdout.splitlines()[1].split(",")[3:] == ["0.0", "1.0", "0.0"]
