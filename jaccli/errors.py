"""Errors a user can cause, as one hierarchy.

Every layer raises these and nothing else for bad input; only `cli` decides how a
class maps to an exit code and how the message is shown, so the engine stays free
of any notion of a process.
"""

from typing import NamedTuple


class Location(NamedTuple):
    """Where in the user's text an error is: enough to draw a caret under it."""

    text: str  # the whole line or argument
    column: int  # 0-based offset into `text`
    where: str = ""  # "argument 1", "stdin line 3", "--at", ...


class JacError(Exception):
    """Something the user can fix; `str(error)` is the one-line message shown."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __reduce__(self) -> tuple[type["JacError"], tuple[str, Location | None]]:
        # Pickled by the budgeted worker (jaccli.budget); keep the caret's location.
        return (type(self), (self.message, self.location))


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


class WorkerCrash(Exception):
    """Not a user's error: the budgeted worker hit a bug, reported with its traceback."""

    def __init__(self, summary: str, details: str) -> None:
        super().__init__(summary)
        self.details = details
