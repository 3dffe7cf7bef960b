"""Function bodies that verdicts were read from, so that a warm cache notices edits to them.

Some verdicts read a function's body from a source file, often another module's: whether a
generator holds a resource across its ``yield`` (lifetime.py), what a decorator's wrapper does
(wrappers.py). mypy checks a module again, instead of taking its errors from the cache, only
when the module itself or the *interface* of a module it imports changed, and a function body
is not part of an interface. So:

- every body read goes through ``Modules.function``, which notes, for the module
  being checked, the file, the line and a digest of the text it read (with the file's
  modification time and size), in a small file beside mypy's cache (one per module, rewritten
  when the module is checked again);
- when mypy asks whether a module's cache is still valid (``report_config_data`` with
  ``is_check``), the plugin compares those digests with the files' current text (only where the
  file's time or size changed, as mypy does for its own cache) and answers
  differently when one changed: mypy then discards that module's cache and checks it again,
  and a warm run agrees with a cold one. When nothing changed, the answer is the one given
  when the cache was written, so nothing else is rechecked.

mypy 2.x writes a module's cache data before it checks the function bodies, so the notes
cannot be part of that data; they are compared when the cache is read instead.

A running dmypy does not read cache data after it starts (it follows interface changes), so an
edit to such a body alone reaches its users there only when they are rechecked (README, limits).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from mypy.nodes import MypyFile
from mypy.options import Options

from mypy_plugin import source

#: The key of this data in what ``report_config_data`` returns.
CACHE_KEY = "function_bodies_read"


class ReadLog:
    """Which function bodies each module checked in this process read; one per plugin instance."""

    def __init__(self, options: Options) -> None:
        cached = options.incremental and options.cache_dir != os.devnull
        self._directory = Path(options.cache_dir) / "mypy-async-resources" if cached else None
        self._reads: dict[str, dict[str, str]] = {}  # module -> {"path:line": _note(path, line)}
        self._noted: Final = _listed(self._directory)  # the modules with a notes file

    def read(self, module: str, path: str, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        reads = self._reads.setdefault(module, {})
        key = f"{path}:{line}"
        if key not in reads:
            reads[key] = _note(path, line)
            self._store(module, reads)
        return source.function_definition(path, line)

    def cache_data(self, module: str, *, is_check: bool) -> dict[str, object]:
        """Part of ``module``'s cache data: empty, unless a body it read has changed since."""
        if module not in self._noted:
            return {}  # read no body when last checked: most modules, asked at every run
        if not is_check:
            if module not in self._reads:
                self._store(module, {})  # checked again and read nothing (yet): forget old notes
            return {}
        changed = [key for key, note in self._load(module).items() if not _unchanged(key, note)]
        return {CACHE_KEY: changed} if changed else {}

    def _load(self, module: str) -> dict[str, str]:
        directory = self._directory
        if directory is None:
            return {}
        try:
            notes = json.loads(_notes_file(directory, module).read_text())
        except (OSError, ValueError):
            notes = None
        if not isinstance(notes, dict):
            return {"<damaged notes>:0": ""}  # differs from any digest: the module is checked again
        return {str(key): str(digest) for key, digest in notes.items()}

    def _store(self, module: str, reads: dict[str, str]) -> None:
        if self._directory is None:
            return
        noted = self._noted
        if not reads and module not in noted:
            return
        file = _notes_file(self._directory, module)
        try:
            if reads:
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_text(json.dumps(reads, sort_keys=True))
                noted.add(module)
            else:
                file.unlink(missing_ok=True)
                noted.discard(module)
        except OSError:
            pass  # the cache directory is read-only or gone: mypy's own cache write reports that


_NOTES_SUFFIX = ".json"


def _listed(directory: Path | None) -> set[str]:
    """The modules with a notes file: the folder is listed once, not looked up per module."""
    try:
        return {name.removesuffix(_NOTES_SUFFIX) for name in os.listdir(directory)} if directory else set()
    except OSError:
        return set()


def _notes_file(directory: Path, module: str) -> Path:
    return directory / f"{module}{_NOTES_SUFFIX}"


def _split(key: str) -> tuple[str, int]:
    path, _, line = key.rpartition(":")
    return path, int(line) if line.isdigit() else 0


def _note(path: str, line: int) -> str:
    """``mtime:size:digest``: the file's stamp when the function's text was read, and its digest."""
    mtime, size = source.stamp(path)
    return f"{mtime}:{size}:{_digest(path, line)}"


def _unchanged(key: str, note: str) -> bool:
    """The file has the noted stamp, or the function's text still has the noted digest."""
    path, line = _split(key)
    stamp, _, digest = note.rpartition(":")
    mtime, size = source.stamp(path)
    return stamp == f"{mtime}:{size}" or digest == _digest(path, line)


def _digest(path: str, line: int) -> str:
    return hashlib.sha256((source.function_text(path, line) or "").encode()).hexdigest()


class Modules:
    """mypy's modules by name, and the function bodies read from their source files."""

    __slots__ = ("by_name", "log", "checking")

    def __init__(self, by_name: Mapping[str, MypyFile], log: ReadLog, checking: str) -> None:
        self.by_name: Final = by_name
        self.log: Final = log
        self.checking: Final = checking  # the module being checked, whose verdicts depend on what is read

    def get(self, name: str) -> MypyFile | None:
        return self.by_name.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def function(self, fullname: str) -> Function | None:
        """The function or method ``fullname`` as written in its module's source file.

        Found by name (source.definition_line): mypy keeps no line for a definition it loads
        from its cache. None when the module, the file or a single definition is not found.
        """
        parts = fullname.split(".")
        for end in range(len(parts) - 1, 0, -1):
            module = self.by_name.get(".".join(parts[:end]))
            if module is None:
                continue
            if not module.path:
                return None
            name = ".".join(parts[end:])
            line = source.definition_line(module.path, name)
            tree = self.log.read(self.checking, module.path, line) if line is not None else None
            return Function(module.path, name, line, tree) if line is not None and tree is not None else None
        return None


class Function:
    """A function read from its source file; ``tree`` is parsed on its own (its ``def`` is line 1)."""

    __slots__ = ("path", "name", "line", "tree")

    def __init__(self, path: str, name: str, line: int, tree: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.path: Final = path
        self.name: Final = name  # ``get_db`` or ``Repository.rows``
        self.line: Final = line  # of the ``def`` in the file
        self.tree: Final = tree
