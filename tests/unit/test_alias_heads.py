"""The names an ``Annotated`` alias's type may start with, read from a file's text (source.py).

In a build that parses every file before it analyses any, the type-analysis hook answers every
other name from a dict, with no Python call (annotated.py). So the reading must find the first
name of every alias's type, in every form an alias takes; it may find more. The mode tests
(tests/integration/test_mode_consistency.py, ``annotated``) pin that a cold run, which reads
them, reports what an incremental run and a daemon, which do not, report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mypy_plugin.source import alias_heads

ANNOTATED = frozenset({"Annotated"})

FOUND = {
    "SessionDep = Annotated[Session, Depends(get_db)]\n": {"Session"},
    "SessionDep: TypeAlias = typing.Annotated[ db.Session , Depends(get_db)]\n": {"Session"},
    "type SessionDep = Annotated[Session, Depends(get_db)]\n": {"Session"},
    'SessionDep = TypeAliasType("SessionDep", Annotated[list[Session], Depends(get_db)])\n': {"list"},
    'SessionDep = TypeAliasType(\n    "SessionDep",\n    Annotated[\n        # the session\n        "Optional[Session]",\n'
    "        Depends(get_db),\n    ],\n)\n": {"Optional"},
    "SessionDep = Annotated[Annotated[Session, Doc('db')], Depends(get_db)]\n": {"Annotated", "Session"},
    "SessionDep = Annotated[(Session | None), Depends(get_db)]\n": {"Session"},
    'SessionDep = Annotated \\\n    [r"Session", Depends(get_db)]\n': {"Session"},
    "class Deps:\n    SessionDep = Annotated[Session, Depends(get_db)]\n": {"Session"},
    "SessionDep = Annotated[\n    Session,  # ] ( in a comment\n    'a ] in a string',\n    Depends(get_db),\n]\n": {"Session"},
}

NOT_ALIASES = [
    "async def route(db: Annotated[Session, Depends(get_db)]) -> Annotated[int, Doc('n')]: ...\n",
    "async def route(\n    db: Annotated[Session, Depends(get_db)],\n) -> None: ...\n",
    "session: Annotated[Session, Depends(get_db)] = make()\n",
    "SessionDep = Session  # no Annotated at all\n",
    "Value = Annotated[str, declaration]  # no call in the metadata (not looked at as an alias)\n",
    "Label = Annotated[str, 'not (a call)', Doc]  # (nor in a string or a comment)\n",
]


@pytest.mark.parametrize("text", FOUND)
def test_the_first_name_of_every_alias_type_is_found(text: str, tmp_path: Path) -> None:
    path = tmp_path / "aliases.py"
    path.write_text(text)
    assert alias_heads(str(path), ANNOTATED) == FOUND[text]


@pytest.mark.parametrize("text", NOT_ALIASES)
def test_annotations_of_parameters_variables_returns_and_aliases_without_calls_are_left_out(text: str, tmp_path: Path) -> None:
    path = tmp_path / "routes.py"
    path.write_text(text)
    assert alias_heads(str(path), ANNOTATED) == frozenset()


def test_annotated_under_another_name_is_found_by_that_name(tmp_path: Path) -> None:
    path = tmp_path / "aliases.py"
    path.write_text("from typing import Annotated as Marked\n\nSessionDep = Marked[Session, Depends(get_db)]\n")
    assert alias_heads(str(path), ANNOTATED) == frozenset()
    assert alias_heads(str(path), frozenset({"Annotated", "Marked"})) == {"Session"}


def test_a_declared_encoding_is_read(tmp_path: Path) -> None:
    path = tmp_path / "aliases.py"
    path.write_bytes("# -*- coding: latin-1 -*-\nSitzungDep = Annotated[Sitzungsgr\u00f6\u00dfe, Depends(f)]\n".encode("latin-1"))
    assert alias_heads(str(path), ANNOTATED) == {"Sitzungsgr\u00f6\u00dfe"}


def test_a_folder_has_none_and_an_unreadable_file_is_told_apart(tmp_path: Path) -> None:
    assert alias_heads(str(tmp_path), ANNOTATED) == frozenset()  # a namespace package
    assert alias_heads(str(tmp_path / "missing.py"), ANNOTATED) is None
