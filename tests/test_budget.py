"""Memory budgets that never look like a bug: too small to start, or out of memory on the way.

Through the installed `jac` wherever the real fork and RLIMIT_AS matter: a budget below
what jac needs to start is a limit (exit 3) naming the size that works, and whatever
C libraries print as they fail under the cap (glibc, GMP, OpenBLAS, Python's fatal-error
dump) stays out of the user's stderr, which holds jac's own message only.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jaccli import budget
from tests.installed import run

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc are Linux's")

_TOO_SMALL = re.compile(
    r"jac: error: the memory budget of (\d+) MiB is too small: jac needs about (\d+) MiB "
    r"to start; raise it with --max-memory or JAC_MAX_MEMORY \(0 for no limit\)\n"
)


def _one_clean_error(out: subprocess.CompletedProcess[str]) -> str:
    """The one line jac wrote, after checking it is all there is."""
    assert out.stdout == "", out
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("jac: error: "), out.stderr
    assert "internal error" not in out.stderr and "interrupted" not in out.stderr
    return out.stderr


def _start_size() -> int:
    """What jac says it needs to start, in MiB (asked with a budget far too small)."""
    out = run("eval", "x", "--vars", "x", "--at", "x=1", "--max-memory", "1M")
    assert out.returncode == 3, out
    m = _TOO_SMALL.fullmatch(_one_clean_error(out))
    assert m, out.stderr
    return int(m.group(2))


def test_a_budget_too_small_to_start_names_the_size_that_works() -> None:
    out = run("eval", "x", "--vars", "x", "--at", "x=1", "--max-memory", "50M")
    assert out.returncode == 3, out  # was 70, "a bug in jac": SymEngine could not be mapped
    m = _TOO_SMALL.fullmatch(_one_clean_error(out))
    assert m and m.group(1) == "50", out.stderr
    needed = int(m.group(2))
    assert 64 < needed < 1024
    works = run("eval", "x", "--vars", "x", "--at", "x=1", "--max-memory", f"{needed}M")
    assert (works.returncode, works.stdout, works.stderr) == (0, "1\n", "")
    by_environment = run("eval", "x", "--vars", "x", "--at", "x=1", env={"JAC_MAX_MEMORY": "50M"})
    assert by_environment.returncode == 3 and _TOO_SMALL.fullmatch(by_environment.stderr)


def test_every_budget_below_the_start_size_is_the_same_clean_error() -> None:
    needed = _start_size()
    for size in (1, 30, 60, 75, 85, 90, 100, needed - 1):
        out = run("jacobian", "x*y", "--vars", "x,y", "--max-memory", f"{size}M")
        assert out.returncode == 3, (size, out)
        assert _TOO_SMALL.fullmatch(_one_clean_error(out)), (size, out.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ("jacobian", "x+y, x*y", "--vars", "x,y", "--format", "table"),
        ("det", "x^2-y^2, 2*x*y", "--vars", "x,y", "--format", "latex"),  # SymPy, back
        ("jacobian", "(x^2-1)/(x-1), sin(x)^2+cos(x)^2", "--vars", "x", "--simplify"),
        ("eval", "exp(x*y)", "--vars", "x,y", "--at", "x=sqrt(-1),y=2", "--digits", "6"),
        ("linearize", "x^2+y, x*y", "--vars", "x,y", "--at", "x=1,y=2", "--format", "json"),
    ],
)
def test_the_start_size_is_enough_for_small_work(args: tuple[str, ...]) -> None:
    # SymPy's results converted back once imported NumPy (and OpenBLAS's threads: 120 MB
    # of address space) only to ask whether they were NumPy floats.
    out = run(*args, "--max-memory", f"{_start_size()}M")
    assert out.returncode == 0, out
    assert out.stderr == ""


def test_gmp_running_out_says_only_jacs_message() -> None:
    # 3^(10^9) has 477 million digits: GMP aborts under the cap after printing
    # "GNU MP: Cannot allocate memory", which used to reach the user's stderr.
    size = max(_start_size() + 64, 300)
    out = run(
        "jacobian", "3^(10^9)*x", "--vars", "x", "--max-memory", f"{size}M",
        env={"JAC_MAX_DIGITS": "1000000000"},
    )  # fmt: skip
    assert out.returncode == 3, out
    assert _one_clean_error(out) == (
        f"jac: error: stopped: the computation needs more than {size} MiB, the memory budget; "
        "raise it with --max-memory or JAC_MAX_MEMORY (0 for no limit)\n"
    )


def test_points_under_small_budgets_are_budget_errors_never_interruptions(tmp_path: Path) -> None:
    # NumPy's OpenBLAS raises SIGINT on itself when its threads do not fit: that was
    # reported as "jac: interrupted" (130), and a library that could not be mapped as 70.
    points = tmp_path / "points.csv"
    points.write_text("x,y\n1,2\n3,4\n")
    needed = _start_size()
    for size in range(needed, needed + 160, 8):  # a step of 16 MiB missed 216 MiB (the writer)
        out = run(
            "eval", "x*y", "--vars", "x,y", "--points", str(points), "--max-memory", f"{size}M"
        )
        if out.returncode == 0:
            assert out.stderr == "" and out.stdout.startswith("x,y,df1/dx"), (size, out)
        else:
            assert out.returncode == 3, (size, out)
            assert "the memory budget" in _one_clean_error(out), (size, out.stderr)
    assert run("eval", "x*y", "--vars", "x,y", "--points", str(points)).returncode == 0


# --------------------------------------------------------------------------- the worker


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """A fresh Python with faulthandler on (as under pytest), running `code`."""
    return subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_an_abort_in_the_worker_leaves_no_fatal_error_dump_on_stderr() -> None:
    out = _python(
        """
        import os
        from jaccli import budget
        try:
            budget.run(os.abort, budget.Budget(timeout=30, memory=None))
        except budget.WorkerCrash as e:
            print(str(e), "Fatal Python error" in e.details)
        """
    )
    assert out.stdout == "the worker died of signal SIGABRT True\n"  # kept for --debug
    assert "Fatal Python error" not in out.stderr and out.stderr == ""


def test_c_level_writes_are_kept_and_python_writes_still_reach_stderr() -> None:
    out = _python(
        """
        import os, sys, warnings
        from jaccli import budget

        def work():
            os.write(2, b"raw text from a C library\\n")
            os.write(1, b"more raw text, on fd 1\\n")
            sys.stderr.write("a note from Python\\n")
            warnings.warn("a Python warning")
            return 42

        print(budget.run(work, budget.Budget(timeout=30, memory=None)))
        """
    )
    assert out.stdout == "42\n"
    assert "a note from Python" in out.stderr and "a Python warning" in out.stderr
    assert "raw text" not in out.stderr


def _self_interrupt(message: bytes) -> None:
    os.write(2, message)
    os.kill(os.getpid(), signal.SIGINT)


def test_openblas_interrupting_itself_under_the_cap_is_the_memory_budget() -> None:
    start = budget.start_size()
    assert start is not None
    limits = budget.Budget(timeout=30, memory=start + (256 << 20))
    message = b"OpenBLAS blas_thread_init: pthread_create failed for thread 1 of 2\n"
    with pytest.raises(budget.BudgetError, match="the memory budget") as caught:
        budget.run(lambda: _self_interrupt(message), limits)
    assert "pthread_create failed" in caught.value.details  # for --debug
    with pytest.raises(KeyboardInterrupt):  # SIGINT from outside is still an interruption
        budget.run(lambda: _self_interrupt(b""), limits)


def _unmappable() -> None:
    raise ImportError("libflint.so.23: failed to map segment from shared object")


def test_a_library_that_cannot_be_mapped_under_the_cap_is_the_memory_budget() -> None:
    start = budget.start_size()
    assert start is not None
    with pytest.raises(budget.BudgetError, match="needs more than"):
        budget.run(_unmappable, budget.Budget(timeout=30, memory=start + (256 << 20)))
    with pytest.raises(budget.WorkerCrash, match="failed to map"):  # no cap: a real bug
        budget.run(_unmappable, budget.Budget(timeout=30, memory=None))


def _no_thread() -> None:
    raise RuntimeError("can't start new thread")


def _other_runtime_error() -> None:
    raise RuntimeError("dictionary changed size during iteration")


def test_a_thread_that_cannot_start_under_the_cap_is_the_memory_budget() -> None:
    # A thread's stack (8 MiB) that does not fit under RLIMIT_AS: eval --points at 216 MiB
    # ended in exit 70 through the writer's thread
    start = budget.start_size()
    assert start is not None
    cap = budget.Budget(timeout=30, memory=start + (256 << 20))
    with pytest.raises(budget.BudgetError, match="needs more than"):
        budget.run(_no_thread, cap)
    with pytest.raises(budget.WorkerCrash, match="can't start new thread"):  # no cap: a bug
        budget.run(_no_thread, budget.Budget(timeout=30, memory=None))
    with pytest.raises(budget.WorkerCrash, match="dictionary changed size"):
        budget.run(_other_runtime_error, cap)


def test_converting_sympy_results_back_does_not_import_numpy() -> None:
    # NumPy costs 80-120 MB of address space (OpenBLAS's threads): more than SymPy itself
    out = _python(
        """
        import sys
        from jaccli import _symengine
        se = _symengine.load()
        import sympy
        back = se.sympify(sympy.factor(sympy.Symbol("x") ** 2 - 1))
        print(se.expand(back) == se.Symbol("x") ** 2 - 1, "numpy" in sys.modules)
        import numpy
        print(se.sympify(numpy.float32(0.5)), se.sympify(numpy.float16(0.25)))
        """
    )
    assert out.stdout == "True False\n0.5 0.25\n", out.stderr
