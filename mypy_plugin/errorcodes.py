"""Error codes emitted by the plugin, one per user decision.

Documented one-to-one in docs/error_codes.md; tests/unit/test_errorcodes_documented.py
keeps the two in step. Every code starts with ``resource-``.
"""

from typing import Final

from mypy.errorcodes import ErrorCode

CATEGORY: Final = "async-resources"

DEPENDS_CONTEXT_MANAGER: Final = ErrorCode(
    "resource-depends-context-manager",
    "Check that a FastAPI dependency is not a context-manager factory",
    CATEGORY,
)
DEPENDS_GENERATOR_OBJECT: Final = ErrorCode(
    "resource-depends-generator-object",
    "Check that a FastAPI dependency that returns a generator is a generator function",
    CATEGORY,
)
WITH_GENERATOR: Final = ErrorCode(
    "resource-with-generator",
    "Check that a generator is iterated, not used in a with / async with statement",
    CATEGORY,
)
FOR_CONTEXT_MANAGER: Final = ErrorCode(
    "resource-for-context-manager",
    "Check that a context manager is entered, not iterated with for / async for",
    CATEGORY,
)
WITH_MISMATCH: Final = ErrorCode(
    "resource-with-mismatch",
    "Check that async context managers use async with and sync ones use with",
    CATEGORY,
)
NEVER_ENTERED: Final = ErrorCode(
    "resource-never-entered",
    "Check that a context manager or generator is entered or iterated before its resource is used",
    CATEGORY,
)

ALL: Final = (
    DEPENDS_CONTEXT_MANAGER,
    DEPENDS_GENERATOR_OBJECT,
    WITH_GENERATOR,
    FOR_CONTEXT_MANAGER,
    WITH_MISMATCH,
    NEVER_ENTERED,
)
