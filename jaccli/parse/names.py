"""Warnings about names that were read as typed but probably mean something else.

`xy` is one symbol, not x*y, and `sinx` is a symbol, not sin(x): a plausible wrong
Jacobian. A Cyrillic х is another symbol than the Latin x. These are warnings, not
errors: the input is valid, and the user may well mean it.
"""

import re
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from jaccli.parse.fast import line_names
from jaccli.parse.grammar import FUNCTIONS
from jaccli.parse.tree import (
    Call,
    Elementwise,
    Name,
    Neg,
    Parsed,
    Power,
    Product,
    Sum,
    Transpose,
)

_CONFUSABLES = dict(
    zip(
        "аеорсуххіјѕԁһԛԝАВЕКМНОРСТХУІЈЅοΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
        "aeopcyxxijsdhqwABEKMHOPCTXYIJSoABEZHIKMNOPTYX",
        strict=True,
    )
)


def confusable_letters(texts: Iterable[str]) -> list[str]:
    """Warnings for letters in names that merely look like Latin letters (Cyrillic х for x)."""
    import unicodedata

    warnings: list[str] = []
    for text in texts:
        if text.isascii():
            continue
        for column, ch in enumerate(text):
            if ord(ch) < 128 or not ch.isalpha():
                continue
            latin = _CONFUSABLES.get(ch) or unicodedata.normalize("NFKC", ch)
            if latin != ch and latin.isascii() and latin.isalpha():
                name = unicodedata.name(ch, "unnamed character")
                warnings.append(
                    f"'{ch}' in {text!r} (column {column + 1}) is U+{ord(ch):04X} {name}, "
                    f"not the Latin letter {latin}"
                )
    return warnings


# ----------------------------------------------------------------------- suspicious names

# A function's name and a letter that are a word or another function, not f(letter).
_WORDS = frozenset(
    ("cost", "sine", "sing", "sink", "sins", "sinc", "tang", "tank", "tans", "cote", "cots",
     "sect", "secs", "sech", "csch", "coth", "expo", "logo", "logs", "signs")
)  # fmt: skip
_GREEK = frozenset(
    ("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
     "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "varpi", "rho",
     "varrho", "sigma", "varsigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega")
)  # fmt: skip
_PI_PIECES = frozenset(("pi", "\u03c0"))
_LETTERS_SUBSCRIPT = re.compile(r"([^\W\d_]+)(?:_?[0-9]+)?\Z")  # theta, theta1, x_2
_LETTER_SUBSCRIPT = re.compile(r"[^\W\d_](?:_?[0-9]+)?\Z")  # x, x2, x_2, θ
_LEADING_DIGITS = re.compile(r"[0-9]*")
_FUNCTION_LENGTHS = sorted({len(f) for f in FUNCTIONS}, reverse=True)
_FUNCTION_STARTS = frozenset(f[:2] for f in FUNCTIONS)
_MAX_WARNINGS = 10  # then one line that counts the rest
_LONGEST_SUSPECT = 16  # longer names are deliberate (and would cost more to split)


def typed_names(parsed: Sequence[Parsed]) -> dict[str, tuple[str, int]]:
    """Each name typed as a symbol, in order of first occurrence: where and at which column.

    Calls and constants are not symbols: `sin(x)` and `pi*x` have only the name x.
    """
    first: dict[str, tuple[str, int]] = {}
    whole: str | None = None  # the fast line whose names were all taken
    for item in parsed:
        if item.fast and item.again is not None and (item.index == 0 or item.line is whole):
            # Read by jaccli.parse.fast: the line's names are its words, no tree needed;
            # all its components at once, at the first.
            if item.line is not whole:
                for name, column in line_names(item.line, item.again.variables, first):
                    first[name] = (item.where, column)
                whole = item.line
            continue
        where, stack = item.where, [item.node]
        push, extend, pop = stack.append, stack.extend, stack.pop
        while stack:  # left to right: children pushed in reverse
            node: Any = pop()
            kind = type(node)
            if kind is Name:
                if node.name not in first:
                    first[node.name] = (where, node.pos)
            elif kind is Product:
                extend([factor for _, factor in reversed(node.factors)])
            elif kind is Sum:
                extend([term for _, term in reversed(node.terms)])
            elif kind is Power:
                push(node.exponent)
                push(node.base)
            elif kind is Neg or kind is Transpose:
                push(node.operand)
            elif kind is Elementwise:
                push(node.right)
                push(node.left)
            elif kind is Call:
                extend(reversed(node.args))
    return first


def suspicious_names(
    parsed: Sequence[Parsed],
    variables: Collection[str] | None,
    typed: dict[str, tuple[str, int]] | None = None,
) -> list[str]:
    """Warnings for names that were read as one symbol but probably mean something else.

    jac reads a run of letters and digits as one name, so `xy` is a symbol, not
    x*y, and `sinx` is a symbol, not sin(x): a plausible wrong Jacobian. One
    warning per distinct name, at its first occurrence. `variables` is what
    --vars declared, or None when jac infers the variables. The rule:

    - A declared variable is never suspicious, whatever its name.
    - A function's name used without parentheses (`sin*x`, `sin^2 + cos^2`).
    - A function's name followed by an argument (`sinx`, `cosy`, `sqrtx`, `sin2x`,
      `lnk`, `costheta` with theta a name): after the longest function name at the
      start, optional digits, then a variable or another name in the input, a single
      letter with an optional subscript (x, x2, x_2, θ), a Greek letter's name, or
      names joined together (`sinxy`). Words (cost, sinc, coth, logs, expo, ...) are
      left alone unless the rest is a declared variable (`cost` with --vars r,t), and
      names that are themselves functions (sinh, asin, exp) always are.
    - A name that splits entirely into two or more variables (`xy` with --vars x,y,
      `2xy` read as 2*xy) or, without --vars, into other names in the input (`xy`
      beside `x*y`); pi and π count as pieces (`pir`, `2πr`), though not alone.
      Names of Greek letters (eta, xi, theta1) are never split, and pieces start
      with a letter, so subscripts (x1, w11, q_2) never split off.

    Everything else, such as `speed`, `rate`, `dt` beside t, or `k_d`, is an
    ordinary name. Linear in the input: one walk of the trees and a few set
    look-ups per distinct name. `typed`: `typed_names(parsed)`, if the caller has it.
    """
    first = typed_names(parsed) if typed is None else typed
    declared = frozenset(variables) if variables is not None else frozenset()
    names = first.keys() | declared
    pieces = (declared if variables is not None else first.keys()) | _PI_PIECES
    warnings: list[str] = []
    for name, (where, pos) in first.items():
        if name in declared or name.endswith("]"):  # x[2]: an entry of a declared vector
            continue
        at = f"'{name}' ({where + ', ' if where else ''}column {pos + 1})"
        if name in FUNCTIONS:
            warnings.append(
                f"{at} is the function {name} used as a symbol, without parentheses: "
                f"to apply it, write {name}(...)"
            )
            continue
        meant = _function_reading(name, names, pieces, declared)
        if meant is not None:
            warnings.append(f"{at} is a single symbol; did you mean {meant}?")
            continue
        split = _split(name, pieces)
        if split is not None:
            product = "*".join(split)
            warnings.append(f"{at} is a single symbol; if you meant {product}, write {product}")
    if len(warnings) > _MAX_WARNINGS:
        more = len(warnings) - _MAX_WARNINGS
        warnings[_MAX_WARNINGS:] = [f"and {more} more names like these (not listed)"]
    return warnings


def _function_reading(
    name: str,
    names: Collection[str],
    pieces: Collection[str],
    declared: Collection[str],
) -> str | None:
    """`sin(x)` for `sinx`, when the rest after a function's name reads as its argument.

    A word such as `cost` is left alone unless the rest (`t`) is a declared variable.
    """
    if name[:2] not in _FUNCTION_STARTS:
        return None
    for length in _FUNCTION_LENGTHS:
        function = name[:length]
        if length < len(name) and function in FUNCTIONS:
            break
    else:
        return None
    if function in declared or FUNCTIONS[function][0] > 1:
        return None
    rest = name[length:]
    if name in _WORDS and rest not in declared:
        return None
    digits = _LEADING_DIGITS.match(rest).group()  # type: ignore[union-attr]
    tail = rest[len(digits) :]
    if not tail:
        return f"{function}({digits})"
    if tail in names or _LETTER_SUBSCRIPT.match(tail) or tail in _GREEK:
        argument = tail
    else:
        split = _split(tail, pieces, alone=True)
        if split is None:
            return None
        argument = "*".join(split)
    return f"{function}({digits}*{argument})" if digits else f"{function}({argument})"


def _split(name: str, pieces: Collection[str], alone: bool = False) -> list[str] | None:
    """The fewest `pieces` that make up `name`, at least two (one with `alone`), or None.

    At least one piece is not pi: `pipi` is not pi*pi. Greek letters' names are not split.
    """
    if len(name) > _LONGEST_SUSPECT or _LETTER_SUBSCRIPT.match(name):
        return None  # x, x1, x_12: no letter after the first to start a second piece
    greek = _LETTERS_SUBSCRIPT.match(name)
    if greek is not None and greek.group(1).lower() in _GREEK:
        return None
    n = len(name)
    # reach[i]: the fewest pieces that make up name[:i], and where the last one starts.
    reach: list[tuple[int, int] | None] = [None] * (n + 1)
    reach[0] = (0, 0)
    for i in range(n):
        here = reach[i]
        if here is None or not name[i].isalpha():
            continue
        for j in range(i + 1, min(n, i + _LONGEST_SUSPECT) + 1):
            if name[i:j] in pieces and (alone or j - i < n):  # not the name itself
                there = reach[j]
                if there is None or here[0] + 1 < there[0]:
                    reach[j] = (here[0] + 1, i)
    end = reach[n]
    if end is None or end[0] < (1 if alone else 2):
        return None
    found: list[str] = []
    j = n
    while j > 0:
        start = reach[j][1]  # type: ignore[index]
        found.append(name[start:j])
        j = start
    if all(p in _PI_PIECES for p in found):
        return None
    return found[::-1]
