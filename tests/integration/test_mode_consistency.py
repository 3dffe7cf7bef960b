"""Pins that every way users run mypy prints what a cold run prints, after every edit.

Multi-module projects, each taken through an edit sequence an editor session could produce.
In the dependency projects a dependency turns from an async generator into an
``@asynccontextmanager`` function and back (its kind changes), it is renamed together with
every use, it is moved to another module, and the bug is fixed; the ``protocols`` project
changes, in other modules, what decides a ``with`` statement. For every step the reference is a cold run (a
cache of its own); its error codes are pinned too, so modes cannot agree on a broken
verdict. Then, per project and mode, the same steps are replayed and each output must equal
the reference exactly:

- ``incremental``: one ``--cache-dir`` for the whole sequence; after each edit an
  incremental run, then a warm run with nothing changed;
- ``dmypy``: ``dmypy start``, ``dmypy check <files>``, and after each edit ``dmypy recheck``,
  as an editor integration drives the daemon (its closing summary line counts every module
  it holds, so only the diagnostics and the exit status are compared);
- ``--num-workers 2`` and ``--no-native-parser`` (mypy >= 2.0; skipped on older mypy): one
  cache for the sequence, so the first run is cold and the later ones incremental. An
  incremental parallel run prints the files in the order its workers finish them (seen on the
  example app: routes_right.py's errors after routes_wrong.py's), so for ``--num-workers``
  each file's diagnostics, the summary line and the status are compared, not the file order.

Projects: ``default-form`` (``db: Session = Depends(f)`` and ``dependencies=[Depends(f)]``),
``annotated`` (an inline ``Annotated[Session, Depends(f)]`` and an alias module,
the case where the error is reported in a module that imports the dependency; one alias is
written with ``Annotated`` and Session's base class imported under other names from a third module,
which only a cold run, answering type names from a dict, must look through),
``callable-class`` (class dependencies with a ``__call__``, ``Checker`` and
``functools.partial``, whose definitions come from the cache once their module is
unchanged: in every form, the plugin must not read a function body that a cached definition
does not have), ``protocols`` (``with`` on objects whose kind is decided in other modules: a
base class turns into a manager, async then sync, a function body starts to yield,
``__aenter__`` starts to give another object, an alias in a generic manager's type argument
turns from Any into what its ``with`` must give, and a type argument stops being what a generic
manager's callable must return; a daemon must see each change through the modules that did
not change), ``installed`` (the same kinds of change in a package under ``site-packages``,
found through ``mypy_path`` and not given to mypy: a daemon keeps what it read from installed
code until it reads an installed file again; the first edit is of the project alone),
``installed-stub`` (such a package imports a module that is missing until the project adds a
stub of it, which it then edits), and ``examples`` (a copy of the bundled example app under
``strict = true``). Every module a step moves code into exists from the start, because
``dmypy recheck`` checks the files it was first given. ``fastapi_version = auto``: each
environment checks its installed FastAPI.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mypy_runs import Project, Result, mypy_has_option

ROOT = Path(__file__).resolve().parents[2]
CM = "resource-depends-context-manager"

#: One state of a project: every file's text, and the (file, code) errors it must produce.
State = tuple[dict[str, str], Counter[tuple[str, str]]]


# --- the two small projects: a dependency of some kind, name and home module --------------------

MODELS = "class Session: ...\n"

GENERATOR = """\
async def {name}() -> AsyncIterator[Session]:
    yield Session()
"""

CONTEXT_MANAGER = """\
@asynccontextmanager
async def {name}() -> AsyncIterator[Session]:
    yield Session()
"""

HOME = """\
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from models import Session


def helper_{module}() -> int:
    return 1

"""

DEFAULT_FORM_ROUTES = """\
from fastapi import APIRouter, Depends

from models import Session
from {module} import {name}

router = APIRouter()


@router.get("/items")
async def items(db: Session = Depends({name})) -> None: ...


@router.get("/health", dependencies=[Depends({name})])
async def health() -> None: ...
"""

#: models.py of the ``annotated`` project: Session with a base class that no alias names.
ANNOTATED_MODELS = """\
class Resource: ...


class Session(Resource): ...
"""

#: names.py of the ``annotated`` project: Annotated and Resource under names of their own, so
#: an alias in another module starts with a name its definition does not have (and that no
#: other alias starts with).
NAMES = """\
from typing import Annotated as Marked

from models import Resource as Base
"""

ALIASES = """\
from typing import Annotated

from fastapi import Depends

from models import Session
from names import Base, Marked
from {module} import {name}

SessionDep = Annotated[Session, Depends({name})]
BaseDep = Marked[Base, Depends({name})]
"""

ANNOTATED_ROUTES = """\
from typing import Annotated

from fastapi import APIRouter, Depends

from aliases import SessionDep
from models import Session
from {module} import {name}

router = APIRouter()


@router.get("/inline")
async def inline(db: Annotated[Session, Depends({name})]) -> None: ...


@router.get("/alias")
async def alias(db: SessionDep) -> None: ...
"""

CALLABLE_MODELS = """\
class Session: ...


class Checker:
    def __call__(self) -> int:
        return 1


def make_session() -> Session:  # not async: a partial of a coroutine is version-dependent
    return Session()
"""

#: Dependencies whose class (``Checker``, ``functools.partial``) has a ``__call__`` defined in
#: a module that stays unchanged, so from the second run on it comes from the cache.
CALLABLE_ROUTES = """\
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends

from models import Checker, Session, make_session
from {module} import {name}

router = APIRouter()
CheckerDep = Annotated[Checker, Depends(Checker)]


@router.get("/items")
async def items(
    db: Session = Depends({name}),
    checker: Checker = Depends(Checker),
    made: Session = Depends(partial(make_session)),
) -> None: ...


@router.get("/inline")
async def inline(checker: Annotated[Checker, Depends(Checker)], alias: CheckerDep) -> None: ...
"""

#: (context manager?, name, module): kind change, back, rename while wrong, move, fix.
SEQUENCE = [
    (False, "get_db", "deps"),
    (True, "get_db", "deps"),
    (False, "get_db", "deps"),
    (True, "open_session", "deps"),
    (True, "open_session", "store"),
    (False, "open_session", "store"),
]


def homes(context_manager: bool, name: str, module: str) -> dict[str, str]:
    definition = (CONTEXT_MANAGER if context_manager else GENERATOR).format(name=name)
    return {
        f"{home}.py": HOME.format(module=home) + ("\n" + definition if home == module else "")
        for home in ("deps", "store")
    }


def default_form_states() -> Iterator[State]:
    for context_manager, name, module in SEQUENCE:
        files = {"models.py": MODELS, **homes(context_manager, name, module)}
        files["routes.py"] = DEFAULT_FORM_ROUTES.format(name=name, module=module)
        yield files, Counter({("routes.py", CM): 2} if context_manager else {})


def annotated_states() -> Iterator[State]:
    for context_manager, name, module in SEQUENCE:
        files = {"models.py": ANNOTATED_MODELS, **homes(context_manager, name, module)}
        files["names.py"] = NAMES
        files["aliases.py"] = ALIASES.format(name=name, module=module)
        files["routes.py"] = ANNOTATED_ROUTES.format(name=name, module=module)
        # Each alias is reported at its definition, the inline form at its parameter.
        yield files, Counter({("aliases.py", CM): 2, ("routes.py", CM): 1} if context_manager else {})


def callable_class_states() -> Iterator[State]:
    for context_manager, name, module in SEQUENCE:
        files = {"models.py": CALLABLE_MODELS, **homes(context_manager, name, module)}
        files["routes.py"] = CALLABLE_ROUTES.format(name=name, module=module)
        yield files, Counter({("routes.py", CM): 1} if context_manager else {})


# --- protocol checks whose deciding definitions live in other modules ---------------------------

#: What the base class makes of every subclass: nothing, a sync manager, an async one, or an
#: async manager whose ``async with`` gives another object (so the instance is only a wrapper).
BASES = {
    "plain": "class Base: ...\n",
    "sync": """\
class Base:
    def __enter__(self) -> "Base":
        return self

    def __exit__(self, *args: object) -> None: ...
""",
    "async": """\
class Base:
    async def __aenter__(self) -> "Base":
        return self

    async def __aexit__(self, *args: object) -> None: ...
""",
    "async-wrapper": """\
class Session:
    def execute(self) -> None: ...


class Base:
    async def __aenter__(self) -> Session:
        return Session()

    async def __aexit__(self, *args: object) -> None: ...
""",
}

CONNECTIONS = """\
from bases import Base


class Conn(Base): ...


def make() -> Conn:
    return Conn()


def rows():  # unannotated: its body alone makes it a generator function
    {body}
"""

#: A generic manager: whether ``Box[Y]`` is itself the callable its ``with`` gives depends on Y.
BOX = """\
from typing import Callable, Generic, TypeVar

from kinds import X

T = TypeVar("T")


class Box(Generic[T]):
    def __enter__(self) -> Callable[[], X]:
        raise NotImplementedError

    def __exit__(self, *args: object) -> None: ...

    def __call__(self) -> T:
        raise NotImplementedError


class Crate(Generic[T]):
    def __enter__(self) -> T:
        raise NotImplementedError

    def __exit__(self, *args: object) -> None: ...
"""

KINDS = """\
from typing import Any, Callable


class X: ...


class Y{base}: ...


Res = {res}
"""

#: The calls name only conn.py's and box.py's definitions, which the edits of bases.py, of rows's
#: body and of kinds.py change without touching this module: what decides each verdict lives elsewhere.
USES = """\
from typing import Callable

from box import Box, Crate
from conn import Conn, make, rows
from kinds import Res, X, Y


def make_box() -> Box[Y]:
    raise NotImplementedError


def make_crate() -> Crate[Res]:
    raise NotImplementedError


def take(factory: Callable[[], X]) -> None: ...


def run() -> None:
    with Conn():
        pass
    with make():
        pass
    with rows():
        pass
    Conn().execute()
    take(make_box())
    take(make_crate())
"""

#: (bases.py, rows yields?, Y an X?, Res the callable?): a class turns into a manager (through its
#: base), async then sync, a function turns into a generator, an alias in a type argument turns
#: from Any into what the generic manager's ``with`` must give (and back), the manager's
#: ``__aenter__`` changes its result, and a type argument stops being (and is again) what the
#: generic manager's callable must return.
PROTOCOL_SEQUENCE = [
    ("plain", False, True, False),
    ("async", False, True, False),
    ("sync", False, True, False),
    ("sync", True, True, True),
    ("async-wrapper", True, True, True),
    ("async", True, False, False),
    ("async", True, True, False),
]


def protocol_states() -> Iterator[State]:
    for bases, generator, y_is_x, res_is_callable in PROTOCOL_SEQUENCE:
        body = "yield 1" if generator else "return 1"
        files = {
            "bases.py": BASES[bases],
            "conn.py": CONNECTIONS.format(body=body),
            "box.py": BOX,
            "kinds.py": KINDS.format(base="(X)" if y_is_x else "", res="Callable[[], X]" if res_is_callable else "Any"),
            "use.py": USES,
        }
        expected: Counter[tuple[str, str]] = Counter()
        if bases == "plain":  # mypy's own: no __enter__ / __exit__, for Conn() and make()
            expected[("use.py", "attr-defined")] += 4
        elif bases != "sync":
            expected[("use.py", "resource-with-mismatch")] += 2
        if generator:
            expected[("use.py", "resource-with-generator")] += 1
        # Conn().execute(): on a wrapper, the resource's method (never entered); else mypy's error.
        expected[("use.py", "resource-never-entered" if bases == "async-wrapper" else "attr-defined")] += 1
        if not y_is_x:  # take(make_box()): a Box[Y] is not the callable; what its `with` gives is
            expected[("use.py", "resource-never-entered")] += 1
        # take(make_crate()): what the `with` of a Crate[Res] gives is the callable, or Any (then
        # the Crate is taken as the resource itself, and mypy reports the argument).
        expected[("use.py", "resource-never-entered" if res_is_callable else "arg-type")] += 1
        yield files, expected


# --- installed code: a daemon keeps the gate's answers read from it, until it reads it again ----

#: What the project's own edit adds to use.py: the daemon rechecks it, with what it kept.
PROJECT_EDIT = "\n\ndef other() -> None: ...\n"

#: An installed library (under ``site-packages``, found through ``mypy_path``): what decides
#: every ``with`` in use.py, while only use.py is given to mypy.
INSTALLED_CONN = """\
from collections.abc import Iterator

from vendor.bases import Base


class Conn(Base): ...


def make() -> Conn:
    return Conn()


def rows() -> {rows}


class Pool:
    def acquire(self) -> Conn:
        return Conn()
"""

INSTALLED_USE = """\
from vendor.conn import Conn, Pool, make, rows


def run(pool: Pool) -> None:
    with Conn():
        pass
    with make():
        pass
    with pool.acquire():
        pass
    with rows():
        pass
{more}"""

#: (vendor/bases.py, rows yields?, use.py edited?): first an edit of the project only (what was
#: kept is used), then the library's base class turns into a manager, async then sync, and a
#: library function turns into a generator.
INSTALLED_SEQUENCE = [
    ("plain", False, False),
    ("plain", False, True),
    ("async", False, True),
    ("sync", False, True),
    ("sync", True, True),
]


def installed_states() -> Iterator[State]:
    for bases, generator, edited in INSTALLED_SEQUENCE:
        files = {
            "site-packages/vendor/__init__.py": "",
            "site-packages/vendor/bases.py": BASES[bases],
            "site-packages/vendor/conn.py": INSTALLED_CONN.format(
                rows="Iterator[int]:\n    yield 1" if generator else "int:\n    return 1"
            ),
            "use.py": INSTALLED_USE.format(more=PROJECT_EDIT if edited else ""),
        }
        expected: Counter[tuple[str, str]] = Counter()
        if bases == "plain":  # mypy's own: no __enter__ / __exit__, for Conn(), make() and acquire()
            expected[("use.py", "attr-defined")] += 6
        elif bases == "async":
            expected[("use.py", "resource-with-mismatch")] += 3
        if generator:  # with rows(): on a generator, the plugin's report; on an int, mypy's own two
            expected[("use.py", "resource-with-generator")] += 1
        else:
            expected[("use.py", "attr-defined")] += 2
        yield files, expected


#: An installed library whose function returns a class of a module it imports that is missing at
#: first; the project then adds a stub of that module (``mypy_path``), and edits it.
INSTALLED_HANDLES = """\
from vendorext import Handle


def handle() -> Handle:
    raise NotImplementedError
"""

STUB_USE = """\
from vendor.handles import handle


def run() -> None:
    with handle():
        pass
{more}"""

#: (stubs/vendorext.pyi: absent or what its class is, use.py edited?)
STUB_SEQUENCE = [(None, False), (None, True), ("async", True), ("sync", True)]


def installed_stub_states() -> Iterator[State]:
    for stub, edited in STUB_SEQUENCE:
        files = {
            "site-packages/vendor/__init__.py": "",
            "site-packages/vendor/handles.py": INSTALLED_HANDLES,
            "use.py": STUB_USE.format(more=PROJECT_EDIT if edited else ""),
        }
        if stub is not None:
            files["stubs/vendorext.pyi"] = BASES[stub].replace("Base", "Handle")
        expected = Counter({("use.py", "resource-with-mismatch"): 1} if stub == "async" else {})
        yield files, expected


# --- the example app: the same kinds of edit, on real code ---------------------------------------


def examples_states() -> Iterator[State]:
    files = {f"app/{path.name}": path.read_text() for path in sorted((ROOT / "examples" / "app").glob("*.py"))}
    bundled = Counter({
        ("app/routes_wrong.py", CM): 2,
        ("app/routes_wrong.py", "assignment"): 1,
        ("app/routes_wrong.py", "resource-depends-generator-object"): 1,
        ("app/routes_wrong.py", "resource-dependency-cleanup"): 1,
    })  # fmt: skip
    yield dict(files), bundled

    generator = "\n\nasync def get_db() -> AsyncIterator[AsyncSession]:"
    assert generator in files["app/db.py"]
    files["app/db.py"] = files["app/db.py"].replace(generator, "\n\n@asynccontextmanager" + generator[1:])
    # routes_right: the parameter and the dependencies list; routes_wrong: the Session
    # parameter is now a context-manager error, and get_db_session returns the wrong object.
    yield dict(files), bundled + Counter({
        ("app/routes_right.py", CM): 2,
        ("app/routes_wrong.py", CM): 1,
        ("app/routes_wrong.py", "assignment"): -1,
        ("app/routes_wrong.py", "return-value"): 1,
    })  # fmt: skip

    files["app/db.py"] = files["app/db.py"].replace("\n\n@asynccontextmanager" + generator[1:], generator)
    yield dict(files), bundled

    files = {name: re.sub(r"\bget_db\b", "open_session", text) for name, text in files.items()}
    yield dict(files), bundled

    definition = re.search(r"\n\nasync def open_session\(.*?\n\n\n", files["app/db.py"], re.DOTALL)
    assert definition is not None
    files["app/db.py"] = files["app/db.py"].replace(definition.group(), "\n\n\n")
    files["app/models.py"] = (
        files["app/models.py"].replace(
            "from pydantic", "from collections.abc import AsyncIterator\n\nfrom pydantic"
        ).replace(
            "from sqlalchemy.orm", "from sqlalchemy.ext.asyncio import AsyncSession\nfrom sqlalchemy.orm"
        ).replace(
            "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n",
            "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\nfrom app.db import SessionLocal\n",
        )
        + definition.group().rstrip()
        + "\n"
    )
    for routes in ("app/routes_right.py", "app/routes_wrong.py"):
        files[routes] = re.sub(r"^from app\.db import (.*)$", import_without_open_session, files[routes], flags=re.M)
        files[routes] = files[routes].replace("from app.models import ", "from app.models import open_session, ")
    yield dict(files), bundled

    files["app/routes_wrong.py"], fixed = re.subn(r"^@asynccontextmanager  # the bug.*\n", "", files["app/routes_wrong.py"], flags=re.M)
    assert fixed == 1
    yield dict(files), bundled - Counter({("app/routes_wrong.py", CM): 1})


def import_without_open_session(line: re.Match[str]) -> str:
    names = [name for name in line.group(1).split(", ") if name != "open_session"]
    assert len(names) < len(line.group(1).split(", ")), line.group()
    return f"from app.db import {', '.join(names)}"


@dataclass(frozen=True)
class Scenario:
    files: tuple[str, ...]
    settings: str
    states: Callable[[], Iterator[State]]


SCENARIOS = {
    "default-form": Scenario(
        ("models.py", "deps.py", "store.py", "routes.py"), "", default_form_states
    ),
    "annotated": Scenario(
        ("models.py", "names.py", "deps.py", "store.py", "aliases.py", "routes.py"), "", annotated_states
    ),
    "callable-class": Scenario(("models.py", "deps.py", "store.py", "routes.py"), "", callable_class_states),
    "protocols": Scenario(("bases.py", "conn.py", "box.py", "kinds.py", "use.py"), "", protocol_states),
    "installed": Scenario(("use.py",), "mypy_path = site-packages\n", installed_states),
    "installed-stub": Scenario(
        ("use.py",), "mypy_path = stubs:site-packages\nignore_missing_imports = true\n", installed_stub_states
    ),
    "examples": Scenario(("app",), "strict = true\n", examples_states),
}


def open_project(root: Path, scenario: Scenario) -> Project:
    project = Project(root, scenario.files)
    root.mkdir()
    project.configure("auto", scenario.settings)
    return project


#: scenario name -> each step's files and cold-run output (computed once per test process).
_references: dict[str, list[tuple[dict[str, str], Result]]] = {}


def references(name: str, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[dict[str, str], Result]]:
    if name not in _references:
        project = open_project(tmp_path_factory.mktemp(f"{name}-cold") / "project", SCENARIOS[name])
        steps = []
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(project.root)
            for number, (files, expected) in enumerate(SCENARIOS[name].states()):
                project.write_changed(files)
                cold = project.cold()
                assert cold.codes == +expected, f"step {number}:\n{cold.output}"
                steps.append((files, cold))
        _references[name] = steps
    return _references[name]


def option_mode(option: str, *values: str) -> object:
    return pytest.param(
        (option, *values),
        id=option,
        marks=pytest.mark.skipif(not mypy_has_option(option), reason=f"this mypy has no {option} (mypy >= 2.0)"),
    )


MODES = [
    pytest.param("incremental", id="incremental"),
    pytest.param("dmypy", id="dmypy"),
    option_mode("--num-workers", "2"),
    option_mode("--no-native-parser"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", SCENARIOS)
def test_mode_matches_cold_runs_after_every_edit(
    name: str, mode: str | tuple[str, ...], tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    steps = references(name, tmp_path_factory)
    project = open_project(tmp_path / "project", SCENARIOS[name])
    monkeypatch.chdir(project.root)

    if mode == "dmypy":
        project.write_changed(steps[0][0])
        with project.daemon(tmp_path) as daemon:
            assert daemon.run("check", *project.files) == steps[0][1]
            for number, (files, cold) in enumerate(steps[1:], 1):
                project.write_changed(files)
                rechecked = daemon.run("recheck")
                assert (rechecked.status, rechecked.diagnostics) == (cold.status, cold.diagnostics), f"step {number}"
        return

    options = () if mode == "incremental" else mode
    for number, (files, cold) in enumerate(steps):
        project.write_changed(files)
        result = project.mypy("cache", *options)
        if "--num-workers" in options:
            assert (result.status, result.diagnostics_by_file) == (cold.status, cold.diagnostics_by_file), number
            assert result.output.splitlines()[-1] == cold.output.splitlines()[-1], number
        else:
            assert result == cold, f"step {number}: run after the edit differs from cold"
        if mode == "incremental":
            assert project.mypy("cache") == cold, f"step {number}: warm run differs from cold"
