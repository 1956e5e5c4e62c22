"""Start-up waste of the notebook stack, removed when ``course`` is imported.

Measured inside a lesson's kernel, the single largest cost is not the course
but a chain the first figure sets off: ``fig.show()`` imports
``plotly.io._renderers``, which imports :mod:`nbformat` (only to read its
``__version__``), which imports :mod:`jsonschema`, whose format checker does
``from rfc3987_syntax import is_valid_syntax``.  Importing ``rfc3987_syntax``
builds 39 Earley parsers from its grammar, about 0.8 s per kernel, and a
lesson never validates an IRI.

:func:`install` puts a stand-in for ``rfc3987_syntax`` in ``sys.modules``.
It offers the one name jsonschema imports, ``is_valid_syntax``, as a proxy
that imports the real module on its first call and delegates to it, so the
``"iri"`` and ``"iri-reference"`` format checks give exactly the answers they
give without the stand-in.  Any other attribute, and any submodule, loads the
real module too.  Once loaded, the real module replaces the stand-in in
``sys.modules``.

The stand-in is installed only when it is known to be right, and otherwise
the stack runs as it would without the course:

* ``rfc3987_syntax`` must be installed but not yet imported (if jsonschema
  has already been imported, there is nothing left to defer);
* its layout must be the known one: ``is_valid_syntax(term, value)`` defined
  in ``rfc3987_syntax/syntax_helpers.py`` and re-exported by the package
  (checked by reading the source, not by running it), and ``lark`` must be
  importable.

If the real module still cannot be imported at first use (ImportError, or
the name is gone), the proxy answers as jsonschema does when
``rfc3987_syntax`` is absent: it does not check the format.

Set ``COURSE_NO_STANDINS=1`` to leave the stack untouched.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
import threading
import types
from pathlib import Path

__all__ = ["install", "DeferredModule"]

#: The module whose import builds the grammar, and the names of it that are
#: served without loading it.
RFC3987 = "rfc3987_syntax"
_LAYOUT = {
    "__init__.py": re.compile(r"^from \.syntax_helpers import \*\s*$", re.M),
    "syntax_helpers.py": re.compile(r"^def is_valid_syntax\(term(: *str)?, *value(: *str)?\)", re.M),
}


class DeferredModule(types.ModuleType):
    """A stand-in in ``sys.modules`` for a module that is costly to import.

    Names given in ``proxies`` are callables that load the real module on
    first call; every other attribute loads the real module at once.
    """

    def __init__(self, spec: importlib.machinery.ModuleSpec, proxies: tuple[str, ...]):
        super().__init__(spec.name, f"Stand-in for {spec.name}, imported on first use (see course.startup).")
        self.__spec__ = spec
        self.__file__ = spec.origin
        if spec.submodule_search_locations is not None:
            # A package: `import pkg.sub` finds the submodule through this path.
            self.__path__ = list(spec.submodule_search_locations)
        self.__dict__["_deferred_lock"] = threading.RLock()
        self.__dict__["_deferred_real"] = None
        for name in proxies:
            setattr(self, name, _proxy(self, name))

    def _deferred_load(self) -> types.ModuleType:
        """Import the real module (once) and put it in ``sys.modules``."""
        real = self.__dict__["_deferred_real"]
        if real is not None:
            return real
        with self.__dict__["_deferred_lock"]:
            real = self.__dict__["_deferred_real"]
            if real is None:
                name = self.__name__
                if sys.modules.get(name) is self:
                    del sys.modules[name]
                try:
                    real = importlib.import_module(name)
                except BaseException:
                    sys.modules.setdefault(name, self)
                    raise
                self.__dict__["_deferred_real"] = real
        return real

    def __getattr__(self, attr: str):
        # Only reached for names the stand-in does not have. Dunder look-ups
        # (copy, pickle, the import system probing) must not load the module.
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return getattr(self._deferred_load(), attr)

    def __dir__(self):
        real = self.__dict__["_deferred_real"]
        return sorted(set(super().__dir__()) | set(dir(real) if real is not None else ()))


def _proxy(stand_in: DeferredModule, name: str):
    def proxy(*args, **kwargs):
        try:
            function = getattr(stand_in._deferred_load(), name)
        except (ImportError, AttributeError):
            # What jsonschema does without the module: the format is not checked.
            return True
        return function(*args, **kwargs)

    proxy.__name__ = proxy.__qualname__ = name
    proxy.__module__ = stand_in.__name__
    proxy.__doc__ = f"Stand-in for {stand_in.__name__}.{name}: imports the real module on first call."
    return proxy


def _known_rfc3987_layout(spec) -> bool:
    if spec is None or not spec.submodule_search_locations or not spec.origin:
        return False
    root = Path(spec.origin).parent
    try:
        for filename, pattern in _LAYOUT.items():
            if not pattern.search((root / filename).read_text(encoding="utf-8")):
                return False
    except (OSError, UnicodeDecodeError):
        return False
    return True


def install() -> bool:
    """Install the stand-ins that are safe here; return whether any was."""
    if os.environ.get("COURSE_NO_STANDINS", "").strip() not in ("", "0"):
        return False
    if RFC3987 in sys.modules or "jsonschema._format" in sys.modules:
        return False
    try:
        spec = importlib.util.find_spec(RFC3987)
        lark = importlib.util.find_spec("lark")
    except (ImportError, ValueError):
        return False
    if lark is None or not _known_rfc3987_layout(spec):
        return False
    sys.modules[RFC3987] = DeferredModule(spec, proxies=("is_valid_syntax",))
    return True


installed = install()
