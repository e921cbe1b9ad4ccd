"""Points in and out as Parquet, through pyarrow (imported here only, and only when used).

A Parquet input is a file named *.parquet or *.pq, or any file (stdin too) that
starts with Parquet's magic bytes `PAR1`, or a directory of such files read as one
dataset (in natural order of their paths: part.2 before part.10; names starting
with `_` or `.`, such as Spark's _SUCCESS, are not data), whose files must all have
the same columns (with --dask too). Its columns jac reads must be integers or
floating point, dictionary-encoded or not (cast to double, by `doubles`, which
jaccli.kernel uses too); a null there makes the row
bad, as an empty field does in CSV, and its message names the row (1-based,
counted over the whole input). Every other column passes through with its Arrow
type. Rows come in record batches of CHUNK_ROWS (never one batch of a whole table:
a table is chunked, and its first batch is not all of it).

A Parquet output holds the input's columns, then the results as double columns
named as in CSV (`df1/dx`, `f1`, `det`, ...), NaN where undefined: what a pandas or
NumPy reader expects, rather than null. Result columns are written without
dictionary encoding, which cannot shrink random doubles and made writing 12×
slower.
"""

from __future__ import annotations

import collections
import os
import re
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from jaccli.batch import CHUNK_ROWS
from jaccli.batch.rows import BadRowError, Chunk
from jaccli.errors import UsageError, literal

if TYPE_CHECKING:
    from jaccli.batch.read import Points

MAGIC = b"PAR1"
SUFFIXES = (".parquet", ".pq")
INSTALL = "pip install 'jaccli[parquet]'"


def pyarrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.parquet, or the usage error that says how to install them."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(f"Parquet needs pyarrow, which is not installed: {INSTALL}") from None
    return pa, pq


def named(name: str) -> bool:
    """Whether a file's name says it is Parquet."""
    return name.lower().endswith(SUFFIXES)


def dataset_files(directory: str) -> list[str]:
    """The Parquet files of a dataset directory (subdirectories too), in natural order."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
        found += [os.path.join(root, f) for f in files if named(f) and not f.startswith(("_", "."))]
    return sorted(found, key=_natural)


def _natural(path: str) -> list[Any]:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", path)]


# --------------------------------------------------------------------------- reading


def read(
    source: IO[bytes] | str, head: bytes, name: str, needed: Sequence[str], skip: bool
) -> Points:
    """Points from a Parquet file (`head`: its first bytes, already read) or a directory."""
    from jaccli.batch.read import Points

    pa, pq = pyarrow()
    if isinstance(source, str):
        paths = dataset_files(source)
        if not paths:
            raise UsageError(f"{name}: a directory with no *.parquet files, not a file of points")
        files: list[tuple[Any, str]] = [(p, literal(p)) for p in paths]  # opened one by one
    elif not head:
        return Points("parquet", list(needed), iter(()), unit="row")
    else:
        if source.seekable():
            handle: Any = source
        else:  # a pipe: Parquet's footer is at the end, so the whole of it is read first
            handle = pa.BufferReader(head + source.read())
        files = [(_open(pq, handle, name), name)]
    schema = dataset_schema(files)
    _check_columns(schema, name, needed)
    # The batch is kept for the output when the input has more than the doubles jac reads.
    keep = any(f.name not in needed or f.type != pa.float64() for f in schema)
    chunks = _chunks(files, name, needed, skip, keep)
    return Points("parquet", list(schema.names), chunks, unit="row", schema=schema)


def dataset_schema(files: Sequence[tuple[Any, str]]) -> Any:
    """The Arrow schema of the files (paths or opened, each with its name for messages) of
    one input: every file must have the same columns, in the same order, of the same types,
    with or without --dask (whose parts would otherwise differ in their columns)."""
    schema = _schema(files[0])
    for file in files[1:]:
        if not _schema(file).equals(schema, check_metadata=False):
            raise UsageError(
                f"{file[1]}: its columns differ from those of {files[0][1]}; the files of a "
                "dataset must have the same columns, in the same order, of the same types"
            )
    return schema


def _schema(file: tuple[Any, str]) -> Any:
    """A file's Arrow schema (from its footer only; a path is not kept open)."""
    source, name = file
    if not isinstance(source, str):
        return source.schema_arrow
    import pyarrow.parquet as pq

    opened = _open(pq, source, name)
    try:
        return opened.schema_arrow
    finally:
        opened.close()


def _open(pq: Any, source: Any, name: str) -> Any:
    import pyarrow as pa

    try:
        return pq.ParquetFile(source)
    except (pa.ArrowException, OSError) as e:
        raise UsageError(f"{name}: not a Parquet file ({literal(str(e))})") from None


def _check_columns(schema: Any, name: str, needed: Sequence[str]) -> None:
    names = list(schema.names)
    counts = collections.Counter(names)
    missing = [n for n in needed if n not in counts]
    if missing:
        raise UsageError(
            f"{name} has no column for {', '.join(missing)} (columns: {literal(', '.join(names))})"
        )
    for n in needed:
        if counts[n] > 1:
            raise UsageError(f"{name}: column {literal(n)} appears twice")
        kind = schema.field(n).type
        if not numeric(kind):
            raise UsageError(
                f"{name}: column {n} holds {literal(str(kind))}, not numbers: jac reads "
                "integer and floating-point columns"
            )


def numeric(kind: Any) -> bool:
    """Whether jac reads an Arrow column of this type: integers and floating point, plain
    or dictionary-encoded (pandas' categoricals, a Parquet column read as a dictionary).
    eval --points and jaccli.kernel decide it here, and convert with `doubles`."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind))


def arrow(values: Any) -> Any:
    """`pyarrow.array(values)` for a NumPy array, without importing pandas for a float64 one.

    pyarrow.array asks pandas whether its argument is pandas' own, importing it first when it
    is installed (0.3 s, a quarter of evaluating a million points); a float64 array is
    wrapped as it is (NaN stays a value, as pyarrow.array leaves it).
    """
    import numpy as np
    import pyarrow as pa

    if values.dtype != np.float64 or values.ndim != 1 or isinstance(values, np.ma.MaskedArray):
        return pa.array(values)  # pyarrow makes the masked entries null
    values = np.ascontiguousarray(values)
    return pa.Array.from_buffers(pa.float64(), len(values), [None, pa.py_buffer(values)])


def doubles(column: Any) -> tuple[Any, Any]:
    """A `numeric` Arrow column (an array or a chunked one) as float64 NumPy values, and
    where it is null (a bool array), or None when nowhere. Integers beyond 2**53 round to
    the nearest double, as CSV's digits do."""
    import pyarrow as pa
    import pyarrow.compute as pc

    null = column.is_null().to_numpy(zero_copy_only=False) if column.null_count else None
    values = pc.cast(column, pa.float64(), safe=False).to_numpy(zero_copy_only=False)
    return values, null


def _chunks(
    files: list[tuple[Any, str]], name: str, needed: Sequence[str], skip: bool, keep: bool
) -> Iterator[Chunk]:
    import pyarrow.parquet as pq

    start = 0  # rows before this batch, over the whole input
    for source, where in files:
        file = _open(pq, source, where) if isinstance(source, str) else source
        try:
            for chunk in _file_chunks(file, start, where, name, needed, skip, keep):
                yield chunk
                start += chunk.rows
        finally:
            file.close()


def _file_chunks(
    file: Any, start: int, where: str, name: str, needed: Sequence[str], skip: bool, keep: bool
) -> Iterator[Chunk]:
    """The chunks of one file, whose first row is row `start` + 1 of the whole input."""
    import numpy as np

    first = start
    for batch in file.iter_batches(batch_size=CHUNK_ROWS):
        rows = batch.num_rows
        columns, missing = {}, np.zeros(rows, dtype=bool)
        reason = np.full(rows, -1)
        for k, n in enumerate(needed):
            columns[n], nulls = doubles(batch.column(n))
            if nulls is not None:
                reason[nulls & ~missing] = k
                missing |= nulls
        numbers = range(start + 1, start + rows + 1)
        bad = missing.nonzero()[0].tolist()
        if bad and not skip:
            row = bad[0]
            if row:
                cut = {n: c[:row] for n, c in columns.items()}
                kept = batch.slice(0, row) if keep else None
                yield Chunk(numbers[:row], "", [], cut, (), kept)
            place = f"{where} row {numbers[row] - first}"
            if where != name:  # a file of a dataset: and where it is in the whole
                place += f", row {numbers[row]} of {name}"
            raise BadRowError(f"no value for {needed[reason[row]]} (null) ({place})")
        reasons = tuple(
            (r, f"row {numbers[r]}: no value for {needed[reason[r]]} (null)") for r in bad
        )
        kept = batch if keep or bad else None  # a null written back is null
        yield Chunk(numbers, "", [], columns, reasons, kept)
        start += rows


# --------------------------------------------------------------------------- writing


class ParquetOut:
    """The Parquet output: the input's columns, then the results' columns (doubles).

    `batch` builds a chunk's record batch; `write` encodes it and `flush` ends the file,
    both in the writer's thread (jaccli.batch.write._Background): pyarrow encodes without
    the GIL while the next chunk is evaluated.
    """

    def __init__(self, out: Any, points: Points, results: list[str]) -> None:
        """`out`: where bytes go; `results`: the names of the result columns."""
        self.pa, pq = pyarrow()
        self.points, self.out, self.results = points, out, results
        self.sink = _Sink()
        self.pq = pq
        self.writer: Any = None
        self.schema: Any = None
        if points.schema is not None or not points.kind.startswith("json"):
            self._start(self._input_schema(None))

    def _input_schema(self, chunk: Chunk | None) -> Any:
        """The input's columns: Parquet's own; CSV's as doubles (read) or text; JSON's as
        pyarrow reads the first chunk's values."""
        pa = self.pa
        if self.points.schema is not None:
            return self.points.schema
        read = set(self.points.numbers if chunk is None else chunk.columns)
        if chunk is None or not chunk.records:
            fields = [
                pa.field(h, pa.float64() if h in read else pa.string()) for h in self.points.header
            ]
            return pa.schema(fields)
        keys = list(dict.fromkeys(k for record in chunk.records for k in record))
        types = {k: pa.array([r.get(k) for r in chunk.records]).type for k in keys}
        return pa.schema([pa.field(k, pa.float64() if k in read else types[k]) for k in keys])

    def _start(self, inputs: Any) -> None:
        pa = self.pa
        from jaccli.batch.write import refuse_clash

        refuse_clash(inputs.names, self.results)  # JSON in: its keys known from a chunk
        results = [pa.field(name, pa.float64()) for name in self.results]
        self.schema = pa.schema([*inputs, *results])
        text = [f.name for f in inputs if not pa.types.is_floating(f.type)]
        self.writer = self.pq.ParquetWriter(self.sink, self.schema, use_dictionary=text or False)

    def batch(self, chunk: Chunk, values: list[Any]) -> Any:
        import numpy as np

        pa = self.pa
        if self.writer is None:
            self._start(self._input_schema(chunk))
        arrays = self._inputs(chunk)
        for array in values:  # (rows, k): copied into k contiguous columns, which the thread
            # encodes while the next chunk is evaluated (perhaps into the same buffers)
            arrays += list(map(arrow, np.array(array.reshape(chunk.rows, -1).T, order="C")))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def write(self, batch: Any) -> None:
        self.writer.write_batch(batch)
        self.out.write(self.sink.take())

    def flush(self) -> None:
        """The end of the file (its footer): called once, when the output is closed."""
        if self.writer is None:  # JSON in, and no points: the columns jac would have read
            self._start(self._input_schema(None))
        self.writer.close()
        self.out.write(self.sink.take())
        self.out.flush()

    def _inputs(self, chunk: Chunk) -> list[Any]:
        pa = self.pa
        fields = list(self.schema)[: len(self.schema) - len(self.results)]
        if chunk.batch is not None:
            return list(chunk.batch.columns)
        if chunk.records:
            names = {f.name for f in fields}
            extra = [k for record in chunk.records for k in record if k not in names]
            if extra:
                raise UsageError(
                    f"key {literal(extra[0])} first appears after the Parquet columns were "
                    "fixed by the first records: give it (as null) in the first record"
                )
            return [self._json_column(f, chunk) for f in fields]
        if not chunk.text:
            return [arrow(chunk.columns[f.name]) for f in fields]
        import csv

        delimiter = "\t" if self.points.kind == "tsv" else ","
        rows = list(csv.reader(chunk.text.split("\n"), delimiter=delimiter))
        return [
            arrow(chunk.columns[f.name])
            if f.name in chunk.columns
            else pa.array([row[k] if k < len(row) else None for row in rows], pa.string())
            for k, f in enumerate(fields)
        ]

    def _json_column(self, field: Any, chunk: Chunk) -> Any:
        pa = self.pa
        if field.name in chunk.columns:
            return arrow(chunk.columns[field.name])
        values = [record.get(field.name) for record in chunk.records]
        try:
            return pa.array(values, field.type)
        except (pa.ArrowException, TypeError, ValueError):
            raise UsageError(
                f"key {literal(field.name)} holds values of another type than in the first "
                f"records ({literal(str(field.type))}): a Parquet column has one type"
            ) from None


class _Sink:
    """What ParquetWriter writes, gathered and handed on once a batch is encoded."""

    closed = False

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


# --------------------------------------------------------------------------- text


def lines(batch: Any, delimiter: bytes) -> list[bytes]:
    """A record batch as lines of CSV or TSV (no newline): doubles in their shortest
    round-trip text, as jac writes its results; other columns as Arrow casts them to
    text; quoted where a field needs it; null empty."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from jaccli.batch.write import _number_lines

    columns = []
    for column in batch.columns:
        if pa.types.is_floating(column.type) and not column.null_count:
            doubles = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
            columns.append(_number_lines(doubles.reshape(-1, 1), delimiter).split(b"\n"))
            continue
        try:
            texts = pc.cast(column, pa.string()).to_pylist()
        except pa.ArrowException:  # lists, structs: as JSON would show them
            import json

            texts = [json.dumps(v, default=str) for v in column.to_pylist()]
        columns.append([b"" if t is None else _field(t, delimiter.decode()) for t in texts])
    return list(map(delimiter.join, zip(*columns, strict=True)))


def _field(text: str, delimiter: str) -> bytes:
    if delimiter in text or '"' in text or "\n" in text or "\r" in text:
        text = '"' + text.replace('"', '""') + '"'
    return text.encode()


def records(batch: Any) -> list[dict[str, Any]]:
    """A record batch as JSON objects: Python values (datetimes, as orjson writes them)."""
    result: list[dict[str, Any]] = batch.to_pylist()
    return result
