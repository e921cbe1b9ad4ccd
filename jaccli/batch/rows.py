"""What every reader of points makes: chunks of rows, and the errors for rows it cannot read.

Shared by the CSV/TSV reader (`table`), the JSON readers (`json_`) and `read`, which
turns a stream into blocks of text and hands them on.
"""

from collections.abc import Sequence
from typing import Any, NamedTuple

from jaccli.errors import Location, ParseError, UsageError

WHAT_JAC_READS = "{points} reads CSV, TSV, JSON Lines or a JSON array in UTF-8, or Parquet"


class BadRowError(ParseError):
    """One row (or JSON element) that jac cannot read; the rows around it are fine."""


class NotText(UsageError):
    """Where the input stops being text; whoever counts its lines says which line."""


class Chunk(NamedTuple):
    """Consecutive points: their input lines, and the numeric columns jac needs."""

    line_numbers: Sequence[int]  # 1-based lines of the input, for messages
    text: str  # CSV/TSV: the raw lines joined by newlines, passed through to the output
    records: list[dict[str, Any]]  # JSON: the parsed objects (else empty)
    columns: dict[str, Any]  # name -> float64 array
    bad: tuple[tuple[int, str], ...] = ()  # skipped rows: (row in this chunk, why); NaN
    batch: Any = None  # Parquet: the input's Arrow record batch (its columns pass through)

    @property
    def rows(self) -> int:
        return len(self.line_numbers)


def stopped(error: NotText, name: str, number: int, text: str) -> UsageError:
    """The error for text that stops being text right after `text` (its first line: `number`)."""
    line = number + text.count("\n")
    column = len(text) - text.rfind("\n")
    return UsageError(f"{name} line {line}, column {column}: {error.template}")


def content(number: int, block: str, lines: list[str]) -> tuple[Sequence[int], list[str]]:
    """The lines of a block that hold data, with their numbers (blank and # lines dropped)."""
    if "\r" in block or "\n\n" in block or "#" in block or not lines[0].strip():
        kept = [(number + k, ln.rstrip("\r")) for k, ln in enumerate(lines)]
        kept = [(n, ln) for n, ln in kept if ln.strip() and not ln.lstrip().startswith("#")]
        return [n for n, _ in kept], [ln for _, ln in kept]
    return range(number, number + len(lines)), lines


def to_number(text: str) -> float | None:
    """The number in a field, or None: what float() reads and NumPy's loadtxt does too."""
    stripped = text.strip()
    if "_" in stripped or not stripped.isascii():  # float() alone reads 1_000, other digits
        return None
    try:
        return float(stripped)
    except ValueError:
        return None


def bad_row(
    message: str,
    name: str,
    number: int,
    column: int,
    text: str | None,
    cls: type[ParseError] = BadRowError,
) -> ParseError:
    """The error for line `number`: with the line and a caret, or only where if it's too long."""
    where = f"{name} line {number}"
    if text is None:
        return cls(f"{message} ({where}, column {column + 1})")
    return cls(message, Location(text, column, where))


def row_reason(message: str, number: int, column: int) -> str:
    """A bad row in one line for the summary: "line 11, column 3: not a number for y: 'abc'"."""
    return f"line {number}, column {column + 1}: {message}"
