"""Import SymEngine without importing NumPy up front: 30 ms instead of about 180 ms.

SymEngine's wrapper imports NumPy, when it is installed, to recognise NumPy
numbers and arrays. jac's own objects never are NumPy's, and start-up time is
most of what a small jac call costs (shell loops, TAB completion). So the first
import of SymEngine hides NumPy, and the wrapper is then given a module proxy that
imports NumPy the first time the wrapper really touches it (for example when a
SymPy result is converted back). SymEngine behaves as with NumPy present; only
the import is deferred. tests/test_lint.py checks both halves.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any


class _LazyNumpy(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("numpy")

    def __getattr__(self, name: str) -> Any:
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
