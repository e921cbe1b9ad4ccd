"""`jac codegen --lang c` against CasADi's C code generator: the arm-20 Jacobian, 10^6 calls.

    python3 bench/peer_casadi_codegen.py [--evals 1000000] [--runs 3]

Both files are compiled with `gcc -std=c99 -O2 -c` (CasADi's without -Werror: its code has
unused parameters) and linked with one driver, which first checks that the two agree at
4096 random points, then times 10^6 evaluations of each (cycling over those points, a
checksum kept so that nothing is optimised away), `--runs` times; the minimum of each is
compared. Target: jac ≤ 1.0× CasADi. CasADi is a bench-only peer (`pip install casadi`);
without it the job says so and is skipped.

Each gets its inputs in its own order: jac's from the header of its file (parameters sorted
by name: l1, l10, l11, ..., l2), CasADi's as two arrays q and l.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workloads  # noqa: E402

N = 20
DRIVER = r"""
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define P 4096
typedef long long int casadi_int;
void arm_jac(const double *restrict x, const double *restrict p, double *restrict out);
int arm_casadi(const double **arg, double **res, casadi_int *iw, double *w, int mem);
static const int order[N] = {ORDER_LIST};  /* jac's p[k] is l(order[k]+1) */
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}
static double q[P][N], l[P][N], lj[P][N];
int main(int argc, char **argv)
{
    long evals = atol(argv[1]);
    int runs = atoi(argv[2]);
    srand(1);
    for (int p = 0; p < P; p++)
        for (int k = 0; k < N; k++) {
            q[p][k] = (double)rand() / RAND_MAX * 6.28;
            l[p][k] = (double)rand() / RAND_MAX;
        }
    for (int p = 0; p < P; p++)
        for (int k = 0; k < N; k++) lj[p][k] = l[p][order[k]];
    double out_j[M * N], out_c[M * N], w[SZ_W + 1], diff = 0, sum = 0;
    casadi_int iw[SZ_IW + 1];
    for (int p = 0; p < P; p++) {
        const double *arg[2] = {q[p], l[p]};
        double *res[1] = {out_c};
        arm_jac(q[p], lj[p], out_j);
        arm_casadi(arg, res, iw, w, 0);
        for (int i = 0; i < M; i++)  /* jac: row-major; CasADi: column-major */
            for (int j = 0; j < N; j++) {
                double d = fabs(out_j[i * N + j] - out_c[j * M + i]);
                diff = d > diff ? d : diff;
            }
    }
    printf("agreement %.3g\n", diff);
    for (int rep = 0; rep < runs; rep++) {
        double t = now();
        for (long e = 0; e < evals; e++) {
            arm_jac(q[e & (P - 1)], lj[e & (P - 1)], out_j);
            sum += out_j[e % (M * N)];
        }
        double tj = now() - t;
        t = now();
        for (long e = 0; e < evals; e++) {
            const double *arg[2] = {q[e & (P - 1)], l[e & (P - 1)]};
            double *res[1] = {out_c};
            arm_casadi(arg, res, iw, w, 0);
            sum += out_c[e % (M * N)];
        }
        printf("run %.6f %.6f\n", tj, now() - t);
    }
    printf("checksum %g\n", sum);
    return 0;
}
"""


def casadi_source(folder: Path) -> tuple[Path, int, int, int]:
    """CasADi's C for the same arm (SX, jacobian, densify): its file, rows, sz_w, sz_iw."""
    import casadi as ca

    q, lengths = ca.SX.sym("q", N), ca.SX.sym("l", N)
    x = y = s = 0
    for i in range(N):
        s = s + q[i]
        x, y = x + lengths[i] * ca.cos(s), y + lengths[i] * ca.sin(s)
    f = ca.vertcat(x, y, s)
    function = ca.Function("arm_casadi", [q, lengths], [ca.densify(ca.jacobian(f, q))])
    generator = ca.CodeGenerator("arm_casadi.c", {"with_header": False})
    generator.add(function)
    generator.generate(str(folder) + "/")
    return folder / "arm_casadi.c", f.shape[0], function.sz_w(), function.sz_iw()


def jac_source(folder: Path) -> tuple[Path, list[int]]:
    """jac's C (`jac codegen`), and each p[k]'s parameter number, read from its header."""
    exprs, names = workloads.arm(N)
    jac = shutil.which("jac") or str(Path(sys.executable).with_name("jac"))
    args = [jac, "codegen", ", ".join(exprs), "--vars", ",".join(names), "--name", "arm_jac"]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    path = folder / "arm_jac.c"
    path.write_text(text, encoding="utf-8")
    order = {int(k): int(n) - 1 for k, n in re.findall(r"p\[(\d+)\] = l(\d+)", text)}
    return path, [order[k] for k in range(N)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evals", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"codegen arm{N}: jac codegen --lang c vs CasADi, {args.evals:,} Jacobians (-O2)",
        flush=True,
    )
    try:
        import casadi
    except ImportError as e:
        print(f"  skipped: casadi does not import ({e}); pip install casadi")
        return 0
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        print("  skipped: no C compiler (gcc or cc)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mine, order = jac_source(folder)
        theirs, m, sz_w, sz_iw = casadi_source(folder)
        driver = folder / "driver.c"
        driver.write_text(DRIVER.replace("ORDER_LIST", ", ".join(map(str, order))), "utf-8")
        defines = [f"-DN={N}", f"-DM={m}", f"-DSZ_W={sz_w}", f"-DSZ_IW={sz_iw}"]
        strict = ["-Wall", "-Wextra", "-Werror", "-pedantic"]
        steps = [
            [cc, "-std=c99", "-O2", *strict, "-c", str(mine), "-o", str(folder / "jac.o")],
            [cc, "-std=c99", "-O2", "-c", str(theirs), "-o", str(folder / "casadi.o")],
            [cc, "-std=c99", "-O2", *defines, "-c", str(driver), "-o", str(folder / "d.o")],
            [cc, *(str(folder / f) for f in ("d.o", "jac.o", "casadi.o")), "-lm", "-o",
             str(folder / "bench")],
        ]  # fmt: skip
        for step in steps:
            subprocess.run(step, check=True)
        run = [str(folder / "bench"), str(args.evals), str(args.runs)]
        out = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    agreement = float(re.search(r"agreement (\S+)", out).group(1))  # type: ignore[union-attr]
    runs = [tuple(map(float, r)) for r in re.findall(r"run (\S+) (\S+)", out)]
    jac_s, casadi_s = min(r[0] for r in runs), min(r[1] for r in runs)
    ratio = jac_s / casadi_s
    print(f"  casadi {casadi.__version__}; max |difference| {agreement:.3g}")
    print(f"  jac    {1e3 * jac_s:8.1f} ms")
    print(f"  casadi {1e3 * casadi_s:8.1f} ms")
    ok = agreement <= 1e-12 and ratio <= 1.0
    print(f"  ratio  {ratio:.2f}x (target <= 1.0x) {'ok' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
