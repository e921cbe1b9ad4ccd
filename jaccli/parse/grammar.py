"""Tokens → a tree, by recursive descent; every error names its column.

Grammar (lowest precedence first)::

    list    := '['? expr (',' expr)* ']'?
    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/' | '.*' | './') unary | implicit)*   implicit: a name or '('
    unary   := ('-' | '+') unary | power
    power   := postfix (('^' | '**' | '.^') unary)?       right-associative: x^y^z = x^(y^z)
    postfix := atom "'"*                                   x' is the transpose
    atom    := number | name | entry | call | name ('^' | '**') digits call | '(' expr ')'
    entry   := name '[' digits (',' digits)? ']'           x[2], W[1,2] of a declared shape
    call    := name '(' expr (',' expr)* ')'

`*` is the matrix product of two vectors or matrices and scaling when one side is a scalar;
`.*`, `./`, `.^` (and ⊙) work entry by entry (jaccli.parse.shapes checks the shapes).

`sin^2(x)` is the textbook sin(x)^2, for any function and a whole exponent
k >= 1 (built as Power(Call, Num)). `sin^-1(x)` (arcsin or 1/sin?) and other
exponents before a call are errors that say what to write instead. `π` is pi.
"""

import re
import sys
from collections.abc import Collection, Mapping

from jaccli.errors import LimitError, Location, ParseError
from jaccli.functions import ARITIES, CATALOGUE, VECTOR_FUNCTIONS
from jaccli.parse.limits import DEFAULT_LIMITS, Limits, limit_hint
from jaccli.parse.shapes import Shape
from jaccli.parse.tokens import Token, describe, tokenize
from jaccli.parse.tree import (
    Call,
    Const,
    Elementwise,
    Name,
    Neg,
    Node,
    Num,
    Power,
    Product,
    Sum,
    Transpose,
)

# name -> (fewest, most) arguments: the functions the parser reads (jaccli.functions).
FUNCTIONS = ARITIES
CONSTANTS = ("pi", "\u03c0", "e", "E")  # π is pi
_ATOM_START = ("num", "name", "(")
# What is wrong where an expression should start, or after the whole input was read.
_NOT_AN_ATOM = {
    "end": "expression ends too early",
    ",": "expected an expression before ','",
    "[": "'[' is only allowed around the whole list and after a vector or matrix (x[1])",
    "'": "' (the transpose) goes after a vector or matrix, as in x'",
}
_AFTER_THE_END = {")": "unmatched ')'", "]": "unmatched ']'"}
# The longest parenthesized exponent looked at in sin^(...)(x): sin^(-1)(x) has 4 tokens.
_GROUP_TOKENS = 16
_SIMPLE_EXPONENT = re.compile(r"[\w.]+|\(.*\)")  # 0.5, x, (1/2): no parentheses to add
# The deepest nesting jac reads, whatever JAC_MAX_DEPTH says: a level can nest SymEngine's
# tree 4 deep (sin(1 - x/sin(...)) is sin, +, *, ^), and SymEngine prints, and works, by C++
# recursion on the thread's stack, which on Linux's 8 MB ends near 7,000 levels: a crash,
# not an error. The derivatives are no deeper than that (tests/test_deep.py).
DEEPEST = 1000
# Python frames to allow per level of nesting: the parser takes up to 10 on one level
# (name, function_power, call, expressions, expr, term, unary, power, postfix, atom), and the
# walks of what it builds (the builder, SymPy, the printers) about as many for each of its up
# to 4 levels of SymEngine's tree; above the 1,000 Python starts with.
_FRAMES_PER_LEVEL = 40


def make_room(depth: int) -> None:
    """Raises Python's recursion limit (never lowers it) for expressions nested `depth` deep,
    so that a depth jac accepts is never a RecursionError in the parser or the walks after it.
    From Python 3.11 on, a call of Python code takes no C stack, so the room is only memory."""
    needed = 1000 + _FRAMES_PER_LEVEL * min(depth, DEEPEST)
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)


# The room for the default depth from the start, not at a first parse in the middle of other
# work (Hypothesis, for one, refuses a test that changes the limit).
make_room(DEFAULT_LIMITS.depth)


def too_deep(depth: int) -> str:
    """The message for nesting past `depth` (a Limits.depth), or past what jac can take."""
    if depth >= DEEPEST:
        return (
            f"nested more than {DEEPEST:,} levels deep, the most jac reads whatever "
            f"JAC_MAX_DEPTH says (SymEngine works by recursion on a fixed stack)"
        )
    return f"nested more than {depth:,} levels deep; {limit_hint('depth')}"


def _function_power_advice(function: str, exponent: str, argument: str) -> str:
    """What to write instead of `sin^-1(x)`, `sin^0.5(x)` or `sin^2 x`."""
    written = f"{function}^{exponent if len(exponent) <= 30 else '(...)'}({argument})"
    if exponent.replace(" ", "") in ("-1", "(-1)"):
        inverse = CATALOGUE[function].inverse
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


class Parser:
    def __init__(
        self,
        text: str,
        where: str,
        variables: Collection[str],
        limits: Limits = DEFAULT_LIMITS,
        tokens_before: int = 0,
        shapes: Mapping[str, Shape] | None = None,
        abstract: Collection[str] = (),
    ) -> None:
        self.text = text
        self.where = where
        self.variables = variables
        self.limits = limits
        self.shapes = shapes or {}
        self.abstract = abstract  # functions declared with {abstract}: g(u), g'(u), g_12(u, v)
        self.shaped = False  # set once a vector, a matrix or vector syntax is read
        self.tokens = tokenize(text, where)
        if tokens_before + len(self.tokens) - 1 > limits.tokens:
            over = self.tokens[max(0, limits.tokens - tokens_before)]
            raise LimitError(
                f"the input has more than {limits.tokens:,} tokens (numbers, names, "
                f"operators); {limit_hint('tokens')}",
                Location(text, over.pos, where),
            )
        self.i = 0
        self.depth = 0
        self.deepest = min(limits.depth, DEEPEST)
        make_room(limits.depth)

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
            raise self.error(f"expected {what}, found {describe(tok)}", tok.pos)
        return self.take()

    def nest(self, pos: int) -> None:
        self.depth += 1
        if self.depth > self.deepest:
            raise LimitError(too_deep(self.limits.depth), Location(self.text, pos, self.where))

    # entry points
    def parse_list(self) -> list[Node]:
        bracket = self.peek()
        if bracket.kind == "[":
            self.take()
        items = self.expressions()
        if bracket.kind == "[":
            self.close(bracket, "]", "',' or ']'", "the '['")
        self.finish()
        return items

    def parse_single(self) -> Node:
        node = self.expr()
        self.finish()
        return node

    def expressions(self) -> list[Node]:
        """expr (',' expr)*: the items of a list, or a call's arguments."""
        items = [self.expr()]
        while self.peek().kind == ",":
            self.take()
            items.append(self.expr())
        return items

    def close(self, opening: Token, kind: str, expected: str, opened: str) -> Token:
        """Takes the `kind` token that closes `opening`; else says what was expected there."""
        closing = self.peek()
        if closing.kind != kind:
            raise self.error(
                f"expected {expected} to close {opened} at column {opening.pos + 1}, "
                f"found {describe(closing)}",
                closing.pos,
            )
        return self.take()

    def finish(self) -> None:
        tok = self.peek()
        if tok.kind != "end":
            raise self.error(_AFTER_THE_END.get(tok.kind) or f"unexpected {describe(tok)}", tok.pos)

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
            elif tok.kind in (".*", "./"):
                self.take()
                self.shaped = True
                left = (
                    factors[0][1]
                    if len(factors) == 1
                    else Product(start, factors[-1][1].end, tuple(factors))
                )
                right = self.unary()
                factors = [(False, Elementwise(start, right.end, tok.kind[1], left, right))]
                after_division = False
            elif tok.kind in _ATOM_START:
                if tok.kind == "num":
                    raise self.error(
                        f"missing operator before {describe(tok)} (write * to multiply)",
                        tok.pos,
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
            return factors[0][1]
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
        base = self.postfix()
        if self.peek().kind == ".^":
            op = self.take()
            self.shaped = True
            self.nest(op.pos)
            exponent = self.unary()
            self.depth -= 1
            return Elementwise(base.pos, exponent.end, "^", base, exponent)
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

    def postfix(self) -> Node:
        node = self.atom()
        while self.peek().kind == "'":
            tick = self.take()
            self.shaped = True
            node = Transpose(node.pos, tick.pos + 1, node)
        return node

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
            closing = self.close(tok, ")", "')'", "the '('")
            self.depth -= 1
            return inner.spanning(tok.pos, closing.pos + 1)
        why = _NOT_AN_ATOM.get(tok.kind) or f"expected an expression, found {describe(tok)}"
        raise self.error(why, tok.pos)

    def name(self) -> Node:
        tok = self.take()
        name, end = tok.text, tok.pos + len(tok.text)
        after = self.peek()
        called = after.kind == "("
        if after.kind == "[":
            return self.entry(tok)
        if self.abstract and (name in self.abstract or _derivative_of(name, self.abstract)):
            return self.abstract_call(tok)
        shape = self.shapes.get(name)
        if shape is not None and not called:
            self.shaped = True
            return Name(tok.pos, end, name, shape)
        if name in self.variables:
            if called:
                raise self.error(
                    f"'{name}' is a variable here, not a function: write {name}*(...)",
                    after.pos,
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

    def abstract_call(self, name_tok: Token) -> Call:
        """g(u), g'(u), g''(u) or, for several arguments, g_1(u, v), g_12(u, v): a function
        declared with {abstract} (no formula) or one of its derivatives, as jac prints them."""
        name = name_tok.text
        primes = 0
        while self.peek().kind == "'":
            self.take()
            primes += 1
        if self.peek().kind != "(":
            raise self.error(
                f"'{name}' is a function declared with {{abstract}}: write {name}(...)",
                self.peek().pos,
            )
        call = self.call(name_tok, arity=(1, 1) if primes else (1, 64))
        subscript = _derivative_of(name, self.abstract)
        if subscript is not None and (
            len(call.args) < 2 or any(int(k) > len(call.args) for k in subscript)
        ):
            raise self.error(
                f"{name}(...) is a partial derivative of {name.partition('_')[0]} by its "
                f"arguments {', '.join(subscript)}: it takes at least "
                f"{max(2, *(int(k) for k in subscript))} arguments",
                name_tok.pos,
            )
        return Call(call.pos, call.end, name + "'" * primes, call.args)

    def entry(self, name_tok: Token) -> Name:
        """x[2] or W[1,2] of a name declared with {shape}: the scalar of that name."""
        name = name_tok.text
        shape = self.shapes.get(name)
        opening = self.take()
        if shape is None:
            raise self.error(
                f"'{name}' is not a vector or matrix: declare its shape with {{shape}} "
                f"({name}=3 or {name}=3x2) to index it",
                opening.pos,
            )
        indices: list[Token] = [self.expect("num", "an index (1, 2, ...)")]
        while self.peek().kind == ",":
            self.take()
            indices.append(self.expect("num", "an index (1, 2, ...)"))
        closing = self.close(opening, "]", "']'", "the '['")
        vector = 1 in shape
        if len(indices) != (1 if vector else 2):
            wanted = "one index, x[i]" if vector else "two indices, W[i,j]"
            raise self.error(
                f"'{name}' is {shape[0]}\u00d7{shape[1]}: it takes {wanted}", opening.pos
            )
        sides = (shape[0] * shape[1],) if vector else shape
        for index, side in zip(indices, sides, strict=True):
            if not index.text.isdigit() or not 1 <= int(index.text) <= side:
                raise self.error(
                    f"index {index.text} is out of range: {name}'s indices run from 1 to {side}",
                    index.pos,
                )
        label = ",".join(str(int(t.text)) for t in indices)
        return Name(name_tok.pos, closing.pos + 1, f"{name}[{label}]")

    def call(self, name_tok: Token, arity: tuple[int, int] | None = None) -> Call:
        opening = self.take()
        self.nest(opening.pos)
        args = self.expressions()
        closing = self.close(opening, ")", "',' or ')'", f"{name_tok.text}(")
        self.depth -= 1
        if name_tok.text in VECTOR_FUNCTIONS:
            self.shaped = True
        fewest, most = arity or FUNCTIONS[name_tok.text]
        if not fewest <= len(args) <= most:
            wanted = str(fewest) if fewest == most else f"{fewest} or {most}"
            raise self.error(
                f"{name_tok.text} takes {wanted} argument{'s' if most > 1 else ''}, "
                f"got {len(args)}",
                name_tok.pos,
            )
        return Call(name_tok.pos, closing.pos + 1, name_tok.text, tuple(args))


def _derivative_of(name: str, abstract: Collection[str]) -> str | None:
    """For g_12 with g declared: "12", the arguments it is differentiated by; else None."""
    base, underscore, digits = name.partition("_")
    if underscore and base in abstract and digits.isdigit() and "0" not in digits:
        return digits
    return None
