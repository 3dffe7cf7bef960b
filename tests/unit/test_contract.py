"""The pure contract analysis (mypy_plugin/contract.py) on shapes the YAML cases do not spell out,
and the source reader it depends on: odd code gives no finding, never an exception.

Each case is a generator function and the violations expected, as (violation, line) pairs in
the function's own numbering (the ``def`` is line 1).
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from mypy_plugin import contract, source
from mypy_plugin.contract import Violation

TWICE, LOOP, NONE = Violation.YIELD_TWICE, Violation.YIELD_IN_LOOP, Violation.NO_YIELD
CLEANUP, SWALLOW = Violation.CLEANUP, Violation.SWALLOW

CASES = {
    "yield_as_expression_counts": ("def f():\n    x = yield 1\n    y = yield x\n", [(TWICE, 3)]),
    "two_yields_in_one_statement": ("def f():\n    x = (yield 1, (yield 2))\n", [(TWICE, 2)]),
    "yield_from_is_not_judged": ("def f():\n    yield from g()\n    yield 1\n", []),
    "yield_in_a_header_is_not_judged": ("def f():\n    with (yield 1):\n        yield 2\n", []),
    "while_true_with_return_after_yield": ("def f():\n    while True:\n        yield 1\n        return\n", []),
    "while_loop_yielding_twice": ("def f():\n    while cond():\n        yield 1\n", [(NONE, 1), (LOOP, 3)]),
    "match_with_wildcard_yields_once": (
        "def f(x):\n    match x:\n        case 1:\n            yield 1\n        case _:\n            yield 2\n",
        [],
    ),
    "match_without_wildcard_can_end": (
        "def f(x):\n    match x:\n        case 1:\n            yield 1\n",
        [(NONE, 1)],
    ),
    "yield_in_finally_after_yield_in_body": (
        "def f():\n    try:\n        yield 1\n    finally:\n        yield 2\n",
        [(TWICE, 5)],
    ),
    "return_in_except_before_any_yield": (
        "def f():\n    try:\n        x = g()\n    except KeyError:\n        return\n    yield x\n",
        [(NONE, 5)],
    ),
    "setup_error_swallowed_is_only_a_swallow": (
        "def f():\n    try:\n        x = g()\n        yield x\n    except Exception:\n        log()\n",
        [(SWALLOW, 5)],
    ),
    "try_star_re_raising_is_right": (
        "def f():\n    try:\n        yield 1\n    except* ValueError:\n        raise\n",
        [],
    ),
    "lambda_and_nested_class_are_not_the_body": (
        "def f():\n    g = lambda: (yield)\n    class C:\n        x = [1]\n    yield g\n",
        [],
    ),
    "dispose_after_yield_in_if_branch": (
        "def f(engine):\n    if engine:\n        yield engine\n        engine.dispose()\n    else:\n        raise E\n",
        [(CLEANUP, 4)],
    ),
    "release_in_the_other_branch_is_not_after_the_yield": (
        "def f(c):\n    if c:\n        yield c\n    else:\n        c.close()\n        raise E\n",
        [],
    ),
    "swallowing_broad_except_hides_cleanup_report": (
        "def f(c):\n    try:\n        yield c\n    except BaseException:\n        pass\n    c.close()\n",
        [(SWALLOW, 4)],
    ),
}


@pytest.mark.parametrize(("text", "expected"), list(CASES.values()), ids=list(CASES))
def test_findings(text: str, expected: list[tuple[Violation, int]]) -> None:
    function = ast.parse(textwrap.dedent(text)).body[0]
    assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))

    found = [(finding.violation, finding.line) for finding in contract.check(function)]

    assert sorted(found, key=lambda pair: pair[1]) == sorted(expected, key=lambda pair: pair[1])


def test_not_a_generator_has_no_findings() -> None:
    function = ast.parse("def f():\n    return 1\n").body[0]
    assert isinstance(function, ast.FunctionDef)

    assert contract.check(function) == []


def test_definition_line_finds_functions_and_methods_by_name(tmp_path: Path) -> None:
    path = tmp_path / "deps.py"
    path.write_text("import x\n\nclass C:\n    def m(self):\n        yield 1\n\n\n@d\nasync def f():\n    yield 2\n")

    assert source.definition_line(str(path), "C.m") == 4
    assert source.definition_line(str(path), "f") == 9


@pytest.mark.parametrize(
    ("text", "name"),
    [
        pytest.param("def f(:\n    yield 1\n", "f", id="its-header-does-not-parse"),
        pytest.param("for x in y:\n    pass\nelse:\n    def f():\n        yield 1\n", "f", id="in-a-for-else"),
        pytest.param('"""\n    def f():\n        yield 1\n"""\n', "f", id="only-in-a-docstring"),
        pytest.param("if X:\n    def f():\n        yield 1\nelse:\n    def f():\n        yield 2\n", "f", id="ambiguous"),
        pytest.param("def g():\n    def f():\n        yield 1\n    return f\n", "f", id="nested-in-a-function"),
        pytest.param("class f:\n    pass\n", "f", id="a-class"),
    ],
)
def test_definition_line_is_none_when_unsure(tmp_path: Path, text: str, name: str) -> None:
    path = tmp_path / "deps.py"
    path.write_text(text)

    assert source.definition_line(str(path), name) is None


def test_definition_line_ignores_syntax_newer_than_python_elsewhere_in_the_module(tmp_path: Path) -> None:
    path = tmp_path / "deps.py"
    path.write_text("class C[T]:\n    pass\n\ntype X = int\n\nasync def f():\n    yield 1\n")

    assert source.definition_line(str(path), "f") == 6


def test_decorator_names_reads_plain_and_multiline_decorators(tmp_path: Path) -> None:
    path = tmp_path / "deps.py"
    path.write_text("@a\n@b.c\ndef f():\n    yield\n\n@logged\nasync def g(\n    x: int,\n) -> None:\n    pass\n\n@d(\n    1,\n)\ndef h():\n    pass\n")

    assert source.decorator_names(str(path), "f") == ["a", "b.c"]
    assert source.decorator_names(str(path), "g") == ["logged"]
    assert source.decorator_names(str(path), "h") is None  # a decorator with arguments


def test_decorator_names_reads_across_blank_and_comment_lines_of_a_method(tmp_path: Path) -> None:
    path = tmp_path / "deps.py"
    path.write_text("class C:\n    @logged\n\n    # why\n    def m(self):\n        yield\n")

    assert source.decorator_names(str(path), "C.m") == ["logged"]


def test_definition_line_skips_example_code_in_docstrings(tmp_path: Path) -> None:
    path = tmp_path / "deps.py"
    path.write_text(
        'class C:\n    """For example::\n\n        def m(self):\n            yield 0\n    """\n\n'
        "    # a comment with \"\"\" in it\n    def m(self):\n        yield 1\n"
    )

    assert source.definition_line(str(path), "C.m") == 9


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("if X:\n    def C(): ...\nelse:\n    class C:\n        def m(self):\n            yield 1\n", 5, id="a-def-and-a-class"),
        pytest.param("if X:\n    class C: ...\nelse:\n    class C:\n        def m(self):\n            yield 1\n", None, id="two-classes"),
    ],
)
def test_definition_line_needs_one_class_of_the_methods_class_name(tmp_path: Path, text: str, line: int | None) -> None:
    path = tmp_path / "deps.py"
    path.write_text(text)

    assert source.definition_line(str(path), "C.m") == line


def test_definition_line_is_none_for_a_missing_file(tmp_path: Path) -> None:
    assert source.definition_line(str(tmp_path / "gone.py"), "f") is None


@pytest.mark.parametrize(
    "separator",
    [
        pytest.param("\x0c", id="form-feed"),
        pytest.param("\x1c", id="file-separator"),
        pytest.param("\x85", id="next-line"),
        pytest.param("\u2028", id="line-separator"),
    ],
)
def test_lines_are_numbered_as_python_numbers_them(tmp_path: Path, separator: str) -> None:
    # str.splitlines() also ends a line at these characters; Python's tokenizer (so mypy) does not.
    path = tmp_path / "deps.py"
    path.write_text(f"# page{separator}break\nasync def get_db(db: 'Session'):\n    yield db\n", encoding="utf-8")

    assert source.definition_line(str(path), "get_db") == 2
    assert ast.unparse(source.parameter_annotations(str(path), 2)["db"]) == "Session"
