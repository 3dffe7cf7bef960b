"""The plugin type-checks itself under ``--strict`` on the mypy this environment runs.

A plugin that calls a mypy API absent from one end of the supported range fails here first.
"""

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]


def test_plugin_package_is_strictly_typed(tmp_path: Path) -> None:
    stdout, stderr, status = api.run(
        ["--strict", "--cache-dir", str(tmp_path), str(ROOT / "mypy_plugin"), str(ROOT / "tasks.py")]
    )
    assert (status, stderr) == (0, ""), stdout
