"""What every result offers a Python caller: SymPy and NumPy forms, LaTeX, notebook display.

The methods import what they need when called (SymPy's `Printable` does the same), so
results stay cheap to build and to pickle across the budgeted worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from symengine import Basic as Expr

# Notebooks render LaTeX with MathJax or KaTeX in the browser; past this many characters
# (a 100×100 Jacobian) they stall, so the text form is shown instead.
DISPLAY_LIMIT = 50_000


class Displayable:
    """Mixed into jaccli.engine's results."""

    __slots__ = ()

    def _answer(self) -> tuple[tuple[Expr, ...], ...] | Expr:
        """What the result computed: det J as one expression, L as a column, else J."""
        if hasattr(self, "determinant"):
            return self.determinant
        if hasattr(self, "linearization"):
            return tuple((e,) for e in self.linearization)
        matrix: tuple[tuple[Expr, ...], ...] = getattr(self, "matrix")  # noqa: B009
        return matrix

    def to_sympy(self) -> Any:
        """The answer in SymPy: a Matrix (J, or L as a column), or an expression (det J)."""
        import sympy

        from jaccli.engine import to_sympy

        answer = self._answer()
        if isinstance(answer, tuple):
            shape = (len(answer), len(answer[0]) if answer else 0)
            return sympy.Matrix(*shape, [to_sympy(e) for row in answer for e in row])
        return to_sympy(answer)

    def to_numpy(self) -> Any:
        """The answer as a NumPy array (float, or complex if any entry is), when it is numbers.

        A symbolic answer has no array form: evaluate at a point first (`at=`).
        """
        import numpy as np

        answer = self._answer()
        rows = answer if isinstance(answer, tuple) else ((answer,),)
        symbols = sorted({s.name for row in rows for e in row for s in e.free_symbols})
        if symbols:
            raise ValueError(
                f"the answer depends on {', '.join(symbols)}: give their values with at= "
                "for a numeric array"
            )
        from jaccli.engine import numeric_values

        real = numeric_values(rows)  # real values without complex evaluation's 1e-16j noise
        values = real if real is not None else [[complex(e) for e in row] for row in rows]
        array = np.array(values, dtype=complex).reshape(len(rows), len(rows[0]) if rows else 0)
        if not np.iscomplex(array).any():
            array = array.real.copy()
        return array if isinstance(answer, tuple) else array[0, 0]

    def latex(self, env: str = "bmatrix") -> str:
        """The result as LaTeX math without delimiters (`--format latex --latex-style bare`)."""
        from jaccli.render import Format, LatexEnv, LatexStyle, RenderOptions, render

        options = RenderOptions(LatexEnv(env), LatexStyle.bare)
        text = render(self, Format.latex, options)  # type: ignore[arg-type]
        assert isinstance(text, str)
        return text.strip()

    def _repr_latex_(self) -> str | None:
        """For Jupyter: `$\\displaystyle …$`, which VS Code notebooks render (`\\[…\\]` they
        do not: microsoft/vscode#143329). No HTML beside it: nbconvert would pick that."""
        text = self.latex()
        if len(text) > DISPLAY_LIMIT:
            return None
        return f"$\\displaystyle {text}$"

    def __repr__(self) -> str:
        """`jac --format plain`'s text under a line naming the result: what a REPL and a
        notebook's text/plain show (the fields themselves are attributes)."""
        name = type(self).__name__
        where = getattr(self, "point", None)
        at = " at " + ", ".join(f"{s}={v}" for s, v in where) if where else ""
        variables = ", ".join(str(v) for v in getattr(self, "variables", ()))
        return f"{name} in ({variables}){at}:\n{self.text()}"

    def text(self) -> str:
        """The result as `jac --format plain` prints it."""
        from jaccli.render import Format, render

        out = render(self, Format.plain)  # type: ignore[arg-type]
        assert isinstance(out, str)
        return out.rstrip("\n")
