"""Time and memory budgets for the mathematics, enforced from outside.

A Python alarm cannot interrupt SymEngine's C++ or a GMP multiplication, and a
memory error inside them can abort the process. So the work runs in a forked
worker with `RLIMIT_AS` (memory) and `RLIMIT_CORE` 0 (no core files), while this
process waits with a wall-clock deadline and kills the worker when it passes.
The worker sends back its output, or the error it raised, through a pipe; the
caller sees an ordinary return value or exception.

What C libraries write on the worker's file descriptors 1 and 2 (glibc's "cannot
allocate memory for thread-local data", GMP's "Cannot allocate memory", FLINT's
and OpenBLAS's complaints, Python's fatal-error stack dump) goes through a second
pipe to this process, which keeps it for --debug (`details` of the error) instead
of showing it: a worker stopped by its budget gets jac's own message only. Python's
own writes (warnings, progress bars) still reach the real stderr.

SymEngine is loaded before the memory cap is set, so that the cap bounds the
mathematics rather than the loading of shared libraries, and a budget smaller than
what jac needs to start is refused with the size it does need (`start_size`).

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
from typing import Any, BinaryIO, NamedTuple, TypeVar, overload

from jaccli import collector
from jaccli.errors import JacError, LimitError, UsageError, WorkerCrash

T = TypeVar("T")
U = TypeVar("U")

DEFAULT_TIMEOUT = 60.0  # seconds
DEFAULT_MEMORY = 4 << 30  # bytes of address space; see start_size for what jac needs
# Address space above the worker's own once SymEngine is loaded: room to import SymPy
# (about 35 MB) and to work on small inputs. Measured with --max-memory on x86_64 Linux:
# jac needs its start size plus 6 MB for a 2×2 Jacobian and plus 38 MB with SymPy.
START_MARGIN = 64 << 20
_LOG_LIMIT = 1 << 16  # bytes of the worker's C-level stderr kept for --debug
# What C libraries print when an allocation fails under RLIMIT_AS: evidence that a worker
# which died (or raised ImportError) ran out of its memory budget.
_ALLOCATION_FAILURES = (
    "cannot allocate memory",  # glibc ("...for thread-local data"), dlopen, GMP
    "failed to map segment",  # dlopen of a shared library
    "memory allocation",  # OpenBLAS ("Memory allocation still failed")
    "unable to allocate",  # FLINT
    "pthread_create failed",  # OpenBLAS: a thread's stack did not fit
    "can't start new thread",  # Python's RuntimeError, for the same reason
    "out of memory",
    "bad_alloc",  # C++
)

_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


class Budget(NamedTuple):
    timeout: float | None = DEFAULT_TIMEOUT  # None: no deadline
    memory: int | None = DEFAULT_MEMORY  # None: no cap


class BudgetError(LimitError):
    """The mathematics ran out of its time or memory budget."""

    details = ""  # what the worker's C libraries wrote to stderr, shown by --debug


MAX_TIMEOUT = 1e8  # seconds, about three years


def parse_timeout(text: str) -> float | None:
    """`--timeout 90`, `1.5` or `0` (no limit), in seconds."""
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{{timeout}} must be a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"{{timeout}} must be 0 (no limit) or a positive number, not {text!r}")
    if value > MAX_TIMEOUT:  # past what the clocks and select() can count to
        raise UsageError(f"{{timeout}} must be at most {MAX_TIMEOUT:g} s (0 for no limit)")
    return value or None


def parse_memory(text: str) -> int | None:
    """`--max-memory 4G`, `512M`, `0` (no limit): binary units, bytes without one."""
    cleaned = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = cleaned[-1:] if cleaned[-1:] in _UNITS else ""
    number = cleaned[: len(cleaned) - len(unit)]
    try:
        value = float(number)
    except ValueError:
        raise UsageError(
            f"{{max_memory}} must be a size such as 4G or 512M, not {text!r}"
        ) from None
    if not 0 <= value * _UNITS[unit] <= 1 << 60:  # 1 EiB, past any machine (and a C long)
        raise UsageError(
            f"{{max_memory}} must be 0 (no limit) or a size up to 1048576T, not {text!r}"
        )
    return int(value * _UNITS[unit]) or None


def describe_memory(size: int) -> str:
    for unit in ("T", "G", "M", "K"):
        if size >= _UNITS[unit] and size % _UNITS[unit] == 0:
            return f"{size // _UNITS[unit]} {unit}iB"
    return f"{size:,} bytes"


@overload
def run(
    work: Callable[[], T], budget: Budget, deliver: Callable[[T, BinaryIO], T] | None = None
) -> T: ...
@overload
def run(work: Callable[[], T], budget: Budget, deliver: Callable[[T, BinaryIO], U]) -> U: ...


def run(work: Callable[[], Any], budget: Budget, deliver: Any = None) -> Any:  # typed above
    """`work()` within `budget`: its result, its exception, or a BudgetError.

    `deliver(result, stdout)`, if given, runs after `work` in the worker with the
    real stdout, outside the deadline: writing a big result to `less` may take as
    long as its reader likes. What it returns is what `run` returns.
    """
    if not hasattr(os, "fork") or (budget.timeout is None and budget.memory is None):
        with collector.few_collections():
            result = work()
        return deliver(result, sys.stdout.buffer) if deliver else result
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    log_read, log_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover  (the worker; coverage cannot follow a fork)
        try:
            os.close(read_end)
            os.close(log_read)
            _worker(work, deliver, budget, write_end, log_write)
        except BaseException as e:  # its set-up failed: a bug, reported as one
            _send(write_end, ("crash", (f"{type(e).__name__}: {e}", traceback.format_exc())))
        finally:  # whatever happens, the worker never returns into the caller's code
            os._exit(1)
    os.close(write_end)
    os.close(log_write)
    log = _Log(log_read)
    try:
        try:
            kind, payload = _collect(read_end, budget.timeout, log)
        except BaseException:  # the deadline, or Ctrl-C: the worker must not outlive us
            _kill(pid)
            raise
        finally:
            os.close(read_end)
        _, status = os.waitpid(pid, 0)
        log.drain()
    finally:
        os.close(log_read)
    if kind == "ok":
        return payload
    if kind == "small":
        raise _with_log(_too_small(budget, payload), log)
    if kind == "memory":
        raise _with_log(_out_of_memory(budget), log)
    if kind == "crash":
        summary, details = payload
        raise WorkerCrash(summary, details + log.report())
    if kind == "error":
        raise payload
    raise _with_log(_died(status, budget, log.text()), log)


def start_size() -> int | None:
    """The address space (bytes) jac needs to start: this process with SymEngine, plus room.

    Measured in the running process, because it depends on the platform, the Python
    and the libraries installed; rounded up to 16 MiB. None where it cannot be measured
    (no /proc), and then no budget is refused for being small.
    """
    from jaccli import _symengine

    _symengine.load()
    size = _address_space()
    if size is None:  # pragma: no cover  (not Linux)
        return None
    step = 16 << 20
    return -(-(size + START_MARGIN) // step) * step


def _address_space() -> int | None:
    """This process's virtual memory size (what RLIMIT_AS bounds), from /proc."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):  # pragma: no cover
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


class _Log:
    """What the worker writes on its file descriptors 1 and 2, read as it comes (kept short)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.open = True
        self.data = bytearray()
        self.dropped = 0

    def read(self) -> None:
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.open = False
        room = max(0, _LOG_LIMIT - len(self.data))
        self.data += chunk[:room]
        self.dropped += len(chunk) - len(chunk[:room])

    def drain(self) -> None:
        """What is left, without waiting: a grandchild may hold the pipe open."""
        while self.open and select.select([self.fd], [], [], 0)[0]:
            self.read()

    def text(self) -> str:
        return self.data.decode("utf-8", "replace")

    def report(self) -> str:
        if not self.data:
            return ""
        more = f"\n[{self.dropped:,} more bytes]" if self.dropped else ""
        return f"\n--- the worker's stderr ---\n{self.text().rstrip()}{more}\n"


def _with_log(error: BaseException, log: _Log) -> BaseException:
    if isinstance(error, (BudgetError, WorkerCrash)):
        error.details += log.report()
    return error


def _allocation_failed(text: str) -> bool:
    lowered = text.lower()
    return any(sign in lowered for sign in _ALLOCATION_FAILURES)


def _worker(
    work: Callable[[], Any],
    deliver: Callable[[Any, BinaryIO], Any] | None,
    budget: Budget,
    fd: int,
    log: int,
) -> None:  # pragma: no cover
    # Ctrl-C reaches the whole process group: the parent reports it, the worker just stops.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # What C libraries print on their own (FLINT's "Unable to allocate memory") belongs
    # neither among the results nor in front of the user: fds 1 and 2 become the log
    # pipe, only `deliver` gets the real stdout, and Python's streams the real stderr.
    stdout = os.fdopen(os.dup(1), "wb")
    _python_streams_to(os.dup(2))
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    _faults_to_log()
    import resource  # POSIX, as fork is

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if budget.memory is not None:
        try:
            needed = start_size()  # loads SymEngine, outside the cap
        except Exception:  # pragma: no cover  (a broken install: the work will say so)
            needed = None
        if needed is not None and budget.memory < needed:
            _send(fd, ("small", needed))
            os._exit(0)
        resource.setrlimit(resource.RLIMIT_AS, (budget.memory, budget.memory))
    if budget.timeout is not None:
        # A backstop if the parent dies: CPU time never exceeds wall time.
        cpu = math.ceil(budget.timeout) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    code = 0
    collector.rarely_collected()  # for good: the worker ends with the work
    try:
        result = work()
        if deliver is not None:
            _send(fd, ("computed", None))  # the deadline is over for the parent
            result = deliver(result, stdout)
        message: tuple[str, Any] = ("ok", result)
    except MemoryError:
        message = ("memory", None)
    except (ImportError, OSError, RuntimeError) as e:  # a library or a thread's stack that
        # could not be mapped under the cap; anything else of these is a crash, as below
        if budget.memory is None or not _allocation_failed(str(e)):
            message = ("crash", (f"{type(e).__name__}: {e}", traceback.format_exc()))
            code = 1
        else:
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


def _python_streams_to(fd: int) -> None:  # pragma: no cover  (in the worker)
    """sys.stderr (and a sys.stdout on fd 1) write to `fd`, a copy of the real stderr.

    Warnings and Rich's progress bars (Console(stderr=True) looks up sys.stderr at
    each write) keep reaching the user. A test runner's stand-in streams stay as they are.
    """
    import io

    original = sys.stderr
    wrapper = io.TextIOWrapper(
        io.FileIO(fd, "w"),
        encoding=getattr(original, "encoding", None) or "utf-8",
        errors=getattr(original, "errors", None) or "backslashreplace",
        write_through=True,
    )
    for name, number in (("stderr", 2), ("stdout", 1)):
        stream = getattr(sys, name)
        try:
            real = stream.fileno() == number
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation too
            real = False
        if real:
            stream.flush()
            setattr(sys, name, wrapper)


def _faults_to_log() -> None:  # pragma: no cover  (in the worker)
    """Python's fatal-error stack dump (faulthandler, which pytest turns on) into the log.

    An abort under the memory cap is expected; its dump belongs to --debug, not to the
    user's terminal or a test run's output.
    """
    import faulthandler

    if faulthandler.is_enabled():
        faulthandler.enable(file=2, all_threads=True)


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


def _collect(fd: int, timeout: float | None, log: _Log) -> tuple[str, Any]:
    """The worker's last message; ("died", None) if it ended without one."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and wait <= 0:
            raise BudgetError(
                f"stopped after {timeout:g} s, the time budget; "
                "raise it with {timeout_raise} (0 for no limit)"
            )
        ready = select.select([fd, log.fd] if log.open else [fd], [], [], wait)[0]
        if log.fd in ready:
            log.read()
        if fd in ready:
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
        "raise it with {max_memory_raise} (0 for no limit)"
    )


def _too_small(budget: Budget, needed: int) -> BudgetError:
    size = describe_memory(budget.memory) if budget.memory is not None else "memory"
    return BudgetError(
        f"the memory budget of {size} is too small: jac needs about {describe_memory(needed)} "
        "to start; raise it with {max_memory_raise} (0 for no limit)"
    )


def _died(status: int, budget: Budget, log: str = "") -> BaseException:
    """The worker ended without a word: killed by a signal, most likely a failed allocation."""
    signalled = os.WIFSIGNALED(status)
    if signalled and os.WTERMSIG(status) == signal.SIGXCPU:
        return BudgetError("stopped: the computation used up its CPU time budget")
    stopped = signalled and os.WTERMSIG(status) in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    # OpenBLAS raises SIGINT on itself when a thread does not fit in the memory cap; a real
    # Ctrl-C reaches this process too, which then never gets here (KeyboardInterrupt).
    if stopped and not (budget.memory is not None and _allocation_failed(log)):
        return KeyboardInterrupt()  # stopped from outside (kill -INT), not by a budget
    if budget.memory is not None and _allocation_failed(log):
        return _out_of_memory(budget)  # GMP or glibc said so before aborting
    if budget.memory is not None:
        # Under RLIMIT_AS a failed allocation aborts GMP, C++ or the C library itself,
        # before Python can raise, and not every library says why first.
        size = describe_memory(budget.memory)
        return BudgetError(
            f"stopped: the computation ended abruptly, most likely because it needs more "
            f"than {size}, the memory budget; raise it with {{max_memory_raise}} "
            "(0 for no limit; if it still fails then, it is a bug)"
        )
    if signalled:
        return WorkerCrash(
            f"the worker died of signal {signal.Signals(os.WTERMSIG(status)).name}", ""
        )
    return WorkerCrash(f"the worker exited with status {os.waitstatus_to_exitcode(status)}", "")
