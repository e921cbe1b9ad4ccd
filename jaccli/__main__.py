"""Allow `python -m jaccli`, for environments where the `jac` script is not on PATH."""

from jaccli.cli import main

main()
