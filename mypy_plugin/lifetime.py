"""Resource lifetime: what happens to a resource after the statement that opens it.

Checked in the hook of the call that creates the resource's owner (mypy has no statement
hook), on a view of the enclosing function (scope.py):

- Leaving iteration early: ``return`` / ``break`` / ``raise`` inside ``async for x in gen()``
  (or ``for``), and ``anext(gen())`` / ``gen().__anext__()``, when ``gen`` holds a resource
  across its ``yield`` (the yield is inside ``async with``, ``with`` or ``try ... finally``).
  The generator stays suspended there and its cleanup is left to garbage collection.
  Whether it holds one is read from the generator's source (never from mypy's tree, which a
  module loaded from the cache does not have), so cold, warm and daemon runs agree.
- Use after the block: a name bound by ``async with X as s`` / ``with X as s`` and used
  after the block, when the entered type is closed on exit (fullnames.CLOSED_ON_EXIT plus the
  ``closed_on_exit`` setting); and ``return s`` from inside that block.

Iteration wrapped in ``aclosing()`` / ``closing()`` never reaches these checks: the call is
then an argument, not the loop's iterable.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from typing import Final

from mypy.checker import TypeChecker
from mypy.nodes import (
    AssignmentStmt,
    AwaitExpr,
    Block,
    BreakStmt,
    CallExpr,
    Decorator,
    DelStmt,
    Expression,
    ForStmt,
    FuncDef,
    IfStmt,
    ListExpr,
    MatchStmt,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    RaiseStmt,
    ReturnStmt,
    Statement,
    SymbolNode,
    TryStmt,
    TupleExpr,
    WhileStmt,
    WithStmt,
    YieldExpr,
)
from mypy.subtypes import is_same_type
from mypy.types import Instance, Type, get_proper_type

from mypy_plugin import messages
from mypy_plugin.consulted import Modules
from mypy_plugin.scope import Parent, Use, ancestors, own_nodes, own_statements, same_reference, target_name

#: Methods that only read one item: calling one on a fresh generator abandons it.
_TAKE_ONE_METHODS: Final = frozenset({"__anext__", "__next__", "asend", "send"})
#: Calling these on a closed resource is harmless (closing twice is allowed).
_HARMLESS_AFTER_CLOSE: Final = frozenset({"close", "aclose"})
#: ``try`` statements (``except*`` from Python 3.11).
_TRY: Final[tuple[type[ast.Try], ...]] = (ast.Try, *((ast.TryStar,) if sys.version_info >= (3, 11) else ()))
#: Statements that end a block: nothing after them runs with the name still bound by it.
_ENDS_BLOCK: Final = (ReturnStmt, RaiseStmt, BreakStmt)


# ---------------------------------------------------------------------------------------
# Leaving iteration early
# ---------------------------------------------------------------------------------------


def check_generator(
    api: TypeChecker,
    call: CallExpr,
    parent: Parent,
    definition: SymbolNode | None,
    subject: str,
    modules: Modules,
    *,
    closable: bool,
) -> None:
    """``async for``/``for`` directly over ``call``, or one item taken from it.

    ``closable``: the call's declared type has ``aclose()`` / ``close()``, so ``aclosing()`` /
    ``closing()`` accept it (``AsyncGenerator`` does, ``AsyncIterator`` does not).
    """
    annotate = None if closable else _callee_name(call)
    if parent.use in (Use.ASYNC_FOR, Use.FOR):
        assert isinstance(parent.node, ForStmt)
        exit_statement = _early_exit(parent.node.body)
        if exit_statement is not None and holds_resource(modules, definition):
            messages.early_exit(
                api,
                exit_statement,
                _keyword(exit_statement),
                subject,
                target_name(parent.target),
                is_async=parent.use is Use.ASYNC_FOR,
                annotate=annotate,
            )
    elif _takes_one(parent) and holds_resource(modules, definition):
        function = definition.func if isinstance(definition, Decorator) else definition
        is_async = isinstance(function, FuncDef) and function.is_async_generator
        messages.taken_once(api, call, _written(parent, subject), subject, is_async=is_async, annotate=annotate)


def _callee_name(call: CallExpr) -> str:
    callee = call.callee
    return callee.name if isinstance(callee, (NameExpr, MemberExpr)) else "the generator function"


def _takes_one(parent: Parent) -> bool:
    if parent.use is Use.TAKEN:
        return True
    return (
        parent.use is Use.ATTRIBUTE
        and isinstance(parent.node, MemberExpr)
        and parent.node.name in _TAKE_ONE_METHODS
    )


def _written(parent: Parent, subject: str) -> str:
    if isinstance(parent.node, CallExpr) and isinstance(parent.node.callee, NameExpr):
        return f"{parent.node.callee.name}({subject})"
    assert isinstance(parent.node, MemberExpr)
    return f"{subject}.{parent.node.name}()"


def _keyword(statement: Statement) -> str:
    return "return" if isinstance(statement, ReturnStmt) else "break" if isinstance(statement, BreakStmt) else "raise"


def _early_exit(body: Block) -> Statement | None:
    """The first ``return``, ``break`` (of this loop) or uncaught ``raise`` in a loop body."""
    return next(_exits(body, loops=0, caught=False), None)


def _exits(node: Node, *, loops: int, caught: bool) -> Iterator[Statement]:
    if isinstance(node, ReturnStmt) or (isinstance(node, BreakStmt) and loops == 0):
        yield node
    elif isinstance(node, RaiseStmt) and not caught:
        yield node
    elif isinstance(node, Block):
        for statement in node.body:
            yield from _exits(statement, loops=loops, caught=caught)
    elif isinstance(node, (ForStmt, WhileStmt)):
        yield from _exits(node.body, loops=loops + 1, caught=caught)
        if node.else_body is not None:  # a `break` there leaves the enclosing loop
            yield from _exits(node.else_body, loops=loops, caught=caught)
    elif isinstance(node, IfStmt):
        for branch in [*node.body, *([node.else_body] if node.else_body else [])]:
            yield from _exits(branch, loops=loops, caught=caught)
    elif isinstance(node, TryStmt):
        yield from _exits(node.body, loops=loops, caught=caught or bool(node.handlers))
        others: list[Block | None] = [*node.handlers, node.else_body, node.finally_body]
        for block in others:
            if block is not None:
                yield from _exits(block, loops=loops, caught=caught)
    elif isinstance(node, WithStmt):
        yield from _exits(node.body, loops=loops, caught=caught)
    elif isinstance(node, MatchStmt):
        for block in node.bodies:
            yield from _exits(block, loops=loops, caught=caught)


def holds_resource(modules: Modules, definition: SymbolNode | None) -> bool:
    """A generator function whose source yields inside ``with`` or ``try ... finally``.

    Decorators that keep the function's signature (route decorators, ``@pytest.fixture``) keep
    it a generator function; any other decorator may wrap it, and it is not judged.
    """
    function = definition.func if isinstance(definition, Decorator) else definition
    if not isinstance(function, FuncDef) or not (function.is_generator or function.is_async_generator):
        return False
    if isinstance(definition, Decorator) and not _keeps_signature(definition):
        return False
    found = modules.function(function.fullname)
    return found is not None and any(_yields_holding(statement, False) for statement in found.tree.body)


def _keeps_signature(decorated: Decorator) -> bool:
    before, after = decorated.func.type, decorated.var.type
    return before is not None and after is not None and is_same_type(before, after)


def _yields_holding(node: ast.AST, holding: bool) -> bool:
    if isinstance(node, (ast.Yield, ast.YieldFrom)):
        return holding
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
        return False
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return any(_yields_holding(item, holding) for item in node.items) or any(
            _yields_holding(statement, True) for statement in node.body
        )
    if isinstance(node, _TRY) and node.finalbody:
        protected = [*node.body, *node.handlers, *node.orelse]
        return any(_yields_holding(child, True) for child in protected) or any(
            _yields_holding(child, holding) for child in node.finalbody
        )
    return any(_yields_holding(child, holding) for child in ast.iter_child_nodes(node))


# ---------------------------------------------------------------------------------------
# Use after the block
# ---------------------------------------------------------------------------------------


def check_block(api: TypeChecker, parent: Parent, root: Node, resource: Type, closed_on_exit: frozenset[str]) -> None:
    """``async with X as s`` / ``with X as s`` where the entered object is closed on exit."""
    statement, target = parent.node, parent.target
    if not isinstance(statement, WithStmt) or not isinstance(target, NameExpr):
        return
    entered = get_proper_type(resource)
    if not isinstance(entered, Instance) or closed_on_exit.isdisjoint(base.fullname for base in entered.type.mro):
        return
    kind = "async with" if statement.is_async else "with"
    escape = _returned_inside(statement.body, target)
    if escape is not None:
        messages.escapes_block(api, escape, target.name, entered, kind)
        return
    use = _used_after(root, statement, target)
    if use is not None:
        messages.used_after_block(api, use, target.name, entered, kind, statement.line)


def _returned_inside(body: Block, target: NameExpr) -> ReturnStmt | None:
    for node in own_statements(body):  # a return, and a rebinding _rebinds sees, are statements
        if _rebinds(node, target):
            return None
        if isinstance(node, ReturnStmt) and node.expr is not None and _is_or_holds(node.expr, target):
            return node
    return None


def _is_or_holds(expr: Expression, target: NameExpr) -> bool:
    if isinstance(expr, (TupleExpr, ListExpr)):
        return any(_is_or_holds(item, target) for item in expr.items)
    return same_reference(expr, target)


def _used_after(root: Node, statement: WithStmt, target: NameExpr) -> Node | None:
    """The first use of ``target`` that runs after the block closed it, before any rebinding."""
    if statement.body.body and isinstance(statement.body.body[-1], _ENDS_BLOCK):
        return None
    path = ancestors(root, statement)
    if path is None:
        return None
    for later in _statements_after(path, statement):
        for node in (later, *own_nodes(later)):
            if _rebinds(node, target):
                return None
            if _uses(node, target):
                return node
    return None


def _statements_after(path: list[Node], statement: Statement) -> Iterator[Statement]:
    """The statements that run after ``statement``, innermost block first, up to the scope."""
    child: Node = statement
    for ancestor in reversed(path):
        if isinstance(ancestor, Block):
            yield from _after_in(ancestor.body, child)
        elif isinstance(ancestor, MypyFile):
            yield from _after_in(ancestor.defs, child)
        child = ancestor


def _after_in(statements: list[Statement], child: Node) -> Iterator[Statement]:
    for index, statement in enumerate(statements):
        if statement is child:
            yield from statements[index + 1 :]
            return


def _rebinds(node: Node, target: NameExpr) -> bool:
    if isinstance(node, AssignmentStmt):
        return any(_binds(lvalue, target) for lvalue in node.lvalues)
    if isinstance(node, ForStmt):
        return _binds(node.index, target)
    if isinstance(node, WithStmt):
        return any(item is not None and _binds(item, target) for item in node.target)
    if isinstance(node, DelStmt):
        return _binds(node.expr, target)
    return False


def _binds(lvalue: Expression, target: NameExpr) -> bool:
    if isinstance(lvalue, (TupleExpr, ListExpr)):
        return any(_binds(item, target) for item in lvalue.items)
    return same_reference(lvalue, target)


def _uses(node: Node, target: NameExpr) -> bool:
    """A use that needs the resource open: a method call, ``await``, entering, iterating,
    returning or yielding it. Reading an attribute (``f.name``) or closing it again is fine."""
    if isinstance(node, CallExpr) and isinstance(node.callee, MemberExpr):
        return same_reference(node.callee.expr, target) and node.callee.name not in _HARMLESS_AFTER_CLOSE
    if isinstance(node, (AwaitExpr, ReturnStmt, YieldExpr)):
        return node.expr is not None and same_reference(node.expr, target)
    if isinstance(node, WithStmt):
        return any(same_reference(expr, target) for expr in node.expr)
    if isinstance(node, ForStmt):
        return same_reference(node.expr, target)
    return False
