"""Completion scripts: generated, not stale, and answering from the installed jac."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

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
    assert _bash_request("jac ", 1) == ["jacobian", "det", "eval", "linearize", "schema"]
    assert _bash_request("jac li", 1) == ["linearize"]
    options = _bash_request("jac jacobian --", 2)
    assert {"--vars", "--format", "--simplify", "--latex-env"} <= set(options)
    assert "--at" in _bash_request("jac eval --", 2)
    formats = ["table", "plain", "latex", "json", "jsonl", "csv", "tsv"]
    assert _bash_request("jac det x --format ", 4) == formats


def test_zsh_request() -> None:
    env = {"_JAC_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "jac jac"}
    out = run(env=env).stdout
    assert "jacobian" in out


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_bash_script_works_in_a_real_bash() -> None:
    script = ROOT / "completions" / "jac.bash"
    program = f"""
        PATH="{Path(jac_path()).parent}:$PATH"
        source "{script}"
        COMP_WORDS=(jac jacobian --f); COMP_CWORD=2
        _jac_completion jac
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    out = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["--format"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_install_completion_as_typer_provides(tmp_path: Path) -> None:
    # Typer detects the shell from the parent process, so ask from inside bash.
    out = run(f"HOME='{tmp_path}' jac --install-completion", shell=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "bash completion installed" in out.stdout
    assert "_JAC_COMPLETE" in (tmp_path / ".bash_completions" / "jac.sh").read_text()
    assert "jac.sh" in (tmp_path / ".bashrc").read_text()
