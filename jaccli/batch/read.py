"""Points from CSV, TSV, JSON Lines, a JSON array or Parquet, in chunks of columns.

CSV and TSV need a header naming the columns; a column whose name is a
variable (or a parameter) is read as numbers, every other column passes
through untouched. JSON Lines holds one object per line, a JSON array (what
`--format json` writes) one object per element; keys name the values. Blank
lines and lines starting with `#` are skipped (before a JSON array too).

The input is read as bytes and decoded here, block by block, so that a file
that is not UTF-8 text (a Parquet file, a UTF-16 export) is a usage error that
names its line rather than a decoding crash; a UTF-8 byte-order mark is dropped.
Parquet (its name, or the magic bytes PAR1 it starts with, or a directory of
Parquet files) is read by `parquet` instead, through pyarrow.

A number is what both Python's `float()` and NumPy read: decimal, with an
exponent or not, or `inf`, `infinity`, `nan` in any case with a sign (in JSON
its numbers and `NaN`, `Infinity`, `-Infinity`). A row is *bad* when it has a
different number of fields than the header (CSV, TSV), when a value jac reads
is missing (an empty field, an absent key, null) or is not a number, or when a
line of JSON Lines is not JSON or not an object (an element of a JSON array:
not an object). With `skip`, a bad row becomes a row of NaN with its reason;
otherwise the rows before it come out as a chunk and then it is raised. What
is wrong with the file as a whole (its header, its encoding, a JSON array that
is not valid JSON) is always an error.
"""

import csv
from collections.abc import Iterator, Sequence
from typing import IO, Any, NamedTuple

from jaccli.batch.json_ import JsonArray, jsonl, object_chunks
from jaccli.batch.rows import WHAT_JAC_READS, Chunk, NotText, stopped
from jaccli.batch.table import Table
from jaccli.errors import Location, ParseError, UsageError, literal

FORMATS = ("csv", "tsv", "jsonl", "json", "parquet")

# Bytes are read in blocks of this size (~35,000 lines of three 17-digit numbers): big
# enough that per-block costs vanish, small enough for flat memory.
BLOCK_BYTES = 2 << 20


class Points(NamedTuple):
    kind: str  # "csv", "tsv", "jsonl", "json" or "parquet"
    header: list[str]  # CSV/TSV/Parquet columns; for JSON, the names jac reads
    chunks: Iterator[Chunk]
    unit: str = "line"  # what Chunk.line_numbers count: "line", or "row" (Parquet)
    schema: Any = None  # Parquet: the input's Arrow schema
    numbers: tuple[str, ...] = ()  # the columns jac reads as numbers


def read_points(
    stream: IO[bytes] | str, name: str, needed: Sequence[str], skip: bool = False
) -> Points:
    """Open a stream of points (a str: a directory, read as a Parquet dataset); `needed`
    are the names that must have values.

    An input with no points at all (empty, only comments) has no chunks.
    """
    from jaccli.batch import parquet

    if isinstance(stream, str):
        points = parquet.read(stream, b"", name, needed, skip)
    else:
        head = stream.read(len(parquet.MAGIC))
        if head == parquet.MAGIC or parquet.named(name):
            points = parquet.read(stream, head, name, needed, skip)
        else:
            points = _read_text(stream, head, name, needed, skip)
    return points._replace(numbers=tuple(needed))


def sniff(first_line: str, name: str) -> str:
    """The format of a points file, from its name or else its first line."""
    lowered = name.lower()
    for suffix, kind in (
        (".tsv", "tsv"),
        (".csv", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
    ):
        if lowered.endswith(suffix):
            return kind
    stripped = first_line.lstrip()
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        return "jsonl"
    if lowered.endswith(".json"):
        return "json"
    return "tsv" if "\t" in first_line else "csv"


def _read_text(
    stream: IO[bytes], head: bytes, name: str, needed: Sequence[str], skip: bool
) -> Points:
    blocks = _decoded(stream, name, head)
    buffer, start = _first_content(blocks, name)
    if start < 0:
        kind = sniff("", name)
        return Points(kind, list(needed), iter(()))
    number = buffer.count("\n", 0, start) + 1
    line_start = buffer.rfind("\n", 0, start) + 1
    if buffer[start] == "[" and sniff("[", name) == "json":
        array = JsonArray(buffer[line_start:], start - line_start, number, blocks, name)
        return Points("json", list(needed), object_chunks(array.elements(), name, needed, skip))
    buffer, end = _complete_line(buffer, start, blocks, name)
    text = buffer[line_start:end].rstrip("\r")
    kind = sniff(text, name)
    if kind == "json":
        raise ParseError(
            f"expected a JSON array ([...]); {WHAT_JAC_READS}",
            Location(text, start - line_start, f"{name} line {number}"),
        )
    if kind == "jsonl":
        lines = _whole_lines(buffer[line_start:], number, blocks, name)
        return Points(kind, list(needed), object_chunks(jsonl(lines), name, needed, skip))
    delimiter = "\t" if kind == "tsv" else ","
    header = [h.strip() for h in next(csv.reader([text], delimiter=delimiter))]
    where = f"{name} line {number}"
    # Sets and one pass: a header of 10^4 variables, each looked up in a list, took 7 s.
    columns = set(header)
    missing = [n for n in needed if n not in columns]
    if missing:
        raise UsageError(
            f"{where}: the header has no column for {', '.join(missing)} "
            f"(columns: {literal(', '.join(header))})"
        )
    wanted, first, repeated = set(needed), dict[str, int](), list[str]()
    for k, h in enumerate(header):
        if h in first and h in wanted:
            repeated.append(h)
        first.setdefault(h, k)
    if repeated:
        raise ParseError(f"column {min(repeated)} appears twice", Location(text, 0, where))
    used = {n: first[n] for n in needed}
    lines = _whole_lines(buffer[end + 1 :], number + 1, blocks, name)
    # Lines are kept for the output only when they have columns jac does not read.
    keep = not columns <= wanted
    table = Table(name, delimiter, len(header), used, skip)
    return Points(kind, header, table.chunks(lines, keep))


# --------------------------------------------------------------------------- text


def _decoded(stream: IO[bytes], name: str, head: bytes = b"") -> Iterator[str]:
    """The stream as text (after `head`, its first bytes, already read), in blocks that
    may end anywhere but inside a character.

    What is not UTF-8 text raises NotText, after the text before it has been handed on
    (so the points before it are written first). Lines are not counted here: the reader
    of the blocks counts them anyway, and names the line (`_stopped`).
    """
    pending, first = head, True
    while True:
        raw = stream.read(max(BLOCK_BYTES, 4) if first else BLOCK_BYTES)
        data = pending + raw if pending else raw
        if first:
            first = False
            if data.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise UsageError(
                    f"{name}: UTF-16 text (it starts with a UTF-16 byte-order mark); "
                    f"{WHAT_JAC_READS} (iconv -f UTF-16 -t UTF-8 converts it)"
                )
            data = data.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark, as spreadsheets write
        if not data:
            if not raw:
                return
            continue
        pending, problem = b"", ""
        nul = data.find(b"\x00")
        good = data if nul < 0 else data[:nul]
        try:
            text = good.decode("utf-8")
        except UnicodeDecodeError as e:
            if raw and nul < 0 and e.end == len(data) and e.reason == "unexpected end of data":
                text, pending = data[: e.start].decode("utf-8"), data[e.start :]
            else:
                text = data[: e.start].decode("utf-8")
                problem = f"byte 0x{data[e.start]:02x} is not UTF-8"
        else:
            if nul >= 0:
                problem = "a NUL byte"
        end = not raw
        raw = data = good = b""  # not held while the block is being read
        if text:
            held = [text]
            text = ""
            yield held.pop()  # nor is the text: the reader's copies are all there is
        if problem:
            raise NotText(f"not text ({problem}: a binary file?); {WHAT_JAC_READS}")
        if end:
            return


def _first_content(blocks: Iterator[str], name: str) -> tuple[str, int]:
    """The text read so far and where its first content starts (-1: there is none)."""
    buffer, i = "", 0
    try:
        for block in blocks:
            buffer += block
            while i < len(buffer):
                if buffer[i].isspace():
                    i += 1
                elif buffer[i] == "#":  # a comment line
                    newline = buffer.find("\n", i)
                    if newline < 0:
                        break
                    i = newline + 1
                else:
                    return buffer, i
    except NotText as e:
        raise stopped(e, name, 1, buffer) from None
    return buffer, -1


def _complete_line(buffer: str, start: int, blocks: Iterator[str], name: str) -> tuple[str, int]:
    """`buffer` extended until the line at `start` is whole, and that line's end."""
    while (end := buffer.find("\n", start)) < 0:
        try:
            block = next(blocks, None)
        except NotText as e:
            raise stopped(e, name, 1, buffer) from None
        if block is None:
            return buffer, len(buffer)
        buffer += block
    return buffer, end


def _whole_lines(
    head: str, number: int, blocks: Iterator[str], name: str
) -> Iterator[tuple[int, str, list[str]]]:
    """Whole lines in big blocks: the number of the first, their text, and the lines.

    No big string is held here longer than it is needed (memory stays flat).
    """
    carry, head = head, ""
    while True:
        cut = carry.rfind("\n")
        if cut >= 0:
            whole, carry = carry[:cut], carry[cut + 1 :]
            lines = whole.split("\n")
            count = len(lines)
            yield number, whole, lines
            whole, lines = "", []
            number += count
        try:
            block = next(blocks, None)
        except NotText as e:
            raise stopped(e, name, number, carry) from None
        if block is None:
            break
        carry += block
        block = None
    if carry:
        yield number, carry, carry.split("\n")
