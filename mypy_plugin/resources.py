"""Classify a dependency callable by what FastAPI does with it at run time.

Pure functions over mypy nodes and types: no checker API, no errors emitted, no FastAPI
version (that is applied by depends.py). The kind comes from the definition's
generator/coroutine flags, as FastAPI decides it (``inspect.isasyncgenfunction`` and
friends), not from the return annotation alone; see ../shared/reference/fastapi-di-runtime.md.
tests/integration/test_runtime_agreement.py runs FastAPI to check every kind.

Not covered here (left UNKNOWN, so mypy keeps its default ``Any``): overloaded callables,
``functools.partial`` objects, decorators other than contextlib's managers that change what
the function is, and callables whose definition cannot be found.
"""

from __future__ import annotations

import enum
from typing import Final, NamedTuple

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import (
    ARG_POS,
    CallExpr,
    Decorator,
    Expression,
    FuncBase,
    FuncDef,
    FuncItem,
    LambdaExpr,
    MemberExpr,
    NameExpr,
    RefExpr,
    SymbolNode,
    TypeInfo,
    Var,
)
from mypy.subtypes import find_member, is_subtype
from mypy.traverser import has_yield_expression, has_yield_from_expression
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    Overloaded,
    Type,
    TypeOfAny,
    TypeType,
    get_proper_type,
    has_type_vars,
)
from mypy.types_utils import remove_optional

from mypy_plugin import fullnames
from mypy_plugin.consulted import Modules
from mypy_plugin.wrappers import Wrapper, wrapper_of

#: How messages name a dependency written as a lambda.
LAMBDA: Final = "lambda"


class Kind(enum.Enum):
    """How FastAPI turns the dependency into the injected value."""

    ASYNC_GENERATOR_FUNCTION = "an async generator function"  # injects the yielded value
    GENERATOR_FUNCTION = "a generator function"  # injects the yielded value
    COROUTINE_FUNCTION = "a coroutine function"  # injects the awaited value
    FUNCTION = "a function"  # injects the returned value
    CLASS = "a class"  # injects the new instance
    CONTEXT_MANAGER_FACTORY = "a contextlib context-manager function"  # @(async)contextmanager
    RETURNS_CONTEXT_MANAGER = "a callable returning a context manager"  # never entered
    RETURNS_GENERATOR = "a callable returning a generator"  # never iterated
    CALLED = "the result of calling a generator or coroutine function"  # not callable at all
    CALLED_MANAGER = "the result of calling a context-manager function"  # callable, takes `func`
    GENERATOR_CALL_CLASS = "a class whose __call__ is a generator function"  # version-dependent
    WRAPPED = "a function decorated with a user decorator"  # version- and wrapper-dependent
    SESSIONMAKER = "a SQLAlchemy sessionmaker"  # `**local_kw` becomes a required query parameter
    UNKNOWN = "not classifiable"


class Dependency(NamedTuple):
    """One dependency as FastAPI sees it.

    ``injected`` is what FastAPI passes to the parameter when nothing goes wrong: the value
    for the first five kinds, the manager or generator object for the others.
    ``resource`` is what the user most likely wanted instead of that object (the value the
    manager enters into or the generator yields); None where it does not apply.
    ``unmistakable`` says the object can only be a wrapper (contextlib's managers, the
    generator protocols), as opposed to a class that merely also has ``__aenter__``.
    """

    kind: Kind
    name: str
    injected: Type
    resource: Type | None = None
    is_async: bool = False
    unmistakable: bool = False
    #: The kind of the function inside: the called one for CALLED / CALLED_MANAGER
    #: (``Depends(get_db())``), the decorated one for WRAPPED.
    callee: Kind | None = None
    #: For WRAPPED: what the decorator returns in place of the function.
    wrapper: Wrapper | None = None
    #: Written as ``functools.partial(f, ...)``: the kind is ``f``'s.
    partial: bool = False
    #: For the generator-function kinds: the function's fullname, where contract.py reads it.
    definition: str | None = None


_CONTEXTLIB_FACTORY_RESULTS: Final = {
    fullnames.ASYNC_GENERATOR_CONTEXT_MANAGER: True,
    fullnames.GENERATOR_CONTEXT_MANAGER: False,
}
_MANAGER_TYPES: Final = {
    fullnames.ASYNC_GENERATOR_CONTEXT_MANAGER: True,
    fullnames.ABSTRACT_ASYNC_CONTEXT_MANAGER: True,
    fullnames.GENERATOR_CONTEXT_MANAGER: False,
    fullnames.ABSTRACT_CONTEXT_MANAGER: False,
}
_GENERATOR_TYPES: Final = {
    fullnames.ASYNC_GENERATOR: True,
    fullnames.ASYNC_ITERATOR: True,
    fullnames.GENERATOR: False,
    fullnames.ITERATOR: False,
}
_ASYNC_YIELD_BASES: Final = (fullnames.ASYNC_ITERATOR, fullnames.ASYNC_ITERABLE)
_SYNC_YIELD_BASES: Final = (fullnames.ITERATOR, fullnames.ITERABLE)
_AWAIT_BASES: Final = (fullnames.COROUTINE, fullnames.AWAITABLE)


def classify(expression: Expression, expression_type: Type, modules: Modules) -> Dependency:
    """Classify the argument of ``Depends(...)`` / ``Security(...)`` from its node and type."""
    return classify_callee(describe(expression), _node(expression), expression_type, modules)


def classify_callee(
    name: str, node: SymbolNode | FuncBase | None, callee_type: Type, modules: Modules
) -> Dependency:
    """Classify a dependency from its definition (if known) and the type of the callee.

    The checker knows the callee's type from the expression; semantic analysis (the
    ``Annotated`` forms) builds it from the definition before the body has been analysed,
    which is why the generator flags are also read from the body (``is_generator_function``).
    ``modules`` (mypy's) are where a user decorator's source is found (wrappers.py).
    """
    callee = get_proper_type(callee_type)
    if isinstance(callee, (CallableType, Overloaded)) and callee.is_type_obj():
        return _class(name, callee.items[0].ret_type)
    if isinstance(callee, TypeType):
        return _class(name, callee.item)
    if isinstance(callee, Instance):
        return _callable_instance(name, callee, modules)
    if isinstance(callee, CallableType):
        return _function(name, _definition(node, callee), callee, modules)
    return _unknown(name)


_GIVES_GENERATOR: Final = (Kind.ASYNC_GENERATOR_FUNCTION, Kind.GENERATOR_FUNCTION, Kind.RETURNS_GENERATOR)
_GIVES_MANAGER: Final = (Kind.CONTEXT_MANAGER_FACTORY, Kind.RETURNS_CONTEXT_MANAGER)


def called(callee: Dependency) -> Dependency | None:
    """``Depends(f())``: what FastAPI gets is what calling ``f`` returns, if that is sure to be wrong.

    A generator or coroutine object is not callable (FastAPI refuses the route); contextlib's
    managers are (they are decorators), and FastAPI calls them with a required ``func`` query
    parameter. Anything else (a factory returning a dependency) is left to the usual rules.
    """
    if callee.kind in _GIVES_GENERATOR or callee.kind is Kind.COROUTINE_FUNCTION:
        return callee._replace(kind=Kind.CALLED, callee=callee.kind)
    if callee.kind in _GIVES_MANAGER and callee.unmistakable:
        return callee._replace(kind=Kind.CALLED_MANAGER, callee=callee.kind)
    return None


def describe(expression: Expression) -> str:
    """The dependency as the user wrote it, for messages: ``get_db``, ``deps.get_db``."""
    if isinstance(expression, NameExpr):
        return expression.name
    if isinstance(expression, MemberExpr):
        return f"{describe(expression.expr)}.{expression.name}"
    if isinstance(expression, LambdaExpr):
        return LAMBDA
    if isinstance(expression, CallExpr) and isinstance(expression.callee, (NameExpr, MemberExpr)):
        return f"{describe(expression.callee)}()"  # an instance created in place
    return "dependency"


def _unknown(name: str) -> Dependency:
    return Dependency(Kind.UNKNOWN, name, AnyType(TypeOfAny.special_form))


def _node(expression: Expression) -> SymbolNode | FuncBase | None:
    if isinstance(expression, LambdaExpr):
        return expression
    node = expression.node if isinstance(expression, RefExpr) else None
    if node is None and isinstance(expression, MemberExpr):
        return _member_node(expression)
    return node


def _definition(node: SymbolNode | FuncBase | None, callee: CallableType) -> FuncItem | Decorator | None:
    """The function or decorated function behind a callable, if it can be found."""
    if isinstance(node, (FuncDef, LambdaExpr, Decorator)):
        return node
    if isinstance(node, Var) or node is None:
        # An alias (`dep = get_db`) or a bound method: mypy records the definition on the type.
        return callee.definition if isinstance(callee.definition, FuncDef) else None
    return None


def _member_node(expression: MemberExpr) -> FuncBase | Decorator | None:
    """``Cls.method`` or ``obj.method`` where ``obj`` has a known instance type."""
    base = expression.expr.node if isinstance(expression.expr, RefExpr) else None
    info: TypeInfo | None = None
    if isinstance(base, TypeInfo):
        info = base
    elif isinstance(base, Var):
        base_type = get_proper_type(base.type)
        if isinstance(base_type, Instance):
            info = base_type.type
    return info.get_method(expression.name) if info is not None else None


def _class(name: str, instance: Type) -> Dependency:
    """FastAPI creates an instance; releases before 0.123.10 looked at ``__call__`` first."""
    proper = get_proper_type(instance)
    method = proper.type.get_method("__call__") if isinstance(proper, Instance) else None
    func = method.func if isinstance(method, Decorator) else method
    if isinstance(func, FuncDef) and is_generator_function(func):
        return Dependency(Kind.GENERATOR_CALL_CLASS, name, instance, is_async=func.is_coroutine)
    return _returned_object(Kind.CLASS, name, instance)


def partial_target(expression: Expression) -> Expression | None:
    """The function inside ``functools.partial(f, ...)`` written in place, if that is what it is."""
    if (
        isinstance(expression, CallExpr)
        and isinstance(expression.callee, RefExpr)
        and expression.callee.fullname == fullnames.PARTIAL
        and expression.args
        and expression.arg_kinds[0] == ARG_POS
    ):
        return expression.args[0]
    return None


def _callable_instance(name: str, instance: Instance, modules: Modules) -> Dependency:
    """An object passed to Depends(): FastAPI calls it, so its ``__call__`` decides."""
    if instance.type.has_base(fullnames.PARTIAL):
        return _unknown(name)
    for maker, is_async in ((fullnames.ASYNC_SESSIONMAKER, True), (fullnames.SESSIONMAKER, False)):
        if instance.type.has_base(maker):
            session = get_proper_type(find_member("__call__", instance, instance))
            resource = session.ret_type if isinstance(session, CallableType) else None
            return Dependency(Kind.SESSIONMAKER, name, instance, resource=resource, is_async=is_async)
    method = instance.type.get_method("__call__")
    bound = get_proper_type(find_member("__call__", instance, instance))
    if not isinstance(method, (FuncDef, Decorator)) or not isinstance(bound, CallableType):
        return _unknown(name)
    dependency = _function(name, method, bound, modules)
    if instance.type.has_base(fullnames.SECURITY_BASE):
        # Never None with auto_error=True (the default); with auto_error=False this can only
        # hide an error, never invent one.
        return dependency._replace(injected=remove_optional(dependency.injected))
    return dependency


def _function(
    name: str, definition: FuncItem | Decorator | None, callee: CallableType, modules: Modules
) -> Dependency:
    if definition is None:
        return _unknown(name)
    if isinstance(definition, Decorator):
        return _decorated(name, definition, callee, modules)
    if isinstance(definition, FuncDef) and definition.is_decorated:
        # Reached through the type (a bound method, an alias): the decorators are not in
        # view, so only an undecorated function can be trusted.
        return _unknown(name)
    return _by_flags(name, definition, callee.ret_type)


def _by_flags(name: str, func: FuncItem, result: Type) -> Dependency:
    """FastAPI's own test: the code object's flags, then what the call gives."""
    is_generator = is_generator_function(func)
    definition = func.fullname if isinstance(func, FuncDef) else None
    if is_generator and func.is_coroutine:
        yielded = type_argument(result, _ASYNC_YIELD_BASES)
        return Dependency(Kind.ASYNC_GENERATOR_FUNCTION, name, yielded, is_async=True, definition=definition)
    if is_generator:
        yielded = type_argument(result, _SYNC_YIELD_BASES)
        return Dependency(Kind.GENERATOR_FUNCTION, name, yielded, definition=definition)
    if func.is_coroutine:
        return _returned_object(Kind.COROUTINE_FUNCTION, name, type_argument(result, _AWAIT_BASES))
    return _returned_object(Kind.FUNCTION, name, result)


def _decorated(name: str, decorator: Decorator, callee: CallableType, modules: Modules) -> Dependency:
    func = decorator.func
    result = get_proper_type(callee.ret_type)
    is_generator = is_generator_function(func)
    if (
        is_generator
        and isinstance(result, Instance)
        and _CONTEXTLIB_FACTORY_RESULTS.get(result.type.fullname) == func.is_coroutine
    ):
        # contextlib's managers keep `__wrapped__`: FastAPI >= 0.123.5 sees the generator.
        resource = result.args[0] if result.args else AnyType(TypeOfAny.special_form)
        return Dependency(
            Kind.CONTEXT_MANAGER_FACTORY,
            name,
            result,
            resource=resource,
            is_async=func.is_coroutine,
            unmistakable=True,
        )
    wrapper = wrapper_of(decorator, modules)
    if wrapper is not None:
        inner = _by_flags(name, func, func.type.ret_type if isinstance(func.type, CallableType) else AnyType(TypeOfAny.unannotated))
        return inner._replace(kind=Kind.WRAPPED, callee=inner.kind, wrapper=wrapper)
    if isinstance(func.type, CallableType) and _same_type(func.type.ret_type, callee.ret_type):
        # A decorator that leaves the signature alone (@staticmethod, @classmethod, typed
        # pass-through decorators): FastAPI reaches the function itself.
        return _by_flags(name, func, callee.ret_type)
    if is_generator or func.is_coroutine:
        # The wrapper's kind decides, and it is not in the types (issue: decorators).
        return _unknown(name)
    plain = _returned_object(Kind.FUNCTION, name, callee.ret_type)
    return plain if plain.kind is Kind.FUNCTION else _unknown(name)


def is_generator_function(func: FuncItem) -> bool:
    """The body yields. mypy sets the flag when it analyses the body; until then look at the
    body. A definition loaded from the cache has no body (and no arguments to walk) but keeps
    its flags, which are then final."""
    if func.is_generator or not func.body.body:
        return func.is_generator
    return has_yield_expression(func) or has_yield_from_expression(func)


def _returned_object(kind: Kind, name: str, value: Type) -> Dependency:
    """What the call gives is injected as it is; say so when it is a wrapper to enter or iterate."""
    proper = get_proper_type(value)
    if has_type_vars(value):
        return _unknown(name)
    if not isinstance(proper, Instance):
        return Dependency(kind, name, value)
    fullname = proper.type.fullname
    if fullname in _GENERATOR_TYPES:
        is_async = _GENERATOR_TYPES[fullname]
        yielded = type_argument(proper, _ASYNC_YIELD_BASES if is_async else _SYNC_YIELD_BASES)
        return Dependency(
            Kind.RETURNS_GENERATOR, name, proper, resource=yielded, is_async=is_async, unmistakable=True
        )
    if fullname in _MANAGER_TYPES:
        resource = proper.args[0] if proper.args else AnyType(TypeOfAny.special_form)
        return Dependency(
            Kind.RETURNS_CONTEXT_MANAGER,
            name,
            proper,
            resource=resource,
            is_async=_MANAGER_TYPES[fullname],
            unmistakable=True,
        )
    for method, is_async in (("__aenter__", True), ("__enter__", False)):
        entered = _entered_type(proper, method, is_async)
        if entered is not None and not is_subtype(proper, entered):
            return Dependency(Kind.RETURNS_CONTEXT_MANAGER, name, proper, resource=entered, is_async=is_async)
    return Dependency(kind, name, value)


def _entered_type(manager: Instance, method: str, is_async: bool) -> Type | None:
    """What ``async with manager as x`` / ``with manager as x`` binds, or None if not a manager."""
    enter = get_proper_type(find_member(method, manager, manager, is_operator=True))
    if not isinstance(enter, CallableType):
        return None
    return type_argument(enter.ret_type, _AWAIT_BASES) if is_async else enter.ret_type


def type_argument(value: Type, bases: tuple[str, ...]) -> Type:
    """The first type argument of ``value`` seen as one of ``bases`` (``AsyncIterator[T]`` -> T)."""
    proper = get_proper_type(value)
    if isinstance(proper, Instance):
        for base in proper.type.mro:
            if base.fullname in bases:
                mapped = map_instance_to_supertype(proper, base)
                argument_index = 2 if base.fullname == fullnames.COROUTINE else 0
                if len(mapped.args) > argument_index:
                    return mapped.args[argument_index]
    return AnyType(TypeOfAny.special_form)


def _same_type(left: Type, right: Type) -> bool:
    return is_subtype(left, right) and is_subtype(right, left)
