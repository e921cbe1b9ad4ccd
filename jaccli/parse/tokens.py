"""One line of user text → tokens, with the characters people paste from documents.

A stray character is a ParseError that says what was probably meant (² is ^2).
"""

import re
from typing import NamedTuple

from jaccli.errors import Location, ParseError

_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_SINGLE = {"+", "-", "/", "^", "(", ")", "[", "]", ",", "=", "'"}  # x' is the transpose
_DOTTED = {".*", "./", ".^", ".."}  # elementwise *, /, ^; a range of names x1..x9
# Characters that people paste from documents, and what they unambiguously mean.
_LOOKALIKES = {
    "\u2212": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*",
    "\u2299": ".*",  # ⊙, the elementwise (Hadamard) product
    "\u2032": "'",  # ′, the prime
}  # fmt: skip
_HINTS = {
    "\u00b2": "write ^2 for a square",
    "\u00b3": "write ^3 for a cube",
    '"': "strings are not expressions",
    "_": "names start with a letter",
    ".": "'.' only appears in numbers such as 0.5 and in .* ./ .^",
}


class Token(NamedTuple):
    kind: str  # "num", "name", "end", or the operator text itself ("+", "**", "(", ...)
    text: str
    pos: int


def describe(tok: Token) -> str:
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


# The same tokens, for ASCII text, from one compiled pattern: the blanks, a number (2./x is
# 2 ./ x: the look-ahead is the loop's trailing-dot trim), a name, an operator, or any other
# character, which sends the text to the loop below for its message.
_SCAN = re.compile(
    r"([ \t\r\f\v]+)"
    r"|((?:[0-9]+(?:\.(?![*/^])[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    r"|([A-Za-z][A-Za-z0-9_]*)"
    r"|(\*\*|\.[*/^.]|[-+*/^()\[\],='])"
    r"|(.)",
    re.DOTALL,
)


def tokenize(text: str, where: str = "") -> list[Token]:
    """Split one line of user text into tokens; a stray character is a ParseError."""
    if text.isascii():
        tokens = _scan(text)
        if tokens is not None:
            return tokens
    return _tokenize_each(text, where)


def _scan(text: str) -> list[Token] | None:
    """`tokenize` of ASCII text by one pattern; None at a character it does not take."""
    tokens: list[Token] = []
    append, pos = tokens.append, 0
    for blank, number, name, op, _other in _SCAN.findall(text):
        if blank:
            pos += len(blank)
            continue
        if number:
            append(Token("num", number, pos))
        elif name:
            append(Token("name", name, pos))
        elif op:
            append(Token(op, op, pos))
        else:
            return None
        pos += len(number or name or op)
    append(Token("end", "", len(text)))
    return tokens


def _tokenize_each(text: str, where: str = "") -> list[Token]:
    """`tokenize` character by character: any text, and the message of a stray character."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\f\v":
            i += 1
        elif "0" <= ch <= "9" or (ch == "." and i + 1 < n and "0" <= text[i + 1] <= "9"):
            m = _NUMBER.match(text, i)
            assert m is not None
            number = m.group()
            if number.endswith(".") and text[m.end() : m.end() + 1] in ("*", "/", "^"):
                number = number[:-1]  # 2./x is 2 ./ x, as in MATLAB
            tokens.append(Token("num", number, i))
            i += len(number)
        elif ch == "." and text[i : i + 2] in _DOTTED:
            tokens.append(Token(text[i : i + 2], text[i : i + 2], i))
            i += 2
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
