"""The hook on ``fastapi.Depends(...)`` / ``fastapi.Security(...)``.

It returns the type FastAPI injects, so mypy's own default-parameter check compares it
with the parameter's annotation (``Incompatible default ...  [assignment]``), and it reports
dependencies FastAPI cannot turn into a value (context managers, generator objects).
Classification is resources.py; wording is messages.py; the yield-dependency contract of a
generator dependency is contract.py, reported here (``report_contract``). ``judge`` is shared with the
``Annotated[T, Depends(f)]`` forms (annotated.py), which this hook never sees.
"""

from __future__ import annotations

import ast
import enum
import os
from functools import lru_cache
from typing import Final

from mypy.nodes import ARG_NAMED, ARG_POS, CallExpr, Context, RefExpr
from mypy.plugin import FunctionContext
from mypy.subtypes import is_subtype
from mypy.types import AnyType, Instance, Type, get_proper_type

from mypy_plugin import contract, fullnames, messages
from mypy_plugin.config import PluginConfig
from mypy_plugin.fastapi_runtime import FastAPIRuntime
from mypy_plugin.consulted import Modules, ReadLog
from mypy_plugin.resources import Dependency, Kind, called, classify, partial_target

_DEPENDENCY_PARAMETER = "dependency"


def injected_type(ctx: FunctionContext, *, config: PluginConfig, log: ReadLog) -> Type:
    """What ``Depends(...)`` stands for when it is a parameter default: the injected value."""
    if _DEPENDENCY_PARAMETER not in ctx.callee_arg_names or not messages.errors_shown(ctx.api):
        return ctx.default_return_type
    declared = _declared_parameter_type(ctx)
    index = ctx.callee_arg_names.index(_DEPENDENCY_PARAMETER)
    expressions, kinds = ctx.args[index], ctx.arg_kinds[index]
    if not expressions:
        # `x: Cls = Depends()`: FastAPI calls the annotation itself.
        proper = get_proper_type(declared)
        return proper if isinstance(proper, Instance) else ctx.default_return_type
    if len(expressions) != 1 or kinds[0] not in (ARG_POS, ARG_NAMED):
        return ctx.default_return_type  # Depends(*args), Depends(**kwargs): undecidable
    expression = expressions[0]
    # The checker (mypy's TypeChecker) holds every module; the plugin interface does not say so.
    checking = getattr(getattr(ctx.api, "tree", None), "fullname", "")
    modules = Modules(getattr(ctx.api, "modules", {}), log, checking)
    dependency = classify(expression, ctx.arg_types[index][0], modules)
    target = partial_target(expression)
    if target is not None:
        dependency = classify(target, ctx.api.get_expression_type(target), modules)._replace(partial=True)
    elif isinstance(expression, CallExpr) and isinstance(expression.callee, RefExpr):
        callee = expression.callee
        dependency = called(classify(callee, ctx.api.get_expression_type(callee), modules)) or dependency
    verdict = judge(dependency, declared, config.fastapi)
    if verdict.problem is not None:
        report_problem(ctx.api, ctx.context, dependency, verdict.problem, in_list=_in_list(ctx))
    else:
        report_contract(ctx.api, ctx.context, dependency, modules, config.fastapi)
    if declared is None or verdict.injected is None:
        return ctx.default_return_type
    return verdict.injected


def _in_list(ctx: FunctionContext) -> bool:
    """Inside ``dependencies=[...]``: mypy checks the item with FastAPI's marker as context."""
    context = get_proper_type(ctx.api.type_context[-1]) if ctx.api.type_context else None
    return isinstance(context, Instance) and context.type.has_base(fullnames.DEPENDS_MARKER)


def _declared_parameter_type(ctx: FunctionContext) -> Type | None:
    """The annotation of the parameter whose default this call is, or None elsewhere.

    mypy checks a default with the parameter's type as context. Inside
    ``dependencies=[Depends(f)]`` the context is FastAPI's marker class, and a module-level
    ``x = Depends(f)`` has none: there the call stays the marker object (``Any``).
    """
    context = ctx.api.type_context[-1] if ctx.api.type_context else None
    proper = get_proper_type(context)
    if proper is None or (isinstance(proper, Instance) and proper.type.has_base(fullnames.DEPENDS_MARKER)):
        return None
    return context


class Problem(enum.Enum):
    """Why FastAPI cannot turn the dependency into the value the parameter wants."""

    FAILS_EVERY_REQUEST = enum.auto()  # contextlib function, FastAPI >= 0.123.5
    NOT_CALLABLE = enum.auto()  # Depends(get_db()): the route is refused when declared
    CALLED_MANAGER = enum.auto()  # Depends(get_session()): every request answers 422
    SESSIONMAKER = enum.auto()  # Depends(SessionLocal): every request answers 422
    PARTIAL_COROUTINE = enum.auto()  # partial(coro_fn) on FastAPI < 0.123.5: never awaited
    WRAPPER_FAILS = enum.auto()  # wraps + async def wrapper over a generator, FastAPI >= 0.123.5
    WRAPPER_INJECTS_OBJECT = enum.auto()  # the wrapper returns the generator / coroutine object
    GENERATOR_CALL_CLASS = enum.auto()  # Depends(Cls), Cls.__call__ a generator, FastAPI < 0.123.10
    MANAGER_INJECTED = enum.auto()  # a context manager FastAPI never enters
    GENERATOR_INJECTED = enum.auto()  # a generator object FastAPI never iterates


class Verdict:
    """What the parameter receives (None: undecidable, keep mypy's ``Any``) and what is wrong."""

    __slots__ = ("injected", "problem")

    def __init__(self, injected: Type | None, problem: Problem | None = None) -> None:
        self.injected: Final = injected
        self.problem: Final = problem


def judge(dependency: Dependency, declared: Type | None, fastapi: FastAPIRuntime) -> Verdict:
    """One place mapping a kind to what the parameter receives; shared by every form."""
    kind = dependency.kind
    if kind is Kind.UNKNOWN:
        return Verdict(None)
    if kind is Kind.CALLED:
        return Verdict(None, Problem.NOT_CALLABLE)
    if kind is Kind.CALLED_MANAGER:
        return Verdict(None, Problem.CALLED_MANAGER)
    if kind is Kind.SESSIONMAKER:
        return Verdict(None, Problem.SESSIONMAKER)
    if kind is Kind.GENERATOR_CALL_CLASS:
        if fastapi.classes_are_never_generators:
            return Verdict(dependency.injected)
        return Verdict(None, Problem.GENERATOR_CALL_CLASS)
    if kind is Kind.WRAPPED:
        return _judge_wrapped(dependency, fastapi)
    if dependency.partial and kind is Kind.COROUTINE_FUNCTION and not fastapi.unwraps_dependencies:
        return Verdict(None, Problem.PARTIAL_COROUTINE)
    if kind is Kind.CONTEXT_MANAGER_FACTORY and fastapi.unwraps_dependencies:
        return Verdict(None, Problem.FAILS_EVERY_REQUEST)
    if kind in (Kind.CONTEXT_MANAGER_FACTORY, Kind.RETURNS_CONTEXT_MANAGER):
        if _declared_wants_object(dependency, declared):
            return Verdict(dependency.injected)
        return Verdict(None, Problem.MANAGER_INJECTED)
    if kind is Kind.RETURNS_GENERATOR:
        if _declared_wants_object(dependency, declared):
            return Verdict(dependency.injected)
        return Verdict(None, Problem.GENERATOR_INJECTED)
    return Verdict(dependency.injected)


_GENERATOR_FUNCTIONS: Final = (Kind.ASYNC_GENERATOR_FUNCTION, Kind.GENERATOR_FUNCTION)


def _judge_wrapped(dependency: Dependency, fastapi: FastAPIRuntime) -> Verdict:
    """FastAPI >= 0.123.5 classifies through functools.wraps but calls the wrapper; otherwise
    the wrapper alone decides (fastapi-di-runtime.md 2.1 W, 2.4). Unlisted combinations: undecided."""
    wrapper, inner, value = dependency.wrapper, dependency.callee, dependency.injected
    if wrapper is None or (wrapper.takes_var_args and not wrapper.keeps_wrapped):
        return Verdict(None)  # the wrapper's *args / **kwargs become query parameters: not modelled
    if fastapi.unwraps_dependencies and wrapper.keeps_wrapped:
        if inner in _GENERATOR_FUNCTIONS:
            if wrapper.is_generator or (not wrapper.is_async and wrapper.calls):
                return Verdict(value)
            return Verdict(None, Problem.WRAPPER_FAILS) if wrapper.is_async else Verdict(None)
        if inner is Kind.COROUTINE_FUNCTION:
            returns_it = wrapper.awaits if wrapper.is_async else wrapper.calls
            return Verdict(value) if returns_it and not wrapper.is_generator else Verdict(None)
        plain = inner is Kind.FUNCTION and not wrapper.is_async and not wrapper.is_generator
        return Verdict(value) if plain and wrapper.calls else Verdict(None)
    if wrapper.is_generator:
        return Verdict(value) if inner in _GENERATOR_FUNCTIONS else Verdict(None)
    if wrapper.awaits:
        return Verdict(value) if inner is Kind.COROUTINE_FUNCTION else Verdict(None)
    if wrapper.calls and (inner in _GENERATOR_FUNCTIONS or inner is Kind.COROUTINE_FUNCTION):
        return Verdict(None, Problem.WRAPPER_INJECTS_OBJECT)
    return Verdict(value) if wrapper.calls and inner is Kind.FUNCTION else Verdict(None)


def report_problem(
    api: messages.Api, context: Context, dependency: Dependency, problem: Problem, *, in_list: bool = False
) -> None:
    if problem is Problem.NOT_CALLABLE:
        messages.dependency_called(api, context, dependency, in_list=in_list)
    elif problem is Problem.CALLED_MANAGER:
        messages.dependency_called_manager(api, context, dependency)
    elif problem is Problem.SESSIONMAKER:
        messages.sessionmaker_dependency(api, context, dependency)
    elif problem is Problem.PARTIAL_COROUTINE:
        messages.partial_coroutine(api, context, dependency)
    elif problem is Problem.WRAPPER_FAILS:
        messages.wrapper_fails_every_request(api, context, dependency)
    elif problem is Problem.WRAPPER_INJECTS_OBJECT:
        messages.wrapper_injects_object(api, context, dependency)
    elif problem is Problem.GENERATOR_CALL_CLASS:
        messages.generator_call_class(api, context, dependency)
    elif problem is Problem.FAILS_EVERY_REQUEST:
        messages.context_manager_fails_every_request(api, context, dependency)
    elif problem is Problem.MANAGER_INJECTED:
        decorated = dependency.kind is Kind.CONTEXT_MANAGER_FACTORY
        messages.context_manager_injected(api, context, dependency, decorated=decorated)
    else:
        messages.generator_object_injected(api, context, dependency)


def _declared_wants_object(dependency: Dependency, declared: Type | None) -> bool:
    """The parameter asks for the manager / generator object itself, so injecting it is right.

    An annotation that accepts the object says so; no annotation (or ``Any``) says nothing,
    which is enough only for objects that could also be the resource themselves.
    """
    if declared is None or isinstance(get_proper_type(declared), AnyType):
        return not dependency.unmistakable
    return is_subtype(dependency.injected, declared)


_YIELD_COUNT: Final = (contract.Violation.YIELD_TWICE, contract.Violation.YIELD_IN_LOOP)


def report_contract(
    api: messages.Api, context: Context, dependency: Dependency, modules: Modules, fastapi: FastAPIRuntime
) -> None:
    """The yield-dependency contract of a generator function dependency, read from its source
    file (never from mypy's tree, which has no body for a module loaded from the cache).
    At most one error per code; anything unreadable is silent."""
    if dependency.kind not in _GENERATOR_FUNCTIONS or dependency.definition is None:
        return
    function = modules.function(dependency.definition)
    if function is None:
        return
    # The function alone is numbered from its `def` (line 1): findings are shifted to the file's lines.
    shift = function.line - 1
    findings = [
        contract.Finding(f.line + shift, f.violation, f.call, f.awaited)
        for f in _findings(function.tree)
    ]
    if not findings:
        return  # a correct dependency, the most common
    path = _shown_path(function.path)
    counts = [f for f in findings if f.violation in _YIELD_COUNT] or [
        f for f in findings if f.violation is contract.Violation.NO_YIELD
    ]
    name = dependency.name
    if counts:
        first = counts[0]
        where = f"line {first.line} of {path}"
        if first.violation is contract.Violation.NO_YIELD:
            messages.dependency_never_yields(api, context, name, where)
        else:
            in_loop = first.violation is contract.Violation.YIELD_IN_LOOP
            after = fastapi.cleans_up_after_response
            messages.dependency_yields_twice(api, context, name, where, in_loop=in_loop, after_response=after)
    cleanup = next((f for f in findings if f.violation is contract.Violation.CLEANUP), None)
    if cleanup is not None and cleanup.call is not None:
        where = f"line {cleanup.line} of {path}"
        messages.dependency_cleanup_skipped(api, context, name, where, cleanup.call, awaited=cleanup.awaited)
    swallow = next((f for f in findings if f.violation is contract.Violation.SWALLOW), None)
    if swallow is not None:
        where = f"line {swallow.line} of {path}"
        messages.dependency_swallows(api, context, name, where, after_response=fastapi.cleans_up_after_response)


@lru_cache(maxsize=64)
def _findings(tree: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[contract.Finding, ...]:
    """contract.check, once per parsed function (source.function_definition keeps the trees)."""
    return tuple(contract.check(tree))


def _shown_path(path: str) -> str:
    """As mypy shows file names: relative to the working directory when under it."""
    try:
        relative = os.path.relpath(path) if os.path.isabs(path) else path
    except ValueError:  # another drive
        return path
    return path if relative.startswith(os.pardir) else relative

