"""Pins every path through ``PluginConfig.from_options`` and what it reports to mypy's cache.

Settings come from ``[tool.mypy-async-resources]`` in a TOML file (pyproject.toml) or
``[mypy.plugins.mypy-async-resources]`` in an INI file (mypy.ini, .mypy.ini, setup.cfg); with
neither, ``fastapi_version`` is ``"auto"``. Every bad setting stops mypy with one exact
message, raised as mypy's ``CompileError`` so that the CLI prints it without a traceback:
the end-to-end tests run mypy itself to prove that.
"""

from __future__ import annotations

import configparser
import importlib.metadata
import sys
import venv
from collections.abc import Callable
from pathlib import Path

import mypy.api
import pytest
from mypy.errors import CompileError
from mypy.options import Options
from mypy.plugin import ReportConfigContext

from mypy_plugin import AsyncResourcesPlugin, __version__, fullnames
from mypy_plugin.config import PluginConfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

TOML_SECTION = "[tool.mypy-async-resources]"
INI_SECTION = "[mypy.plugins.mypy-async-resources]"
ALLOWED_VALUES = '"auto" or a FastAPI release such as "0.115.14"'
CLOSED_ON_EXIT_VALUES = (
    'a list of fully-qualified class names such as ["myapp.db.Database"] (in an ini file: names separated by commas)'
)


def toml_text(value: str) -> str:
    """A pyproject.toml enabling the plugin, with ``value`` as a TOML string."""
    return f'[tool.mypy]\nplugins = ["mypy_plugin"]\n\n{TOML_SECTION}\nfastapi_version = "{value}"\n'


def ini_text(value: str) -> str:
    """A mypy.ini / setup.cfg enabling the plugin; INI values are written unquoted."""
    return f"[mypy]\nplugins = mypy_plugin\n\n{INI_SECTION}\nfastapi_version = {value}\n"


#: file name -> how to write a config file of that kind holding a given fastapi_version.
CONFIG_FILES: dict[str, Callable[[str], str]] = {
    "pyproject.toml": toml_text,
    "mypy.ini": ini_text,
    ".mypy.ini": ini_text,
    "setup.cfg": ini_text,
}


def installed_fastapi() -> tuple[int, int, int]:
    major, minor, micro = importlib.metadata.version("fastapi").split(".")[:3]
    return int(major), int(minor), int(micro)


def options_for(config_file: Path | None) -> Options:
    """Real mypy options, as mypy fills them after reading ``config_file``."""
    options = Options()
    options.config_file = None if config_file is None else str(config_file)
    return options


def load(config_file: Path) -> PluginConfig:
    return PluginConfig.from_options(options_for(config_file))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def load_error(config_file: Path) -> list[str]:
    with pytest.raises(CompileError) as raised:
        load(config_file)
    return list(raised.value.messages)


# --- valid settings ---------------------------------------------------------------------------


@pytest.mark.parametrize("file_name", CONFIG_FILES)
@pytest.mark.parametrize(
    ("value", "version", "unwraps"),
    [
        pytest.param("0.115.14", (0, 115, 14), False, id="floor-release"),
        pytest.param("0.123", (0, 123, 0), False, id="two-part-release"),
        pytest.param("0.123.4", (0, 123, 4), False, id="last-release-before-unwrapping"),
        pytest.param("0.123.5", (0, 123, 5), True, id="first-unwrapping-release"),
        pytest.param("0.165.0", (0, 165, 0), True, id="later-release"),
        pytest.param("1.0", (1, 0, 0), True, id="next-major"),
    ],
)
def test_explicit_fastapi_version(
    tmp_path: Path, file_name: str, value: str, version: tuple[int, int, int], unwraps: bool
) -> None:
    config = load(write(tmp_path, file_name, CONFIG_FILES[file_name](value)))

    assert config.fastapi.version == version
    assert config.fastapi.unwraps_dependencies is unwraps


@pytest.mark.parametrize("file_name", CONFIG_FILES)
def test_auto_reads_the_installed_fastapi(tmp_path: Path, file_name: str) -> None:
    config = load(write(tmp_path, file_name, CONFIG_FILES[file_name]("auto")))

    assert config.fastapi.version == installed_fastapi()
    assert config.fastapi.unwraps_dependencies is (installed_fastapi() >= (0, 123, 5))


@pytest.mark.parametrize(
    ("file_name", "text"),
    [
        pytest.param("pyproject.toml", '[tool.mypy]\nplugins = ["mypy_plugin"]\n', id="toml"),
        pytest.param("mypy.ini", "[mypy]\nplugins = mypy_plugin\n", id="ini"),
        pytest.param(
            "setup.cfg", "[metadata]\nname = app\n\n[mypy]\nplugins = mypy_plugin\n", id="setup-cfg"
        ),
        pytest.param("pyproject.toml", "[tool.ruff]\nline-length = 110\n", id="toml-without-mypy"),
    ],
)
def test_missing_section_means_auto(tmp_path: Path, file_name: str, text: str) -> None:
    config = load(write(tmp_path, file_name, text))

    assert config.fastapi.version == installed_fastapi()


def test_no_config_file_means_auto() -> None:
    config = PluginConfig.from_options(options_for(None))

    assert config.fastapi.version == installed_fastapi()


@pytest.mark.parametrize(
    ("folder", "file_name"),
    [("FastAPI-0.99.1.dist-info", "METADATA"), ("fastapi.egg-info", "PKG-INFO")],
)
def test_auto_reads_the_first_fastapi_metadata_on_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, folder: str, file_name: str
) -> None:
    """As importlib.metadata finds it: the folder's name is normalized, its file says the version."""
    first, second = tmp_path / "first", tmp_path / "second"
    (first / folder).mkdir(parents=True)
    (first / folder / file_name).write_text("Metadata-Version: 2.1\nName: fastapi\nVersion: 0.99.1\n\nVersion: 9.9.9\n")
    (second / "fastapi-0.120.0.dist-info").mkdir(parents=True)
    (second / "fastapi-0.120.0.dist-info" / "METADATA").write_text("Name: fastapi\nVersion: 0.120.0\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(first), str(second)])

    assert PluginConfig.from_options(options_for(None)).fastapi.version == (0, 99, 1)


def test_auto_reads_the_checked_environment_not_mypys(tmp_path: Path) -> None:
    """``python_executable`` names the environment being checked; one without FastAPI is
    "not installed", and then the newest FastAPI behaviour is assumed."""
    venv.create(tmp_path / "bare", with_pip=False)
    options = options_for(write(tmp_path, "mypy.ini", ini_text("auto")))
    options.python_executable = str(tmp_path / "bare" / "bin" / "python")

    config = PluginConfig.from_options(options)

    assert config.fastapi.version is None
    assert config.fastapi.unwraps_dependencies is True


# --- bad settings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "text", "problem"),
    [
        pytest.param(
            "mypy.ini",
            f"{INI_SECTION}\nfastapi = 0.115.14\n",
            f'unknown key "fastapi" in {INI_SECTION}; allowed keys: "fastapi_version", "closed_on_exit"',
            id="ini-unknown-key",
        ),
        pytest.param(
            "setup.cfg",
            f"{INI_SECTION}\nfastapi_version = 0.115.14\nstrict = true\n",
            f'unknown key "strict" in {INI_SECTION}; allowed keys: "fastapi_version", "closed_on_exit"',
            id="setup-cfg-unknown-key",
        ),
        pytest.param(
            "pyproject.toml",
            f'{TOML_SECTION}\nfastapi-version = "0.115.14"\n',
            f'unknown key "fastapi-version" in {TOML_SECTION}; allowed keys: "fastapi_version", "closed_on_exit"',
            id="toml-unknown-key",
        ),
        pytest.param(
            "mypy.ini",
            ini_text("latest"),
            f'invalid value "latest" for "fastapi_version"; allowed: {ALLOWED_VALUES}',
            id="ini-bad-value",
        ),
        pytest.param(
            "mypy.ini",
            ini_text(""),
            f'invalid value "" for "fastapi_version"; allowed: {ALLOWED_VALUES}',
            id="ini-empty-value",
        ),
        pytest.param(
            "setup.cfg",
            ini_text("1.0rc1"),
            f'invalid value "1.0rc1" for "fastapi_version"; allowed: {ALLOWED_VALUES}',
            id="setup-cfg-prerelease-value",
        ),
        pytest.param(
            "pyproject.toml",
            toml_text("0.115.x"),
            f'invalid value "0.115.x" for "fastapi_version"; allowed: {ALLOWED_VALUES}',
            id="toml-bad-value",
        ),
        pytest.param(
            "pyproject.toml",
            f"{TOML_SECTION}\nfastapi_version = 115\n",
            f'invalid value 115 for "fastapi_version"; allowed: {ALLOWED_VALUES}',
            id="toml-integer-value",
        ),
        pytest.param(
            "pyproject.toml",
            f"{TOML_SECTION}\nfastapi_version = 0.115\n",
            f'invalid value 0.115 for "fastapi_version"; allowed: {ALLOWED_VALUES}',
            id="toml-float-value",
        ),
        pytest.param(
            "pyproject.toml",
            f"{TOML_SECTION}\nfastapi_version = true\n",
            f'invalid value true for "fastapi_version"; allowed: {ALLOWED_VALUES}',
            id="toml-boolean-value-in-toml-spelling",
        ),
        pytest.param(
            "pyproject.toml",
            f"{TOML_SECTION}\nclosed_on_exit = true\n",
            f'invalid value true for "closed_on_exit"; allowed: {CLOSED_ON_EXIT_VALUES}',
            id="toml-closed-on-exit-not-a-list",
        ),
        pytest.param(
            "pyproject.toml",
            f'{TOML_SECTION}\nclosed_on_exit = ["Database", 3]\n',
            f'invalid value ["Database", 3] for "closed_on_exit"; allowed: {CLOSED_ON_EXIT_VALUES}',
            id="toml-closed-on-exit-bad-items",
        ),
        pytest.param(
            "mypy.ini",
            f"{INI_SECTION}\nclosed_on_exit = myapp.db.Database, my app.Client\n",
            f'invalid value "myapp.db.Database, my app.Client" for "closed_on_exit"; '
            f"allowed: {CLOSED_ON_EXIT_VALUES}",
            id="ini-closed-on-exit-not-a-class-name",
        ),
        pytest.param(
            "pyproject.toml",
            '[tool]\n"mypy-async-resources" = "0.115.14"\n',
            f"{TOML_SECTION} must be a table",
            id="toml-section-not-a-table",
        ),
    ],
)
def test_bad_setting_message(tmp_path: Path, file_name: str, text: str, problem: str) -> None:
    config_file = write(tmp_path, file_name, text)

    assert load_error(config_file) == [f"{config_file}: error: mypy-async-resources: {problem}"]


def test_unreadable_toml_message(tmp_path: Path) -> None:
    text = f"{TOML_SECTION}\nfastapi_version 0.115.14\n"
    config_file = write(tmp_path, "pyproject.toml", text)
    with pytest.raises(tomllib.TOMLDecodeError) as reason:
        tomllib.loads(text)

    assert load_error(config_file) == [
        f"{config_file}: error: mypy-async-resources: cannot read the plugin settings: {reason.value}"
    ]


def test_unreadable_ini_message(tmp_path: Path) -> None:
    text = f"{INI_SECTION}\nfastapi_version\n"
    config_file = write(tmp_path, "mypy.ini", text)
    with pytest.raises(configparser.Error) as reason:
        configparser.RawConfigParser().read(str(config_file))

    assert load_error(config_file) == [
        f"{config_file}: error: mypy-async-resources: cannot read the plugin settings: {reason.value}"
    ]


def test_vanished_toml_message(tmp_path: Path) -> None:
    config_file = tmp_path / "pyproject.toml"

    assert load_error(config_file) == [
        f"{config_file}: error: mypy-async-resources: cannot read the plugin settings: "
        f"[Errno 2] No such file or directory: '{config_file}'"
    ]


@pytest.mark.parametrize(
    ("file_name", "text"),
    [
        pytest.param("mypy.ini", ini_text("latest"), id="ini"),
        pytest.param("pyproject.toml", toml_text("latest"), id="toml"),
    ],
)
def test_bad_setting_stops_mypy_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file_name: str, text: str
) -> None:
    """Through mypy's CLI: exit status 2, the message on stderr, no crash report."""
    config_file = write(tmp_path, file_name, text)
    write(tmp_path, "app.py", "x: int = 1\n")
    monkeypatch.chdir(tmp_path)

    stdout, stderr, status = mypy.api.run(
        ["--config-file", str(config_file), "--cache-dir", str(tmp_path / "cache"), "app.py"]
    )

    assert status == 2, stdout + stderr
    expected = (
        f'{config_file}: error: mypy-async-resources: invalid value "latest" for "fastapi_version"; '
        f"allowed: {ALLOWED_VALUES}"
    )
    assert expected in stderr.splitlines()
    for crash_sign in ("INTERNAL ERROR", "Traceback"):
        assert crash_sign not in stdout + stderr


# --- what reaches mypy's cache ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label"),
    [
        pytest.param("0.115.14", "0.115.14", id="full-release"),
        pytest.param("0.123", "0.123.0", id="two-part-release-normalised"),
        pytest.param("0.165.0", "0.165.0", id="later-release"),
    ],
)
def test_cache_key_names_the_fastapi_release(tmp_path: Path, value: str, label: str) -> None:
    config = load(write(tmp_path, "mypy.ini", ini_text(value)))

    assert config.as_cache_key() == f"fastapi_version={label}; closed_on_exit="


def test_cache_key_of_auto_is_the_installed_release(tmp_path: Path) -> None:
    """So upgrading FastAPI invalidates mypy's cache even though the config file did not change."""
    config = load(write(tmp_path, "mypy.ini", ini_text("auto")))

    assert config.as_cache_key() == f"fastapi_version={importlib.metadata.version('fastapi')}; closed_on_exit="


def test_cache_key_without_fastapi(tmp_path: Path) -> None:
    venv.create(tmp_path / "bare", with_pip=False)
    options = options_for(None)
    options.python_executable = str(tmp_path / "bare" / "bin" / "python")

    assert PluginConfig.from_options(options).as_cache_key() == "fastapi_version=not installed; closed_on_exit="


def test_plugin_reports_the_cache_key_to_mypy(tmp_path: Path) -> None:
    options = options_for(write(tmp_path, "mypy.ini", ini_text("0.115.14")))
    plugin = AsyncResourcesPlugin(options)

    reported = plugin.report_config_data(ReportConfigContext(id="app", path="app.py", is_check=False))

    assert reported == {"mypy-async-resources": f"plugin_version={__version__}; fastapi_version=0.115.14; closed_on_exit="}


@pytest.mark.parametrize(
    ("file_name", "text"),
    [
        pytest.param("pyproject.toml", f'{TOML_SECTION}\nclosed_on_exit = ["myapp.db.Database", "lib.Client"]\n', id="toml"),
        pytest.param("mypy.ini", f"{INI_SECTION}\nclosed_on_exit = myapp.db.Database, lib.Client\n", id="ini"),
        pytest.param("mypy.ini", f"{INI_SECTION}\nclosed_on_exit =\n    myapp.db.Database\n    lib.Client\n", id="ini-lines"),
        pytest.param("setup.cfg", f'{INI_SECTION}\nclosed_on_exit = ["myapp.db.Database", "lib.Client"]\n', id="ini-toml-spelling"),
    ],
)
def test_closed_on_exit_adds_to_the_built_in_table(tmp_path: Path, file_name: str, text: str) -> None:
    config = load(write(tmp_path, file_name, text))

    assert config.closed_on_exit == fullnames.CLOSED_ON_EXIT | {"myapp.db.Database", "lib.Client"}
    assert config.as_cache_key().endswith("; closed_on_exit=lib.Client,myapp.db.Database")


def test_quoted_ini_value_is_read_like_the_toml_form(tmp_path: Path) -> None:
    config_file = tmp_path / "mypy.ini"
    config_file.write_text(f'[mypy]\nplugins = mypy_plugin\n\n{INI_SECTION}\nfastapi_version = "0.115.14"\n')
    options = Options()
    options.config_file = str(config_file)
    assert PluginConfig.from_options(options).fastapi.version == (0, 115, 14)
