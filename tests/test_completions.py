"""Completion scripts: generated, not stale, and answering from the installed jac."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jaccli.cli.commands import COMMANDS as TABLE
from tests.installed import jac_path, run

ROOT = Path(__file__).parent.parent


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "completions" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_scripts_match_the_app() -> None:
    for name, text in _generator().scripts().items():
        committed = (ROOT / "completions" / name).read_text(encoding="utf-8")
        assert committed == text, f"completions/{name} is stale: python completions/generate.py"


def _bash_request(words: str, cword: int) -> list[str]:
    env = {"_JAC_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    return run(env=env).stdout.split()


def test_bash_request_offers_commands_options_and_formats() -> None:
    assert _bash_request("jac ", 1) == [row.name for row in TABLE]
    assert _bash_request("jac li", 1) == ["linearize"]
    options = _bash_request("jac jacobian --", 2)
    assert {"--vars", "--format", "--simplify", "--latex-env"} <= set(options)
    assert "--at" in _bash_request("jac eval --", 2)
    formats = ["table", "plain", "latex", "json", "jsonl", "mtx", "csv", "tsv", "parquet"]
    assert _bash_request("jac det x --format ", 4) == formats


def test_zsh_request() -> None:
    env = {"_JAC_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "jac jac"}
    out = run(env=env).stdout
    assert "jacobian" in out


# What TAB must offer in every shell: the commands after `jac `, options after `--`.
COMMANDS = {row.name for row in TABLE}
JACOBIAN_OPTIONS = {"--vars", "--format", "--simplify", "--latex-env", "--quiet", "--timeout"}


def _missing(shell: str) -> str:
    return f"{shell} is not installed (Debian package {shell}; tests/tools/install.sh adds it)"


@pytest.mark.skipif(shutil.which("bash") is None, reason=_missing("bash"))
def test_the_bash_script_works_in_a_real_bash() -> None:
    script = ROOT / "completions" / "jac.bash"

    def tab(line: str) -> set[str]:
        words = line.split(" ")
        program = f"""
            PATH="{Path(jac_path()).parent}:$PATH"
            source "{script}"
            COMP_WORDS=({" ".join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}
            complete -p jac >/dev/null && _jac_completion jac
            printf '%s\\n' "${{COMPREPLY[@]}}"
        """
        out = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return set(out.stdout.split())

    assert tab("jac ") == COMMANDS
    assert tab("jac jacobian --") >= JACOBIAN_OPTIONS
    assert tab("jac jacobian --f") == {"--format", "--functions"}


@pytest.mark.skipif(shutil.which("fish") is None, reason=_missing("fish"))
def test_the_fish_script_works_in_a_real_fish() -> None:
    script = ROOT / "completions" / "jac.fish"

    def tab(line: str) -> set[str]:
        program = (
            f"set -x PATH {Path(jac_path()).parent} $PATH; source {script}; complete -C '{line}'"
        )
        out = subprocess.run(
            ["fish", "--no-config", "-c", program], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        return {line.split("\t")[0] for line in out.stdout.splitlines()}

    assert tab("jac ") == COMMANDS
    assert tab("jac jacobian --") >= JACOBIAN_OPTIONS


def _zsh_tab(lines: list[str]) -> list[str]:
    """What an interactive zsh lists after each line and a TAB, the completion system on."""
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover  (the shell)
        env = {"PATH": f"{Path(jac_path()).parent}:/usr/bin:/bin", "TERM": "xterm", "HOME": "/"}
        os.execvpe("zsh", ["zsh", "-f", "-i"], env)

    def read(until: str, seconds: float = 20.0) -> str:
        out, end = b"", time.monotonic() + seconds
        while until.encode() not in out and time.monotonic() < end:
            if select.select([fd], [], [], 0.1)[0]:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    break
        return out.decode(errors="replace")

    try:
        script = ROOT / "completions" / "_jac"
        os.write(
            fd, f"autoload -Uz compinit && compinit -u -D; source {script}; echo READY\n".encode()
        )
        read("READY\r\n")
        shown = []
        for line in lines:
            os.write(fd, f"{line}\t".encode())
            shown.append(read("--help" if line.endswith("--") else "schema"))
            os.write(fd, b"\x15")  # Ctrl-U: clear the line for the next one
        return shown
    finally:
        os.write(fd, b"exit\n")
        os.waitpid(pid, 0)
        os.close(fd)


@pytest.mark.skipif(shutil.which("zsh") is None, reason=_missing("zsh"))
def test_the_zsh_script_works_in_a_real_zsh() -> None:
    import re

    shown = _zsh_tab(["jac ", "jac jacobian --"])
    # The listing below the prompt, without terminal control sequences: one match a line.
    # zsh groups options that share a description: "--no-simplify  --simplify  -- ...".
    commands, options = (
        {
            word
            for line in re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", s).splitlines()
            for word in line.split(" -- ")[0].split()
        }
        for s in shown
    )
    assert commands >= COMMANDS, shown[0]
    assert options >= JACOBIAN_OPTIONS, shown[1]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_install_completion_as_typer_provides(tmp_path: Path) -> None:
    # Typer detects the shell from the parent process, so ask from inside bash.
    out = run(f"HOME='{tmp_path}' jac --install-completion", shell=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "bash completion installed" in out.stdout
    assert "_JAC_COMPLETE" in (tmp_path / ".bash_completions" / "jac.sh").read_text()
    assert "jac.sh" in (tmp_path / ".bashrc").read_text()
