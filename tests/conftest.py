"""Shared test setup: the git-ignored folder pytest-mypy-plugins writes its cases into."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    (ROOT / ".pytest-mypy").mkdir(exist_ok=True)
