"""--vars @FILE and --vars @-: variable names from a file, for systems whose 10^5 names do
not fit on a command line ("Argument list too long" at about 50,000).

Names are separated by commas or newlines, ranges (u0..u99999) work as on the command line,
and `#` starts a comment. Each line is checked here so an error points at the file's line
and column; the lines are then joined into the text --vars would have held.
"""

from __future__ import annotations

import re

from jaccli.errors import Location, ParseError, UsageError, literal


def names_text(spec: str, limit: int, stdin: str | None = None) -> str:
    """The --vars text that `@FILE` stands for (`spec` starts with @); `stdin` is the text
    of `@-`, read by the caller, which knows whether stdin is free."""
    from jaccli.parse.inputs import parse_variables
    from jaccli.parse.stencil import ASCII_NAME

    path = spec[1:]
    shown = "stdin" if path == "-" else literal(path)
    text = stdin if path == "-" and stdin is not None else _read(path, shown, limit)
    if len(text) > limit:
        raise UsageError(f"{{vars}} @{shown}: longer than {limit:,} characters")
    entries: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), 1):
        body = line.split("#", 1)[0].strip().strip(",").strip()  # x,⏎y and x⏎,y alike
        if not body.strip():
            continue
        where = f"{{vars}} @{shown} line {number}"
        simple = ASCII_NAME.fullmatch(body.strip())  # one plain name a line: no need to tokenize
        for name in [simple.group()] if simple else parse_variables(body, where):
            seen = first_line.setdefault(name, number)
            if seen != number:
                found = re.search(rf"(?<![\w.]){re.escape(name)}(?![\w.])", line)
                raise ParseError(
                    f"'{name}' is listed twice (lines {seen} and {number})",
                    Location(line, found.start() if found else 0, where),
                )
        entries.append(body.strip())
    if not entries:
        raise UsageError(f"{{vars}} @{shown}: no variable names in it")
    return ",".join(entries)


def _read(path: str, shown: str, limit: int) -> str:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read(limit + 1).removeprefix("\ufeff").replace("\r\n", "\n")
    except FileNotFoundError:
        raise UsageError(f"{{vars}} @{shown}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{{vars}} @{shown}: a directory, not a file of names") from None
    except UnicodeDecodeError as e:
        raise UsageError(f"{{vars}} @{shown}: not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise UsageError(f"{{vars}} @{shown}: cannot be read ({e.strerror})") from None
