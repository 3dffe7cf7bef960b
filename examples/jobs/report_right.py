"""The same jobs written correctly; mypy with the plugin reports nothing here (strict mode)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import SessionLocal, session_scope
from app.models import Item


async def first_item_name() -> str | None:
    # A job enters a context manager (get_db is for Depends); returning from the block closes it.
    # `async with aclosing(get_db()) as sessions: async for session in sessions:` would be right
    # too, with get_db annotated `-> AsyncGenerator[...]` so that aclosing() accepts it.
    async with session_scope() as session:
        item = await session.scalar(select(Item).order_by(Item.id).limit(1))
        return None if item is None else item.name


async def count_and_mark() -> int:
    async with session_scope() as session:  # every use inside the block; it commits on success
        return await session.scalar(select(func.count()).select_from(Item)) or 0


@asynccontextmanager
async def reporting_session() -> AsyncIterator[AsyncSession]:
    """Callers enter it (`async with reporting_session() as session:`); it closes the session."""
    async with SessionLocal() as session:
        yield session
