"""`jaccli.kernel`: J (or det J) on a batch of points, for Dask, Ray, Spark or a process pool.

A Kernel is the text of a problem (the functions, the variable order, the options) and
nothing compiled: it pickles with plain `pickle` in a few hundred bytes, and each process
compiles it once, on first use, through the same plan and evaluator as `jac eval --points`,
so its numbers are the same. Compiled code is never shipped: SymEngine's LLVM code is
machine code for one CPU and the evaluator holds closures, which only cloudpickle would
carry (9 kB for three functions). `jaccli.kernel(...)` compiles once in the caller too, so
that every mistake in the input is an error there (as `eval --points` reports it), not in a
worker an hour later.

Called on a pandas DataFrame, a pyarrow RecordBatch or a pyarrow Table, a kernel returns
the same type: the input's columns, then the results' named as `eval --points` names them
(`f1`.. with `with_value`, `df1/dx`..; `det`; or `sign`, `log_abs_det`). An undefined entry
is NaN. An Arrow null in a column jac reads is a row that cannot be read: an error
(`on_error="stop"`) or NaN in every result (`"skip"`). pandas has no null beside NaN, which is
a number: it gives NaN.

Thread-safe: the plans are cached per process under a lock, and each call works on arrays
of its own (`compute.evaluate` returns arrays that belong to the caller).
"""

from __future__ import annotations

import importlib
import os
import threading
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from jaccli import __version__
from jaccli.batch.rows import BadRowError
from jaccli.errors import PYTHON_NAMES, JacError, JacWarning, UsageError, literal, worded

if TYPE_CHECKING:
    from jaccli.batch.stream import Plan
    from jaccli.problem import PointText, ShapesText

FORMAT = 2
"""The layout of a pickled kernel's text; a kernel pickled in another one is refused.
Format 2 added `sparse` at the end of the text: format 1's reads as sparse=False."""


class Spec(NamedTuple):
    """Everything a kernel is: text and flags, the same in every process."""

    functions: tuple[str, ...]
    stdin: str | None  # the text an argument "-" stands for (the CLI's stdin)
    vars: str | None  # None: inferred, as eval --points infers them
    shape: str | None
    abstract: str | None
    at: str | None  # parameters' values for every point
    with_value: bool
    det: str | None  # None: J; "det": det J; "log": its sign and log|det J|
    on_error: str  # "stop" or "skip", at a row that cannot be read (an Arrow null)
    sparse: bool = False  # J's structural non-zeros only (eval --points --sparse)


_PLANS: dict[Spec, Plan] = {}  # per process: compiled once, on first use
_LOCK = threading.Lock()


def kernel(
    functions: str | Sequence[str],
    vars: str | Sequence[str] | None = None,
    *,
    at: PointText | None = None,
    shape: ShapesText | None = None,
    abstract: str | Sequence[str] | None = None,
    with_value: bool = False,
    det: bool | str | None = None,
    on_error: str = "stop",
    sparse: bool = False,
) -> Kernel:
    """J at every point of a batch, as `jac eval F --vars ... --points` computes it.

        >>> k = jaccli.kernel("x*y, x+y", vars="x,y")
        >>> k.columns()
        ['df1/dx', 'df1/dy', 'df2/dx', 'df2/dy']

    `at` gives parameters one value for every point (others are read from columns of their
    name); `with_value=True` adds F (`f1`..); `det=True` gives det J instead of J, `det="log"`
    its sign and log|det J|; `on_error="skip"` writes NaN for a row with an Arrow null where
    the default stops with an error; `sparse=True` gives only J's structurally non-zero
    entries (the same columns at every point), as `eval --points --sparse`. Mistakes in the
    input raise here; likely typos warn.
    """
    spec = Spec(
        _texts(functions, "functions"),
        None,
        None if vars is None else ",".join(_texts(vars, "vars")),
        _shape_text(shape),
        None if abstract is None else ",".join(_texts(abstract, "abstract")),
        None if at is None else _point_text(at),
        bool(with_value),
        _det_mode(det),
        _on_error(on_error),
        _sparse(sparse, det),
    )
    if "-" in spec.functions:
        raise UsageError("'-' stands for stdin on the command line: give the functions' text")
    found = Kernel(spec)
    try:
        typos = found.check()
    except JacError as e:  # as the API does: the caret under the mistake, in the traceback
        if e.location is not None and hasattr(e, "add_note"):
            from jaccli.parse import format_error

            e.add_note(format_error(e, PYTHON_NAMES))
        raise
    for typo in typos:
        warnings.warn(worded(typo, PYTHON_NAMES), JacWarning, stacklevel=2)
    return found


class Computed(NamedTuple):
    """A batch's results: one row per point."""

    numbers: Any  # (rows, len(columns())) float64, NaN where undefined or not read
    undefined: Any  # (rows, m*n) bool: J's undefined entries (False in rows not read)


class Kernel:
    """A problem as text, callable on batches of points; see `jaccli.kernel`."""

    __slots__ = ("spec",)

    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def __reduce__(self) -> tuple[Any, tuple[int, str, tuple[Any, ...]]]:
        return (_restore, (FORMAT, __version__, tuple(self.spec)))  # text only: never code

    def __dask_tokenize__(self) -> tuple[Any, ...]:
        return ("jaccli.kernel", FORMAT, __version__, *self.spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Kernel) and other.spec == self.spec

    def __hash__(self) -> int:
        return hash(self.spec)

    def __repr__(self) -> str:
        options = [f"vars={self.spec.vars!r}"] + [
            f"{k}={v!r}"
            for k, v in self.spec._asdict().items()
            if k in ("at", "shape", "abstract", "with_value", "det", "sparse")
            and v not in (None, False)
        ]
        return f"jaccli.kernel({', '.join(self.spec.functions)!r}, {', '.join(options)})"

    # ------------------------------------------------------------------ the plan

    @property
    def plan(self) -> Plan:
        """The compiled plan, made once per process (on first use after unpickling)."""
        found = _PLANS.get(self.spec)
        return found if found is not None else self._compile()[0]

    def check(self) -> tuple[str, ...]:
        """Compile now (if not yet): the input's errors raise, its warnings are returned."""
        return self._compile()[1]

    def _compile(self) -> tuple[Plan, tuple[str, ...]]:
        from jaccli import problem
        from jaccli.batch import stream
        from jaccli.parse import limits_from_env

        spec = self.spec
        with _LOCK:  # one compile per process, whichever thread asks first
            found = _PLANS.get(spec)
            if found is not None:
                return found, ()
            read = problem.read(
                list(spec.functions),
                spec.vars,
                stdin=spec.stdin,
                limits=limits_from_env(os.environ),
                shapes=spec.shape,
                abstract=spec.abstract,
            )
            plan = stream.plan(read, spec.at, spec.with_value, spec.det, spec.sparse)
            _PLANS[spec] = plan
        return plan, read.warnings + plan.warnings

    # ------------------------------------------------------------------ what it gives

    def inputs(self) -> list[str]:
        """The columns it reads: the variables, then the parameters not given by `at`."""
        return [*self.plan.variables, *self.plan.parameters]

    def columns(self) -> list[str]:
        """The names of the columns it adds, as `eval --points` names them."""
        from jaccli.batch.stream import fields

        return [c for f in fields(self.plan) for c in f.columns]

    def entries(self) -> list[str]:
        """The names of J's entries, row by row (with `sparse`, its non-zeros only): what
        `Computed.undefined`'s columns are."""
        from jaccli.batch.stream import nonzero
        from jaccli.batch.write import entry_names

        plan = self.plan
        return entry_names(plan.compiled.shape[0], plan.variables, nonzero(plan))

    def schema(self, inputs: Any = None) -> Any:
        """The Arrow schema of its output: `inputs`' fields, then a float64 field a column."""
        from jaccli.batch.write import refuse_clash

        pa = untyped("pyarrow")

        refuse_clash(inputs.names if inputs else (), self.columns())
        added = [pa.field(c, pa.float64()) for c in self.columns()]
        return pa.schema([*(inputs or ()), *added])

    def meta(self, frame: Any) -> Any:
        """The empty pandas frame it returns for `frame` (a pandas or Dask DataFrame), as
        Dask's `map_partitions(kernel, meta=kernel.meta(ddf))` wants it."""
        import numpy as np

        empty = getattr(frame, "_meta", frame).iloc[:0]
        return _pandas_joined(empty, np.empty((0, len(self.columns()))), self.columns())

    # ------------------------------------------------------------------ evaluation

    def __call__(self, batch: Any) -> Any:
        """The batch (pandas DataFrame, pyarrow RecordBatch or Table) with the results added."""
        import numpy as np

        from jaccli.batch.write import refuse_clash

        arrow = _is_arrow(batch)
        refuse_clash(map(str, batch.schema.names if arrow else batch.columns), self.columns())
        columns, null = self.read(batch)
        if null is not None and self.spec.on_error == "stop":
            row = int(np.argmax(null))
            names = [n for n in self.inputs() if _is_null(batch, n, row)]
            raise BadRowError(
                f"row {row + 1} of the batch has no value for {literal(names[0])} (null); "
                "on_error='skip' gives NaN there and goes on"
            )
        computed = self.compute(columns, len(batch), null)
        if arrow:
            return self.joined(batch, computed.numbers)
        return _pandas_joined(batch, computed.numbers, self.columns())

    def read(self, batch: Any) -> tuple[dict[str, Any], Any]:
        """The float64 columns it reads from `batch`, and where any is null (or None)."""
        reader = _arrow_columns if _is_arrow(batch) else _pandas_columns
        return reader(batch, self.inputs())

    def joined(self, batch: Any, numbers: Any) -> Any:
        """An Arrow `batch` (or table) with the columns of `numbers` (`compute`) added."""
        return _arrow_joined(batch, numbers, self.schema(batch.schema))

    def compute(
        self, columns: Mapping[str, Any], rows: int, null: Any = None, *, reuse: bool = False
    ) -> Computed:
        """The results at `rows` points given as float64 columns (`inputs()`); rows where
        `null` is True were not read: NaN everywhere, nothing undefined. With `reuse`, the
        arrays are this thread's and its next call with `reuse` overwrites them (fewer page
        faults: for a caller that writes each batch out before the next)."""
        import numpy as np

        from jaccli.batch.compute import determinants, evaluate

        plan = self.plan
        if not rows:  # an empty partition (Dask makes them), or nothing before a bad row
            empty = np.zeros((0, len(self.entries())), bool)
            return Computed(np.empty((0, len(self.columns()))), empty)
        fixed = {name: np.full(rows, value) for name, value in plan.fixed.items()}
        at = {**columns, **fixed}
        result = evaluate(plan.compiled, at, reuse=reuse, sparse=plan.sparse)
        if null is not None:
            result.jacobian[null] = np.nan
            result.undefined[null] = False
            if result.value is not None:
                result.value[null] = np.nan
        if plan.det is not None:
            n = len(plan.variables)
            parts = determinants(result.jacobian, result.undefined, n, plan.det == "log")
        else:
            parts = [*([result.value] if result.value is not None else []), result.jacobian]
        numbers = parts[0] if len(parts) == 1 else np.hstack(parts)
        return Computed(numbers, result.undefined)


def _restore(form: int, version: str, spec: tuple[Any, ...]) -> Kernel:
    """A kernel from its pickled text, in a process that compiles it on first use."""
    if form not in (1, FORMAT):
        raise UsageError(
            f"this kernel was pickled by jac {version} in format {form}; jac {__version__} "
            f"reads format {FORMAT}: install the same jac where the kernel is made and run"
        )
    if version != __version__:
        warnings.warn(
            f"a kernel pickled by jac {version} runs on jac {__version__}: results may differ",
            JacWarning,
            stacklevel=2,
        )
    return Kernel(Spec(*spec))


# --------------------------------------------------------------------------- the inputs


def untyped(name: str) -> Any:
    """pyarrow, pandas or dask, imported where used: mypy reads no types from them."""
    return importlib.import_module(name)


def _texts(value: object, name: str) -> tuple[str, ...]:
    """Functions, variables and names are text jac parses, never Python objects."""
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, Sequence) or not all(isinstance(v, str) for v in items):
        raise TypeError(f"{name} must be a string or a sequence of strings, as typed")
    return tuple(items)


def _shape_text(shape: ShapesText | None) -> str | None:
    """Declared shapes as the text --shape takes: {"W": (3, 2), "x": 2} is "W=3x2,x=2"."""
    if shape is None or isinstance(shape, str):
        return shape
    parts = []
    for name, size in shape.items():
        sides = (size,) if isinstance(size, int) else tuple(size)
        parts.append(f"{name}={'x'.join(str(side) for side in sides)}")
    return ",".join(parts)


def _point_text(at: PointText) -> str:
    from jaccli.problem import _point_text as text

    return at if isinstance(at, str) else text(at)


def _det_mode(det: bool | str | None) -> str | None:
    if det is None or det is False:
        return None
    if det is True or det == "det":
        return "det"
    if det == "log":
        return "log"
    raise UsageError(f"det= is True (det J) or 'log' (its sign and log|det J|), not {det!r}")


def _sparse(sparse: bool, det: bool | str | None) -> bool:
    from jaccli.batch.stream import no_sparse_det

    no_sparse_det(det, sparse)
    return bool(sparse)


def _on_error(on_error: str) -> str:
    if on_error not in ("stop", "skip"):
        raise UsageError(f"on_error= is 'stop' or 'skip', not {on_error!r}")
    return on_error


# --------------------------------------------------------------------------- batches


def _is_arrow(batch: Any) -> bool:
    module = type(batch).__module__
    if module.startswith("pyarrow"):
        return True
    if module.startswith("pandas"):
        return False
    raise TypeError(
        f"a kernel takes a pandas DataFrame, a pyarrow RecordBatch or a pyarrow Table, "
        f"not {type(batch).__name__}"
    )


def _missing(name: str, names: Sequence[str]) -> UsageError:
    shown = ", ".join(literal(str(n)) for n in list(names)[:8])
    more = ", ..." if len(names) > 8 else ""
    return UsageError(f"no column {literal(name)} among the columns {shown}{more}")


def _not_numbers(name: str, kind: object) -> UsageError:
    return UsageError(
        f"column {literal(name)} holds {literal(str(kind))}: jac reads integers and floats"
    )


def _arrow_columns(batch: Any, names: Sequence[str]) -> tuple[dict[str, Any], Any]:
    """float64 columns of an Arrow batch or table, and where any of them is null (or None)."""
    from jaccli.batch.parquet import doubles, numeric

    columns, null = {}, None
    for name in names:
        index = batch.schema.get_field_index(name)
        if index < 0:
            raise _missing(name, batch.schema.names)
        column = batch.column(index)
        if not numeric(column.type):  # as eval --points reads a Parquet column
            raise _not_numbers(name, column.type)
        columns[name], missing = doubles(column)
        if missing is not None:
            null = missing if null is None else null | missing
    return columns, null


def _pandas_columns(frame: Any, names: Sequence[str]) -> tuple[dict[str, Any], None]:
    import numpy as np

    pd = untyped("pandas")

    columns = {}
    for name in names:
        if name not in frame.columns:
            raise _missing(name, list(frame.columns))
        series = frame[name]
        kind = series.dtype  # a categorical of numbers is read, as Arrow's dictionary is
        values = kind.categories if isinstance(kind, pd.CategoricalDtype) else series
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise _not_numbers(name, kind)
        columns[name] = series.to_numpy(dtype=np.float64, na_value=np.nan)
    return columns, None


def _is_null(batch: Any, name: str, row: int) -> bool:
    return bool(batch.column(batch.schema.get_field_index(name))[row].as_py() is None)


def _arrow_joined(batch: Any, numbers: Any, schema: Any) -> Any:
    """The Arrow batch or table with one float64 column per result, each contiguous."""
    import numpy as np

    pa = untyped("pyarrow")

    from jaccli.batch.parquet import arrow

    by_column = np.array(numbers.T, order="C")  # a copy: strided slices cost twice as much
    arrays = [*batch.columns, *(arrow(values) for values in by_column)]
    kind = pa.Table if isinstance(batch, pa.Table) else pa.RecordBatch
    return kind.from_arrays(arrays, schema=schema)


def _pandas_joined(frame: Any, numbers: Any, names: list[str]) -> Any:
    pd = untyped("pandas")

    results = pd.DataFrame(numbers, columns=names, index=frame.index)
    return pd.concat([frame, results], axis=1)
