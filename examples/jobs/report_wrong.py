"""Resource lifetime bugs that mypy with the plugin reports; each passes a quick test.

Each reported line is preceded by a comment saying what happens at run time.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import SessionLocal, get_db
from app.models import Item


async def first_item_name() -> str | None:
    async for session in get_db():
        item = await session.scalar(select(Item).order_by(Item.id).limit(1))
        # Run time: get_db stays suspended inside its `async with`: the session and its pooled
        # connection stay checked out until garbage collection gets to the generator
        return None if item is None else item.name
    return None


async def count_and_mark() -> int:
    async with SessionLocal() as session:
        count = await session.scalar(select(func.count()).select_from(Item)) or 0
    # Run time: the block closed the session; this quietly checks out a new connection that
    # nothing closes, and the commit is of an empty transaction
    await session.commit()
    return count


async def reporting_session() -> AsyncSession:
    async with SessionLocal() as session:
        # Run time: leaving the block closes the session: every caller gets a closed session
        return session
