"""Pins what the plugin assumes of the running mypy.

The supported-mypy warning of ``mypy_plugin.compat.warn_if_untested``: inside the tested
range (1.19.0 to any 2.4.x, local and dev suffixes ignored) the plugin is silent; outside it,
or on a version it cannot read, it still loads but prints exactly one warning line on stderr
and nothing on stdout. And the hooks the plugin has none of, which it answers with an empty
dict: each is a hook getter of mypy's ``Plugin`` (a name mypy renamed would answer nothing).
"""

from __future__ import annotations

import pytest
from mypy.options import Options
from mypy.plugin import Plugin

from mypy_plugin import _NO_HOOKS, AsyncResourcesPlugin
from mypy_plugin.compat import warn_if_untested


@pytest.mark.parametrize(
    "version",
    [
        pytest.param("1.19.0", id="oldest-tested"),
        pytest.param("1.19.1", id="floor-pin"),
        pytest.param("2.4.1", id="newest-pin"),
        pytest.param("2.4.7", id="later-patch-of-newest"),
        pytest.param("1.19.1+dev.0123abcd", id="local-version"),
        pytest.param("2.4.1-dev", id="dash-suffix"),
    ],
)
def test_tested_version_is_silent(version: str, capsys: pytest.CaptureFixture[str]) -> None:
    warn_if_untested(version)

    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize(
    "version",
    [
        pytest.param("1.18.2", id="too-old"),
        pytest.param("2.5.0", id="too-new"),
        pytest.param("2.5.0+dev.0123abcd", id="too-new-dev"),
        pytest.param("garbage", id="unreadable"),
        pytest.param("2.5.0rc1", id="release-candidate"),
    ],
)
def test_untested_version_warns(version: str, capsys: pytest.CaptureFixture[str]) -> None:
    warn_if_untested(version)

    assert capsys.readouterr() == (
        "",
        f"mypy-async-resources: warning: tested with mypy 1.19.0 to 2.4.1, running on {version}\n",
    )


@pytest.mark.parametrize("name", _NO_HOOKS)
def test_hooks_it_has_none_of_are_mypys_and_answer_none(name: str) -> None:
    plugin = AsyncResourcesPlugin(Options())

    assert callable(getattr(Plugin, name, None)), f"mypy's Plugin has no {name}"
    assert getattr(plugin, name)("contextlib.asynccontextmanager") is None
