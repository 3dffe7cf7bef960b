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
from collections.abc import Iterator, Mapping
from functools import lru_cache

_HEADER_LINES = 40  # the longest header tried line by line before tokenizing
_BRACKETS_OPEN = frozenset("([{")
_BRACKETS_CLOSE = frozenset(")]}")
#: Compiled at first use (re keeps it), not at every mypy start, like _HEADER.
_DOTTED_NAME = r"[^\W\d]\w*(?:\s*\.\s*[^\W\d]\w*)*"


def parameter_annotations(path: str, line: int) -> Mapping[str, ast.expr]:
    """Parameter name -> annotation expression of the function whose ``def`` is on ``line``.

    String annotations are parsed into expressions too. Empty when anything is unreadable.
    """
    return _parameter_annotations(path, *stamp(path), line)


@lru_cache(maxsize=16)  # asked once per Annotated parameter: a function's are read once
def _parameter_annotations(path: str, mtime_ns: int, size: int, line: int) -> Mapping[str, ast.expr]:
    header = _header(path, mtime_ns, size, line)
    if header is None:
        return {}
    arguments = header[1].args
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


def stamp(path: str) -> tuple[int, int]:
    """The file's modification time (ns) and size; ``(0, -1)`` when it cannot be read."""
    try:
        status = os.stat(path)
    except OSError:
        return 0, -1
    return status.st_mtime_ns, status.st_size


@lru_cache(maxsize=32)
def _read_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    """The file's lines; the key includes mtime and size so an edited file (dmypy) is re-read."""
    try:
        with tokenize.open(path) as source:
            return tuple(source.readlines())  # only "\n" ends a line, as for the tokenizer
    except (OSError, SyntaxError, UnicodeDecodeError):
        return ()


@lru_cache(maxsize=64)  # each header is asked for by several checks; parsing is the cost
def _header(
    path: str, mtime_ns: int, size: int, line: int
) -> tuple[str, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """The header of the ``def`` on ``line`` (1-based): its text up to the ``:`` that ends it,
    and that text parsed (with ``...`` as the body). None when there is none or it does not parse."""
    lines = _read_lines(path, mtime_ns, size)
    if not 1 <= line <= len(lines):
        return None
    first = lines[line - 1].lstrip()
    if not first.startswith(("def ", "async ")):
        return None
    # Usually the header ends at the first line ending in ":" after which it parses: no need to
    # tokenize (pure Python, and slow). A header that does not end a line is tokenized below.
    text = ""
    for part in itertools.chain([first], itertools.islice(lines, line, line + _HEADER_LINES)):
        text += part
        header = text.rstrip()
        if header.endswith(":"):
            function = _parsed(header)
            if function is not None:
                return header, function
    tokenized = _tokenized_header(itertools.chain([first], itertools.islice(lines, line, None)))
    if tokenized is None:
        return None
    function = _parsed(tokenized)
    return (tokenized, function) if function is not None else None


def _tokenized_header(remaining: Iterator[str]) -> str | None:
    """The text up to the first ``:`` outside brackets, strings and comments."""
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


def _parsed(header: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    try:
        module = ast.parse(f"{header} ...")
    except (SyntaxError, ValueError):
        return None
    function = module.body[0] if module.body else None
    return function if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def lines(path: str) -> tuple[str, ...]:
    """The file's lines (read again only when its mtime or size changed); empty if unreadable."""
    return _read_lines(path, *stamp(path))


def name_at(lines: tuple[str, ...], line: int, column: int) -> str | None:
    """The dotted name written at a position (``Depends`` in ``Depends(get_db)``), if any."""
    if not 1 <= line <= len(lines):
        return None
    match = re.compile(_DOTTED_NAME).match(lines[line - 1], column)
    return match.group(0) if match else None


def is_string_at(lines: tuple[str, ...], line: int, column: int) -> bool:
    """Whether a quote starts at the position: the annotation there is a string."""
    return 1 <= line <= len(lines) and lines[line - 1][column : column + 1] in ("'", '"')


def function_definition(path: str, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The whole function whose ``def`` is on ``line``, parsed on its own (``function_text``).

    Callers go through ``consulted.Modules.function``, which notes the read, and never change
    the tree: a dependency used by many parameters is parsed once per version of its file.
    """
    return _function_definition(path, *stamp(path), line)


@lru_cache(maxsize=64)
def _function_definition(
    path: str, mtime_ns: int, size: int, line: int
) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
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
    mtime_ns, size = stamp(path)
    found = _header(path, mtime_ns, size, line)
    if found is None:
        return None
    header = found[0]
    text_lines = _read_lines(path, mtime_ns, size)
    indent = len(text_lines[line - 1]) - len(text_lines[line - 1].lstrip())
    end = line + header.count("\n")  # the line holding the header's closing colon
    while end < len(text_lines):
        text = text_lines[end]
        stripped = text.strip()
        if stripped and not stripped.startswith("#") and len(text) - len(text.lstrip()) <= indent:
            break
        end += 1
    return _dedented(text_lines[line - 1 : end], indent)


def definition_line(path: str, qualified_name: str) -> int | None:
    """The ``def`` line of the function ``name`` or ``Class.name`` of the module at ``path``.

    mypy does not keep the line of a definition it loads from its cache, so a function of
    another module is found by its qualified name, which every run (cold, warm, daemon) has;
    the caller then reads it with ``function_definition``. None unless exactly one definition
    has that name at module (or class) level and its header parses.
    """
    found = _definition(path, qualified_name)
    return found[1] if found is not None else None


def decorator_names(path: str, qualified_name: str) -> list[str] | None:
    """The decorators of the function ``name`` or ``Class.name``, as dotted names; None when
    it is not found or one of them is not a plain name (``@decorator(arguments)``)."""
    found = _definition(path, qualified_name)
    if found is None:
        return None
    lines, line, header = found
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
    decorators = _dedented(lines[_first_decorator_line(lines, line, indent) - 1 : line - 1], indent)
    try:
        module = ast.parse(f"{decorators}{header} ...")
    except (SyntaxError, ValueError):
        return None
    function = module.body[0] if module.body else None
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    names = [_dotted(decorator) for decorator in function.decorator_list]
    return None if None in names else [name for name in names if name is not None]


def _definition(path: str, qualified_name: str) -> tuple[tuple[str, ...], int, str] | None:
    """The file's lines, the ``def`` line and the header of the one definition of that name."""
    mtime_ns, size = stamp(path)
    definitions = _definitions(path, mtime_ns, size)
    parts = qualified_name.split(".")
    for end in range(1, len(parts)):  # each enclosing class must be the one class of its name
        if sum(is_class for _, is_class in definitions.get(".".join(parts[:end]), ())) != 1:
            return None
    found = definitions.get(qualified_name, ())
    if len(found) != 1 or found[0][1]:
        return None
    header = _header(path, mtime_ns, size, found[0][0])
    return (_read_lines(path, mtime_ns, size), found[0][0], header[0]) if header is not None else None


def _dedented(lines: tuple[str, ...], indent: int) -> str:
    """The lines without the first ``indent`` columns (a line indented less becomes blank)."""
    return "".join(text[indent:] if not text[:indent].strip() else "\n" for text in lines)


def _first_decorator_line(lines: tuple[str, ...], line: int, indent: int) -> int:
    """The line of the first ``@`` decorator above the ``def`` on ``line``; ``line`` when none."""
    first = line
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        stripped = text.lstrip()
        depth = len(text) - len(stripped)
        if not stripped or stripped.startswith("#"):
            continue  # blank and comment lines may sit between decorators
        if depth == indent and stripped.startswith("@"):
            first = number
        elif not (depth > indent or stripped.startswith((")", "]", "}"))):
            break  # a line of a multi-line decorator is indented deeper or closes its brackets
    return first


def _dotted(expression: ast.expr) -> str | None:
    if isinstance(expression, ast.Name):
        return expression.id
    if isinstance(expression, ast.Attribute):
        head = _dotted(expression.value)
        return f"{head}.{expression.attr}" if head is not None else None
    return None


#: A line that opens a block: indentation, ``async``, keyword, and the name of a def or class.
_HEADER = (  # compiled at first use (re keeps it): not at every mypy start
    r"([ \t]*)(?:(async)[ \t]+)?(def|class|if|elif|else|try|except|finally|with|for|while|match|case)\b[ \t]*(\w*)"
)
#: Blocks whose definitions count as the module's or class's own (as if they were unconditional).
_TRANSPARENT = frozenset({"if", "try", "with"})
#: Keywords that continue the block of the same indentation above them (if/else, try/finally).
_CONTINUING = frozenset({"elif", "else", "except", "finally"})


@lru_cache(maxsize=64)
def _definitions(path: str, mtime_ns: int, size: int) -> dict[str, tuple[tuple[int, bool], ...]]:
    """Qualified name -> (line, is a class) of each def and class at module or class level.

    Read from the lines that open blocks, by indentation, without parsing the module: a big
    module parsed whole costs megabytes, and syntax newer than the running Python elsewhere in
    the file does not matter. Definitions inside a function, ``for``, ``while``, ``match`` or
    ``async with`` are not looked at; those in ``if`` / ``try`` / ``with`` blocks are (two
    conditional definitions with one name are ambiguous to the caller). A line that looks like
    a header inside a string can hide definitions below it, never invent a wrong line: the
    caller parses what it finds. Lines inside triple-quoted strings (docstrings with example
    code) are skipped. The key includes mtime and size, so an edited file is re-read.
    """
    found: dict[str, list[tuple[int, bool]]] = {}
    #: (indentation, qualified prefix of definitions directly inside; None: not looked at)
    stack: list[tuple[int, str | None]] = []
    string: str | None = None  # the quotes of the triple-quoted string being read, if any
    header = re.compile(_HEADER)
    for number, text in enumerate(_read_lines(path, mtime_ns, size), 1):
        if string is not None:
            if text.count(string) % 2:
                string = None
            continue
        if ('"""' in text or "'''" in text) and not text.lstrip().startswith("#"):
            string = next((quotes for quotes in ('"""', "'''") if text.count(quotes) % 2), None)
        match = header.match(text)
        if match is None:
            continue
        indent, keyword, name = len(match.group(1)), match.group(3), match.group(4)
        sibling: tuple[int, str | None] | None = None
        while stack and stack[-1][0] >= indent:
            sibling = stack.pop()
        prefix = stack[-1][1] if stack else ("" if indent == 0 else None)
        if keyword in ("def", "class") and name and prefix is not None:
            found.setdefault(f"{prefix}{name}", []).append((number, keyword == "class"))
        if keyword == "class":
            scope = f"{prefix}{name}." if prefix is not None and name else None
        elif keyword in _CONTINUING:
            scope = sibling[1] if sibling is not None and sibling[0] == indent else None
        elif keyword in _TRANSPARENT and match.group(2) is None:
            scope = prefix
        else:
            scope = None
        stack.append((indent, scope))
    return {name: tuple(places) for name, places in found.items()}
