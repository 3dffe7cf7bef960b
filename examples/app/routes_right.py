"""Correct dependency wiring; mypy with the plugin reports nothing here (strict mode)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Security, status
from fastapi.security import SecurityScopes
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_db, session_scope
from app.models import Item, ItemIn, ItemOut

router = APIRouter()


async def get_tx_db() -> AsyncIterator[AsyncSession]:
    """Adapter: reuse session_scope() (commit on success, rollback on error) as a dependency."""
    async with session_scope() as session:
        yield session


class Pagination:
    """Class dependency: FastAPI reads the query parameters from __init__ and injects the instance."""

    def __init__(self, limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0)) -> None:
        self.limit = limit
        self.offset = offset


@dataclass(frozen=True)
class User:
    name: str
    scopes: frozenset[str]


API_KEYS = {"demo-key": User("demo", frozenset({"items:read", "items:write"}))}


async def get_current_user(security_scopes: SecurityScopes, x_api_key: str = Header()) -> User:
    """Security dependency: the route's ``scopes`` arrive in ``security_scopes``."""
    user = API_KEYS.get(x_api_key)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid API key")
    if not user.scopes.issuperset(security_scopes.scopes):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing scope")
    return user


@router.get("/items")
async def list_items(
    page: Pagination = Depends(),  # `Depends()` with no argument: FastAPI calls the annotation
    db: AsyncSession = Depends(get_db),
) -> list[ItemOut]:
    rows = await db.scalars(select(Item).order_by(Item.id).limit(page.limit).offset(page.offset))
    return [ItemOut.model_validate(row) for row in rows]


@router.post("/items", status_code=status.HTTP_201_CREATED)
async def create_item(
    body: ItemIn,
    user: User = Security(get_current_user, scopes=["items:write"]),
    db: AsyncSession = Depends(get_tx_db),
) -> ItemOut:
    item = Item(name=body.name)
    db.add(item)
    # Commit here: code after a dependency's `yield` runs after the response is sent
    # (FastAPI >= 0.118), too late to turn a failed commit into an error response.
    await db.commit()
    return ItemOut.model_validate(item)


@router.get("/health", dependencies=[Depends(get_db)])
async def health() -> dict[str, str]:
    """`dependencies=[...]`: get_db runs (session created and closed), its value is discarded."""
    return {"status": "ok"}
