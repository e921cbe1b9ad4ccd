"""Records out, one per input point: CSV, TSV, JSON Lines, one JSON array or Parquet.

CSV and TSV rows are the input line, untouched (extra columns pass through),
followed by the results' columns. For eval, F's components `f1..fm` with
--with-value, then J's entries named `df1/dx`, `df1/dy`, ... (∂f_i/∂x_j with the
variables' names), row by row: names that need no quoting in CSV; for det, `det`, or
`sign` and `log_abs_det` with --log. An undefined entry is `nan`; numbers jac read are
written back as `inf`, `-inf` and `nan` when they are. JSON records hold the
input's fields, then each result by its key ("value" and "jacobian" as nested lists,
"det" a number), with null for an undefined entry and an "undefined" list naming J's
undefined entries. JSON has no infinity nor NaN: every such number, read or computed,
is null there.

With --sparse (eval), J's columns are only its structural non-zeros, the same for every
point (one that is 0 at a point is still written), row by row: CSV, TSV and Parquet name
them as above, and JSON's "jacobian" is {"shape": [m, n], "nnz": k, "entries": [[i, j, v],
...]} (1-based), as `jac eval --sparse` writes a matrix, with numbers for entries.

A row that could not be read (--on-error skip) is still one record: `nan` in
every number (CSV, TSV), or "value" and "jacobian" null with an "error" (JSON).
Parquet (`parquet`) holds the input's columns with their types, then the results'
columns as doubles, NaN where undefined. In every format, an input column named as a
result (`df1/dx`, `f1`; a JSON key `jacobian`, ...) is a usage error (`refuse_clash`).

Numbers are printed by orjson: the shortest text that reads back as the same
double, about ten times faster than Python's own formatting.
"""

from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from jaccli.batch.compute import undefined_rows
from jaccli.batch.read import Points
from jaccli.batch.rows import Chunk
from jaccli.errors import UsageError, literal

if TYPE_CHECKING:
    from jaccli.batch.parquet import ParquetOut


def entry_names(m: int, variables: list[str], cells: Any = None) -> list[str]:
    """df1/dx, df1/dy, ...: J's entries row by row, or only `cells` (i·n + j, increasing)."""
    if cells is None:
        return [f"df{i + 1}/d{v}" for i in range(m) for v in variables]
    n = len(variables)
    return [f"df{c // n + 1}/d{variables[c % n]}" for c in cells.tolist()]


class Field(NamedTuple):
    """One result in each record: its JSON key, its CSV columns, its shape in JSON."""

    key: str  # "jacobian", "value", "det"
    columns: list[str]  # CSV and TSV headers of its numbers, in order
    shape: tuple[int, ...]  # () a number, (m,) a list, (m, n) a list of rows
    # --sparse: the entries of J written, as i·n + j (increasing); JSON writes
    # {"shape": [m, n], "entries": [[i, j, v], ...]} with 1-based i and j
    cells: Any = None


def eval_fields(m: int, variables: list[str], with_value: bool, cells: Any = None) -> list[Field]:
    """eval --points: F (with --with-value), then J (its entries `cells` only, if given)."""
    value = [Field("value", [f"f{i + 1}" for i in range(m)], (m,))] if with_value else []
    names = entry_names(m, variables, cells)
    return [*value, Field("jacobian", names, (m, len(variables)), cells)]


def det_fields(log: bool) -> list[Field]:
    """det --points: det J, or (--log) its sign and log|det J|, as NumPy's slogdet gives them."""
    if log:
        return [Field("sign", ["sign"], ()), Field("log_abs_det", ["log_abs_det"], ())]
    return [Field("det", ["det"], ())]


def output_names(fields: Sequence[Field], kind: str) -> list[str]:
    """The names an output gives its results: CSV, TSV and Parquet columns; JSON keys
    (with "undefined" and "error", which some records hold)."""
    if kind in ("json", "jsonl"):
        return [*(f.key for f in fields), "undefined", "error"]
    return [c for f in fields for c in f.columns]


def refuse_clash(inputs: Iterable[str], names: Sequence[str]) -> None:
    """An input column named as a result is refused, in every output (CSV, TSV, JSON,
    Parquet, jaccli.kernel's frames): written twice, a reader by name gets one of the two
    (CSV's and pandas' the input's), and a JSON key once would lose the input's values."""
    taken = set(names)
    for name in inputs:
        if name in taken:
            raise UsageError(
                f"the input has a column {literal(name)} already, as the results do: a "
                "reader by name would get only one of the two; drop or rename it first"
            )


class Undefined(NamedTuple):
    points: int  # points with at least one undefined entry
    examples: tuple[str, ...]  # "line 5 (J[1,1])", the first few


class Writer:
    """Writes records for chunk after chunk; `close()` ends the output."""

    def __init__(
        self,
        kind: str,
        out: IO[bytes],
        points: Points,
        fields: list[Field],
        entries: list[str],
    ) -> None:
        """`fields`: what each record holds; `entries`: the names of J's entries, row by row,
        for the undefined ones."""
        if kind == "parquet" and out.isatty():
            raise UsageError(
                "Parquet is binary, not for a terminal: redirect it to a file "
                "(> points.parquet) or a pipe"
            )
        refuse_clash(points.header, output_names(fields, kind))
        self.kind, self.points = kind, points
        self.parquet: ParquetOut | None = None
        if kind == "parquet":  # encoded in the writer's thread too
            from jaccli.batch import parquet

            columns = [c for f in fields for c in f.columns]
            self.parquet = parquet.ParquetOut(out, points, columns)
        self.out = _Background(self.parquet or out)
        self.fields = fields
        self.names = entries
        self.records = 0
        self.bad_points = 0
        self.examples: list[str] = []
        if kind in ("csv", "tsv"):
            delimiter = "\t" if kind == "tsv" else ","
            header = list(self.points.header) + [c for f in fields for c in f.columns]
            self.out.write((delimiter.join(_quoted(h, delimiter) for h in header) + "\n").encode())
        elif kind == "json":
            self.out.write(b"[")

    def write(self, chunk: Chunk, values: list[Any], undefined: Any) -> None:
        """One chunk's records: `values` holds an array (rows, columns) for each field."""
        bad_rows = undefined_rows(undefined).tolist()
        self._note_undefined(chunk, undefined, bad_rows)
        if self.parquet is not None:
            self.out.write(self.parquet.batch(chunk, values))
        elif self.kind in ("csv", "tsv"):
            self._write_table(chunk, values)
        else:
            self._write_json(chunk, values, undefined, set(bad_rows))
        self.records += len(chunk.line_numbers)

    def close(self) -> Undefined:
        if self.kind == "json":
            self.out.write(b"\n]\n" if self.records else b"]\n")
        self.out.close()
        return Undefined(self.bad_points, tuple(self.examples))

    # ------------------------------------------------------------------ tables

    def _write_table(self, chunk: Chunk, values: list[Any]) -> None:
        import numpy as np

        delimiter = b"\t" if self.kind == "tsv" else b","
        numbers = values[0] if len(values) == 1 else np.hstack(values)
        if chunk.batch is not None:  # Parquet in: its columns as text
            from jaccli.batch.parquet import lines

            prefix = lines(chunk.batch, delimiter)
            body = _number_lines(numbers, delimiter).split(b"\n")
            self.out.write(b"\n".join(map(delimiter.join, zip(prefix, body, strict=True))) + b"\n")
            return
        if not chunk.text:
            # Every input column is a number jac read (or JSON Lines came in): print them
            # with the results, as the same doubles, in one pass rather than line by line.
            inputs = np.column_stack([chunk.columns[h] for h in self.points.header])
            self.out.write(_number_lines(np.hstack([inputs, numbers]), delimiter))
            self.out.write(b"\n")  # apart: appending would copy the whole block
            return
        if self.points.kind == self.kind:
            prefix = chunk.text.encode().split(b"\n")  # extra columns pass through untouched
        else:  # CSV in, TSV out (or back): the same fields, re-delimited
            fields = _redelimit(chunk.text.split("\n"), self.points.kind, self.kind)
            prefix = [line.encode() for line in fields]
        if numbers.shape[1]:
            body = _number_lines(numbers, delimiter).split(b"\n")
            prefix = list(map(delimiter.join, zip(prefix, body, strict=True)))
        self.out.write(b"\n".join(prefix) + b"\n")

    # ------------------------------------------------------------------ JSON

    def _write_json(self, chunk: Chunk, values: list[Any], undefined: Any, bad: set[int]) -> None:
        import orjson

        rows = len(chunk.line_numbers)
        results = [
            (field.key, _listed(field, array, rows))
            for field, array in zip(self.fields, values, strict=True)
        ]
        if chunk.batch is not None:
            from jaccli.batch.parquet import records

            inputs = records(chunk.batch)
        elif chunk.records:  # JSON in: its keys are known a chunk at a time
            refuse_clash(set().union(*chunk.records), output_names(self.fields, self.kind))
            inputs = chunk.records
        else:
            inputs = self._table_records(chunk)
        unread = dict(chunk.bad)
        pieces = []
        for r in range(rows):
            record = dict(inputs[r])
            if r in unread:  # a row that could not be read: nothing was computed
                record.update((key, None) for key, _ in results)
                record["error"] = unread[r]
            else:
                record.update((key, listed[r]) for key, listed in results)
                if r in bad:
                    record["undefined"] = [self.names[c] for c in undefined[r].nonzero()[0]]
            try:
                pieces.append(orjson.dumps(record))
            except TypeError:  # an integer beyond 64 bits, passing through from the input
                pieces.append(_dumps(record))
        if self.kind == "jsonl":
            self.out.write(b"\n".join(pieces) + b"\n")
        else:
            separator = b",\n" if self.records else b"\n"
            self.out.write(separator + b",\n".join(pieces))

    def _table_records(self, chunk: Chunk) -> list[dict[str, Any]]:
        import csv

        header = self.points.header
        if not chunk.text:  # every column is one jac read as a number
            values = [chunk.columns[h].tolist() for h in header]
            return [dict(zip(header, row, strict=True)) for row in zip(*values, strict=True)]
        delimiter = "\t" if self.points.kind == "tsv" else ","
        numeric = set(chunk.columns)
        records = []
        for r, fields in enumerate(csv.reader(chunk.text.split("\n"), delimiter=delimiter)):
            record: dict[str, Any] = {}
            for name, field in zip(header, fields, strict=False):
                record[name] = float(chunk.columns[name][r]) if name in numeric else field
            records.append(record)
        return records

    # ------------------------------------------------------------------ undefined

    def _note_undefined(self, chunk: Chunk, undefined: Any, bad_rows: list[int]) -> None:
        self.bad_points += len(bad_rows)
        for r in bad_rows[: max(0, 3 - len(self.examples))]:
            cells = ", ".join(self.names[c] for c in undefined[r].nonzero()[0][:4])
            self.examples.append(f"{self.points.unit} {chunk.line_numbers[r]} ({cells})")


class _Background:
    """Writes in a thread: the system call runs without the GIL, so the next chunk is
    formatted while this one is copied out (a tenth of the run for 10^6 points). `out`
    is a binary stream, or a ParquetOut (given record batches: it encodes them there)."""

    def __init__(self, out: "IO[bytes] | ParquetOut") -> None:
        import queue
        import threading

        self.out = out
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = threading.Thread(target=self._run, daemon=True)
        try:
            self.thread.start()
        except RuntimeError:  # no room for its stack (a small --max-memory): write here
            self.thread = None

    def _run(self) -> None:
        while (data := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.out.write(data)
                except BaseException as e:  # BrokenPipeError above all: raised in close()
                    self.error = e

    def write(self, data: Any) -> None:
        if self.error is not None:
            raise self.error
        if self.thread is None:
            self.out.write(data)
        else:
            self.queue.put(data)

    def close(self) -> None:
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error
        self.out.flush()


def _listed(field: Field, array: Any, rows: int) -> list[Any]:
    """A field's value in each JSON record: nested lists, or J's entries as [i, j, v]."""
    if field.cells is None:
        listed: list[Any] = array.reshape(rows, *field.shape).tolist()
        return listed
    m, n = field.shape
    places = [[c // n + 1, c % n + 1] for c in field.cells.tolist()]
    nnz = len(places)  # as `jac eval --sparse` writes a matrix: shape, nnz, entries
    return [
        {
            "shape": [m, n],
            "nnz": nnz,
            "entries": [[*p, v] for p, v in zip(places, row, strict=True)],
        }
        for row in array.tolist()
    ]


def _dumps(record: dict[str, Any]) -> bytes:
    """What orjson writes (NaN and infinities as null), for what orjson cannot write."""
    import json
    import math

    def finite(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, list):
            return [finite(v) for v in value]
        if isinstance(value, dict):
            return {k: finite(v) for k, v in value.items()}
        return value

    text = json.dumps(finite(record), ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode()


def _number_lines(numbers: Any, delimiter: bytes) -> bytes:
    """Rows of doubles as delimited lines (`nan`, `inf`, `-inf` as such), no final newline."""
    import numpy as np
    import orjson

    numbers = np.ascontiguousarray(numbers)
    text = orjson.dumps(numbers, option=orjson.OPT_SERIALIZE_NUMPY)
    text = text[2:-2].replace(b"],[", b"\n")
    if b"null" in text:  # orjson writes NaN and both infinities as null: tell them apart
        special = numbers[~np.isfinite(numbers)]  # in the same (row-major) order
        if np.isnan(special).all():
            text = text.replace(b"null", b"nan")
        else:
            words = np.where(np.isnan(special), b"nan", np.where(special > 0, b"inf", b"-inf"))
            pieces = text.split(b"null")
            text = b"".join(
                piece + word for piece, word in zip(pieces, [*words.tolist(), b""], strict=True)
            )
    return text.replace(b",", delimiter) if delimiter != b"," else text


def _quoted(name: str, delimiter: str) -> str:
    if delimiter in name or '"' in name:
        return '"' + name.replace('"', '""') + '"'
    return name


def _redelimit(lines: list[str], source: str, target: str) -> list[str]:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t" if target == "tsv" else ",", lineterminator="\n")
    writer.writerows(csv.reader(lines, delimiter="\t" if source == "tsv" else ","))
    return buffer.getvalue().splitlines()
