"""Resource protocol misuse at the call that creates the resource object.

Covers ``async with`` on a generator, ``async for`` on a context manager, ``with`` vs
``async with``, and a manager or generator that is never entered or iterated (attribute
access, ``await``, passing or returning it where the resource is expected). mypy has no
statement hook, so everything is anchored on the function/method hook of the call that
creates the object (``get_db()``, ``SessionLocal()``, ``pool.acquire()``): the hook finds
what encloses that call in the current function and, when it reports, gives the call the
type the fix would give, so mypy's own protocol error (``has no attribute "__aenter__"``)
does not appear as a second report for the same mistake.

Unannotated factories (``-> Any`` to mypy) are classified from the definition's
generator/coroutine flags; contextlib-decorated ones keep their manager type.

Not covered: objects that are not created by a call in the same statement or assignment
(``with self.session:``), code in functions mypy does not check (unannotated functions
without ``check_untyped_defs``: there the call is ``Any`` and no hook runs), union types,
and uses of a stored manager that escape the enclosing function.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from functools import partial
from typing import Final, TypeVar, Union, final

from mypy.checker import TypeChecker
from mypy.lookup import lookup_fully_qualified
from mypy.nodes import (
    AwaitExpr,
    CallExpr,
    Decorator,
    Expression,
    FuncDef,
    IndexExpr,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    OverloadedFuncDef,
    SymbolNode,
    SymbolTableNode,
    TypeInfo,
    Var,
    YieldExpr,
)
from mypy.plugin import FunctionContext, MethodContext
from mypy.subtypes import find_member, is_subtype
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    NoneType,
    Overloaded,
    TupleType,
    Type,
    TypeOfAny,
    TypeVarType,
    UninhabitedType,
    UnionType,
    get_proper_type,
)

from mypy_plugin import fullnames, lifetime, messages
from mypy_plugin.config import PluginConfig
from mypy_plugin.consulted import Modules, ReadLog
from mypy_plugin.installed import InstalledCode
from mypy_plugin.resources import type_argument
from mypy_plugin.scope import Parent, Use, describe_call, find_parent, nodes, same_reference, target_name

CallContext = Union[FunctionContext, MethodContext]
CallHook = Callable[[CallContext], Type]
FunctionHook = Callable[[FunctionContext], Type]
Lookup = Callable[[str], "SymbolTableNode | None"]

_ASYNC_ITERATOR_BASES: Final = (fullnames.ASYNC_ITERATOR,)
_ITERATOR_BASES: Final = (fullnames.ITERATOR,)
_AWAIT_BASES: Final = (fullnames.COROUTINE, fullnames.AWAITABLE)
#: Declared return types that make a plain function a generator factory.
_GENERATOR_RESULTS: Final = frozenset(
    {fullnames.ASYNC_GENERATOR, fullnames.ASYNC_ITERATOR, fullnames.GENERATOR, fullnames.ITERATOR}
)
#: Managers that only wrap a resource (never the resource themselves), even when typed Any.
_CONTEXTLIB_MANAGERS: Final = frozenset(
    {fullnames.ASYNC_GENERATOR_CONTEXT_MANAGER, fullnames.GENERATOR_CONTEXT_MANAGER}
)


# ---------------------------------------------------------------------------------------
# Gate: which callees get the hook (asked by mypy for every call, so a few dict hits)
# ---------------------------------------------------------------------------------------


@final
class Gate:
    """Which callees get the hook: a function or class call, or ``obj.method()`` / ``maker()``
    (``Cls.__call__``), whose result may be a resource object. Operators never match.

    mypy asks at every call. In a one-shot build (``mypy``, cold or warm) a definition does not
    change once the checker can see it (each module is analysed before any module that uses it
    is checked), so each answer is kept per name. A daemon (fine-grained mode) updates
    definitions in place, so there every call looks again, except at the names no edit changes
    (``_FIXED``), at operator and protocol methods (``__add__``, ``__enter__``), which never
    match, and at callees read from installed code only (installed.py), until mypy reads
    again an installed file or a module that installed code imports. What an instance type is
    seen as through the protocols is kept (``Objects``).
    """

    def __init__(
        self,
        lookup: Lookup,
        config: PluginConfig,
        log: ReadLog,
        *,
        keep: bool,
        from_cache: bool,
        routed: Mapping[str, FunctionHook],
    ) -> None:
        self._lookup = lookup
        self._config = config
        self._log = log
        self._keep = keep
        self._objects: Final = Objects(checked=not keep)
        self._installed: Final = InstalledCode(from_cache=from_cache)
        # ``routed`` callees (FastAPI's ``Depends``) are answered with their own hook, always.
        self._functions: Final[_Answers[FunctionHook]] = _Answers(
            partial(self._decide, definition=self._function), routed
        )
        self._methods: Final[_Answers[CallHook]] = _Answers(self._decide_method, {})
        #: The asks themselves: a kept answer is a dict hit, with no Python call.
        self.function_hook: Final = self._functions.__getitem__
        self.method_hook: Final = self._methods.__getitem__

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        self._installed.set_modules(modules)

    def read_again(self, file: MypyFile) -> list[tuple[int, str, int]]:
        """``get_additional_deps`` in a daemon, which mypy asks for every file it reads: an
        installed file, or a module installed code imports, read again ends the keeping of
        installed answers (installed.py)."""
        if self._installed.read_again(file):
            self._functions.forget()
            self._methods.forget()
        return []

    def _decide(
        self,
        fullname: str,
        kept: dict[str, FunctionHook | None] | dict[str, CallHook | None],
        *,
        definition: Callable[[str], tuple[TypeInfo | None, SymbolNode | None]],
    ) -> CallHook | None:
        owner, node = definition(fullname)
        hook = (
            partial(check_call, definition=node, config=self._config, log=self._log, objects=self._objects)
            if _may_create_resource(node)
            else None
        )
        inferred_later = isinstance(node, Decorator) and node.var.type is None  # when the checker reaches it
        if not inferred_later and (
            self._keep or fullname.startswith(_FIXED) or self._read_from_installed(fullname, owner, node)
        ):
            kept[fullname] = hook
        return hook

    def _decide_method(self, fullname: str, kept: dict[str, CallHook | None]) -> CallHook | None:
        name = fullname.rpartition(".")[2]
        if name.startswith("__") and name.endswith("__") and name != "__call__":
            # An operator or a protocol method: never, in any build (``with`` asks for
            # ``__enter__`` at every block). A private ``__sessions()`` is a method like any other.
            kept[fullname] = None
            return None
        return self._decide(fullname, kept, definition=self._method)

    def _read_from_installed(self, fullname: str, owner: TypeInfo | None, node: SymbolNode | None) -> bool:
        """Every definition the answer was read from is installed code (installed.py): the
        callee, the classes it was looked up in and the classes it returns, with their MRO."""
        if isinstance(node, TypeInfo):
            classes = node.mro
        elif isinstance(node, (FuncDef, OverloadedFuncDef)):
            classes = [info for result in _result_classes(node.type) for info in result.mro]
        elif isinstance(node, Var):  # never a resource factory, whatever its type
            classes = []
        else:  # a decorated function (its type depends on the decorators), an unknown name
            return False
        if owner is not None:
            classes = [*owner.mro, *classes]
        return self._installed.holds(fullname, node.fullname, classes)

    def _function(self, fullname: str) -> tuple[None, SymbolNode | None]:
        symbol = self._lookup(fullname)
        return None, symbol.node if symbol is not None else None

    def _method(self, fullname: str) -> tuple[TypeInfo | None, SymbolNode | None]:
        owner, _, method = fullname.rpartition(".")
        info = self._function(owner)[1]
        if not isinstance(info, TypeInfo):
            return None, None
        member = info.get(method)
        return info, member.node if member is not None else None


_Hook = TypeVar("_Hook")


class _Answers(dict[str, _Hook | None]):
    """Callee name -> its answer, also when that is None (most names: ``str.join``, dunders).

    A name not answered yet goes to ``decide``, which also chooses whether the answer is kept.
    """

    __slots__ = ("_decide", "_always")

    def __init__(
        self, decide: Callable[[str, dict[str, _Hook | None]], _Hook | None], always: Mapping[str, _Hook]
    ) -> None:
        super().__init__(always)
        self._decide: Final = decide
        self._always: Final = always

    def __missing__(self, fullname: str) -> _Hook | None:
        return self._decide(fullname, self)

    def forget(self) -> None:
        """Drop every answer kept so far (``always`` stays)."""
        self.clear()
        self.update(self._always)


#: Callees whose answer no edit changes, so a daemon keeps it too: mypy's own names for a
#: display (``<dict>``, ``<list>``: the most asked), and builtins (typeshed: no edit reaches them).
_FIXED: Final = ("<", "builtins.")


def _may_create_resource(node: SymbolNode | None) -> bool:
    if isinstance(node, FuncDef):
        return node.is_generator or node.is_async_generator or _returns_resource(node.type)
    if isinstance(node, Decorator):
        return node.func.is_generator or node.func.is_async_generator or _returns_resource(node.var.type)
    if isinstance(node, TypeInfo):
        return _is_manager_class(node)
    if isinstance(node, OverloadedFuncDef):
        return _returns_resource(node.type)
    return False


def _returns_resource(signature: Type | None) -> bool:
    return any(
        result.fullname in _GENERATOR_RESULTS or _is_manager_class(result) for result in _result_classes(signature)
    )


def _result_classes(signature: Type | None) -> tuple[TypeInfo, ...]:
    """The classes a signature returns (each item's, for an overloaded one)."""
    proper = get_proper_type(signature)
    if isinstance(proper, CallableType):
        result = _result_class(proper)
        return () if result is None else (result,)
    return _overloaded_results(proper) if isinstance(proper, Overloaded) else ()


def _result_class(signature: CallableType) -> TypeInfo | None:
    result = get_proper_type(signature.ret_type)
    if isinstance(result, TypeVarType):
        result = get_proper_type(result.upper_bound)
    return result.type if isinstance(result, Instance) else None


def _overloaded_results(signature: Overloaded) -> tuple[TypeInfo, ...]:
    """The classes the items return, each once.

    Read once per signature object: overloaded builtins (``open``, ``max``, ``dict.get``) are
    called everywhere. Whether a class is a manager is not kept: a daemon updates a class in place.
    """
    known = _OVERLOADED.get(id(signature))
    if known is not None and known[0] is signature:
        return known[1]
    classes = {result.fullname: result for result in map(_result_class, signature.items) if result is not None}
    results = tuple(classes.values())
    if len(_OVERLOADED) >= _OVERLOADED_KEPT:
        _OVERLOADED.clear()  # a daemon makes new signatures on every edit: keep this bounded
    _OVERLOADED[id(signature)] = (signature, results)
    return results


_OVERLOADED_KEPT: Final = 4096
_OVERLOADED: Final[dict[int, tuple[Overloaded, tuple[TypeInfo, ...]]]] = {}


def _is_manager_class(info: TypeInfo) -> bool:
    return info.get("__aenter__") is not None or info.get("__enter__") is not None


# ---------------------------------------------------------------------------------------
# What the call creates
# ---------------------------------------------------------------------------------------


class ResourceObject:
    """The object a call creates, seen through the resource protocols."""

    __slots__ = (
        "typ", "resource", "is_wrapper",
        "async_generator", "generator", "async_manager", "manager", "awaitable", "members", "compared",
    )  # fmt: skip

    def __init__(
        self,
        typ: Type,
        resource: Type,
        is_wrapper: bool,
        async_generator: bool = False,
        generator: bool = False,
        async_manager: bool = False,
        manager: bool = False,
        awaitable: bool = False,
        members: TypeInfo | None = None,
        compared: bool = False,
    ) -> None:
        self.typ: Final = typ  # what the call returns (Any for an unannotated generator function)
        self.resource: Final = resource  # what entering/iterating it gives (Any when unknown)
        # The object is not itself the resource (contextlib managers, generators).
        self.is_wrapper: Final = is_wrapper
        self.async_generator: Final = async_generator
        self.generator: Final = generator
        self.async_manager: Final = async_manager
        self.manager: Final = manager
        self.awaitable: Final = awaitable
        self.members: Final = members  # where its attributes are looked up
        # ``is_wrapper`` was read with ``is_subtype`` (what a daemon must read again, ``Objects``).
        self.compared: Final = compared


def resource_object(
    api: TypeChecker,
    typ: Type,
    definition: SymbolNode | None,
    objects: Objects,
) -> ResourceObject | None:
    """What the call's result is seen as."""
    proper = get_proper_type(typ)
    func = definition.func if isinstance(definition, Decorator) else definition
    if isinstance(proper, Instance):
        return objects.seen_as(proper) or _iterable_generator(proper, func)
    if isinstance(proper, AnyType) and isinstance(definition, FuncDef) and not definition.is_decorated:
        # Unannotated (or `-> Any`): the body decides, as at run time.
        assert isinstance(func, FuncDef)
        name = fullnames.ASYNC_GENERATOR if func.is_async_generator else fullnames.GENERATOR
        if not (func.is_async_generator or (func.is_generator and not func.is_coroutine)):
            return None
        info = _typeinfo(api, name)
        return ResourceObject(
            typ=proper,
            resource=AnyType(TypeOfAny.special_form),
            is_wrapper=True,
            async_generator=func.is_async_generator,
            generator=not func.is_async_generator,
            members=info,
        )
    return None


@final
class Objects:
    """What each instance type is seen as through the protocols (``_from_instance``), kept per type.

    In a one-shot build a class does not change once the checker can see it. A daemon updates
    classes in place: mypy's astmerge keeps a class's ``TypeInfo`` when it analyses the class
    again and gives it a new symbol table and MRO, and a method analysed again gets a new
    signature. So there (``checked``) an answer is used only while what it was read from is
    still the same objects: a few identity tests, where reading it again costs mypy's
    ``find_member``. And only an answer that read nothing else: one whose ``is_subtype`` read
    type arguments or compared by structure (a protocol, a callable) is read again every time
    (``Box[Y]`` is the callable its ``with`` gives, or not, as Y's bases say). Where
    ``is_subtype`` is not asked (a generator, ``ScalarResult[Hero]`` whose ``__enter__`` gives
    itself), the type arguments are only part of the key.
    """

    __slots__ = ("_kept", "_checked")

    def __init__(self, *, checked: bool) -> None:
        self._kept: Final[dict[Instance, tuple[ResourceObject | None, list[object]]]] = {}
        self._checked: Final = checked

    def seen_as(self, instance: Instance) -> ResourceObject | None:
        kept = self._kept.get(instance)
        if kept is not None and (not self._checked or _same(kept[1], _read_from(instance, kept[0]))):
            return kept[0]
        obj = _from_instance(instance)
        if self._checked and not _read_by_name(instance, obj):
            self._kept.pop(instance, None)
            return obj
        if len(self._kept) >= _OBJECTS_KEPT:
            self._kept.clear()  # a daemon makes new instance types on every edit: keep this bounded
        self._kept[instance] = (obj, _read_from(instance, obj) if self._checked else [])
        return obj


_OBJECTS_KEPT: Final = 4096


def _read_from(instance: Instance, obj: ResourceObject | None) -> list[object]:
    """What ``_from_instance`` read: the MRO and symbol tables of the class and its bases (a
    change of a base reaches the class without analysing it again), the same of the resource's
    class (``is_subtype``), and the signatures of the entering methods."""
    resource = get_proper_type(obj.resource) if obj is not None else None
    classes = instance.type.mro
    if isinstance(resource, Instance):
        classes = [*classes, *resource.type.mro]
    entering = [instance.type.get(name) for name in ("__aenter__", "__enter__")]
    return [
        instance.type.mro,
        *[info.names for info in classes],
        *[_signature(symbol.node) if symbol is not None else None for symbol in entering],
    ]


def _read_by_name(instance: Instance, obj: ResourceObject | None) -> bool:
    """Whether ``_from_instance`` read, beyond the classes' state, only what the kept type
    itself holds: it asked ``is_subtype`` nothing, or only what the MRO answers by name (no
    type arguments, no protocol). ``Box[Y]`` is the callable its ``with`` gives, or not, as
    Y's bases say."""
    if obj is None:
        return True
    if not obj.compared:
        # An alias among the type arguments keeps the type equal while its target changes, and
        # whether the resource is Any was read through it.
        return all(map(_alias_free, instance.args))
    resource = get_proper_type(obj.resource)
    if instance.args or (isinstance(resource, Instance) and (resource.args or resource.type.is_protocol)):
        return False
    return isinstance(resource, (Instance, NoneType))


def _alias_free(typ: Type) -> bool:
    """No alias anywhere in the type (a kind it does not know counts as one)."""
    if isinstance(typ, Instance):
        return all(map(_alias_free, typ.args))
    if isinstance(typ, (TupleType, UnionType)):
        return all(map(_alias_free, typ.items))
    return isinstance(typ, (AnyType, NoneType, UninhabitedType, TypeVarType))


def _signature(node: SymbolNode | None) -> Type | None:
    if isinstance(node, Decorator):
        return node.var.type
    return node.type if isinstance(node, (FuncDef, OverloadedFuncDef, Var)) else None


def _same(kept: list[object], now: list[object]) -> bool:
    return len(kept) == len(now) and all(map(operator.is_, kept, now))


def _iterable_generator(instance: Instance, func: SymbolNode | None) -> ResourceObject | None:
    """A generator function annotated ``-> AsyncIterable[T]`` / ``-> Iterable[T]``: still a generator."""
    if not isinstance(func, FuncDef):
        return None
    is_async = func.is_async_generator
    if not (is_async or (func.is_generator and not func.is_coroutine)):
        return None
    iterable = fullnames.ASYNC_ITERABLE if is_async else fullnames.ITERABLE
    if not instance.type.has_base(iterable):
        return None
    return ResourceObject(
        typ=instance,
        resource=type_argument(instance, (iterable,)),
        is_wrapper=True,
        async_generator=is_async,
        generator=not is_async,
        members=instance.type,
    )


def _from_instance(instance: Instance) -> ResourceObject | None:
    info = instance.type
    async_manager = info.get("__aenter__") is not None
    manager = info.get("__enter__") is not None
    if async_manager and manager and _refuses_sync_with(instance):
        manager = False  # aiohttp.ClientSession: `__enter__ -> None` only raises "Use async with"
    async_generator = not async_manager and info.has_base(fullnames.ASYNC_ITERATOR)
    generator = not manager and not async_generator and info.has_base(fullnames.ITERATOR)
    if async_manager:
        resource = _entered(instance, "__aenter__", awaited=True)
    elif manager:
        resource = _entered(instance, "__enter__", awaited=False)
    elif async_generator:
        resource = type_argument(instance, _ASYNC_ITERATOR_BASES)
    elif generator:
        resource = type_argument(instance, _ITERATOR_BASES)
    else:
        return None
    is_wrapper = async_generator or generator or info.fullname in _CONTEXTLIB_MANAGERS
    # Whether the object is its own resource: asked unless that is unknown or the same type.
    compared = not is_wrapper and not isinstance(get_proper_type(resource), AnyType) and resource != instance
    return ResourceObject(
        typ=instance,
        resource=resource,
        is_wrapper=is_wrapper or (compared and not is_subtype(instance, resource)),
        async_generator=async_generator,
        generator=generator,
        async_manager=async_manager,
        manager=manager,
        awaitable=info.get("__await__") is not None,
        members=info,
        compared=compared,
    )


def _refuses_sync_with(instance: Instance) -> bool:
    return isinstance(get_proper_type(_entered(instance, "__enter__", awaited=False)), (NoneType, UninhabitedType))


def _entered(instance: Instance, method: str, *, awaited: bool) -> Type:
    enter = get_proper_type(find_member(method, instance, instance, is_operator=True))
    if not isinstance(enter, CallableType):
        return AnyType(TypeOfAny.special_form)
    return type_argument(enter.ret_type, _AWAIT_BASES) if awaited else enter.ret_type


def _typeinfo(api: TypeChecker, fullname: str) -> TypeInfo | None:
    symbol = lookup_fully_qualified(fullname, api.modules)
    return symbol.node if symbol is not None and isinstance(symbol.node, TypeInfo) else None


def _instance(api: TypeChecker, fullname: str, argument: Type) -> Instance | None:
    """``fullname[argument, Any, ...]``, or None if the class is not loaded in this build."""
    info = _typeinfo(api, fullname)
    if info is None or not info.type_vars:
        return None
    return Instance(info, [argument, *[AnyType(TypeOfAny.special_form)] * (len(info.type_vars) - 1)])


def _has_member(obj: ResourceObject, name: str) -> bool:
    return obj.members is None or obj.members.get(name) is not None


# ---------------------------------------------------------------------------------------
# Where the call is: a view of the enclosing function
# ---------------------------------------------------------------------------------------


class _Uses:
    __slots__ = ("attributes", "awaits", "other")

    def __init__(self, attributes: list[MemberExpr], awaits: list[AwaitExpr], other: bool) -> None:
        self.attributes: Final = attributes
        self.awaits: Final = awaits
        self.other: Final = other


def uses_of(target: Expression, root: Node) -> _Uses:
    """Every use of a stored target (``s``, ``state["db"]``, ``self.db``) in one function.

    An attribute access or ``await`` on it is recorded; anything else (entered, iterated,
    passed on, returned, rebound, used in a nested function) sets ``other``.
    """
    attributes: list[MemberExpr] = []
    awaits: list[AwaitExpr] = []
    other = False
    consumed: set[int] = set()  # ids of target references already classified through a parent
    for node, nested in nodes(root):
        if node is target or id(node) in consumed:
            continue
        if not nested and isinstance(node, MemberExpr) and same_reference(node.expr, target):
            attributes.append(node)
            consumed.add(id(node.expr))
        elif not nested and isinstance(node, AwaitExpr) and same_reference(node.expr, target):
            awaits.append(node)
            consumed.add(id(node.expr))
        elif isinstance(node, (NameExpr, MemberExpr, IndexExpr)) and same_reference(node, target):
            other = True
    return _Uses(attributes, awaits, other)


def yields_once(api: TypeChecker, definition: SymbolNode | None) -> bool:
    """The factory is defined in the module being checked and its body yields once.

    Only there: a module loaded from the cache has no bodies, and the verdict must not
    depend on the cache.
    """
    func = definition.func if isinstance(definition, Decorator) else definition
    if not isinstance(func, FuncDef) or not func.fullname.startswith(f"{api.tree.fullname}."):
        return False
    return sum(1 for node, nested in nodes(func) if not nested and isinstance(node, YieldExpr)) == 1


# ---------------------------------------------------------------------------------------
# The hook
# ---------------------------------------------------------------------------------------


def check_call(
    ctx: CallContext,
    *,
    definition: SymbolNode | None,
    config: PluginConfig,
    log: ReadLog,
    objects: Objects,
) -> Type:
    """Report protocol misuse of the object this call creates; mypy's type otherwise.

    When the statement fits the object, its lifetime is checked (lifetime.py).
    """
    call = ctx.context
    api = ctx.api
    if not isinstance(call, CallExpr) or not isinstance(api, TypeChecker) or not messages.errors_shown(api):
        return ctx.default_return_type
    obj = resource_object(api, ctx.default_return_type, definition, objects)
    if obj is None:
        return ctx.default_return_type
    # An object that is itself the resource can only be misused by the with/for statement on it.
    parent, root = find_parent(api, call, headers_only=not obj.is_wrapper)
    fixed: Type | None = None
    if parent is not None:
        subject = describe_call(call)
        fixed = _statement(api, call, obj, parent, subject, definition)
        if fixed is None and parent.use is Use.ASSIGNED and parent.target is not None and root is not None:
            fixed = _stored(api, obj, parent.target, root, subject)
        if fixed is None and root is not None:
            modules = Modules(api.modules, log, api.tree.fullname)
            _lifetime(api, call, obj, parent, root, definition, subject, config, modules)
        if parent.use in (Use.ASYNC_WITH, Use.WITH, Use.ASYNC_FOR, Use.FOR):
            return fixed or ctx.default_return_type
    return fixed or _expected(api, call, obj) or ctx.default_return_type


def _lifetime(
    api: TypeChecker,
    call: CallExpr,
    obj: ResourceObject,
    parent: Parent,
    root: Node,
    definition: SymbolNode | None,
    subject: str,
    config: PluginConfig,
    modules: Modules,
) -> None:
    if obj.async_generator or obj.generator:
        closable = _has_member(obj, "aclose" if obj.async_generator else "close")
        lifetime.check_generator(api, call, parent, definition, subject, modules, closable=closable)
    elif parent.use in (Use.ASYNC_WITH, Use.WITH):
        lifetime.check_block(api, parent, root, obj.resource, config.closed_on_exit)


def _statement(
    api: TypeChecker,
    call: CallExpr,
    obj: ResourceObject,
    parent: Parent,
    subject: str,
    definition: SymbolNode | None,
) -> Type | None:
    """``with``/``async with``/``for``/``async for``/``await``/``.attr`` right on the call."""
    target = target_name(parent.target) if parent.target is not None else None
    use = parent.use
    if use in (Use.ASYNC_WITH, Use.WITH):
        is_async = use is Use.ASYNC_WITH
        if obj.async_generator or obj.generator:
            hint = _name(call) if is_async and obj.async_generator and yields_once(api, definition) else None
            messages.with_on_generator(
                api, call, subject, target, is_async_with=is_async, is_async=obj.async_generator, decorate=hint
            )
        elif is_async and obj.manager and not obj.async_manager:
            messages.with_mismatch(api, call, subject, target, is_async_with=True)
        elif not is_async and obj.async_manager and not obj.manager:
            messages.with_mismatch(api, call, subject, target, is_async_with=False)
        else:
            return None
        manager = fullnames.ABSTRACT_ASYNC_CONTEXT_MANAGER if is_async else fullnames.ABSTRACT_CONTEXT_MANAGER
        return _instance(api, manager, obj.resource) or AnyType(TypeOfAny.from_error)
    if use in (Use.ASYNC_FOR, Use.FOR):
        is_async = use is Use.ASYNC_FOR
        if (obj.async_manager or obj.manager) and not _has_member(obj, "__aiter__" if is_async else "__iter__"):
            messages.for_on_context_manager(
                api, call, subject, target, is_async_for=is_async, is_async=obj.async_manager
            )
            iterator = fullnames.ASYNC_ITERATOR if is_async else fullnames.ITERATOR
            return _instance(api, iterator, obj.resource) or AnyType(TypeOfAny.from_error)
        return None
    if not obj.is_wrapper:
        return None
    if use is Use.AWAIT and not obj.awaitable and (obj.async_manager or obj.async_generator):
        _not_entered(api, call, obj, subject, "resource", awaited=True)
        return _instance(api, fullnames.AWAITABLE, obj.resource) or AnyType(TypeOfAny.from_error)
    if use is Use.ATTRIBUTE:
        assert isinstance(parent.node, MemberExpr)
        name = parent.node.name
        if not _has_member(obj, name) and _resource_has(obj, name):
            _not_entered(api, call, obj, subject, "resource", attribute=name)
            return obj.resource
    return None


def _stored(api: TypeChecker, obj: ResourceObject, target: Expression, root: Node, subject: str) -> Type | None:
    """``s = get_session()`` and later ``s.execute(...)``: never entered, used as the resource.

    Only when every use of the target in the function is such a misuse: any other use
    (entered, iterated, passed on, returned, stored elsewhere, used in a closure) is silent.
    """
    if not obj.is_wrapper or not isinstance(target, (NameExpr, MemberExpr, IndexExpr)):
        return None
    uses = uses_of(target, root)
    if uses.other:
        return None
    misuses: list[tuple[Expression, str | None]] = []
    for member in uses.attributes:
        if _has_member(obj, member.name) or not _resource_has(obj, member.name):
            return None  # a real use of the manager or generator
        misuses.append((member, member.name))
    for awaited in uses.awaits:
        if obj.awaitable or not (obj.async_manager or obj.async_generator):
            return None
        misuses.append((awaited, None))
    if not misuses:
        return None
    node, attribute = min(misuses, key=lambda item: (item[0].line, item[0].column))
    _not_entered(api, node, obj, subject, target_name(target), attribute=attribute, awaited=attribute is None)
    inferred = isinstance(target, NameExpr) and (not api.type_context or api.type_context[-1] is None)
    return obj.resource if inferred else None


def _expected(api: TypeChecker, call: CallExpr, obj: ResourceObject) -> Type | None:
    """Passed, returned or assigned where the resource type is expected."""
    expected = api.type_context[-1] if api.type_context else None
    if (
        expected is None
        or not obj.is_wrapper
        or isinstance(get_proper_type(expected), AnyType)
        or isinstance(get_proper_type(obj.resource), (AnyType, NoneType))  # None fits any Optional
        or is_subtype(obj.typ, expected)
        or not is_subtype(obj.resource, expected)
    ):
        return None
    _not_entered(api, call, obj, describe_call(call), "resource", expected=expected)
    return obj.resource


def _not_entered(
    api: TypeChecker,
    context: Expression,
    obj: ResourceObject,
    subject: str,
    target: str,
    *,
    attribute: str | None = None,
    awaited: bool = False,
    expected: Type | None = None,
) -> None:
    messages.never_entered(
        api,
        context,
        subject,
        target,
        obj.resource,
        is_async=obj.async_generator or obj.async_manager,
        is_generator=obj.async_generator or obj.generator,
        attribute=attribute,
        awaited=awaited,
        expected=expected,
    )


def _resource_has(obj: ResourceObject, name: str) -> bool:
    resource = get_proper_type(obj.resource)
    if isinstance(resource, AnyType):
        return True
    return isinstance(resource, Instance) and resource.type.get(name) is not None


def _name(call: CallExpr) -> str:
    callee = call.callee
    return callee.name if isinstance(callee, (NameExpr, MemberExpr)) else "the factory"
