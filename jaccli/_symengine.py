"""Import SymEngine without importing NumPy up front: 30 ms instead of about 180 ms.

SymEngine's wrapper imports NumPy, when it is installed, to recognise NumPy
numbers and arrays. jac's own objects never are NumPy's, and start-up time is
most of what a small jac call costs (shell loops, TAB completion). So the first
import of SymEngine hides NumPy, and the wrapper is then given a module proxy that
imports NumPy the first time the wrapper really touches it (for example when a
SymPy result is converted back). SymEngine behaves as with NumPy present; only
the import is deferred. tests/test_lint.py checks both halves.

The wrapper's `sympify` asks whether every SymPy object it converts is a NumPy
float16 or float32. While NumPy is not imported nothing can be one, so the proxy
answers with a type that has no instances instead of importing NumPy: converting
a SymPy result back then costs neither NumPy's 100 ms nor its 80-120 MB of address
space (OpenBLAS's threads), which a small --max-memory budget cannot spare.

`mpfr()` reaches the MPFR library SymEngine itself loaded, to widen its exponent
range: by default MPFR holds numbers up to 2^(2^30), so e^(10^9) is infinite and
e^(-10^9) is 0 to it; its widest range goes to 2^(2^62).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_TYPE_CHECKS = frozenset({"float16", "float32"})  # only ever used in isinstance() by sympify


class _NotNumpy:
    """Stands for a NumPy type while NumPy is not imported: nothing is an instance of it."""


class _LazyNumpy(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("numpy")

    def __getattr__(self, name: str) -> Any:
        if name in _TYPE_CHECKS and sys.modules.get("numpy") is None:
            return _NotNumpy
        return getattr(importlib.import_module("numpy"), name)


def load() -> Any:
    if "symengine" not in sys.modules and "numpy" not in sys.modules:
        sys.modules["numpy"] = None  # type: ignore[assignment]  # `import numpy` now fails
        try:
            import symengine
        finally:
            del sys.modules["numpy"]
        wrapper = sys.modules.get("symengine.lib.symengine_wrapper")
        if wrapper is not None:
            proxy = _LazyNumpy()
            for name in ("numpy", "np"):
                if name in wrapper.__dict__ and wrapper.__dict__[name] is None:
                    setattr(wrapper, name, proxy)
    import symengine

    return symengine


# --------------------------------------------------------------------------- MPFR


# MPFR's default exponent range, 2^±(2^30 - 1): mpfr.h's MPFR_EMIN_DEFAULT and EMAX_DEFAULT.
DEFAULT_RANGE = (-(2**30 - 1), 2**30 - 1)


class Mpfr:
    """SymEngine's own MPFR through ctypes: its exponent range and its exception flags.

    Both are per thread in MPFR (thread-local), so `widen` is called by the thread
    that evaluates, before it evaluates.
    """

    def __init__(self, lib: Any) -> None:
        self.lib = lib

    def widen(self) -> None:
        """The widest exponent range MPFR allows: numbers from 2^-(2^62) to 2^(2^62)."""
        self.set_range((self.lib.mpfr_get_emin_min(), self.lib.mpfr_get_emax_max()))

    def range(self) -> tuple[int, int]:
        """The exponent range now: (emin, emax)."""
        return self.lib.mpfr_get_emin(), self.lib.mpfr_get_emax()

    def set_range(self, exponents: tuple[int, int]) -> None:
        self.lib.mpfr_set_emin(exponents[0])
        self.lib.mpfr_set_emax(exponents[1])

    def clear_flags(self) -> None:
        self.lib.mpfr_clear_flags()

    def flags(self) -> tuple[bool, bool]:
        """(underflow, overflow) since `clear_flags`."""
        return bool(self.lib.mpfr_underflow_p()), bool(self.lib.mpfr_overflow_p())

    def largest_exponent(self) -> int:
        """The largest decimal exponent a number can have in the current range (exact)."""
        log10_2 = 3010299956639811952137388947244930267681  # log10(2) × 10^40, rounded down
        return int(self.lib.mpfr_get_emax()) * log10_2 // 10**40


_MPFR: list[Mpfr | None] = []  # found once per process


def mpfr() -> Mpfr | None:
    """The MPFR that SymEngine uses, or None where it cannot be found (then nothing widens)."""
    if not _MPFR:
        _MPFR.append(_find_mpfr())
    return _MPFR[0]


def _find_mpfr() -> Mpfr | None:
    import ctypes

    load()
    for path in _mpfr_paths():
        try:
            lib = ctypes.CDLL(path)
            for name in (
                "mpfr_get_emin_min",
                "mpfr_get_emax_max",
                "mpfr_get_emin",
                "mpfr_get_emax",
            ):
                getattr(lib, name).restype = ctypes.c_long
            for name in ("mpfr_set_emin", "mpfr_set_emax"):
                getattr(lib, name).argtypes = [ctypes.c_long]
            for name in ("mpfr_underflow_p", "mpfr_overflow_p"):
                getattr(lib, name).restype = ctypes.c_int
        except (OSError, AttributeError):
            continue
        return Mpfr(lib)
    return None


def _mpfr_paths() -> list[str]:
    """Where the loaded MPFR is: the process's own map on Linux, else beside SymEngine.

    It must be the very library SymEngine loaded (wheels bundle their own copy with a
    hashed name), not some other MPFR on the system, or the settings change nothing.
    """
    import glob
    import os

    found: list[str] = []
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.split(maxsplit=5)[-1].strip()
                if "/libmpfr" in path and path not in found:
                    found.append(path)
    except OSError:
        pass
    if not found:
        import symengine

        here = os.path.dirname(os.path.dirname(os.path.abspath(symengine.__file__)))
        for pattern in ("symengine.libs/libmpfr*", "symengine/.dylibs/libmpfr*"):
            found += sorted(glob.glob(os.path.join(here, pattern)))
    # Another package (gmpy2) may bring its own MPFR: SymEngine's copy first.
    return sorted(found, key=lambda path: "symengine" not in path)
