"""Coverage-guided fuzzing of jac's parser with atheris (libFuzzer for Python).

The property: for any text, the parser returns expressions or raises a JacError
(a message for the user); never another exception, a hang or a crash.

    python3 -m pip install -e '.[fuzz]'
    mkdir -p /tmp/jac-corpus
    python3 fuzz/fuzz_parse.py -max_total_time=300 -timeout=10 /tmp/jac-corpus fuzz/seeds

Not part of the test run: it needs minutes to be useful. Findings are written as
crash-* files; add each as a case to tests/test_hostile.py once fixed.
"""

import sys

import atheris

with atheris.instrument_imports():
    from jaccli.errors import JacError
    from jaccli.parse import build, parse_functions, parse_point, parse_variables, read_functions


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    which = provider.ConsumeIntInRange(0, 4)
    text = provider.ConsumeUnicodeNoSurrogates(provider.remaining_bytes())
    try:
        if which == 0:
            parse_variables(text)
        elif which == 1:
            parse_point(text, ["x", "y"])
        elif which == 2:
            parse_functions([text], ["x", "y"])
        elif which == 3:  # F as typed, at a point: where x/x at x = 0 is caught
            point = parse_point("x=0, y=10^50")
            build(read_functions([text], ["x", "y"]), values=point)
        else:
            parse_functions([text])
    except JacError:
        pass


def main() -> None:
    sys.setrecursionlimit(10_000)  # the parser's own depth limit must bite first
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
