"""Pins that the yield-dependency contract is reported the same in every way users run mypy.

The contract is read from the dependency's source file, never from mypy's tree: a module
loaded from the cache has no function bodies (and no definition lines). A three-module
project: deps.py defines ``get_db`` with its cleanup after the yield, aliases.py the alias
``SessionDep = Annotated[Session, Depends(get_db)]``, routes.py a default-value use, an inline
Annotated use and an alias use. The edit sequence first edits only routes.py (deps.py then
comes from the cache and must be reported as in a cold run), then changes ``get_db``'s
signature together with its fix. After every step each mode's output must equal a fresh cold
run's: an incrementally updated cache, a warm cache, and the daemon (dmypy check / recheck).
The cache runs also fix and break ``get_db``'s body alone (consulted.py makes mypy check its
users again); a running dmypy follows interface changes only, so that edit is not replayed
under it (README, known limits).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy_runs import Project, Result

WRONG_DEPS = """\
from collections.abc import AsyncIterator


class Session:
    async def close(self) -> None: ...


async def get_db() -> AsyncIterator[Session]:
    session = Session()
    yield session
    await session.close()
"""

FIXED_DEPS = """\
from collections.abc import AsyncIterator


class Session:
    async def close(self) -> None: ...


async def get_db(tenant: str = "") -> AsyncIterator[Session]:
    session = Session()
    try:
        yield session
    finally:
        await session.close()
"""

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
{padding}

@app.get("/default")
async def default(db: Session = Depends(get_db)) -> None: ...


@app.get("/inline")
async def inline(db: Annotated[Session, Depends(get_db)]) -> None: ...


@app.get("/alias")
async def alias(db: SessionDep) -> None: ...
"""

#: WRONG_DEPS with only get_db's body fixed: its signature, and so deps.py's interface, unchanged.
BODY_FIXED_DEPS = WRONG_DEPS.replace(
    "    yield session\n    await session.close()\n",
    "    try:\n        yield session\n    finally:\n        await session.close()\n",
)

FILES = ("deps.py", "aliases.py", "routes.py")
CODE = "resource-dependency-cleanup"
#: (deps.py, routes.py, number of errors a cold run gives)
STEPS = [
    (WRONG_DEPS, ROUTES.format(padding=""), 3),
    (WRONG_DEPS, ROUTES.format(padding="# routes.py edited, deps.py unchanged: read from the cache\n"), 3),
    (FIXED_DEPS, ROUTES.format(padding=""), 0),
]
#: STEPS with a body-only fix of get_db, and the bug back, before the signature change.
CACHE_STEPS = [*STEPS[:2], (BODY_FIXED_DEPS, STEPS[1][1], 0), STEPS[1], STEPS[2]]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    project = Project(tmp_path / "project", FILES)
    project.root.mkdir()
    project.configure("0.165.0")
    project.write("aliases.py", ALIASES)
    monkeypatch.chdir(project.root)
    return project


def edit_sequence(project: Project, steps: list[tuple[str, str, int]]) -> list[Result]:
    """The cold-run output of each step, checked against the expectation."""
    assert BODY_FIXED_DEPS != WRONG_DEPS
    colds = []
    for deps, routes, count in steps:
        project.write_changed({"deps.py": deps, "routes.py": routes})
        cold = project.cold()
        assert len(cold.errors) == count and all(e.endswith(f"  [{CODE}]") for e in cold.errors), cold.output
        assert all("(line 11 of deps.py)" in error for error in cold.errors), cold.output
        colds.append(cold)
    return colds


def test_cache_warm_and_incremental_runs_match_cold_runs(project: Project) -> None:
    colds = edit_sequence(project, CACHE_STEPS)
    project.write_changed({"deps.py": CACHE_STEPS[0][0], "routes.py": CACHE_STEPS[0][1]})
    for (deps, routes, _), cold in zip(CACHE_STEPS, colds):
        project.write_changed({"deps.py": deps, "routes.py": routes})
        assert project.mypy("cache") == cold, "incremental run after the edit differs from a cold run"
        assert project.mypy("cache") == cold, "warm run differs from a cold run"


def test_daemon_matches_cold_runs(project: Project, tmp_path: Path) -> None:
    colds = edit_sequence(project, STEPS)
    project.write_changed({"deps.py": STEPS[0][0], "routes.py": STEPS[0][1]})
    with project.daemon(tmp_path) as daemon:
        assert daemon.run("check", *FILES) == colds[0]
        for (deps, routes, _), cold in zip(STEPS[1:], colds[1:]):
            project.write_changed({"deps.py": deps, "routes.py": routes})
            rechecked = daemon.run("recheck")
            assert (rechecked.status, rechecked.diagnostics) == (cold.status, cold.diagnostics)
