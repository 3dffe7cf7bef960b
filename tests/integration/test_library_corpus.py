"""Robustness corpus: the plugin over the installed sources of FastAPI, Starlette, pydantic, SQLAlchemy.

mypy checks the four packages (``-p fastapi -p starlette -p pydantic -p sqlalchemy``, imports
followed silently) twice from scratch, without and with the plugin, from a folder outside
site-packages (run from inside it, the packages there would shadow ``typing_extensions`` and
friends). The plugin must not crash mypy (no INTERNAL ERROR, no traceback) and must not
change what mypy says about library code: no ``resource-`` error, and exactly the same
mypy errors (libraries are not written for ``mypy`` defaults, so there are several hundred;
the comparison, not their number, is the point). To prove the plugin was really active, a
small sentinel module with one wrong dependency is checked in the same run: with the plugin
its one error is the only difference.

Each run takes about a minute, so the test is marked ``corpus`` and ``python3 tasks.py test``
runs it in the ``newest`` environment only (``-m "not corpus"`` on the floor, whose plugin code
is the same; version-dependent crashes are what the mode tests, the generated shapes and the
YAML cases look for on both ends). With ``pytest -n 2`` it occupies one worker while the
other runs the rest of the suite; run it alone with ``pytest -m corpus tests``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mypy_runs import Result

PACKAGES = ("fastapi", "starlette", "pydantic", "sqlalchemy")

SENTINEL = """\
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends


@asynccontextmanager
async def get_value() -> AsyncIterator[int]:
    yield 1


async def endpoint(value: int = Depends(get_value)) -> None: ...
"""


def run_mypy(folder: Path, plugin: bool) -> Result:
    config = folder / f"{'with' if plugin else 'without'}-plugin.ini"
    config.write_text(
        "[mypy]\n"
        + ("plugins = mypy_plugin\n" if plugin else "")
        + "follow_imports = silent\nignore_missing_imports = true\n"
    )
    packages = [argument for package in PACKAGES for argument in ("-p", package)]
    command = [
        sys.executable, "-m", "mypy", "--config-file", str(config), "--cache-dir", str(folder / f"{config.stem}-cache"),
        "--no-error-summary", *packages, "-m", "sentinel",
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=900, check=False)
    for crash_sign in ("INTERNAL ERROR", "Traceback"):
        assert crash_sign not in completed.stdout + completed.stderr, completed.stdout + completed.stderr
    assert completed.returncode == 1, completed.stdout + completed.stderr
    return Result(completed.stdout, completed.returncode)


@pytest.mark.corpus
def test_plugin_changes_nothing_in_library_code(tmp_path: Path) -> None:
    (tmp_path / "sentinel.py").write_text(SENTINEL)
    without = run_mypy(tmp_path, plugin=False)
    with_plugin = run_mypy(tmp_path, plugin=True)

    library_errors = [line for line in with_plugin.errors if not line.startswith("sentinel.py:")]
    assert [line for line in library_errors if "[resource-" in line] == []
    assert len(without.errors) > 0, "mypy found nothing to say about the libraries: were they checked?"
    assert [line for line in without.errors if line.startswith("sentinel.py:")] == []
    [sentinel_error] = [line for line in with_plugin.errors if line.startswith("sentinel.py:")]
    assert sentinel_error.endswith("  [resource-depends-context-manager]"), sentinel_error
    assert library_errors == without.errors
