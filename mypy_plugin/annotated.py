"""``Annotated[T, Depends(f)]`` and its aliases: T must accept what FastAPI injects for f.

mypy drops Annotated metadata before any checker hook can see it
(../shared/reference/mypy-internals.md), so these checks run during semantic analysis:

- a parameter ``p: Annotated[T, Depends(f)]``: mypy calls the ``typing.Annotated``
  type-analysis hook with only the position of ``Depends(f)``; the parameter's annotation
  is read back from the function header in the source file (source.py);
- an alias (``X = Annotated[...]``, ``X: TypeAlias = ...``, ``type X = ...``,
  ``X = TypeAliasType("X", ...)``): no hook sees its metadata, but the statement is still in
  the tree and mypy asks ``get_type_analyze_hook`` for every name of T while it analyses the
  alias. So while the semantic analyzer's current statement is such an alias, the first name
  of T is answered with the alias check. The analyzer is the one of this process's build,
  taken from the first type-analysis hook that runs.

mypy asks for every name of every type (160,000 times on FastAPI's docs). In a build that
parses every file before it analyses any (a cold ``mypy`` run), the answer for a name no alias
of the build can start with is None whatever the statement, so the hooks object is also a
table (a dict) of those names, which mypy's asks read with no Python call: before the first
ask is answered, the first names of all aliases are collected from the parsed trees
(``_heads_of``, names imported under another name followed). A build that parses some files
later (one that reads a cache, a daemon, a parallel build) decides every ask in Python.

Every hook returns exactly mypy's own analysis (run again with the plugin out of the way),
so no type changes; the checks only add diagnostics. They are reported where the user fixes
them: at the parameter, or once at the alias definition. A dependency of the same module
that mypy has not analysed yet (defined further down, or decorated) has its signature
analysed on the spot; anything else not analysed yet (an import cycle) is left silent. Each
check records a dependency on the definition it used so dmypy re-checks when it changes.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Final

from mypy.exprtotype import TypeTranslationError, expr_to_unanalyzed_type
from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    AssignmentStmt,
    Block,
    CallExpr,
    Context,
    Decorator,
    Expression,
    FuncDef,
    ImportFrom,
    IndexExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    OpExpr,
    PlaceholderNode,
    StrExpr,
    SymbolNode,
    TupleExpr,
    TypeAliasStmt,
    TypeInfo,
    Var,
)
from mypy.plugin import AnalyzeTypeContext
from mypy.semanal import SemanticAnalyzer
from mypy.server.trigger import make_trigger
from mypy.subtypes import is_subtype
from mypy.type_visitor import TypeQuery
from mypy.typeops import function_type
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    PlaceholderType,
    RawExpressionType,
    Type,
    TypeOfAny,
    TypeType,
    UnboundType,
    get_proper_type,
)
from mypy.typevars import fill_typevars_with_any

from mypy_plugin import fullnames, messages, source
from mypy_plugin.config import PluginConfig
from mypy_plugin.consulted import Modules, ReadLog
from mypy_plugin.depends import judge, report_contract, report_problem
from mypy_plugin.resources import called, classify_callee, is_generator_function

TypeAnalyzeHook = Callable[[AnalyzeTypeContext], Type]


class _Marker:
    """A call in Annotated metadata, as written: ``Depends(get_db)`` -> ("Depends", "get_db")."""

    __slots__ = ("callee", "dependency", "plain", "called")

    def __init__(self, callee: str, dependency: str | None, plain: bool = True, called: bool = False) -> None:
        self.callee: Final = callee
        # The dependency as a dotted name; None for ``Depends()`` (FastAPI calls the annotation).
        self.dependency: Final = dependency
        # False when the dependency is not a plain name (a lambda, ``*args``): not judged.
        self.plain: Final = plain
        # ``Depends(get_db())``: the dependency is a call of that name.
        self.called: Final = called


class _Alias:
    """An alias statement whose value is ``Annotated[...]`` with calls in its metadata."""

    __slots__ = ("module", "name", "where", "type_expression", "metadata")

    def __init__(
        self,
        module: str,
        name: str,
        where: Context,
        type_expression: Expression,
        metadata: tuple[Expression, ...],
    ) -> None:
        self.module: Final = module
        self.name: Final = name
        self.where: Final = where
        self.type_expression: Final = type_expression
        self.metadata: Final = metadata


class AnnotatedDependencies(dict[str, "TypeAnalyzeHook | None"]):
    """The type-analysis hooks. Holds the analyzer of this build, a one-statement memo and, in a
    build that parses every file before it analyses any, the names no alias of the build can
    start with: the object itself is the table of those names (each answered None), so that
    mypy's asks for them cost no Python call (``getter``)."""

    def __init__(self, config: PluginConfig, log: ReadLog) -> None:
        super().__init__()
        self._config = config
        self._log = log
        self._modules: dict[str, MypyFile] = {}
        self.table = False  # whether the plugin asks through the table (getter)
        # The last part of every name an alias's type may start with (``_heads_of``): None
        # until read at the first ask, and for good when an alias's type cannot be named.
        self._heads: frozenset[str] | None = None
        self._heads_unknown = False
        # Names that are asked in Python every time: ``Annotated`` and the names with a head's
        # last part. The others go into the table at their first ask.
        self._in_python = set(fullnames.ANNOTATED)
        self._analyzer: SemanticAnalyzer | None = None
        self._bypass = False  # set while mypy re-analyses a type on the plugin's behalf
        self._statement: object = None
        self._alias: _Alias | None = None
        # The answers of the common path, None while bypassed: for ``Annotated``, and for any
        # other name in ``_statement`` (the alias check when it is an alias with calls).
        self._on_annotated: TypeAnalyzeHook | None = self._annotated
        self._on_statement: TypeAnalyzeHook | None = None

    def getter(self, table: bool) -> Callable[[str], TypeAnalyzeHook | None]:
        """The plugin's ``get_type_analyze_hook``. With ``table`` (a build that parses every
        file before it analyses any, so that the heads are read from all of them) the table's
        own lookup, which decides a name in Python only when it is not in the table; without it
        (a build that reads modules from a cache, a daemon, a parallel build) every ask is
        decided in Python."""
        self.table = table
        return self.__getitem__ if table else self.type_analyze_hook

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        self._modules = modules

    def _read_heads(self) -> frozenset[str] | None:
        """Read the heads from the trees of the modules whose errors mypy shows (``_heads_of``);
        None before the analyzer is known, and when an alias's type cannot be named."""
        analyzer = self._analyzer
        if analyzer is None or self._heads_unknown:
            return None
        modules = list(self._modules.values())
        originals = _originals(modules)
        renames: dict[str, set[str]] = {}
        for alias, names in originals.items():
            for name in names:
                renames.setdefault(name, set()).add(alias)
        annotated = _closure({name.rpartition(".")[2] for name in fullnames.ANNOTATED}, renames)
        markers = _closure({name.rpartition(".")[2] for name in fullnames.DEPENDENCY_MARKERS}, renames)
        heads: set[str] = set()
        for module in modules:
            if module.path in analyzer.errors.ignored_files:
                continue
            found = _heads_of(module, annotated, markers, originals)
            if found is None:
                self._heads_unknown = True
                return None
            heads |= found
        # A head imported (or made, ``X = TypedDict("Y", ...)``) under another name is asked
        # for by the name it was defined with.
        self._heads = _closure(heads, originals)
        return self._heads

    def type_analyze_hook(self, fullname: str) -> TypeAnalyzeHook | None:
        # Asked for every name in every type of the build (160,000 times on FastAPI's docs), or
        # with the table for the names not in it: the common path is a membership test and an
        # identity test.
        if self.table and fullname not in self._in_python:
            heads = self._heads if self._heads is not None else self._read_heads()
            if heads is not None:
                # the last part, without the line a class defined in a function has (m.Local@12)
                if fullname.rpartition(".")[2].partition("@")[0] not in heads:
                    self[fullname] = None
                    return None
                self._in_python.add(fullname)
        analyzer = self._analyzer
        if fullname in fullnames.ANNOTATED:
            # In a module whose errors mypy hides, mypy's own analysis is the answer.
            return self._on_annotated if analyzer is None or messages.errors_shown(analyzer) else None
        if analyzer is None:
            return None if self._bypass else self._first_type
        statement = analyzer.statement
        if statement is self._statement or self._bypass:
            return self._on_statement  # None while bypassed
        if not (
            isinstance(statement, TypeAliasStmt)
            or (isinstance(statement, AssignmentStmt) and isinstance(statement.rvalue, (IndexExpr, CallExpr)))
        ):  # most new statements: no value _alias looks at (Annotated[...], TypeAliasType("X", ...))
            self._statement, self._alias, self._on_statement = statement, None, None
            return None
        return self._alias_type if self._alias_statement(analyzer) is not None else None

    __missing__ = type_analyze_hook

    def _alias_statement(self, analyzer: SemanticAnalyzer) -> _Alias | None:
        statement = analyzer.statement
        if statement is not self._statement:
            self._statement = statement
            self._alias = _alias(analyzer, statement) if messages.errors_shown(analyzer) else None
            self._on_statement = self._alias_type if self._alias is not None else None
        return self._alias

    def _first_type(self, ctx: AnalyzeTypeContext) -> Type:
        analyzer = _analyzer(ctx)
        if analyzer is None:
            return self._mypy_type(ctx)
        self._analyzer = analyzer
        if self._alias_statement(analyzer) is not None:
            return self._alias_type(ctx)
        return self._mypy_type(ctx)

    def _mypy_type(self, ctx: AnalyzeTypeContext, unanalyzed: Type | None = None) -> Type:
        """What mypy itself makes of the type, with every plugin hook out of the way."""
        self._bypass = True
        on_annotated, on_statement = self._on_annotated, self._on_statement
        self._on_annotated = self._on_statement = None
        try:
            return ctx.api.analyze_type(ctx.type if unanalyzed is None else unanalyzed)
        finally:
            self._bypass = False
            self._on_annotated, self._on_statement = on_annotated, on_statement

    def _annotated(self, ctx: AnalyzeTypeContext) -> Type:
        declared = self._mypy_type(ctx)
        analyzer = _analyzer(ctx)
        if analyzer is not None:
            self._analyzer = analyzer
            if messages.errors_shown(analyzer):
                self._check_parameter(ctx, analyzer, declared)
        return declared

    def _alias_type(self, ctx: AnalyzeTypeContext) -> Type:
        analyzed = self._mypy_type(ctx)
        analyzer = self._analyzer
        alias = self._alias
        if analyzer is None or alias is None or alias.module != analyzer.cur_mod_id:
            return analyzed
        if not _is_head(ctx.type, alias.type_expression):
            return analyzed
        marker = _last_marker(analyzer, [_marker_from_expression(item) for item in alias.metadata], alias.where)
        if marker is None:
            return analyzed
        try:
            unanalyzed = expr_to_unanalyzed_type(alias.type_expression, analyzer.options, analyzer.is_stub_file)
        except TypeTranslationError:
            return analyzed
        declared = self._mypy_type(ctx, unanalyzed)
        self._check(ctx, analyzer, alias.where, f'Type alias "{alias.name}"', marker, declared)
        return analyzed

    def _check_parameter(self, ctx: AnalyzeTypeContext, analyzer: SemanticAnalyzer, declared: Type) -> None:
        annotation = ctx.type
        statement = analyzer.statement
        func = statement.func if isinstance(statement, Decorator) else statement
        if not isinstance(func, FuncDef) or not isinstance(func.unanalyzed_type, CallableType):
            return
        index = next((i for i, t in enumerate(func.unanalyzed_type.arg_types) if t is annotation), None)
        name = func.arg_names[index] if index is not None and index < len(func.arg_names) else None
        if index is None or name is None:
            return  # a nested Annotated, or the return annotation: FastAPI reads neither
        path = analyzer.cur_mod_node.path
        if not _may_hold_marker(analyzer, path, annotation):
            return
        expression = source.parameter_annotations(path, func.line).get(name)
        if expression is None:
            return
        metadata = _ast_metadata(analyzer, expression, func)
        marker = _last_marker(analyzer, [_marker_from_ast(item) for item in metadata], func)
        if marker is None:
            return
        argument = func.arguments[index]
        if _is_dependency_call(analyzer, argument.initializer):
            messages.dependency_declared_twice(analyzer, argument, name)
            return
        self._check(ctx, analyzer, argument, f'Parameter "{name}"', marker, declared)

    def _check(
        self,
        ctx: AnalyzeTypeContext,
        analyzer: SemanticAnalyzer,
        where: Context,
        subject: str,
        marker: _Marker,
        declared: Type,
    ) -> None:
        """The shared verdict (depends.judge), plus the type check mypy does for defaults."""
        if not marker.plain or not _complete(declared):
            return
        if marker.dependency is None:
            proper = get_proper_type(declared)
            if not isinstance(proper, Instance):
                return
            node: SymbolNode | None = proper.type
            callee: Type | None = TypeType(proper)
            name = proper.type.name
        else:
            symbol = analyzer.lookup_qualified(marker.dependency, where, suppress_errors=True)
            node = symbol.node if symbol is not None else None
            callee = _callee_type(analyzer, node, partial(self._signature_of_later_definition, ctx))
            name = marker.dependency
        if node is None or callee is None:
            return
        analyzer.add_plugin_dependency(make_trigger(node.fullname))
        modules = Modules(analyzer.modules, self._log, analyzer.cur_mod_id)
        dependency = classify_callee(name, node, callee, modules)
        if marker.called:
            result = called(dependency)
            if result is None:
                return  # a factory: what its result does is not known here
            dependency = result
        verdict = judge(dependency, declared, self._config.fastapi)
        if verdict.problem is not None:
            report_problem(analyzer, where, dependency, verdict.problem)
            return
        if verdict.injected is not None and not is_subtype(verdict.injected, declared):
            short = marker.callee.rpartition(".")[2]
            messages.injected_type_mismatch(analyzer, where, subject, short, dependency, declared)
        report_contract(analyzer, where, dependency, modules, self._config.fastapi)


    def _signature_of_later_definition(self, ctx: AnalyzeTypeContext, func: FuncDef) -> CallableType | None:
        """The signature of a function of this module that mypy has not analysed yet (it is
        defined further down, or decorated: mypy analyses those with the function bodies).
        Analysed here in the module's scope with errors muted (mypy reports them itself later);
        None for anything else (a method, another module of an import cycle)."""
        analyzer = _analyzer(ctx)
        unanalyzed = func.unanalyzed_type
        if analyzer is None or not isinstance(unanalyzed, CallableType):
            return None
        if func.fullname != f"{analyzer.cur_mod_id}.{func.name}":
            return None  # a method, or a function of another module
        with analyzer.msg.filter_errors():
            signature = self._mypy_type(ctx, unanalyzed)
        if not isinstance(signature, CallableType) or not _complete(signature):
            return None
        if func.is_coroutine and not is_generator_function(func):
            # As mypy does after analysing an `async def` (semanal.analyze_func_def).
            anything = AnyType(TypeOfAny.special_form)
            coroutine = analyzer.named_type_or_none(fullnames.COROUTINE, [anything, anything, signature.ret_type])
            return None if coroutine is None else signature.copy_modified(ret_type=coroutine)
        return signature


def _originals(modules: list[MypyFile]) -> dict[str, set[str]]:
    """Every ``as`` name in the modules' ``from`` imports -> the names it stands for."""
    originals: dict[str, set[str]] = {}
    for module in modules:
        for statement in module.imports:
            if isinstance(statement, ImportFrom):
                for name, alias in statement.names:
                    if alias is not None and alias != name:
                        originals.setdefault(alias, set()).add(name)
    return originals


def _closure(names: set[str], more: dict[str, set[str]]) -> frozenset[str]:
    """The names with every name ``more`` gives for them, and for those, and so on."""
    known = set(names)
    todo = list(names)
    while todo:
        for name in more.get(todo.pop(), ()):
            if name not in known:
                known.add(name)
                todo.append(name)
    return frozenset(known)


#: The attributes of statements that hold statements: blocks, lists of blocks, a decorated
#: function, an overload's items. Per statement class, those it has (filled at first sight).
_HOLDER_NAMES: Final = (
    "defs", "body", "else_body", "handlers", "finally_body", "bodies", "func", "items", "impl"
)  # fmt: skip
_HOLDERS: Final[dict[type, tuple[str, ...]]] = {}


def _heads_of(
    module: MypyFile, annotated: frozenset[str], markers: frozenset[str], originals: dict[str, set[str]]
) -> frozenset[str] | None:
    """The last parts of the names the types of the module's ``Annotated`` aliases may start
    with, for the aliases with a ``Depends`` / ``Security`` call in their metadata (a superset of
    the statements ``_alias`` looks at), in any block: ``SessionDep = Annotated[db.Session,
    Depends(get_session)]`` gives ``Session``. Read from the parsed tree, before any analysis:
    ``annotated`` and ``markers`` are the names ``Annotated`` and the markers may be written as,
    and any callee counts as ``TypeAliasType``. ``X = F("Y", ...)`` adds Y as what X stands for
    to ``originals`` (mypy 1.x names such a TypedDict or Enum Y when the two differ). None when
    an alias's type starts with something this cannot name. (Only a parallel build's
    coordinator keeps no more of a tree than its imports, and it does not use the table.)"""
    heads: set[str] = set()
    todo: list[Node] = list(module.defs)
    while todo:
        node = todo.pop()
        kind = type(node)  # by identity: this walks every statement of the project
        if kind is AssignmentStmt:
            value: Expression | None = node.rvalue  # type: ignore[attr-defined]
        elif kind is TypeAliasStmt:
            value = node.value.expr()  # type: ignore[attr-defined]
        else:
            holders = _HOLDERS.get(kind)
            if holders is None:
                holders = _HOLDERS[kind] = tuple(name for name in _HOLDER_NAMES if hasattr(kind, name))
            for name in holders:
                held = getattr(node, name, None)
                if isinstance(held, list):
                    todo.extend(held)
                elif held is not None:
                    todo.append(held)
            continue
        if type(value) is CallExpr:  # TypeAliasType("X", Annotated[...]), TypedDict("X", ...)
            arguments = value.args
            if kind is AssignmentStmt and arguments and type(arguments[0]) is StrExpr:
                for target in node.lvalues:  # type: ignore[attr-defined]
                    if isinstance(target, NameExpr) and target.name != arguments[0].value:
                        originals.setdefault(target.name, set()).add(arguments[0].value)
            value = arguments[1] if len(arguments) >= 2 else None
        base = value.base if type(value) is IndexExpr else None
        if isinstance(base, (NameExpr, MemberExpr)) and base.name in annotated:
            found = _alias_heads(value, annotated, markers)  # type: ignore[arg-type]
            if found is None:
                return None
            heads |= found
    return frozenset(heads)


def _alias_heads(value: IndexExpr, annotated: frozenset[str], markers: frozenset[str]) -> set[str] | None:
    """What the type of ``Annotated[...]`` (also nested) may start with, last parts only, if
    its metadata calls a marker (else nothing): its first name, with the name of every
    subscript looked into on the way (it may not be ``Annotated`` after all), and every name of
    a string type (mypy checks the alias at the first one it knows). None when the type starts
    with something no name can be read from."""
    heads: set[str] = set()
    called = False
    type_expression: Expression = value
    while (
        isinstance(type_expression, IndexExpr)
        and isinstance(type_expression.base, (NameExpr, MemberExpr))
        and type_expression.base.name in annotated
    ):
        if type_expression is not value:
            heads.add(type_expression.base.name)
        index = type_expression.index
        items = index.items if isinstance(index, TupleExpr) else [index]
        if not items:
            return set()  # ``X[()]``: no type in it
        called = called or any(
            isinstance(item, CallExpr)
            and isinstance(item.callee, (NameExpr, MemberExpr))
            and item.callee.name in markers
            for item in items[1:]
        )
        type_expression = items[0]
    if not called:
        return set()
    while isinstance(type_expression, (IndexExpr, OpExpr)):
        type_expression = type_expression.base if isinstance(type_expression, IndexExpr) else type_expression.left
    if isinstance(type_expression, (NameExpr, MemberExpr)):
        return heads | {type_expression.name}
    if isinstance(type_expression, StrExpr):  # parsed by mypy later, as Python parses it
        try:
            parsed = ast.parse(type_expression.value.strip(), mode="eval")
        except (SyntaxError, ValueError):
            return None
        return heads | {
            node.id if isinstance(node, ast.Name) else node.attr
            for node in ast.walk(parsed)
            if isinstance(node, (ast.Name, ast.Attribute))
        }
    return None


def _analyzer(ctx: AnalyzeTypeContext) -> SemanticAnalyzer | None:
    analyzer = getattr(ctx.api, "api", None)
    return analyzer if isinstance(analyzer, SemanticAnalyzer) else None


def _alias(analyzer: SemanticAnalyzer, statement: object) -> _Alias | None:
    """The alias defined by the statement, if its value is Annotated with calls in it."""
    if isinstance(statement, AssignmentStmt):
        if len(statement.lvalues) != 1 or not isinstance(statement.lvalues[0], NameExpr):
            return None
        where: NameExpr = statement.lvalues[0]
        value = statement.rvalue
    elif isinstance(statement, TypeAliasStmt):
        where, value = statement.name, statement.value.expr()
    else:
        return None
    if isinstance(value, CallExpr) and len(value.args) >= 2 and _dotted(value.callee) is not None:
        # TypeAliasType("X", Annotated[...])
        if _resolve(analyzer, _dotted(value.callee), where) not in fullnames.TYPE_ALIAS_TYPE:
            return None
        value = value.args[1]
    type_expression, metadata = _expression_parts(analyzer, value, where)
    if not any(isinstance(item, CallExpr) for item in metadata):
        return None
    return _Alias(analyzer.cur_mod_id, where.name, where, type_expression, tuple(metadata))


def _expression_parts(
    analyzer: SemanticAnalyzer, value: Expression, where: Context
) -> tuple[Expression, list[Expression]]:
    """``Annotated[Annotated[T, a], b]`` -> (T, [a, b]), as typing flattens it."""
    metadata: list[Expression] = []
    while isinstance(value, IndexExpr) and _resolve(analyzer, _dotted(value.base), where) in fullnames.ANNOTATED:
        items = value.index.items if isinstance(value.index, TupleExpr) else [value.index]
        metadata[:0] = items[1:]
        value = items[0]
    return value, metadata


def _ast_metadata(analyzer: SemanticAnalyzer, annotation: ast.expr, where: Context) -> list[ast.expr]:
    metadata: list[ast.expr] = []
    while isinstance(annotation, ast.Subscript) and (
        _resolve(analyzer, _ast_dotted(annotation.value), where) in fullnames.ANNOTATED
    ):
        items = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        if not items:
            break
        metadata[:0] = items[1:]
        annotation = items[0]
    return metadata


def _last_marker(analyzer: SemanticAnalyzer, markers: Sequence[_Marker | None], where: Context) -> _Marker | None:
    """FastAPI takes the last of its own markers; a dependency only if that one is Depends/Security."""
    for marker in reversed(markers):
        if marker is None:
            continue
        fullname = _resolve(analyzer, marker.callee, where)
        if fullname in fullnames.DEPENDENCY_MARKERS:
            return marker
        if fullname is not None and fullname.startswith(fullnames.FASTAPI_PARAMETER_MODULES):
            return None
    return None


def _marker_from_expression(item: Expression) -> _Marker | None:
    callee = _dotted(item.callee) if isinstance(item, CallExpr) else None
    if not isinstance(item, CallExpr) or callee is None:
        return None
    if any(kind not in (ARG_POS, ARG_NAMED) for kind in item.arg_kinds):
        return _Marker(callee, None, plain=False)
    for argument, kind, name in zip(item.args, item.arg_kinds, item.arg_names):
        if kind == ARG_POS or name == "dependency":
            if isinstance(argument, CallExpr):
                dependency = _dotted(argument.callee)
                return _Marker(callee, dependency, plain=dependency is not None, called=True)
            dependency = _dotted(argument)
            return _Marker(callee, dependency, plain=dependency is not None)
    return _Marker(callee, None)


def _marker_from_ast(item: ast.expr) -> _Marker | None:
    callee = _ast_dotted(item.func) if isinstance(item, ast.Call) else None
    if not isinstance(item, ast.Call) or callee is None:
        return None
    if any(isinstance(a, ast.Starred) for a in item.args) or any(k.arg is None for k in item.keywords):
        return _Marker(callee, None, plain=False)
    argument = item.args[0] if item.args else next((k.value for k in item.keywords if k.arg == "dependency"), None)
    if argument is None:
        return _Marker(callee, None)
    if isinstance(argument, ast.Call):
        dependency = _ast_dotted(argument.func)
        return _Marker(callee, dependency, plain=dependency is not None, called=True)
    dependency = _ast_dotted(argument)
    return _Marker(callee, dependency, plain=dependency is not None)


def _dotted(expression: Expression) -> str | None:
    if isinstance(expression, NameExpr):
        return expression.name
    if isinstance(expression, MemberExpr):
        base = _dotted(expression.expr)
        return None if base is None else f"{base}.{expression.name}"
    return None


def _ast_dotted(expression: ast.expr) -> str | None:
    if isinstance(expression, ast.Name):
        return expression.id
    if isinstance(expression, ast.Attribute):
        base = _ast_dotted(expression.value)
        return None if base is None else f"{base}.{expression.attr}"
    return None


def _resolve(analyzer: SemanticAnalyzer, name: str | None, where: Context) -> str | None:
    """The fullname a dotted name refers to in the current scope, if it is defined."""
    if name is None:
        return None
    symbol = analyzer.lookup_qualified(name, where, suppress_errors=True)
    node = symbol.node if symbol is not None else None
    return None if node is None or isinstance(node, PlaceholderNode) else node.fullname


def _is_dependency_call(analyzer: SemanticAnalyzer, initializer: Expression | None) -> bool:
    if not isinstance(initializer, CallExpr):
        return False
    return _resolve(analyzer, _dotted(initializer.callee), initializer) in fullnames.DEPENDENCY_MARKERS


def _may_hold_marker(analyzer: SemanticAnalyzer, path: str, annotation: UnboundType) -> bool:
    """A cheap look before reading the header: does any metadata call name Depends/Security?

    A verdict needs the last FastAPI marker to be one of them (``_last_marker``), so most
    ``Query()`` / ``Path()`` / ``Doc()`` parameters never reach the header read.
    mypy keeps a call of the metadata as a raw expression without a literal value, so an
    annotation without one (``Annotated[int, "doc"]``) is answered without reading the file.
    The name called is read from mypy's note on that expression when it has one, else from
    the source at its position; positions inside a string annotation are relative to the
    string, so there the header is read always.
    """
    calls = [raw for raw in _raw_items(annotation) if raw.literal_value is None]
    if not calls:
        return False
    names = [_called_name(raw) for raw in calls]
    if None in names:
        lines = source.lines(path)
        if source.is_string_at(lines, annotation.line, annotation.column):
            return True
        names = [
            name if name is not None else source.name_at(lines, raw.line, raw.column)
            for name, raw in zip(names, calls)
        ]
    return any(_resolve(analyzer, name, annotation) in fullnames.DEPENDENCY_MARKERS for name in names)


#: mypy's note on a call without keywords written in a type (fastparse.TypeConverter.visit_Call),
#: which names the callee. Compiled at first use (re keeps it), not at every mypy start.
_CALL_NOTE = r"Suggestion: use ([^\W\d][\w.]*)\[\.\.\.\] instead of \1\(\.\.\.\)"


def _called_name(raw: RawExpressionType) -> str | None:
    """The dotted name called, from mypy's note (None when the note does not say)."""
    match = re.fullmatch(_CALL_NOTE, raw.note) if raw.note is not None else None
    return match.group(1) if match is not None else None


def _raw_items(annotation: UnboundType) -> Iterator[RawExpressionType]:
    for argument in annotation.args:
        if isinstance(argument, RawExpressionType):
            yield argument
        elif isinstance(argument, UnboundType):
            yield from _raw_items(argument)


def _is_head(unanalyzed: Type, type_expression: Expression) -> bool:
    """The first name mypy analyses in the alias's type (the check runs once per analysis)."""
    if isinstance(type_expression, StrExpr):
        return True
    return (unanalyzed.line, unanalyzed.column) == (type_expression.line, type_expression.column)


def _callee_type(
    analyzer: SemanticAnalyzer, node: SymbolNode | None, later: Callable[[FuncDef], CallableType | None]
) -> Type | None:
    """The type of the dependency as a callee; None when it cannot be known yet."""
    if isinstance(node, FuncDef):
        if node.type is None:
            return function_type(node, analyzer.named_type("builtins.function"))
        return node.type if _complete(node.type) else later(node)
    if isinstance(node, Decorator):
        if node.var.type is not None:
            return node.var.type
        return _contextlib_factory_type(analyzer, node, later)
    if isinstance(node, TypeInfo):
        return TypeType(fill_typevars_with_any(node))
    if isinstance(node, Var) and node.type is not None:
        return node.type if _complete(node.type) else None
    return AnyType(TypeOfAny.special_form)  # classified as unknown: mypy's default


def _contextlib_factory_type(
    analyzer: SemanticAnalyzer, decorator: Decorator, later: Callable[[FuncDef], CallableType | None]
) -> Type | None:
    """What ``@asynccontextmanager`` / ``@contextmanager`` make of a function the checker has
    not reached yet (same module or import cycle); any other decorator: undecidable."""
    func = decorator.func
    decorators = [_resolve(analyzer, _dotted(d), d) or "" for d in decorator.decorators]
    manager = fullnames.CONTEXTLIB_DECORATORS.get(decorators[0]) if len(decorators) == 1 else None
    if manager is None:
        return AnyType(TypeOfAny.special_form)
    if func.type is None:
        yielded: Type = AnyType(TypeOfAny.unannotated)
        signature: Type | None = function_type(func, analyzer.named_type("builtins.function"))
    else:
        signature = func.type if _complete(func.type) else later(func)
        if not isinstance(signature, CallableType):
            return None
        result = get_proper_type(signature.ret_type)
        yielded = result.args[0] if isinstance(result, Instance) and result.args else AnyType(TypeOfAny.special_form)
    symbol = analyzer.lookup_fully_qualified_or_none(manager)
    info = symbol.node if symbol is not None else None
    if not isinstance(info, TypeInfo) or not isinstance(signature, CallableType) or not info.defn.type_vars:
        return AnyType(TypeOfAny.special_form)
    defaults = [getattr(variable, "default", AnyType(TypeOfAny.special_form)) for variable in info.defn.type_vars[1:]]
    return signature.copy_modified(ret_type=Instance(info, [yielded, *defaults]))


class _Incomplete(TypeQuery[bool]):
    def strategy(self, items: list[bool]) -> bool:
        return any(items)

    def visit_unbound_type(self, t: UnboundType) -> bool:
        return True

    def visit_placeholder_type(self, t: PlaceholderType) -> bool:
        return True


def _complete(typ: Type) -> bool:
    """Fully analysed: no names left to resolve."""
    return not typ.accept(_Incomplete())
