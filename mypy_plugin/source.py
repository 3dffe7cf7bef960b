"""Read back what mypy's parser dropped: the annotations of a ``def`` header, as ``ast``.

mypy turns ``Depends(get_db)`` inside a signature's ``Annotated[...]`` into a placeholder
that keeps only a position (see ../shared/reference/mypy-internals.md), and positions inside
string annotations are relative to the string. So the plugin re-reads the header of the
function from its source file. Only the header (from ``def`` to its ``:``) is parsed, so
syntax newer than the running Python elsewhere in the file does not matter; a header that
cannot be read or parsed gives None, and the caller stays silent.
"""

from __future__ import annotations

import ast
import itertools
import os
import re
import tokenize
from functools import lru_cache

_BRACKETS_OPEN = frozenset("([{")
_BRACKETS_CLOSE = frozenset(")]}")
_DOTTED_NAME = re.compile(r"[^\W\d]\w*(?:\s*\.\s*[^\W\d]\w*)*")


def parameter_annotations(path: str, line: int) -> dict[str, ast.expr]:
    """Parameter name -> annotation expression of the function whose ``def`` is on ``line``.

    String annotations are parsed into expressions too. Empty when anything is unreadable.
    """
    header = _def_header(_source_lines(path), line)
    if header is None:
        return {}
    try:
        module = ast.parse(header + " ...")
    except (SyntaxError, ValueError):
        return {}
    function = module.body[0] if module.body else None
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {}
    arguments = function.args
    parameters = [
        *arguments.posonlyargs,
        *arguments.args,
        *([arguments.vararg] if arguments.vararg else []),
        *arguments.kwonlyargs,
        *([arguments.kwarg] if arguments.kwarg else []),
    ]
    annotations = {}
    for parameter in parameters:
        annotation = _unquoted(parameter.annotation) if parameter.annotation is not None else None
        if annotation is not None:
            annotations[parameter.arg] = annotation
    return annotations


def _unquoted(annotation: ast.expr) -> ast.expr | None:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            return ast.parse(annotation.value.strip(), mode="eval").body
        except (SyntaxError, ValueError):
            return None
    return annotation


def _source_lines(path: str) -> tuple[str, ...]:
    try:
        status = os.stat(path)
    except OSError:
        return ()
    return _read_lines(path, status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=32)
def _read_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    """The file's lines; the key includes mtime and size so an edited file (dmypy) is re-read."""
    try:
        with tokenize.open(path) as source:
            return tuple(source.read().splitlines(keepends=True))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return ()


def _def_header(lines: tuple[str, ...], line: int) -> str | None:
    """The text from the ``def`` on ``line`` (1-based) to the ``:`` that ends its header."""
    if not 1 <= line <= len(lines):
        return None
    first = lines[line - 1].lstrip()
    if not first.startswith(("def ", "async ")):
        return None
    remaining = itertools.chain([first], itertools.islice(lines, line, None))
    read: list[str] = []

    def readline() -> str:
        text = next(remaining, "")
        read.append(text)
        return text

    depth = 0
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type != tokenize.OP:
                continue
            if token.string in _BRACKETS_OPEN:
                depth += 1
            elif token.string in _BRACKETS_CLOSE:
                depth -= 1
            elif token.string == ":" and depth == 0:
                end_line, end_column = token.end
                return "".join(read[: end_line - 1]) + read[end_line - 1][:end_column]
    except (tokenize.TokenError, SyntaxError):
        return None
    return None


def name_at(path: str, line: int, column: int) -> str | None:
    """The dotted name written at a position (``Depends`` in ``Depends(get_db)``), if any."""
    lines = _source_lines(path)
    if not 1 <= line <= len(lines):
        return None
    match = _DOTTED_NAME.match(lines[line - 1], column)
    return match.group(0) if match else None


def is_string_at(path: str, line: int, column: int) -> bool:
    """Whether a quote starts at the position: the annotation there is a string."""
    lines = _source_lines(path)
    return 1 <= line <= len(lines) and lines[line - 1][column : column + 1] in ("'", '"')


def function_definition(path: str, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The whole function whose ``def`` is on ``line``, parsed on its own (``function_text``).

    Callers go through ``consulted.Modules.function_definition``, which notes the read.
    """
    text = function_text(path, line)
    if text is None:
        return None
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    function = module.body[0] if module.body else None
    return function if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def function_text(path: str, line: int) -> str | None:
    """The function whose ``def`` is on ``line``: its header, then the lines indented deeper
    than the ``def`` (blank and comment lines included), dedented to column 0."""
    lines = _source_lines(path)
    header = _def_header(lines, line)
    if header is None:
        return None
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
    end = line + header.count("\n")  # the line holding the header's closing colon
    while end < len(lines):
        text = lines[end]
        stripped = text.strip()
        if stripped and not stripped.startswith("#") and len(text) - len(text.lstrip()) <= indent:
            break
        end += 1
    return "".join(text[indent:] if not text[:indent].strip() else "\n" for text in lines[line - 1 : end])


def definition_line(path: str, qualified_name: str) -> int | None:
    """The ``def`` line of the function ``name`` or ``Class.name`` of the module at ``path``.

    mypy does not keep the line of a definition it loads from its cache, so a function of
    another module is found by its qualified name, which every run (cold, warm, daemon) has;
    the caller then reads it with ``function_definition``.
    """
    definition = _definition(path, qualified_name)
    return definition.lineno if definition is not None else None


def decorator_names(path: str, qualified_name: str) -> list[str] | None:
    """The decorators of the function ``name`` or ``Class.name``, as dotted names; None when
    it is not found or one of them is not a plain name (``@decorator(arguments)``)."""
    definition = _definition(path, qualified_name)
    if definition is None:
        return None
    names = [_dotted(decorator) for decorator in definition.decorator_list]
    return None if None in names else [name for name in names if name is not None]


def _dotted(expression: ast.expr) -> str | None:
    if isinstance(expression, ast.Name):
        return expression.id
    if isinstance(expression, ast.Attribute):
        head = _dotted(expression.value)
        return f"{head}.{expression.attr}" if head is not None else None
    return None


def _definition(path: str, qualified_name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """None unless exactly one definition has that name at module (or class) level; definitions
    inside functions are not looked at, the branches of ``if`` / ``try`` / ``with`` are
    (conditional definitions with the same name are ambiguous: None)."""
    module = _module(path)
    scope: list[ast.stmt] = module.body if module is not None else []
    *classes, name = qualified_name.split(".")
    for part in classes:
        found = [node for node in _top_level(scope) if isinstance(node, ast.ClassDef) and node.name == part]
        if len(found) != 1:
            return None
        scope = found[0].body
    definitions = [
        node
        for node in _top_level(scope)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name
    ]
    if len(definitions) != 1 or isinstance(definitions[0], ast.ClassDef):
        return None
    return definitions[0]


def _module(path: str) -> ast.Module | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return _parse_module(path, status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=64)
def _parse_module(path: str, mtime_ns: int, size: int) -> ast.Module | None:
    """The whole module; the key includes mtime and size so an edited file (dmypy) is re-read."""
    lines = _read_lines(path, mtime_ns, size)
    try:
        return ast.parse("".join(lines), path) if lines else None
    except (SyntaxError, ValueError):
        return None


def _top_level(statements: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of a module or class body, with those of its if / try / with blocks."""
    found: list[ast.stmt] = []
    for statement in statements:
        found.append(statement)
        if isinstance(statement, (ast.If, ast.Try, ast.With)):
            blocks = [statement.body, getattr(statement, "orelse", []), getattr(statement, "finalbody", [])]
            blocks += [handler.body for handler in getattr(statement, "handlers", [])]
            for block in blocks:
                found += _top_level(block)
    return found
