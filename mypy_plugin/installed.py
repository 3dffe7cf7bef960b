"""Installed code (site-packages): the callees whose gate answer a daemon keeps.

A daemon (dmypy, mypy's fine-grained mode) updates definitions in place when a file changes,
so there the resource gate (protocols.py) decides again at every call. Most calls, though,
are to installed libraries (``Session.exec``, ``TestClient.get``, ``select``). Their definitions
change only when the daemon reads one of their files again: after an upgrade, or when an edit
imports a package for the first time. So a daemon keeps an answer when every definition it
was read from (the callee, the classes its lookup and its result went through) is installed
code, until it reads an installed file again. From then on it decides again at every call,
for the rest of its life: a file read again can change other installed modules later in the
same update, through their dependencies, and the plugin is not told when the update ends.

A module is installed code when its file is under a ``site-packages`` or ``dist-packages``
directory. A module read as installed that the user edits stops the keeping, so a misread
costs speed, never a verdict. Assumed: installed code does not import the project's own
modules (an edit of those reaches installed definitions without any installed file being
read again).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Final, final

from mypy.nodes import MypyFile, TypeInfo

#: Directories that hold installed packages (pip, and Debian's system Python).
_INSTALLED_DIRECTORIES: Final = frozenset({"site-packages", "dist-packages"})


@final
class InstalledCode:
    """Which modules are installed code, and whether answers read from them may still be kept."""

    __slots__ = ("_modules", "_installed", "_sources", "_from_cache", "_keeping")

    def __init__(self, *, from_cache: bool) -> None:
        self._modules: dict[str, MypyFile] = {}
        self._installed: Final[dict[str, bool]] = {}  # file path -> installed code?
        self._sources: Final[set[str]] = set()  # the modules kept answers were read from
        # A full build reads every file before the checker asks anything. A daemon started
        # from mypy's fine-grained cache reads changed files, installed ones too, in its first
        # update, in between checks: there any installed file read ends the keeping.
        self._from_cache: Final = from_cache
        self._keeping = True

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        self._modules = modules

    def holds(self, fullname: str, definition: str, classes: Iterable[TypeInfo]) -> bool:
        """Whether an answer read from ``fullname``'s lookup, the ``definition`` it found and
        ``classes`` (their MRO and members) may be kept: all of them are installed code."""
        if not self._keeping:
            return False
        modules = {self._home(fullname), self._home(definition), *(info.module_name for info in classes)}
        if not all(map(self._is_installed, modules)):
            return False
        self._sources.update(modules)
        return True

    def read_again(self, file: MypyFile) -> bool:
        """mypy reads ``file`` (``get_additional_deps``). True once: when this ends the keeping,
        and the answers kept so far must be forgotten."""
        if not self._keeping or not (self._sources or self._from_cache):
            return False
        if file.fullname not in self._sources and not _installed_path(file.path):
            return False
        self._keeping = False
        return True

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


def _installed_path(path: str) -> bool:
    return not _INSTALLED_DIRECTORIES.isdisjoint(os.path.normpath(path).split(os.sep))
