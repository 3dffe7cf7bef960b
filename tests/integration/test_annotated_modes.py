"""Pins that Annotated verdicts are the same in every way users run mypy.

A three-module project: deps.py defines the dependency, aliases.py the alias
``SessionDep = Annotated[Session, Depends(get_db)]``, routes.py one route with the inline
form and one with the alias. The edit sequence turns ``get_db`` into an
``@asynccontextmanager`` function (the alias definition and the inline parameter must
report it; the route using the alias must not report it a second time) and back (the errors
go). After every step each mode's output must equal a fresh cold run's: a warm cache, an
incrementally updated cache, the daemon (dmypy check / recheck), ``--num-workers 2`` and
``--no-native-parser`` (the last two exist from mypy 2.0).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy_runs import CONTEXT_MANAGER_DEPS, GENERATOR_DEPS, Project, Result, mypy_has_option

ALIASES = """\
from typing import Annotated

from fastapi import Depends

from deps import Session, get_db

SessionDep = Annotated[Session, Depends(get_db)]
"""

ROUTES = """\
from typing import Annotated

from fastapi import Depends, FastAPI

from aliases import SessionDep
from deps import Session, get_db

app = FastAPI()


@app.get("/inline")
async def inline(db: Annotated[Session, Depends(get_db)]) -> None: ...


@app.get("/alias")
async def alias(db: SessionDep) -> None: ...
"""

FILES = ("deps.py", "aliases.py", "routes.py")
CODE = "resource-depends-context-manager"
EXPECTED_LINES = {
    ("aliases.py", next(n for n, t in enumerate(ALIASES.splitlines(), 1) if "SessionDep =" in t)),
    ("routes.py", next(n for n, t in enumerate(ROUTES.splitlines(), 1) if "def inline" in t)),
}
NEW_MODES = [
    pytest.param(option, marks=pytest.mark.skipif(not mypy_has_option(option), reason=f"this mypy has no {option}"))
    for option in ("--num-workers", "--no-native-parser")
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    project = Project(tmp_path / "project", FILES)
    project.root.mkdir()
    project.configure("0.165.0")
    project.write("deps.py", GENERATOR_DEPS)
    project.write("aliases.py", ALIASES)
    project.write("routes.py", ROUTES)
    monkeypatch.chdir(project.root)
    return project


def reported_lines(result: Result) -> set[tuple[str, int]]:
    lines = set()
    for error in result.errors:
        assert error.endswith(f"  [{CODE}]"), error
        path, line, _ = error.split(":", 2)
        lines.add((path, int(line)))
    return lines


def edit_sequence(project: Project) -> list[tuple[str, Result]]:
    """Each step's deps.py and the cold-run output for it (checked against the expectation)."""
    steps = []
    for text in (GENERATOR_DEPS, CONTEXT_MANAGER_DEPS, GENERATOR_DEPS):
        project.write("deps.py", text)
        cold = project.cold()
        expected = EXPECTED_LINES if text is CONTEXT_MANAGER_DEPS else set()
        assert reported_lines(cold) == expected, cold.output
        steps.append((text, cold))
    return steps


def test_cache_warm_and_incremental_runs_match_cold_runs(project: Project) -> None:
    for text, cold in edit_sequence(project):
        project.write("deps.py", text)
        assert project.mypy("cache") == cold, "incremental run after the edit differs from a cold run"
        assert project.mypy("cache") == cold, "warm run differs from a cold run"


def test_daemon_matches_cold_runs(project: Project, tmp_path: Path) -> None:
    steps = edit_sequence(project)
    project.write("deps.py", GENERATOR_DEPS)
    with project.daemon(tmp_path) as daemon:
        assert daemon.run("check", *FILES) == steps[0][1]
        for text, cold in steps[1:]:
            project.write("deps.py", text)
            rechecked = daemon.run("recheck")
            assert (rechecked.status, rechecked.diagnostics) == (cold.status, cold.diagnostics)


@pytest.mark.parametrize("option", NEW_MODES)
def test_mypy_2_modes_match_cold_runs(project: Project, option: str) -> None:
    arguments = (option, "2") if option == "--num-workers" else (option,)
    for number, (text, cold) in enumerate(edit_sequence(project)):
        project.write("deps.py", text)
        assert project.mypy(f"mode-cache-{number}", *arguments) == cold
