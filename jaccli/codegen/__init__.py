"""`jac codegen`: J (and F) as source code, with a header that says how it was made.

Not in render/: render turns results into text for people; generated code has its own plan
(plan.py: what to compute, language-neutral) and one printer per language, each a SymPy code
printer subclassed where jac's rules differ (NaN where `jac eval` says undefined).

Each language module has `RESERVED` (names its code cannot use for the function or a local)
and `emit(plan) -> str`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from jaccli.errors import UsageError, literal

if TYPE_CHECKING:
    from jaccli.problem import Problem

# --lang → the module that prints it.
LANGUAGES = {
    "c": "c",
    "numpy": "numpy_",
    "jax": "jax_",
    "julia": "julia",
    "matlab": "matlab",
}


def module(lang: str) -> object:
    if lang not in LANGUAGES:
        raise UsageError(f"unknown language {lang}: one of {', '.join(LANGUAGES)}")
    return importlib.import_module(f"{__name__}.{LANGUAGES[lang]}")


def check_name(name: str, lang: str) -> None:
    """A function name the language accepts: an ASCII identifier, not reserved there."""
    reserved: frozenset[str] = getattr(module(lang), "RESERVED", frozenset())
    if not (name.isascii() and name.isidentifier()):
        raise UsageError(
            f"{{name}} {literal(repr(name))} is not an identifier (letters, digits, _)"
        )
    if lang == "matlab" and not (name[0].isalpha() and len(name) <= 63):
        raise UsageError(
            f"{{name}} {literal(repr(name[:70]))} is not a MATLAB name: it starts with a letter "
            "and has at most 63 characters (namelengthmax)"
        )
    if name in reserved:
        raise UsageError(f"{{name}} {name!r} is reserved in {lang}: choose another name")


def generate(
    problem: Problem,
    lang: str,
    what: str = "jacobian",
    name: str = "jac_f",
    layout: str = "auto",
    command: str = "",
    at: str | None = None,
) -> str:
    """Source code in `lang` computing J (or F, or both) of `problem`; `at` fixes
    parameters ("k=3"), `command` is the provenance line of the header."""
    from jaccli.codegen.plan import build

    check_name(name, lang)
    plan = build(problem, lang=lang, what=what, name=name, layout=layout, command=command, at=at)
    emit = getattr(module(lang), "emit")  # noqa: B009
    text: str = emit(plan)
    return text
