"""CSV and TSV to chunks of columns: NumPy's parser for whole blocks, Python's to explain.

A block that NumPy reads as it is (no quotes, every row as wide as the header, every
field a number) costs one call; otherwise each line is read on its own, so that a bad
row is named by line and column (or, with `skip`, becomes a row of NaN).
"""

import csv
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from jaccli.batch.rows import Chunk, bad_row, content, row_reason, to_number


class Table:
    """Blocks of CSV or TSV lines to chunks: NumPy's parser first, Python's to explain."""

    def __init__(
        self, name: str, delimiter: str, width: int, used: dict[str, int], skip: bool
    ) -> None:
        self.name, self.delimiter, self.width, self.skip = name, delimiter, width, skip
        self.used = used
        self.order = sorted(used.values())
        self.position = {i: k for k, i in enumerate(self.order)}  # of each column among them
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
            numbers, texts = content(first, block, lines)
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
                raise bad_row(message, self.name, numbers[row], column, texts[row])
            reasons = []
            for row, message, column in bad:
                reasons.append((row, row_reason(message, numbers[row], column)))
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
        columns = {n: values[:rows, self.position[i]] for n, i in self.used.items()}
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
            value = to_number(fields[i])
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
