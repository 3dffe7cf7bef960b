"""Recall by mutation: inject each bug class the plugin claims into correct real code.

    python tests/realcode/mutate.py      (run by ``python3 tasks.py mutate``)

Every operator below reads a module with ``ast`` and rewrites its source text at the nodes it
finds, so it applies to any code, not to chosen files. Each mutant is one copy of one corpus
module with one bug, written beside the original (``tutorial008__mutant_17.py``) so its imports
still resolve; one mypy run with the plugin checks all mutants of a corpus at once. A mutant
counts as *flagged* when an error with the expected code is on one of its bug lines, as
*mypy only* when only mypy's own codes are new there, and as *silent* otherwise ("new" = not
also reported for the original module). Classes whose check does not exist yet are reported
all the same: their count is what the plugin misses today.

The report is reality, not a test: nothing here asserts a recall.
"""

from __future__ import annotations

import ast
import collections
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import corpus

DEPENDS_CONTEXT_MANAGER = "resource-depends-context-manager"
DEPENDENCY_CLEANUP = "resource-dependency-cleanup"
ANY_PLUGIN_CODE = "resource-*"
#: The protocol checks see objects created in the statement itself, not ones kept in a variable.
PROTOCOL_STATUS = "checked; misses are objects reached through a variable or an untyped parameter"


@dataclass(frozen=True)
class BugClass:
    key: str
    title: str
    code: str  # the expected code; ANY_PLUGIN_CODE while the check's code does not exist yet
    status: str  # which check covers it, or which issue plans it


CLASSES = {
    bug.key: bug
    for bug in (
        BugClass("C", "@(async)contextmanager added to a dependency used as Depends(f) default",
                 DEPENDS_CONTEXT_MANAGER, "checked"),
        BugClass("D", "the same, dependency used in Annotated[T, Depends(f)]",
                 DEPENDS_CONTEXT_MANAGER, "checked; misses are Annotated limits (README)"),
        BugClass("L", "the same, dependency used in dependencies=[Depends(f)]", DEPENDS_CONTEXT_MANAGER, "checked"),
        BugClass("J", "Depends(f) -> Depends(f()): the dependency called", ANY_PLUGIN_CODE,
                 "checked when the call gives a generator, coroutine or manager; a plain value is not yet"),
        BugClass("A", "async with f() as x -> async for x in f()", ANY_PLUGIN_CODE, PROTOCOL_STATUS),
        BugClass("B", "async for x in f() -> async with f() as x", ANY_PLUGIN_CODE, PROTOCOL_STATUS),
        BugClass("I", "async with -> with", ANY_PLUGIN_CODE, PROTOCOL_STATUS),
        BugClass("Y", "yield dependency: other cleanup (not a release call) moved out of finally", ANY_PLUGIN_CODE,
                 "not reported by design: only release calls count as cleanup (class R)"),
        BugClass("R", "yield dependency: a release call (close, aclose, release, dispose) moved out of finally",
                 DEPENDENCY_CLEANUP, "checked"),
        BugClass("G", "return/break inside async for over a resource generator", "resource-early-exit", "checked"),
        BugClass("H", "session / connection / file used after its with block", "resource-use-after-block", "checked"),
    )
}


@dataclass(frozen=True)
class Mutant:
    bug: str  # key of CLASSES
    original: Path  # relative to the corpus root
    source: str
    lines: frozenset[int]  # bug lines, in the mutant's numbering


class Source:
    """A module's lines, edited line-wise, remembering where each original line went."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self._where = list(range(len(self.lines) + 2))  # original 1-based line -> current line

    def at(self, original_line: int) -> int:
        return self._where[original_line]

    def replace(self, first: int, last: int, new: list[str]) -> None:
        """Replace original lines first..last (inclusive) by ``new``."""
        start, end = self.at(first), self.at(last)
        self.lines[start - 1 : end] = new
        delta = len(new) - (end - start + 1)
        self._where = [
            line if line < start else (start if line <= end else line + delta) for line in self._where
        ]

    def insert_before(self, original_line: int, new: list[str]) -> None:
        start = self.at(original_line)
        self.lines[start - 1 : start - 1] = new
        self._where = [line + len(new) if line >= start else line for line in self._where]

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function and method, nested ones included."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _module_functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level functions: what a bare name in ``Depends(name)`` refers to."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _callable_without_arguments(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    arguments = function.args
    return len(arguments.defaults) == len(arguments.posonlyargs) + len(arguments.args) and all(
        default is not None for default in arguments.kw_defaults
    )


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """Nodes of a function body, not of functions, lambdas or classes nested in it."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def _is_generator(function: ast.AST) -> bool:
    return any(isinstance(node, (ast.Yield, ast.YieldFrom)) for node in _own_nodes(function))


def _holds_resource_across_yield(function: ast.AST) -> bool:
    """A yield inside with / async with / try-finally: the generator has cleanup to skip."""
    for node in _own_nodes(function):
        if isinstance(node, (ast.With, ast.AsyncWith)) or (isinstance(node, ast.Try) and node.finalbody):
            if any(isinstance(inner, ast.Yield) for inner in ast.walk(node)):
                return True
    return False


_DEPENDS = {"Depends", "Security"}


def _depends_argument(call: ast.Call) -> ast.expr | None:
    """The dependency of ``Depends(f)`` / ``Security(f)`` / ``fastapi.Depends(dependency=f)``."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if name not in _DEPENDS:
        return None
    if call.args:
        return call.args[0]
    return next((keyword.value for keyword in call.keywords if keyword.arg == "dependency"), None)


@dataclass(frozen=True)
class DependsSite:
    call: ast.Call
    dependency: str  # the name passed
    form: str  # "C" default value, "D" Annotated, "L" dependencies=[...]


def _depends_sites(tree: ast.Module) -> list[DependsSite]:
    """Every ``Depends(name)`` with the form it is written in."""
    forms: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    forms.setdefault(id(default), "C")
        if isinstance(node, ast.Subscript) and _name_of(node.value) == "Annotated":
            for inner in ast.walk(node.slice):
                forms.setdefault(id(inner), "D")
        if isinstance(node, ast.keyword) and node.arg == "dependencies":
            for inner in ast.walk(node.value):
                forms.setdefault(id(inner), "L")
    sites = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and id(node) in forms:
            argument = _depends_argument(node)
            if isinstance(argument, ast.Name):
                sites.append(DependsSite(node, argument.id, forms[id(node)]))
    return sites


def _name_of(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _lines_of(node: ast.expr | ast.stmt) -> range:
    return range(node.lineno, (node.end_lineno or node.lineno) + 1)


def _future_imports_end(tree: ast.Module) -> int:
    """The first line after the docstring and ``from __future__`` imports (where imports may go)."""
    line = 1
    for statement in tree.body:
        is_docstring = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        if (statement is tree.body[0] and is_docstring) or (
            isinstance(statement, ast.ImportFrom) and statement.module == "__future__"
        ):
            line = (statement.end_lineno or statement.lineno) + 1
        else:
            break
    return line


Operator = Callable[[Path, str, ast.Module], Iterator[Mutant]]


def context_manager_dependency(path: Path, text: str, tree: ast.Module) -> Iterator[Mutant]:
    """C / D / L: decorate a generator dependency of this module with contextlib's manager."""
    functions = {node.name: node for node in _module_functions(tree) if _is_generator(node) and not node.decorator_list}
    by_dependency: dict[str, list[DependsSite]] = collections.defaultdict(list)
    for site in _depends_sites(tree):
        if site.dependency in functions:
            by_dependency[site.dependency].append(site)
    for name, sites in by_dependency.items():
        function = functions[name]
        decorator = "asynccontextmanager" if isinstance(function, ast.AsyncFunctionDef) else "contextmanager"
        source = Source(text)
        line = source.lines[function.lineno - 1]
        source.insert_before(function.lineno, [f"{_indent(line)}@_mutant_contextlib.{decorator}"])
        source.insert_before(_future_imports_end(tree), ["import contextlib as _mutant_contextlib"])
        for form in sorted({site.form for site in sites}):
            lines = {source.at(n) for site in sites if site.form == form for n in _lines_of(site.call)}
            yield Mutant(form, path, source.text(), frozenset(lines))


def called_dependency(path: Path, text: str, tree: ast.Module) -> Iterator[Mutant]:
    """J: ``Depends(f)`` -> ``Depends(f())`` for functions of this module callable without arguments."""
    callable_bare = {node.name for node in _module_functions(tree) if _callable_without_arguments(node)}
    for site in _depends_sites(tree):
        argument = _depends_argument(site.call)
        if site.dependency not in callable_bare or argument is None or argument.end_col_offset is None:
            continue
        source = Source(text)
        row = argument.end_lineno or argument.lineno
        line = source.lines[row - 1]
        source.replace(row, row, [line[: argument.end_col_offset] + "()" + line[argument.end_col_offset :]])
        yield Mutant("J", path, source.text(), frozenset(source.at(n) for n in _lines_of(site.call)))


def _header_span(statement: ast.AsyncWith | ast.AsyncFor | ast.With) -> tuple[int, int]:
    """First and last line of a compound statement's header (up to the line before its body)."""
    return statement.lineno, statement.body[0].lineno - 1


def _single_line_header(text: str, statement: ast.AsyncWith | ast.AsyncFor | ast.With) -> str | None:
    first, last = _header_span(statement)
    if first != last:
        return None
    line = text.splitlines()[first - 1]
    return line if line.rstrip().endswith(":") else None


def swapped_async_statements(path: Path, text: str, tree: ast.Module) -> Iterator[Mutant]:
    """A: ``async with f() as x:`` -> ``async for x in f():``; B: the reverse; I: ``async with`` -> ``with``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.AsyncWith) and (line := _single_line_header(text, node)) is not None:
            indent = _indent(line)
            if len(node.items) == 1 and isinstance(node.items[0].optional_vars, ast.Name):
                item = node.items[0]
                header = f"{indent}async for {item.optional_vars.id} in {ast.unparse(item.context_expr)}:"
                yield _header_mutant("A", path, text, node, header)
            yield _header_mutant("I", path, text, node, indent + line.lstrip()[len("async ") :])
        if (
            isinstance(node, ast.AsyncFor)
            and not node.orelse
            and isinstance(node.target, ast.Name)
            and (line := _single_line_header(text, node)) is not None
            and not any(isinstance(inner, (ast.Break, ast.Continue)) for inner in _loop_exits(node))
        ):
            header = f"{_indent(line)}async with {ast.unparse(node.iter)} as {node.target.id}:"
            yield _header_mutant("B", path, text, node, header)


def _loop_exits(loop: ast.AsyncFor) -> Iterator[ast.AST]:
    """break / continue statements that belong to ``loop`` itself."""
    stack: list[ast.AST] = list(loop.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef)):
            stack.extend(ast.iter_child_nodes(node))


def _header_mutant(bug: str, path: Path, text: str, node: ast.AsyncWith | ast.AsyncFor, header: str) -> Mutant:
    source = Source(text)
    source.replace(node.lineno, node.lineno, [header])
    return Mutant(bug, path, source.text(), frozenset({source.at(node.lineno)}))


def cleanup_outside_finally(path: Path, text: str, tree: ast.Module) -> Iterator[Mutant]:
    """Y / R: in a dependency used by Depends, ``try: ...yield... finally: cleanup`` loses its try/finally.

    R when the finally block releases something (``x.close()``, ``await x.aclose()``, ...), Y otherwise.
    The bug lines are the function and every ``Depends(f)`` of it, where the plugin reports.
    """
    sites = _depends_sites(tree)
    dependencies = {site.dependency for site in sites}
    for function in _module_functions(tree):
        if function.name not in dependencies or not _is_generator(function):
            continue
        for node in _own_nodes(function):
            if (
                isinstance(node, ast.Try)
                and node.finalbody
                and not node.handlers
                and not node.orelse
                and any(isinstance(inner, ast.Yield) for inner in ast.walk(ast.Module(node.body, [])))
            ):
                uses = [site.call for site in sites if site.dependency == function.name]
                yield _without_try(path, text, function, node, uses)


#: What class R counts as a release: the last name of a call in the finally block.
_RELEASE_CALL = re.compile(r"\.(close|aclose|release|dispose)\(")


def _without_try(
    path: Path, text: str, function: ast.FunctionDef | ast.AsyncFunctionDef, node: ast.Try, uses: list[ast.Call]
) -> Mutant:
    source = Source(text)
    lines = text.splitlines()
    outer = _indent(lines[node.lineno - 1])
    for block in (node.body, node.finalbody):
        first, last = block[0].lineno, block[-1].end_lineno or block[-1].lineno
        inner = _indent(lines[first - 1])
        dedented = [outer + line[len(inner) :] if line.startswith(inner) else line for line in lines[first - 1 : last]]
        source.replace(first, last, dedented)
    finally_line = next(n for n in range(node.finalbody[0].lineno - 1, 0, -1) if lines[n - 1].strip() == "finally:")
    source.replace(finally_line, finally_line, [])
    source.replace(node.lineno, node.lineno, [])  # `try:`
    span = set(range(source.at(function.lineno), source.at(function.end_lineno or function.lineno) + 1))
    span |= {source.at(n) for call in uses for n in _lines_of(call)}
    releases = any(_RELEASE_CALL.search(ast.unparse(statement)) for statement in node.finalbody)
    return Mutant("R" if releases else "Y", path, source.text(), frozenset(span))


def early_exit_from_resource_generator(path: Path, text: str, tree: ast.Module) -> Iterator[Mutant]:
    """G: a consumer that leaves ``async for`` / ``for`` over a plain (undecorated) resource
    generator of this module early.

    Appended as a new module-level function; the generator's own arguments must all have defaults.
    """
    for function in _module_functions(tree):
        if not (
            _is_generator(function)
            and _holds_resource_across_yield(function)
            and _callable_without_arguments(function)
            and not function.decorator_list
        ):
            continue  # decorated: a manager factory (@contextmanager), a pytest fixture, a route...
        is_async = isinstance(function, ast.AsyncFunctionDef)
        source = Source(text)
        start = len(source.lines) + 3
        source.lines += [
            "",
            "",
            f"{'async ' if is_async else ''}def _mutant_consumer() -> object:",
            f"    {'async ' if is_async else ''}for resource in {function.name}():",
            "        return resource",
            "    return None",
        ]
        yield Mutant("G", path, source.text(), frozenset({start + 1, start + 2}))


#: What a ``with`` must open for H: a name that says the block closes it (sessions, connections,
#: transactions, files). Objects meant to outlive their block (pytest.raises, TestClient) are left out.
_CLOSED_ON_EXIT = re.compile(r"(?i)session|^(connect|begin|open)$")


def use_after_block(path: Path, text: str, tree: ast.Module) -> Iterator[Mutant]:
    """H: the last statement of ``with f() as x:`` / ``async with`` moved out of the block (one
    indentation level less), when f closes x on exit and that statement calls a method of x."""
    lines = text.splitlines()
    for function in _functions(tree):
        for node in _own_nodes(function):
            if not (
                isinstance(node, (ast.With, ast.AsyncWith))
                and len(node.items) == 1
                and isinstance(node.items[0].optional_vars, ast.Name)
                and isinstance(node.items[0].context_expr, ast.Call)
                and _CLOSED_ON_EXIT.search(_name_of(node.items[0].context_expr.func) or "")
                and len(node.body) >= 2
                and isinstance(node.body[-1], (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign))
                and _calls_method_of(node.body[-1], node.items[0].optional_vars.id)
            ):
                continue
            last = node.body[-1]
            first_line, last_line = last.lineno, last.end_lineno or last.lineno
            inner, outer = _indent(lines[first_line - 1]), _indent(lines[node.lineno - 1])
            if any(line.strip() and not line.startswith(inner) for line in lines[first_line - 1 : last_line]):
                continue
            source = Source(text)
            moved = [outer + line[len(inner) :] if line.strip() else line for line in lines[first_line - 1 : last_line]]
            source.replace(first_line, last_line, moved)
            yield Mutant("H", path, source.text(), frozenset(range(source.at(first_line), source.at(first_line) + 1)))


def _calls_method_of(statement: ast.stmt, name: str) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == name
        and node.func.attr not in ("close", "aclose")
        for node in ast.walk(statement)
    )


OPERATORS: tuple[Operator, ...] = (
    context_manager_dependency,
    called_dependency,
    swapped_async_statements,
    cleanup_outside_finally,
    early_exit_from_resource_generator,
    use_after_block,
)


def mutants(root: Path, files: list[Path]) -> Iterator[Mutant]:
    for path in files:
        text = (root / path).read_text()
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for operator in OPERATORS:
            for mutant in operator(path, text, tree):
                ast.parse(mutant.source)  # an operator that breaks the syntax is a bug here
                yield mutant


@dataclass
class Tally:
    mutants: int = 0
    flagged: int = 0
    mypy_only: int = 0
    silent: int = 0

    def add(self, other: Tally) -> None:
        self.mutants += other.mutants
        self.flagged += other.flagged
        self.mypy_only += other.mypy_only
        self.silent += other.silent


def evaluate(sdist: corpus.Sdist) -> tuple[dict[str, Tally], int]:
    """Tallies per bug class for one corpus, and how many files it has."""
    root = corpus.fetch(sdist)
    files = corpus.python_files(root, sdist.parts)
    tallies = {key: Tally() for key in CLASSES}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "corpus"
        shutil.copytree(root, work)
        written: list[tuple[Mutant, Path]] = []
        for number, mutant in enumerate(mutants(root, files)):
            target = mutant.original.with_name(f"{mutant.original.stem}__mutant_{number}.py")
            (work / target).write_text(mutant.source)
            written.append((mutant, target))
        originals = sorted({mutant.original for mutant, _ in written})
        run = corpus.check(work, [*originals, *(target for _, target in written)], plugin=True)
    before = collections.Counter((error.file, error.code, error.message) for error in run.errors)
    by_file: dict[str, list[corpus.Diagnostic]] = collections.defaultdict(list)
    for error in run.errors:
        by_file[error.file].append(error)
    for mutant, target in written:
        tally = tallies[mutant.bug]
        tally.mutants += 1
        seen = collections.Counter((str(mutant.original), error.code, error.message) for error in by_file[str(target)])
        new = [
            error
            for error in by_file[str(target)]
            if error.line in mutant.lines and seen[(str(mutant.original), error.code, error.message)]
            > before[(str(mutant.original), error.code, error.message)]
        ]
        expected = CLASSES[mutant.bug].code
        if any(error.code == expected or (expected == ANY_PLUGIN_CODE and error.from_plugin) for error in new):
            tally.flagged += 1
        elif new:
            tally.mypy_only += 1
        else:
            tally.silent += 1
    return tallies, len(files)


def main() -> int:
    totals = {key: Tally() for key in CLASSES}
    for sdist in corpus.installed():
        tallies, count = evaluate(sdist)
        print(f"{sdist.name} {sdist.version}: {count} files, {sum(t.mutants for t in tallies.values())} mutants")
        for key, tally in tallies.items():
            totals[key].add(tally)
    print()
    print("| class | bug injected | expected code | check | mutants | flagged | mypy's own error only | silent |")
    print("|---|---|---|---|---|---|---|---|")
    for key, bug in CLASSES.items():
        t = totals[key]
        print(f"| {key} | {bug.title} | `{bug.code}` | {bug.status} | {t.mutants} | {t.flagged} | {t.mypy_only} | {t.silent} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
