"""The plugin's verdict on every dependency kind agrees with what the installed FastAPI does.

One module of dependencies and endpoints is both served by FastAPI (through its TestClient)
and type-checked by mypy with the plugin. Per case, FastAPI's outcome is the class name of
the injected value or a failure (HTTP 500, the endpoint never ran); the plugin's is the type
it gives ``Depends(...)``, or one of its two error codes, whose message says either that
every request fails or that the un-entered manager / generator object is injected. The test
pins that the two agree, kind by kind. The plugin reads the installed FastAPI version, and
the same assertions hold on releases that behave differently (an ``@asynccontextmanager``
function is injected un-entered before 0.123.5 and fails every request from then on).
Running FastAPI itself is what keeps the plugin right when FastAPI changes.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from mypy import api

DEPENDENCIES = '''\
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache

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
'''

ENDPOINT = """

def ep_{name}(p: {annotation} = {default}) -> str:
    return type(p).__name__
"""


@dataclass(frozen=True)
class Case:
    """One endpoint: ``p: annotation = default``; the endpoint returns ``type(p).__name__``."""

    name: str
    default: str
    annotation: str = "Sentinel"


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
]

#: FastAPI: the endpoint never ran (HTTP 500); plugin: its error says every request fails.
FAILS = "fails"
#: What FastAPI injects when it calls the dependency but never enters, iterates or awaits the result.
WRAPPER_OBJECTS = frozenset(
    {"_AsyncGeneratorContextManager", "_GeneratorContextManager", "async_generator", "generator", "coroutine"}
)
#: Plugin: one of its error codes, saying that such an object is injected as it is.
INJECTS_OBJECT = "injects the object"
NOT_INJECTABLE_CODES = frozenset({"resource-depends-context-manager", "resource-depends-generator-object"})
#: Plugin: no error on the line, so ``Depends(...)`` stayed ``Any``.
UNDECIDED = "Any"

_MESSAGE = re.compile(r"^.+?:(?P<line>\d+): error: (?P<text>.*?)(?:  \[(?P<code>[a-z-]+)\])?$")
# mypy >= 2.0 says "parameter", 1.19 "argument"; `Expression is of type` comes from assert_type.
_PLUGIN_TYPE = re.compile(
    r'Incompatible default for (?:parameter|argument) "p" \(default has type "(?P<default>[^"]+)"'
    r'|Expression is of type "(?P<asserted>[^"]+)", not "Sentinel"'
)


def _module_source() -> tuple[str, dict[int, str]]:
    """The dependencies followed by one endpoint per case, and the line of each endpoint's def."""
    source = DEPENDENCIES
    lines: dict[int, str] = {}
    for case in CASES:
        source += ENDPOINT.format(name=case.name, annotation=case.annotation, default=case.default)
        lines[source.count("\n") - 1] = case.name
    return source, lines


SOURCE, ENDPOINT_LINES = _module_source()


@pytest.fixture(scope="module")
def module_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agreement") / "agreement_cases.py"
    path.write_text(SOURCE)
    return path


@pytest.fixture(scope="module")
def client(module_path: Path) -> Iterator[TestClient]:
    """One app serving ``GET /<case>`` for every case."""
    spec = importlib.util.spec_from_file_location(module_path.stem, module_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = FastAPI()
    for case in CASES:
        app.get(f"/{case.name}")(getattr(module, f"ep_{case.name}"))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def plugin_verdicts(module_path: Path) -> dict[str, str]:
    """Case -> what the plugin says FastAPI does with it (see ``_verdict``); mypy runs once."""
    config = module_path.parent / "mypy.ini"
    config.write_text("[mypy]\nplugins = mypy_plugin\n")
    stdout, stderr, _ = api.run(
        [
            "--config-file",
            str(config),
            "--cache-dir",
            str(module_path.parent / ".mypy_cache"),
            "--show-error-codes",
            "--no-error-summary",
            str(module_path),
        ]
    )
    assert not stderr, stderr
    verdicts = dict.fromkeys(ENDPOINT_LINES.values(), UNDECIDED)
    for message in stdout.splitlines():
        match = _MESSAGE.match(message)
        if match is None:
            continue  # notes
        line = int(match["line"])
        assert line in ENDPOINT_LINES, f"the cases module itself does not type-check: {message}"
        verdicts[ENDPOINT_LINES[line]] = _verdict(match["text"], match["code"])
    return verdicts


def _verdict(text: str, code: str | None) -> str:
    """What the plugin says FastAPI does: a verdict above, or the bare class name of its type.

    Any other error is returned as it is, to show up in the failed assertion.
    """
    if code in NOT_INJECTABLE_CODES:
        return FAILS if "every request fails" in text else INJECTS_OBJECT
    match = _PLUGIN_TYPE.search(text)
    if match is None:
        return text
    type_name = match["default"] or match["asserted"]
    return type_name.split("[")[0].rsplit(".")[-1]


def fastapi_outcome(client: TestClient, case: Case) -> str:
    """The class name of the value FastAPI injected, or ``FAILS``."""
    response = client.get(f"/{case.name}")
    if response.status_code == 500:
        return FAILS
    assert response.status_code == 200, response.text
    injected = response.json()
    assert isinstance(injected, str)
    return injected


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_plugin_agrees_with_fastapi(case: Case, client: TestClient, plugin_verdicts: dict[str, str]) -> None:
    injected = fastapi_outcome(client, case)
    # Every kind here is decided: a plugin `Any` (UNDECIDED) never equals a FastAPI outcome.
    expected = INJECTS_OBJECT if injected in WRAPPER_OBJECTS else injected
    assert plugin_verdicts[case.name] == expected, f"FastAPI: {injected}"
