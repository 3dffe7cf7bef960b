"""Security() and FastAPI's security schemes through the shipped stubs (see depends.py)."""

from collections.abc import AsyncIterator

from fastapi import Depends, Security
from fastapi.security import (
    APIKeyCookie,
    APIKeyHeader,
    APIKeyQuery,
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
    HTTPDigest,
    OAuth2AuthorizationCodeBearer,
    OAuth2PasswordBearer,
    OpenIdConnect,
    SecurityScopes,
)
from typing_extensions import assert_type


class User: ...


oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"me": "Read yourself"})


async def current_user(scopes: SecurityScopes, token: str = Depends(oauth2)) -> User:
    return User()


async def user_session() -> AsyncIterator[User]:
    yield User()


def read_user() -> User:
    return User()


async def endpoint(
    a: User = assert_type(Security(current_user, scopes=["me"]), User),
    b: User = assert_type(Security(user_session), User),
    c: User = assert_type(Security(read_user, scopes=["me"], use_cache=False), User),
    d: User = assert_type(Security(dependency=read_user), User),
    e: str = assert_type(Security(oauth2, scopes=["me"]), str),
    f: str = assert_type(Depends(oauth2), str),
    g: str = assert_type(Depends(OAuth2AuthorizationCodeBearer("auth", "token")), str),
    h: str = assert_type(Depends(APIKeyHeader(name="X-Key")), str),
    i: str = assert_type(Depends(APIKeyQuery(name="key")), str),
    j: str = assert_type(Depends(APIKeyCookie(name="key")), str),
    k: str = assert_type(Depends(OpenIdConnect(openIdConnectUrl="/oidc")), str),
    m: HTTPBasicCredentials = assert_type(Depends(HTTPBasic()), HTTPBasicCredentials),
    n: HTTPAuthorizationCredentials = assert_type(Depends(HTTPBearer()), HTTPAuthorizationCredentials),
    o: HTTPAuthorizationCredentials = assert_type(Depends(HTTPDigest()), HTTPAuthorizationCredentials),
    p: User = Security(),
) -> None: ...
