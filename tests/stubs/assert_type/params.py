"""Every other function of fastapi.param_functions, with its usual arguments, through the stubs.

Their signatures are generated from FastAPI's source (stubs/generate.py) and return Any, as
FastAPI's do; this file proves that ordinary code still type-checks with the stubs installed.
"""

from typing import Annotated, Any

from fastapi import Body, Cookie, File, Form, Header, Path, Query, UploadFile
from fastapi.openapi.models import Example
from typing_extensions import assert_type

assert_type(Query(), Any)
assert_type(Path(), Any)


async def endpoint(
    item_id: Annotated[int, Path(title="The ID", ge=1, le=1000, description="Item")],
    q: Annotated[
        str | None, Query(alias="item-query", min_length=3, max_length=50, pattern="^[a-z]+$")
    ] = None,
    tags: Annotated[
        list[str], Query(default_factory=list, deprecated=True, include_in_schema=False)
    ] = [],  # noqa: B006
    size: float = Query(
        1.0, gt=0, lt=10.5, examples=[1.0, 2.0], openapi_examples={"one": Example(value=1.0)}
    ),
    user_agent: Annotated[str | None, Header(convert_underscores=True)] = None,
    session: Annotated[str | None, Cookie(alias="sid", json_schema_extra={"x": 1})] = None,
    name: str = Body(..., embed=True, media_type="application/json", strict=True, validation_alias="n"),
    note: Annotated[str, Form(min_length=1, title="Note")] = "",
    data: Annotated[bytes, File(description="raw")] = b"",
    upload: UploadFile = File(..., alias="file"),
    price: Annotated[float, Body(multiple_of=0.5, allow_inf_nan=False, max_digits=5, decimal_places=2)] = 0.0,
    legacy: Annotated[str | None, Query(regex="^x", example="x", serialization_alias="l")] = None,
) -> None: ...
