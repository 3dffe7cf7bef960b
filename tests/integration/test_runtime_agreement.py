"""The plugin's verdict on every dependency shape agrees with what the installed FastAPI does.

One module of dependencies and endpoints is both served by FastAPI (through its TestClient)
and type-checked by mypy with the plugin. Per case, FastAPI's outcome is the class name of
the injected value or a failure: HTTP 500 (the endpoint never ran), HTTP 422, or the route
refused when it is declared; for ``dependencies=[...]``, whether the dependency's setup ran.
The plugin's outcome is the type it gives ``Depends(...)`` (or, for ``Annotated``, the type
its error says is injected), or what its error message says happens. The test pins that
the two agree, shape by shape: plain kinds, methods, instances, classes, ``functools.partial``,
lambdas, user decorators with and without ``functools.wraps``, ``Depends(f())``, sessionmakers, ``Security``, ``Annotated`` inline and through an
alias, and ``dependencies=[...]``. The plugin reads the installed FastAPI version, and the
same assertions hold on releases that behave differently (CI runs FastAPI 0.165.0 and
0.115.14, either side of 0.123.5). Running FastAPI itself is what keeps the plugin right
when FastAPI changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from case_modules import import_module, numbered_source, plugin_output

DEPENDENCIES = '''\
import functools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache, partial
from typing import Annotated, Any

from fastapi import Depends, Security
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from typing_extensions import assert_type


class Resource: ...


class Sentinel:
    """Annotates every parameter, so mypy prints the type the plugin gave the default."""


class PlainClass: ...


async def agen() -> AsyncIterator[Resource]:
    yield Resource()


def gen() -> Iterator[Resource]:
    yield Resource()


async def coro() -> Resource:
    return Resource()


def plain() -> Resource:
    return Resource()


class CallSync:
    def __call__(self) -> Resource:
        return Resource()


class CallAsync:
    async def __call__(self) -> Resource:
        return Resource()


class CallAgen:
    async def __call__(self) -> AsyncIterator[Resource]:
        yield Resource()


class CallGen:
    def __call__(self) -> Iterator[Resource]:
        yield Resource()


@asynccontextmanager
async def acm() -> AsyncIterator[Resource]:
    yield Resource()


@contextmanager
def cm() -> Iterator[Resource]:
    yield Resource()


def def_returns_agen() -> AsyncIterator[Resource]:
    return agen()


async def async_def_returns_agen() -> AsyncIterator[Resource]:
    return agen()


class Methods:
    async def agen_method(self) -> AsyncIterator[Resource]:
        yield Resource()

    @staticmethod
    async def static_agen() -> AsyncIterator[Resource]:
        yield Resource()

    @classmethod
    async def class_agen(cls) -> AsyncIterator[Resource]:
        yield Resource()


methods = Methods()


@lru_cache
def cached() -> Resource:
    return Resource()


SessionLocal = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"))


async def session_agen() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


@asynccontextmanager
async def session_acm() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


async def agen_param(x: int) -> AsyncIterator[Resource]:
    yield Resource()


async def coro_param(x: int) -> Resource:
    return Resource()


@asynccontextmanager
async def acm_param(x: int) -> AsyncIterator[Resource]:
    yield Resource()


class CallAcm:
    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[Resource]:
        yield Resource()


class ClassAgenCall:
    async def __call__(self) -> AsyncIterator[Resource]:
        yield Resource()


class EntersItself:
    async def __aenter__(self) -> "EntersItself":
        return self

    async def __aexit__(self, *exc: object) -> None: ...


SETUP_RAN: list[str] = []


@asynccontextmanager
async def acm_marks() -> AsyncIterator[None]:
    SETUP_RAN.append("acm_marks")
    yield


async def agen_marks() -> AsyncIterator[None]:
    SETUP_RAN.append("agen_marks")
    yield


def wraps_by_def(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def wraps_by_async_def(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


def wraps_by_async_def_await(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        return await func(*args, **kwargs)

    return wrapper


def wraps_by_async_generator(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        async for item in func(*args, **kwargs):
            yield item

    return wrapper


def no_wraps_by_def(func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper() -> Any:
        return func()

    return wrapper


@wraps_by_def
async def agen_by_def() -> AsyncIterator[Resource]:
    yield Resource()


@wraps_by_async_def
async def agen_by_async_def() -> AsyncIterator[Resource]:
    yield Resource()


@wraps_by_async_generator
async def agen_by_async_generator() -> AsyncIterator[Resource]:
    yield Resource()


@wraps_by_def
async def coro_by_def() -> Resource:
    return Resource()


@wraps_by_async_def_await
async def coro_by_async_def_await() -> Resource:
    return Resource()


@no_wraps_by_def
async def agen_by_def_without_wraps() -> AsyncIterator[Resource]:
    yield Resource()


@no_wraps_by_def
async def coro_by_def_without_wraps() -> Resource:
    return Resource()


@wraps_by_def
def plain_by_def() -> Resource:
    return Resource()
'''

ENDPOINT = """

def ep_{name}(p: {annotation}{default}) -> str:
    return type(p).__name__
"""
ALIAS_ENDPOINT = """

Alias_{name} = {annotation}


def ep_{name}(p: Alias_{name}) -> str:
    return type(p).__name__
"""
#: dependencies=[...]: the endpoint says whether the dependency's setup ran.
LIST_ENDPOINT = """

dependencies_{name} = [{default}]


def ep_{name}() -> str:
    return "setup ran" if SETUP_RAN and SETUP_RAN.pop() else "setup skipped"
"""


@dataclass(frozen=True)
class Case:
    """One endpoint: ``p: annotation = default`` (no default if None), returning ``type(p).__name__``.

    ``form`` "alias" declares ``Alias_<name> = annotation`` and annotates ``p`` with it; "list"
    registers the route with ``dependencies=[default]`` and no parameter.
    """

    name: str
    default: str | None
    annotation: str = "Sentinel"
    form: str = "parameter"

    def source(self) -> str:
        if self.form == "list":
            return LIST_ENDPOINT.format(name=self.name, default=self.default)
        if self.form == "alias":
            return ALIAS_ENDPOINT.format(name=self.name, annotation=self.annotation)
        default = "" if self.default is None else f" = {self.default}"
        return ENDPOINT.format(name=self.name, annotation=self.annotation, default=default)


CASES = [
    Case("async_generator_function", "Depends(agen)"),
    Case("generator_function", "Depends(gen)"),
    Case("coroutine_function", "Depends(coro)"),
    Case("plain_function", "Depends(plain)"),
    Case("class", "Depends(PlainClass)"),
    # FastAPI calls the annotation, so it cannot be Sentinel: assert_type (a no-op at run time,
    # checked with the parameter's type as context) makes mypy print the plugin's type instead.
    Case("class_no_argument", "assert_type(Depends(), Sentinel)", annotation="PlainClass"),
    Case("instance_sync_call", "Depends(CallSync())"),
    Case("instance_async_call", "Depends(CallAsync())"),
    Case("instance_async_generator_call", "Depends(CallAgen())"),
    Case("instance_generator_call", "Depends(CallGen())"),
    Case("asynccontextmanager_function", "Depends(acm)"),
    Case("contextmanager_function", "Depends(cm)"),
    Case("def_returning_async_generator", "Depends(def_returns_agen)"),
    Case("async_def_returning_async_generator", "Depends(async_def_returns_agen)"),
    Case("bound_method_async_generator", "Depends(methods.agen_method)"),
    Case("staticmethod_async_generator", "Depends(Methods.static_agen)"),
    Case("classmethod_async_generator", "Depends(Methods.class_agen)"),
    Case("security_async_generator", "Security(agen)"),
    Case("lru_cache_function", "Depends(cached)"),
    Case("sqlalchemy_async_generator", "Depends(session_agen)"),
    Case("sqlalchemy_asynccontextmanager", "Depends(session_acm)"),
    Case("sqlalchemy_sessionmaker", "Depends(SessionLocal)"),
    Case("sqlalchemy_sessionmaker_begin", "Depends(SessionLocal.begin)"),
    Case("instance_asynccontextmanager_call", "Depends(CallAcm())"),
    Case("class_whose_call_is_async_generator", "Depends(ClassAgenCall)"),
    Case("class_entering_itself", "Depends(EntersItself)"),
    Case("partial_async_generator", "Depends(partial(agen_param, x=7))"),
    Case("partial_coroutine", "Depends(partial(coro_param, x=7))"),
    Case("partial_asynccontextmanager", "Depends(partial(acm_param, x=7))"),
    Case("lambda_value", "Depends(lambda: Resource())"),
    Case("lambda_calling_async_generator", "Depends(lambda: agen())"),
    Case("lambda_calling_asynccontextmanager", "Depends(lambda: acm())"),
    Case("called_async_generator", "Depends(agen())"),
    Case("called_coroutine", "Depends(coro())"),
    Case("called_asynccontextmanager", "Depends(acm())"),
    Case("security_asynccontextmanager", "Security(acm)"),
    Case("annotated_async_generator", None, "Annotated[Sentinel, Depends(agen)]"),
    Case("annotated_asynccontextmanager", None, "Annotated[Sentinel, Depends(acm)]"),
    Case("annotated_class_no_argument", None, "Annotated[PlainClass, Depends()]"),
    Case("annotated_called_async_generator", None, "Annotated[Sentinel, Depends(agen())]"),
    Case("annotated_and_default", "Depends(coro)", "Annotated[Sentinel, Depends(agen)]"),
    Case("alias_async_generator", None, "Annotated[Sentinel, Depends(agen)]", form="alias"),
    Case("alias_asynccontextmanager", None, "Annotated[Sentinel, Depends(acm)]", form="alias"),
    Case("wraps_def_over_async_generator", "Depends(agen_by_def)"),
    Case("wraps_async_def_over_async_generator", "Depends(agen_by_async_def)"),
    Case("wraps_async_generator_over_async_generator", "Depends(agen_by_async_generator)"),
    Case("wraps_def_over_coroutine", "Depends(coro_by_def)"),
    Case("wraps_async_def_awaiting_coroutine", "Depends(coro_by_async_def_await)"),
    Case("no_wraps_def_over_async_generator", "Depends(agen_by_def_without_wraps)"),
    Case("no_wraps_def_over_coroutine", "Depends(coro_by_def_without_wraps)"),
    Case("wraps_def_over_plain_function", "Depends(plain_by_def)"),
    Case("list_async_generator", "Depends(agen_marks)", form="list"),
    Case("list_asynccontextmanager", "Depends(acm_marks)", form="list"),
]

#: FastAPI: the endpoint never ran (HTTP 500); plugin: its error says every request fails.
FAILS = "fails"
#: FastAPI: every request answers 422; plugin: its error says so.
ANSWERS_422 = "answers 422"
#: FastAPI: declaring the route raised; plugin: its error says the route is refused.
REFUSED = "refused"
#: What FastAPI injects when it calls the dependency but never enters, iterates or awaits the result.
WRAPPER_OBJECTS = frozenset(
    {
        "_AsyncGeneratorContextManager",
        "_GeneratorContextManager",
        "_AsyncSessionContextManager",
        "async_generator",
        "generator",
        "coroutine",
    }
)
#: Plugin: one of its error codes, saying that such an object is injected as it is.
INJECTS_OBJECT = "injects the object"
#: dependencies=[...]: the plugin's "never enters it" means the setup is skipped.
SETUP_RAN, SETUP_SKIPPED = "setup ran", "setup skipped"
#: Plugin: no error on the line, so ``Depends(...)`` stayed ``Any``.
UNDECIDED = "Any"

_MESSAGE = re.compile(r"^.+?:(?P<line>\d+): error: (?P<text>.*?)(?:  \[(?P<code>[a-z-]+)\])?$")
# mypy >= 2.0 says "parameter", 1.19 "argument"; `Expression is of type` comes from assert_type.
_PLUGIN_TYPE = re.compile(
    r'Incompatible default for (?:parameter|argument) "p" \(default has type "(?P<default>[^"]+)"'
    r'|Expression is of type "(?P<asserted>[^"]+)", not "Sentinel"'
    r'|is declared "Sentinel" but its dependency "[^"]+" injects "(?P<injected>[^"]+)"'
)


#: The dependencies followed by one endpoint per case, and the lines of each case's code.
SOURCE, ENDPOINT_LINES = numbered_source(DEPENDENCIES, CASES)


@pytest.fixture(scope="module")
def module_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agreement") / "agreement_cases.py"
    path.write_text(SOURCE)
    return path


@pytest.fixture(scope="module")
def client(module_path: Path) -> Iterator[TestClient]:
    """One app serving ``GET /<case>`` for every case."""
    module = import_module(module_path)
    app = FastAPI()
    refused = []
    for case in CASES:
        endpoint = getattr(module, f"ep_{case.name}")
        dependencies = getattr(module, f"dependencies_{case.name}") if case.form == "list" else None
        try:
            app.get(f"/{case.name}", dependencies=dependencies)(endpoint)
        except Exception:  # FastAPI refused the route: the outcome under test
            refused.append(case.name)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        test_client.refused = refused  # type: ignore[attr-defined]
        yield test_client


@pytest.fixture(scope="module")
def plugin_verdicts(module_path: Path) -> dict[str, str]:
    """Case -> what the plugin says FastAPI does with it (see ``_verdict``); mypy runs once."""
    stdout = plugin_output(module_path)
    verdicts = dict.fromkeys(ENDPOINT_LINES.values(), UNDECIDED)
    for message in stdout.splitlines():
        match = _MESSAGE.match(message)
        if match is None:
            continue  # notes
        line = int(match["line"])
        assert line in ENDPOINT_LINES, f"the cases module itself does not type-check: {message}"
        case = ENDPOINT_LINES[line]
        # mypy's own [arg-type] on `Depends(agen())` may share the line: the plugin's verdict wins.
        if verdicts[case] == UNDECIDED or (match["code"] or "").startswith("resource-"):
            verdicts[case] = _verdict(match["text"], match["code"])
    return verdicts


def _verdict(text: str, code: str | None) -> str:
    """What the plugin says FastAPI does: a verdict above, or the bare class name of its type.

    Any other error is returned as it is, to show up in the failed assertion.
    """
    if "every request fails" in text:
        return FAILS
    if "every request answers 422" in text:
        return ANSWERS_422
    if "refuses the route" in text or "rejects the route" in text:
        return REFUSED
    if code in (
        "resource-depends-context-manager",
        "resource-depends-generator-object",
        "resource-depends-partial",
        "resource-depends-decorator",
    ):
        return INJECTS_OBJECT
    match = _PLUGIN_TYPE.search(text)
    if match is None:
        return text
    type_name = match["default"] or match["asserted"] or match["injected"]
    return type_name.split("[")[0].rsplit(".")[-1]


def fastapi_outcome(client: TestClient, case: Case) -> str:
    """The class name of the value FastAPI injected, or what went wrong."""
    if case.name in client.refused:  # type: ignore[attr-defined]
        return REFUSED
    response = client.get(f"/{case.name}")
    if response.status_code == 500:
        return FAILS
    if response.status_code == 422:
        return ANSWERS_422
    assert response.status_code == 200, response.text
    injected = response.json()
    assert isinstance(injected, str)
    return injected


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_plugin_agrees_with_fastapi(case: Case, client: TestClient, plugin_verdicts: dict[str, str]) -> None:
    injected = fastapi_outcome(client, case)
    verdict = plugin_verdicts[case.name]
    if verdict == UNDECIDED and case.default is None:
        # Annotated with no error: the plugin found that the declared class is what is injected.
        verdict = case.annotation.removeprefix("Annotated[").split(",")[0]
    # A plugin `Any` (UNDECIDED) never equals a FastAPI outcome, except that in dependencies=[...]
    # a dependency whose setup runs has nothing to report.
    if injected in WRAPPER_OBJECTS:
        expected = INJECTS_OBJECT
    elif case.form == "list":
        expected = UNDECIDED if injected == SETUP_RAN else INJECTS_OBJECT if injected == SETUP_SKIPPED else injected
    else:
        expected = injected
    assert verdict == expected, f"FastAPI: {injected}"
