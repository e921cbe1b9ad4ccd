"""The common case of reading a line, fast: scan, parse and build in one pass, no tree.

The reference is `tokens`, `grammar` and `build`: they say what jac reads and produce every
error, caret and warning. This module is a cache of their common case (numbers of plain
digits, ASCII names, + - * / ^ **, parentheses and the catalogue's scalar functions): for a
line it either returns exactly the values, the token count and the names the reference
would give, or None, "not mine", and the caller asks the reference, which then says what is
wrong. It never raises and never reports, so it cannot change a message; tests/
test_parse_fast.py proves the equivalence on generated, mutated and hostile input.

Why it exists: the reference costs about 5 Python calls and a node object per token, then a
dispatch per node to build; on a 64 kB input that is 4-6 times SymEngine's own C++ parser.
Here one C-level `findall` makes the token strings and a recursive descent with one Python
call per factor builds SymEngine values directly (simple terms of a sum, `a`, `a*b`, `-2*x`,
and simple factors of a product are read inline). Limits are checked while reading, at the
reference's points: the token count before the walk, the depth where `Parser.nest` counts
it, the digits of each number.
"""

import re
from collections.abc import Collection, Container
from typing import Any, NamedTuple

from jaccli.functions import VECTOR_FUNCTIONS, symengine_functions
from jaccli.parse.grammar import CONSTANTS, DEEPEST, FUNCTIONS, make_room
from jaccli.parse.limits import Limits
from jaccli.parse.stencil import ASCII_NAME, Stencils

# Every non-blank character lands in some token, so the tokens cover the line; an unusual
# character is a one-character token the walk refuses. `2./x` is 2 ./ x, as the reference
# reads it (its trailing-dot trim is the look-ahead). ASCII only: a line that is not goes
# to the reference, whose messages know ² and ×.
# The branches start with different characters (but a number and `.*`, kept in order), so
# their order does not change the tokens; the common ones come first, which makes `findall`
# about a quarter faster: names, one-character operators, `*` or `**`, plain integers.
_TOKENS = re.compile(
    r"[A-Za-z][A-Za-z0-9_]*|[-+(),]|\*\*?|[0-9]+(?![.eE0-9])"
    r"|(?:[0-9]+(?:\.(?![*/^])[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    r"|\.[*/^.]|[^ \t\r\f\v]"
)
# On a line the fast path read, every run of letters is a whole name: numbers there are
# plain digits, and a digit next to a name is an implicit product, which it refuses.
_STOP = frozenset(("", ")", ",", "]"))  # what may follow a complete expression
_ADJACENT = frozenset(("(", ".*", "./", ".^", "'", "["))  # after an atom: the reference's
_TIGHT = frozenset(("^", "**", "(", ".*", "./", ".^", "'", "["))  # binds tighter than * or -
_BLANKS = " \t\r\f\v"
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_MAX_DIGITS = 1000  # longer literals are left to the reference


def tokens(line: str) -> list[str]:
    """The tokens of a line as the fast path reads them (each an operator, a name, a
    number or a bracket, when the line is one it read)."""
    return _TOKENS.findall(line)


class FastLine(NamedTuple):
    values: list[Any]  # the components of the line, as the reference builds them
    tokens: int  # tokens the reference counts (without its end token)
    sources: list[tuple[Any, dict[str, str], Any]] | None = None  # renamed (stencil.Reading)
    names: list[str] | None = None  # its words (ASCII_NAME.findall), where they were found


class _NotMine(Exception):
    """The line is not in the fast path's subset: the reference reads it."""


def line_names(
    line: str,
    variables: Collection[str],
    known: Container[str],
    words: list[str] | None = None,
) -> list[tuple[str, int]]:
    """The names typed as symbols on a line the fast path read and not in `known`, in order
    of first occurrence, each with the column where the reference's node of it starts.
    `words`: the line's ASCII_NAME.findall, if known (FastLine.names).

    Calls are the only other names there: a function's name not declared a variable.
    """
    if words is None:
        words = ASCII_NAME.findall(line)
    fresh: list[tuple[str, int]] = []
    for name in dict.fromkeys([n for n in words if n not in known]):
        if name in FUNCTIONS and name not in variables:
            continue
        start = _whole(line, name)
        fresh.append((name, _widened(line, start, start + len(name))))
    return fresh


def _whole(line: str, name: str) -> int:
    """The first column of `name` as a whole name (not the u1 in u10 or xu1)."""
    start = line.find(name)
    while start >= 0 and not (
        (start == 0 or line[start - 1] not in _WORD)
        and (start + len(name) == len(line) or line[start + len(name)] not in _WORD)
    ):
        start = line.find(name, start + 1)
    return max(start, 0)


def _widened(line: str, start: int, end: int) -> int:
    """Where the reference's node of a name starts: at the parentheses around it, `(x)`
    (grammar's `spanning`), though not at a call's, `sin(x)`."""
    while True:
        i = _skip_back(line, start)
        if i < 0 or line[i] != "(":
            return start
        before = _skip_back(line, i)
        if before >= 0 and (line[before].isalnum() or line[before] == "_"):
            return start  # the parenthesis of a call
        k = end
        while k < len(line) and line[k] in _BLANKS:
            k += 1
        if k == len(line) or line[k] != ")":
            return start
        start, end = i, k + 1


def _skip_back(line: str, i: int) -> int:
    """The index of the last character before `i` that is not blank, or -1."""
    i -= 1
    while i >= 0 and line[i] in _BLANKS:
        i -= 1
    return i


class FastReader:
    """Reads lines for one input: the variables and limits are fixed, the caches shared."""

    def __init__(self, variables: Collection[str], limits: Limits) -> None:
        make_room(limits.depth)
        import symengine

        self.variables = frozenset(variables)
        self.limits = limits
        self.digits = min(limits.digits, _MAX_DIGITS)
        self.cache: dict[str, Any] = {}  # token text -> its Integer or Symbol
        self.negatives: dict[str, Any] = {}  # "2" -> -2, for the common `- 2*x`
        self.functions = symengine_functions()
        self.undefined = (type(symengine.zoo), type(symengine.nan))
        self.add, self.mul = symengine.Add, symengine.Mul
        self.integer, self.symbol = symengine.Integer, symengine.Symbol
        self.stencils = Stencils(self.variables, self.cache, self.symbol)

    def line(self, text: str, tokens_before: int = 0) -> FastLine | None:
        """The line's components, or None where the reference must read it."""
        if not text.isascii():
            return None
        stencil = self.stencils.find(text)
        if stencil is not None and stencil[2] is not None:
            reading = stencil[2]  # a renaming of a line read before (jaccli.parse.stencil)
            if tokens_before + reading.tokens <= self.limits.tokens:
                return FastLine(reading.values, reading.tokens, reading.sources, stencil[1])
        toks = _TOKENS.findall(text)
        count = len(toks)
        if tokens_before + count > self.limits.tokens:
            return None  # the reference raises the LimitError, at its column
        toks.append("")  # the end
        try:
            values = _Walk(self, toks).items()
        except Exception:  # _NotMine; IndexError, RuntimeError, RecursionError: not mine
            return None
        if values is None:
            return None
        if stencil is None:
            return FastLine(values, count)
        self.stencils.keep(stencil[0], stencil[1], values, count)
        return FastLine(values, count, None, stencil[1])

    def atom(self, text: str) -> Any:
        """A number or a name met for the first time (then cached); anything else: not mine."""
        c = text[0]
        if "0" <= c <= "9":
            if not text.isdigit() or len(text) > self.digits:
                raise _NotMine  # decimals, 1e5, long numbers: the reference
            value = self.cache[text] = self.integer(int(text))
            return value
        if c.isalpha() and (
            text in self.variables or (text not in FUNCTIONS and text not in CONSTANTS)
        ):
            value = self.cache[text] = self.symbol(text)
            return value
        raise _NotMine


class _Walk:
    """One line's recursive descent: `i` the next token, `depth` as `Parser.nest` counts it."""

    __slots__ = ("cache", "depth", "i", "max_depth", "negatives", "reader", "toks", "undefined")

    def __init__(self, reader: FastReader, toks: list[str]) -> None:
        self.reader, self.toks = reader, toks
        self.cache, self.negatives = reader.cache, reader.negatives
        self.undefined = reader.undefined
        self.max_depth = min(reader.limits.depth, DEEPEST)
        self.i = self.depth = 0

    def items(self) -> list[Any] | None:
        toks = self.toks
        bracket = toks[0] == "["
        self.i = 1 if bracket else 0
        items = [self.expr()]
        while toks[self.i] == ",":
            self.i += 1
            items.append(self.expr())
        if bracket:
            if toks[self.i] != "]":
                return None
            self.i += 1
        return items if toks[self.i] == "" else None

    def checked(self, value: Any) -> Any:
        """A sum, product or power: never undefined (the reference says where it is)."""
        if isinstance(value, self.undefined):
            raise _NotMine
        return value

    def expr(self) -> Any:
        toks, cache = self.toks, self.cache
        terms: list[Any] = []
        k = "+"  # the sign in front of the next term
        i = self.i
        while True:
            # `a` or `a*b` of numbers and names met before, and `-2*x`, read inline: what
            # `term` would do, without its call (a linear layer is all such terms)
            a = cache.get(toks[i])
            j = i + 1
            if a is None and toks[i] == "-" and self.depth < self.max_depth:
                a = self.negatives.get(toks[j])
                j += 1
            if a is not None:
                after = toks[j]
                if after == "*" and (b := cache.get(toks[j + 1])) is not None:
                    after = toks[j + 2]
                    if after == "+" or after == "-" or after in _STOP:
                        a = a * b  # never undefined: both are integers or symbols
                        j += 2
                    else:
                        a = None
                elif not (after == "+" or after == "-" or after in _STOP):
                    a = None
            if a is None:
                self.i = i
                a = self.term()
                j = self.i
                after = toks[j]
            terms.append(-a if k == "-" else a)
            if after != "+" and after != "-":
                self.i = j
                break
            k, i = after, j + 1
        if len(terms) == 1:
            return terms[0]
        return self.checked(self.reader.add(*terms))

    def term(self) -> Any:
        toks, cache = self.toks, self.cache
        i = self.i
        first = cache.get(toks[i])
        if first is not None and toks[i + 1] not in _TIGHT:
            i += 1  # a number or a name met before: read inline, no call
        elif (
            toks[i] == "-"
            and toks[i + 2] not in _TIGHT
            and self.depth < self.max_depth
            and (first := self.negatives.get(toks[i + 1])) is not None
        ):
            i += 2  # -2, a negative number met before
        else:
            first = self.factor()
            i = self.i
        k = toks[i]
        if k != "*" and k != "/":
            if k in _STOP or k == "+" or k == "-":
                self.i = i
                return first
            raise _NotMine  # an implicit product, .*, ...: the reference
        factors = [first]
        while k == "*" or k == "/":
            i += 1
            f = cache.get(toks[i])
            if f is not None and toks[i + 1] not in _TIGHT:
                i += 1
            else:
                self.i = i
                f = self.factor()
                i = self.i
            if k == "/":
                if f == 0:
                    raise _NotMine  # division by zero: the reference says where
                f = f**-1
            factors.append(f)
            k = toks[i]
        if not (k in _STOP or k == "+" or k == "-"):
            raise _NotMine
        self.i = i
        product = factors[0] * factors[1] if len(factors) == 2 else self.reader.mul(*factors)
        if isinstance(product, self.undefined):
            raise _NotMine
        return product

    def nest(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _NotMine  # the reference raises the LimitError

    def factor(self) -> Any:
        """unary, power and atom of the grammar."""
        toks = self.toks
        i = self.i
        t = toks[i]
        value = self.cache.get(t)
        if value is not None:  # a number or a plain name, met before
            i += 1
        elif t == "-" or t == "+":
            return self.sign(t)
        elif t == "(":
            self.i = i + 1
            self.nest()
            value = self.expr()
            i = self.i
            if toks[i] != ")":
                raise _NotMine
            self.depth -= 1
            i += 1
        elif toks[i + 1] == "(":
            value = self.call(t)
            i = self.i
        else:
            value = self.reader.atom(t)
            i += 1
        k = toks[i]
        if k in _ADJACENT:
            raise _NotMine
        if k == "^" or k == "**":
            self.i = i + 1
            self.nest()
            exponent = self.factor()
            self.depth -= 1
            if exponent.is_Rational and (value.is_Number or value.is_Pow or value.is_Mul):
                raise _NotMine  # the reference estimates the digits first
            return self.checked(value**exponent)
        self.i = i
        return value

    def sign(self, t: str) -> Any:
        toks = self.toks
        i = self.i
        n = toks[i + 1]
        w = self.cache.get(n)
        if w is not None and n[0] <= "9" and toks[i + 2] not in _TIGHT:
            if self.depth >= self.max_depth:
                raise _NotMine
            # -2 in 3*x + -2*y: a signed number, the commonest unary
            if t == "-":
                w = self.negatives.get(n)
                if w is None:
                    w = self.negatives[n] = -self.cache[n]
            self.i = i + 2
            return w
        if t == "+" and not "0" <= n[:1] <= "9":
            raise _NotMine  # +x: the reference's node of x starts at the +, for its column
        self.i = i + 1
        self.nest()
        operand = self.factor()
        self.depth -= 1
        return -operand if t == "-" else operand

    def call(self, name: str) -> Any:
        """name(args) of a scalar function in the catalogue; the cursor ends past ')'."""
        reader = self.reader
        function = reader.functions.get(name)
        if (
            function is None
            or name not in FUNCTIONS
            or name in reader.variables
            or name in VECTOR_FUNCTIONS
        ):
            raise _NotMine  # a called variable, an unknown name, sum(x): the reference
        self.i += 2
        self.nest()
        args = [self.expr()]
        toks = self.toks
        while toks[self.i] == ",":
            self.i += 1
            args.append(self.expr())
        if toks[self.i] != ")":
            raise _NotMine
        self.depth -= 1
        fewest, most = FUNCTIONS[name]
        if not fewest <= len(args) <= most:
            raise _NotMine
        value: Any = function(*args)
        if isinstance(value, self.undefined) or not value.free_symbols:
            raise _NotMine  # log(0), atanh(1): the reference checks numbers of functions
        self.i += 1
        return value
