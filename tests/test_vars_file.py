"""--vars at scale: ranges and @FILE with 10^5 names, @- from stdin, and the hint that
--sparse exists when a mostly-zero matrix is about to be written in full."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jaccli.cli import run as run_module

N = 100_000
# Every 1,000th name in a sum, and one product at the end: J is 2 × 10^5 with 101 non-zeros.
F = "+".join(f"u{i}" for i in range(0, N, 1000)) + ", u99998*u99999"


def _columns(out: str) -> list[tuple[int, int, str]]:
    """(row, column, entry) of the non-zero entries of plain dense output."""
    found = []
    for i, line in enumerate(out.splitlines(), 1):
        cells = line.split("\t")
        assert len(cells) == N
        found += [(i, j, c) for j, c in enumerate(cells, 1) if c != "0"]
    return found


EXPECTED = [(1, i + 1, "1") for i in range(0, N, 1000)] + [(2, N - 1, "u99999"), (2, N, "u99998")]


def test_a_range_of_10_5_names(jac: Any) -> None:
    run = jac(["jacobian", F, "--vars", f"u0..u{N - 1}", "--format", "plain", "-q"])
    assert run.code == 0, run.stderr
    assert _columns(run.stdout) == EXPECTED


def test_a_file_of_10_5_names_one_a_line_is_the_same_as_the_range(jac: Any, tmp_path: Path) -> None:
    names = tmp_path / "names.txt"
    names.write_text("\n".join(f"u{i}" for i in range(N)) + "\n")
    run = jac(["jacobian", F, "--vars", f"@{names}", "--format", "plain", "-q"])
    assert run.code == 0, run.stderr
    by_range = jac(["jacobian", F, "--vars", f"u0..u{N - 1}", "--format", "plain", "-q"])
    assert by_range.stdout == run.stdout and _columns(run.stdout) == EXPECTED


def test_the_file_says_the_column_order(jac: Any, tmp_path: Path) -> None:
    names = tmp_path / "names.txt"  # backwards: u99999 is column 1
    names.write_text("\n".join(f"u{i}" for i in reversed(range(N))) + "\n")
    run = jac(["jacobian", F, "--vars", f"@{names}", "--format", "plain", "-q"])
    assert run.code == 0, run.stderr
    expected = [(1, N - i, "1") for i in range(0, N, 1000)][::-1]
    assert _columns(run.stdout) == [*expected, (2, 1, "u99998"), (2, 2, "u99999")]


def test_a_file_mixes_ranges_names_commas_comments_and_blank_lines(
    jac: Any, tmp_path: Path
) -> None:
    names = tmp_path / "names.txt"
    names.write_text("# the state\r\nx, y,\n\nu0..u4   # the grid\nu5..u9\nlam\n", encoding="utf-8")
    run = jac(["jacobian", "x*lam, u9^2 + y", "--vars", f"@{names}", "--format", "json"])
    assert run.code == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["variables"] == ["x", "y", *(f"u{i}" for i in range(10)), "lam"]
    assert data["jacobian"][1][11] == "2*u9" and data["jacobian"][0][12] == "x"


def test_names_from_stdin_with_at_dash(jac: Any) -> None:
    run = jac(["jacobian", "a*b + c", "--vars", "@-", "--format", "plain"], input="c\nb,a\n")
    assert run.code == 0, run.stderr
    assert run.stdout == "1\ta\tb\n" and run.stderr == ""  # columns c, b, a


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["jacobian", "-", "--vars", "@-"], "x", "--vars @- and the functions cannot both"),
        (["eval", "x", "--vars", "@-", "--points", "-"], "x\n1\n", "--vars @- and --points -"),
        (["jacobian", "x", "--vars", "@/no/such/file"], None, "--vars @/no/such/file: no such"),
        (["jacobian", "x", "--vars", "@-"], "# nothing\n\n", "--vars @stdin: no variable names"),
    ],
)
def test_file_errors_are_one_line_usage_errors(
    jac: Any, args: list[str], stdin: str | None, message: str
) -> None:
    run = jac(args, input=stdin)
    assert run.code == 2 and run.stdout == ""
    assert message in run.stderr and run.stderr.count("\n") == 1, run.stderr


def test_errors_point_at_the_line_and_column_of_the_file(jac: Any, tmp_path: Path) -> None:
    names = tmp_path / "n.txt"
    names.write_text("x, y\n\nu0..u9, x\n")
    run = jac(["jacobian", "x*y", "--vars", f"@{names}"])
    assert run.code == 2 and run.stdout == ""
    first, caret = run.stderr.splitlines()[1:3]
    assert "'x' is listed twice (lines 1 and 3)" in run.stderr and f"@{names} line 3" in run.stderr
    assert first.strip() == "u0..u9, x" and caret.index("^") == first.index("x")
    names.write_text("x\ny z\n")
    run = jac(["jacobian", "x*y", "--vars", f"@{names}"])
    assert run.code == 2 and "line 2, column 3" in run.stderr


def test_a_directory_and_a_binary_file_are_refused(jac: Any, tmp_path: Path) -> None:
    assert "a directory" in jac(["jacobian", "x", "--vars", f"@{tmp_path}"]).stderr
    binary = tmp_path / "b"
    binary.write_bytes(b"\xff\xfe\x00x")
    run = jac(["jacobian", "x", "--vars", f"@{binary}"])
    assert run.code == 2 and "not UTF-8 text" in run.stderr


# --------------------------------------------------------------------------- the hint


def _bratu(n: int) -> str:
    rows = [f"u{i - 1} - 2*u{i} + u{i + 1} + h^2*lam*exp(u{i})" for i in range(1, n - 1)]
    return "\n".join(["-2*u0 + u1 + h^2*lam*exp(u0)", *rows, f"u{n - 2} - 2*u{n - 1}"])


@pytest.mark.parametrize("fmt", ["plain", "json", "latex"])
def test_a_big_mostly_zero_dense_output_says_that_sparse_exists(
    jac: Any, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setattr(run_module, "HINT_BYTES", 10_000)  # 100 MB in the real thing
    n = 100
    run = jac(["jacobian", "-", "--vars", f"u0..u{n - 1}", "--format", fmt], input=_bratu(n))
    assert run.code == 0
    (note,) = [line for line in run.stderr.splitlines() if "--sparse" in line]
    assert f"the 100×100 matrix has {3 * n - 2} non-zero entries" in note
    estimate = float(note.split("about ")[1].split(" MB")[0].replace(",", "")) * 1e6
    assert 0.7 < len(run.stdout.encode()) / max(estimate, 1) < 1.5 or estimate < 1e6
    # not when asked for the sparse form, not for a table, not in quiet mode
    assert "--sparse" not in jac([*run_args(n, fmt), "--sparse"], input=_bratu(n)).stderr
    assert "--sparse" not in jac([*run_args(n, fmt), "-q"], input=_bratu(n)).stderr


def run_args(n: int, fmt: str) -> list[str]:
    return ["jacobian", "-", "--vars", f"u0..u{n - 1}", "--format", fmt]


def test_no_hint_for_a_full_matrix_or_a_small_output(
    jac: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = ", ".join(f"{'*'.join(f'x{j}' for j in range(30))} + x{i}" for i in range(30))
    monkeypatch.setattr(run_module, "HINT_BYTES", 1_000)
    run = jac(["jacobian", full, "--vars", "x0..x29", "--format", "plain"])
    assert run.code == 0 and "--sparse" not in run.stderr  # 100% full
    monkeypatch.setattr(run_module, "HINT_BYTES", 100_000_000)
    run = jac(["jacobian", "-", "--vars", "u0..u199", "--format", "plain"], input=_bratu(200))
    assert run.code == 0 and "--sparse" not in run.stderr  # 0.08 MB


def test_the_estimate_is_close_to_the_real_size() -> None:
    from jaccli import engine, problem
    from jaccli.render import Format, render

    p = problem.read([_bratu(300)], "u0..u299")
    result = engine.jacobian(p.functions, p.variables)
    for fmt in (Format.plain, Format.json, Format.latex):
        monkey = run_module.HINT_BYTES
        try:
            run_module.HINT_BYTES = 0
            (note,) = run_module.sparse_hint(result, fmt)
        finally:
            run_module.HINT_BYTES = monkey
        estimate = float(note.split("about ")[1].split(" MB")[0].replace(",", "")) * 1e6
        size = len(str(render(result, fmt)).encode())
        assert abs(estimate - size) < 0.25 * size + 0.5e6, (fmt, estimate, size)
