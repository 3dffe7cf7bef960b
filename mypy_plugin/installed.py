"""Installed code (site-packages): the callees whose gate answer a daemon keeps.

A daemon (dmypy, mypy's fine-grained mode) updates definitions in place when a file changes,
so there the resource gate (protocols.py) decides again at every call. Most calls, though,
are to installed libraries (``Session.exec``, ``TestClient.get``, ``select``). Their definitions
change only when the daemon reads again a file they are read from or import, directly or
not: after an upgrade, when an edit imports a package for the first time, or when a stub of
the project's own that installed code imports (``mypy_path``) is edited or added. So a daemon
keeps an answer when every definition it was read from (the callee, the classes its lookup
and its result went through) is installed code, until it reads again an installed file or a
module that the modules of kept answers import. From then on it decides again at every call,
for the rest of its life: a file read again can change other installed modules later in the
same update, through their dependencies, and the plugin is not told when the update ends.

A module is installed code when its file is under a ``site-packages`` or ``dist-packages``
directory. A module read as installed that the user edits stops the keeping, so a misread
costs speed, never a verdict. A daemon started from mypy's fine-grained cache has no import
lists for the modules it loaded from there, so it stops keeping at any file read again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Final, final

from mypy.nodes import Import, ImportAll, ImportFrom, MypyFile, TypeInfo
from mypy.util import correct_relative_import

#: Directories that hold installed packages (pip, and Debian's system Python).
_INSTALLED_DIRECTORIES: Final = frozenset({"site-packages", "dist-packages"})


@final
class InstalledCode:
    """Which modules are installed code, and whether answers read from them may still be kept."""

    __slots__ = ("_modules", "_installed", "_reached", "_from_cache", "_asked", "_keeping")

    def __init__(self, *, from_cache: bool) -> None:
        self._modules: dict[str, MypyFile] = {}
        self._installed: Final[dict[str, bool]] = {}  # file path -> installed code?
        # The modules kept answers were read from and every module they import, directly or
        # not (missing ones too: one can appear).
        self._reached: Final[set[str]] = set()
        self._from_cache: Final = from_cache
        # A full build reads every file before the checker asks anything: a file read after
        # the first ask is an update's.
        self._asked = False
        self._keeping = True

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        self._modules = modules

    def holds(self, fullname: str, definition: str, classes: Iterable[TypeInfo]) -> bool:
        """Whether an answer read from ``fullname``'s lookup, the ``definition`` it found and
        ``classes`` (their MRO and members) may be kept: all of them are installed code."""
        self._asked = True
        if not self._keeping:
            return False
        modules = {self._home(fullname), self._home(definition), *(info.module_name for info in classes)}
        if not all(map(self._is_installed, modules)):
            return False
        self._reach(modules)
        return True

    def read_again(self, file: MypyFile) -> bool:
        """mypy reads ``file`` (``get_additional_deps``). True once: when this ends the keeping,
        and the answers kept so far must be forgotten."""
        if not self._keeping or not (self._asked or self._from_cache):
            return False
        if not (self._from_cache or file.fullname in self._reached or _installed_path(file.path)):
            return False
        self._keeping = False
        return True

    def _reach(self, modules: Iterable[str]) -> None:
        todo = list(modules)
        while todo:
            module = todo.pop()
            if module in self._reached:
                continue
            self._reached.add(module)
            file = self._modules.get(module)
            if file is not None:
                todo.extend(name for name in _imports(file) if name not in self._reached)

    def _home(self, fullname: str) -> str:
        """The module a fully-qualified name is looked up in (its longest prefix that is one;
        "" when none is)."""
        name = fullname
        while name and name not in self._modules:
            name = name.rpartition(".")[0]
        return name

    def _is_installed(self, module: str) -> bool:
        file = self._modules.get(module)
        if file is None:
            return False
        installed = self._installed.get(file.path)
        if installed is None:
            installed = self._installed[file.path] = _installed_path(file.path)
        return installed


def _imports(file: MypyFile) -> Iterator[str]:
    """The modules ``file`` imports, with their packages, and the names of an ``import from``
    (any of them can be a module): every statement, reachable or not."""
    for statement in file.imports:
        if isinstance(statement, Import):
            for name, _ in statement.ids:
                yield from _packages(name)
        elif isinstance(statement, (ImportFrom, ImportAll)):
            base, _ = correct_relative_import(
                file.fullname, statement.relative, statement.id, file.is_package_init_file()
            )
            yield from _packages(base)
            if isinstance(statement, ImportFrom):
                yield from (f"{base}.{name}" for name, _ in statement.names)


def _packages(module: str) -> Iterator[str]:
    """``a.b.c`` -> ``a``, ``a.b``, ``a.b.c``."""
    end = module.find(".")
    while end != -1:
        yield module[:end]
        end = module.find(".", end + 1)
    yield module


def _installed_path(path: str) -> bool:
    return not _INSTALLED_DIRECTORIES.isdisjoint(os.path.normpath(path).split(os.sep))
