"""Pins that the plugin's verdicts survive mypy's cache and the mypy daemon.

One small project (deps.py defines the dependency, routes.py uses ``Depends(deps.get_db)``,
unrelated.py stands by) is checked again and again with one ``--cache-dir``:
- a warm run prints exactly what the cold run printed (errors are not lost from the cache);
- turning ``deps.get_db`` into an ``@asynccontextmanager`` function makes the error appear
  in routes.py, which did not change, and turning it back removes it;
- changing the plugin's ``fastapi_version`` invalidates the cache: the cached error is
  replaced by the older FastAPI's wording.
The daemon (dmypy) must print what a cold mypy run prints after the same edits.
"""

from __future__ import annotations

from pathlib import Path

import mypy.api
import pytest

from mypy_runs import CONTEXT_MANAGER_DEPS, GENERATOR_DEPS, Project, Result

ROUTES = """\
from fastapi import Depends

import deps


async def endpoint(db: deps.Session = Depends(deps.get_db)) -> None: ...
"""

UNRELATED = """\
def add(left: int, right: int) -> int:
    return left + right
"""

FILES = ("deps.py", "routes.py", "unrelated.py")
ROUTE_LINE = next(number for number, text in enumerate(ROUTES.splitlines(), 1) if "Depends(" in text)
CODE = "resource-depends-context-manager"
NEWER_FASTAPI = "0.165.0"
OLDER_FASTAPI = "0.115.14"
#: How each FastAPI release's message about `deps.get_db` begins.
NEWER_WORDING = (
    'Dependency "deps.get_db" is an @asynccontextmanager function; '
    "FastAPI treats it as a generator dependency"
)
OLDER_WORDING = 'Dependency "deps.get_db" is an @asynccontextmanager function; FastAPI never enters it'

@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    project = Project(tmp_path / "project", FILES)
    project.root.mkdir()
    project.configure(NEWER_FASTAPI)
    project.write("deps.py", GENERATOR_DEPS)
    project.write("routes.py", ROUTES)
    project.write("unrelated.py", UNRELATED)
    monkeypatch.chdir(project.root)
    return project


def assert_one_error(result: Result, wording: str) -> None:
    assert result.status == 1, result.output
    [error] = result.errors
    assert error.startswith(f"routes.py:{ROUTE_LINE}: error: {wording}"), error
    assert error.endswith(f"  [{CODE}]"), error


def test_cache_keeps_and_updates_verdicts(project: Project) -> None:
    cache = "cache"

    clean = project.mypy(cache)
    assert clean.status == 0, clean.output
    assert clean.errors == []
    assert project.mypy(cache) == clean, "warm run differs from the cold run"

    project.write("deps.py", CONTEXT_MANAGER_DEPS)
    flagged = project.mypy(cache)
    assert_one_error(flagged, NEWER_WORDING)
    assert flagged == project.cold()
    assert project.mypy(cache) == flagged, "warm run lost or changed the plugin's error"

    project.write("deps.py", GENERATOR_DEPS)
    assert project.mypy(cache) == clean, "the error stayed after the dependency was fixed"

    project.write("deps.py", CONTEXT_MANAGER_DEPS)
    assert project.mypy(cache) == flagged
    assert project.mypy(cache) == flagged  # routes.py is now fresh in the cache, error included

    project.configure(OLDER_FASTAPI)
    older = project.mypy(cache)
    assert_one_error(older, OLDER_WORDING)
    assert older == project.cold()


def test_daemon_matches_cold_runs(project: Project, tmp_path: Path) -> None:
    clean = project.cold()
    project.write("deps.py", CONTEXT_MANAGER_DEPS)
    flagged = project.cold()
    assert_one_error(flagged, NEWER_WORDING)
    project.write("deps.py", GENERATOR_DEPS)

    with project.daemon(tmp_path) as daemon:
        assert daemon.run("check", *FILES) == clean

        project.write("deps.py", CONTEXT_MANAGER_DEPS)
        assert daemon.run("check", *FILES) == flagged

        project.write("deps.py", GENERATOR_DEPS)
        rechecked = daemon.run("recheck")
        assert (rechecked.status, rechecked.diagnostics) == (clean.status, clean.diagnostics)

        project.write("deps.py", CONTEXT_MANAGER_DEPS)
        rechecked = daemon.run("recheck")
        assert (rechecked.status, rechecked.diagnostics) == (flagged.status, flagged.diagnostics)

        project.write("deps.py", GENERATOR_DEPS)
        assert daemon.run("check", *FILES) == clean


# --- verdicts read from another module's function body ------------------------------------------

HOLDING_DB = """\
from collections.abc import AsyncIterator


class Session:
    async def __aenter__(self) -> "Session":
        return self

    async def __aexit__(self, *exc: object) -> None: ...


async def get_db() -> AsyncIterator[Session]:
    async with Session() as session:
        yield session
"""
#: The same module with only get_db's body changed: it no longer holds the session across its yield.
NOT_HOLDING_DB = HOLDING_DB.replace("    async with Session() as session:\n        yield session", "    yield Session()")

JOBS = """\
from db import Session, get_db


async def job() -> Session | None:
    async for session in get_db():
        return session
    return None
"""


def test_cache_sees_an_edit_to_a_body_another_module_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """jobs.py's verdict (resource-early-exit) reads get_db's body in db.py, which is not part of
    db.py's interface: without consulted.py a warm run would keep jobs.py's old errors."""
    assert NOT_HOLDING_DB != HOLDING_DB
    project = small_project(tmp_path, monkeypatch, {"db.py": HOLDING_DB, "jobs.py": JOBS})
    cache = "cache"

    flagged = project.mypy(cache)
    assert [error.split(": error: ")[0] for error in flagged.errors] == ["jobs.py:6"], flagged.output
    assert flagged.errors[0].endswith("  [resource-early-exit]")
    warm = mypy_log(project, cache)
    assert "Metadata abandoned for jobs" not in warm, "an unchanged body made mypy recheck jobs.py"
    project.write("jobs.py", JOBS + "\n# edited: jobs.py is checked again, db.py comes from the cache\n")
    assert project.mypy(cache) == flagged, "the generator's body was not found in a module loaded from the cache"
    project.write("jobs.py", JOBS)
    assert project.mypy(cache) == flagged

    project.write("db.py", NOT_HOLDING_DB)
    assert "Metadata abandoned for jobs: plugin configuration differs" in mypy_log(project, cache)
    clean = project.cold()
    assert clean.errors == []
    assert project.mypy(cache) == clean, "the warm run kept the error of a body that changed"

    project.write("db.py", HOLDING_DB)
    assert project.mypy(cache) == flagged == project.cold()
    assert project.mypy(cache) == flagged


def small_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> Project:
    """A project of these files (all checked), in the working directory, newest FastAPI assumed."""
    project = Project(tmp_path / "project", tuple(files))
    project.root.mkdir()
    monkeypatch.chdir(project.root)
    project.configure(NEWER_FASTAPI)
    for name, text in files.items():
        project.write(name, text)
    return project


def mypy_log(project: Project, cache: str) -> str:
    """A warm run's verbose log (stderr), where mypy says which cached modules it discards."""
    _, log, status = mypy.api.run(["--config-file", "mypy.ini", "--cache-dir", cache, "-v", *project.files])
    assert status in (0, 1), log
    return log


DECORATED_DEPS = """\
import functools
from collections.abc import AsyncIterator, Callable
from typing import Any


class Session: ...


def logged(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


@logged
async def get_db() -> AsyncIterator[Session]:
    yield Session()
"""


def test_decorator_verdict_survives_its_module_coming_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """routes.py is checked again while deps.py comes from the cache, where mypy keeps no line
    numbers: the decorator and its wrapper are found by name, and the verdict stays."""
    project = small_project(tmp_path, monkeypatch, {"deps.py": DECORATED_DEPS, "routes.py": ROUTES})
    cache = "cache"

    flagged = project.mypy(cache)
    assert [error.rsplit("  [", 1)[1] for error in flagged.errors] == ["resource-depends-decorator]"], flagged.output
    project.write("routes.py", ROUTES + "\n# edited\n")
    assert project.mypy(cache).errors == flagged.errors
