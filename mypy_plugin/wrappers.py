"""What a user decorator puts in place of a dependency, read from the decorator's source.

FastAPI >= 0.123.5 classifies a dependency through ``inspect.unwrap`` (``functools.wraps``
sets ``__wrapped__``) but calls the wrapper; older releases classify the wrapper itself
(../shared/reference/fastapi-di-runtime.md 2.1 W and 2.4). None of that is in the types, so
the decorator's source is read: the function it returns, whether that one is decorated with
``functools.wraps``, whether it is ``async def`` or a generator, and whether it returns
``func(...)`` or ``await func(...)``. Everything comes from the source files and symbol
tables (never from tree nodes that only some runs have), so cold, warm and daemon runs agree.
Anything not recognised gives None, and the dependency stays undecided.
"""

from __future__ import annotations

import ast
from typing import Final

from mypy.nodes import Decorator, FuncDef, MypyFile

from mypy_plugin import source
from mypy_plugin.consulted import Modules


class Wrapper:
    """The function a decorator returns instead of the one it decorates."""

    __slots__ = (
        "decorator", "keeps_wrapped", "is_async", "is_generator", "calls", "awaits", "takes_var_args"
    )  # fmt: skip

    def __init__(
        self,
        decorator: str,
        keeps_wrapped: bool,
        is_async: bool,
        is_generator: bool,
        calls: bool,
        awaits: bool,
        takes_var_args: bool,
    ) -> None:
        self.decorator: Final = decorator  # as written after the @
        # Decorated with functools.wraps(func): FastAPI >= 0.123.5 looks through it.
        self.keeps_wrapped: Final = keeps_wrapped
        self.is_async: Final = is_async
        self.is_generator: Final = is_generator
        self.calls: Final = calls  # `return func(...)`
        self.awaits: Final = awaits  # `return await func(...)`
        # ``*args`` / ``**kwargs``: without functools.wraps FastAPI reads them as query parameters.
        self.takes_var_args: Final = takes_var_args


def wrapper_of(decorated: Decorator, modules: Modules) -> Wrapper | None:
    """The wrapper of the one user decorator on a module-level function, if it can be read."""
    module_name, _, name = decorated.func.fullname.rpartition(".")
    module = modules.get(module_name)
    if module is None:
        return None
    names = source.decorator_names(module.path, name)
    if names is None or len(names) != 1:
        return None
    definition = _resolve(names[0], module, modules)
    function = modules.function(definition.fullname) if definition is not None else None
    return None if function is None else _wrapper(names[0], function.tree)


def _resolve(name: str, module: MypyFile, modules: Modules) -> FuncDef | None:
    """``logged`` or ``utils.logged`` as the module sees it, if it is a function definition."""
    head, *rest = name.split(".")
    symbol = module.names.get(head)
    node = symbol.node if symbol is not None else None
    for part in rest:
        if not isinstance(node, MypyFile):
            return None
        symbol = node.names.get(part)
        node = symbol.node if symbol is not None else None
    if isinstance(node, FuncDef) and node.fullname.rpartition(".")[0] in modules:
        return node
    return None


def _wrapper(name: str, decorator: ast.FunctionDef | ast.AsyncFunctionDef) -> Wrapper | None:
    parameters = decorator.args.posonlyargs + decorator.args.args
    if not parameters:
        return None
    wrapped = parameters[0].arg
    returned = [s.value.id for s in decorator.body if isinstance(s, ast.Return) and isinstance(s.value, ast.Name)]
    inner = [
        s
        for s in decorator.body
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and returned and s.name == returned[-1]
    ]
    if len(returned) != 1 or len(inner) != 1:
        return None
    wrapper = inner[0]
    keeps = any(_is_wraps_of(item, wrapped) for item in wrapper.decorator_list)
    own = list(_own_nodes(wrapper))
    results = [node.value for node in own if isinstance(node, ast.Return) and node.value is not None]
    return Wrapper(
        decorator=name,
        keeps_wrapped=keeps,
        is_async=isinstance(wrapper, ast.AsyncFunctionDef),
        is_generator=any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in own),
        calls=any(_is_call_of(value, wrapped) for value in results),
        awaits=any(isinstance(value, ast.Await) and _is_call_of(value.value, wrapped) for value in results),
        takes_var_args=wrapper.args.vararg is not None or wrapper.args.kwarg is not None,
    )


def _is_wraps_of(item: ast.expr, wrapped: str) -> bool:
    """``@functools.wraps(func)`` / ``@wraps(func)``."""
    if not isinstance(item, ast.Call) or not item.args:
        return False
    name = item.func.attr if isinstance(item.func, ast.Attribute) else getattr(item.func, "id", None)
    return name == "wraps" and isinstance(item.args[0], ast.Name) and item.args[0].id == wrapped


def _is_call_of(value: ast.expr, wrapped: str) -> bool:
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == wrapped


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """The nodes of the function's body, not those of functions or lambdas nested in it."""
    nodes: list[ast.AST] = []
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        nodes.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            pending.extend(ast.iter_child_nodes(node))
    return nodes
