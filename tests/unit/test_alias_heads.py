"""The names an ``Annotated`` alias's type may start with, read from a parsed module (annotated.py).

In a build that parses every file before it analyses any, the type-analysis hook answers every
other name from a table, with no Python call. So the reading must find the first name of every
alias the plugin looks at, in every form and block an alias can be written in; it may find
more. The mode tests (tests/integration/test_mode_consistency.py, ``annotated``) pin that a
cold run, which reads them, reports what an incremental run and a daemon, which do not, report.
"""

from __future__ import annotations

from pathlib import Path

import mypy.api
import pytest
from mypy.errors import Errors
from mypy.nodes import MypyFile
from mypy.options import Options
from mypy.parse import parse

from mypy_plugin.annotated import AnnotatedDependencies, _heads_of
from mypy_plugin.config import PluginConfig
from mypy_plugin.consulted import ReadLog

ANNOTATED = frozenset({"Annotated"})
MARKERS = frozenset({"Depends", "Security"})


def heads(text: str, annotated: frozenset[str] = ANNOTATED) -> frozenset[str] | None:
    return _heads_of(tree(text), annotated, MARKERS, {})


def tree(text: str) -> MypyFile:
    options = Options()
    if hasattr(options, "native_parser"):  # mypy >= 2.0 parses lazily outside a build; same trees
        options.native_parser = False
    return parse(text, "aliases.py", "aliases", Errors(options), options)


FOUND = {
    "SessionDep = Annotated[Session, Depends(get_db)]\n": {"Session"},
    "SessionDep: TypeAlias = typing.Annotated[db.Session, Depends(get_db)]\n": {"Session"},
    'SessionDep = TypeAliasType("SessionDep", Annotated[list[Session], Depends(get_db)])\n': {"list"},
    "SessionDep = Annotated[Annotated[Session, 'no call here'], Depends(get_db)]\n": {"Annotated", "Session"},
    "SessionDep = Annotated[Session | None, Depends(get_db)]\n": {"Session"},
    'SessionDep = Annotated["db.Session", Depends(get_db)]\n': {"db", "Session"},
    'SessionDep = Annotated["Sess" "ion", Depends(get_db)]\n': {"Session"},
    'SessionDep = Annotated["\\x53ession", Depends(get_db)]\n': {"Session"},
    "SessionDep = (Annotated  # a comment\n    [db  .  Session, Depends(get_db)])\n": {"Session"},
    "class Deps:\n    SessionDep = Annotated[Session, Depends(get_db)]\n": {"Session"},
    "def route() -> None:\n    if flag:\n        SessionDep = Annotated[Session, Depends(db)]\n": {"Session"},
    "try:\n    pass\nexcept E:\n    SessionDep = Annotated[Session, Depends(get_db)]\n": {"Session"},
    "with lock:\n    for x in y:\n        SessionDep = Annotated[Session, Depends(get_db)]\n": {"Session"},
    "@decorate\ndef route() -> None:\n    SessionDep = Annotated[Session, Depends(get_db)]\n": {"Session"},
    "SessionDep = Annotated[Session, fastapi.Security(get_db)]\n": {"Session"},
    # every name of a string type: mypy checks the alias at the first one it knows
    'SessionDep = Annotated["Undefined | Session", Depends(get_db)]\n': {"Undefined", "Session"},
    'SessionDep = Annotated["\u0938\u0924\u094d\u0930", Depends(get_db)]\n': {"\u0938\u0924\u094d\u0930"},
    # a subscript looked into may not be Annotated after all (a generic class named like it)
    "SessionDep = Annotated[Marked[Session], Depends(get_db)]\n": {"Session", "Marked"},
}

NOT_LOOKED_AT = [
    "async def route(db: Annotated[Session, Depends(get_db)]) -> None: ...\n",
    "session: Annotated[Session, Depends(get_db)] = make()\n",
    "Value = Annotated[str, declaration]  # no call in the metadata\n",
    "Label = Annotated[str, 'not (a call)']\n",
    "items = data[Session, Depends(get_db)]  # not Annotated\n",
    "Name = Annotated[str, Query(max_length=3)]  # no Depends / Security: never a dependency\n",
    "intpk = Annotated[int, mapped_column(primary_key=True)]\n",
    "empty = Annotated[()]\n",
]


@pytest.mark.parametrize("text", FOUND)
def test_the_first_name_of_every_alias_type_is_found(text: str) -> None:
    assert heads(text, frozenset({"Annotated", "Marked"})) == frozenset(FOUND[text])


@pytest.mark.parametrize("text", NOT_LOOKED_AT)
def test_annotations_and_aliases_without_calls_are_left_out(text: str) -> None:
    assert heads(text) == frozenset()


def test_annotated_under_another_name_is_found_by_that_name() -> None:
    text = "SessionDep = Marked[Session, Depends(get_db)]\n"
    assert heads(text) == frozenset()
    assert heads(text, frozenset({"Annotated", "Marked"})) == frozenset({"Session"})


def test_a_type_made_under_another_name_is_noted_as_standing_for_it() -> None:
    originals: dict[str, set[str]] = {}
    _heads_of(tree('TD = TypedDict("TD2", {"x": int})\n'), ANNOTATED, MARKERS, originals)
    assert originals == {"TD": {"TD2"}}


def test_a_type_that_starts_with_no_name_cannot_be_told() -> None:
    assert heads("SessionDep = Annotated[[Session], Depends(get_db)]\n") is None
    assert heads('SessionDep = Annotated["Session[", Depends(get_db)]\n') is None


def test_a_cold_build_reads_them_and_a_warm_one_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mypy.ini").write_text("[mypy]\nplugins = mypy_plugin\n")
    Path("aliases.py").write_text(
        "from typing import Annotated\n\nfrom fastapi import Depends\n\n\nclass Session: ...\n\n\n"
        "def get_db() -> Session:\n    return Session()\n\n\n"
        "SessionDep = Annotated[Session, Depends(get_db)]\n"
    )
    built: list[AnnotatedDependencies] = []
    create = AnnotatedDependencies.__init__

    def created(self: AnnotatedDependencies, config: PluginConfig, log: ReadLog) -> None:
        create(self, config, log)
        built.append(self)

    monkeypatch.setattr(AnnotatedDependencies, "__init__", created)
    for run in ("cold", "warm"):
        Path("aliases.py").touch()
        assert mypy.api.run(["--cache-dir", "cache", "aliases.py"])[2] == 0, run
    cold, warm = built
    assert cold._heads is not None and "Session" in cold._heads
    assert len(cold) > 100  # the table: names answered with no Python call
    assert warm._heads is None and len(warm) == 0

