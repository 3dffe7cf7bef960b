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
