"""Run the installed `jac` script as a real process, the way shells and pipelines do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def jac_path() -> str:
    beside = Path(sys.executable).with_name("jac")
    found = str(beside) if beside.exists() else shutil.which("jac")
    assert found, "the jac console script is not installed: pip install -e '.[test]'"
    return found


def run(
    *args: str, input: str | None = None, env: dict[str, str] | None = None, shell: bool = False
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("JAC_FORMAT", None)
    if shell:
        bin_dir = str(Path(jac_path()).parent)
        full_env["PATH"] = bin_dir + os.pathsep + full_env.get("PATH", "")
        command: list[str] | str = args[0]
    else:
        command = [jac_path(), *args]
    return subprocess.run(
        command,
        input=input,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        shell=shell,
        executable="/bin/bash" if shell else None,
        check=False,
    )
