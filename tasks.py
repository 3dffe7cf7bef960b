"""The project's commands; each needs nothing but Python (instructions: also valgrind) and installs what it needs.

    python3 tasks.py demo     type-check examples/ with the plugin and show what it catches
    python3 tasks.py test     the whole test suite, on the oldest and the newest supported mypy
    python3 tasks.py stubs    regenerate stubs/fastapi-stubs from the FastAPI of every environment
    python3 tasks.py mutate   recall by mutation on real code: per bug class, mutants flagged
    python3 tasks.py bench    overhead of the plugin on real code: with / without ratios
    python3 tasks.py instructions   the same overhead in instructions executed (dmypy too): steadier than CPU time

mutate, bench and instructions run on .venvs/newest and are not part of test (they take about 1, 5 and 30
minutes on an idle machine);
the real code they use is downloaded from PyPI into .corpus/ (tests/realcode/corpus.py).

Each environment is a virtual environment under .venvs/, created on first use and
re-installed when its pins below change. The pins are the one home of every tested version.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENVS = ROOT / ".venvs"

COMMON = [
    "sqlalchemy[asyncio]==2.1.9",
    "aiosqlite==0.22.1",
    "httpx==0.28.1",
    # libraries whose async resources the protocol checks are tested against (tests/typecheck/protocols)
    "aiohttp==3.14.5",
    "anyio==4.16.0",
    "asyncpg==0.32.0",
    "asyncpg-stubs==0.32.0",
    "pytest==9.2.0",
    "pytest-xdist==3.8.0",
    "pytest-mypy-plugins==4.1.0",
    "basedpyright==1.40.2",  # checks the shipped stubs (tests/stubs) as pyright / Pylance users see them
    "sqlmodel==0.0.50",  # its docs_src/ is part of the real-code corpus (tests/realcode/)
    "hypothesis==6.170.15",  # generated dependency shapes (tests/integration/test_generated_shapes.py)
    "pre-commit==4.7.0",  # the README's pre-commit snippet (tests/integration/test_integrations.py)
]
#: name -> pins. "newest" also runs the demo; "floor" is the oldest supported mypy with a
#: FastAPI release from before 0.123.5 (the one that changed how dependencies are classified).
ENVIRONMENTS = {
    "newest": ["mypy==2.4.1", "fastapi==0.165.0", *COMMON, "pyinstrument==5.1.3"],  # bench profiles
    "floor": ["mypy==1.19.1", "fastapi==0.115.14", *COMMON],
}
#: name -> extra pytest arguments: the library corpus (minutes) runs on the newest mypy only.
PYTEST_ARGUMENTS = {"newest": [], "floor": ["-m", "not corpus"]}


def environment(name: str) -> Path:
    """The environment's python, created or refreshed so that it matches the pins."""
    home = VENVS / name
    python = home / "bin" / "python"
    pins = ENVIRONMENTS[name]
    stamp = home / "pins.sha256"
    digest = hashlib.sha256("\n".join(pins).encode()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    print(f"== preparing .venvs/{name}: {', '.join(pins[:2])}", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(home)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, *pins, "--editable", str(ROOT)], check=True)
    stamp.write_text(digest)
    return python


def demo() -> int:
    python = environment("newest")
    print("== mypy with the plugin on examples/ (the *_wrong.py files hold the bugs)", flush=True)
    command = [str(python), "-m", "mypy", "--config-file", "examples/mypy.ini", "examples"]
    return subprocess.run(command, cwd=ROOT).returncode


def test() -> int:
    failed = []
    for name in ENVIRONMENTS:
        python = environment(name)
        print(f"== tests on .venvs/{name}", flush=True)
        pytest = ["-m", "pytest", "-n", "2", "-p", "no:cacheprovider", *PYTEST_ARGUMENTS[name], "tests"]
        command = [str(python), *pytest]
        # pytest-mypy-plugins runs the `mypy` found on PATH: make it this environment's.
        path = f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}"
        if subprocess.run(command, cwd=ROOT, env={**os.environ, "PATH": path}).returncode:
            failed.append(name)
    print(f"== {'failed on ' + ', '.join(failed) if failed else 'passed on ' + ', '.join(ENVIRONMENTS)}")
    return 1 if failed else 0


def stubs() -> int:
    """Merge the FastAPI of each environment into the shipped stub (see stubs/generate.py)."""
    for name in reversed(ENVIRONMENTS):
        command = [str(environment(name)), str(ROOT / "stubs" / "generate.py")]
        if subprocess.run(command, cwd=ROOT).returncode:
            return 1
    return 0


def realcode(script: str, *arguments: str) -> int:
    """Run one of tests/realcode's report scripts on the newest environment."""
    python = environment("newest")
    return subprocess.run([str(python), str(ROOT / "tests" / "realcode" / script), *arguments], cwd=ROOT).returncode


def mutate() -> int:
    return realcode("mutate.py")


def bench() -> int:
    return realcode("bench.py")


def instructions() -> int:
    return realcode("bench.py", "--instructions")


if __name__ == "__main__":
    commands = {"demo": demo, "test": test, "stubs": stubs, "mutate": mutate, "bench": bench,
                "instructions": instructions}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python3 {Path(__file__).name} {{{'|'.join(commands)}}}")
    sys.exit(commands[sys.argv[1]]())
