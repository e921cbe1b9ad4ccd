"""Errors a user can cause, as one hierarchy.

Every layer raises these and nothing else for bad input; only `cli` decides how a
class maps to an exit code and how the message is shown, so the engine stays free
of any notion of a process.
"""

import re
from collections.abc import Mapping
from typing import NamedTuple

# Messages name the inputs they are about as {vars}, {at}, {digits}, ...: the engine does not
# know whether they came from an option or a keyword argument. `worded` fills them in; `str(e)`
# and `e.message` use the Python API's words, the CLI its option names (jaccli.cli.app).
# {timeout_raise} and {max_memory_raise} say how to raise a budget: the CLI names the environment
# variable beside the option.
INPUTS = (
    "vars",
    "shape",
    "abstract",
    "at",
    "digits",
    "simplify",
    "points",
    "dask",
    "output",
    "timeout",
    "max_memory",
    "dir",
    "cot",
    "constraints",
    "of",
    "of_vars",
    "box",
    "name",
    "det",
    "sparse",
)
PYTHON_NAMES: Mapping[str, str] = {
    **{name: f"{name}=" for name in INPUTS},
    "timeout_raise": "timeout=",
    "max_memory_raise": "max_memory=",
}
_INPUT = re.compile(r"\{\{|\}\}|\{(" + "|".join(PYTHON_NAMES) + r")\}")


def worded(template: str, names: Mapping[str, str]) -> str:
    """`template` with each {input} replaced by its name in `names`, and {{ }} by { }."""

    def one(m: re.Match[str]) -> str:
        return m.group(0)[0] if m.group(1) is None else names.get(m.group(1), m.group(0))

    return _INPUT.sub(one, template)


def literal(text: str) -> str:
    """The user's text (a file name, a CSV header) in a message: its braces stay braces."""
    return text.replace("{", "{{").replace("}", "}}")


class Location(NamedTuple):
    """Where in the user's text an error is: enough to draw a caret under it."""

    text: str  # the whole line or argument
    column: int  # 0-based offset into `text`
    where: str = ""  # "argument 1", "stdin line 3", "{at}", ...


class JacError(Exception):
    """Something the user can fix; `str(error)` is the one-line message shown."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.template = message  # with {vars}, {at}, ... where an input is named
        self.message = worded(message, PYTHON_NAMES)
        super().__init__(self.message)
        self.location = location

    def worded(self, names: Mapping[str, str]) -> str:
        """The message naming inputs as `names` says (the CLI: {"at": "--at", ...})."""
        return worded(self.template, names)

    def __reduce__(self) -> tuple[type["JacError"], tuple[str, Location | None]]:
        # Pickled by the budgeted worker (jaccli.budget); keep the caret's location.
        return (type(self), (self.template, self.location))


class UsageError(JacError):
    """Options or arguments that do not fit together (a variable missing from --at, ...)."""


class ParseError(UsageError):
    """Text that is not a valid expression."""


class LimitError(JacError):
    """The input would need more time or memory than jac allows (a power with a million digits)."""


class MathError(JacError):
    """The input is well formed but the mathematics has no answer."""


class ShapeError(MathError):
    """A matrix has the wrong shape for the operation (det of a non-square J)."""


class UndefinedError(MathError):
    """A value is undefined: division by zero, log(0), 0/0 at a point."""


class ComplexError(MathError):
    """A value is complex although every variable is real (sqrt(x) at x = -1)."""


class PrecisionError(MathError):
    """A number could not be computed to the requested digits (it may be exactly 0)."""


class CheckError(MathError):
    """--check: an entry of the result differs from finite differences of F (a bug in jac)."""


class JacWarning(UserWarning):
    """A likely typo that still has an answer (`xy` read as one name, a Cyrillic х)."""


class WorkerCrash(Exception):
    """Not a user's error: the budgeted worker hit a bug, reported with its traceback."""

    def __init__(self, summary: str, details: str) -> None:
        super().__init__(summary)
        self.details = details
