"""Time and memory budgets for the mathematics, enforced from outside.

A Python alarm cannot interrupt SymEngine's C++ or a GMP multiplication, and a
memory error inside them can abort the process. So the work runs in a forked
worker with `RLIMIT_AS` (memory) and `RLIMIT_CORE` 0 (no core files), while this
process waits with a wall-clock deadline and kills the worker when it passes.
The worker sends back its output, or the error it raised, through a pipe; the
caller sees an ordinary return value or exception.

Where `fork` does not exist (Windows) the work runs in-process, unbudgeted.
"""

import contextlib
import math
import os
import pickle
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, NamedTuple, TypeVar

from jaccli.errors import JacError, LimitError, UsageError, WorkerCrash

T = TypeVar("T")

DEFAULT_TIMEOUT = 60.0  # seconds
DEFAULT_MEMORY = 4 << 30  # bytes of address space; jac itself needs ~250 MB of it

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


class Budget(NamedTuple):
    timeout: float | None = DEFAULT_TIMEOUT  # None: no deadline
    memory: int | None = DEFAULT_MEMORY  # None: no cap


class BudgetError(LimitError):
    """The mathematics ran out of its time or memory budget."""


def parse_timeout(text: str) -> float | None:
    """`--timeout 90`, `1.5` or `0` (no limit), in seconds."""
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"--timeout must be a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"--timeout must be 0 (no limit) or a positive number, not {text!r}")
    return value or None


def parse_memory(text: str) -> int | None:
    """`--max-memory 4G`, `512M`, `0` (no limit): binary units, bytes without one."""
    cleaned = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = cleaned[-1:] if cleaned[-1:] in _UNITS else ""
    number = cleaned[: len(cleaned) - len(unit)]
    try:
        value = float(number)
    except ValueError:
        raise UsageError(f"--max-memory must be a size such as 4G or 512M, not {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"--max-memory must be 0 (no limit) or a positive size, not {text!r}")
    return int(value * _UNITS[unit]) or None


def describe_memory(size: int) -> str:
    for unit in ("T", "G", "M", "K"):
        if size >= _UNITS[unit] and size % _UNITS[unit] == 0:
            return f"{size // _UNITS[unit]} {unit}iB"
    return f"{size:,} bytes"


def run(
    work: Callable[[], T],
    budget: Budget,
    deliver: Callable[[T, BinaryIO], T] | None = None,
) -> T:
    """`work()` within `budget`: its result, its exception, or a BudgetError.

    `deliver(result, stdout)`, if given, runs after `work` in the worker with the
    real stdout, outside the deadline: writing a big result to `less` may take as
    long as its reader likes. What it returns is what `run` returns.
    """
    if not hasattr(os, "fork") or (budget.timeout is None and budget.memory is None):
        result = work()
        return deliver(result, sys.stdout.buffer) if deliver else result
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover  (the worker; coverage cannot follow a fork)
        os.close(read_end)
        _worker(work, deliver, budget, write_end)
    os.close(write_end)
    try:
        kind, payload = _collect(read_end, budget.timeout)
    except BaseException:  # the deadline, or Ctrl-C: the worker must not outlive us
        _kill(pid)
        raise
    finally:
        os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if kind == "ok":
        return payload  # type: ignore[no-any-return]
    if kind == "memory":
        raise _out_of_memory(budget)
    if kind == "crash":
        raise WorkerCrash(*payload)
    if kind == "error":
        raise payload
    raise _died(status, budget)


def _worker(
    work: Callable[[], Any], deliver: Callable[[Any, BinaryIO], Any] | None, budget: Budget, fd: int
) -> None:  # pragma: no cover
    # Ctrl-C reaches the whole process group: the parent reports it, the worker just stops.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # What C libraries print on their own (FLINT's "Unable to allocate memory") belongs
    # on stderr, never among the results: fd 1 becomes stderr, and only `deliver` gets
    # the real stdout.
    stdout = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    resource = _resource()
    if resource is not None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if budget.memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (budget.memory, budget.memory))
        if budget.timeout is not None:
            # A backstop if the parent dies: CPU time never exceeds wall time.
            cpu = math.ceil(budget.timeout) + 5
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    code = 0
    try:
        result = work()
        if deliver is not None:
            _send(fd, ("computed", None))  # the deadline is over for the parent
            result = deliver(result, stdout)
        message: tuple[str, Any] = ("ok", result)
    except MemoryError:
        message = ("memory", None)
    except JacError as e:
        message = ("error", e)
    except BaseException as e:
        message = ("crash", (f"{type(e).__name__}: {e}", traceback.format_exc()))
        code = 1
    try:
        _send(fd, message)
    finally:
        os._exit(code)


def _send(fd: int, message: tuple[str, Any]) -> None:
    """One message through a pipe: its length, then its pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(8, "big") + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int) -> tuple[str, Any]:
    """The next message `_send` wrote, waiting as long as it takes; ("died", None) at EOF."""
    head = _read_exactly(fd, 8)
    if head is None:
        return "died", None
    body = _read_exactly(fd, int.from_bytes(head, "big"))
    if body is None:
        return "died", None
    return pickle.loads(body)  # type: ignore[no-any-return]


def _read_exactly(fd: int, size: int) -> bytes | None:
    buffer = bytearray()
    while len(buffer) < size:
        chunk = os.read(fd, min(size - len(buffer), 1 << 22))
        if not chunk:
            return None
        buffer += chunk
    return bytes(buffer)


def prefetched(items: Iterator[T]) -> Iterator[T]:
    """`items`, produced by a forked process while the caller works on the previous one.

    For `eval --points`: parsing the next chunk of numbers on the second core while
    this one is evaluated and printed. Errors raised while producing arrive here.
    """
    if not hasattr(os, "fork"):
        yield from items
        return
    import fcntl

    read_end, write_end = os.pipe()
    with contextlib.suppress(OSError):  # fewer, larger writes (Linux's F_SETPIPE_SZ)
        fcntl.fcntl(write_end, 1031, 1 << 20)
    pid = os.fork()
    if pid == 0:  # pragma: no cover  (the producer)
        os.close(read_end)
        code = 0
        try:
            for item in items:
                _send(write_end, ("item", item))
            _send(write_end, ("end", None))
        except JacError as e:
            _send(write_end, ("error", e))
        except BrokenPipeError:
            pass
        except BaseException as e:
            _send(write_end, ("crash", (f"{type(e).__name__}: {e}", traceback.format_exc())))
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        while True:
            kind, payload = _receive(read_end)
            if kind == "item":
                yield payload
            elif kind == "end":
                return
            elif kind == "error":
                raise payload
            elif kind == "crash":
                raise WorkerCrash(*payload)
            else:
                raise WorkerCrash("the process reading the points died", "")
    finally:
        os.close(read_end)
        _kill(pid)


def _resource() -> Any:
    try:
        import resource
    except ImportError:  # pragma: no cover
        return None
    return resource


def _collect(fd: int, timeout: float | None) -> tuple[str, Any]:
    """The worker's last message; ("died", None) if it ended without one."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and wait <= 0:
            raise BudgetError(
                f"stopped after {timeout:g} s, the time budget; "
                "raise it with --timeout or JAC_TIMEOUT (0 for no limit)"
            )
        if select.select([fd], [], [], wait)[0]:
            # The worker writes a message whole, once it has it: read all of it.
            kind, payload = _receive(fd)
            if kind != "computed":
                return kind, payload
            deadline = None  # only delivery is left: as slow as stdout's reader


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):  # pragma: no cover
        pass


def _out_of_memory(budget: Budget) -> BudgetError:
    size = describe_memory(budget.memory) if budget.memory is not None else "memory"
    return BudgetError(
        f"stopped: the computation needs more than {size}, the memory budget; "
        "raise it with --max-memory or JAC_MAX_MEMORY (0 for no limit)"
    )


def _died(status: int, budget: Budget) -> BaseException:
    """The worker ended without a word: killed by a signal, most likely a failed allocation."""
    signalled = os.WIFSIGNALED(status)
    if signalled and os.WTERMSIG(status) == signal.SIGXCPU:
        return BudgetError("stopped: the computation used up its CPU time budget")
    if signalled and os.WTERMSIG(status) in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        return KeyboardInterrupt()  # stopped from outside (kill -INT), not by a budget
    if budget.memory is not None:
        # Under RLIMIT_AS a failed allocation aborts GMP, C++ or the C library itself
        # ("cannot allocate memory for thread-local data"), before Python can raise.
        size = describe_memory(budget.memory)
        return BudgetError(
            f"stopped: the computation ended abruptly, most likely because it needs more "
            f"than {size}, the memory budget; raise it with --max-memory or JAC_MAX_MEMORY "
            "(0 for no limit; if it still fails then, it is a bug)"
        )
    if signalled:
        return WorkerCrash(
            f"the worker died of signal {signal.Signals(os.WTERMSIG(status)).name}", ""
        )
    return WorkerCrash(f"the worker exited with status {os.waitstatus_to_exitcode(status)}", "")
