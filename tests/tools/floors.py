"""The oldest release of each of jac's dependencies that pyproject.toml allows, as pins.

    python3 tests/tools/floors.py        # typer==0.26.1 symengine==0.15.0 ...

`.ci/run` installs jac with these and runs the tests that exercise each dependency, so a
floor in pyproject.toml is a version that was tested, not a guess: typer 0.26.0 ignored
environment variables and SymEngine 0.14 failed every command while pyproject allowed them.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
_FLOOR = re.compile(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*>=\s*([0-9][0-9A-Za-z.]*)")


def floors(path: Path = PYPROJECT) -> list[str]:
    """`name==version` for every runtime dependency, its lower bound."""
    pins = []
    for requirement in tomllib.loads(path.read_text())["project"]["dependencies"]:
        found = _FLOOR.match(requirement.split(";")[0].strip())
        if found is None:
            raise SystemExit(f"floors.py: no lower bound in {requirement!r}: give one")
        name, extras, version = found.groups()
        pins.append(f"{name}{extras or ''}=={version}")
    return pins


if __name__ == "__main__":
    sys.stdout.write(" ".join(floors()) + "\n")
