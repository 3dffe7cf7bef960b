"""Every user-visible string the plugin emits, with its error code and its fix note.

Each function reports one diagnostic: the error says what is wrong and what happens at run
time, the linked note gives one concrete fix (``parent_error`` ties them together, so
``# type: ignore[code]`` and ``disable_error_code`` hide both). Wording is API: the YAML
tests match it exactly. Nothing here decides *whether* to report.
"""

from __future__ import annotations

from mypy.errorcodes import ErrorCode
from mypy.messages import format_type_bare
from mypy.nodes import Context
from mypy.plugin import CheckerPluginInterface
from mypy.types import AnyType, Type, get_proper_type

from mypy_plugin import errorcodes
from mypy_plugin.resources import LAMBDA, Dependency


def context_manager_fails_every_request(
    api: CheckerPluginInterface, context: Context, dependency: Dependency
) -> None:
    """An @(async)contextmanager function under FastAPI >= 0.123.5."""
    decorator = "@asynccontextmanager" if dependency.is_async else "@contextmanager"
    error = (
        "TypeError: '_AsyncGeneratorContextManager' object is not an async iterator"
        if dependency.is_async
        else "TypeError: '_GeneratorContextManager' object is not an iterator"
    )
    _report(
        api,
        context,
        errorcodes.DEPENDS_CONTEXT_MANAGER,
        f'Dependency "{dependency.name}" is an {decorator} function; FastAPI treats it as a '
        f'generator dependency and every request fails with "{error}"',
        _enter_it_note(dependency),
    )


def context_manager_injected(
    api: CheckerPluginInterface, context: Context, dependency: Dependency, *, decorated: bool
) -> None:
    """A manager FastAPI calls but never enters: older FastAPI, or a plain factory."""
    if decorated:
        decorator = "@asynccontextmanager" if dependency.is_async else "@contextmanager"
        subject = f"is an {decorator} function"
    else:
        subject = "returns an async context manager" if dependency.is_async else "returns a context manager"
    _report(
        api,
        context,
        errorcodes.DEPENDS_CONTEXT_MANAGER,
        f'Dependency "{dependency.name}" {subject}; FastAPI never enters it: its setup never runs '
        f'and the value is the "{_format(api, dependency.injected)}" object, '
        f"not the {_resource(api, dependency.resource, 'value')} it manages",
        _enter_it_note(dependency),
    )


def generator_object_injected(api: CheckerPluginInterface, context: Context, dependency: Dependency) -> None:
    """A def / async def that returns a generator instead of being one."""
    what = "an async generator" if dependency.is_async else "a generator"
    _report(
        api,
        context,
        errorcodes.DEPENDS_GENERATOR_OBJECT,
        f'Dependency "{dependency.name}" returns {what} but is not a generator function; '
        f'FastAPI injects the "{_format(api, dependency.injected)}" object, never the '
        f"{_resource(api, dependency.resource, 'value')} it yields",
        "Pass the generator function itself to Depends(), not a lambda that calls it"
        if dependency.name == LAMBDA
        else f'Make "{dependency.name}" a generator function: yield the value in its body instead '
        "of returning a generator",
    )


def _enter_it_note(dependency: Dependency) -> str:
    if dependency.is_async:
        code = f"async def get_resource(): async with {dependency.name}() as resource: yield resource"
    else:
        code = f"def get_resource(): with {dependency.name}() as resource: yield resource"
    return f'Depend on a generator that enters it instead: "{code}"'


def _report(api: CheckerPluginInterface, context: Context, code: ErrorCode, error: str, fix: str) -> None:
    info = api.fail(error, context, code=code)
    api.msg.note(fix, context, code=code, parent_error=info)


def _format(api: CheckerPluginInterface, typ: Type) -> str:
    return format_type_bare(typ, api.options)


def _resource(api: CheckerPluginInterface, typ: Type | None, fallback: str) -> str:
    if typ is None or isinstance(get_proper_type(typ), AnyType):
        return fallback
    return f'"{_format(api, typ)}"'


# Resource protocols (protocols.py): the statement does not fit the object the call creates.


def with_on_generator(
    api: CheckerPluginInterface,
    context: Context,
    subject: str,
    target: str | None,
    *,
    is_async_with: bool,
    is_async: bool,
    decorate: str | None,
) -> None:
    """``async with get_db()`` where ``get_db`` is an (async) generator function."""
    statement = "async with" if is_async_with else "with"
    loop = "async for" if is_async else "for"
    fix = f'Iterate it instead: "{loop} {target or "item"} in {subject}:"'
    if decorate is not None:
        fix += f'; or, if "{decorate}" is not a FastAPI dependency, decorate it with @asynccontextmanager'
    _report(
        api,
        context,
        errorcodes.WITH_GENERATOR,
        f'"{subject}" is {"an async generator" if is_async else "a generator"}, not a context manager; '
        f'"{statement}" fails before the block runs',
        fix,
    )


def for_on_context_manager(
    api: CheckerPluginInterface,
    context: Context,
    subject: str,
    target: str | None,
    *,
    is_async_for: bool,
    is_async: bool,
) -> None:
    """``async for s in get_session()`` where ``get_session`` is an @asynccontextmanager function."""
    statement = "async for" if is_async_for else "for"
    enter = "async with" if is_async else "with"
    _report(
        api,
        context,
        errorcodes.FOR_CONTEXT_MANAGER,
        f'"{subject}" is {"an async context manager" if is_async else "a context manager"}, not '
        f'{"an async iterable" if is_async_for else "an iterable"}; "{statement}" fails before the loop runs',
        f'Enter it instead: "{enter} {subject}{_as(target)}:"',
    )


def with_mismatch(
    api: CheckerPluginInterface, context: Context, subject: str, target: str | None, *, is_async_with: bool
) -> None:
    """``with`` on an async-only context manager, or ``async with`` on a sync-only one."""
    used, needed = ("async with", "with") if is_async_with else ("with", "async with")
    kind = "a sync" if is_async_with else "an async"
    _report(
        api,
        context,
        errorcodes.WITH_MISMATCH,
        f'"{subject}" is {kind} context manager; "{used}" fails before the block runs',
        f'Use "{needed}" instead: "{needed} {subject}{_as(target)}:"',
    )


def never_entered(
    api: CheckerPluginInterface,
    context: Context,
    subject: str,
    target: str,
    resource: Type,
    *,
    is_async: bool,
    is_generator: bool,
    attribute: str | None,
    awaited: bool,
    expected: Type | None,
) -> None:
    """A manager or generator object used as the resource it manages or yields."""
    if is_generator:
        what = "an async generator" if is_async else "a generator"
        state, verb = "never iterated", "yields"
        fix = f'{"async for" if is_async else "for"} {target} in {subject}:'
    else:
        what = "an async context manager" if is_async else "a context manager"
        state, verb = "never entered", "manages"
        fix = f'{"async with" if is_async else "with"} {subject} as {target}:'
    if attribute is not None:
        consequence = f'".{attribute}" raises AttributeError at run time'
    elif awaited:
        consequence = "awaiting it raises TypeError at run time"
    else:
        shown = _format(api, expected) if expected is not None else "the resource"
        consequence = f'it is used where "{shown}" is expected and fails on first use'
    _report(
        api,
        context,
        errorcodes.NEVER_ENTERED,
        f'"{subject}" is {what} that is {state}, not the {_resource(api, resource, "value")} it {verb}; '
        f"{consequence}",
        f'{"Iterate" if is_generator else "Enter"} it first: "{fix}"',
    )


def _as(target: str | None) -> str:
    return f" as {target}" if target is not None else ""
