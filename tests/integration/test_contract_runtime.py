"""What the yield-dependency contract errors say happens is what the installed FastAPI does.

One module of generator dependencies is both served by FastAPI (through its TestClient, with an
ASGI wrapper recording the status that was sent) and type-checked by mypy with the plugin. Each
case is an endpoint using one dependency, and it raises or not. From the plugin's error on the
endpoint's line (or its silence) the test derives what must happen, and checks it:

- "sends the response, then raises X": status 200 was sent, then X was raised, and the code after
  the second yield never ran;
- "answers 500 with X": status 500 was sent and X was raised;
- "finish without yielding": 500 with "generator didn't yield", and the endpoint never ran;
- "never runs and the resource is never released": the endpoint raised and the release call
  after the yield did not run;
- "answers 500 with FastAPIError: <text> ... instead of the endpoint's error": the endpoint raised
  (ValueError, HTTPException(404)) and the client got a 500 with FastAPIError starting with <text>;
- no error: the endpoint's own outcome reached the client (200, 418, or its exception), and the
  resource was released.

CI runs it on FastAPI 0.165.0 and 0.115.14, either side of 0.118.0, where both the timing of the
code after ``yield`` and the swallowed-exception message changed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from case_modules import import_module, numbered_source, plugin_output

DEPENDENCIES = '''\
from collections.abc import AsyncIterator, Iterator

from fastapi import Depends, HTTPException

EVENTS: list[str] = []


class Resource:
    def close(self) -> None:
        EVENTS.append("released")


async def yields_twice() -> AsyncIterator[Resource]:
    yield Resource()
    yield Resource()
    EVENTS.append("after second yield")


def sync_yields_twice() -> Iterator[Resource]:
    yield Resource()
    yield Resource()
    EVENTS.append("after second yield")


async def yields_in_loop() -> AsyncIterator[Resource]:
    for _ in range(2):
        yield Resource()
    EVENTS.append("after second yield")


async def returns_before_yield(ready: bool = False) -> AsyncIterator[Resource]:
    if not ready:
        return
    yield Resource()


def falls_off_without_yield(ready: bool = False) -> Iterator[Resource]:
    if ready:
        yield Resource()


async def raises_before_yield(ready: bool = False) -> AsyncIterator[Resource]:
    if not ready:
        raise HTTPException(status_code=401)
    yield Resource()


async def cleanup_after_yield() -> AsyncIterator[Resource]:
    resource = Resource()
    yield resource
    resource.close()


def sync_cleanup_after_yield() -> Iterator[Resource]:
    resource = Resource()
    yield resource
    resource.close()


async def cleanup_in_finally() -> AsyncIterator[Resource]:
    resource = Resource()
    try:
        yield resource
    finally:
        resource.close()


async def swallows() -> AsyncIterator[Resource]:
    resource = Resource()
    try:
        yield resource
    except Exception:
        EVENTS.append("swallowed")
    finally:
        resource.close()


def sync_swallows() -> Iterator[Resource]:
    try:
        yield Resource()
    except ValueError:
        EVENTS.append("swallowed")


async def re_raises() -> AsyncIterator[Resource]:
    resource = Resource()
    try:
        yield resource
    except Exception:
        EVENTS.append("rolled back")
        raise
    finally:
        resource.close()
'''

ENDPOINT = """

def ep_{name}(p: Resource = Depends({dependency})) -> str:
    EVENTS.append("endpoint")
    {body}
"""

BODIES = {
    "returns": 'return "ok"',
    "raises ValueError": 'raise ValueError("endpoint boom")',
    "raises HTTPException(418)": "raise HTTPException(status_code=418)",
    "raises HTTPException(404)": "raise HTTPException(status_code=404)",
}


@dataclass(frozen=True)
class Case:
    name: str
    dependency: str
    endpoint: str = "returns"

    def source(self) -> str:
        return ENDPOINT.format(name=self.name, dependency=self.dependency, body=BODIES[self.endpoint])


CASES = [
    Case("yields_twice", "yields_twice"),
    Case("sync_yields_twice", "sync_yields_twice"),
    Case("yields_in_loop", "yields_in_loop"),
    Case("returns_before_yield", "returns_before_yield"),
    Case("falls_off_without_yield", "falls_off_without_yield"),
    Case("raises_before_yield", "raises_before_yield"),
    Case("cleanup_after_yield_value_error", "cleanup_after_yield", "raises ValueError"),
    Case("cleanup_after_yield_http_exception", "cleanup_after_yield", "raises HTTPException(418)"),
    Case("sync_cleanup_after_yield_http_exception", "sync_cleanup_after_yield", "raises HTTPException(418)"),
    Case("cleanup_in_finally_value_error", "cleanup_in_finally", "raises ValueError"),
    Case("cleanup_in_finally_http_exception", "cleanup_in_finally", "raises HTTPException(418)"),
    Case("swallows_value_error", "swallows", "raises ValueError"),
    Case("swallows_http_exception", "swallows", "raises HTTPException(404)"),
    Case("sync_swallows_value_error", "sync_swallows", "raises ValueError"),
    Case("re_raises_value_error", "re_raises", "raises ValueError"),
    Case("re_raises_http_exception", "re_raises", "raises HTTPException(418)"),
]


SOURCE, ENDPOINT_LINES = numbered_source(DEPENDENCIES, CASES)
_MESSAGE = re.compile(r"^.+?:(?P<line>\d+): error: (?P<text>.*?)  \[(?P<code>[a-z-]+)\]$")


@dataclass
class Outcome:
    """What one request did: the status sent (None: nothing sent), the exception that reached
    the test client, and the events the dependency and the endpoint recorded."""

    status: int | None
    error: str | None
    events: list[str]


class _Recorder:
    """ASGI wrapper that records the status of the response start, if one is sent."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.status: int | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def recording(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
            await send(message)

        await self.app(scope, receive, recording)


@pytest.fixture(scope="module")
def module_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("contract") / "contract_cases.py"
    path.write_text(SOURCE)
    return path


@pytest.fixture(scope="module")
def request_case(module_path: Path) -> Iterator[Callable[[Case], Outcome]]:
    module = import_module(module_path)
    app = FastAPI()
    for case in CASES:
        app.get(f"/{case.name}")(getattr(module, f"ep_{case.name}"))
    recorder = _Recorder(app)
    events: list[str] = module.EVENTS

    def run(case: Case) -> Outcome:
        events.clear()
        recorder.status = None
        error = None
        try:
            response = client.get(f"/{case.name}")
            status: int | None = response.status_code
        except Exception as exception:  # the server exception, re-raised by the client
            error = f"{type(exception).__name__}: {exception}"
            status = recorder.status
        return Outcome(status, error, list(events))

    with TestClient(recorder, raise_server_exceptions=True) as client:
        yield run


@pytest.fixture(scope="module")
def plugin_errors(module_path: Path) -> dict[str, tuple[str, str]]:
    """Case -> (code, text) of the plugin's error on its endpoint; mypy runs once."""
    stdout = plugin_output(module_path)
    errors: dict[str, tuple[str, str]] = {}
    for message in stdout.splitlines():
        match = _MESSAGE.match(message)
        if match is None:
            continue
        line = int(match["line"])
        assert line in ENDPOINT_LINES, f"the cases module itself does not type-check: {message}"
        case = ENDPOINT_LINES[line]
        assert case not in errors, f"two errors for {case}: {errors[case]}, {message}"
        errors[case] = (match["code"], match["text"])
    return errors


#: The correct dependencies that release their resource (in finally).
CONTROLS_RELEASING = frozenset({"cleanup_in_finally", "re_raises"})
_QUOTED = re.compile(r'"(RuntimeError: [^"]+|FastAPIError: [^".]+)')
_ENDPOINT_OUTCOME = {
    "returns": (200, None),
    "raises ValueError": (500, "ValueError: endpoint boom"),
    "raises HTTPException(418)": (418, None),
    "raises HTTPException(404)": (404, None),
}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_contract_errors_state_what_fastapi_does(
    case: Case, request_case: Callable[[Case], Outcome], plugin_errors: dict[str, tuple[str, str]]
) -> None:
    outcome = request_case(case)
    if case.name not in plugin_errors:
        # Silence: the endpoint's own outcome reaches the client and the resource is released.
        status, error = _ENDPOINT_OUTCOME[case.endpoint]
        if case.dependency == "raises_before_yield":
            status, error = 401, None  # the dependency refuses the request: normal
        assert (outcome.status, outcome.error) == (status, error), outcome
        if case.dependency in CONTROLS_RELEASING:
            assert "released" in outcome.events, outcome
        return
    code, text = plugin_errors[case.name]
    quoted = _QUOTED.search(text)
    if code == "resource-dependency-yield" and "sends the response, then raises" in text:
        assert quoted is not None
        assert outcome.status == 200 and outcome.error == quoted[1], outcome
        assert "after second yield" not in outcome.events, outcome
    elif code == "resource-dependency-yield" and "can finish without yielding" in text:
        assert quoted is not None
        assert outcome.status == 500 and outcome.error == quoted[1], outcome
        assert "endpoint" not in outcome.events, outcome
    elif code == "resource-dependency-yield":
        assert "answers 500 with" in text and quoted is not None, text
        assert outcome.status == 500 and outcome.error == quoted[1], outcome
    elif code == "resource-dependency-cleanup":
        assert "when the endpoint raises" in text and case.endpoint.startswith("raises"), text
        assert outcome.status == _ENDPOINT_OUTCOME[case.endpoint][0], outcome
        assert "endpoint" in outcome.events and "released" not in outcome.events, outcome
    elif code == "resource-dependency-swallow":
        assert quoted is not None and "instead of the endpoint's error" in text, text
        assert outcome.status == 500, outcome
        assert outcome.error is not None and outcome.error.startswith(quoted[1]), outcome
        assert "swallowed" in outcome.events, outcome
    else:
        pytest.fail(f"unexpected plugin error {code}: {text}")


def test_every_violation_shape_is_reported(plugin_errors: dict[str, tuple[str, str]]) -> None:
    """The cases cover each rule; the controls (finally, re-raise, raise before yield) are silent."""
    controls = {case.name for case in CASES if case.dependency in {*CONTROLS_RELEASING, "raises_before_yield"}}
    assert set(plugin_errors) == {case.name for case in CASES} - controls
