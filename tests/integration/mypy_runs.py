"""Running mypy and dmypy on a small project in a temporary folder, for the mode tests.

``Project`` writes files with strictly increasing mtimes (so no edit goes unseen by a
cache), runs mypy in this process and dmypy as a subprocess, and gives each cold run a
cache of its own so it can serve as the reference for the files as they are now.
``files`` are what mypy and ``dmypy check`` are given: module files or package folders.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import mypy.api

#: deps.py of the mode tests: a correct async generator dependency, and the same as an
#: @asynccontextmanager function (reported wherever it is used).
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

    @property
    def diagnostics_by_file(self) -> dict[str, list[str]]:
        """The diagnostics per file, each file's in printed order.

        For ``--num-workers``: an incremental parallel run prints the files in the order its
        workers finish them, so only the order within a file is defined.
        """
        by_file: dict[str, list[str]] = {}
        for line in self.diagnostics:
            by_file.setdefault(line.split(":", 1)[0], []).append(line)
        return by_file

    @property
    def codes(self) -> Counter[tuple[str, str]]:
        """How many errors each (file, error code) pair has, e.g. ``("routes.py", "assignment")``."""
        found: Counter[tuple[str, str]] = Counter()
        for error in self.errors:
            path, _ = error.split(":", 1)
            code = re.search(r"  \[([a-z-]+)\]$", error)
            assert code is not None, f"error without a code: {error}"
            found[path, code.group(1)] += 1
        return found


@dataclass
class Project:
    root: Path
    files: tuple[str, ...]
    _next_mtime: float = field(default_factory=lambda: time.time() + 10)
    _cold_runs: int = 0

    def write(self, name: str, text: str) -> None:
        """Write a file with a later whole-second mtime than any before, so no edit can go unseen."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, (self._next_mtime, self._next_mtime))
        self._next_mtime += 10

    def write_changed(self, files: Mapping[str, str]) -> None:
        """Save the files whose text differs from what is on disk, as an editor saves edits."""
        for name, text in files.items():
            path = self.root / name
            if not path.exists() or path.read_text() != text:
                self.write(name, text)

    def configure(self, fastapi_version: str, settings: str = "") -> None:
        """mypy.ini enabling the plugin; ``settings`` are extra ``[mypy]`` lines (e.g. ``strict = true``)."""
        self.write(
            "mypy.ini",
            f"[mypy]\nplugins = mypy_plugin\n{settings}\n"
            f"[mypy.plugins.mypy-async-resources]\nfastapi_version = {fastapi_version}\n",
        )

    def mypy(self, cache: str, *options: str) -> Result:
        """mypy in this process; the caller has made ``root`` the working directory."""
        arguments = ["--config-file", "mypy.ini", "--cache-dir", cache, *options, *self.files]
        stdout, stderr, status = mypy.api.run(arguments)
        assert "INTERNAL ERROR" not in stdout + stderr, stdout + stderr
        assert status in (0, 1), stdout + stderr
        return Result(stdout, status)

    def cold(self) -> Result:
        """A run with a cache of its own, used as the reference for the current files."""
        self._cold_runs += 1
        return self.mypy(f"cold-cache-{self._cold_runs}")

    @contextmanager
    def daemon(self, state: Path) -> Iterator[Daemon]:
        """A started dmypy (as an editor integration starts it), stopped afterwards."""
        daemon = Daemon(self.root, state / "dmypy.json")
        started = daemon.run(
            "start", "--log-file", str(state / "dmypy.log"), "--",
            "--config-file", "mypy.ini", "--cache-dir", str(state / "daemon-cache"),
        )  # fmt: skip
        assert started.status == 0, started.output
        try:
            yield daemon
        finally:
            if daemon.run("stop").status != 0 and daemon.status_file.exists():
                daemon.run("kill")


@dataclass(frozen=True)
class Daemon:
    root: Path
    status_file: Path

    def run(self, *arguments: str) -> Result:
        command = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(self.status_file), *arguments]
        completed = subprocess.run(command, cwd=self.root, capture_output=True, text=True, timeout=300, check=False)
        assert "Traceback" not in completed.stderr, completed.stderr
        assert "INTERNAL ERROR" not in completed.stdout, completed.stdout
        return Result(completed.stdout, completed.returncode)


def mypy_has_option(option: str) -> bool:
    """Whether the installed mypy accepts a command-line option (2.x added several modes)."""
    stdout, _, _ = mypy.api.run(["--help"])
    return re.search(rf"(^|[\s,]){re.escape(option)}\b", stdout, re.MULTILINE) is not None
