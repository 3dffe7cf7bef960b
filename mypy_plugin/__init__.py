"""mypy-async-resources: users enable it with ``plugins = ["mypy_plugin"]``.

This module only routes: it maps fully-qualified names to hooks and reports the
configuration that changes verdicts. mypy fingerprints this file and ``__version__``
for its cache. Type logic lives in depends.py and resources.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Final, final

from mypy.options import Options
from mypy.plugin import FunctionContext, FunctionSigContext, Plugin, ReportConfigContext
from mypy.types import FunctionLike, Type

from mypy_plugin import compat, depends, fullnames, stub_signature
from mypy_plugin.config import PluginConfig

__version__: Final = "0.1.0"

FunctionHook = Callable[[FunctionContext], Type]
SignatureHook = Callable[[FunctionSigContext], FunctionLike]


@final
class AsyncResourcesPlugin(Plugin):
    """Routes FastAPI dependency calls to their hooks; holds no per-run state."""

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self._config: Final = PluginConfig.from_options(options)
        injected = partial(depends.injected_type, config=self._config)
        self._function_hooks: Final[Mapping[str, FunctionHook]] = {
            fullnames.DEPENDS: injected,
            fullnames.SECURITY: injected,
        }

    def get_function_hook(self, fullname: str) -> FunctionHook | None:
        return self._function_hooks.get(fullname)

    def get_function_signature_hook(self, fullname: str) -> SignatureHook | None:
        # The shipped stubs overload Depends/Security; the plugin decides on FastAPI's signature.
        return stub_signature.runtime_signature if fullname in self._function_hooks else None

    def report_config_data(self, ctx: ReportConfigContext) -> dict[str, object]:
        return {"plugin_version": __version__, **self._config.as_cache_key()}


def plugin(version: str) -> type[Plugin]:
    """Entry point named in the user's mypy config (``plugins = ["mypy_plugin"]``)."""
    compat.warn_if_untested(version)
    return AsyncResourcesPlugin
