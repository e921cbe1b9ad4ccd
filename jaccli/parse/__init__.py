"""User text → SymEngine expressions, without ever evaluating the text as code.

SymPy's `sympify`/`parse_expr` run Python's `eval` on what they are given, so jac
has its own small tokenizer (`tokens`) and recursive-descent parser (`grammar`). It
builds a tiny tree whose nodes remember their columns (`tree`), for the caret in
error messages (`caret`), and only then turns that tree into SymEngine objects, the
engine's own representation (`build`). `inputs` reads what the user gives (arguments,
stdin, the variables, a point) within the `limits`; `names` warns about names that
probably mean something else (`sinx`, `xy`). The functions jac knows are described
once, in jaccli.functions. Nothing here imports SymEngine until an expression is built.
"""

from jaccli.functions import VECTOR_FUNCTIONS
from jaccli.parse.build import build, make_symbol
from jaccli.parse.caret import format_error
from jaccli.parse.grammar import CONSTANTS, FUNCTIONS
from jaccli.parse.inputs import (
    parse_functions,
    parse_point,
    parse_variables,
    read_and_build,
    read_functions,
)
from jaccli.parse.limits import (
    DEFAULT_LIMITS,
    LIMIT_VARIABLES,
    MAX_NESTING,
    MAX_NUMBER_DIGITS,
    Limits,
    limits_from_env,
)
from jaccli.parse.names import confusable_letters, suspicious_names, typed_names
from jaccli.parse.shapes import Shape, entry_names, parse_shapes
from jaccli.parse.tokens import Token, tokenize
from jaccli.parse.tree import (
    Call,
    Const,
    Elementwise,
    Name,
    Neg,
    Node,
    Num,
    Parsed,
    Power,
    Product,
    Sum,
    Transpose,
)

__all__ = [
    "CONSTANTS",
    "DEFAULT_LIMITS",
    "FUNCTIONS",
    "LIMIT_VARIABLES",
    "MAX_NESTING",
    "MAX_NUMBER_DIGITS",
    "VECTOR_FUNCTIONS",
    "Call",
    "Const",
    "Elementwise",
    "Limits",
    "Name",
    "Neg",
    "Node",
    "Num",
    "Parsed",
    "Power",
    "Product",
    "Shape",
    "Sum",
    "Token",
    "Transpose",
    "build",
    "confusable_letters",
    "entry_names",
    "format_error",
    "limits_from_env",
    "make_symbol",
    "parse_functions",
    "parse_point",
    "parse_shapes",
    "parse_variables",
    "read_and_build",
    "read_functions",
    "suspicious_names",
    "tokenize",
    "typed_names",
]
