"""Points from CSV, TSV or JSON Lines, in chunks of columns.

CSV and TSV need a header naming the columns; a column whose name is a
variable (or a parameter) is read as numbers, every other column passes
through untouched. JSON Lines holds one object per line, its keys naming the
values. Blank lines and lines starting with `#` are skipped.
"""

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any, NamedTuple

from jaccli.batch import CHUNK_ROWS
from jaccli.errors import Location, ParseError, UsageError

FORMATS = ("csv", "tsv", "jsonl")


class Chunk(NamedTuple):
    """Consecutive points: their input lines, and the numeric columns jac needs."""

    line_numbers: Sequence[int]  # 1-based lines of the input, for messages
    text: str  # CSV/TSV: the raw lines joined by newlines, passed through to the output
    records: list[dict[str, Any]]  # JSON Lines: the parsed objects (else empty)
    columns: dict[str, Any]  # name -> float64 array

    @property
    def rows(self) -> int:
        return len(self.line_numbers)


# CSV and TSV are read in blocks of about this many characters (~35,000 lines of three
# 17-digit numbers): big enough that per-block costs vanish, small enough for flat memory.
BLOCK_CHARACTERS = 2 << 20


class Points(NamedTuple):
    kind: str  # "csv", "tsv" or "jsonl"
    header: list[str]  # CSV/TSV columns; for JSON Lines, the names jac reads
    chunks: Iterator[Chunk]


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
    if stripped.startswith("{"):
        return "jsonl"
    return "tsv" if "\t" in first_line else "csv"


def read_points(stream: IO[str], name: str, needed: Sequence[str]) -> Points:
    """Open a stream of points; `needed` are the names that must have values."""
    number, text = 0, ""
    while not text.strip() or text.lstrip().startswith("#"):
        line = stream.readline()
        if not line:
            raise UsageError(f"{name}: no points (the file is empty)")
        number, text = number + 1, line.rstrip("\r\n")
        if number == 1:
            text = text.removeprefix("\ufeff")  # a byte-order mark, as spreadsheets write
    kind = sniff(text, name)
    if kind == "jsonl":
        lines = _chain((number, text), _content_lines(stream, number + 1))
        return Points(kind, list(needed), _jsonl_chunks(lines, name, needed))
    delimiter = "\t" if kind == "tsv" else ","
    header = [h.strip() for h in next(csv.reader([text], delimiter=delimiter))]
    where = f"{name} line {number}"
    missing = [n for n in needed if n not in header]
    if missing:
        raise UsageError(
            f"{where}: the header has no column for {', '.join(missing)} "
            f"(columns: {', '.join(header)})"
        )
    repeated = sorted({h for h in header if header.count(h) > 1 and h in needed})
    if repeated:
        raise ParseError(f"column {repeated[0]} appears twice", Location(text, 0, where))
    used = {n: header.index(n) for n in needed}
    blocks = _blocks(stream, number + 1)
    # Lines are kept for the output only when they have columns jac does not read.
    keep = not set(header) <= set(needed)
    return Points(kind, header, _table_chunks(blocks, name, delimiter, len(header), used, keep))


def _blocks(stream: IO[str], first: int) -> Iterator[tuple[Sequence[int], list[str]]]:
    """Lines in big blocks, with their numbers; blank and comment lines dropped."""
    number = first
    while True:
        block = stream.read(BLOCK_CHARACTERS)
        if not block:
            return
        if not block.endswith("\n"):
            block += stream.readline()
        lines = block.split("\n")
        if lines[-1] == "":
            lines.pop()
        if "\r" in block or "\n\n" in block or "#" in block or not lines[0].strip():
            kept = [(number + k, ln.rstrip("\r")) for k, ln in enumerate(lines)]
            kept = [(n, ln) for n, ln in kept if ln.strip() and not ln.lstrip().startswith("#")]
            if kept:
                yield [n for n, _ in kept], [ln for _, ln in kept]
        else:
            yield range(number, number + len(lines)), lines
        number += len(lines)


def _content_lines(stream: IO[str], first: int) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(stream, start=first):
        line = line.rstrip("\r\n")
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, line


def _chain(first: tuple[int, str], rest: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    yield first
    yield from rest


def _batches(lines: Iterator[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for item in lines:
        batch.append(item)
        if len(batch) == CHUNK_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def _table_chunks(
    blocks: Iterator[tuple[Sequence[int], list[str]]],
    name: str,
    delimiter: str,
    width: int,
    used: dict[str, int],
    keep_text: bool,
) -> Iterator[Chunk]:
    import numpy as np

    order = sorted(used.values())
    for numbers, texts in blocks:
        try:
            if any('"' in t for t in texts):
                raise ValueError("quoted fields")  # the csv module handles those below
            values = np.loadtxt(texts, delimiter=delimiter, usecols=order, ndmin=2, dtype=float)
            if values.shape[0] != len(texts):
                raise ValueError("row count")
        except ValueError:
            values = _slow_rows(
                list(zip(numbers, texts, strict=True)), name, delimiter, width, order
            )
        columns = {n: values[:, order.index(i)] for n, i in used.items()}
        yield Chunk(numbers, "\n".join(texts) if keep_text else "", [], columns)


def _slow_rows(
    batch: list[tuple[int, str]], name: str, delimiter: str, width: int, order: list[int]
) -> Any:
    """Row by row, to name the line and column of a bad value (or to handle quotes)."""
    import numpy as np

    rows = []
    for number, text in batch:
        fields = next(csv.reader([text], delimiter=delimiter))
        where = f"{name} line {number}"
        if len(fields) != width:
            raise ParseError(
                f"{len(fields)} fields where the header has {width}", Location(text, 0, where)
            )
        row = []
        for i in order:
            try:
                row.append(float(fields[i]))
            except ValueError:
                column = _field_column(text, delimiter, i)
                raise ParseError(
                    f"not a number: {fields[i]!r}", Location(text, column, where)
                ) from None
        rows.append(row)
    return np.array(rows, dtype=float).reshape(len(rows), len(order))


def _field_column(text: str, delimiter: str, index: int) -> int:
    column = 0
    for _ in range(index):
        found = text.find(delimiter, column)
        if found < 0:
            return 0
        column = found + 1
    return column


def _jsonl_chunks(
    lines: Iterable[tuple[int, str]], name: str, needed: Sequence[str]
) -> Iterator[Chunk]:
    import numpy as np

    for batch in _batches(iter(lines)):
        records = []
        values = np.empty((len(batch), len(needed)), dtype=float)
        for row, (number, text) in enumerate(batch):
            where = f"{name} line {number}"
            try:
                record = json.loads(text)
            except ValueError as e:
                column = getattr(e, "colno", 1) - 1
                raise ParseError(f"not JSON: {e.args[0]}", Location(text, column, where)) from None
            if not isinstance(record, dict):
                raise ParseError("expected a JSON object per line", Location(text, 0, where))
            for k, n in enumerate(needed):
                value = record.get(n)
                if isinstance(value, bool) or not isinstance(value, int | float):
                    what = "no value" if value is None else f"{value!r}, not a number,"
                    raise ParseError(f"{what} for {n}", Location(text, 0, where))
                values[row, k] = value
            records.append(record)
        columns = {n: values[:, k] for k, n in enumerate(needed)}
        yield Chunk([n for n, _ in batch], "", records, columns)
