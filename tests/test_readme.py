"""Every `console` example in README.md runs and prints what the README shows.

Each block runs in a fresh directory through bash, with the installed jac on PATH,
stderr merged into stdout (a reader sees both) and an 80-column terminal width.
`JAC_UPDATE_README=1 python3 -m pytest tests/test_readme.py` rewrites the outputs.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from jaccli.cli.commands import COMMANDS
from tests.installed import run

README = Path(__file__).parent.parent / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```\n", re.S)


@dataclass
class Example:
    command: str
    output: str


def parse_block(body: str) -> list[Example]:
    examples: list[Example] = []
    for line in body.splitlines(keepends=True):
        if line.startswith("$ "):
            examples.append(Example(line[2:].rstrip("\n"), ""))
        else:
            assert examples, f"output before any command in README block:\n{body}"
            examples[-1].output += line
    return examples


def execute(examples: list[Example], cwd: Path) -> list[str]:
    outputs = []
    for example in examples:
        script = f"cd '{cwd}' && exec 2>&1 && {example.command}"
        result = run(script, shell=True, env={"COLUMNS": "80", "TERM": "dumb"})
        outputs.append(result.stdout)
    return outputs


def blocks() -> list[str]:
    return BLOCK.findall(README.read_text(encoding="utf-8"))


def test_readme_has_examples_of_every_command_in_every_format() -> None:
    commands = [e.command for body in blocks() for e in parse_block(body)]
    for command in (row.name for row in COMMANDS if row.reads_functions):
        for fmt in ["table", "plain", "latex", "json"]:
            assert any(
                c.startswith(f"jac {command} ") and f"--format {fmt}" in c for c in commands
            ), f"README lacks an example of jac {command} --format {fmt}"


@pytest.mark.parametrize("index", range(len(blocks())))
def test_readme_example_output(index: int, tmp_path: Path) -> None:
    examples = parse_block(blocks()[index])
    if any("| jq" in e.command for e in examples) and shutil.which("jq") is None:
        pytest.skip("jq is not installed; the README's jq examples cannot be checked")
    outputs = execute(examples, tmp_path)
    if os.environ.get("JAC_UPDATE_README"):
        _rewrite(index, examples, outputs)
        return
    for example, output in zip(examples, outputs, strict=True):
        assert output == example.output, f"README example changed: $ {example.command}"


def _rewrite(index: int, examples: list[Example], outputs: list[str]) -> None:
    text = README.read_text(encoding="utf-8")
    matches = list(BLOCK.finditer(text))
    body = "".join(f"$ {e.command}\n{out}" for e, out in zip(examples, outputs, strict=True))
    m = matches[index]
    README.write_text(text[: m.start(1)] + body + text[m.end(1) :], encoding="utf-8")


PYCON = re.compile(r"```pycon\n(.*?)```\n", re.S)


@pytest.mark.parametrize("index", range(len(PYCON.findall(README.read_text(encoding="utf-8")))))
def test_readme_python_examples(index: int) -> None:
    """The `pycon` blocks (the Python API) run as doctests, in this process."""
    import doctest

    body = PYCON.findall(README.read_text(encoding="utf-8"))[index]
    test = doctest.DocTestParser().get_doctest(body, {}, f"README pycon {index}", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=lambda text: pytest.fail(text))
    assert runner.summarize(verbose=False).attempted > 0
