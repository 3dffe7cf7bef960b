"""One generated module with an endpoint per case, for the runtime tests.

The module is written once, imported to serve every case from one FastAPI app, and
type-checked once with the plugin; each case's lines say which endpoint an error belongs to.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Protocol

from mypy import api


class NumberedCase(Protocol):
    @property
    def name(self) -> str: ...

    def source(self) -> str: ...


def numbered_source(head: str, cases: Sequence[NumberedCase]) -> tuple[str, dict[int, str]]:
    """``head`` followed by each case's code, and the case each line of that code belongs to."""
    source = head
    lines: dict[int, str] = {}
    for case in cases:
        first = source.count("\n") + 1
        source += case.source()
        lines.update(dict.fromkeys(range(first, source.count("\n") + 1), case.name))
    return source, lines


def import_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plugin_output(path: Path) -> str:
    """mypy with the plugin (and nothing else configured) on the module: its error lines."""
    config = path.parent / "mypy.ini"
    config.write_text("[mypy]\nplugins = mypy_plugin\n")
    cache = str(path.parent / ".mypy_cache")
    arguments = ["--config-file", str(config), "--cache-dir", cache, "--show-error-codes", "--no-error-summary"]
    stdout, stderr, _ = api.run([*arguments, str(path)])
    assert not stderr, stderr
    return stdout
