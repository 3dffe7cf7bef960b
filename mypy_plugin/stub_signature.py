"""Keeps FastAPI's own ``Depends``/``Security`` signature when the shipped stubs are installed.

The ``fastapi-stubs`` overloads (stubs/) type ``Depends(f)`` by dependency kind for checkers
without plugins. Under the plugin they would get in the way: mypy tries each overload with
errors muted, so a plugin error makes every overload fail and mypy adds ``arg-type`` errors.
This signature hook turns every overload back into FastAPI's runtime signature
(``dependency: Callable[..., Any] | None``, returning ``Any``); the first one then matches
and depends.py decides, exactly as without the stubs. It does nothing else.
"""

from __future__ import annotations

from mypy.nodes import ARG_STAR, ARG_STAR2
from mypy.plugin import FunctionSigContext
from mypy.types import AnyType, CallableType, NoneType, TypeOfAny, UnionType

_DEPENDENCY_PARAMETER = "dependency"


def runtime_signature(ctx: FunctionSigContext) -> CallableType:
    signature = ctx.default_signature
    if _DEPENDENCY_PARAMETER not in signature.arg_names:
        return signature
    anything = AnyType(TypeOfAny.explicit)
    callable_type = CallableType(
        [anything, anything],
        [ARG_STAR, ARG_STAR2],
        [None, None],
        anything,
        ctx.api.named_generic_type("builtins.function", []),
        is_ellipsis_args=True,
    )
    arg_types = list(signature.arg_types)
    arg_types[signature.arg_names.index(_DEPENDENCY_PARAMETER)] = UnionType([callable_type, NoneType()])
    return signature.copy_modified(arg_types=arg_types, ret_type=anything, variables=[])
