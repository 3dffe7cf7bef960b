"""The hook on ``fastapi.Depends(...)`` / ``fastapi.Security(...)``.

It returns the type FastAPI injects, so mypy's own default-parameter check compares it
with the parameter's annotation (``Incompatible default ...  [assignment]``), and it reports
dependencies FastAPI cannot turn into a value (context managers, generator objects).
Classification is resources.py; wording is messages.py. ``Annotated[T, Depends(f)]`` is
not seen by this hook (mypy drops Annotated metadata before plugins run).
"""

from __future__ import annotations

from mypy.nodes import ARG_NAMED, ARG_POS
from mypy.plugin import FunctionContext
from mypy.subtypes import is_subtype
from mypy.types import AnyType, Instance, Type, get_proper_type

from mypy_plugin import fullnames, messages
from mypy_plugin.config import PluginConfig
from mypy_plugin.resources import Dependency, Kind, classify

_DEPENDENCY_PARAMETER = "dependency"


def injected_type(ctx: FunctionContext, *, config: PluginConfig) -> Type:
    """What ``Depends(...)`` stands for when it is a parameter default: the injected value."""
    declared = _declared_parameter_type(ctx)
    if _DEPENDENCY_PARAMETER not in ctx.callee_arg_names:
        return ctx.default_return_type
    index = ctx.callee_arg_names.index(_DEPENDENCY_PARAMETER)
    expressions, kinds = ctx.args[index], ctx.arg_kinds[index]
    if not expressions:
        # `x: Cls = Depends()`: FastAPI calls the annotation itself.
        proper = get_proper_type(declared)
        return proper if isinstance(proper, Instance) else ctx.default_return_type
    if len(expressions) != 1 or kinds[0] not in (ARG_POS, ARG_NAMED):
        return ctx.default_return_type  # Depends(*args), Depends(**kwargs): undecidable
    dependency = classify(expressions[0], ctx.arg_types[index][0])
    injected = _outcome(ctx, dependency, config, declared)
    return ctx.default_return_type if declared is None else injected


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


def _outcome(
    ctx: FunctionContext, dependency: Dependency, config: PluginConfig, declared: Type | None
) -> Type:
    """One place mapping a kind to what mypy sees and what is reported."""
    kind = dependency.kind
    if kind is Kind.UNKNOWN:
        return ctx.default_return_type
    if kind is Kind.CONTEXT_MANAGER_FACTORY and config.fastapi.unwraps_dependencies:
        messages.context_manager_fails_every_request(ctx.api, ctx.context, dependency)
        return ctx.default_return_type
    if kind in (Kind.CONTEXT_MANAGER_FACTORY, Kind.RETURNS_CONTEXT_MANAGER):
        if _declared_wants_object(dependency, declared):
            return dependency.injected
        messages.context_manager_injected(
            ctx.api, ctx.context, dependency, decorated=kind is Kind.CONTEXT_MANAGER_FACTORY
        )
        return ctx.default_return_type
    if kind is Kind.RETURNS_GENERATOR:
        if _declared_wants_object(dependency, declared):
            return dependency.injected
        messages.generator_object_injected(ctx.api, ctx.context, dependency)
        return ctx.default_return_type
    return dependency.injected


def _declared_wants_object(dependency: Dependency, declared: Type | None) -> bool:
    """The parameter asks for the manager / generator object itself, so injecting it is right.

    An annotation that accepts the object says so; no annotation (or ``Any``) says nothing,
    which is enough only for objects that could also be the resource themselves.
    """
    if declared is None or isinstance(get_proper_type(declared), AnyType):
        return not dependency.unmistakable
    return is_subtype(dependency.injected, declared)
