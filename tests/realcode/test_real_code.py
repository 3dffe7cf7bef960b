"""Precision on real code: the plugin is silent on FastAPI's and SQLModel's own examples and tests.

Each corpus of this environment (corpus.installed(): docs_src/ and tests/ of the installed
FastAPI release's sdist, SQLModel's docs_src/) is type-checked twice, with and without the
plugin, in one mypy run each:
- no error has a ``resource-`` code;
- mypy's own errors are exactly the same in both runs, except the cases in ``EXPLAINED``
  (listed with the reason), where the plugin is right and mypy's verdict changes with them;
- every file of the corpus was checked, and a canary with a known bug, checked in the same run,
  is reported by the plugin: a run where the plugin did not load cannot pass.
"""

from __future__ import annotations

import re
from pathlib import Path

import corpus
import pytest



def _swallow(file: str, line: int, definition: int, error: str) -> str:
    """The printed [resource-dependency-swallow] error of FastAPI's deliberately wrong docs example."""
    return (
        f'{file}:{line}: Dependency "get_username" catches exceptions around its yield without re-raising '
        f"them (line {definition} of {file}); when the endpoint raises one, the request answers 500 with "
        f'"FastAPIError: {error}. ..." instead of the endpoint\'s error  [resource-dependency-swallow]'
    )


_SWALLOW_EXAMPLE = (
    "FastAPI's docs example of the bug (it prints \"Oops, we didn't raise again\"); "
    "tests/test_tutorial/test_dependencies/test_tutorial008c.py expects the FastAPIError"
)

#: (corpus name, or "name version" for one release; error as printed: "file:line: message  [code]")
#: -> why the plugin is right. Each entry must occur with the plugin and not without it.
EXPLAINED: dict[tuple[str, str], str] = {
    (
        "fastapi",
        'tests/test_ambiguous_params.py:50: Parameter "foo" declares a dependency both in Annotated[...] '
        "and as its default value; FastAPI rejects the route when it is declared with "
        '"AssertionError: Cannot specify `Depends` in `Annotated` and default value together"  '
        "[resource-depends-twice]",
    ): "FastAPI's own test declares this route inside pytest.raises(AssertionError): the bug on purpose",
    # Yield-dependency contract (issue 6)
    ("fastapi 0.165.0", _swallow("docs_src/dependencies/tutorial008c.py", 20, 15, "Response not awaited")):
        _SWALLOW_EXAMPLE,
    ("fastapi 0.165.0", _swallow("docs_src/dependencies/tutorial008c_non_an.py", 18, 13, "Response not awaited")):
        _SWALLOW_EXAMPLE,
    ("fastapi 0.115.14", _swallow("docs_src/dependencies/tutorial008c.py", 18, 13, "No response object was returned")):
        _SWALLOW_EXAMPLE,
    ("fastapi 0.115.14", _swallow("docs_src/dependencies/tutorial008c_an.py", 19, 14, "No response object was returned")):
        _SWALLOW_EXAMPLE,
    (
        "fastapi 0.115.14",
        _swallow("docs_src/dependencies/tutorial008c_an_py39.py", 20, 15, "No response object was returned"),
    ): _SWALLOW_EXAMPLE,
    (
        "fastapi 0.165.0",
        'tests/test_stringified_annotation_dependency.py:28: Dependency "get_client" calls "client.close()" '
        'after its yield outside "finally" (line 25 of tests/test_stringified_annotation_dependency.py); when '
        "the endpoint raises, the code after the yield never runs and the resource is never released  "
        "[resource-dependency-cleanup]",
    ): "`yield client` then `await client.close()`: skipped when the endpoint raises. Harmless in this "
    "test (DummyClient.close does nothing, the endpoint never raises), but the pattern the check is for",
}

CANARY = """\
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends


@asynccontextmanager
async def get_db() -> AsyncIterator[int]:
    yield 1


async def endpoint(db: int = Depends(get_db)) -> None: ...
"""
CANARY_CODE = "resource-depends-context-manager"
_CHECKED = re.compile(r"\(checked (\d+) source files?\)|no issues found in (\d+) source files?")


@pytest.mark.parametrize("sdist", corpus.installed(), ids=lambda sdist: sdist.name)
def test_plugin_is_silent_on_real_code(sdist: corpus.Sdist, tmp_path: Path) -> None:
    root = corpus.fetch(sdist)
    files = corpus.python_files(root, sdist.parts)
    canary = tmp_path / "canary_bug.py"
    canary.write_text(CANARY)
    targets = [*sdist.parts, canary]

    with_plugin = corpus.check(root, targets, plugin=True)
    without = corpus.check(root, targets, plugin=False)

    for run in (with_plugin, without):
        match = _CHECKED.search(run.output)
        assert match, run.output[-2000:]
        assert int(match[1] or match[2]) == len(files) + 1, "mypy did not check the whole corpus"
    canary_codes = {error.code for error in with_plugin.errors if error.file == str(canary)}
    assert CANARY_CODE in canary_codes, f"the plugin did not run: the canary got {canary_codes or 'no error'}"
    found = {str(error) for error in with_plugin.errors if error.file != str(canary)}
    plain = {str(error) for error in without.errors if error.file != str(canary)}
    explained = {printed for name, printed in EXPLAINED if name in (sdist.name, f"{sdist.name} {sdist.version}")}
    false_positives = sorted(
        str(error)
        for error in with_plugin.errors
        if error.from_plugin and error.file != str(canary) and str(error) not in explained
    )
    assert false_positives == [], f"{len(false_positives)} plugin errors on correct code"
    assert sorted(found ^ plain) == sorted(explained), "mypy's own errors differ with the plugin"
