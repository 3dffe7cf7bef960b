"""Pins the README's integrations: config files, pre-commit, GitHub Actions (dmypy: test_mode_consistency).

- Configuration: mypy run as a command in a folder holding only ``pyproject.toml`` (or only
  ``mypy.ini``) that enables the plugin and sets ``fastapi_version`` to the floor release;
  the older release's wording proves the plugin's own section was read too.
- pre-commit: the README's ``.pre-commit-config.yaml`` snippet is read from the README and
  run by ``pre-commit`` (pinned in tasks.py) in a temporary git repository: the hook fails on
  a wrong dependency and passes once it is fixed. The snippet uses mirrors-mypy, which
  pre-commit clones from GitHub; this test must not depend on GitHub being reachable (the
  machines the suite was written on cannot resolve github.com), so it runs the same hook as a
  ``repo: local`` hook: mirrors-mypy's hook definition (``entry: mypy``, ``language: python``,
  ``args: [--ignore-missing-imports, --scripts-are-modules]``, ``require_serial``, ``types_or:
  [python, pyi]``, as in its .pre-commit-hooks.yaml)
  with what its ``rev`` installs (``mypy==<rev>``) plus the snippet's
  ``additional_dependencies``, the plugin's pin replaced by this checkout. pre-commit builds
  that environment with pip from PyPI, so the test runs where the hook's mypy equals the
  environment's (``newest``) only.
- GitHub Actions: the README's workflow is read, its install step must install this package
  (and FastAPI), and its final ``run`` step is run in a project configured by pyproject.toml,
  with this environment standing for what the install step installs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import mypy.version
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
PACKAGE = "mypy-async-resources"
CM = "[resource-depends-context-manager]"

WRONG = """\
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends


@asynccontextmanager
async def get_value() -> AsyncIterator[int]:
    yield 1


async def endpoint(value: int = Depends(get_value)) -> None: ...
"""
FIXED = WRONG.replace("@asynccontextmanager\n", "")

CONFIGS = {
    "pyproject.toml": '[tool.mypy]\nplugins = ["mypy_plugin"]\n\n[tool.mypy-async-resources]\nfastapi_version = "{}"\n',
    "mypy.ini": "[mypy]\nplugins = mypy_plugin\n\n[mypy.plugins.mypy-async-resources]\nfastapi_version = {}\n",
}


def readme_yaml(first_line: str) -> dict[str, object]:
    """The README's ```yaml block that starts with ``first_line``."""
    [block] = [b for b in re.findall(r"```yaml\n(.*?)```", README, re.DOTALL) if b.startswith(first_line)]
    loaded = yaml.safe_load(block)
    assert isinstance(loaded, dict)
    return loaded


def mypy_command(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``mypy`` as a shell finds it, this environment first on PATH."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        [*arguments], cwd=folder, capture_output=True, text=True, env={**os.environ, "PATH": path}, check=False
    )


@pytest.mark.parametrize("config", CONFIGS)
def test_config_file_alone_enables_and_configures_the_plugin(tmp_path: Path, config: str) -> None:
    (tmp_path / config).write_text(CONFIGS[config].format("0.115.14"))
    (tmp_path / "app.py").write_text(WRONG)

    completed = mypy_command(tmp_path, "mypy", "app.py")

    assert completed.returncode == 1, completed.stdout + completed.stderr
    [error] = [line for line in completed.stdout.splitlines() if ": error: " in line]
    assert error.startswith('app.py:12: error: Dependency "get_value" is an @asynccontextmanager function; '
                            "FastAPI never enters it"), error  # fmt: skip
    assert error.endswith(CM), error


def test_github_actions_snippet(tmp_path: Path) -> None:
    workflow = readme_yaml("name: typecheck")
    [job] = workflow["jobs"].values()  # type: ignore[attr-defined]
    runs = [step["run"] for step in job["steps"] if "run" in step]
    install, check = runs
    assert install.split()[:2] == ["pip", "install"] and {PACKAGE, "fastapi"} <= set(install.split()), install
    (tmp_path / "pyproject.toml").write_text('[tool.mypy]\nplugins = ["mypy_plugin"]\n')
    (tmp_path / "app.py").write_text(WRONG)

    completed = mypy_command(tmp_path, "bash", "-c", check)

    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert completed.stdout.count(CM) == 1, completed.stdout


PRE_COMMIT = readme_yaml("repos:")
[MIRROR] = PRE_COMMIT["repos"]  # type: ignore[index]
HOOK_MYPY = MIRROR["rev"].removeprefix("v")


@pytest.mark.skipif(
    mypy.version.__version__ != HOOK_MYPY, reason=f"the hook installs mypy {HOOK_MYPY}: tested in that environment"
)
def test_pre_commit_snippet(tmp_path: Path) -> None:
    assert MIRROR["repo"] == "https://github.com/pre-commit/mirrors-mypy"
    [hook] = MIRROR["hooks"]
    assert hook["id"] == "mypy"
    dependencies = hook["additional_dependencies"]
    assert any(d.startswith("fastapi") for d in dependencies), "the snippet must install FastAPI"
    [plugin_pin] = [d for d in dependencies if d.startswith(f"{PACKAGE}==")]
    local_hook = {
        "id": "mypy", "name": "mypy", "entry": "mypy", "language": "python", "types_or": ["python", "pyi"],
        "args": ["--ignore-missing-imports", "--scripts-are-modules"], "require_serial": True,
        "additional_dependencies": [f"mypy=={HOOK_MYPY}", *(str(ROOT) if d == plugin_pin else d for d in dependencies)],
    }  # fmt: skip
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local_hook]}]}))
    (repo / "pyproject.toml").write_text('[tool.mypy]\nplugins = ["mypy_plugin"]\n')
    (repo / "app.py").write_text(WRONG)
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def pre_commit() -> subprocess.CompletedProcess[str]:
        subprocess.run(["git", "add", "."], cwd=repo, check=True)
        command = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
        return subprocess.run(command, cwd=repo, capture_output=True, text=True, env=environment, check=False)

    subprocess.run(["git", "init", "--quiet"], cwd=repo, check=True)
    failed = pre_commit()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert failed.stdout.count(CM) == 1, failed.stdout

    (repo / "app.py").write_text(FIXED)
    passed = pre_commit()
    assert passed.returncode == 0, passed.stdout + passed.stderr
