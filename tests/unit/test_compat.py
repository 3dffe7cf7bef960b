"""Pins the supported-mypy warning of ``mypy_plugin.compat.warn_if_untested``.

Inside the tested range (1.19.0 to any 2.4.x, local and dev suffixes ignored) the plugin
is silent; outside it, or on a version it cannot read, it still loads but prints exactly
one warning line on stderr and nothing on stdout.
"""

from __future__ import annotations

import pytest

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
