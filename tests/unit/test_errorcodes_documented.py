"""Pins that every error code the plugin can emit is documented and exercised.

For each code in ``mypy_plugin.errorcodes.ALL``: docs/error_codes.md has a heading ending in
``[<code>]``, and some YAML case under tests/typecheck expects an error with that code. All
codes are distinct and share the ``resource-`` prefix, so users can silence the plugin with
one pattern and no code collides with mypy's own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy.errorcodes import ErrorCode

from mypy_plugin import errorcodes

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "error_codes.md"
TYPECHECK = ROOT / "tests" / "typecheck"

CODES = [pytest.param(code, id=code.code) for code in errorcodes.ALL]


def yaml_texts() -> dict[Path, str]:
    return {path: path.read_text() for path in sorted(TYPECHECK.rglob("*.y*ml"))}


def test_codes_are_listed() -> None:
    """``ALL`` holds every ErrorCode defined in the module, so the checks below see them all."""
    defined = {value.code for value in vars(errorcodes).values() if isinstance(value, ErrorCode)}

    assert defined, "errorcodes.py defines no ErrorCode"
    assert {code.code for code in errorcodes.ALL} == defined


def test_codes_are_unique() -> None:
    names = [code.code for code in errorcodes.ALL]

    assert len(names) == len(set(names)), names


@pytest.mark.parametrize("code", CODES)
def test_code_has_resource_prefix(code: ErrorCode) -> None:
    assert code.code.startswith("resource-")


@pytest.mark.parametrize("code", CODES)
def test_code_has_docs_heading(code: ErrorCode) -> None:
    assert DOCS.is_file(), f"{DOCS.relative_to(ROOT)} is missing"
    heading = re.compile(rf"^#+ .*\[{re.escape(code.code)}\]\s*$", re.MULTILINE)

    assert heading.search(DOCS.read_text()), (
        f"{DOCS.relative_to(ROOT)} has no heading ending in [{code.code}]"
    )


@pytest.mark.parametrize("code", CODES)
def test_code_is_asserted_by_a_yaml_case(code: ErrorCode) -> None:
    # An expected error: `# E: ...  [code]` in `main:`, or `file:line: error: ...  [code]` in `out:`.
    expectation = re.compile(rf"(# E: |: error: ).*  \[{re.escape(code.code)}\]")
    texts = yaml_texts()

    assert texts, f"no YAML cases under {TYPECHECK.relative_to(ROOT)}"
    assert any(expectation.search(text) for text in texts.values()), (
        f"no YAML case under {TYPECHECK.relative_to(ROOT)} expects an error with [{code.code}]"
    )
