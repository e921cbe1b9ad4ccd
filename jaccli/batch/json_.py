"""JSON Lines and JSON arrays to chunks of columns, one object a point.

orjson reads each line (or each element of an array written one a line) for speed;
Python's json reads what orjson refuses (NaN, Infinity) and explains what is not JSON.
A JSON array is decoded element by element as its text streams in, in flat memory.
"""

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any, NamedTuple

from jaccli.batch import CHUNK_ROWS
from jaccli.batch.rows import Chunk, NotText, bad_row, content, row_reason
from jaccli.errors import JacError, ParseError, UsageError

# One JSON value on its way to a chunk: its line, the value (None if it could not be
# read, with the reason), and for messages (its line's text, or None when that line is
# too long to show; the value's 0-based column), or a function giving them.
_Where = tuple[str | None, int]
_Item = tuple[int, Any, str, _Where | Callable[[], _Where]]


def jsonl(blocks: Iterator[tuple[int, str, list[str]]]) -> Iterator[_Item]:
    """The lines of JSON Lines, parsed one by one (by orjson; by json for NaN, Infinity)."""
    import orjson

    loads = orjson.loads
    for first, block, lines in blocks:
        numbers, texts = content(first, block, lines)
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


def object_chunks(
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
            table = array.reshape(len(batch.values), len(needed))
            columns = {n: table[:, k] for k, n in enumerate(needed)}
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
                return bad_row(reason, name, number, column, text)
            bad.append((len(numbers), row_reason(reason, number, column)))
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


class JsonArray:
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
        except NotText as e:
            line = self._line_at(len(self.buffer))
            column = self.dropped + len(self.buffer) - self.line_start + 1
            raise UsageError(f"{self.name} line {line}, column {column}: {e.template}") from None
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
        return bad_row(message, self.name, line, column, text, cls=ParseError)

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
