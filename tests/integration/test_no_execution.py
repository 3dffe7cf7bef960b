"""Pins that the plugin never imports or runs the code it checks (nor FastAPI).

The checked project's ``sideeffect.py`` leaves traces when imported (a marker file, and an
entry in ``registry.CALLS``, a list in a module the test itself imports) and when its
dependency runs (another marker file). ``routes.py`` uses that dependency in every form the
plugin reads (default value, inline ``Annotated``, an alias); it is an
``@asynccontextmanager`` function, so the expected error proves the plugin looked at it.
After mypy.api.run in this process, and after dmypy (start, check), no trace may exist; a
fresh interpreter that runs mypy.api.run must not have FastAPI, Starlette or the checked
modules in ``sys.modules`` afterwards.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from mypy_runs import Project

REGISTRY = "CALLS: list[str] = []\n"

SIDE_EFFECT = """\
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import registry

Path(__file__).with_name("imported.marker").write_text("imported")
registry.CALLS.append("imported")


@asynccontextmanager
async def get_value() -> AsyncIterator[int]:
    Path(__file__).with_name("called.marker").write_text("called")
    registry.CALLS.append("called")
    yield 1
"""

ROUTES = """\
from typing import Annotated

from fastapi import Depends

from sideeffect import get_value

ValueDep = Annotated[int, Depends(get_value)]


async def default(value: int = Depends(get_value)) -> None: ...


async def inline(value: Annotated[int, Depends(get_value)]) -> None: ...


async def alias(value: ValueDep) -> None: ...
"""

FILES = ("registry.py", "sideeffect.py", "routes.py")
CHECKED_MODULES = ("sideeffect", "routes", "fastapi", "starlette")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    project = Project(tmp_path / "project", FILES)
    project.root.mkdir()
    project.configure("auto")
    project.write_changed({"registry.py": REGISTRY, "sideeffect.py": SIDE_EFFECT, "routes.py": ROUTES})
    monkeypatch.chdir(project.root)
    return project


def assert_no_trace(project: Project) -> None:
    assert sorted(path.name for path in project.root.glob("*.marker")) == []


def assert_checked(codes: object) -> None:
    assert codes == {("routes.py", "resource-depends-context-manager"): 3}, codes


def test_mypy_in_process_runs_nothing(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    # The registry the checked code appends to, importable as it would be if anything ran it.
    registry = ModuleType("registry")
    exec(REGISTRY, registry.__dict__)
    monkeypatch.setitem(sys.modules, "registry", registry)
    monkeypatch.syspath_prepend(str(project.root))

    result = project.cold()

    assert_checked(result.codes)
    assert registry.CALLS == []
    assert "sideeffect" not in sys.modules
    assert_no_trace(project)


def test_fresh_interpreter_imports_neither_the_code_nor_fastapi(project: Project) -> None:
    script = (
        "import sys, mypy.api\n"
        "stdout, _, _ = mypy.api.run(['--config-file', 'mypy.ini', '--cache-dir', 'cache', *sys.argv[1:]])\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {CHECKED_MODULES!r}))\n"
        "print(stdout)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, *FILES], cwd=project.root, capture_output=True, text=True, check=True
    )
    imported, report = completed.stdout.split("\n", 1)
    assert imported == "[]", completed.stdout
    assert report.count("[resource-depends-context-manager]") == 3, report
    assert_no_trace(project)


def test_daemon_runs_nothing(project: Project, tmp_path: Path) -> None:
    with project.daemon(tmp_path) as daemon:
        result = daemon.run("check", *FILES)
    assert_checked(result.codes)
    assert_no_trace(project)
