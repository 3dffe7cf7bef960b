"""A view of the function being checked, built from mypy's nodes.

mypy has no statement hook (../shared/reference/mypy-internals.md): a check about what
encloses a call, or what follows a block, runs in the hook of a call and walks the
enclosing function itself. This module is that walk; it decides nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from typing import Final

from mypy.checker import TypeChecker
from mypy.nodes import (
    AssignmentStmt,
    AwaitExpr,
    Block,
    CallExpr,
    ClassDef,
    Decorator,
    Expression,
    ForStmt,
    FuncDef,
    FuncItem,
    IfStmt,
    IndexExpr,
    IntExpr,
    LambdaExpr,
    MatchStmt,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    Statement,
    StrExpr,
    TryStmt,
    WhileStmt,
    WithStmt,
)

from mypy_plugin import fullnames


def _fields(cls: type) -> tuple[str, ...]:
    """Attribute names of a mypy node class (compiled: ``__mypyc_attrs__``; interpreted: slots)."""
    compiled = getattr(cls, "__mypyc_attrs__", None)
    if compiled is not None:
        return tuple(compiled)
    return tuple(name for klass in cls.__mro__ for name in getattr(klass, "__slots__", ()))


#: Fields that point back into the tree (a name's definition, a class's info) or repeat it.
_NOT_CHILDREN: Final = frozenset(
    {"node", "original_def", "info", "def_var", "analyzed", "impl", "expanded", "arguments", "defn"}
)


#: Fields that hold positions, names, flags or types, never statements or expressions: skipped,
#: as walking is most of what the protocol checks cost (with ``is_*`` / ``has_*`` flags).
_NEVER_NODES: Final = frozenset(
    {
        "line", "column", "end_line", "end_column", "name", "fullname", "kind", "op", "id", "msg",
        "type", "unanalyzed_type", "old_type", "as_type", "method_type", "method_types", "type_guard",
        "type_is", "upper_bound", "variance", "default_depends", "index_type", "unanalyzed_index_type",
        "inferred_item_type", "inferred_iterator_type", "tuple_fallback", "analyzed_types",
        "arg_kinds", "arg_names", "max_pos", "min_args", "relative", "ids", "docstring", "deprecated",
        "new_syntax", "abstract_status", "dataclass_transform_spec", "original_first_arg",
        "right_always", "right_unreachable", "unreachable_else", "no_rhs", "valid", "setter_index",
    }
)  # fmt: skip


def _child_fields(cls: type[Node]) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        fields = tuple(
            name
            for name in _fields(cls)
            if name not in _NOT_CHILDREN and name not in _NEVER_NODES and not name.startswith(("_", "is_", "has_"))
        )
        _CHILD_FIELDS[cls] = fields
    return fields


#: Node class -> its child fields: a memo of a pure function of the class (mypy's node classes).
_CHILD_FIELDS: Final[dict[type[Node], tuple[str, ...]]] = {}


#: What ``children`` collects: every statement (a block is one) and expression.
_NODES: Final = (Expression, Statement)


def children(node: Node) -> Sequence[Node]:
    """Statements, blocks and expressions directly inside ``node``, in source order.

    Read only: for a block or a module it is the node's own statement list.
    """
    if isinstance(node, Block):
        return node.body
    if isinstance(node, MypyFile):
        return node.defs
    found: list[Node] = []
    for name in _child_fields(type(node)):
        value = getattr(node, name, None)
        if isinstance(value, _NODES):  # most fields hold one node: no call for them
            found.append(value)
        elif isinstance(value, (list, tuple)):
            _collect(value, found)
    return found


def _collect(value: object, found: list[Node]) -> None:
    if isinstance(value, _NODES):
        found.append(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found)


def nodes(root: Node) -> Iterator[tuple[Node, bool]]:
    """Every node under ``root`` (depth first), with whether it is inside a nested function."""
    stack: list[tuple[Node, bool]] = [(child, False) for child in reversed(children(root))]
    while stack:
        node, nested = stack.pop()
        yield node, nested
        inner = nested or isinstance(node, (FuncItem, Decorator))
        stack.extend((child, inner) for child in reversed(children(node)))


def own_nodes(root: Node) -> Iterator[Node]:
    """The nodes under ``root`` that belong to it (depth first): a nested function or lambda is
    yielded, its body is not walked."""
    stack = list(reversed(children(root)))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (FuncItem, Decorator)):
            stack.extend(reversed(children(node)))


def own_statements(root: Node) -> Iterator[Statement]:
    """The statements under ``root`` that belong to it (depth first), as ``own_nodes`` yields
    them, without walking expressions: no statement is inside one but a lambda's body."""
    stack = [child for child in reversed(children(root)) if isinstance(child, Statement)]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (FuncItem, Decorator)):
            stack.extend(child for child in reversed(children(node)) if isinstance(child, Statement))


def ancestors(root: Node, target: Node, *, into_functions: bool = True) -> list[Node] | None:
    """The nodes from ``root`` down to ``target``'s parent, or None if it is not under ``root``
    (nor in a nested function or lambda, with ``into_functions=False``).

    The search follows line numbers: only children whose lines can hold ``target`` are entered,
    so finding a call costs the depth of the tree, not its size. Positions can only make that
    miss (a node mypy made without them): then every child is searched.
    """
    for line in (target.line if target.line > 0 else None, None):
        path: list[Node] = []
        if _search(root, target, path, line, into_functions):
            return [root, *path]
    return None


def _search(node: Node, target: Node, path: list[Node], line: int | None, into_functions: bool) -> bool:
    for child in children(node):
        if child is target:
            return True
        if line is not None and (child.line > line or (child.end_line is not None and child.end_line < line)):
            continue
        if not into_functions and isinstance(child, (FuncItem, Decorator)):
            continue
        path.append(child)
        if _search(child, target, path, line, into_functions):
            return True
        path.pop()
    return False


def enclosing_scope(api: TypeChecker) -> Node | None:
    """The innermost function being checked, or the module for top-level code."""
    scope = getattr(api, "scope", None)
    function = scope.current_function() if scope is not None else None
    if isinstance(function, (FuncDef, LambdaExpr)):
        return function
    tree = getattr(api, "tree", None)
    return tree if isinstance(tree, MypyFile) else None


def same_reference(left: Expression, right: Expression) -> bool:
    if isinstance(left, NameExpr) and isinstance(right, NameExpr):
        return left.node is not None and left.node is right.node
    if isinstance(left, MemberExpr) and isinstance(right, MemberExpr):
        return left.name == right.name and same_reference(left.expr, right.expr)
    if isinstance(left, IndexExpr) and isinstance(right, IndexExpr):
        key = literal(left.index)
        return key is not None and key == literal(right.index) and same_reference(left.base, right.base)
    return False


def literal(expr: Expression | None) -> str | int | None:
    return expr.value if isinstance(expr, (StrExpr, IntExpr)) else None


# ---------------------------------------------------------------------------------------
# What holds a call
# ---------------------------------------------------------------------------------------


class Use(enum.Enum):
    ASYNC_WITH = "async with"
    WITH = "with"
    ASYNC_FOR = "async for"
    FOR = "for"
    AWAIT = "await"
    ATTRIBUTE = "attribute"
    ASSIGNED = "assigned"
    TAKEN = "taken"  # anext(call) / next(call): one item, then the object is dropped


class Parent:
    __slots__ = ("use", "node", "target")

    def __init__(self, use: Use, node: Node, target: Expression | None = None) -> None:
        self.use: Final = use
        self.node: Final = node  # the statement or expression that holds the call
        self.target: Final = target  # `as x` / `for x` / the assignment target


def find_parent(
    api: TypeChecker, call: CallExpr, *, headers_only: bool = False
) -> tuple[Parent | None, Node | None]:
    """What directly holds ``call``, among the shapes the checks know, and the enclosing scope.

    With ``headers_only``, only a ``with`` or ``for`` statement whose header holds the call is
    looked for, and no expression is walked: most resource calls are in an assignment or an
    expression, which is all the caller needs to know then.
    """
    root = enclosing_scope(api)
    if root is None:
        return None, None
    if headers_only:
        header = _header_holding(root, call)
        return (_parent(header, call) if header is not None else None), root
    path = ancestors(root, call, into_functions=False)
    return (_parent(path[-1], call) if path is not None else None), root


#: The statements that hold other statements (a nested function is not followed).
_COMPOUND: Final = (Block, IfStmt, WhileStmt, ForStmt, WithStmt, TryStmt, MatchStmt, ClassDef)


def _header_holding(root: Node, call: CallExpr) -> WithStmt | ForStmt | None:
    """The ``with`` / ``for`` statement of ``root``'s own whose header holds ``call``.

    Found by line, entering only the compound statements whose lines can hold the call
    (without positions, a node mypy made: every compound statement).
    """
    line = call.line if call.line > 0 else None
    stack: list[Node] = [root]
    while stack:
        for child in _compound_children(stack.pop(), line):
            if (isinstance(child, WithStmt) and any(expr is call for expr in child.expr)) or (
                isinstance(child, ForStmt) and child.expr is call
            ):
                return child
            stack.append(child)
    return None


def _compound_children(node: Node, line: int | None) -> list[Node]:
    """The compound statements directly in ``node`` whose lines can hold ``line``.

    Every child is looked at: a block is not always in source order (mypy's dataclass and attrs
    plugins append the methods they make to the class body, at the class's line).
    """
    return [
        child
        for child in children(node)
        if isinstance(child, _COMPOUND)
        and (line is None or (child.line <= line and (child.end_line is None or child.end_line >= line)))
    ]


def _parent(node: Node, call: CallExpr) -> Parent | None:
    """The shape ``node`` gives ``call``, a child of it (None: one the checks do not follow)."""
    if isinstance(node, WithStmt):
        for expr, target in zip(node.expr, node.target):
            if expr is call:
                return Parent(Use.ASYNC_WITH if node.is_async else Use.WITH, node, target)
    elif isinstance(node, ForStmt) and node.expr is call:
        return Parent(Use.ASYNC_FOR if node.is_async else Use.FOR, node, node.index)
    elif isinstance(node, AwaitExpr) and node.expr is call:
        return Parent(Use.AWAIT, node)
    elif isinstance(node, MemberExpr) and node.expr is call:
        return Parent(Use.ATTRIBUTE, node)
    elif isinstance(node, CallExpr) and node.args and node.args[0] is call and _takes_one(node):
        return Parent(Use.TAKEN, node)
    elif isinstance(node, AssignmentStmt) and node.rvalue is call and len(node.lvalues) == 1 and node.type is None:
        return Parent(Use.ASSIGNED, node, node.lvalues[0])
    return None


def _takes_one(call: CallExpr) -> bool:
    return isinstance(call.callee, NameExpr) and call.callee.fullname in fullnames.TAKE_ONE


# ---------------------------------------------------------------------------------------
# Names as the user wrote them, for messages
# ---------------------------------------------------------------------------------------


def target_name(target: Expression | None) -> str:
    if isinstance(target, NameExpr):
        return target.name
    if isinstance(target, MemberExpr):
        return f"{target_name(target.expr)}.{target.name}"
    if isinstance(target, IndexExpr) and literal(target.index) is not None:
        return f"{target_name(target.base)}[{literal(target.index)!r}]"
    return "resource"


def describe_call(call: CallExpr) -> str:
    """The call as written, for messages: ``get_db()``, ``pool.acquire()``, ``f(...)``."""
    return f"{_describe(call.callee)}({'...' if call.args else ''})"


def _describe(expr: Expression) -> str:
    if isinstance(expr, NameExpr):
        return expr.name
    if isinstance(expr, MemberExpr):
        return f"{_describe(expr.expr)}.{expr.name}"
    if isinstance(expr, CallExpr):
        return describe_call(expr)
    return "<expression>"
