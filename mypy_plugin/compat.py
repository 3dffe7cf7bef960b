"""The supported mypy range; the only module that reads mypy's version.

Outside the tested range the plugin still loads and warns once on stderr (JukkaL's advice
in python-attrs/attrs#744): refusing to load would break a user's CI on a mypy upgrade.
"""

from __future__ import annotations

import sys
from typing import Final

from mypy_plugin.fastapi_runtime import parse_version

#: Keep in step with pyproject.toml's `mypy>=...,<...` and the README compatibility table.
OLDEST_TESTED: Final = (1, 19, 0)
NEWEST_TESTED: Final = (2, 4, 1)


def warn_if_untested(mypy_version: str) -> None:
    version = parse_version(mypy_version.split("+")[0].split("-")[0])
    if version is None or not OLDEST_TESTED <= version <= _last_patch(NEWEST_TESTED):
        print(
            f"mypy-async-resources: warning: tested with mypy {_label(OLDEST_TESTED)} to "
            f"{_label(NEWEST_TESTED)}, running on {mypy_version}",
            file=sys.stderr,
        )


def _last_patch(version: tuple[int, int, int]) -> tuple[int, int, int]:
    return version[0], version[1], sys.maxsize


def _label(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))
