"""Error codes emitted by the plugin, one per user decision.

Documented one-to-one in docs/error_codes.md; tests/unit/test_errorcodes_documented.py
keeps the two in step. Every code starts with ``resource-``.
"""

from typing import Final

from mypy import errorcodes as codes
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

#: The Annotated counterpart of mypy's own ``[assignment]`` check of ``x: T = Depends(f)``;
#: a sub-code of it, so ``# type: ignore[assignment]`` covers both forms.
DEPENDS_TYPE: Final = ErrorCode(
    "resource-depends-type",
    "Check that the type in Annotated[T, Depends(f)] accepts what f injects",
    CATEGORY,
    sub_code_of=codes.ASSIGNMENT,
)
DEPENDS_TWICE: Final = ErrorCode(
    "resource-depends-twice",
    "Check that a parameter does not declare a dependency in Annotated and in its default",
    CATEGORY,
)

DEPENDS_CALLED: Final = ErrorCode(
    "resource-depends-called",
    "Check that Depends() gets a dependency, not the result of calling one",
    CATEGORY,
)

DEPENDS_SESSIONMAKER: Final = ErrorCode(
    "resource-depends-sessionmaker",
    "Check that a SQLAlchemy sessionmaker is not used as a FastAPI dependency",
    CATEGORY,
)

DEPENDS_GENERATOR_CLASS: Final = ErrorCode(
    "resource-depends-generator-class",
    "Check that a class used as a dependency has no generator __call__ (FastAPI < 0.123.10)",
    CATEGORY,
)

DEPENDS_PARTIAL: Final = ErrorCode(
    "resource-depends-partial",
    "Check that FastAPI awaits a functools.partial of a coroutine function (FastAPI < 0.123.5)",
    CATEGORY,
)

DEPENDS_DECORATOR: Final = ErrorCode(
    "resource-depends-decorator",
    "Check that a decorated dependency still gives FastAPI what the function gives",
    CATEGORY,
)

EARLY_EXIT: Final = ErrorCode(
    "resource-early-exit",
    "Check that iteration over a generator holding a resource is not left before it finishes",
    CATEGORY,
)
USE_AFTER_BLOCK: Final = ErrorCode(
    "resource-use-after-block",
    "Check that a resource bound by with / async with is not used after the block closed it",
    CATEGORY,
)
ESCAPES_BLOCK: Final = ErrorCode(
    "resource-escapes-block",
    "Check that a resource is not returned from inside the with / async with block that closes it",
    CATEGORY,
)

# Yield-dependency contract (contract.py)

DEPENDENCY_YIELD: Final = ErrorCode(
    "resource-dependency-yield",
    "Check that a generator dependency yields exactly once on every path",
    CATEGORY,
)
DEPENDENCY_CLEANUP: Final = ErrorCode(
    "resource-dependency-cleanup",
    "Check that a generator dependency releases its resource in finally, not after the yield",
    CATEGORY,
)
DEPENDENCY_SWALLOW: Final = ErrorCode(
    "resource-dependency-swallow",
    "Check that a generator dependency re-raises the exceptions it catches around its yield",
    CATEGORY,
)

ALL: Final = (
    DEPENDS_CONTEXT_MANAGER,
    DEPENDS_GENERATOR_OBJECT,
    WITH_GENERATOR,
    FOR_CONTEXT_MANAGER,
    WITH_MISMATCH,
    NEVER_ENTERED,
    DEPENDS_TYPE,
    DEPENDS_TWICE,
    DEPENDS_CALLED,
    DEPENDS_SESSIONMAKER,
    DEPENDS_GENERATOR_CLASS,
    DEPENDS_PARTIAL,
    DEPENDS_DECORATOR,
    EARLY_EXIT,
    USE_AFTER_BLOCK,
    ESCAPES_BLOCK,
    # Yield-dependency contract
    DEPENDENCY_YIELD,
    DEPENDENCY_CLEANUP,
    DEPENDENCY_SWALLOW,
)
