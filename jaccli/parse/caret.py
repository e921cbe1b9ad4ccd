"""An error for a person: the message, then the input with a caret under the column."""

from collections.abc import Mapping

from jaccli.errors import PYTHON_NAMES, JacError, worded


def format_error(error: JacError, names: Mapping[str, str] = PYTHON_NAMES) -> str:
    """The message for a person: one line, then the input with a caret when we know where.

    `names` say how to name the inputs ({vars}, {at}, ...) in the message and in the
    location: the CLI passes its option names, the Python API's (`vars=`) are the default.
    """
    message = error.worded(names)
    loc = error.location
    if loc is None:
        return message
    where = f"{worded(loc.where, names)}, " if loc.where else ""
    lines = [f"{message} ({where}column {loc.column + 1})"]
    shown, caret = _window(loc.text, loc.column)
    lines.append("  " + shown)
    lines.append("  " + " " * caret + "^")
    return "\n".join(lines)


def _window(text: str, column: int, width: int = 72) -> tuple[str, int]:
    """A printable slice of a long line around `column`, and the caret's offset in it."""
    start = max(0, min(column - width // 2, len(text) - width))
    end = min(len(text), start + width)
    shown = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text[start:end])
    caret = column - start
    if start > 0:
        shown = "…" + shown[1:]
    if end < len(text):
        shown = shown[:-1] + "…"
    return shown, caret
