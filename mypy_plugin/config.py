"""The plugin's settings: where they are read from, what they may hold, and their defaults.

Sections: ``[tool.mypy-async-resources]`` in pyproject.toml, ``[mypy.plugins.mypy-async-resources]``
in mypy.ini / setup.cfg / .mypy.ini. A bad key or value stops mypy with one message naming
the key and what is allowed (raised as mypy's CompileError, so the CLI and dmypy print it
without a traceback). It does not decide anything about dependencies.
"""

from __future__ import annotations

import configparser
import json
import re
import sys
from typing import Final

from mypy.errors import CompileError
from mypy.options import Options

from mypy_plugin import fullnames
from mypy_plugin.fastapi_runtime import FastAPIRuntime, installed_fastapi_version, parse_version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

NAME: Final = "mypy-async-resources"
TOML_SECTION: Final = f"tool.{NAME}"
INI_SECTION: Final = f"mypy.plugins.{NAME}"

#: key -> (default, what is allowed); the one place a key is declared.
KEYS: Final = {
    "fastapi_version": ("auto", '"auto" or a FastAPI release such as "0.115.14"'),
    "closed_on_exit": (
        (),
        'a list of fully-qualified class names such as ["myapp.db.Database"] '
        "(in an ini file: names separated by commas)",
    ),
}
#: Compiled at first use (re keeps it), not at every mypy start.
_CLASS_NAME: Final = r"[^\W\d]\w*(\.[^\W\d]\w*)+"


def config_error(config_file: str, problem: str) -> CompileError:
    """A bad plugin setting; mypy prints the message and exits with status 2.

    (mypy is compiled with mypyc, so CompileError cannot be subclassed.)
    """
    return CompileError([f"{config_file}: error: {NAME}: {problem}"])


class PluginConfig:
    __slots__ = ("fastapi", "closed_on_exit")

    def __init__(
        self,
        fastapi: FastAPIRuntime,
        closed_on_exit: frozenset[str] = fullnames.CLOSED_ON_EXIT,
    ) -> None:
        self.fastapi: Final = fastapi
        # Classes a with / async with block closes on exit: the built-in table plus the setting.
        self.closed_on_exit: Final = closed_on_exit

    @classmethod
    def from_options(cls, options: Options) -> PluginConfig:
        config_file = options.config_file
        raw = _read_section(config_file) if config_file else {}
        for key in raw:
            if key not in KEYS:
                allowed = ", ".join(f'"{name}"' for name in KEYS)
                raise config_error(
                    str(config_file),
                    f'unknown key "{key}" in [{_section_name(str(config_file))}]; allowed keys: {allowed}',
                )
        return cls(
            fastapi=_fastapi_runtime(
                raw.get("fastapi_version", KEYS["fastapi_version"][0]), str(config_file), options
            ),
            closed_on_exit=fullnames.CLOSED_ON_EXIT
            | _class_names(raw.get("closed_on_exit", KEYS["closed_on_exit"][0]), str(config_file)),
        )

    def as_cache_key(self) -> str:
        """Only what changes verdicts; mypy discards its cache when this changes.

        One string: mypy stores it in every module's cache entry and reads it back for every
        module at every run, and one string costs less to read than a dict of values.
        """
        added = ",".join(sorted(self.closed_on_exit - fullnames.CLOSED_ON_EXIT))
        return f"fastapi_version={self.fastapi.label}; closed_on_exit={added}"


def _fastapi_runtime(value: object, config_file: str, options: Options) -> FastAPIRuntime:
    if value == "auto":
        return FastAPIRuntime(installed_fastapi_version(options.python_executable))
    version = parse_version(value) if isinstance(value, str) else None
    if version is None:
        raise config_error(
            config_file,
            f'invalid value {_quote(value)} for "fastapi_version"; allowed: {KEYS["fastapi_version"][1]}',
        )
    return FastAPIRuntime(version)


def _class_names(value: object, config_file: str) -> frozenset[str]:
    """``["a.B", "c.D"]`` (TOML) or ``a.B, c.D`` (ini; the TOML spelling is accepted there too)."""
    if isinstance(value, str):
        names: object = [name.strip(" \t[]'\"") for name in value.replace("\n", ",").split(",")]
    else:
        names = value
    if not isinstance(names, (list, tuple)) or not all(
        isinstance(name, str) and (not name or re.fullmatch(_CLASS_NAME, name)) for name in names
    ):
        raise config_error(
            config_file, f'invalid value {_quote(value)} for "closed_on_exit"; allowed: {KEYS["closed_on_exit"][1]}'
        )
    return frozenset(name for name in names if name)


def _quote(value: object) -> str:
    """A value as the user wrote it: TOML/JSON spelling for non-strings (``true``, ``["x"]``)."""
    return f'"{value}"' if isinstance(value, str) else json.dumps(value, default=str)


def _section_name(config_file: str) -> str:
    return TOML_SECTION if config_file.endswith(".toml") else INI_SECTION


def _read_section(config_file: str) -> dict[str, object]:
    try:
        if config_file.endswith(".toml"):
            with open(config_file, "rb") as handle:
                table = tomllib.load(handle).get("tool", {}).get(NAME, {})
            if not isinstance(table, dict):
                raise config_error(config_file, f"[{TOML_SECTION}] must be a table")
            return dict(table)
        parser = configparser.RawConfigParser()  # as mypy reads it: no interpolation
        parser.read(config_file)
        if not parser.has_section(INI_SECTION):
            return {}
        # Quotes copied from the TOML form are not part of an ini value.
        return {key: value.strip("'\"") for key, value in parser[INI_SECTION].items()}
    except (OSError, tomllib.TOMLDecodeError, configparser.Error) as error:
        # mypy has already read this file successfully, so this is a race or a plugin-only
        # syntax problem; either way the user needs the reason, not a traceback.
        raise config_error(config_file, f"cannot read the plugin settings: {error}") from error
