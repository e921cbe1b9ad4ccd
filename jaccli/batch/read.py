"""Points from CSV, TSV, JSON Lines or a JSON array, in chunks of columns.

CSV and TSV need a header naming the columns; a column whose name is a
variable (or a parameter) is read as numbers, every other column passes
through untouched. JSON Lines holds one object per line, a JSON array (what
`--format json` writes) one object per element; keys name the values. Blank
lines and lines starting with `#` are skipped (before a JSON array too).

The input is read as bytes and decoded here, block by block, so that a file
that is not UTF-8 text (a Parquet file, a UTF-16 export) is a usage error that
names its line rather than a decoding crash; a UTF-8 byte-order mark is dropped.

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
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import IO, Any, NamedTuple

from jaccli.batch import CHUNK_ROWS
from jaccli.errors import JacError, Location, ParseError, UsageError

FORMATS = ("csv", "tsv", "jsonl", "json")

# Bytes are read in blocks of this size (~35,000 lines of three 17-digit numbers): big
# enough that per-block costs vanish, small enough for flat memory.
BLOCK_BYTES = 2 << 20

_WHAT_JAC_READS = "--points reads CSV, TSV, JSON Lines or a JSON array, in UTF-8"


class BadRowError(ParseError):
    """One row (or JSON element) that jac cannot read; the rows around it are fine."""


class _NotText(UsageError):
    """Where the input stops being text; whoever counts its lines says which line."""


class Chunk(NamedTuple):
    """Consecutive points: their input lines, and the numeric columns jac needs."""

    line_numbers: Sequence[int]  # 1-based lines of the input, for messages
    text: str  # CSV/TSV: the raw lines joined by newlines, passed through to the output
    records: list[dict[str, Any]]  # JSON: the parsed objects (else empty)
    columns: dict[str, Any]  # name -> float64 array
    bad: tuple[tuple[int, str], ...] = ()  # skipped rows: (row in this chunk, why); NaN

    @property
    def rows(self) -> int:
        return len(self.line_numbers)


class Points(NamedTuple):
    kind: str  # "csv", "tsv", "jsonl" or "json"
    header: list[str]  # CSV/TSV columns; for JSON, the names jac reads
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
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        return "jsonl"
    if lowered.endswith(".json"):
        return "json"
    return "tsv" if "\t" in first_line else "csv"


def read_points(stream: IO[bytes], name: str, needed: Sequence[str], skip: bool = False) -> Points:
    """Open a stream of points; `needed` are the names that must have values.

    An input with no points at all (empty, only comments) has no chunks.
    """
    blocks = _decoded(stream, name)
    buffer, start = _first_content(blocks, name)
    if start < 0:
        kind = sniff("", name)
        return Points(kind, list(needed), iter(()))
    number = buffer.count("\n", 0, start) + 1
    line_start = buffer.rfind("\n", 0, start) + 1
    if buffer[start] == "[" and sniff("[", name) == "json":
        array = _JsonArray(buffer[line_start:], start - line_start, number, blocks, name)
        return Points("json", list(needed), _object_chunks(array.elements(), name, needed, skip))
    buffer, end = _complete_line(buffer, start, blocks, name)
    text = buffer[line_start:end].rstrip("\r")
    kind = sniff(text, name)
    if kind == "json":
        raise ParseError(
            f"expected a JSON array ([...]); {_WHAT_JAC_READS}",
            Location(text, start - line_start, f"{name} line {number}"),
        )
    if kind == "jsonl":
        lines = _whole_lines(buffer[line_start:], number, blocks, name)
        return Points(kind, list(needed), _object_chunks(_jsonl(lines), name, needed, skip))
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
    lines = _whole_lines(buffer[end + 1 :], number + 1, blocks, name)
    # Lines are kept for the output only when they have columns jac does not read.
    keep = not set(header) <= set(needed)
    table = _Table(name, delimiter, len(header), used, skip)
    return Points(kind, header, table.chunks(lines, keep))


# --------------------------------------------------------------------------- text


def _decoded(stream: IO[bytes], name: str) -> Iterator[str]:
    """The stream as text, in blocks that may end anywhere but inside a character.

    What is not UTF-8 text raises _NotText, after the text before it has been handed on
    (so the points before it are written first). Lines are not counted here: the reader
    of the blocks counts them anyway, and names the line (`_stopped`).
    """
    pending, first = b"", True
    while True:
        raw = stream.read(max(BLOCK_BYTES, 4) if first else BLOCK_BYTES)
        data = pending + raw if pending else raw
        if first:
            first = False
            if data.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise UsageError(
                    f"{name}: UTF-16 text (it starts with a UTF-16 byte-order mark); "
                    f"{_WHAT_JAC_READS} (iconv -f UTF-16 -t UTF-8 converts it)"
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
            raise _NotText(f"not text ({problem}: a binary file?); {_WHAT_JAC_READS}")
        if end:
            return


def _stopped(error: _NotText, name: str, number: int, text: str) -> UsageError:
    """The error for text that stops being text right after `text` (its first line: `number`)."""
    line = number + text.count("\n")
    column = len(text) - text.rfind("\n")
    return UsageError(f"{name} line {line}, column {column}: {error.message}")


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
    except _NotText as e:
        raise _stopped(e, name, 1, buffer) from None
    return buffer, -1


def _complete_line(buffer: str, start: int, blocks: Iterator[str], name: str) -> tuple[str, int]:
    """`buffer` extended until the line at `start` is whole, and that line's end."""
    while (end := buffer.find("\n", start)) < 0:
        try:
            block = next(blocks, None)
        except _NotText as e:
            raise _stopped(e, name, 1, buffer) from None
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
        except _NotText as e:
            raise _stopped(e, name, number, carry) from None
        if block is None:
            break
        carry += block
        block = None
    if carry:
        yield number, carry, carry.split("\n")


def _content(number: int, block: str, lines: list[str]) -> tuple[Sequence[int], list[str]]:
    """The lines of a block that hold data, with their numbers (blank and # lines dropped)."""
    if "\r" in block or "\n\n" in block or "#" in block or not lines[0].strip():
        kept = [(number + k, ln.rstrip("\r")) for k, ln in enumerate(lines)]
        kept = [(n, ln) for n, ln in kept if ln.strip() and not ln.lstrip().startswith("#")]
        return [n for n, _ in kept], [ln for _, ln in kept]
    return range(number, number + len(lines)), lines


def _number(text: str) -> float | None:
    """The number in a field, or None: what float() reads and NumPy's loadtxt does too."""
    stripped = text.strip()
    if "_" in stripped or not stripped.isascii():  # float() alone reads 1_000, other digits
        return None
    try:
        return float(stripped)
    except ValueError:
        return None


def _bad_row(
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


def _reason(message: str, number: int, column: int) -> str:
    """A bad row in one line for the summary: "line 11, column 3: not a number for y: 'abc'"."""
    return f"line {number}, column {column + 1}: {message}"


# --------------------------------------------------------------------------- CSV, TSV


class _Table:
    """Blocks of CSV or TSV lines to chunks: NumPy's parser first, Python's to explain."""

    def __init__(
        self, name: str, delimiter: str, width: int, used: dict[str, int], skip: bool
    ) -> None:
        self.name, self.delimiter, self.width, self.skip = name, delimiter, width, skip
        self.used = used
        self.order = sorted(used.values())
        self.names = {i: n for n, i in used.items()}
        self.everything = self.order == list(range(width))
        # loadtxt reads the last column too (as 0 when jac does not use it), so that a row
        # with too few fields fails there; too many shows in the count of delimiters.
        self.columns = sorted({*self.order, width - 1})
        self.converters: dict[int | str, Callable[[str], float]] = (
            {} if width - 1 in self.order else {width - 1: _zero}
        )

    def chunks(
        self, blocks: Iterator[tuple[int, str, list[str]]], keep_text: bool
    ) -> Iterator[Chunk]:
        for first, block, lines in blocks:
            numbers, texts = _content(first, block, lines)
            if not texts:
                continue
            whole = isinstance(numbers, range)  # no line was dropped: block is their text
            values = None if '"' in block else self._fast(texts, block if whole else None)
            bad: list[tuple[int, str, int]] = []  # (row, why, column)
            if values is None:
                numbers, texts, values, bad = self._slow(numbers, texts)
            if bad and not self.skip:
                row, message, column = bad[0]
                if row:
                    yield self._chunk(numbers[:row], texts[:row], values, (), keep_text)
                raise _bad_row(message, self.name, numbers[row], column, texts[row])
            reasons = []
            for row, message, column in bad:
                reasons.append((row, _reason(message, numbers[row], column)))
                texts[row] = self._nan_line(texts[row])
            yield self._chunk(numbers, texts, values, tuple(reasons), keep_text)

    def _chunk(
        self,
        numbers: Sequence[int],
        texts: list[str],
        values: Any,
        bad: tuple[tuple[int, str], ...],
        keep_text: bool,
    ) -> Chunk:
        rows = len(numbers)
        columns = {n: values[:rows, self.order.index(i)] for n, i in self.used.items()}
        return Chunk(numbers, "\n".join(texts) if keep_text else "", [], columns, bad)

    def _fast(self, texts: list[str], block: str | None) -> Any:
        """NumPy's loadtxt on the whole block, or None when some line needs a closer look."""
        import numpy as np

        try:
            if self.everything:  # loadtxt checks that every row has the same width
                values = np.loadtxt(
                    texts, delimiter=self.delimiter, comments=None, ndmin=2, dtype=float
                )
                return values if values.shape == (len(texts), self.width) else None
            values = np.loadtxt(
                texts,
                delimiter=self.delimiter,
                comments=None,
                usecols=self.columns,
                converters=self.converters,
                ndmin=2,
                dtype=float,
            )
        except ValueError:
            return None
        if block is None:
            block = "\n".join(texts)
        if values.shape[0] != len(texts) or block.count(self.delimiter) != len(texts) * (
            self.width - 1
        ):
            return None
        return values if self.columns == self.order else values[:, :-1]

    def _slow(
        self, numbers: Sequence[int], texts: list[str]
    ) -> tuple[list[int], list[str], Any, list[tuple[int, str, int]]]:
        """Row by row, naming the line and column of whatever is wrong (and quotes handled).

        Without `skip` it stops at the first bad row: the rows before it, and it.
        """
        import numpy as np

        kept_numbers: list[int] = []
        kept_texts: list[str] = []
        rows: list[list[float]] = []
        bad: list[tuple[int, str, int]] = []
        nan_row = [float("nan")] * len(self.order)
        for number, text in zip(numbers, texts, strict=True):
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            row, message, column = self._row(text)
            if row is None:
                bad.append((len(kept_texts), message, column))
                if not self.skip:
                    kept_numbers.append(number)
                    kept_texts.append(text)
                    break
            kept_numbers.append(number)
            kept_texts.append(text)
            rows.append(nan_row if row is None else row)
        values = np.array(rows, dtype=float).reshape(len(rows), len(self.order))
        return kept_numbers, kept_texts, values, bad

    def _row(self, text: str) -> tuple[list[float] | None, str, int]:
        """The values of a line, or None with what is wrong and where (0-based column)."""
        fields = next(csv.reader([text], delimiter=self.delimiter))
        if len(fields) != self.width:
            s = "" if len(fields) == 1 else "s"
            column = (
                _field_column(text, self.delimiter, self.width)
                if len(fields) > self.width
                else len(text)
            )
            return None, f"{len(fields)} field{s} where the header has {self.width}", column
        row = []
        for i in self.order:
            value = _number(fields[i])
            if value is None:
                column = _field_column(text, self.delimiter, i)
                name = self.names[i]
                message = (
                    f"no value for {name}"
                    if not fields[i].strip()
                    else f"not a number for {name}: {fields[i]!r}"
                )
                return None, message, column
            row.append(value)
        return row, "", 0

    def _nan_line(self, text: str) -> str:
        """A skipped row as written: nan in the columns jac reads (in all, if misshapen)."""
        fields = next(csv.reader([text], delimiter=self.delimiter))
        if len(fields) != self.width:
            fields = ["nan"] * self.width
        for i in self.order:
            fields[i] = "nan"
        return self.delimiter.join(_quote(f, self.delimiter) for f in fields)


def _zero(field: str) -> float:
    return 0.0


def _quote(field: str, delimiter: str) -> str:
    if delimiter in field or '"' in field or "\r" in field or "\n" in field:
        return '"' + field.replace('"', '""') + '"'
    return field


def _field_column(text: str, delimiter: str, index: int) -> int:
    column = 0
    for _ in range(index):
        found = text.find(delimiter, column)
        if found < 0:
            return 0
        column = found + 1
    return column


# --------------------------------------------------------------------------- JSON

# One JSON value on its way to a chunk: its line, the value (None if it could not be
# read, with the reason), and for messages (its line's text, or None when that line is
# too long to show; the value's 0-based column), or a function giving them.
_Where = tuple[str | None, int]
_Item = tuple[int, Any, str, _Where | Callable[[], _Where]]


def _jsonl(blocks: Iterator[tuple[int, str, list[str]]]) -> Iterator[_Item]:
    """The lines of JSON Lines, parsed one by one (by orjson; by json for NaN, Infinity)."""
    import orjson

    loads = orjson.loads
    for first, block, lines in blocks:
        numbers, texts = _content(first, block, lines)
        for number, text in zip(numbers, texts, strict=True):
            try:
                value = loads(text)
            except ValueError:  # orjson is strict JSON; json also reads NaN and Infinity
                value, reason, column = _json_loads(text)
                if value is None:
                    yield number, None, reason, (text, column)
                    continue
            if value.__class__ is dict:
                yield number, value, "", (text, 0)
            else:
                yield number, None, "expected a JSON object per line", (text, 0)


def _json_loads(text: str) -> tuple[Any, str, int]:
    """Python's json on one line: its value, or None with why and the 0-based column."""
    try:
        return json.loads(text), "", 0
    except ValueError as e:
        message = e.args[0].partition(": line")[0] if e.args else str(e)
        return None, f"not JSON: {message}", getattr(e, "colno", 1) - 1
    except RecursionError:
        return None, "not JSON: nested too deeply", 0


_DOUBLE_RANGE = 2**1000  # a JSON integer within it is a double: no overflow to check


def _object_chunks(
    items: Iterable[_Item], name: str, needed: Sequence[str], skip: bool
) -> Iterator[Chunk]:
    """JSON objects to chunks of CHUNK_ROWS points; their values checked one by one."""
    import gc
    import itertools

    import numpy as np

    items = iter(items)
    while True:
        batch = _Batch([], [], [], [])
        enabled = gc.isenabled()
        # Parsed JSON holds no reference cycles: while a chunk's objects pile up, the
        # collector would only walk them again and again (half the time, unchecked).
        gc.disable()
        try:
            stop = _gather(items, batch, name, needed, skip)
        finally:
            if enabled:
                gc.enable()
        if batch.numbers:
            flat = itertools.chain.from_iterable(batch.values)
            array = np.fromiter(flat, float, count=len(batch.values) * len(needed))
            array = array.reshape(len(batch.values), len(needed))
            columns = {n: array[:, k] for k, n in enumerate(needed)}
            yield Chunk(batch.numbers, "", batch.records, columns, tuple(batch.bad))
        if stop is not None:  # the input stops being readable: the points before it first
            raise stop
        if len(batch.numbers) < CHUNK_ROWS:
            return


class _Batch(NamedTuple):
    numbers: list[int]
    records: list[dict[str, Any]]
    values: list[list[float]]
    bad: list[tuple[int, str]]


def _gather(
    items: Iterator[_Item], batch: _Batch, name: str, needed: Sequence[str], skip: bool
) -> JacError | None:
    """Up to CHUNK_ROWS objects into `batch`; the error that stops the input, if one does."""
    nan_row = [float("nan")] * len(needed)
    numbers, records, values, bad = batch
    while len(numbers) < CHUNK_ROWS:
        try:
            item = next(items, None)
        except JacError as e:
            return e
        if item is None:
            return None
        number, record, reason, where = item
        row: list[Any] | None = None
        if record is not None:
            try:
                row = [record[n] for n in needed]
            except KeyError:
                row = None
            else:
                for v in row:  # numbers only: not true/false (a kind of int in Python)
                    kind = v.__class__
                    if kind is not float and (
                        kind is not int or not -_DOUBLE_RANGE < v < _DOUBLE_RANGE
                    ):
                        row = None
                        break
            if row is None:
                row, reason = _record_values(record, needed)
        if row is None:
            text, column = where() if callable(where) else where
            if not skip:
                return _bad_row(reason, name, number, column, text)
            bad.append((len(numbers), _reason(reason, number, column)))
        numbers.append(number)
        records.append({} if record is None else record)
        values.append(nan_row if row is None else row)
    return None


def _record_values(record: dict[str, Any], needed: Sequence[str]) -> tuple[list[float] | None, str]:
    """The values jac reads from a JSON object, or None and what is wrong."""
    row = []
    for n in needed:
        value = record.get(n)
        if isinstance(value, float):
            row.append(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            try:
                row.append(float(value))
            except OverflowError:  # an integer beyond every double, as 1e999 is
                row.append(float("inf") if value > 0 else float("-inf"))
        elif value is None:
            return None, f"no value for {n}"
        else:
            return None, f"not a number for {n}: {json.dumps(value)[:40]}"
    return row, ""


class _JsonArray:
    """The elements of one JSON array, decoded one at a time as the text streams in.

    Only the element being decoded and a block or two of text are held, so a JSON
    array of any size (on one line, or one element per line as `--format json` writes
    it) is read in flat memory. Where the text is not valid JSON, reading stops there.
    """

    def __init__(
        self, text: str, start: int, number: int, blocks: Iterator[str], name: str
    ) -> None:
        self.buffer, self.start, self.blocks, self.name = text, start, blocks, name
        self.line, self.counted = number, 0  # the line number at buffer[counted]
        self.dropped = 0  # characters dropped from the front of the buffer so far
        self.line_start = 0  # where the line at `counted` starts, counted from the input's start
        self.done = False

    def elements(self) -> Iterator[_Item]:
        import orjson

        loads = orjson.loads
        scan = vars(json.JSONDecoder())["scan_once"]  # raw_decode without its Python frame
        # One element a line, as --format json writes: each line goes to orjson whole
        # (6 times faster than json), until an element turns out to span lines or share one.
        one_a_line = True
        pos = self._skip_space(self.start + 1)
        if self._char(pos) == "]":
            self._expect_end(pos + 1)
            return
        while True:
            pos = self._skip_space(pos)
            buffer = self.buffer
            value = _NOTHING
            if one_a_line and (newline := buffer.find("\n", pos, pos + _LONGEST_SHOWN)) >= 0:
                text = buffer[pos:newline].rstrip(" \t\r")
                text = text[:-1].rstrip(" \t\r") if text.endswith(",") else text
                try:
                    value, end = loads(text), pos + len(text)
                except ValueError:  # not one element, or NaN, Infinity: json decides
                    value = _NOTHING
            try:
                if value is _NOTHING:
                    value, end = scan(buffer, pos)
                    if end >= len(buffer) and not self.done:  # a number may go on
                        pos = self._more(pos)
                        continue
                    after = _SPACE_COMMA(buffer, end)
                    if one_a_line and after and buffer[after.end() : after.end() + 1] not in "\n]":
                        one_a_line = False  # another element follows on the same line
            except (StopIteration, json.JSONDecodeError) as e:
                where, message = (
                    (e.value, "Expecting value") if isinstance(e, StopIteration) else (e.pos, e.msg)
                )
                near_end = where >= len(buffer) - 16 or message.startswith("Unterminated")
                if near_end and not self.done:  # the element goes on in the next block
                    pos = self._more(pos)
                    continue
                raise self._error(f"not JSON: {message}", where) from None
            except RecursionError:
                raise self._error("not JSON: nested too deeply", pos) from None
            # The line at pos, counted from where the last element was (_line_at, inline).
            counted = self.counted
            newline = buffer.rfind("\n", counted, pos)
            if newline >= 0:
                self.line += buffer.count("\n", counted, pos)
                self.line_start = self.dropped + newline + 1
            self.counted = pos
            locate = partial(_locate, buffer, pos, self.dropped + pos - self.line_start)
            if value.__class__ is dict:
                yield self.line, value, "", locate
            else:
                yield self.line, None, "expected a JSON object in the array", locate
            pos = self._skip_space(end)
            separator = self._char(pos)
            if separator == "]":
                self._expect_end(pos + 1)
                return
            if separator != ",":
                found = "the end of the input" if not separator else repr(separator)
                raise self._error(f"not JSON: expected , or ] in the array, not {found}", pos)
            pos += 1

    def _char(self, pos: int) -> str:
        return self.buffer[pos] if pos < len(self.buffer) else ""

    def _skip_space(self, pos: int) -> int:
        while True:
            space = _SPACE(self.buffer, pos)  # always matches, maybe nothing
            pos = space.end() if space else pos
            if pos < len(self.buffer) or self.done:
                return pos
            pos = self._more(pos)

    def _more(self, pos: int) -> int:
        """One more block; what is before `pos` is dropped. Returns `pos` in the new buffer."""
        try:
            block = next(self.blocks, None)
        except _NotText as e:
            line = self._line_at(len(self.buffer))
            column = self.dropped + len(self.buffer) - self.line_start + 1
            raise UsageError(f"{self.name} line {line}, column {column}: {e.message}") from None
        if block is None:
            self.done = True
            return pos
        self._line_at(pos)
        self.buffer = self.buffer[pos:] + block
        self.dropped += pos
        self.counted = 0
        return 0

    def _line_at(self, pos: int) -> int:
        """The line number at `pos` (lines are counted once, as `pos` moves on)."""
        newline = self.buffer.rfind("\n", self.counted, pos)
        if newline >= 0:
            self.line += self.buffer.count("\n", self.counted, pos)
            self.line_start = self.dropped + newline + 1
        self.counted = pos
        return self.line

    def _error(self, message: str, pos: int) -> ParseError:
        line = self._line_at(pos)
        text, column = _locate(self.buffer, pos, self.dropped + pos - self.line_start)
        return _bad_row(message, self.name, line, column, text, cls=ParseError)

    def _expect_end(self, pos: int) -> None:
        while True:
            pos = self._skip_space(pos)
            if pos >= len(self.buffer):
                return
            if self.buffer[pos] == "#":  # a comment line after the array
                newline = self.buffer.find("\n", pos)
                if newline >= 0:
                    pos = newline + 1
                elif self.done:
                    return
                else:
                    pos = self._more(pos)
                continue
            raise self._error("not JSON: more text after the array's closing ]", pos)


_LONGEST_SHOWN = 1000  # a longer line of a JSON array is named by line and column only
_SPACE = re.compile(r"[ \t\n\r]*").match  # JSON's whitespace
_SPACE_COMMA = re.compile(r"[ \t\r]*,?[ \t\r]*").match
_NOTHING = object()


def _locate(buffer: str, pos: int, column: int) -> tuple[str | None, int]:
    """The line of `buffer` that holds `pos` (None if it is too long to show), and column."""
    start = pos - column
    end = buffer.find("\n", pos, pos + _LONGEST_SHOWN)
    too_long = column > _LONGEST_SHOWN or (end < 0 and pos + _LONGEST_SHOWN < len(buffer))
    if start < 0 or too_long:
        return None, column  # one-line arrays
    return buffer[start : len(buffer) if end < 0 else end].rstrip("\r"), column
