"""Allow `python -m jaccli`, for environments where the `jac` script is not on PATH.

The guard keeps a process that re-imports this module from running jac again: Dask's
`processes` scheduler and multiprocessing's spawn start each worker by importing the
parent's main module (for a package run with -m they skip it today; the guard does not rely
on that).
"""

from jaccli.cli import main

if __name__ == "__main__":
    main()
