"""jac's LaTeX in its real clients: pdflatex (documents) and KaTeX (notebooks, web pages).

.ci/run installs both when missing (Debian's texlive-latex-base; the katex npm package
into ~/.cache/jac-test-tools); elsewhere these tests skip, saying what to install.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from jaccli.render.latex import STANDALONE
from tests.conftest import invoke

KATEX_DIR = Path(os.environ.get("JAC_TEST_TOOLS", Path.home() / ".cache" / "jac-test-tools"))
KATEX = KATEX_DIR / "node_modules" / ".bin" / "katex"  # the katex package's command line

# One case per command and feature a document meets: Greek, functions, |x|, δ, roots,
# decimals, a point, a matrix wider than amsmath's 10 columns, every environment.
CASES = [
    ["jacobian", "x^2+y*z, sin(x*y), e^(x+z)", "--vars", "x,y,z"],
    ["jacobian", "r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)", "--vars", "r,p,t"],
    ["jacobian", "lambda*x - gamma*x*y + θ, atan2(y, x) + abs(x)*sign(y)", "--vars", "x,y"],
    ["jacobian", "sqrt(x^2+y^2), cbrt(x*y), log(x, 2), tanh(w1*x + b)", "--vars", "x,y"],
    ["jacobian", ", ".join(f"x{i}^2*x{(i + 1) % 12}" for i in range(12))],
    ["jacobian", "x*y, x+y", "--vars", "x,y", "--latex-env", "pmatrix"],
    ["jacobian", "x*y, x+y", "--vars", "x,y", "--latex-env", "vmatrix"],
    ["jacobian", "x*y, x+y", "--vars", "x,y", "--latex-env", "Bmatrix"],
    ["jacobian", "x*y, x+y", "--vars", "x,y", "--latex-env", "Vmatrix"],
    ["jacobian", "x*y, x+y", "--vars", "x,y", "--latex-env", "matrix"],
    ["jacobian", "x*y, x+y", "--vars", "x,y", "--latex-env", "array"],
    ["det", "r*cos(t), r*sin(t)", "--vars", "r,t"],
    ["det", "r*sin(p)*cos(t), r*sin(p)*sin(t), r*cos(p)", "--vars", "r,p,t"],
    ["det", "x+y, x*y", "--vars", "x,y", "--at", "x=-1,y=2"],
    ["eval", "sin(x*y), exp(x)", "--vars", "x,y", "--at", "x=pi/3,y=1"],
    ["eval", "sin(x*y), exp(x)", "--vars", "x,y", "--at", "x=0.5,y=1", "--digits", "6"],
    ["linearize", "x^2+y, k*x*y", "--vars", "x,y", "--at", "x=1,y=2"],
    ["linearize", "sin(x) - x", "--vars", "x", "--at", "x=0.1", "--digits", "5"],
    # names of several letters, names printed alike, Euler's number and i upright beside
    # symbols e and i, ISO function names, δ', sgn', and \cdot before a bracket
    [
        "jacobian",
        "rate*x + e*exp(x) + asin(x) + asinh(y) + sign(x)*y + atan2(y, x), x1*x_1*y, sign(1/x)",
        "--vars",
        "x,y,e,x1,x_1",
    ],
    ["jacobian", "sqrt(-1)*i*x + a*(x+1)^k + 2*3^x + DiracDelta(x*y)*y", "--vars", "x,y,i"],
    ["jacobian", ", ".join(f"x{i}*x{(i + 1) % 11}" for i in range(11)), "--latex-env", "matrix"],
]


def _latex(case: list[str], *options: str) -> str:
    run = invoke([*case, "--format", "latex", *options])
    assert run.code == 0, run.stderr
    return run.stdout


def _compile(tex: str, directory: Path) -> tuple[int, str]:
    directory.mkdir()
    (directory / "doc.tex").write_text(tex)
    proc = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    log = (
        (directory / "doc.log").read_text(errors="replace")
        if (directory / "doc.log").exists()
        else ""
    )
    return proc.returncode if (directory / "doc.pdf").exists() else 1, log


@pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed (Debian: apt-get install texlive-latex-base; .ci/run does)",
)
def test_standalone_documents_compile_with_pdflatex(tmp_path: Path) -> None:
    documents = [_latex(case, "--standalone") for case in CASES]
    documents.append(_latex(CASES[0], "--standalone", "--latex-style", "inline"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(lambda k: _compile(documents[k], tmp_path / f"d{k}"), range(len(documents)))
        )
    failures = [
        f"{CASES[k] if k < len(CASES) else 'inline'}:\n"
        + "\n".join(line for line in log.splitlines() if line.startswith("!"))
        for k, (code, log) in enumerate(results)
        if code != 0
    ]
    assert not failures, "\n\n".join(failures)


# The settings KaTeX's command line (its cli.js) gives renderToString for `katex --strict`:
# strict mode (true, the same as "error": what LaTeX itself would accept), errors thrown,
# no macros. One node process renders every fragment so, each in its own display mode,
# rather than a node process (and a KaTeX load) per fragment.
_KATEX_EACH = """
const katex = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
    const verdicts = JSON.parse(input).map(([tex, displayMode]) => {
        try {
            const options = { displayMode, strict: true, throwOnError: true, macros: {} };
            const html = katex.renderToString(tex, options);
            return html.includes("katex-error") ? "katex-error in the HTML" : "";
        } catch (e) {
            return String(e);
        }
    });
    process.stdout.write(JSON.stringify(verdicts));
});
"""


def _katex_each(fragments: list[tuple[str, bool]]) -> list[str]:
    """KaTeX's verdict on each (fragment, display mode): "" if it renders, else its error."""
    proc = subprocess.run(
        ["node", "-e", _KATEX_EACH, str(KATEX_DIR / "node_modules" / "katex")],
        input=json.dumps(fragments),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    verdicts: list[str] = json.loads(proc.stdout)
    return verdicts


@pytest.mark.skipif(
    shutil.which("node") is None or not KATEX.exists(),
    reason=f"KaTeX is not installed (npm install --prefix {KATEX_DIR} katex; .ci/run does)",
)
def test_fragments_render_with_katex() -> None:
    fragments = []
    for case in CASES:
        fragments.append((_latex(case, "--latex-style", "bare"), True))
        inline = _latex(case, "--latex-style", "inline").strip()
        assert inline.startswith("$") and inline.endswith("$") and inline.count("$") == 2
        fragments.append((inline[1:-1], False))
    errors = _katex_each(fragments)
    failures = [f"{tex}\n  -> {e}" for (tex, _), e in zip(fragments, errors, strict=True) if e]
    assert not failures, "\n\n".join(failures)


def test_katex_check_can_fail() -> None:
    if shutil.which("node") is None or not KATEX.exists():
        pytest.skip("KaTeX is not installed")
    bad = "\\setcounter{MaxMatrixCols}{12} x"
    good, wrong, good_after = _katex_each([("x^2", True), (bad, True), ("x^2", False)])
    assert good == good_after == "" and "Undefined control sequence" in wrong, wrong


def test_pdflatex_check_can_fail(tmp_path: Path) -> None:
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    row = " & ".join("x" for _ in range(12))  # past amsmath's MaxMatrixCols
    math = f"\\[\\begin{{bmatrix}}{row}\\end{{bmatrix}}\\]"
    document = STANDALONE.format(math=math)
    code, log = _compile(document, tmp_path / "bad")
    assert code != 0 and "Extra alignment tab" in log
