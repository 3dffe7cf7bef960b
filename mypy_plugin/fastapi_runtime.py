"""What the user's FastAPI release does with a dependency, and how that release is found.

The facts come from ../shared/reference/fastapi-di-runtime.md (observed by running FastAPI)
and are pinned by tests/integration/test_runtime_agreement.py. The release is read from
installed package metadata in the environment mypy type-checks against (never by
importing FastAPI or the user's code), unless the ``fastapi_version`` option names one.
It does not classify dependencies: that is resources.py.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Final

from mypy.modulefinder import get_search_dirs

#: FastAPI 0.123.5 started classifying dependencies through ``inspect.unwrap``, so an
#: ``@asynccontextmanager`` function is taken for a generator dependency and fails.
UNWRAPPING_RELEASE: Final = (0, 123, 5)

#: FastAPI 0.123.10 stopped taking a class for a generator dependency when its ``__call__``
#: is one (it injects the instance; before, every request failed with a TypeError).
CLASS_CALL_RELEASE: Final = (0, 123, 10)

#: FastAPI 0.118.0 runs a generator dependency's code after ``yield`` once the response is
#: sent (before, it ran first and its errors became the response), and names a swallowed
#: endpoint exception "Response not awaited" (before: "No response object was returned").
CLEANUP_AFTER_RESPONSE_RELEASE: Final = (0, 118, 0)

#: Compiled at first use (re keeps it), not at every mypy start.
_VERSION_PATTERN: Final = r"(\d+)\.(\d+)(?:\.(\d+))?"


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``"0.115.14"`` -> ``(0, 115, 14)``; anything else (``"1.0rc1"`` included) -> None."""
    match = re.fullmatch(_VERSION_PATTERN, text.strip())
    if match is None:
        return None
    major, minor, micro = match.groups()
    return int(major), int(minor), int(micro or 0)


class FastAPIRuntime:
    """The behaviour of one FastAPI release; ``version`` None means "not installed"."""

    __slots__ = ("version",)

    def __init__(self, version: tuple[int, int, int] | None) -> None:
        self.version: Final = version

    @property
    def unwraps_dependencies(self) -> bool:
        """True when FastAPI looks through ``__wrapped__`` (contextlib managers fail every request).

        Without an installed FastAPI the newest behaviour is assumed.
        """
        return self.version is None or self.version >= UNWRAPPING_RELEASE

    @property
    def classes_are_never_generators(self) -> bool:
        """True when ``Depends(Cls)`` injects an instance whatever ``Cls.__call__`` is."""
        return self.version is None or self.version >= CLASS_CALL_RELEASE

    @property
    def cleans_up_after_response(self) -> bool:
        """True when the code after a dependency's ``yield`` runs after the response is sent."""
        return self.version is None or self.version >= CLEANUP_AFTER_RESPONSE_RELEASE

    @property
    def label(self) -> str:
        return "not installed" if self.version is None else ".".join(map(str, self.version))


def installed_fastapi_version(python_executable: str | None) -> tuple[int, int, int] | None:
    """Read FastAPI's version from the dist-info of the environment mypy checks against.

    The first ``fastapi-*.dist-info`` (or ``.egg-info``) folder on the search path, as
    importlib.metadata finds it; read directly, as importing importlib.metadata costs more
    than the rest of the plugin's start-up (it runs on every mypy run, warm ones included).
    """
    if python_executable is None or python_executable == sys.executable:
        search_path = sys.path
    else:
        _, search_path = get_search_dirs(python_executable)
    for directory in search_path:
        try:
            entries = os.listdir(directory or ".")
        except OSError:
            continue
        # "fastapi" has no "-", "_" or "." to normalise: its folder's name starts with it, any case.
        found = sorted(
            entry
            for entry in entries
            if entry[:7].lower() == "fastapi"
            and entry[7:8] in ("-", ".")
            and entry.rpartition(".")[2] in _METADATA_FILES
        )
        if found:
            kind = found[0].rpartition(".")[2]
            return _metadata_version(os.path.join(directory, found[0], _METADATA_FILES[kind]))
    return None


#: Installed-distribution folder kind -> the file holding its ``Version:`` (PEP 376 / PEP 566).
_METADATA_FILES: Final = {"dist-info": "METADATA", "egg-info": "PKG-INFO"}


def _metadata_version(path: str) -> tuple[int, int, int] | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as metadata:
            for line in metadata:
                if line.startswith("Version:"):
                    return parse_version(line.partition(":")[2].strip())
                if not line.strip():
                    break  # the headers end at the first blank line
    except OSError:
        pass
    return None
