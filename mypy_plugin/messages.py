"""Every user-visible string the plugin emits, with its error code and its fix note.

Each function reports one diagnostic: the error says what is wrong and what happens at run
time, the linked note gives one concrete fix (``parent_error`` ties them together, so
``# type: ignore[code]`` and ``disable_error_code`` hide both). Wording is API: the YAML
tests match it exactly. Nothing here decides *whether* to report; ``errors_shown`` only says
whether mypy would show a report in the current module at all (the checks skip those it hides).
"""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import ErrorCode
from mypy.errors import Errors
from mypy.messages import format_type_bare
from mypy.nodes import Context
from mypy.plugin import CheckerPluginInterface
from mypy.semanal import SemanticAnalyzer
from mypy.types import AnyType, Type, get_proper_type

from mypy_plugin import errorcodes
from mypy_plugin.resources import LAMBDA, Dependency, Kind

#: Where a diagnostic is reported from: the checker (default-value forms) or semantic
#: analysis (the ``Annotated`` forms, whose metadata only exists there).
Api = CheckerPluginInterface | SemanticAnalyzer


def errors_shown(api: Api) -> bool:
    """Whether mypy shows the errors of the module being analysed or checked.

    It does not for installed packages and typeshed (unless ``no_silence_site_packages``),
    ``follow_imports = silent`` and ``ignore_errors``. The checks skip those modules: nothing
    they report there is seen, and the types there stay mypy's own.
    """
    errors = getattr(api, "errors", None)
    return not isinstance(errors, Errors) or errors.file not in errors.ignored_files


def context_manager_fails_every_request(
    api: Api, context: Context, dependency: Dependency
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
    api: Api, context: Context, dependency: Dependency, *, decorated: bool
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


def generator_object_injected(api: Api, context: Context, dependency: Dependency) -> None:
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


def injected_type_mismatch(
    api: Api, context: Context, subject: str, marker: str, dependency: Dependency, declared: Type
) -> None:
    """``Annotated[T, Depends(f)]`` where T does not accept what f gives."""
    injected = _format(api, dependency.injected)
    _report(
        api,
        context,
        errorcodes.DEPENDS_TYPE,
        f'{subject} is declared "{_format(api, declared)}" but its dependency "{dependency.name}" '
        f'injects "{injected}"; FastAPI never converts injected values, so the code receives '
        f'the "{injected}"',
        f'Declare what the dependency gives: "Annotated[{injected}, {marker}({dependency.name})]"',
    )


def dependency_declared_twice(api: Api, context: Context, parameter: str) -> None:
    """``p: Annotated[T, Depends(f)] = Depends(g)``: FastAPI rejects the route."""
    _report(
        api,
        context,
        errorcodes.DEPENDS_TWICE,
        f'Parameter "{parameter}" declares a dependency both in Annotated[...] and as its default '
        'value; FastAPI rejects the route when it is declared with "AssertionError: Cannot specify '
        '`Depends` in `Annotated` and default value together"',
        f'Keep one: remove the default value of "{parameter}" and keep Annotated[...]',
    )


def dependency_called(api: Api, context: Context, dependency: Dependency, *, in_list: bool) -> None:
    """``Depends(get_db())``: a generator or coroutine object where FastAPI needs a callable."""
    if dependency.callee is Kind.RETURNS_GENERATOR:
        what = "async_generator" if dependency.is_async else "generator"
    else:
        what = _CALLED_OBJECTS.get(dependency.callee or dependency.kind, "object")
    runtime = (
        '"AssertionError: A parameter-less dependency must have a callable dependency"'
        if in_list
        else f'"TypeError: <{what} object ...> is not a callable object"'
    )
    _report(
        api,
        context,
        errorcodes.DEPENDS_CALLED,
        f'Dependency "{dependency.name}()" is the {what} object that calling "{dependency.name}" '
        f"returns, not a dependency; FastAPI refuses the route when it is declared with {runtime}",
        f'Pass the function itself, without calling it: "Depends({dependency.name})"',
    )


def dependency_called_manager(api: Api, context: Context, dependency: Dependency) -> None:
    """``Depends(get_session())``: a contextlib manager object, which FastAPI calls."""
    _report(
        api,
        context,
        errorcodes.DEPENDS_CALLED,
        f'Dependency "{dependency.name}()" is the context-manager object that calling '
        f'"{dependency.name}" returns; FastAPI calls it and takes its "func" argument from the '
        'query string: every request answers 422 ("query.func": "Field required")',
        _enter_it_note(dependency),
    )


def sessionmaker_dependency(api: Api, context: Context, dependency: Dependency) -> None:
    """``Depends(SessionLocal)``: FastAPI inspects ``__call__(**local_kw)``."""
    maker = "an async_sessionmaker" if dependency.is_async else "a sessionmaker"
    _report(
        api,
        context,
        errorcodes.DEPENDS_SESSIONMAKER,
        f'Dependency "{dependency.name}" is {maker}; FastAPI reads its "**local_kw" as a required '
        'query parameter "local_kw": every request answers 422 and no session is opened',
        _enter_it_note(dependency),
    )


def partial_coroutine(api: Api, context: Context, dependency: Dependency) -> None:
    """``Depends(partial(coro_fn, ...))`` on FastAPI < 0.123.5."""
    _report(
        api,
        context,
        errorcodes.DEPENDS_PARTIAL,
        f'Dependency "partial({dependency.name}, ...)" wraps a coroutine function; FastAPI before '
        "0.123.5 does not see through functools.partial, calls it as a plain function and injects "
        f'the coroutine object, never awaited, not the {_resource(api, dependency.injected, "value")} it returns',
        f'Use an async def that awaits it: "async def dependency(): return await {dependency.name}(...)", '
        "or FastAPI 0.123.5 or later",
    )


def wrapper_fails_every_request(api: Api, context: Context, dependency: Dependency) -> None:
    """functools.wraps + an ``async def`` wrapper over a generator function, FastAPI >= 0.123.5."""
    wrapper = dependency.wrapper
    decorator = wrapper.decorator if wrapper else "decorator"
    protocol = "an async iterator" if dependency.is_async else "an iterator"
    _report(
        api,
        context,
        errorcodes.DEPENDS_DECORATOR,
        f'Dependency "{dependency.name}" is decorated with "@{decorator}", whose async def wrapper '
        "returns a coroutine; FastAPI follows functools.wraps, takes it for a generator dependency "
        f"and every request fails with \"TypeError: 'coroutine' object is not {protocol}\"",
        _rewrap_note(dependency),
    )


def wrapper_injects_object(api: Api, context: Context, dependency: Dependency) -> None:
    """The wrapper returns the generator / coroutine object and FastAPI goes by the wrapper."""
    wrapper = dependency.wrapper
    decorator = wrapper.decorator if wrapper else "decorator"
    if dependency.callee is Kind.COROUTINE_FUNCTION:
        what, verb, note = "coroutine", "awaiting", 'Make the wrapper "async def" and "return await func(*args, **kwargs)"'
    else:
        what = "async_generator" if dependency.is_async else "generator"
        verb, note = "iterating", _rewrap_note(dependency)
    reason = (
        "FastAPI before 0.123.5 goes by the wrapper"
        if wrapper is not None and wrapper.keeps_wrapped
        else "without functools.wraps FastAPI sees only the wrapper"
    )
    _report(
        api,
        context,
        errorcodes.DEPENDS_DECORATOR,
        f'Dependency "{dependency.name}" is decorated with "@{decorator}", whose wrapper returns the '
        f"{what} object without {verb} it; {reason} and injects that object, not the "
        f"{_resource(api, dependency.injected, 'value')} it gives",
        note,
    )


def _rewrap_note(dependency: Dependency) -> str:
    if dependency.is_async:
        return 'Make the wrapper an async generator that re-yields: "async for item in func(*args, **kwargs): yield item"'
    return 'Make the wrapper a generator that re-yields: "yield from func(*args, **kwargs)"'


def generator_call_class(api: Api, context: Context, dependency: Dependency) -> None:
    """``Depends(Cls)`` where ``Cls.__call__`` is a generator function, FastAPI < 0.123.10."""
    what, protocol = ("an async generator", "an async iterator") if dependency.is_async else ("a generator", "an iterator")
    _report(
        api,
        context,
        errorcodes.DEPENDS_GENERATOR_CLASS,
        f'Dependency "{dependency.name}" is a class whose __call__ is {what} function; FastAPI before '
        f"0.123.10 takes the class for a generator dependency and every request fails with "
        f"\"TypeError: '{dependency.name}' object is not {protocol}\"",
        f'To inject what __call__ yields, pass an instance: "Depends({dependency.name}())"; to inject '
        "the instance, upgrade to FastAPI 0.123.10 or later",
    )


_CALLED_OBJECTS: Final = {
    Kind.ASYNC_GENERATOR_FUNCTION: "async_generator",
    Kind.GENERATOR_FUNCTION: "generator",
    Kind.COROUTINE_FUNCTION: "coroutine",
}


def _enter_it_note(dependency: Dependency) -> str:
    # A lambda has no name to enter: show where its manager goes.
    manager = "<the manager>" if dependency.name == LAMBDA else f"{dependency.name}()"
    if dependency.is_async:
        code = f"async def get_resource(): async with {manager} as resource: yield resource"
    else:
        code = f"def get_resource(): with {manager} as resource: yield resource"
    return f'Depend on a generator that enters it instead: "{code}"'


def _report(api: Api, context: Context, code: ErrorCode, error: str, fix: str) -> None:
    if isinstance(api, SemanticAnalyzer):
        if api.in_checked_function():  # as mypy's own semantic-analysis errors
            error_info = api.errors.report(context.line, context.column, error, code=code)
            api.errors.report(
                context.line, context.column, fix, severity="note", code=code, parent_error=error_info
            )
        return
    info = api.fail(error, context, code=code)
    api.msg.note(fix, context, code=code, parent_error=info)


def _format(api: Api, typ: Type) -> str:
    return format_type_bare(typ, api.options)


def _resource(api: Api, typ: Type | None, fallback: str) -> str:
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


# Resource lifetime (lifetime.py): the resource outlives, or is used past, what keeps it open.


def early_exit(
    api: CheckerPluginInterface,
    context: Context,
    keyword: str,
    subject: str,
    target: str,
    *,
    is_async: bool,
    annotate: str | None,
) -> None:
    """``return`` / ``break`` / ``raise`` inside ``async for x in gen()`` over a resource generator."""
    loop = "async for" if is_async else "for"
    closing = "async with aclosing" if is_async else "with closing"
    _report(
        api,
        context,
        errorcodes.EARLY_EXIT,
        f'"{keyword}" leaves "{loop} {target} in {subject}" before the generator finishes: the resource '
        f'it holds across its "yield" stays open until garbage collection runs its cleanup',
        f'Close it on the way out: "{closing}({subject}) as it: {loop} {target} in it:"'
        + _closable(annotate, is_async=is_async),
    )


def taken_once(
    api: CheckerPluginInterface, context: Context, written: str, subject: str, *, is_async: bool, annotate: str | None
) -> None:
    """``anext(gen())`` / ``gen().__anext__()``: one item, then the generator is dropped."""
    fix = (
        f"async with aclosing({subject}) as it: value = await anext(it)"
        if is_async
        else f"with closing({subject}) as it: value = next(it)"
    )
    _report(
        api,
        context,
        errorcodes.EARLY_EXIT,
        f'"{written}" takes one item and drops the generator: the resource it holds across its "yield" '
        f"stays open until garbage collection runs its cleanup",
        f'Keep the generator to close it: "{fix}"' + _closable(annotate, is_async=is_async),
    )


def _closable(annotate: str | None, *, is_async: bool) -> str:
    """aclosing() / closing() need aclose() / close(), which AsyncIterator / Iterator do not declare."""
    if annotate is None:
        return ""
    generator, closing = ("AsyncGenerator", "aclosing") if is_async else ("Generator", "closing")
    return f', with "{annotate}" annotated "-> {generator}[...]" so that {closing}() accepts it'



def escapes_block(api: CheckerPluginInterface, context: Context, name: str, resource: Type, statement: str) -> None:
    """``async with Session() as s: return s``."""
    decorator = "@asynccontextmanager" if statement == "async with" else "@contextmanager"
    _report(
        api,
        context,
        errorcodes.ESCAPES_BLOCK,
        f'"{name}" is returned from inside its "{statement}" block, which closes the '
        f'"{_format(api, resource)}" as the function returns: the caller gets a closed resource',
        f'Make the function an {decorator} function that yields "{name}", and enter it with "{statement}"',
    )


def used_after_block(
    api: CheckerPluginInterface, context: Context, name: str, resource: Type, statement: str, line: int
) -> None:
    """``async with Session() as s: ...`` then ``await s.execute(...)`` after the block."""
    _report(
        api,
        context,
        errorcodes.USE_AFTER_BLOCK,
        f'"{name}" is used after its "{statement}" block (line {line}) closed the '
        f'"{_format(api, resource)}": it is a closed resource here',
        f'Move this use into the "{statement}" block, or open a new block around it',
    )


def _as(target: str | None) -> str:
    return f" as {target}" if target is not None else ""


# Yield-dependency contract (contract.py): reported where the dependency is used, pointing at
# the line of its definition ("line 14 of app/db.py").


def dependency_yields_twice(
    api: Api, context: Context, name: str, where: str, *, in_loop: bool, after_response: bool
) -> None:
    """A second yield on one path, straight or through a loop."""
    stopped = '"RuntimeError: generator didn\'t stop"'
    consequence = (
        f"FastAPI sends the response, then raises {stopped} and the code after that yield never runs"
        if after_response
        else f"the request answers 500 with {stopped}"
    )
    if in_loop:
        error = f'Dependency "{name}" yields inside a loop ({where}); when it yields a second time, {consequence}'
        fix = 'Yield once, after the loop: pick the value inside the loop, then "yield" it'
    else:
        error = f'Dependency "{name}" can yield twice on one path ({where}); {consequence}'
        fix = 'Yield exactly once on every path: keep one "yield" and move the other work before or after it'
    _report(api, context, errorcodes.DEPENDENCY_YIELD, error, fix)


def dependency_never_yields(api: Api, context: Context, name: str, where: str) -> None:
    """A path that returns or falls off the end before any yield."""
    _report(
        api,
        context,
        errorcodes.DEPENDENCY_YIELD,
        f'Dependency "{name}" can finish without yielding ({where}); the request then answers 500 '
        "with \"RuntimeError: generator didn't yield\" and the endpoint never runs",
        'End every path with one "yield", or "raise" (for example HTTPException) where there is nothing to yield',
    )


def dependency_cleanup_skipped(
    api: Api, context: Context, name: str, where: str, call: str, *, awaited: bool
) -> None:
    """A release call after the yield that an exception from the endpoint skips."""
    _report(
        api,
        context,
        errorcodes.DEPENDENCY_CLEANUP,
        f'Dependency "{name}" calls "{call}" after its yield outside "finally" ({where}); when the '
        "endpoint raises, the code after the yield never runs and the resource is never released",
        f'Put the cleanup in "finally:": "try: yield ... finally: {"await " if awaited else ""}{call}"',
    )


def dependency_swallows(api: Api, context: Context, name: str, where: str, *, after_response: bool) -> None:
    """An except around the yield with a path that does not re-raise."""
    error = "Response not awaited" if after_response else "No response object was returned"
    _report(
        api,
        context,
        errorcodes.DEPENDENCY_SWALLOW,
        f'Dependency "{name}" catches exceptions around its yield without re-raising them ({where}); '
        f'when the endpoint raises one, the request answers 500 with "FastAPIError: {error}. ..." '
        "instead of the endpoint's error",
        'Re-raise it: end the except block with "raise"',
    )
