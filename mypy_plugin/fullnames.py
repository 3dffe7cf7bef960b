"""Fully-qualified names the plugin reacts to.

Always the *defining* module's name, which is what mypy passes to ``get_*_hook`` and
what ``TypeInfo.fullname`` reports, never a re-export such as ``fastapi.Depends`` or
``collections.abc.AsyncIterator``. ``tests/unit/test_fullnames_exist.py`` imports each
one from the installed packages to catch upstream moves. It holds no behaviour.
"""

from typing import Final

from mypy.types import ANNOTATED_TYPE_NAMES

# FastAPI entry points
DEPENDS: Final = "fastapi.param_functions.Depends"
SECURITY: Final = "fastapi.param_functions.Security"
DEPENDS_MARKER: Final = "fastapi.params.Depends"  # the object Depends() really returns
SECURITY_MARKER: Final = "fastapi.params.Security"
#: Written inside Annotated[...], any of these is a marker; FastAPI reads the last one.
DEPENDENCY_MARKERS: Final = frozenset({DEPENDS, SECURITY, DEPENDS_MARKER, SECURITY_MARKER})
#: Every FastAPI parameter marker (Query(), Body(), ..., and the two above) is defined here.
FASTAPI_PARAMETER_MODULES: Final = ("fastapi.param_functions.", "fastapi.params.")
#: OAuth2PasswordBearer, APIKeyHeader, HTTPBearer, ...: `__call__` is typed `... | None`, but with
#: the default `auto_error=True` FastAPI answers 401/403 instead of injecting None.
SECURITY_BASE: Final = "fastapi.security.base.SecurityBase"

# SQLAlchemy session factories: callable, but FastAPI reads their **local_kw as a query parameter
ASYNC_SESSIONMAKER: Final = "sqlalchemy.ext.asyncio.session.async_sessionmaker"
SESSIONMAKER: Final = "sqlalchemy.orm.session.sessionmaker"

# Generator protocols (typeshed defines the collections.abc names in typing)
ASYNC_ITERATOR: Final = "typing.AsyncIterator"
ASYNC_ITERABLE: Final = "typing.AsyncIterable"
ASYNC_GENERATOR: Final = "typing.AsyncGenerator"
ITERATOR: Final = "typing.Iterator"
ITERABLE: Final = "typing.Iterable"
GENERATOR: Final = "typing.Generator"
COROUTINE: Final = "typing.Coroutine"
AWAITABLE: Final = "typing.Awaitable"

# contextlib: what @asynccontextmanager / @contextmanager return, and the ABCs
ASYNC_GENERATOR_CONTEXT_MANAGER: Final = "contextlib._AsyncGeneratorContextManager"
GENERATOR_CONTEXT_MANAGER: Final = "contextlib._GeneratorContextManager"
ABSTRACT_ASYNC_CONTEXT_MANAGER: Final = "contextlib.AbstractAsyncContextManager"
ABSTRACT_CONTEXT_MANAGER: Final = "contextlib.AbstractContextManager"
ASYNCCONTEXTMANAGER: Final = "contextlib.asynccontextmanager"
CONTEXTMANAGER: Final = "contextlib.contextmanager"
#: decorator -> the manager class its functions return
CONTEXTLIB_DECORATORS: Final = {
    ASYNCCONTEXTMANAGER: ASYNC_GENERATOR_CONTEXT_MANAGER,
    CONTEXTMANAGER: GENERATOR_CONTEXT_MANAGER,
}

# typing: Annotated (mypy's own names) and the alias constructor (typing's from Python 3.12)
ANNOTATED: Final = ANNOTATED_TYPE_NAMES
TYPE_ALIAS_TYPE_EXTENSIONS: Final = "typing_extensions.TypeAliasType"
TYPE_ALIAS_TYPE: Final = frozenset({"typing.TypeAliasType", TYPE_ALIAS_TYPE_EXTENSIONS})

# functools: callables FastAPI looks through in ways the issue-2 classifier does not model yet
PARTIAL: Final = "functools.partial"

# builtins that take one item from an iterator and drop it: anext(get_db()), next(rows())
ANEXT: Final = "builtins.anext"
NEXT: Final = "builtins.next"
TAKE_ONE: Final = frozenset({ANEXT, NEXT})

# Closed when their with / async with block exits: a name bound by the block is dead after it
# (subclasses included). Not sqlite3.Connection: its `with` commits and leaves it open. Not HTTP
# responses (httpx, aiohttp): a body read inside the block stays readable after it.
CLOSED_ON_EXIT: Final = frozenset(
    {
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlalchemy.ext.asyncio.engine.AsyncConnection",
        "sqlalchemy.ext.asyncio.engine.AsyncTransaction",
        "sqlalchemy.ext.asyncio.session.AsyncSessionTransaction",
        "sqlalchemy.orm.session.Session",
        "sqlalchemy.orm.session.SessionTransaction",
        "sqlalchemy.engine.base.Connection",
        "sqlalchemy.engine.base.Transaction",
        "asyncpg.connection.Connection",
        "asyncpg.pool.PoolConnectionProxy",
        "httpx._client.AsyncClient",
        "httpx._client.Client",
        "aiohttp.client.ClientSession",
        "io.IOBase",
        "typing.IO",
        "socket.socket",
        "zipfile.ZipFile",
        "tarfile.TarFile",
    }
)
