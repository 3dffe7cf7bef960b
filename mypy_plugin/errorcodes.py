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

ALL: Final = (DEPENDS_CONTEXT_MANAGER, DEPENDS_GENERATOR_OBJECT)
