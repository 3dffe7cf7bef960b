"""The shipped fastapi-stubs (stubs/), as mypy, mypy with the plugin and basedpyright see them.

The stubs are put on the checkers' path the way an installed stub package is found: through
the target interpreter's ``sys.path`` (``PYTHONPATH=stubs``), so each checker runs in a
subprocess. Checked here:
- the assert_type files are silent under all three checkers;
- with the stubs alone, mypy and basedpyright report every default-value C and K bug file of
  the shared corpus on its ``# BUG[X]`` line and report nothing on any control;
- with the plugin too, the plugin decides (its messages, no stub ``arg-type`` noise);
- the stub covers the installed FastAPI (stubs/generate.py --check) and stubtest agrees with
  the newest covered release.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import fastapi
import pytest

ROOT = Path(__file__).resolve().parents[2]
STUBS = ROOT / "stubs"
ASSERT_TYPE = sorted((Path(__file__).parent / "assert_type").glob("*.py"))
CORPUS = (ROOT.parent / "shared" / "bug-corpus").resolve()
#: The default-value bug files: the only C and K bugs a signature can see.
BUG_FILES = ["c1_depends_acm_default.py", "k1_async_dep_sync_param.py", "k3_sync_dep_async_param.py"]
#: Out of reach for any overload: the type checker never evaluates Annotated metadata as a call.
ANNOTATED_BUG = "k2_async_dep_sync_param_annotated.py"
CONTROLS = sorted(path.name for path in CORPUS.glob("ok_*.py"))
PEP695 = "ok_d3_pep695_alias.py"  # `type X = ...`: needs a 3.12 target


def checker_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(STUBS)}


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=checker_env(), capture_output=True, text=True, check=False)


def mypy(tmp_path: Path, files: list[Path], *, plugin: bool, strict: bool = True) -> list[str]:
    """mypy's error lines as ``name:line: message  [code]``."""
    config = tmp_path / "mypy.ini"
    config.write_text(
        "[mypy]\n" + ("plugins = mypy_plugin\n" if plugin else "") + ("strict = true\n" if strict else "")
    )
    command = [sys.executable, "-m", "mypy", "--config-file", str(config), "--no-error-summary"]
    result = run([*command, "--cache-dir", str(tmp_path / "cache"), *map(str, files)], tmp_path)
    assert "INTERNAL ERROR" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return [_short(line) for line in result.stdout.splitlines() if ": error: " in line]


def _short(line: str) -> str:
    path, number, _, message = line.split(":", 3)
    return f"{Path(path).name}:{number}: {message.strip()}"


def basedpyright(root: Path, files: list[Path]) -> list[str]:
    """basedpyright's errors (not warnings) as ``name:line: message  [rule]``; imports resolve from root."""
    command = [str(Path(sys.executable).parent / "basedpyright"), "--outputjson", "--level", "error"]
    command += ["--pythonpath", sys.executable, "--pythonversion", "3.12"]
    result = run([*command, *map(str, files)], root)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    diagnostics = json.loads(result.stdout)["generalDiagnostics"]
    return [
        f"{Path(d['file']).name}:{d['range']['start']['line'] + 1}: "
        f"{d['message'].splitlines()[0]}  [{d.get('rule')}]"
        for d in diagnostics
        if d["severity"] == "error"
    ]


@pytest.mark.parametrize("plugin", [False, True], ids=["mypy", "mypy-with-plugin"])
def test_assert_type_files_pass_mypy(tmp_path: Path, plugin: bool) -> None:
    assert len(ASSERT_TYPE) == 3, ASSERT_TYPE
    assert mypy(tmp_path, ASSERT_TYPE, plugin=plugin) == []


def test_assert_type_files_pass_basedpyright(tmp_path: Path) -> None:
    assert basedpyright(tmp_path, ASSERT_TYPE) == []


def marked_lines(name: str) -> list[int]:
    marker = f"# BUG[{name[0].upper()}]"
    lines = (CORPUS / name).read_text().splitlines()
    return [number for number, text in enumerate(lines, 1) if marker in text]


def corpus_files(*, pep695: bool) -> list[Path]:
    assert CORPUS.is_dir(), f"bug corpus not found at {CORPUS}"
    return [CORPUS / name for name in [*BUG_FILES, ANNOTATED_BUG, *CONTROLS] if pep695 or name != PEP695]


@pytest.fixture(scope="module")
def stubs_only(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Corpus errors under each checker with only the stubs (no plugin), default settings."""
    mypy_files = corpus_files(pep695=sys.version_info >= (3, 12))
    return {
        "mypy": mypy(tmp_path_factory.mktemp("mypy"), mypy_files, plugin=False, strict=False),
        "basedpyright": basedpyright(CORPUS, corpus_files(pep695=True)),
    }


CHECKERS = ["mypy", "basedpyright"]
#: What each checker says on a bug line: the injected type does not fit the annotation.
BUG_MESSAGE = {
    "mypy": "Incompatible default for ",  # "parameter" since mypy 2.x, "argument" before
    "basedpyright": "cannot be assigned to parameter",
}


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("name", BUG_FILES)
def test_default_value_bug_is_reported_with_stubs_only(
    stubs_only: dict[str, list[str]], checker: str, name: str
) -> None:
    lines = marked_lines(name)
    assert lines, f"{name} has no BUG line"
    errors = [error for error in stubs_only[checker] if error.startswith(f"{name}:")]

    assert [int(error.split(":")[1]) for error in errors] == lines, errors
    assert all(BUG_MESSAGE[checker] in error for error in errors), errors


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.xfail(reason="Annotated[T, Depends(f)] metadata is never evaluated as a call", strict=True)
def test_annotated_bug_is_out_of_reach_for_stubs(stubs_only: dict[str, list[str]], checker: str) -> None:
    line = marked_lines(ANNOTATED_BUG)[0]
    assert any(error.startswith(f"{ANNOTATED_BUG}:{line}:") for error in stubs_only[checker])


@pytest.mark.parametrize("checker", CHECKERS)
@pytest.mark.parametrize("name", CONTROLS)
def test_control_is_silent_with_stubs_only(stubs_only: dict[str, list[str]], checker: str, name: str) -> None:
    if checker == "mypy" and name == PEP695 and sys.version_info < (3, 12):
        pytest.skip("mypy checks the PEP 695 control only on Python >= 3.12")

    assert [error for error in stubs_only[checker] if error.startswith(f"{name}:")] == []


PLUGIN_DECIDES = '''
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from fastapi import Depends, FastAPI

class Session: ...

async def get_db() -> AsyncIterator[Session]:
    yield Session()

def returns_generator() -> AsyncIterator[Session]:
    return get_db()

@asynccontextmanager
async def session_scope() -> AsyncIterator[Session]:
    yield Session()

def verify_key() -> str:
    return "key"

async def endpoint(
    a: Session = Depends(returns_generator),
    b: Session = Depends(session_scope),
    c: Session = Depends(),
) -> None: ...

app = FastAPI(dependencies=[Depends(verify_key)])
'''


def test_plugin_still_decides_with_stubs(tmp_path: Path) -> None:
    """The stub types ``Depends(returns_generator)`` as Session and ``Depends(verify_key)`` as str;
    the plugin knows FastAPI injects the generator object and wants a marker in ``dependencies=``."""
    source = tmp_path / "app.py"
    source.write_text(PLUGIN_DECIDES)

    errors = mypy(tmp_path, [source], plugin=True)

    assert [error.rsplit("[", 1)[-1] for error in errors] == [
        "resource-depends-generator-object]",
        "resource-depends-context-manager]",
    ], errors
    assert errors[0] == (
        'app.py:22: Dependency "returns_generator" returns an async generator but is not a generator '
        'function; FastAPI injects the "AsyncIterator[Session]" object, never the "Session" it yields  '
        "[resource-depends-generator-object]"
    )


def test_stub_distribution_is_released_with_the_plugin() -> None:
    """Same version as the plugin (its signature hook is tested with this stub); a partial package."""
    import tomllib

    import mypy_plugin

    project = tomllib.loads((STUBS / "pyproject.toml").read_text())["project"]
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]

    assert project["version"] == mypy_plugin.__version__
    assert extras["stubs"] == [f"{project['name']}=={mypy_plugin.__version__}"]
    assert (STUBS / "fastapi-stubs" / "py.typed").read_text() == "partial\n"


def test_stub_covers_the_installed_fastapi() -> None:
    result = subprocess.run(
        [sys.executable, str(STUBS / "generate.py"), "--check"], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr


#: FastAPI's annotations leave out its own "not set" sentinel (``_Unset``), so stubtest flags
#: every such default. That is FastAPI's typing, not a stub mistake; anything else fails.
SENTINEL_DEFAULT = re.compile(
    r'^fastapi\.param_functions\.\w+ is inconsistent, runtime parameter "\w+" has a default value of type '
    r"fastapi\.datastructures\.DefaultPlaceholder, which is incompatible with stub parameter type .+$"
)


def newest_covered() -> tuple[int, ...]:
    stub = (STUBS / "fastapi-stubs" / "param_functions.pyi").read_text()
    covers = next(line for line in stub.splitlines() if line.startswith("# Covers FastAPI "))
    return max(tuple(map(int, v.split("."))) for v in covers.removeprefix("# Covers FastAPI ").split(", "))


@pytest.mark.skipif(
    tuple(map(int, fastapi.__version__.split("."))) < newest_covered(),
    reason="stubtest runs against the newest FastAPI the stub covers",
)
def test_stubtest_against_the_newest_fastapi(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "mypy.stubtest", "fastapi.param_functions", "--concise"]
    result = run(command, tmp_path)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert "error: not checking stubs" not in result.stdout + result.stderr, result.stdout + result.stderr

    summary = ("Found ", "Success: ")
    unexpected = [line for line in lines if not SENTINEL_DEFAULT.match(line) and not line.startswith(summary)]

    assert unexpected == []
    assert lines, "stubtest printed nothing: did it check the stub?"
