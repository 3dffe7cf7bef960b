"""Property-based: generated dependency shapes never crash mypy and get the verdict FastAPI's rules predict.

hypothesis draws dependency shapes along every axis that changes what FastAPI injects:
what the body is (async or sync, generator or not), a contextlib decorator on a generator
(``@asynccontextmanager`` / ``@contextmanager``), a return annotation or none, how the
dependency is passed (``Depends(f)``, ``Depends(f())``, ``Depends(partial(f))``), where
(a parameter default, ``Annotated`` in the signature, an ``Annotated`` alias), and whether
the parameter's annotation is what ``f`` injects. Each shape becomes one module; each
hypothesis example is a batch of up to 10 modules checked in one in-process mypy run (one
cache shared by the runs, so FastAPI is analysed once).

``expected_codes`` is a small model written from shared/reference/fastapi-di-runtime.md
and the README's shapes table and known limits, independent of the plugin's classifier:
every module must report exactly those error codes, and no run may crash (INTERNAL ERROR,
traceback, exit status 2). The FastAPI behaviour is the installed one (``fastapi_version =
auto``), so the floor environment exercises the pre-0.123.5 rules.
"""

from __future__ import annotations

import importlib.metadata
import itertools
from dataclasses import dataclass
from pathlib import Path

import mypy.api
import mypy.version
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CM = "resource-depends-context-manager"
#: FastAPI 0.123.5 started classifying a dependency by what it wraps (see the runtime reference).
UNWRAPS = tuple(int(part) for part in importlib.metadata.version("fastapi").split(".")[:3]) >= (0, 123, 5)

MYPY_MAJOR = int(mypy.version.__version__.split(".")[0])

#: body -> (def keyword, return annotation, body statement, contextlib decorator that fits it)
BODIES = {
    "async-generator": ("async def", "AsyncIterator[Session]", "yield Session()", "asynccontextmanager"),
    "generator": ("def", "Iterator[Session]", "yield Session()", "contextmanager"),
    "coroutine": ("async def", "Session", "return Session()", None),
    "function": ("def", "Session", "return Session()", None),
}

HEADER = """\
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from typing import Annotated

from fastapi import Depends


class Session: ...


class Engine: ...


"""


@dataclass(frozen=True)
class Shape:
    body: str  # a key of BODIES
    decorated: bool  # with the contextlib decorator that fits the body (generators only)
    annotated: bool  # the dependency has a return annotation
    passed: str  # "name": Depends(dep), "call": Depends(dep()), "partial": Depends(partial(dep))
    form: str  # "default": x: T = Depends(...), "annotated": Annotated[T, Depends(...)], "alias"
    matching: bool  # the parameter's T is Session (what dep makes), else Engine

    def source(self) -> str:
        keyword, returns, statement, decorator = BODIES[self.body]
        lines = [f"@{decorator}"] if self.decorated else []
        lines += [f"{keyword} dep(){f' -> {returns}' if self.annotated else ''}:", f"    {statement}", "", ""]
        marker = {"name": "Depends(dep)", "call": "Depends(dep())", "partial": "Depends(partial(dep))"}[self.passed]
        wanted = "Session" if self.matching else "Engine"
        if self.form == "default":
            lines.append(f"async def endpoint(x: {wanted} = {marker}) -> None: ...")
        elif self.form == "annotated":
            lines.append(f"async def endpoint(x: Annotated[{wanted}, {marker}]) -> None: ...")
        else:
            lines += [f"Alias = Annotated[{wanted}, {marker}]", "", "", "async def endpoint(x: Alias) -> None: ..."]
        return HEADER + "\n".join(lines) + "\n"


@st.composite
def shapes(draw: st.DrawFn) -> Shape:
    body = draw(st.sampled_from(sorted(BODIES)))
    return Shape(
        body=body,
        decorated=BODIES[body][3] is not None and draw(st.booleans()),
        annotated=draw(st.booleans()),
        passed=draw(st.sampled_from(["name", "call", "partial"])),
        form=draw(st.sampled_from(["default", "annotated", "alias"])),
        matching=draw(st.booleans()),
    )


def expected_codes(shape: Shape) -> set[str]:
    """The error codes FastAPI's rules call for, within the plugin's documented reach."""
    if shape.passed == "call":
        # Depends(gen()) / Depends(coro()) / Depends(cm()): not a dependency at all, in every
        # form. A plain function's result is whatever it returns: not in the shapes table.
        codes = {"resource-depends-called"} if shape.body != "function" or shape.decorated else set()
        # mypy's own check of the default form: Depends wants a callable; a manager (a
        # ContextDecorator) is one, an unannotated function's Any passes. mypy >= 2.0 also
        # types an unannotated coroutine function's call as a Coroutine (1.19: Any).
        unannotated_coroutine = shape.body == "coroutine" and MYPY_MAJOR >= 2
        if shape.form == "default" and not shape.decorated and (shape.annotated or unannotated_coroutine):
            codes.add("arg-type")
        return codes
    if shape.form != "default" and shape.passed == "partial":
        return set()  # README known limits: in Annotated, Depends(partial(...)) is not checked
    if shape.decorated:
        # >= 0.123.5: every request fails; older: the un-entered manager, which neither
        # Session nor Engine accepts.
        return {CM}
    if shape.passed == "partial" and shape.body == "coroutine" and not UNWRAPS:
        return {"resource-depends-partial"}  # the coroutine is injected, never awaited
    if shape.matching or not shape.annotated:
        return set()  # injects a Session, or an unannotated function's Any
    return {"assignment" if shape.form == "default" else "resource-depends-type"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated-shapes")
    (folder / "mypy.ini").write_text(
        "[mypy]\nplugins = mypy_plugin\n\n[mypy.plugins.mypy-async-resources]\nfastapi_version = auto\n"
    )
    return folder


_batches = itertools.count()


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(shapes(), min_size=1, max_size=10))
def test_generated_shapes_get_the_predicted_verdict(workdir: Path, batch: list[Shape]) -> None:
    batch_number = next(_batches)
    folder = workdir / f"batch{batch_number}"
    folder.mkdir()
    modules = []
    for number, shape in enumerate(batch):
        # Module names unique across batches: the shared cache must never take one batch's
        # shape1 for another's (same name, same size, same second: mypy trusts the cache).
        module = folder / f"shape_{batch_number}_{number}.py"
        module.write_text(shape.source())
        modules.append(str(module))

    stdout, stderr, status = mypy.api.run(
        ["--show-traceback", "--config-file", str(workdir / "mypy.ini"), "--cache-dir", str(workdir / "cache"), *modules]
    )

    for crash_sign in ("INTERNAL ERROR", "Traceback"):
        assert crash_sign not in stdout + stderr, stdout + stderr
    assert status in (0, 1), stdout + stderr
    for module, shape in zip(modules, batch):
        reported = {
            line.rsplit("[", 1)[1].rstrip("]") for line in stdout.splitlines() if line.startswith(f"{module}:")
            if ": error: " in line
        }  # fmt: skip
        assert reported == expected_codes(shape), f"{shape}\n{shape.source()}\n{stdout}"
