"""The README's Ray and Spark examples of jaccli.kernel, run as written where they install.

Opt-in: Ray (240 MB) and PySpark (491 MB and Java) are in no extra and not in CI, so each
test skips, saying why, when its framework does not import. Each runs the example from
README.md as a script (with its `if __name__ == "__main__":` guard) and compares what it
wrote with the kernel called in this process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

README = Path(__file__).parent.parent / "README.md"


def example(framework: str) -> str:
    """The README's ```python block that imports `framework`."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    found = [b for b in blocks if f"import {framework}" in b or f"from {framework}" in b]
    if not found:
        pytest.skip(f"README.md has no example for {framework} yet")
    return found[0]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("framework", "out"), [("ray", "jacobians-ray"), ("pyspark", "jacobians-spark")]
)
def test_the_readme_example_runs(framework: str, out: str, tmp_path: Path) -> None:
    pytest.importorskip(framework, reason=f"{framework} is not installed (it is in no extra)")
    import jaccli

    (tmp_path / "points").mkdir()
    x, y, z = np.random.default_rng(7).uniform(-2, 2, (3, 5000))
    pq.write_table(pa.table({"x": x, "y": y, "z": z}), tmp_path / "points" / "a.parquet")
    (tmp_path / "example.py").write_text(example(framework))
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    run = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    written = pq.read_table(tmp_path / out).to_pandas().sort_values("x", ignore_index=True)
    kernel = jaccli.kernel("exp(x+z)*y, x*y*z, sin(x)/y", vars="x,y,z")
    expected = kernel(pa.table({"x": x, "y": y, "z": z})).to_pandas()
    expected = expected.sort_values("x", ignore_index=True)
    assert list(written.columns) == list(expected.columns)
    np.testing.assert_array_equal(written.to_numpy(), expected.to_numpy())
