"""Pins that every name in mypy_plugin/fullnames.py exists in the installed packages.

The plugin matches these strings against what mypy reports; if FastAPI (or the standard
library) moved a name, the hooks would silently stop firing. Each constant is resolved at
run time with ``importlib.import_module`` + ``getattr``. Non-``typing`` names must also be
*defined* where the name says, not merely re-exported there, because mypy reports the
defining module. The ``typing`` names are typeshed's home of the ``collections.abc``
protocols, so at run time they must be aliases of exactly those.
"""

from __future__ import annotations

import collections.abc
import importlib
import typing
from types import ModuleType

import pytest

from mypy_plugin import fullnames

NAMES = {
    constant: value
    for constant, value in vars(fullnames).items()
    if constant.isupper() and isinstance(value, str)
}
PARAMS = [pytest.param(value, id=constant) for constant, value in NAMES.items()]
TYPING_PARAMS = [pytest.param(value, id=name) for name, value in NAMES.items() if value.startswith("typing.")]
OTHER_PARAMS = [
    pytest.param(value, id=name) for name, value in NAMES.items() if not value.startswith("typing.")
]


def resolve(fullname: str) -> object:
    """The object ``fullname`` names: the longest importable module prefix, then attributes."""
    parts = fullname.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            target = getattr(target, attribute)
        return target
    raise ModuleNotFoundError(f"no module of {fullname!r} can be imported")


def test_names_are_found() -> None:
    assert len(NAMES) >= 10, sorted(NAMES)


@pytest.mark.parametrize("fullname", PARAMS)
def test_name_resolves(fullname: str) -> None:
    target = resolve(fullname)

    assert not isinstance(target, ModuleType), f"{fullname} is a module, not a definition"


@pytest.mark.parametrize("fullname", OTHER_PARAMS)
def test_name_is_the_defining_module(fullname: str) -> None:
    target = resolve(fullname)

    assert f"{target.__module__}.{target.__qualname__}" == fullname  # type: ignore[attr-defined]


@pytest.mark.parametrize("fullname", TYPING_PARAMS)
def test_typing_name_is_the_collections_abc_protocol(fullname: str) -> None:
    name = fullname.removeprefix("typing.")

    assert typing.get_origin(resolve(fullname)) is getattr(collections.abc, name)
