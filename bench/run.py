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

The simplify job is of another kind: bench/textbook.py, in a process of its own, runs
30 textbook cases through the engine and prints how many reach the textbook's form
and how long each took (target: all of them, each under 1 s).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
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

    def run(self, out: Path) -> Sample:
        env = {**os.environ, **self.env}
        env.pop("JAC_FORMAT", None)
        stdin = open(self.stdin, "rb") if self.stdin else subprocess.DEVNULL  # noqa: SIM115
        with open(out, "wb") as sink:
            start = time.perf_counter()
            proc = subprocess.Popen(
                self.argv, stdin=stdin, stdout=sink, stderr=subprocess.PIPE, env=env
            )
            deadline = start + self.limit
            status, usage = 0, None
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.perf_counter() > deadline:
                    proc.kill()
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
        sample = Sample(None if timed_out else elapsed, usage.ru_maxrss / 1024 if usage else 0.0)
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
    # (numerator tool, denominator tool, highest allowed ratio)
    targets: list[tuple[str, str, float]]


def build_jobs(tmp: Path, only: set[str] | None, s_limit: float) -> list[Job]:
    jac = jac_script()
    jobs: list[Job] = []

    def wanted(name: str) -> bool:
        return only is None or name in only or name.rstrip("0123456789") in only

    def system(kind: str, n: int) -> tuple[Path, str]:
        exprs, names = getattr(workloads, kind)(n)
        path = tmp / f"{kind}{n}.txt"
        path.write_text("\n".join(exprs) + "\n")
        return path, ",".join(names)

    jacobian_targets = {
        "arm20": 1.25, "arm60": 1.25, "bratu400": 1.0, "bratu2000": 1.0,
        "layer30": 1.25, "layer100": 1.25, "kinetics300": 1.0,
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
                        Tool("bare", [*bare, "jacobian", "--help"])], [("jac", "bare", 1.3)]))  # fmt: skip
        jobs.append(Job("completion", [Tool("jac", [jac], env=complete),
                        Tool("bare", bare, env=complete)], [("jac", "bare", 1.3)]))  # fmt: skip
        small = [jac, "jacobian", "x+y,x*y", "--vars", "x,y"]
        jobs.append(Job("small jacobian", [Tool("jac", small),
                        Tool("import sympy", [PY, "-c", "import sympy"])],
                        [("jac", "import sympy", 1.1)]))  # fmt: skip
    return jobs


def points_file(tmp: Path, n: int) -> Path:
    """n random points (x, y, z) in [-2, 2]^3 as CSV, each number to 17 digits."""
    import numpy as np

    path = tmp / f"points{n}.csv"
    values = np.random.default_rng(n).uniform(-2, 2, (n, 3))
    np.savetxt(path, values, delimiter=",", header="x,y,z", comments="", fmt="%.17g")
    return path


def _fmt(seconds: float | None, limit: float) -> str:
    return f">{limit:.0f}" if seconds is None else f"{seconds:.3f}"


def report(jobs: list[Job], runs: int, s_limit: float) -> bool:
    print(f"jac benchmark, {date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, median of {runs} interleaved runs (seconds)")  # fmt: skip
    print()
    print("| job | jac | peers | ratio (target) | ok |")
    print("| --- | ---: | --- | --- | :---: |")
    all_ok = True
    for job in jobs:
        by_name = {t.name: t for t in job.tools}
        peers = ", ".join(f"{t.name} {_fmt(t.median(), t.limit)}" for t in job.tools[1:])
        cells = []
        for num, den, target in job.targets:
            a, b = by_name[num].median(), by_name[den].median()
            if a is None:
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
    print()
    print("all targets met" if all_ok else "some targets missed")
    return all_ok


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
                    sample = tool.run(out)
                    print(f"run {run + 1} {job.name:16} {tool.name:12} "
                          f"{_fmt(sample.seconds, tool.limit):>8} s {sample.rss_mb:7.0f} MB",
                          file=sys.stderr, flush=True)  # fmt: skip
                    if tool.name == "jac" and "json" in tool.argv:
                        json.loads(out.read_text())  # jac's output must at least be JSON
        ok = report(jobs, args.runs, args.sympy_limit) if jobs else True
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
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
