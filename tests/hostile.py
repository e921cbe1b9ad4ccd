"""Hostile inputs for jac: code injection, resource bombs, malformed syntax, odd characters.

Used by tests/test_hostile.py, which runs every one through the installed `jac`.
Each case is a command line (and optional stdin) with what a clean outcome is.
"""

from __future__ import annotations

import random
from typing import NamedTuple


class Case(NamedTuple):
    kind: str  # injection, bomb, syntax, characters
    args: tuple[str, ...]
    stdin: str | None = None
    codes: frozenset[int] = frozenset({1, 2, 3})  # acceptable exit statuses


def _codes(*codes: int) -> frozenset[int]:
    return frozenset(codes)


INJECTIONS = [
    "__import__('os').system('touch pwned')",
    "__import__",
    "x.__class__",
    "x.__class__.__base__.__subclasses__()",
    "().__class__.__base__.__subclasses__()",
    "lambda: 1",
    "lambda x: open('pwned', 'w')",
    "eval('1')",
    "eval(x)",
    "exec('import os')",
    "exec(x)",
    "open('/etc/passwd')",
    "open(x)",
    "compile(x)",
    "globals()",
    "locals()",
    "vars()",
    "sympify('x')",
    "sympify(x)",
    "Symbol('x')",
    "Symbol(x)",
    "parse_expr(x)",
    "getattr(x, 'y')",
    "setattr(x, y, 1)",
    "x[0]",
    "x[1:2]",
    "sin[x]",
    "f(x=1)",
    "sin(x=1)",
    "log(x, base=2)",
    "'x'",
    '"x"',
    "b'x'",
    "f'{x}'",
    "x; import os",
    "x\nimport('os')",
    "import(os)",
    "x if y else z; os.system(1)",
    "[c for c in ()]",
    "{x: 1}",
    "{x}",
    "x @ y",
    "x % y",
    "x // y",
    "x == y",
    "x := 1",
    "`id`",
    "$(id)",
    "x & y | z",
    "~x",
    "x << 2",
    "__builtins__",
    "os.system",
    "sys.exit(0)",
    "x.n()",
    "Integer(2)",
    "Function('f')(x)",
    "exp(x).subs(x, 1)",
    "\\sin(x)",
    "\\input{/etc/passwd}",
]

BOMBS = [
    "2^2^2^2^2^2",
    "10^10^10",
    "9^9^9",
    "((9^9)^9999)^9999",
    "(2^99999)*(2^99999)*(2^99999)*(2^99999)*x",
    "sqrt(2)^(10^7)",
    "(3*sqrt(2))^(10^6)",
    "1e999999999",
    "1e-999999999*x",
    "0.5^(10^9)",
    "factorial(10^9)",
    "gamma(10^9)",
    "x^(143^9)*x^(143^9)",
    "1" * 100_001,
    "x*" + "9" * 100_001,
    "sin(" * 300 + "x" + ")" * 300,
    "(" * 1000 + "x" + ")" * 1000,
    "-" * 1000 + "x",
    "x" + "^x" * 200,
    "+".join(["x"] * 200_000),
]


def _syntax_cases(count: int) -> list[str]:
    """Malformed expressions: well-formed ones with one token broken, deterministically."""
    seeds = [
        "x^2 + y*z", "sin(x*y)", "e^(x+z)", "atan2(y, x)", "log(x, 2)", "r*cos(t)",
        "(x+1)/(y-1)", "sqrt(x^2+y^2)", "tanh(w1*x1 + w2*x2 + b)", "2x y^3",
    ]  # fmt: skip
    breakers = ["(", ")", ",", "^", "*", "/", "+", "=", "..", "**", "e", "1e", "[", "]", " "]
    rng = random.Random(20261122)
    out: list[str] = []
    while len(out) < count:
        text = rng.choice(seeds)
        at = rng.randrange(len(text) + 1)
        broken = text[:at] + rng.choice(breakers) + text[at + rng.randrange(2) :]
        if broken not in out:
            out.append(broken)
    return out


CHARACTERS = [
    "x\x1b[31m+y",  # an ANSI colour sequence
    "\x1b]8;;http://example.com\x1b\\x\x1b]8;;\x1b\\",  # a terminal hyperlink
    "x\x07",  # bell
    "x\x08\x08y",  # backspaces
    "x\r+y",
    "x\u202e+y",  # right-to-left override
    "x\u200b+y",  # zero-width space
    "x\u2028y",  # line separator
    "x\ufeff",  # byte-order mark
    "x\x00y",  # NUL: only through stdin, argv cannot carry it
    "x\ud7ff",
    "\U0001f600 + x",  # emoji
    "x + 𝑥",  # mathematical italic x, looks like x
    "х + y",  # Cyrillic х
    "ｘ^2",  # fullwidth x
    "x² + y",
    "x′",
    "x ＋ y",
    "[bold red]x[/]",
    "[link=file:///etc/passwd]x[/link]",
    "x + ${HOME}",
    "x + $(whoami)",
    "%s%s%s%n",
    "{0}{1}",
    "x\\ny",
    "x # comment",
    "# only a comment",
    "\t\n\t",
    "θ*α + β",
    "Ωmega + x",
]


def dense_system(n: int) -> str:
    """n quadratic components in n variables with no structure: det J takes minutes for n = 11."""
    rng = random.Random(1)
    names = [f"x{i}" for i in range(n)]
    return ", ".join(
        "+".join(f"{rng.randint(1, 9)}*{a}*{b}" for a in names for b in rng.sample(names, 3))
        for _ in range(n)
    )


def cases() -> list[Case]:
    out: list[Case] = []
    for text in INJECTIONS:
        out.append(Case("injection", ("jacobian", text, "--vars", "x,y")))
    for text in INJECTIONS[:20]:
        out.append(Case("injection", ("eval", "x*y", "--vars", "x,y", "--at", f"x={text},y=1")))
    out.append(Case("injection", ("jacobian", "x", "--vars", "__import__")))
    out.append(Case("injection", ("jacobian", "-", "--vars", "x"), stdin="open('pwned','w')\n"))
    bomb_limits = ("--timeout", "10", "--max-memory", "2G")
    for text in BOMBS:
        codes = _codes(0, 1, 2, 3)  # x^(143^9) is a fine, huge symbolic answer
        if len(text) < 100_000:
            out.append(Case("bomb", ("jacobian", text, "--vars", "x", *bomb_limits), codes=codes))
        else:  # past what one argv string may hold (128 kB): through stdin
            args = ("jacobian", "-", "--vars", "x", *bomb_limits)
            out.append(Case("bomb", args, stdin=text, codes=codes))
    out.append(
        Case(
            "bomb",
            ("eval", "sin(x)", "--at", "x=10^99999", "--digits", "50", *bomb_limits),
            codes=_codes(0, 3),
        )
    )
    out.append(Case("bomb", ("eval", "x^x", "--at", "x=10^50", *bomb_limits), codes=_codes(3)))
    out.append(
        Case(
            "bomb",
            ("eval", "exp(x)", "--at", "x=10^30", "--digits", "10", *bomb_limits),
            codes=_codes(0, 1, 3),
        )
    )
    out.append(
        Case(
            "bomb", ("det", "(x+y)^(10^6), x*y", "--vars", "x,y", *bomb_limits), codes=_codes(0, 3)
        )
    )
    # Past the input limit (16 M characters, and 8 M tokens, room for 10^5 unknowns).
    out.append(Case("bomb", ("jacobian", "-", "--vars", "x"), stdin="x+" * 8_000_000 + "x"))
    out.append(Case("bomb", ("det", dense_system(11), "--timeout", "2"), codes=_codes(3)))
    # linearize once expanded the parameters' multinomial (4.6 million terms) and hit the
    # memory budget; now L keeps it whole and answers at once.
    out.append(
        Case(
            "bomb",
            ("linearize", "(x+a+b+c+d)^100", "--vars", "x", "--at", "x=1", "--max-memory", "500M"),
            codes=_codes(0),
        )
    )
    for text in _syntax_cases(60):
        out.append(Case("syntax", ("jacobian", text, "--vars", "x,y,z,r,t"), codes=_codes(0, 2)))
    for text in CHARACTERS:
        codes = _codes(0, 2)
        if "\x00" in text:
            out.append(
                Case("characters", ("jacobian", "-", "--vars", "x,y"), stdin=text, codes=codes)
            )
        else:
            out.append(Case("characters", ("jacobian", text), codes=codes))
    out.append(Case("characters", ("jacobian", "x", "--vars", "x\x1b[2J")))
    out.append(Case("characters", ("eval", "x", "--vars", "x", "--at", "x=1\x1b[2J")))
    return out  # fmt: skip
