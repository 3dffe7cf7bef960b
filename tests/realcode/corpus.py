"""Real code we did not write: pinned source distributions from PyPI, and mypy runs over them.

The corpus is fetched at test time and never committed. Each sdist is downloaded once into the
git-ignored ``.corpus/`` folder (its URL is looked up in PyPI's simple index, its sha256 is
pinned here), and only the folders named in ``parts`` are unpacked, so the sdist's own package
(``fastapi/``) never shadows the installed one.

Each sdist is checked by one mypy invocation, from its unpacked root with
``--explicit-package-bases``: every file gets its dotted path as module name
(``docs_src.dependencies.tutorial008``), so the hundreds of ``tutorial001.py`` never collide.
Used by tests/realcode/test_real_code.py, mutate.py and bench.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".corpus"
SIMPLE_INDEX = "https://pypi.org/simple"
PLUGIN_CODE_PREFIX = "resource-"


@dataclass(frozen=True)
class Sdist:
    """One pinned source distribution and the folders of it that are checked."""

    name: str
    version: str
    sha256: str
    parts: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}.tar.gz"

    @property
    def root(self) -> Path:
        return CACHE / f"{self.name}-{self.version}"


#: FastAPI's sdist for each FastAPI release pinned in tasks.py: each environment checks the
#: examples and tests written for the FastAPI it has installed.
FASTAPI = {
    sdist.version: sdist
    for sdist in (
        Sdist("fastapi", "0.165.0", "dd94d4128319c1e1d50535ab023ab698f850a4d2822f0e181747b46f4ff3c0ab",
              ("docs_src", "tests")),
        Sdist("fastapi", "0.115.14", "b1de15cdc1c499a4da47914db35d0e4ef8f1ce62b624e94e0e5824421df99739",
              ("docs_src", "tests")),
    )
}
SQLMODEL = Sdist(
    "sqlmodel",
    "0.0.50",
    "8828720c5b6c397df72cdd055286846a352b614da80c1ba05ab7a57b2bb90821",
    ("docs_src",),
)


def installed() -> tuple[Sdist, Sdist]:
    """The corpora of this environment: FastAPI's sdist of the installed release, and SQLModel's."""
    release = version("fastapi")
    if release not in FASTAPI:
        raise RuntimeError(f"no sdist pinned for the installed FastAPI {release} in tests/realcode/corpus.py")
    return FASTAPI[release], SQLMODEL

#: Flags of every corpus run. Not --strict: the examples are not written for it, and more of
#: mypy's own errors only add noise to the with/without comparison. check_untyped_defs makes
#: mypy look into every body; missing third-party packages (inline_snapshot, jwt, ...) are Any.
MYPY_FLAGS = (
    "--explicit-package-bases",
    "--check-untyped-defs",
    "--ignore-missing-imports",
    "--show-error-codes",
    "--no-pretty",
    "--hide-error-context",
    "--no-color-output",
)


def fetch(sdist: Sdist) -> Path:
    """The unpacked corpus root of ``sdist``, downloaded and checked against its pinned sha256 once."""
    done = sdist.root / ".complete"
    if done.exists():
        return sdist.root
    CACHE.mkdir(exist_ok=True)
    archive = CACHE / sdist.filename
    if not archive.exists() or _sha256(archive) != sdist.sha256:
        data = _download(_url(sdist))
        digest = hashlib.sha256(data).hexdigest()
        if digest != sdist.sha256:
            raise RuntimeError(f"{sdist.filename}: sha256 {digest}, pinned {sdist.sha256}")
        archive.write_bytes(data)
    shutil.rmtree(sdist.root, ignore_errors=True)
    prefix = f"{sdist.name}-{sdist.version}/"
    with tarfile.open(archive) as tar:
        members = [
            member
            for member in tar.getmembers()
            if member.isfile() and any(member.name.startswith(prefix + part + "/") for part in sdist.parts)
        ]
        for member in members:
            member.name = member.name[len(prefix) :]
        tar.extractall(sdist.root, members=members, filter="data")
    done.touch()
    return sdist.root


def _url(sdist: Sdist) -> str:
    """The sdist's download URL, from PyPI's JSON simple index (PEP 691)."""
    request = urllib.request.Request(
        f"{SIMPLE_INDEX}/{sdist.name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    index = json.loads(_download(request))
    for file in index["files"]:
        if file["filename"] == sdist.filename:
            return str(file["url"])
    raise RuntimeError(f"{sdist.filename} is not on {SIMPLE_INDEX}/{sdist.name}/")


def _download(request: str | urllib.request.Request) -> bytes:
    with urllib.request.urlopen(request, timeout=120) as response:
        return bytes(response.read())


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def python_files(root: Path, parts: Sequence[str]) -> list[Path]:
    """Every ``.py`` file under ``parts`` of ``root``, relative to it, in a stable order."""
    return sorted(path.relative_to(root) for part in parts for path in (root / part).rglob("*.py"))


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One mypy error line; ``file`` is relative to the corpus root."""

    file: str
    line: int
    code: str
    message: str

    @property
    def from_plugin(self) -> bool:
        return self.code.startswith(PLUGIN_CODE_PREFIX)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}  [{self.code}]"


_ERROR = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): error: (?P<message>.*?)(?:  \[(?P<code>[\w-]+)\])?$")


@dataclass(frozen=True)
class Run:
    errors: list[Diagnostic]
    status: int
    output: str


def write_config(directory: Path, *, plugin: bool) -> Path:
    """A mypy config with or without the plugin; nothing else differs between the two."""
    config = directory / ("with-plugin.ini" if plugin else "without-plugin.ini")
    config.write_text("[mypy]\n" + ("plugins = mypy_plugin\n" if plugin else ""))
    return config


def mypy_command(config: Path, cache_dir: Path | str, targets: Sequence[str | Path]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(config),
        "--cache-dir",
        str(cache_dir),
        *MYPY_FLAGS,
        *map(str, targets),
    ]


def check(root: Path, targets: Sequence[str | Path], *, plugin: bool, cache_dir: Path | str = "/dev/null") -> Run:
    """One mypy run over ``targets`` (relative to ``root``), run from ``root``."""
    with tempfile.TemporaryDirectory() as tmp:
        command = mypy_command(write_config(Path(tmp), plugin=plugin), cache_dir, targets)
        done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    output = done.stdout + done.stderr
    if done.returncode not in (0, 1) or "INTERNAL ERROR" in output:
        raise RuntimeError(f"mypy exited {done.returncode} in {root}:\n{output}")
    return Run(parse(done.stdout), done.returncode, output)


def parse(output: str) -> list[Diagnostic]:
    errors = []
    for text in output.splitlines():
        match = _ERROR.match(text)
        if match:
            code = match["code"] or "misc"
            errors.append(Diagnostic(match["file"], int(match["line"]), code, match["message"]))
    return sorted(errors)
