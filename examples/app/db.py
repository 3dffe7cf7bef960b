"""Engine, session factory, and the two correct ways to get an AsyncSession.

- ``get_db``: the request dependency (an async generator; FastAPI enters and closes it).
- ``session_scope``: an ``@asynccontextmanager`` for scripts and tests (``async with``),
  never for ``Depends``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

# In-memory SQLite by default: the aiosqlite dialect keeps one shared connection (StaticPool).
engine = create_async_engine(os.environ.get("DATABASE_URL", "sqlite+aiosqlite://"))
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


async def get_db() -> AsyncIterator[AsyncSession]:
    """Request dependency: one session per request, closed after the response."""
    async with SessionLocal() as session:
        yield session


@asynccontextmanager
async def session_scope() -> AsyncIterator[AsyncSession]:
    """For scripts and tests: ``async with session_scope() as session: ...``.

    Commits when the block ends normally; when it raises, closing the session rolls back.
    """
    async with SessionLocal() as session:
        yield session
        await session.commit()
