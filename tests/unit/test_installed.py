"""Which gate answers a daemon keeps (mypy_plugin/installed.py), on mypy's own module nodes.

A daemon keeps an answer read from installed code only (files under ``site-packages``), until
it reads again an installed file or a module that the kept answers' modules import. The
daemon runs that show the verdicts stay right are the ``installed`` projects of
tests/integration/test_mode_consistency.py; these cases pin each rule on its own.
"""

from __future__ import annotations

from mypy.nodes import ImportBase, ImportFrom, MypyFile

from mypy_plugin.installed import InstalledCode

SITE = "/venv/lib/python3.11/site-packages"


def module(name: str, path: str, imports: list[ImportBase] | None = None) -> MypyFile:
    file = MypyFile([], imports or [])
    file._fullname = name
    file.path = path
    return file


def daemon(*files: MypyFile, from_cache: bool = False) -> InstalledCode:
    installed = InstalledCode(from_cache=from_cache)
    installed.set_modules({file.fullname: file for file in files})
    return installed


LIB = module("lib", f"{SITE}/lib/__init__.py", [ImportFrom("ext", 0, [("Handle", None)])])
HANDLES = module("lib.handles", f"{SITE}/lib/handles.py", [ImportFrom("", 1, [("pool", None)])])
OTHER = module("other", f"{SITE}/other.py")
APP = module("app", "/home/me/project/app.py")


def test_answers_read_from_installed_code_only_are_kept() -> None:
    installed = daemon(LIB, APP)
    assert installed.holds("lib.make", "lib.make", [])
    assert not installed.holds("app.make", "app.make", [])
    assert not installed.holds("lib.make", "app.make", [])  # a project function re-exported
    assert not installed.holds("missing.make", "missing.make", [])


def test_an_edit_of_the_project_keeps_them() -> None:
    installed = daemon(LIB, APP)
    assert installed.holds("lib.make", "lib.make", [])
    assert not installed.read_again(APP)
    assert installed.holds("lib.make", "lib.make", [])


def test_an_installed_file_read_again_stops_the_keeping_for_good() -> None:
    installed = daemon(LIB, OTHER, APP)
    assert installed.holds("lib.make", "lib.make", [])
    assert installed.read_again(OTHER)  # not imported by lib: it can still import lib's modules
    assert not installed.holds("lib.make", "lib.make", [])
    assert not installed.read_again(LIB)  # told once


def test_a_module_installed_code_imports_stops_it_wherever_it_lives() -> None:
    installed = daemon(LIB, APP)
    assert installed.holds("lib.make", "lib.make", [])
    assert installed.read_again(module("ext", "/home/me/project/stubs/ext.pyi"))  # was missing


def test_relative_imports_are_followed() -> None:
    installed = daemon(LIB, HANDLES, APP)
    assert installed.holds("lib.handles.open", "lib.handles.open", [])
    assert installed.read_again(module("lib.pool", "/home/me/project/stubs/lib/pool.pyi"))


def test_files_read_before_the_first_ask_are_the_first_build() -> None:
    installed = daemon(LIB, OTHER)
    assert not installed.read_again(OTHER)
    assert installed.holds("lib.make", "lib.make", [])


def test_a_start_from_the_fine_grained_cache_stops_at_any_file_read() -> None:
    installed = daemon(LIB, APP, from_cache=True)
    assert installed.read_again(APP)
    assert not installed.holds("lib.make", "lib.make", [])
