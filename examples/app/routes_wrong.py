"""Dependency bugs that mypy with the plugin reports; nothing here is mounted on the app.

Each reported line is preceded by a comment saying what happens at run time on FastAPI >= 0.123.5.
On older FastAPI the two context-manager dependencies are injected as un-entered manager objects
instead, and the endpoints fail with AttributeError when they use them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.db import SessionLocal, get_db
from app.models import Item, ItemOut

router = APIRouter(prefix="/wrong")
log = logging.getLogger(__name__)


@asynccontextmanager  # the bug: a dependency must be the bare generator (see app.db.get_db)
async def get_request_scoped_db_session() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


@router.get("/items")
async def list_items(
    # Run time: every request 500, TypeError: '_AsyncGeneratorContextManager' object is not an async iterator
    db: AsyncSession = Depends(get_request_scoped_db_session),
) -> list[ItemOut]:
    rows = await db.scalars(select(Item))
    return [ItemOut.model_validate(row) for row in rows]


@router.get("/items/count")
def count_items(
    # Run time: an AsyncSession arrives; 500 AttributeError: 'coroutine' object has no attribute 'scalar_one'
    db: Session = Depends(get_db),
) -> int:
    return db.execute(select(func.count()).select_from(Item)).scalar_one()


def get_db_session() -> AsyncIterator[AsyncSession]:
    """Meant to forward get_db, but returns the generator instead of being one."""
    return get_db()


@router.get("/items/{item_id}")
async def read_item(
    item_id: int,
    # Run time: no session is opened; 500 AttributeError: 'async_generator' object has no attribute 'get'
    db: AsyncSession = Depends(get_db_session),
) -> ItemOut | None:
    item = await db.get(Item, item_id)
    return None if item is None else ItemOut.model_validate(item)


async def get_audited_session() -> AsyncIterator[AsyncSession]:
    """Opens its own session for the request and closes it afterwards."""
    session = SessionLocal()
    yield session
    await session.close()  # the bug: skipped when the endpoint raises; it belongs in `finally:`


@router.delete("/items/{item_id}")
async def delete_item(
    item_id: int,
    # Run time: on a 404 (or any error) close() never runs: the session's connection stays checked out
    db: AsyncSession = Depends(get_audited_session),
) -> None:
    item = await db.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404)
    await db.delete(item)
    await db.commit()


@dataclass
class Timer:
    started: float


@contextmanager
def request_timer() -> Iterator[Timer]:
    timer = Timer(time.perf_counter())
    yield timer
    log.info("request took %.3fs", time.perf_counter() - timer.started)


@router.get("/ping")
def ping(
    # Run time: every request 500, TypeError: '_GeneratorContextManager' object is not an iterator
    timer: Timer = Depends(request_timer),
) -> dict[str, float]:
    return {"started": timer.started}
