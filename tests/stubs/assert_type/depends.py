"""Depends() through the shipped stubs: one endpoint parameter per dependency kind.

Checked by mypy without the plugin, mypy with the plugin and basedpyright (test_stubs.py):
all three must be silent. ``x: T = assert_type(Depends(f), T)`` is the default-value form
with the stub's answer asserted; without a parameter annotation the plugin answers Any.
"""

from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from typing_extensions import assert_type


class Session: ...


class Settings:
    def __init__(self, debug: bool = False) -> None:
        self.debug = debug


class Paginator:
    def __call__(self, limit: int = 10) -> int:
        return limit


async def async_generator() -> AsyncIterator[Session]:
    yield Session()


async def async_generator_full() -> AsyncGenerator[Session, None]:
    yield Session()


def generator() -> Iterator[Session]:
    yield Session()


def generator_full() -> Generator[Session, None, None]:
    yield Session()


async def coroutine() -> Session:
    return Session()


def plain() -> Session:
    return Session()


async def audit() -> AsyncIterator[None]:
    yield


def side_effect() -> None: ...


async def endpoint(
    a: Session = assert_type(Depends(async_generator), Session),
    b: Session = assert_type(Depends(async_generator_full), Session),
    c: Session = assert_type(Depends(generator), Session),
    d: Session = assert_type(Depends(generator_full), Session),
    e: Session = assert_type(Depends(coroutine), Session),
    f: Session = assert_type(Depends(plain), Session),
    g: Settings = assert_type(Depends(Settings), Settings),
    h: int = assert_type(Depends(Paginator()), int),
    i: Session = assert_type(Depends(dependency=plain), Session),
    j: Session = assert_type(Depends(async_generator, use_cache=False), Session),
    k: Session = assert_type(Depends(async_generator, scope="function"), Session),
    m: Session = assert_type(Depends(generator, scope="request", use_cache=True), Session),
    n: Session = assert_type(Depends(coroutine, max_concurrency=4), Session),
    o: Settings = Depends(),
    p: Settings = Depends(use_cache=False),
) -> None: ...


# Depends() alone: FastAPI calls the annotation, which the stub cannot see.
assert_type(Depends(), Any)
# A dependency without a value is the marker dependencies=[...] expects.
app = FastAPI(dependencies=[Depends(audit), Depends(side_effect)])
router = APIRouter(dependencies=[Depends(audit)])


@app.get("/", dependencies=[Depends(audit, use_cache=False), Depends(side_effect)])
async def read() -> None: ...
