"""The application: ``uvicorn app.main:app`` from examples/ (routes_wrong is not mounted)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import routes_right
from app.db import engine, session_scope
from app.models import Base, Item


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with session_scope() as session:  # the script/test form: entered with `async with`
        session.add(Item(name="first"))
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)
app.include_router(routes_right.router)
