"""The yield-dependency contract, checked on a generator function's ``ast``.

FastAPI (and fast-depends, Litestar) run a generator dependency as a context manager: the
code before the ``yield`` is setup, the yielded value is injected, and the endpoint's
exception is thrown in at the ``yield`` (../shared/reference/fastapi-di-runtime.md 2.1 E, 4.6-4.8).
Three rules follow, each reported by its own error code:

- YIELD_TWICE / YIELD_IN_LOOP / NO_YIELD: every path yields exactly once. A path that
  ``raise``s before its yield is fine (refusing with HTTPException is normal); a path that
  ``return``s or falls off the end without yielding is not; a yield reached a second time,
  straight or through a loop, is not. Conditions are not evaluated (except literal
  ``True``/``False``), so both branches of every ``if`` are paths.
- CLEANUP: a release call (``_RELEASES``: ``close``, ``aclose``, ``release``, ``dispose``, ...)
  that runs after the yield only when the endpoint succeeded: it is not in a ``finally``, and
  the yield's exception path (``finally`` blocks, broad ``except`` blocks, the exit of a ``with``
  that bound the receiver) does not release the same receiver. ``commit``/``rollback``/``flush``
  after the yield are the intended commit-on-success pattern, never cleanup.
- SWALLOW: an ``except`` around the yield that can end without raising (falls through,
  ``return``s, ``break``s, ``continue``s). Handlers of ``GeneratorExit`` alone are left alone.

When unsure the analysis says nothing: ``yield from``, a yield in a compound statement's header,
a ``for`` loop that re-yields its target from a call (``for s in get_session(): yield s``,
delegation to another generator, assumed to run once; ``range()``, ``enumerate()``, ``.items()``
and the like are loops), and cleanup for yields inside loops, ``except``, ``finally`` or
``match`` blocks. Correlated conditions (``if a: yield`` then ``if not a: yield``) are the
known way to be wrong: both are counted as one path. Nested functions, lambdas and classes are not part of the body.

Pure: ``ast`` in, findings out; no mypy API. Reading the source is source.py; reporting is
depends.py and messages.py.
"""

from __future__ import annotations

import ast
import enum
from collections.abc import Iterator, Sequence
from typing import Final

#: Calls that release a resource (the last name of the callee: ``db.close()``, ``await pool.release(c)``).
_RELEASES: Final = frozenset(
    {"close", "aclose", "release", "dispose", "disconnect", "shutdown", "terminate", "unlock", "cleanup", "putconn"}
)
#: ``except`` types that catch whatever the endpoint raises (HTTPException included).
_BROAD: Final = frozenset({"Exception", "BaseException"})
#: Calls a ``for`` loop iterates that are not another generator dependency being re-yielded.
_ITERABLE_MAKERS: Final = frozenset(
    {"range", "enumerate", "zip", "sorted", "reversed", "list", "tuple", "set", "map", "filter", "iter"}
    | {"items", "keys", "values", "split", "splitlines"}
)
_SCOPES: Final = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_LOOPS: Final = (ast.For, ast.AsyncFor, ast.While)
_MANY: Final = 2  # yield counts are 0, 1 or "2 or more"

Function = ast.FunctionDef | ast.AsyncFunctionDef


class Violation(enum.Enum):
    YIELD_TWICE = "yields twice"
    YIELD_IN_LOOP = "yields in a loop"
    NO_YIELD = "ends without yielding"
    CLEANUP = "cleanup outside finally"
    SWALLOW = "swallows the endpoint's exception"


class Finding:
    """One violation, at a line in the numbering of the ``ast`` given to ``check``."""

    __slots__ = ("line", "violation", "call", "awaited")

    def __init__(
        self,
        line: int,
        violation: Violation,
        call: str | None = None,
        awaited: bool = False,
    ) -> None:
        self.line: Final = line
        self.violation: Final = violation
        # CLEANUP: the release call as written, ``db.close()``, and whether it is awaited.
        self.call: Final = call
        self.awaited: Final = awaited


def check(function: Function) -> list[Finding]:
    """Every violation of the function, first line first; empty when not a generator or unsure."""
    yields = [node for node in _own_nodes(function.body) if isinstance(node, (ast.Yield, ast.YieldFrom))]
    if not yields or any(isinstance(node, ast.YieldFrom) for node in yields):
        return []
    try:
        counts = _Counter(function)
        findings = counts.findings()
    except _Unsure:
        return []
    findings += _cleanups(function)
    findings += _swallows(function)
    return sorted(findings, key=lambda finding: finding.line)  # stable: one line keeps its order


class _Unsure(Exception):
    """A shape the analysis does not model: say nothing."""


# --- rule 1: yield exactly once --------------------------------------------------------------

States = frozenset[int]
_NONE: Final[States] = frozenset()


class _Flow:
    """Yield counts at each way out of a block, and every count seen inside it (where an
    exception may leave from)."""

    __slots__ = ("normal", "returns", "breaks", "continues", "seen")

    def __init__(
        self,
        normal: States = _NONE,
        returns: States = _NONE,
        breaks: States = _NONE,
        continues: States = _NONE,
        seen: States = _NONE,
    ) -> None:
        self.normal: Final = normal
        self.returns: Final = returns
        self.breaks: Final = breaks
        self.continues: Final = continues
        self.seen: Final = seen


class _Counter:
    def __init__(self, function: Function) -> None:
        self._function = function
        self._violations: dict[int, Violation] = {}
        self._no_yield: set[int] = set()
        self._loops = 0

    def findings(self) -> list[Finding]:
        flow = self._block(self._function.body, frozenset({0}))
        if 0 in flow.normal:
            self._no_yield.add(self._function.lineno)
        found = [Finding(line, violation) for line, violation in self._violations.items()]
        found += [Finding(line, Violation.NO_YIELD) for line in self._no_yield]
        return found

    def flow(self, statements: Sequence[ast.stmt], entry: States) -> _Flow:
        return self._block(statements, entry)

    def _block(self, statements: Sequence[ast.stmt], entry: States) -> _Flow:
        flow = _Flow(normal=entry, seen=entry)
        for statement in statements:
            if not flow.normal:
                break  # unreachable
            step = self._statement(statement, flow.normal)
            flow = _Flow(
                normal=step.normal,
                returns=flow.returns | step.returns,
                breaks=flow.breaks | step.breaks,
                continues=flow.continues | step.continues,
                seen=flow.seen | step.seen,
            )
        return flow

    def _statement(self, statement: ast.stmt, entry: States) -> _Flow:
        if isinstance(statement, _SCOPES):
            return _Flow(normal=entry, seen=entry)
        if isinstance(statement, ast.If):
            self._header(statement.test)
            constant = _constant(statement.test)
            body = self._block(statement.body, entry if constant is not False else _NONE)
            orelse = self._block(statement.orelse, entry if constant is not True else _NONE)
            return _join(body, orelse)
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                self._header(item.context_expr)
            return self._block(statement.body, entry)
        if isinstance(statement, _LOOPS):
            return self._loop(statement, entry)
        if isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            return self._try(statement, entry)
        if isinstance(statement, ast.Match):
            self._header(statement.subject)
            flows = [self._block(case.body, entry) for case in statement.cases]
            last = statement.cases[-1] if statement.cases else None
            exhaustive = last is not None and last.guard is None and _irrefutable(last.pattern)
            joined = _Flow() if exhaustive else _Flow(normal=entry, seen=entry)
            for case_flow in flows:
                joined = _join(joined, case_flow)
            return joined
        after = self._yields(statement, entry)
        seen = entry | after
        if isinstance(statement, ast.Return):
            if 0 in after:
                self._no_yield.add(statement.lineno)
            return _Flow(returns=after, seen=seen)
        if isinstance(statement, ast.Raise):
            return _Flow(seen=seen)
        if isinstance(statement, ast.Break):
            return _Flow(breaks=after, seen=seen)
        if isinstance(statement, ast.Continue):
            return _Flow(continues=after, seen=seen)
        return _Flow(normal=after, seen=seen)

    def _yields(self, statement: ast.stmt, entry: States) -> States:
        states = entry
        for node in sorted(_own_yields([statement]), key=lambda n: (n.lineno, n.col_offset)):
            if any(count >= 1 for count in states):
                kind = Violation.YIELD_IN_LOOP if self._loops else Violation.YIELD_TWICE
                self._violations.setdefault(node.lineno, kind)
            states = frozenset(min(count + 1, _MANY) for count in states)
        return states

    def _header(self, expression: ast.expr) -> None:
        if any(True for _ in _own_yields([expression])):
            raise _Unsure

    def _loop(self, loop: ast.For | ast.AsyncFor | ast.While, entry: States) -> _Flow:
        self._header(loop.test if isinstance(loop, ast.While) else loop.iter)
        if not isinstance(loop, ast.While) and _delegates(loop):
            body = self._block(loop.body, entry)  # runs once, as the generator it re-yields
            orelse = self._block(loop.orelse, body.normal | body.continues)
            return _Flow(
                normal=orelse.normal | body.breaks,
                returns=body.returns | orelse.returns,
                seen=body.seen | orelse.seen,
            )
        forever = isinstance(loop, ast.While) and _constant(loop.test) is True
        self._loops += 1
        start = entry
        while True:
            body = self._block(loop.body, start)
            again = start | body.normal | body.continues
            if again == start:
                break
            start = again
        self._loops -= 1
        orelse = self._block(loop.orelse, _NONE if forever else start)
        return _Flow(
            normal=orelse.normal | body.breaks,
            returns=body.returns | orelse.returns,
            breaks=orelse.breaks,
            continues=orelse.continues,
            seen=start | body.seen | orelse.seen,
        )

    def _try(self, statement: ast.stmt, entry: States) -> _Flow:
        body_statements: list[ast.stmt] = getattr(statement, "body")
        handlers: list[ast.ExceptHandler] = getattr(statement, "handlers")
        orelse_statements: list[ast.stmt] = getattr(statement, "orelse")
        final: list[ast.stmt] = getattr(statement, "finalbody")
        body = self._block(body_statements, entry)
        # An exception before the first yield is the setup failing: not a path of its own.
        caught = body.seen - {0} if body.seen - {0} else body.seen
        flows = [self._block(handler.body, caught) for handler in handlers if not _only_generator_exit(handler)]
        orelse = self._block(orelse_statements, body.normal)
        joined = _Flow(
            normal=orelse.normal,
            returns=body.returns | orelse.returns,
            breaks=body.breaks | orelse.breaks,
            continues=body.continues | orelse.continues,
            seen=body.seen | orelse.seen,
        )
        for handler_flow in flows:
            joined = _join(joined, handler_flow)
        if not final:
            return joined
        # The finally block runs on every way out, an exception included.
        self._block(final, joined.seen)
        outs = {}
        for name in ("normal", "returns", "breaks", "continues"):
            states: States = getattr(joined, name)
            outs[name] = self._block(final, states).normal if states else _NONE
        return _Flow(**outs, seen=joined.seen)


def _join(first: _Flow, second: _Flow) -> _Flow:
    return _Flow(
        normal=first.normal | second.normal,
        returns=first.returns | second.returns,
        breaks=first.breaks | second.breaks,
        continues=first.continues | second.continues,
        seen=first.seen | second.seen,
    )


def _constant(test: ast.expr) -> bool | None:
    if isinstance(test, ast.Constant) and isinstance(test.value, (bool, int)):
        return bool(test.value)
    return None


def _irrefutable(pattern: ast.pattern) -> bool:
    if isinstance(pattern, ast.MatchAs):
        return pattern.pattern is None or _irrefutable(pattern.pattern)
    if isinstance(pattern, ast.MatchOr):
        return any(_irrefutable(p) for p in pattern.patterns)
    return False


def _delegates(loop: ast.For | ast.AsyncFor) -> bool:
    """``for s in get_session(): yield s``: re-yields what another generator yields (a call
    of something that is not one of the usual iterable makers, ``range(3)``, ``d.items()``)."""
    if not isinstance(loop.iter, ast.Call) or not isinstance(loop.target, ast.Name):
        return False
    if isinstance(loop, ast.For) and _last_name(loop.iter.func) in _ITERABLE_MAKERS:
        return False
    target = loop.target.id
    return any(isinstance(y.value, ast.Name) and y.value.id == target for y in _own_yields(loop.body))


# --- rule 2: cleanup after the yield, outside finally ----------------------------------------


def _cleanups(function: Function) -> list[Finding]:
    findings: dict[int, Finding] = {}
    for chain in _yield_chains(function.body, None, "body", []):
        if chain is None:
            continue
        protected = _released_on_exception(function, chain)
        if protected is None:
            continue  # the exception is swallowed: the swallow rule reports that
        following = _following(chain)
        awaited = {id(node.value) for node in _own_nodes(following) if isinstance(node, ast.Await)}
        for call in _releases(following):
            if _receiver(call) not in protected and call.lineno not in findings:
                finding = Finding(call.lineno, Violation.CLEANUP, _shown(call), id(call) in awaited)
                findings[call.lineno] = finding
    return list(findings.values())


#: From a yield's statement out to the function: (statement, the block holding it, the
#: statement owning that block or None at the function's top level, the owner's field name).
_Level = tuple[ast.stmt, list[ast.stmt], ast.stmt | None, str]


def _yield_chains(
    block: list[ast.stmt], owner: ast.stmt | None, name: str, outer: list[_Level]
) -> Iterator[list[_Level] | None]:
    """For each statement that yields: its chain of enclosing levels, or None where cleanup is
    not judged (a yield in a loop, an ``except``, a ``finally`` or a ``match`` case)."""
    for statement in block:
        chain: list[_Level] = [(statement, block, owner, name), *outer]
        if isinstance(statement, _SCOPES) or not any(True for _ in _own_yields([statement])):
            continue
        if isinstance(statement, (ast.If, ast.With, ast.AsyncWith)):
            yield from _yield_chains(statement.body, statement, "body", chain)
            if isinstance(statement, ast.If):
                yield from _yield_chains(statement.orelse, statement, "orelse", chain)
        elif isinstance(statement, ast.Try):
            yield from _yield_chains(statement.body, statement, "body", chain)
            yield from _yield_chains(statement.orelse, statement, "orelse", chain)
            blocks = [*(handler.body for handler in statement.handlers), statement.finalbody]
            if any(True for inner in blocks for _ in _own_yields(inner)):
                yield None
        elif isinstance(statement, (*_LOOPS, ast.Match)) or hasattr(statement, "body"):
            yield None
        else:
            yield chain


def _following(chain: list[_Level]) -> list[ast.stmt]:
    """The statements that run after the yield when the endpoint succeeds."""
    following: list[ast.stmt] = []
    for statement, block, owner, name in chain:
        following += block[block.index(statement) + 1 :]
        if isinstance(owner, ast.Try) and name == "body":
            following += owner.orelse
    return following


def _released_on_exception(function: Function, chain: list[_Level]) -> set[str] | None:
    """Receivers released when the endpoint's exception leaves through the yield; None when a
    broad ``except`` on the way can end without raising (the exception goes no further)."""
    released: set[str] = set()
    for _, _, owner, name in chain:
        if isinstance(owner, ast.Try) and name in ("body", "orelse"):
            released |= {_receiver(call) for call in _releases(owner.finalbody)}
        if isinstance(owner, ast.Try) and name == "body":
            for handler in owner.handlers:
                if _is_broad(handler):
                    if _can_end(function, handler):
                        return None
                    released |= {_receiver(call) for call in _releases(handler.body)}
        if isinstance(owner, (ast.With, ast.AsyncWith)) and name == "body":
            for item in owner.items:
                released.add(ast.unparse(item.context_expr))
                if item.optional_vars is not None:
                    released.add(ast.unparse(item.optional_vars))
    return released


def _releases(statements: Sequence[ast.stmt]) -> list[ast.Call]:
    calls = []
    for node in _own_nodes(statements):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in _RELEASES:
                calls.append(node)
    return calls


def _receiver(call: ast.Call) -> str:
    """``db`` for ``db.close()``; the function's name for a bare ``cleanup()``."""
    return ast.unparse(call.func.value) if isinstance(call.func, ast.Attribute) else ast.unparse(call.func)


def _shown(call: ast.Call) -> str:
    text = ast.unparse(call)
    if len(text) <= 40:
        return text
    name = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    return f"{_receiver(call)}.{name}(...)" if name else f"{_receiver(call)}(...)"


def _is_broad(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(_last_name(t) in _BROAD for t in types)


def _last_name(expression: ast.expr) -> str | None:
    if isinstance(expression, ast.Attribute):
        return expression.attr
    return expression.id if isinstance(expression, ast.Name) else None


# --- rule 3: an except around the yield that does not re-raise -------------------------------


def _swallows(function: Function) -> list[Finding]:
    findings = []
    for node in _own_nodes(function.body):
        if not isinstance(node, ast.Try) and type(node).__name__ != "TryStar":
            continue
        body: list[ast.stmt] = getattr(node, "body")
        if not any(True for _ in _own_yields(body)):
            continue
        handler: ast.ExceptHandler
        for handler in getattr(node, "handlers"):
            if not _only_generator_exit(handler) and _can_end(function, handler):
                findings.append(Finding(handler.lineno, Violation.SWALLOW))
    return findings


def _can_end(function: Function, handler: ast.ExceptHandler) -> bool:
    """The handler has a path that does not raise: the exception it caught ends there."""
    try:
        flow = _Counter(function).flow(handler.body, frozenset({1}))
    except _Unsure:
        return False
    return bool(flow.normal or flow.returns or flow.breaks or flow.continues)


def _only_generator_exit(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return False
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return all(_last_name(t) == "GeneratorExit" for t in types)


# --- walking the function's own code ---------------------------------------------------------


def _own_nodes(nodes: Sequence[ast.AST]) -> Iterator[ast.AST]:
    """Every node under ``nodes``, not entering nested functions, lambdas or classes."""
    pending = list(reversed(nodes))
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, _SCOPES):
            pending.extend(reversed(list(ast.iter_child_nodes(node))))


def _own_yields(nodes: Sequence[ast.AST]) -> Iterator[ast.Yield | ast.YieldFrom]:
    for node in _own_nodes(nodes):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            yield node
