"""Thirty textbook results, and whether jac's simplification reaches their form.

    python3 bench/textbook.py          # the table: reached or not, lengths, seconds
    python3 bench/run.py --only simplify

Each case is a jac request (det, jacobian --simplify, eval or linearize at a symbolic
point) with the form a textbook prints, written in jac's input syntax. jac *reaches*
the form when every entry of its result

- equals the textbook entry numerically at random points (30 digits, relative
  tolerance 1e-20: a wrong formula is off by far more), and
- is no longer than it: `len(str(e))` of jac's entry is at most that of the textbook
  entry read by jac and printed the same way (SymEngine's printer, which is what
  `--format plain` shows). Length stands in for "as simple as": it is what a reader
  pays, and it cannot be gamed by restructuring the comparison.

Linearizations are compared as the affine expressions jac prints: the textbook form
is L written as Σ coefficient·variable + constant.

This table is shared: tests/test_textbook.py imports it (as test_workloads.py imports
workloads.py) and adds a second opinion on every textbook form (SymPy, and Maxima
when installed). Nothing in jaccli imports it. Times are of the engine call alone,
in this process, after SymPy has been imported once (its import is shown apart):
`jac` adds about 0.1 s of start-up, and the import of SymPy (0.5 s) when it uses it.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    name: str
    command: str  # det | jacobian (with --simplify) | eval | linearize
    functions: str  # as typed after the command
    variables: str  # --vars
    textbook: tuple[str, ...]  # det: (det,); jacobian/eval: one string a row; linearize: (L,)
    point: str | None = None  # --at, for eval and linearize
    # Where the random points for the numeric comparison are drawn (default [0.3, 1.7]).
    domain: dict[str, tuple[float, float]] = field(default_factory=dict)


def _arm(n: int) -> tuple[str, str, str]:
    """Planar n-link arm: x, y of the end effector and its orientation."""
    angle = [" + ".join(f"q{j}" for j in range(1, i + 1)) for i in range(1, n + 1)]
    x = " + ".join(f"l{i}*cos({a})" for i, a in enumerate(angle, 1))
    y = " + ".join(f"l{i}*sin({a})" for i, a in enumerate(angle, 1))
    return x, y, angle[-1]


def _arm_rows(n: int) -> tuple[str, ...]:
    """The textbook Jacobian of `_arm(n)`: column j sums the links from joint j on."""
    angle = ["+".join(f"q{j}" for j in range(1, i + 1)) for i in range(1, n + 1)]
    dx = [" - ".join(f"l{i}*sin({angle[i - 1]})" for i in range(j, n + 1)) for j in range(1, n + 1)]
    dy = [" + ".join(f"l{i}*cos({angle[i - 1]})" for i in range(j, n + 1)) for j in range(1, n + 1)]
    return (", ".join(f"-{e}" for e in dx), ", ".join(dy), ", ".join(["1"] * n))


ARM2, ARM3, ARM4 = _arm(2), _arm(3), _arm(4)
SIGMA = "1/(1+exp(-(w*x+b)))"  # the logistic function σ(wx + b)
SOFT = "(exp(x1)+exp(x2)+exp(x3))"
LORENZ = "sigma*(y-x), x*(rho-z)-y, x*y-beta*z"
C_PLUS = "x=sqrt(beta*(rho-1)), y=sqrt(beta*(rho-1)), z=rho-1"
ROOT = "sqrt(beta*(rho-1))"
R2 = "(x^2+y^2+z^2)"
RHO = "sqrt(x^2+y^2)"
PENDULUM = "w, -(g/L)*sin(th) - b*w"

# fmt: off
CASES: tuple[Case, ...] = (
    # ---------------------------------------------------------------- determinants
    Case("polar", "det", "r*cos(t), r*sin(t)", "r,t", ("r",)),
    Case("cylindrical", "det", "r*cos(t), r*sin(t), z", "r,t,z", ("r",)),
    Case("spherical", "det", "r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)", "r,p,t",
         ("r^2*sin(p)",)),
    Case("hyperspherical 4-D", "det",
         "r*cos(p1), r*sin(p1)*cos(p2), r*sin(p1)*sin(p2)*cos(p3), r*sin(p1)*sin(p2)*sin(p3)",
         "r,p1,p2,p3", ("r^3*sin(p1)^2*sin(p2)",)),
    Case("inverse polar", "det", "sqrt(x^2+y^2), atan2(y, x)", "x,y", ("1/sqrt(x^2+y^2)",)),
    Case("2-link arm", "det", ", ".join(ARM2[:2]), "q1,q2", ("l1*l2*sin(q2)",)),
    Case("3-link arm, pose", "det", ", ".join(ARM3), "q1,q2,q3", ("l1*l2*sin(q2)",)),
    Case("3-link arm, position by q1, q2", "det", ", ".join(ARM3[:2]), "q1,q2",
         ("l1*l2*sin(q2) + l1*l3*sin(q2+q3)",)),
    Case("4-link arm, pose by q2, q3, q4", "det", ", ".join(ARM4), "q2,q3,q4",
         ("l2*l3*sin(q3)",)),
    Case("elliptic", "det", "a*cosh(mu)*cos(nu), a*sinh(mu)*sin(nu)", "mu,nu",
         ("a^2*(sinh(mu)^2 + sin(nu)^2)",)),
    Case("parabolic", "det", "sigma*tau, (tau^2 - sigma^2)/2", "sigma,tau",
         ("sigma^2 + tau^2",)),
    Case("parabolic 3-D", "det", "u*v*cos(phi), u*v*sin(phi), (u^2 - v^2)/2", "u,v,phi",
         ("u*v*(u^2 + v^2)",)),
    Case("prolate spheroidal", "det",
         "a*sinh(mu)*sin(nu)*cos(phi), a*sinh(mu)*sin(nu)*sin(phi), a*cosh(mu)*cos(nu)",
         "mu,nu,phi", ("a^3*sinh(mu)*sin(nu)*(sinh(mu)^2 + sin(nu)^2)",)),
    Case("bipolar", "det", "a*sinh(v)/(cosh(v) - cos(u)), a*sin(u)/(cosh(v) - cos(u))",
         "u,v", ("a^2/(cosh(v) - cos(u))^2",)),
    Case("affine coupling layer", "det", "x1, x2*exp(tanh(w*x1 + c)) + v*x1^2", "x1,x2",
         ("exp(tanh(w*x1 + c))",)),
    Case("log-polar", "det", "exp(u)*cos(t), exp(u)*sin(t)", "u,t", ("exp(2*u)",)),
    # ---------------------------------------------------------------- jacobian --simplify
    Case("logistic-loss gradient", "jacobian",
         f"-(y*log({SIGMA}) + (1-y)*log(1-{SIGMA}))", "w,b",
         (f"({SIGMA} - y)*x, {SIGMA} - y",)),
    Case("softmax", "jacobian",
         f"exp(x1)/{SOFT}, exp(x2)/{SOFT}, exp(x3)/{SOFT}", "x1,x2,x3",
         tuple(", ".join(f"exp(x{i})/{SOFT}*({int(i == j)} - exp(x{j})/{SOFT})"
                         for j in (1, 2, 3)) for i in (1, 2, 3))),
    Case("2-link arm", "jacobian", ", ".join(ARM2[:2]), "q1,q2", _arm_rows(2)[:2]),
    Case("3-link arm, pose", "jacobian", ", ".join(ARM3), "q1,q2,q3", _arm_rows(3)),
    Case("4-link arm, pose", "jacobian", ", ".join(ARM4), "q1,q2,q3,q4", _arm_rows(4)),
    Case("Cartesian to spherical", "jacobian",
         f"sqrt{R2}, acos(z/sqrt{R2}), atan2(y, x)", "x,y,z",
         (f"x/sqrt{R2}, y/sqrt{R2}, z/sqrt{R2}",
          f"x*z/({R2}*{RHO}), y*z/({R2}*{RHO}), -{RHO}/{R2}",
          "-y/(x^2+y^2), x/(x^2+y^2), 0")),
    Case("spherical velocity", "jacobian",
         "rd*sin(p)*cos(t) + r*pd*cos(p)*cos(t) - r*td*sin(p)*sin(t), "
         "rd*sin(p)*sin(t) + r*pd*cos(p)*sin(t) + r*td*sin(p)*cos(t), rd*cos(p) - r*pd*sin(p)",
         "rd,pd,td",
         ("sin(p)*cos(t), r*cos(p)*cos(t), -r*sin(p)*sin(t)",
          "sin(p)*sin(t), r*cos(p)*sin(t), r*sin(p)*cos(t)",
          "cos(p), -r*sin(p), 0")),
    # ---------------------------------------------------------------- at a symbolic point
    Case("Lorenz at C+", "eval", LORENZ, "x,y,z",
         ("-sigma, sigma, 0", f"1, -1, -{ROOT}", f"{ROOT}, {ROOT}, -beta"),
         C_PLUS, {"rho": (1.2, 3.0)}),
    Case("Lorenz at C-", "eval", LORENZ, "x,y,z",
         ("-sigma, sigma, 0", f"1, -1, {ROOT}", f"-{ROOT}, -{ROOT}, -beta"),
         C_PLUS.replace("=s", "=-s"), {"rho": (1.2, 3.0)}),
    Case("Lorenz at the origin", "eval", LORENZ, "x,y,z",
         ("-sigma, sigma, 0", "rho, -1, 0", "0, 0, -beta"), "x=0, y=0, z=0"),
    Case("pendulum, inverted", "eval", PENDULUM, "th,w", ("0, 1", "g/L, -b"), "th=pi, w=0"),
    Case("Lotka-Volterra, coexistence", "eval",
         "alpha*x - beta*x*y, delta*x*y - gamma*y", "x,y",
         ("0, -beta*gamma/delta", "alpha*delta/beta, 0"), "x=gamma/delta, y=alpha/beta"),
    Case("Brusselator", "eval", "a - (b+1)*x + x^2*y, b*x - x^2*y", "x,y",
         ("b - 1, a^2", "-b, -a^2"), "x=a, y=b/a"),
    Case("Lorenz at C+, linearized", "linearize", LORENZ, "x,y,z",
         (f"sigma*y - sigma*x, x - y - {ROOT}*z + (rho-1)*{ROOT}, "
          f"{ROOT}*x + {ROOT}*y - beta*z - beta*(rho-1)",),
         C_PLUS, {"rho": (1.2, 3.0)}),
)
# fmt: on


# --------------------------------------------------------------------------- running a case


def _symbols(names: str) -> list[Any]:
    from jaccli.parse import make_symbol

    return [make_symbol(n) for n in names.split(",")]


def parse(case: Case) -> tuple[list[Any], list[Any], dict[Any, Any] | None]:
    """The case's functions, variables and point, read by jac's parser."""
    from jaccli.parse import make_symbol, parse_functions, parse_point

    names = case.variables.split(",")
    functions = parse_functions([case.functions], names)
    point = None
    if case.point is not None:
        point = {make_symbol(k): v for k, v in parse_point(case.point, names).items()}
    return functions, _symbols(case.variables), point


def compute(case: Case) -> tuple[list[Any], float]:
    """jac's result, entry by entry (row by row for matrices), through the engine; and
    the seconds the engine took (parsing excluded).
    """
    from jaccli import engine

    functions, variables, point = parse(case)
    start = time.perf_counter()
    if case.command == "det":
        entries = [engine.determinant(functions, variables).determinant]
    elif case.command == "jacobian":
        matrix = engine.jacobian(functions, variables, simplify=True).matrix
        entries = [e for row in matrix for e in row]
    elif case.command == "eval":
        assert point is not None
        matrix = engine.evaluate(functions, variables, point).matrix
        entries = [e for row in matrix for e in row]
    else:
        assert point is not None
        entries = list(engine.linearize(functions, variables, point).linearization)
    return entries, time.perf_counter() - start


def expected(case: Case) -> list[Any]:
    """The textbook form, entry by entry, read by jac's parser."""
    from jaccli.parse import parse_functions

    names = case.variables.split(",")
    return [e for row in case.textbook for e in parse_functions([row], names)]


def value(expr: Any, point: dict[str, float]) -> complex:
    """`expr` (SymEngine or SymPy) at `point`, by SymPy at 30 digits."""
    import sympy

    g = sympy.sympify(expr)  # SymEngine's own converter: a tree walk, parses no text
    values = {s: sympy.Float(point[s.name], 30) for s in g.free_symbols}
    return complex(sympy.N(g.xreplace(values), 30))


def random_points(case: Case, exprs: list[Any], count: int = 3) -> list[dict[str, float]]:
    import sympy

    names = sorted({s.name for e in exprs for s in sympy.sympify(e).free_symbols})
    rng = random.Random(case.name)
    return [{n: rng.uniform(*case.domain.get(n, (0.3, 1.7))) for n in names} for _ in range(count)]


def equal_at_points(case: Case, a: Any, b: Any, tol: float = 1e-20) -> bool:
    for point in random_points(case, [a, b]):
        va, vb = value(a, point), value(b, point)
        if abs(va - vb) > tol * max(1.0, abs(va), abs(vb)):
            return False
    return True


@dataclass
class Outcome:
    case: Case
    got: list[Any]
    want: list[Any]
    seconds: float
    equal: bool
    short: bool

    @property
    def reached(self) -> bool:
        return self.equal and self.short

    @property
    def lengths(self) -> tuple[int, int]:
        return sum(len(str(e)) for e in self.got), sum(len(str(e)) for e in self.want)


def run(case: Case) -> Outcome:
    got, seconds = compute(case)
    want = expected(case)
    if len(got) != len(want):
        raise ValueError(f"{case.name}: {len(got)} entries, the textbook has {len(want)}")
    equal = all(equal_at_points(case, g, w) for g, w in zip(got, want, strict=True))
    short = all(len(str(g)) <= len(str(w)) for g, w in zip(got, want, strict=True))
    return Outcome(case, got, want, seconds, equal, short)


TIME_LIMIT = 1.0  # seconds per case, the target


def main() -> int:
    start = time.perf_counter()
    import sympy  # noqa: F401  (imported once, as any simplification would)

    import jaccli.engine
    import jaccli.parse

    jaccli.engine.jacobian(parse(CASES[0])[0])  # SymEngine's first call sets itself up
    imported = time.perf_counter() - start
    print(f"textbook forms: {len(CASES)} cases; SymPy and jaccli imported in {imported:.2f} s "
          "(seconds below: the engine call alone)")  # fmt: skip
    print()
    print("| case | command | reached | length (jac / textbook) | seconds |")
    print("| --- | --- | :---: | ---: | ---: |")
    reached = fast = 0
    for case in CASES:
        outcome = run(case)
        ours, theirs = outcome.lengths
        mark = "yes" if outcome.reached else ("**no** (value!)" if not outcome.equal else "**no**")
        slow = " **slow**" if outcome.seconds >= TIME_LIMIT else ""
        print(
            f"| {case.name} | {case.command} | {mark} | {ours} / {theirs} | "
            f"{outcome.seconds:.3f}{slow} |"
        )
        reached += outcome.reached
        fast += outcome.seconds < TIME_LIMIT
        if not outcome.reached:
            for g, w in zip(outcome.got, outcome.want, strict=True):
                if len(str(g)) > len(str(w)) or not equal_at_points(case, g, w):
                    print(f"|   jac: `{g}` | textbook: `{w}` | | | |")
    print()
    print(
        f"{reached} of {len(CASES)} reach the textbook form; "
        f"{fast} of {len(CASES)} take under {TIME_LIMIT:.0f} s"
    )
    return 0 if reached == fast == len(CASES) else 1


if __name__ == "__main__":
    sys.exit(main())
