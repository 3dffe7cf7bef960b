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

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import mypy.api
import pytest

GENERATOR_DEPS = """\
from collections.abc import AsyncIterator


class Session: ...


async def get_db() -> AsyncIterator[Session]:
    yield Session()
"""

CONTEXT_MANAGER_DEPS = """\
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Session: ...


@asynccontextmanager
async def get_db() -> AsyncIterator[Session]:
    yield Session()
"""

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

_SUMMARY = re.compile(
    r"^(Success: no issues found in \d+ source files?"
    r"|Found \d+ errors? in \d+ files? \(checked \d+ source files?\))$"
)


@dataclass(frozen=True)
class Result:
    output: str
    status: int

    @property
    def errors(self) -> list[str]:
        return [line for line in self.output.splitlines() if ": error: " in line]

    @property
    def diagnostics(self) -> list[str]:
        """Every line but the closing summary (dmypy's recheck counts all modules it holds there)."""
        return [line for line in self.output.splitlines() if not _SUMMARY.match(line)]


@dataclass
class Project:
    root: Path
    _next_mtime: float = field(default_factory=lambda: time.time() + 10)
    _cold_runs: int = 0

    def write(self, name: str, text: str) -> None:
        """Write a file with a later whole-second mtime than any before, so no edit can go unseen."""
        path = self.root / name
        path.write_text(text)
        os.utime(path, (self._next_mtime, self._next_mtime))
        self._next_mtime += 10

    def configure(self, fastapi_version: str) -> None:
        self.write(
            "mypy.ini",
            "[mypy]\nplugins = mypy_plugin\n\n"
            f"[mypy.plugins.mypy-async-resources]\nfastapi_version = {fastapi_version}\n",
        )

    def mypy(self, cache: str) -> Result:
        """mypy in this process; the caller has made ``root`` the working directory."""
        stdout, stderr, status = mypy.api.run(["--config-file", "mypy.ini", "--cache-dir", cache, *FILES])
        assert "INTERNAL ERROR" not in stdout + stderr, stdout + stderr
        assert status in (0, 1), stdout + stderr
        return Result(stdout, status)

    def cold(self) -> Result:
        """A run with a cache of its own, used as the reference for the current files."""
        self._cold_runs += 1
        return self.mypy(f"cold-cache-{self._cold_runs}")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    project = Project(tmp_path / "project")
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

    status_file = tmp_path / "dmypy.json"

    def dmypy(*arguments: str) -> Result:
        command = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(status_file), *arguments]
        completed = subprocess.run(
            command, cwd=project.root, capture_output=True, text=True, timeout=300, check=False
        )
        assert "Traceback" not in completed.stderr, completed.stderr
        return Result(completed.stdout, completed.returncode)

    try:
        start_options = ["--config-file", "mypy.ini", "--cache-dir", str(tmp_path / "daemon-cache")]
        started = dmypy("start", "--log-file", str(tmp_path / "dmypy.log"), "--", *start_options)
        assert started.status == 0, started.output

        assert dmypy("check", *FILES) == clean

        project.write("deps.py", CONTEXT_MANAGER_DEPS)
        assert dmypy("check", *FILES) == flagged

        project.write("deps.py", GENERATOR_DEPS)
        rechecked = dmypy("recheck")
        assert (rechecked.status, rechecked.diagnostics) == (clean.status, clean.diagnostics)

        project.write("deps.py", CONTEXT_MANAGER_DEPS)
        rechecked = dmypy("recheck")
        assert (rechecked.status, rechecked.diagnostics) == (flagged.status, flagged.diagnostics)

        project.write("deps.py", GENERATOR_DEPS)
        assert dmypy("check", *FILES) == clean
    finally:
        stopped = dmypy("stop")
        if stopped.status != 0 and status_file.exists():
            dmypy("kill")
