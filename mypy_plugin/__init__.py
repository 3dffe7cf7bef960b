"""mypy-async-resources: users enable it with ``plugins = ["mypy_plugin"]``.

This module only routes: it maps fully-qualified names to hooks and reports the
configuration that changes verdicts. mypy fingerprints this file and ``__version__``
for its cache. Type logic lives in depends.py, annotated.py, resources.py, protocols.py and lifetime.py.
"""

from __future__ import annotations

from functools import partial
from typing import Final, final

from mypy.nodes import MypyFile
from mypy.options import Options
from mypy.plugin import Plugin, ReportConfigContext

from mypy_plugin import compat, depends, fullnames, protocols, stub_signature
from mypy_plugin.annotated import AnnotatedDependencies
from mypy_plugin.config import PluginConfig
from mypy_plugin.consulted import ReadLog

__version__: Final = "0.3.3"


@final
class AsyncResourcesPlugin(Plugin):
    """Routes FastAPI dependency calls, resource factories and Annotated types to their hooks.

    mypy asks for a hook at every call and for every name in every type (about 220,000 times
    on FastAPI's examples), so the asking methods are bound in ``__init__`` straight to the
    code that answers, without a Python call in between; the gate's and the signature's are
    dict lookups, which cost no Python call at all:

    - ``get_function_hook``: ``Depends`` / ``Security`` -> depends.py, any other callee -> the
      resource gate (protocols.py), from one table;
    - ``get_method_hook``: the resource gate;
    - ``get_function_signature_hook``: ``Depends`` / ``Security`` -> FastAPI's own signature
      (the shipped stubs overload them);
    - ``get_type_analyze_hook``: ``Annotated[...]`` and its aliases (annotated.py); in a
      build that parses every file first, a dict that answers most names;

    - ``get_additional_deps`` (a daemon only): tells the gate that mypy reads a file again
      (installed.py).

    The only state is annotated.py's view of the semantic analyzer and the gate's answer per
    callee name: in a one-shot build all, in a daemon those read from installed code (both
    explained where they live).
    """

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        self._config: Final = PluginConfig.from_options(options)
        self._log: Final = ReadLog(options)
        injected = partial(depends.injected_type, config=self._config, log=self._log)
        self._dependency_calls: Final = frozenset({fullnames.DEPENDS, fullnames.SECURITY})
        self._annotated: Final = AnnotatedDependencies(self._config, self._log)
        self._resources: Final = protocols.Gate(
            self.lookup_fully_qualified,
            self._config,
            self._log,
            keep=not options.fine_grained_incremental,
            from_cache=options.use_fine_grained_cache,
            routed=dict.fromkeys(self._dependency_calls, injected),
        )
        self._cache_key: Final[dict[str, object]] = {
            "mypy-async-resources": f"plugin_version={__version__}; {self._config.as_cache_key()}"
        }
        self.get_function_hook = self._resources.function_hook  # type: ignore[method-assign, assignment]
        self.get_method_hook = self._resources.method_hook  # type: ignore[method-assign, assignment]
        self.get_function_signature_hook = dict.fromkeys(  # type: ignore[method-assign, assignment]
            self._dependency_calls, stub_signature.runtime_signature
        ).get
        # The table needs every file parsed, as written, before any is analysed: not so in a
        # daemon, a parallel build (mypy >= 2.0), with a shadow file, or when a cache is read.
        parallel: int = getattr(options, "num_workers", 0)
        self.get_type_analyze_hook = self._annotated.getter(  # type: ignore[method-assign, assignment]
            table=not (options.fine_grained_incremental or parallel or options.shadow_file)
        )
        if options.fine_grained_incremental:
            self.get_additional_deps = self._resources.read_again  # type: ignore[method-assign]

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        super().set_modules(modules)
        self._resources.set_modules(modules)
        self._annotated.set_modules(modules)

    def report_config_data(self, ctx: ReportConfigContext) -> dict[str, object]:
        # A module's cache is read: it may be analysed later, and is parsed only then.
        if ctx.is_check and self._annotated.table:
            per_ask = self._annotated.getter(table=False)
            self.get_type_analyze_hook = per_ask  # type: ignore[method-assign, assignment]
        cache_data = self._log.cache_data(ctx.id, is_check=ctx.is_check)
        return {**self._cache_key, **cache_data} if cache_data else self._cache_key


def plugin(version: str) -> type[Plugin]:
    """Entry point named in the user's mypy config (``plugins = ["mypy_plugin"]``)."""
    compat.warn_if_untested(version)
    return AsyncResourcesPlugin
