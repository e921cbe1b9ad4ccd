"""jac's performance targets, measured against peers in the same run.

    python3 bench/run.py               # everything, 3 runs each (peer S makes this slow)
    python3 bench/run.py --runs 5 --only bratu400,sphere8,startup
    python3 bench/run.py --only simplify   # the 30 textbook forms of bench/textbook.py

Every job runs as a whole process: the installed `jac`, peer S (a plain SymPy
script), peer E (the same script on SymEngine) and, for start-up, a bare Typer
app. Runs are interleaved (run 1 of every tool, then run 2, ...) so that a noisy
neighbour slows all of them alike; medians are compared as ratios. Peer S gets a
time limit (default 120 s); when it hits it, jac's ratio to it is an upper bound
(shown with "<"). Nothing here is a test: the machine is shared and noisy.

Sparse at scale (issue 16): `jac jacobian - --vars u0..u{n-1} --sparse --format plain` on
bratu 10^3, 10^4, 10^5 and kinetics 3*10^4, against peer C, bench/peer_casadi_bratu.py (the
issue's CasADi user script: SX symbols, `ca.jacobian`, (row, col, entry) lines) and "C split",
the same with `ca.vertsplit` as a CasADi expert would write it. Both peers run once at 3*10^4
unknowns and above (20 to 60 s each at 10^5 on this machine), jac every run. The bench
then prints a scaling table: time and peak memory against n and the fitted exponent of
time in n (`--only scaling` runs these four jobs alone).

The simplify job is of another kind: bench/textbook.py, in a process of its own, runs
30 textbook cases through the engine and prints how many reach the textbook's form
and how long each took (target: all of them, each under 1 s).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workloads  # noqa: E402  (bench/workloads.py, a copy of shared/bench/workloads.py)

PY = sys.executable


def jac_script() -> str:
    beside = Path(PY).with_name("jac")
    found = str(beside) if beside.exists() else shutil.which("jac")
    if not found:
        sys.exit("bench: the jac script is not installed (python3 -m pip install -e .)")
    return found


@dataclass
class Sample:
    seconds: float | None  # None: hit the time limit
    rss_mb: float


@dataclass
class Tool:
    name: str
    argv: list[str]
    stdin: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    limit: float = 600.0
    samples: list[Sample] = field(default_factory=list)
    runs: int | None = None  # at most this many runs (a slow peer); None: every run
    lines: int | None = None  # the output must have this many lines (sparse entries)

    def run(self, out: Path) -> Sample:
        env = {**os.environ, **self.env}
        env.pop("JAC_FORMAT", None)
        stdin = open(self.stdin, "rb") if self.stdin else subprocess.DEVNULL  # noqa: SIM115
        peak = out.with_suffix(".rss")
        argv = [GNU_TIME, "-f", "%M", "-o", str(peak), *self.argv] if GNU_TIME else self.argv
        with open(out, "wb") as sink:
            start = time.perf_counter()
            proc = subprocess.Popen(
                argv,
                stdin=stdin,
                stdout=sink,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,  # a timeout kills the tool, not only GNU time
            )
            deadline = start + self.limit
            status, usage = 0, None
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    os.killpg(proc.pid, 9)
                    _, status, usage = os.wait4(proc.pid, 0)
                    proc.returncode = -9
                    break
                time.sleep(0.002)
            elapsed = time.perf_counter() - start
        if stdin is not subprocess.DEVNULL:
            stdin.close()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        timed_out = proc.returncode == -9
        if not timed_out and os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"bench: {self.name} failed: {' '.join(self.argv)}\n{err}")
        # ru_maxrss of a child counts this process's pages before exec too (the bench's own
        # ~100 MB by the end: NumPy, SymEngine, the inputs), so the peak is GNU time's, whose
        # child is forked from it; without GNU time, wait4's (a floor of the bench's size).
        kilobytes = _peak(peak) if GNU_TIME and not timed_out else None
        if kilobytes is None:
            kilobytes = usage.ru_maxrss if usage else 0
        sample = Sample(None if timed_out else elapsed, kilobytes / 1024)
        self.samples.append(sample)
        return sample

    def median(self) -> float | None:
        times = [s.seconds for s in self.samples]
        if any(t is None for t in times):
            return None
        return statistics.median(t for t in times if t is not None)

    def peak_rss(self) -> float:
        return max(s.rss_mb for s in self.samples)


@dataclass
class Job:
    name: str
    tools: list[Tool]
    # (numerator tool, denominator tool, highest allowed ratio; None: printed, no target)
    targets: Sequence[tuple[str, str, float | None]]


def build_jobs(tmp: Path, only: set[str] | None, s_limit: float) -> list[Job]:
    jac = jac_script()
    jobs: list[Job] = []

    def wanted(name: str) -> bool:
        if only is not None and "scaling" in only and name in SCALING:
            return True
        return only is None or name in only or name.rstrip("0123456789") in only

    def system(kind: str, n: int) -> tuple[Path, str]:
        exprs, names = getattr(workloads, kind)(n)
        path = tmp / f"{kind}{n}.txt"
        path.write_text("\n".join(exprs) + "\n")
        return path, ",".join(names)

    # Issue 16 tightened layer30, layer100 and arm60 against peer E from 1.25 to 0.8.
    jacobian_targets = {
        "arm20": 1.25, "arm60": 0.8, "bratu400": 1.0, "bratu2000": 1.0,
        "layer30": 0.8, "layer100": 0.8, "kinetics300": 1.0,
    }  # fmt: skip
    for name, e_ratio in jacobian_targets.items():
        if not wanted(name):
            continue
        kind, n = name.rstrip("0123456789"), int(name[len(name.rstrip("0123456789")) :])
        path, names = system(kind, n)
        tools = [
            Tool("jac", [jac, "jacobian", "-", "--vars", names, "--format", "json"], path),
            Tool("E", [PY, str(HERE / "peer_symengine.py"), "jacobian", names], path),
            Tool("S", [PY, str(HERE / "peer_sympy.py"), "jacobian", names], path, limit=s_limit),
        ]
        targets = [("jac", "E", e_ratio), ("jac", "S", 0.05)]
        if name == "arm60":
            argv = [jac, "jacobian", "-", "--vars", names, "--format", "latex"]
            tools.append(Tool("jac latex", argv, path))
            targets.append(("jac latex", "jac", 3.0))
        if name == "layer100":
            argv = [jac, "jacobian", "-", "--vars", names, "--format", "table"]
            tools.append(Tool("jac table", argv, path, env={"COLUMNS": "120"}))
            targets.append(("jac table", "jac", 2.0))
        jobs.append(Job(name, tools, targets))

    scaling = [name for name in SCALING if wanted(name)]
    if scaling:
        jobs += scaling_jobs(tmp, jac, scaling)

    if wanted("sparsity"):
        # The pattern of bratu-2000's J, its colourings and structural rank (target: about a
        # second), against jac's own Jacobian of it, SymEngine's jacobian then its non-zeros
        # (peer E), and CasADi's jacobian_sparsity and uni_coloring (peer C) if installed.
        path, names = system("bratu", 2000)
        peer = [PY, str(HERE / "peer_sparsity.py")]
        tools = [
            Tool("jac", [jac, "sparsity", "-", "--vars", names, "--format", "json"], path),
            Tool("jacobian", [jac, "jacobian", "-", "--vars", names, "--format", "json"], path),
            Tool("E", [*peer, "symengine", names], path, limit=s_limit),
        ]
        targets = [("jac", "jacobian", 1.0), ("jac", "E", 0.2)]
        if importlib.util.find_spec("casadi") is not None:
            tools.append(Tool("C", [*peer, "casadi", names], path))
            targets.append(("jac", "C", 1.0))
        jobs.append(Job("sparsity bratu2000", tools, targets))

    if wanted("vector100"):
        # Vector syntax: parse, expand, differentiate and find the matrix form of
        # tanh(W*x + b), W 100×100, against SymEngine's DenseMatrix doing the same.
        shape = "W=100x100,x=100,b=100"
        argv = [jac, "jacobian", "tanh(W*x + b)", "--vars", "x", "--shape", shape]
        tools = [
            Tool("jac", [*argv, "--format", "json"]),
            Tool("E", [PY, str(HERE / "peer_symengine_vector.py"), "100"]),
            Tool("form", [PY, str(HERE / "matrix_form_share.py"), "tanh(W*x + b)", "x", shape]),
        ]
        jobs.append(Job("vector layer100", tools, [("jac", "E", 1.5)]))

    if wanted("jvp"):
        # J·v on layer100 against jac's own full Jacobian of the same input: the JVP is
        # one derivative along v per component and never forms J's 100 columns.
        path, names = system("layer", 100)
        direction = ",".join(str(k % 7 - 3) for k in range(100))  # -3..3, deterministic
        jvp = [jac, "jvp", "-", "--vars", names, "--dir", direction, "--format", "json"]
        full = [jac, "jacobian", "-", "--vars", names, "--format", "json"]
        # At a point too: J·v(a) against J(a) from `jac eval`, both to 6 digits.
        at = ["--at", ",".join(f"x{k}=1/{k + 2}" for k in range(100)), "--digits", "6"]
        tools = [
            Tool("jac", jvp, path),
            Tool("jacobian", full, path),
            Tool("jvp --at", [*jvp, *at], path),
            Tool("eval --at", [*full[:1], "eval", *full[2:], *at], path),
        ]
        targets = [("jac", "jacobian", 0.2), ("jvp --at", "eval --at", 0.2)]
        jobs.append(Job("jvp layer100", tools, targets))
        # The same layer as an ML text writes it, tanh(W*x + b), where reading is no cost.
        shape = ["--vars", "x", "--shape", "W=100x100,x=100,b=100"]
        vector = [jac, "jvp", "tanh(W*x + b)", *shape, "--dir", f"x=[{direction}]"]
        tools = [
            Tool("jac", [*vector, "--format", "json"]),
            Tool("jacobian", [jac, "jacobian", "tanh(W*x + b)", *shape, "--format", "json"]),
        ]
        jobs.append(Job("jvp vector layer100", tools, [("jac", "jacobian", 0.2)]))

    if wanted("hessian"):
        # The Hessian of the arm-60 end effector's x (60×60 trigonometric sums) and of a
        # 100-variable quadratic form, against SymEngine differentiating twice.
        from peer_symengine_hessian import quadratic_form

        for label, (exprs, names) in (
            ("arm60", workloads.arm(60)),
            ("quadratic100", quadratic_form(100)),
        ):
            path = tmp / f"hessian_{label}.txt"
            path.write_text(exprs[0] + "\n")
            vars_ = ",".join(names)
            tools = [
                Tool("jac", [jac, "hessian", "-", "--vars", vars_, "--format", "json"], path),
                Tool("E", [PY, str(HERE / "peer_symengine_hessian.py"), vars_], path),
            ]
            jobs.append(Job(f"hessian {label}", tools, [("jac", "E", 1.5)]))

    for n in (6, 8):
        name = f"sphere{n}"
        if not wanted(name):
            continue
        path, names = system("sphere", n)
        tools = [
            Tool("jac", [jac, "det", "-", "--vars", names, "--format", "json"], path),
            Tool("E", [PY, str(HERE / "peer_symengine.py"), "det", names], path),
            Tool("S", [PY, str(HERE / "peer_sympy.py"), "det", names], path, limit=s_limit),
        ]
        jobs.append(Job(f"det {name}", tools, [("jac", "E", 1.5), ("jac", "S", 0.05)]))

    if wanted("points"):
        # eval --points: the 3x3 example at 10^6 points against hand-written NumPy that
        # reads and writes the same CSV (issue 15: at most 1.0x), and
        # jac's peak memory at 10^5 and 10^6 points (streaming keeps it flat).
        functions = "x^2+y*z, sin(x*y), e^(x+z)"
        files = {n: points_file(tmp, n) for n in (100_000, 1_000_000)}
        argv = [jac, "eval", functions, "--vars", "x,y,z", "--format", "csv", "--points"]
        tools = [
            Tool("jac", [*argv, str(files[1_000_000])]),
            Tool("numpy", [PY, str(HERE / "peer_numpy_points.py"), str(files[1_000_000])]),
            Tool("jac 1e5", [*argv, str(files[100_000])]),
        ]
        jobs.append(Job("points 1e6", tools, [("jac", "numpy", 1.0)]))

    if wanted("parquet") and importlib.util.find_spec("pyarrow") is not None:
        # eval --points Parquet → Parquet, 10^6 points of the 3x3 example, against pyarrow +
        # hand-written NumPy (bench/peer_parquet.py: read_table, J, write_table).
        # Written by a child process: a forked child's peak RSS (wait4's ru_maxrss) counts
        # this process's pages before exec, so pyarrow here would inflate every peak below.
        path = tmp / "points1000000.parquet"
        write = (
            "import sys, numpy as np, pyarrow as pa, pyarrow.parquet as pq\n"
            "v = np.random.default_rng(1_000_000).uniform(-2, 2, (1_000_000, 3))\n"
            "pq.write_table(pa.table({c: v[:, k] for k, c in enumerate('xyz')}), sys.argv[1])"
        )
        subprocess.run([PY, "-c", write, str(path)], check=True)
        argv = [jac, "eval", "x^2+y*z, sin(x*y), e^(x+z)", "--vars", "x,y,z", "--points"]
        tools = [Tool("jac", [*argv, str(path)]),
                 Tool("pyarrow", [PY, str(HERE / "peer_parquet.py"), str(path)])]  # fmt: skip
        jobs.append(Job("parquet 1e6", tools, [("jac", "pyarrow", 1.5)]))

    if wanted("startup"):
        bare = [PY, str(HERE / "bare_typer.py")]
        complete = {"_JAC_COMPLETE": "complete_bash", "COMP_WORDS": "jac jac", "COMP_CWORD": "1"}
        jobs.append(Job("--help", [Tool("jac", [jac, "--help"]), Tool("bare", [*bare, "--help"])],
                        [("jac", "bare", 1.3)]))  # fmt: skip
        jobs.append(Job("jacobian --help", [Tool("jac", [jac, "jacobian", "--help"]),
                        Tool("bare", [*bare, "jacobian", "--help"])],
                        [("jac", "bare", 1.3)]))  # fmt: skip
        jobs.append(Job("completion", [Tool("jac", [jac], env=complete),
                        Tool("bare", bare, env=complete)], [("jac", "bare", 1.3)]))  # fmt: skip
        small = [jac, "jacobian", "x+y,x*y", "--vars", "x,y"]
        jobs.append(Job("small jacobian", [Tool("jac", small),
                        Tool("import sympy", [PY, "-c", "import sympy"])],
                        [("jac", "import sympy", 1.1)]))  # fmt: skip
    return jobs


SCALING = ("bratu1000", "bratu10000", "bratu100000", "kinetics30000")


def scaling_jobs(tmp: Path, jac: str, names: list[str]) -> list[Job]:
    """Issue 16's sparse rows: jac --sparse against the CasADi user script and its split form.

    Skipped, with the reason printed, where this jac's `--sparse` does not write entries
    (a dense plain matrix at 10^5 would be 10^10 cells); the CasADi tools are left out,
    with the reason, where casadi does not import.
    """
    dense = sparse_missing(jac)
    if dense:
        print(f"bench: the scaling jobs are skipped: {dense}", file=sys.stderr)
        SKIPPED.append(f"scaling jobs ({', '.join(names)}): {dense}")
        return []
    casadi = casadi_missing()
    if casadi:
        SKIPPED.append(f"CasADi peers of the scaling jobs: {casadi}; pip install casadi")
    # The inputs at 10^5 (4.9 MB, 1.8 M tokens) are within the default limits since issue
    # 16 (16 M characters, 8 M tokens): nothing to set, as a user would not.
    limits: dict[str, str] = {}
    peer = [PY, str(HERE / "peer_casadi_bratu.py")]
    jobs = []
    for name in names:
        kind = name.rstrip("0123456789")
        n = int(name[len(kind) :])
        path = tmp / f"{name}.txt"
        with open(path, "wb") as sink:  # in a child: this process stays small (see Tool.run)
            argv = [PY, str(HERE / "workloads.py"), kind, str(n)]
            subprocess.run(argv, stdout=sink, stderr=subprocess.DEVNULL, check=True)
        nnz = 3 * n - 2  # both are tridiagonal in their unknowns
        stem = "u" if kind == "bratu" else "c"
        argv = [jac, "jacobian", "-", "--vars", f"{stem}0..{stem}{n - 1}", "--sparse"]
        tools = [Tool("jac", [*argv, "--format", "plain"], path, env=limits, lines=nnz)]
        targets: list[tuple[str, str, float | None]] = []
        if not casadi:
            once = 1 if n >= 30_000 else None
            more = ["--kinetics"] if kind == "kinetics" else []
            tools += [
                Tool("C", [*peer, str(n), *more], runs=once, lines=nnz),
                Tool("C split", [*peer, str(n), "--split", *more], runs=once, lines=nnz),
            ]
            targets += [("jac", "C", 0.1 if name == "bratu100000" else None),
                        ("jac", "C split", None)]  # fmt: skip
        jobs.append(Job(name, tools, targets))
    return jobs


SKIPPED: list[str] = []  # jobs or peers left out, with the reason, for the report


def sparse_missing(jac: str) -> str:
    """Why this jac cannot run the sparse rows ("" when it can): --sparse must write entries."""
    exprs, _ = workloads.bratu(5)
    argv = [jac, "jacobian", "-", "--vars", "u0..u4", "--sparse", "--format", "plain"]
    done = subprocess.run(argv, input="\n".join(exprs), capture_output=True, text=True)
    if done.returncode != 0:
        return f"`jac jacobian --sparse` failed: {done.stderr.strip()}"
    lines = done.stdout.splitlines()
    if len(lines) != 13 or any(len(line.split("\t")) != 3 for line in lines):
        return "this jac's --sparse --format plain does not write (row, col, entry) lines"
    return ""


def casadi_missing() -> str:
    """Why casadi cannot be used ("" when it imports), asked of a child process.

    Importing it here would add its pages to every later child's peak RSS (see Tool.run).
    """
    done = subprocess.run([PY, "-c", "import casadi"], capture_output=True, text=True)
    if done.returncode == 0:
        return ""
    last = done.stderr.strip().splitlines()[-1:] or ["no message"]
    return f"casadi does not import ({last[0]})"


def points_file(tmp: Path, n: int) -> Path:
    """n random points (x, y, z) in [-2, 2]^3 as CSV, each number to 17 digits."""
    import numpy as np

    path = tmp / f"points{n}.csv"
    values = np.random.default_rng(n).uniform(-2, 2, (n, 3))
    np.savetxt(path, values, delimiter=",", header="x,y,z", comments="", fmt="%.17g")
    return path


# GNU time (Debian's `time` package) reports the peak RSS of the tool alone; its own start
# adds about a millisecond to every tool alike.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def _peak(path: Path) -> int | None:
    """The kilobytes GNU time wrote (its last line: a killed tool's has a note first)."""
    try:
        return int(path.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def _fmt(seconds: float | None, limit: float) -> str:
    return f">{limit:.0f}" if seconds is None else f"{seconds:.3f}"


def report(jobs: list[Job], runs: int, s_limit: float) -> bool:
    print(f"jac benchmark, {date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, "
          f"median of {runs} interleaved runs (seconds)")  # fmt: skip
    print()
    print("| job | jac | peers | ratio (target) | ok |")
    print("| --- | ---: | --- | --- | :---: |")
    all_ok = True
    for job in jobs:
        by_name = {t.name: t for t in job.tools}
        peers = ", ".join(
            f"{t.name} {_fmt(t.median(), t.limit)}{_once(t, runs)}" for t in job.tools[1:]
        )
        cells = []
        for num, den, target in job.targets:
            a, b = by_name[num].median(), by_name[den].median()
            if target is None:  # printed for the reader, no target
                shown = "timeout" if a is None or b is None else f"{a / b:.3f}"
                ratio, ok = f"{num}/{den} {shown}", True
            elif a is None:
                ratio, ok = "timeout", False
            elif b is None:
                bound = a / by_name[den].limit
                ratio, ok = f"{num}/{den} < {bound:.3f} (≤ {target})", bound <= target
            else:
                ratio, ok = f"{num}/{den} {a / b:.3f} (≤ {target})", a / b <= target
            all_ok &= ok
            cells.append((ratio, ok))
        ratios = "; ".join(r for r, _ in cells)
        mark = "yes" if all(ok for _, ok in cells) else "**no**"
        if all(target is None for *_, target in job.targets):
            mark = "–"  # ratios for the reader only
        print(f"| {job.name} | {_fmt(by_name['jac'].median(), 0)} | {peers} | {ratios} | {mark} |")
    memory = [j for j in jobs if j.name == "bratu2000"]
    if memory:
        rss = {t.name: t.peak_rss() for t in memory[0].tools}
        ok = rss["jac"] <= 600
        all_ok &= ok
        print(f"| bratu2000 peak RSS | {rss['jac']:.0f} MB | E {rss['E']:.0f} MB | ≤ 600 MB | "
              f"{'yes' if ok else '**no**'} |")  # fmt: skip
    flat = [j for j in jobs if j.name == "points 1e6"]
    if flat:
        rss = {t.name: t.peak_rss() for t in flat[0].tools}
        ratio = rss["jac"] / rss["jac 1e5"]
        ok = ratio <= 1.3
        all_ok &= ok
        print(f"| points peak RSS | {rss['jac']:.0f} MB at 10^6 | jac {rss['jac 1e5']:.0f} MB at "
              f"10^5, numpy {rss['numpy']:.0f} MB at 10^6 | 10^6/10^5 {ratio:.2f} (≤ 1.3) | "
              f"{'yes' if ok else '**no**'} |")  # fmt: skip
    for name, most in (("bratu100000", 400.0), ("kinetics30000", None)):
        found = [j for j in jobs if j.name == name]
        if found:
            all_ok &= peak_row(found[0], most)
    for reason in SKIPPED:
        print(f"| skipped | | {reason} | | |")
    all_ok &= scaling_report([j for j in jobs if j.name in SCALING])
    print()
    print("all targets met" if all_ok else "some targets missed")
    return all_ok


def _once(tool: Tool, runs: int) -> str:
    return f" ({len(tool.samples)} run)" if 0 < len(tool.samples) < runs else ""


def peak_row(job: Job, most: float | None) -> bool:
    """The peak RSS of every tool of a job, against jac's limit in MB (None: no limit)."""
    rss = {t.name: t.peak_rss() for t in job.tools}
    ok = most is None or rss["jac"] <= most
    peers = ", ".join(f"{name} {mb:.0f} MB" for name, mb in rss.items() if name != "jac")
    target = "–" if most is None else f"≤ {most:.0f} MB"
    mark = "–" if most is None else "yes" if ok else "**no**"
    print(f"| {job.name} peak RSS | {rss['jac']:.0f} MB | {peers} | {target} | {mark} |")
    return ok


def fitted_exponent(points: list[tuple[int, float]]) -> float:
    """The least-squares slope of log t against log n."""
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def scaling_report(jobs: list[Job]) -> bool:
    """Time and peak memory of the bratu jobs against n, and the exponent of time in n.

    The target (issue 16): jac's exponent fitted from 10^3 to 10^5 at most 1.1. The slope
    from 10^4 to 10^5 alone is printed beside it: start-up flattens the fit at 10^3.
    """
    bratu = sorted(
        ((int(j.name.removeprefix("bratu")), j) for j in jobs if j.name.startswith("bratu")),
        key=lambda pair: pair[0],
    )
    if len(bratu) < 2:
        return True
    names = [t.name for t in bratu[-1][1].tools]
    print()
    print("Scaling: bratu, `jac jacobian - --vars u0..u{n-1} --sparse --format plain` against")
    print("the CasADi user script (C) and its vertsplit form (C split); median time, peak RSS")
    print()
    print("| n | " + " | ".join(names) + " |")
    print("| ---: |" + " ---: |" * len(names))
    series: dict[str, list[tuple[int, float]]] = {name: [] for name in names}
    for n, job in bratu:
        cells = []
        for name in names:
            tool = next((t for t in job.tools if t.name == name), None)
            seconds = tool.median() if tool else None
            if tool is None or seconds is None:
                cells.append("–")
                continue
            series[name].append((n, seconds))
            cells.append(f"{seconds:.3f} s, {tool.peak_rss():.0f} MB")
        print(f"| {n:,} | " + " | ".join(cells) + " |")
    ok = True
    full = [n for n, _ in bratu] == [1000, 10_000, 100_000]
    span = "10^3 → 10^5" if full else f"{bratu[0][0]:,} → {bratu[-1][0]:,}"
    cells, slopes = [], []
    for name in names:
        points = series[name]
        if len(points) < 2:
            cells.append("–")
            slopes.append("–")
            continue
        exponent = fitted_exponent(points)
        cell = f"{exponent:.2f}"
        if name == "jac" and full:
            ok = exponent <= 1.1
            cell += f" (≤ 1.1) {'yes' if ok else '**no**'}"
        cells.append(cell)
        last = dict(points)
        if 10_000 in last and 100_000 in last:
            slopes.append(f"{math.log10(last[100_000] / last[10_000]):.2f}")
        else:
            slopes.append("–")
    print(f"| fitted exponent, {span} | " + " | ".join(cells) + " |")
    if any(slope != "–" for slope in slopes):
        print("| slope 10^4 → 10^5 | " + " | ".join(slopes) + " |")
    return ok


def check_lines(job: str, tool: Tool, out: Path) -> None:
    """A sparse output has one line per non-zero entry: fewer or more is a wrong answer."""
    with open(out, "rb") as lines:
        count = sum(1 for _ in lines)
    if count != tool.lines:
        sys.exit(f"bench: {job} {tool.name} wrote {count} lines, not {tool.lines} non-zeros")


def textbook_report() -> bool:
    """The simplify job: bench/textbook.py's table, and whether it met its targets."""
    print()
    done = subprocess.run([PY, str(HERE / "textbook.py")], stdout=subprocess.PIPE, text=True)
    print(done.stdout, end="")
    return done.returncode == 0


def compile_jac() -> None:
    """Byte-compile the installed jaccli, as `pip install` does for a regular install.

    An editable install under PYTHONDONTWRITEBYTECODE=1 would otherwise recompile
    jac's sources in every run, a cost no installed copy pays.
    """
    import compileall

    import jaccli

    compileall.compile_dir(str(Path(jaccli.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per tool (at least 3)")
    parser.add_argument(
        "--sympy-limit", type=float, default=120.0, help="seconds allowed to peer S"
    )
    parser.add_argument(
        "--only", help="comma-separated jobs: arm20,bratu,sphere8,startup,simplify,..."
    )
    args = parser.parse_args()
    if args.runs < 3:
        parser.error("--runs must be at least 3")
    only = set(args.only.split(",")) if args.only else None
    compile_jac()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        jobs = build_jobs(tmp, only, args.sympy_limit)
        out = tmp / "out"
        for run in range(args.runs):
            for job in jobs:
                for tool in job.tools:
                    if tool.runs is not None and run >= tool.runs:
                        continue
                    sample = tool.run(out)
                    print(f"run {run + 1} {job.name:16} {tool.name:12} "
                          f"{_fmt(sample.seconds, tool.limit):>8} s {sample.rss_mb:7.0f} MB",
                          file=sys.stderr, flush=True)  # fmt: skip
                    if tool.name == "jac" and "json" in tool.argv:
                        json.loads(out.read_text())  # jac's output must at least be JSON
                    if tool.lines is not None:
                        check_lines(job.name, tool, out)
        ok = report(jobs, args.runs, args.sympy_limit) if jobs or SKIPPED else True
    if only is None or "simplify" in only:
        ok &= textbook_report()
    if only is None or "chunk" in only:  # eval --points per chunk vs bare Lambdify (≤ 2x)
        print()
        ok &= subprocess.run([PY, str(HERE / "peer_chunk.py")]).returncode == 0
    if only is None or "dask" in only:  # --dask, LocalCluster(2) vs one process (>= 1.5x)
        print()
        dask = [PY, str(HERE / "peer_dask.py"), "--runs", str(args.runs)]
        ok &= subprocess.run(dask).returncode == 0
    if only is None or "codegen" in only:  # jac codegen --lang c vs CasADi, arm-20 (<= 1.0x)
        print()
        codegen = [PY, str(HERE / "peer_casadi_codegen.py"), "--runs", str(args.runs)]
        ok &= subprocess.run(codegen).returncode == 0
    if only is None or "frontend" in only:  # read_and_build vs SymEngine's parser (<= 1.5x)
        print()
        ok &= subprocess.run([PY, str(HERE / "peer_frontend.py")]).returncode == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
