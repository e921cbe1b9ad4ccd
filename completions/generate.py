"""Write jac's completion scripts for bash, zsh and fish: `python completions/generate.py`.

`jac --show-completion` prints only the script for the shell it detects, so this
asks Typer for each shell explicitly. tests/test_completions.py imports
`scripts()` and fails when the committed files differ from what it returns.
"""

from __future__ import annotations

from pathlib import Path

from jaccli.cli.app import completion_script

HERE = Path(__file__).parent
FILES = {"bash": "jac.bash", "zsh": "_jac", "fish": "jac.fish"}


def scripts() -> dict[str, str]:
    """File name → content, exactly as it should be committed."""
    return {name: completion_script(shell) + "\n" for shell, name in FILES.items()}


if __name__ == "__main__":
    for name, text in scripts().items():
        (HERE / name).write_text(text, encoding="utf-8")
        print(f"wrote completions/{name}")
