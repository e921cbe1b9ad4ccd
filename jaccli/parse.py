"""User text → SymEngine expressions, without ever evaluating the text as code.

SymPy's `sympify`/`parse_expr` run Python's `eval` on what they are given, so jac
has its own small tokenizer and recursive-descent parser. It builds a tiny AST
whose nodes remember their columns (for the caret in error messages), and only
then turns that AST into SymEngine objects, the engine's own representation.
Nothing here imports SymEngine until an expression is actually built.

Grammar (lowest precedence first)::

    list    := '['? expr (',' expr)* ']'?
    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/') unary | implicit)*   implicit: a name or '(' after a factor
    unary   := ('-' | '+') unary | power
    power   := atom (('^' | '**') unary)?                 right-associative: x^y^z = x^(y^z)
    atom    := number | name | call | name ('^' | '**') digits call | '(' expr ')'
    call    := name '(' expr (',' expr)* ')'

`sin^2(x)` is the textbook sin(x)^2, for any function and a whole exponent
k >= 1 (built as Power(Call, Num)). `sin^-1(x)` (arcsin or 1/sin?) and other
exponents before a call are errors that say what to write instead. `π` is pi.
"""

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from jaccli.errors import JacError, LimitError, Location, ParseError, UndefinedError, UsageError
from jaccli.numbers import rational_bits

# name -> (fewest, most) arguments. Aliases (ln, Abs, ...) map to the same SymPy function.
FUNCTIONS: dict[str, tuple[int, int]] = {
    **dict.fromkeys(("sin", "cos", "tan", "cot", "sec", "csc"), (1, 1)),
    **dict.fromkeys(("asin", "acos", "atan", "sinh", "cosh", "tanh"), (1, 1)),
    **dict.fromkeys(("asinh", "acosh", "atanh", "exp", "ln", "sqrt", "cbrt"), (1, 1)),
    **dict.fromkeys(("abs", "sign", "Abs", "DiracDelta"), (1, 1)),
    "atan2": (2, 2),
    "log": (1, 2),
}
CONSTANTS = ("pi", "\u03c0", "e", "E")  # π is pi
# f^-1(x) in textbooks is the inverse function (or, for some authors, 1/f).
_INVERSES = {
    "sin": "asin", "cos": "acos", "tan": "atan", "sinh": "asinh", "cosh": "acosh",
    "tanh": "atanh", "asin": "sin", "acos": "cos", "atan": "tan", "asinh": "sinh",
    "acosh": "cosh", "atanh": "tanh", "exp": "ln", "ln": "exp", "log": "exp",
}  # fmt: skip


class Limits(NamedTuple):
    """Caps on the input, checked while reading it, before any expensive work.

    Each has an environment variable to raise it (see `LIMIT_VARIABLES`).
    """

    # Characters in all the input together. bratu 2000, 2000 equations, is 90 kB.
    input: int = 1_000_000
    # Tokens (numbers, names, operators, brackets) in all the input: a bound on the
    # size of the expression trees, and so on the work of building them.
    tokens: int = 500_000
    # Digits of any exact number, written or computed: 9^9^9 or 1e999999999 would
    # take minutes and gigabytes. Powers are estimated before they are computed.
    digits: int = 100_000
    # How deeply parentheses, calls, signs and powers nest: 300 nested `sin(` would
    # otherwise exhaust Python's recursion limit here or in SymPy.
    depth: int = 100


DEFAULT_LIMITS = Limits()
LIMIT_VARIABLES = {
    "input": "JAC_MAX_INPUT",
    "tokens": "JAC_MAX_TOKENS",
    "digits": "JAC_MAX_DIGITS",
    "depth": "JAC_MAX_DEPTH",
}
MAX_NESTING = DEFAULT_LIMITS.depth
MAX_NUMBER_DIGITS = DEFAULT_LIMITS.digits


def limits_from_env(environ: Mapping[str, str]) -> Limits:
    """The limits, each raised or lowered by its environment variable when set."""
    values: dict[str, int] = {}
    for field, variable in LIMIT_VARIABLES.items():
        text = environ.get(variable, "").strip().replace("_", "")
        if not text:
            continue
        if not text.isdigit() or int(text) < 1:
            raise UsageError(f"{variable} must be a positive whole number, not {text!r}")
        values[field] = int(text)
    return DEFAULT_LIMITS._replace(**values)


def _limit_hint(field: str) -> str:
    return f"raise the limit with {LIMIT_VARIABLES[field]}"


_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SINGLE = {"+", "-", "/", "^", "(", ")", "[", "]", ",", "="}
# Characters that people paste from documents, and what they unambiguously mean.
_LOOKALIKES = {"\u2212": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*"}
_HINTS = {
    "\u00b2": "write ^2 for a square",
    "\u00b3": "write ^3 for a cube",
    "'": "strings are not expressions",
    '"': "strings are not expressions",
    "_": "names start with a letter",
    ".": "'.' only appears inside numbers such as 0.5",
}


# --------------------------------------------------------------------------- tokens


class Token(NamedTuple):
    kind: str  # "num", "name", "end", or the operator text itself ("+", "**", "(", ...)
    text: str
    pos: int


def _describe(tok: Token) -> str:
    if tok.kind == "end":
        return "end of input"
    if tok.kind == "num":
        return f"number {tok.text}"
    if tok.kind == "name":
        return f"name '{tok.text}'"
    return f"'{tok.text}'"


def _char_name(ch: str) -> str:
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}' (U+{ord(ch):04X})" if ord(ch) > 127 else f"'{ch}'"
    return f"U+{ord(ch):04X}"


def tokenize(text: str, where: str = "") -> list[Token]:
    """Split one line of user text into tokens; a stray character is a ParseError."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\f\v":
            i += 1
        elif "0" <= ch <= "9" or (ch == "." and i + 1 < n and "0" <= text[i + 1] <= "9"):
            m = _NUMBER.match(text, i)
            assert m is not None
            tokens.append(Token("num", m.group(), i))
            i = m.end()
        elif ch.isalpha():
            j = i + 1
            while j < n and (text[j].isalpha() or "0" <= text[j] <= "9" or text[j] == "_"):
                j += 1
            tokens.append(Token("name", text[i:j], i))
            i = j
        elif ch == "*":
            if text.startswith("**", i):
                tokens.append(Token("**", "**", i))
                i += 2
            else:
                tokens.append(Token("*", "*", i))
                i += 1
        elif ch in _SINGLE:
            tokens.append(Token(ch, ch, i))
            i += 1
        elif ch in _LOOKALIKES:
            op = _LOOKALIKES[ch]
            tokens.append(Token(op, op, i))
            i += 1
        else:
            hint = _HINTS.get(ch)
            message = f"unexpected character {_char_name(ch)}" + (f": {hint}" if hint else "")
            raise ParseError(message, Location(text, i, where))
    tokens.append(Token("end", "", n))
    return tokens


# --------------------------------------------------------------------------- AST
# Plain classes with __slots__ rather than dataclasses: defining dataclasses costs
# milliseconds at every start of jac, and these are created by the thousand.


class Node:
    __slots__ = ("end", "pos")

    def __init__(self, pos: int, end: int) -> None:
        self.pos = pos  # first column of the node in its line
        self.end = end  # one past its last column

    def spanning(self, pos: int, end: int) -> "Node":
        """The same node, its span widened (to include parentheses around it)."""
        self.pos, self.end = pos, end
        return self

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({self.pos}, {self.end}, {fields})"


class Num(Node):
    __slots__ = ("text",)

    def __init__(self, pos: int, end: int, text: str) -> None:
        super().__init__(pos, end)
        self.text = text


class Name(Node):
    __slots__ = ("name",)

    def __init__(self, pos: int, end: int, name: str) -> None:
        super().__init__(pos, end)
        self.name = name


class Const(Node):
    __slots__ = ("name",)  # "pi" or "E"

    def __init__(self, pos: int, end: int, name: str) -> None:
        super().__init__(pos, end)
        self.name = name


class Call(Node):
    __slots__ = ("args", "func")

    def __init__(self, pos: int, end: int, func: str, args: tuple[Node, ...]) -> None:
        super().__init__(pos, end)
        self.func = func
        self.args = args


class Neg(Node):
    __slots__ = ("operand",)

    def __init__(self, pos: int, end: int, operand: Node) -> None:
        super().__init__(pos, end)
        self.operand = operand


class Sum(Node):
    __slots__ = ("terms",)  # (negated, term)

    def __init__(self, pos: int, end: int, terms: tuple[tuple[bool, Node], ...]) -> None:
        super().__init__(pos, end)
        self.terms = terms


class Product(Node):
    __slots__ = ("factors",)  # (divided by, factor)

    def __init__(self, pos: int, end: int, factors: tuple[tuple[bool, Node], ...]) -> None:
        super().__init__(pos, end)
        self.factors = factors


class Power(Node):
    __slots__ = ("base", "exponent")

    def __init__(self, pos: int, end: int, base: Node, exponent: Node) -> None:
        super().__init__(pos, end)
        self.base = base
        self.exponent = exponent


class Parsed(NamedTuple):
    """One parsed expression and the line it came from, for later error carets."""

    node: Node
    line: str
    where: str


# --------------------------------------------------------------------------- parser

_ATOM_START = ("num", "name", "(")
# The longest parenthesized exponent looked at in sin^(...)(x): sin^(-1)(x) has 4 tokens.
_GROUP_TOKENS = 16
_SIMPLE_EXPONENT = re.compile(r"[\w.]+|\(.*\)")  # 0.5, x, (1/2): no parentheses to add


def _function_power_advice(function: str, exponent: str, argument: str) -> str:
    """What to write instead of `sin^-1(x)`, `sin^0.5(x)` or `sin^2 x`."""
    written = f"{function}^{exponent if len(exponent) <= 30 else '(...)'}({argument})"
    if exponent.replace(" ", "") in ("-1", "(-1)"):
        inverse = _INVERSES.get(function)
        also = f"{inverse}({argument}) for the inverse function or " if inverse else ""
        return (
            f"{written} is ambiguous (inverse function or reciprocal): "
            f"write {also}1/{function}({argument}) for the reciprocal"
        )
    if exponent.isdigit() and int(exponent) > 0:
        return f"'{function}' needs parentheses: {function}^{exponent}(...)"
    if len(exponent) > 30:
        exponent = "(...)"
    power = exponent if _SIMPLE_EXPONENT.fullmatch(exponent) else f"({exponent})"
    return (
        f"{written}: jac reads {function}^k(...) only for a whole number k >= 1; "
        f"write {function}({argument})^{power}"
    )


class _Parser:
    def __init__(
        self,
        text: str,
        where: str,
        variables: Collection[str],
        limits: Limits = DEFAULT_LIMITS,
        tokens_before: int = 0,
    ) -> None:
        self.text = text
        self.where = where
        self.variables = variables
        self.limits = limits
        self.tokens = tokenize(text, where)
        if tokens_before + len(self.tokens) - 1 > limits.tokens:
            over = self.tokens[max(0, limits.tokens - tokens_before)]
            raise LimitError(
                f"the input has more than {limits.tokens:,} tokens (numbers, names, "
                f"operators); {_limit_hint('tokens')}",
                Location(text, over.pos, where),
            )
        self.i = 0
        self.depth = 0

    # helpers
    def peek(self) -> Token:
        # Never past the end: the last token is "end", and nothing takes it.
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def error(self, message: str, pos: int) -> ParseError:
        return ParseError(message, Location(self.text, pos, self.where))

    def expect(self, kind: str, what: str) -> Token:
        tok = self.peek()
        if tok.kind != kind:
            raise self.error(f"expected {what}, found {_describe(tok)}", tok.pos)
        return self.take()

    def nest(self, pos: int) -> None:
        self.depth += 1
        if self.depth > self.limits.depth:
            raise LimitError(
                f"nested more than {self.limits.depth} levels deep; {_limit_hint('depth')}",
                Location(self.text, pos, self.where),
            )

    # entry points
    def parse_list(self) -> list[Node]:
        bracket = self.peek()
        if bracket.kind == "[":
            self.take()
        items = [self.expr()]
        while self.peek().kind == ",":
            self.take()
            items.append(self.expr())
        if bracket.kind == "[":
            closing = self.peek()
            if closing.kind != "]":
                raise self.error(
                    f"expected ',' or ']' to close the '[' at column {bracket.pos + 1}, "
                    f"found {_describe(closing)}",
                    closing.pos,
                )
            self.take()
        self.finish()
        return items

    def parse_single(self) -> Node:
        node = self.expr()
        self.finish()
        return node

    def finish(self) -> None:
        tok = self.peek()
        if tok.kind == "end":
            return
        if tok.kind == ")":
            raise self.error("unmatched ')'", tok.pos)
        if tok.kind == "]":
            raise self.error("unmatched ']'", tok.pos)
        raise self.error(f"unexpected {_describe(tok)}", tok.pos)

    # grammar
    def expr(self) -> Node:
        start = self.peek().pos
        first = self.term()
        terms: list[tuple[bool, Node]] = [(False, first)]
        while self.peek().kind in ("+", "-"):
            negated = self.take().kind == "-"
            terms.append((negated, self.term()))
        if len(terms) == 1:
            return first
        return Sum(start, terms[-1][1].end, tuple(terms))

    def term(self) -> Node:
        start = self.peek().pos
        first = self.unary()
        factors: list[tuple[bool, Node]] = [(False, first)]
        after_division = False
        while True:
            tok = self.peek()
            if tok.kind in ("*", "/"):
                self.take()
                after_division = tok.kind == "/"
                factors.append((after_division, self.unary()))
            elif tok.kind in _ATOM_START:
                if tok.kind == "num":
                    raise self.error(
                        f"missing operator before {_describe(tok)} (write * to multiply)", tok.pos
                    )
                if after_division:
                    raise self.error(
                        "ambiguous implicit multiplication after '/': write a/(b*c) or (a/b)*c",
                        tok.pos,
                    )
                factors.append((False, self.power()))
            else:
                break
        if len(factors) == 1:
            return first
        return Product(start, factors[-1][1].end, tuple(factors))

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind in ("-", "+"):
            self.take()
            self.nest(tok.pos)
            operand = self.unary()
            self.depth -= 1
            return Neg(tok.pos, operand.end, operand) if tok.kind == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.peek().kind in ("^", "**"):
            op = self.take()
            self.nest(op.pos)
            exponent = self.unary()
            self.depth -= 1
            after = self.peek()
            if (
                after.kind in _ATOM_START  # sin^2 x, sin^2^2(x): not the symbol sin, squared
                and isinstance(base, Name)
                and base.name in FUNCTIONS
                and base.name not in self.variables
            ):
                text = self.text[exponent.pos : exponent.end]
                raise self.error(_function_power_advice(base.name, text, "..."), after.pos)
            return Power(base.pos, exponent.end, base, exponent)
        return base

    def atom(self) -> Node:
        tok = self.peek()
        if tok.kind == "num":
            self.take()
            return Num(tok.pos, tok.pos + len(tok.text), tok.text)
        if tok.kind == "name":
            return self.name()
        if tok.kind == "(":
            self.take()
            self.nest(tok.pos)
            inner = self.expr()
            closing = self.peek()
            if closing.kind != ")":
                raise self.error(
                    f"expected ')' to close the '(' at column {tok.pos + 1}, "
                    f"found {_describe(closing)}",
                    closing.pos,
                )
            self.take()
            self.depth -= 1
            return inner.spanning(tok.pos, closing.pos + 1)
        if tok.kind == "end":
            raise self.error("expression ends too early", tok.pos)
        if tok.kind == ",":
            raise self.error("expected an expression before ','", tok.pos)
        if tok.kind == "[":
            raise self.error("'[' is only allowed around the whole list", tok.pos)
        raise self.error(f"expected an expression, found {_describe(tok)}", tok.pos)

    def name(self) -> Node:
        tok = self.take()
        name, end = tok.text, tok.pos + len(tok.text)
        after = self.peek()
        called = after.kind == "("
        if name in self.variables:
            if called:
                raise self.error(
                    f"'{name}' is a variable here, not a function: write {name}*(...)", after.pos
                )
            return Name(tok.pos, end, name)
        if name in FUNCTIONS:
            if called:
                return self.call(tok)
            if after.kind in ("num", "name"):
                raise self.error(f"'{name}' needs parentheses: {name}(...)", after.pos)
            if after.kind in ("^", "**"):
                textbook = self.function_power(tok)
                if textbook is not None:
                    return textbook
            return Name(tok.pos, end, name)
        if called:
            what = "a constant" if name in CONSTANTS else "not a function jac knows"
            raise self.error(f"'{name}' is {what}: to multiply, write {name}*(...)", tok.pos)
        if name in CONSTANTS:
            return Const(tok.pos, end, "E" if name in ("e", "E") else "pi")
        return Name(tok.pos, end, name)

    def function_power(self, name_tok: Token) -> Node | None:
        """`sin^2(x)` as sin(x)^2; None (nothing taken) unless a call follows the exponent.

        The exponent is found by looking ahead, not by parsing it: signs, then a
        number, a name or a short parenthesized group. `sin^2 x` or `sin^2^2(x)` do
        not match and are caught in `power`.
        """
        tokens, first = self.tokens, self.i + 1  # self.i is at the '^'
        j = first
        while tokens[j].kind in ("+", "-"):
            j += 1
        if tokens[j].kind in ("num", "name"):
            j += 1
        elif tokens[j].kind == "(":
            depth, last = 0, min(len(tokens) - 1, j + _GROUP_TOKENS)
            while j < last:
                depth += {"(": 1, ")": -1}.get(tokens[j].kind, 0)
                j += 1
                if depth == 0:
                    break
            if depth:
                return None
        else:
            return None
        if tokens[j].kind != "(":
            return None
        exponent = tokens[first:j]
        self.i = j
        kinds = [t.kind for t in exponent]
        if kinds in (["num"], ["(", "num", ")"]):
            number = exponent[len(kinds) // 2]
            if number.text.isdigit() and int(number.text) > 0:
                call = self.call(name_tok)
                num = Num(number.pos, number.pos + len(number.text), number.text)
                return Power(name_tok.pos, call.end, call, num)
        call = self.call(name_tok)
        text = self.text[exponent[0].pos : exponent[-1].pos + len(exponent[-1].text)]
        advice = _function_power_advice(name_tok.text, text, self.argument(call))
        raise self.error(advice, exponent[0].pos)

    def argument(self, call: Call) -> str:
        """The text inside a call's parentheses, shortened for a message."""
        text = self.text[call.args[0].pos : call.args[-1].end]
        return text if len(text) <= 30 else "..."

    def call(self, name_tok: Token) -> Call:
        opening = self.take()
        self.nest(opening.pos)
        args = [self.expr()]
        while self.peek().kind == ",":
            self.take()
            args.append(self.expr())
        closing = self.peek()
        if closing.kind != ")":
            raise self.error(
                f"expected ',' or ')' to close {name_tok.text}( at column {opening.pos + 1}, "
                f"found {_describe(closing)}",
                closing.pos,
            )
        self.take()
        self.depth -= 1
        fewest, most = FUNCTIONS[name_tok.text]
        if not fewest <= len(args) <= most:
            wanted = str(fewest) if fewest == most else f"{fewest} or {most}"
            raise self.error(
                f"{name_tok.text} takes {wanted} argument{'s' if most > 1 else ''}, "
                f"got {len(args)}",
                name_tok.pos,
            )
        return Call(name_tok.pos, closing.pos + 1, name_tok.text, tuple(args))


# --------------------------------------------------------------------------- building


def make_symbol(name: str) -> Any:
    """The SymEngine symbol jac uses for a name (the engine computes with SymEngine)."""
    import symengine

    return symengine.Symbol(name)


def _function_table() -> dict[str, Callable[..., Any]]:
    import symengine as se

    def log(x: Any, base: Any = None) -> Any:
        return se.log(x) if base is None else se.log(x) / se.log(base)

    def cbrt(x: Any) -> Any:
        return x ** se.Rational(1, 3)  # the principal root, as in SymPy

    def dirac_delta(x: Any) -> Any:
        # SymPy writes d/dx sign(x) as 2*DiracDelta(x); reading it back keeps the name.
        if x.is_Number:  # 0 away from the origin; no value at it (reported as undefined)
            return se.nan if x == 0 else se.Integer(0)
        return se.function_symbol("DiracDelta", x)

    return {
        "sin": se.sin, "cos": se.cos, "tan": se.tan,
        "cot": se.cot, "sec": se.sec, "csc": se.csc,
        "asin": se.asin, "acos": se.acos, "atan": se.atan, "atan2": se.atan2,
        "sinh": se.sinh, "cosh": se.cosh, "tanh": se.tanh,
        "asinh": se.asinh, "acosh": se.acosh, "atanh": se.atanh,
        "exp": se.exp, "log": log, "ln": se.log,
        "sqrt": se.sqrt, "cbrt": cbrt,
        "abs": se.Abs, "Abs": se.Abs, "sign": se.sign,
        "DiracDelta": dirac_delta,
    }  # fmt: skip


def _bits(value: Any) -> float:
    """Bits of the exact numbers in a number such as 2^(1/2)*3/7, estimated cheaply."""
    if value.is_Rational:
        return rational_bits(value)
    if value.is_Pow:
        base, exponent = value.args
        if base.is_Rational and exponent.is_Rational:
            return _bits(base) * abs(float(exponent))
    elif value.is_Mul:
        return sum(_bits(f) for f in value.args)
    return 0.0


def _power_bits(base: Any, exponent: Any) -> float:
    """Bits in the numbers of base**exponent for a rational exponent, without computing it."""
    if (base.is_Rational and abs(base) == 1) or base == 0:
        return 0.0
    return _bits(base) * abs(float(exponent))


# Numbers this large (in bits) are tracked, so that a product of many of them is caught.
_BIG_BITS = 4096


class _Builder:
    """Turns AST nodes into SymEngine expressions, reporting undefined values (1/0) with a caret."""

    def __init__(
        self, limits: Limits = DEFAULT_LIMITS, values: Mapping[str, Any] | None = None
    ) -> None:
        import symengine

        self.se = symengine
        self.limits = limits
        self.max_bits = limits.digits * math.log2(10)
        self.functions = _function_table()
        # With `values`, names evaluate to them: the expression at a point, as typed.
        self.symbols: dict[str, Any] = dict(values or {})
        self.at = " at " + ", ".join(f"{k}={v}" for k, v in self.symbols.items()) if values else ""
        self.big: dict[Any, float] = {}
        for value in self.symbols.values():
            self.tracked(value)
        self.numbers: dict[str, Any] = {}  # a literal such as 2 recurs thousands of times
        self.undefined = (type(symengine.zoo), type(symengine.nan))
        self.dispatch: dict[type, Callable[[Any], Any]] = {
            Name: self.name, Num: self.number, Const: self.const, Sum: self.sum,
            Product: self.product, Power: self.power, Neg: self.neg, Call: self.call,
        }  # fmt: skip

    def build(self, parsed: Parsed) -> Any:
        self.parsed = parsed
        try:
            return self.node(parsed.node)
        except RuntimeError as e:  # SymEngine's own size limits (an exponent past 2^64)
            raise self.beyond_engine(parsed.node, e) from e

    def beyond_engine(self, node: Node, error: Exception) -> LimitError:
        snippet = self.parsed.line[node.pos : node.end]
        if len(snippet) > 40:
            snippet = snippet[:37] + "..."
        location = Location(self.parsed.line, node.pos, self.parsed.where)
        return LimitError(f"{snippet} is too large for exact arithmetic ({error})", location)

    def fail(self, node: Node, why: str, start: int | None = None) -> UndefinedError:
        snippet = self.parsed.line[node.pos if start is None else start : node.end]
        location = Location(self.parsed.line, node.pos, self.parsed.where)
        return UndefinedError(f"{snippet} is undefined{self.at} ({why})", location)

    def too_big(self, node: Node) -> LimitError:
        snippet = self.parsed.line[node.pos : node.end]
        if len(snippet) > 40:
            snippet = snippet[:37] + "..."
        location = Location(self.parsed.line, node.pos, self.parsed.where)
        return LimitError(
            f"{snippet}{self.at} would have more than {self.limits.digits:,} digits; "
            f"{_limit_hint('digits')}",
            location,
        )

    def checked(self, node: Node, value: Any, why: str) -> Any:
        if isinstance(value, self.undefined):
            raise self.fail(node, why)
        return value

    def node(self, node: Node) -> Any:
        return self.dispatch[type(node)](node)

    def name(self, node: Name) -> Any:
        symbol = self.symbols.get(node.name)
        if symbol is None:
            symbol = self.symbols[node.name] = self.se.Symbol(node.name)
        return symbol

    def const(self, node: Const) -> Any:
        return self.se.pi if node.name == "pi" else self.se.E

    def sum(self, node: Sum) -> Any:
        dispatch = self.dispatch  # bound once: sums of thousands of terms are common
        terms = [-dispatch[type(t)](t) if neg else dispatch[type(t)](t) for neg, t in node.terms]
        return self.checked(node, self.se.Add(*terms), "infinite terms")

    def product(self, node: Product) -> Any:
        dispatch = self.dispatch
        factors = []
        for divide, f in node.factors:
            value = dispatch[type(f)](f)
            if divide:
                if value == 0:
                    raise self.fail(f, "division by zero", start=node.pos)
                value = value**-1
            factors.append(value)
        big = self.big
        if big and any(f in big for f in factors):
            if sum(big.get(f, 0.0) for f in factors) > self.max_bits:
                raise self.too_big(node)
            return self.tracked(self.checked(node, self.se.Mul(*factors), "0 times infinity"))
        return self.checked(node, self.se.Mul(*factors), "0 times infinity")

    def power(self, node: Power) -> Any:
        base, exponent = self.node(node.base), self.node(node.exponent)
        if exponent.is_Rational and (base.is_Number or base.is_Pow or base.is_Mul):
            if _power_bits(base, exponent) > self.max_bits:
                raise self.too_big(node)
            if base == 0 and exponent == 0:
                raise self.fail(node, "zero to the power zero")
            return self.tracked(self.checked(node, base**exponent, "zero to a negative power"))
        try:
            value = base**exponent
        except RuntimeError as e:  # x^(143^9): the exponent does not fit a machine word
            raise self.beyond_engine(node, e) from e
        return self.checked(node, value, "zero to a negative power")

    def tracked(self, value: Any) -> Any:
        """`value`, remembered with its size when it is a big exact number."""
        bits = _bits(value)
        if bits > _BIG_BITS:
            self.big[value] = bits
        return value

    def neg(self, node: Neg) -> Any:
        return -self.node(node.operand)

    def call(self, node: Call) -> Any:
        args = [self.node(a) for a in node.args]
        return self.checked(node, self.functions[node.func](*args), "outside its domain")

    def number(self, node: Num) -> Any:
        text = node.text
        known = self.numbers.get(text)
        if known is None:
            known = self.numbers[text] = self.new_number(node)
        return known

    def new_number(self, node: Num) -> Any:
        from fractions import Fraction

        text = node.text
        if text.isdigit():  # the tokenizer only makes numbers of ASCII digits
            if len(text) > self.limits.digits:
                raise self.too_big(node)
            return self.se.Integer(int(text))
        mantissa, _, exponent = text.lower().partition("e")
        if len(mantissa) > self.limits.digits or (
            exponent
            and (len(exponent) > 12 or abs(int(exponent)) + len(mantissa) > self.limits.digits)
        ):
            raise self.too_big(node)
        value = Fraction(text)  # exact: 0.1 is 1/10
        return self.se.Integer(value.numerator) / self.se.Integer(value.denominator)


# --------------------------------------------------------------------------- public API


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
            raise UsageError(f"no such option: {argument.split('=', 1)[0]}")
        else:
            source, where = argument, f"argument {index}" if len(arguments) > 1 else "input"
        if characters + len(source) > limits.input:
            raise _too_long(source, where, limits.input - characters, limits)
        characters += len(source)
        for line, label in _lines(source, where):
            parser = _Parser(line, label, variables, limits, tokens)
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
        f"the input is longer than {limits.input:,} characters; {_limit_hint('input')}",
        Location(line, allowed - line_start, label),
    )


def build(
    parsed: Sequence[Parsed],
    limits: Limits = DEFAULT_LIMITS,
    values: Mapping[str, Any] | None = None,
) -> list[Any]:
    """SymEngine expressions for parsed components; with `values`, their values there.

    Building at a point evaluates the expressions as typed, operation by
    operation, so `x/x` at x=0 is reported as undefined even though the
    expression x/x is simply 1 once built.
    """
    builder = _Builder(limits, values)
    return [builder.build(p) for p in parsed]


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
# mathematical letters are found through NFKC instead.
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
    for item in parsed:
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
            elif kind is Neg:
                push(node.operand)
            elif kind is Call:
                extend(reversed(node.args))
    return first


def suspicious_names(parsed: Sequence[Parsed], variables: Collection[str] | None) -> list[str]:
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
    look-ups per distinct name.
    """
    first = typed_names(parsed)
    declared = frozenset(variables) if variables is not None else frozenset()
    names = first.keys() | declared
    pieces = (declared if variables is not None else first.keys()) | _PI_PIECES
    warnings: list[str] = []
    for name, (where, pos) in first.items():
        if name in declared:
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
    name: str, names: Collection[str], pieces: Collection[str], declared: Collection[str]
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


def parse_variables(text: str) -> tuple[str, ...]:
    """Names from `--vars x,y,z`, in order, each a valid name and none repeated."""
    where = "--vars"
    tokens = tokenize(text, where)
    names: list[str] = []
    expecting_name = True
    for tok in tokens:
        if expecting_name:
            if tok.kind != "name":
                what = "a variable name" if tok.kind != "end" or names else "variable names"
                raise ParseError(
                    f"expected {what}, found {_describe(tok)}", Location(text, tok.pos, where)
                )
            if tok.text in names:
                raise ParseError(
                    f"variable '{tok.text}' is listed twice", Location(text, tok.pos, where)
                )
            names.append(tok.text)
        elif tok.kind not in (",", "end"):
            raise ParseError(
                f"expected ',' between variable names, found {_describe(tok)}",
                Location(text, tok.pos, where),
            )
        expecting_name = not expecting_name
    return tuple(names)


def parse_point(
    text: str, variables: Collection[str] = (), limits: Limits = DEFAULT_LIMITS
) -> dict[str, Any]:
    """`--at x=-1,y=2` as an ordered mapping from name to exact value (`0.1` is 1/10)."""
    where = "--at"
    if len(text) > limits.input:
        raise _too_long(text, where, limits.input, limits)
    parser = _Parser(text, where, frozenset(variables), limits)
    entries: list[tuple[str, Parsed]] = []
    seen: set[str] = set()
    while True:
        tok = parser.peek()
        if tok.kind != "name":
            raise parser.error(f"expected name=value, found {_describe(tok)}", tok.pos)
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
    builder = _Builder(limits)
    return {name: builder.build(p) for name, p in entries}


def format_error(error: JacError) -> str:
    """The message for a person: one line, then the input with a caret when we know where."""
    loc = error.location
    if loc is None:
        return error.message
    where = f"{loc.where}, " if loc.where else ""
    lines = [f"{error.message} ({where}column {loc.column + 1})"]
    shown, caret = _window(loc.text, loc.column)
    lines.append("  " + shown)
    lines.append("  " + " " * caret + "^")
    return "\n".join(lines)


def _window(text: str, column: int, width: int = 72) -> tuple[str, int]:
    """A printable slice of a long line around `column`, and the caret's offset in it."""
    start = max(0, min(column - width // 2, len(text) - width))
    end = min(len(text), start + width)
    shown = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text[start:end])
    caret = column - start
    if start > 0:
        shown = "…" + shown[1:]
    if end < len(text):
        shown = shown[:-1] + "…"
    return shown, caret
