"""Results as plain data: the one thing a grading probe asks the student's kernel for.

Runs in the student's kernel (:func:`run`) and in the grader (:func:`to_plain`
on the reference solution's values), so both sides are converted by the same
rules. Nothing here decides a grade. In the kernel the student controls this
module too; whatever :func:`run` answers, the grader receives only a string,
parses it with its own code (:mod:`course.grading.compare`) and compares it
with values the kernel never sees. Forging the answer therefore only helps a
student who already knows the right result.

The canonical form is JSON with sorted keys. Builtins stay themselves;
everything else becomes a tagged object:

``{"$float": "nan"|"inf"|"-inf"}``, ``{"$tuple": [...]}``, ``{"$set": [...]}``,
``{"$dict": [[key, value], ...]}`` (keys of any type, in insertion order),
``{"$datetime": "ISO"}``, ``{"$nat": null}``, ``{"$na": null}``, ``{"$timedelta": seconds}``,
``{"$ndarray": {"dtype", "shape", "data"}}``, ``{"$series": {"index", "values", "name", "dtype"}}``,
``{"$frame": {"columns", "index", "data", "dtypes"}}``, ``{"$figure": {...}}``,
``{"$unsupported": "type name"}``, ``{"$error": "ExceptionName"}``.
"""

from __future__ import annotations

import json
import math

MAX_ITEMS = 200_000  # elements converted per result
MAX_DEPTH = 40
MAX_CHARS = 8 * 2**20  # characters of one probe answer


class TooBig(Exception):
    pass


def _type_name(obj) -> str:
    t = type(obj)
    return f"{getattr(t, '__module__', '?')}.{getattr(t, '__qualname__', '?')}"


def _unsupported(obj) -> dict:
    """Not plain data. Notes when the object's class redefines ``==`` (a tripwire the grader reports)."""
    name = _type_name(obj)
    own = [
        k
        for k in getattr(type(obj), "__mro__", ())
        if not str(getattr(k, "__module__", "")).startswith(("builtins", "numpy", "pandas"))
    ]
    if any("__eq__" in vars(k) or "__ne__" in vars(k) for k in own):
        name += " (redefines equality)"
    try:
        claimed = getattr(obj, "__class__", None)  # what isinstance() believes
    except Exception:  # noqa: BLE001 - a __class__ that raises hides the type as well
        claimed = None
    if claimed is not type(obj):
        name += f" (its __class__ claims {_type_name_of(claimed)})"
    return {"$unsupported": name}


def _type_name_of(t) -> str:
    try:
        return f"{t.__module__}.{t.__qualname__}"
    except Exception:  # noqa: BLE001
        return "something else"


class _Converter:
    def __init__(self):
        self.items = 0

    def __call__(self, obj, depth: int = 0):
        self.items += 1
        if self.items > MAX_ITEMS or depth > MAX_DEPTH:
            raise TooBig("result too large or too deep")
        t = type(obj)
        if obj is None or t is bool:
            return obj
        if t is int:
            return obj
        if t is float:
            return obj if math.isfinite(obj) else {"$float": repr(obj)}
        if t is str:
            return obj
        if t is list:
            return [self(x, depth + 1) for x in obj]
        if t is tuple:
            return {"$tuple": [self(x, depth + 1) for x in obj]}
        if t in (set, frozenset):
            items = [self(x, depth + 1) for x in obj]
            return {"$set": sorted(items, key=lambda v: json.dumps(v, sort_keys=True))}
        if t is dict:
            return {"$dict": [[self(k, depth + 1), self(v, depth + 1)] for k, v in obj.items()]}
        return self._library(obj, depth)

    def _library(self, obj, depth):
        import datetime as dt

        mod = type(obj).__module__ or ""
        if mod.startswith("numpy") or mod.startswith("pandas") or mod.startswith("plotly"):
            return self._scientific(obj, depth)
        if type(obj) in (dt.datetime, dt.date):
            return {"$datetime": obj.isoformat()}
        if type(obj) is dt.timedelta:
            return {"$timedelta": obj.total_seconds()}
        # subclasses of builtins (a student's list whose == is always true, ...) are not trusted as such
        return _unsupported(obj)

    def _scientific(self, obj, depth):
        import numpy as np
        import pandas as pd

        t = type(obj)
        if t is pd.Timestamp:
            return {"$datetime": obj.isoformat()}
        if obj is pd.NaT:
            return {"$nat": None}
        if obj is pd.NA:
            return {"$na": None}
        if t is pd.Timedelta:
            return {"$timedelta": obj.total_seconds()}
        if isinstance(obj, np.generic) and t.__module__ == "numpy":
            if isinstance(obj, np.datetime64):
                return self(pd.Timestamp(obj), depth + 1) if not np.isnat(obj) else {"$nat": None}
            return self(obj.item(), depth + 1)
        if t is np.ndarray:
            if obj.size > MAX_ITEMS:
                raise TooBig("array too large")
            data = obj.tolist() if obj.dtype.kind != "M" else [self(x, depth + 1) for x in obj.ravel()]
            return {
                "$ndarray": {"dtype": obj.dtype.kind, "shape": list(obj.shape), "data": self(data, depth + 1)}
            }
        if t is pd.Series:
            if len(obj) > MAX_ITEMS:
                raise TooBig("series too large")
            return {
                "$series": {
                    "index": [self(x, depth + 2) for x in obj.index.tolist()],
                    "values": [self(x, depth + 2) for x in obj.astype(object).tolist()],
                    "name": self(obj.name, depth + 1),
                    "dtype": str(obj.dtype),
                }
            }
        if t is pd.DataFrame:
            if obj.size > MAX_ITEMS:
                raise TooBig("table too large")
            columns = [self(c, depth + 2) for c in obj.columns.tolist()]
            data = [
                [self(x, depth + 3) for x in obj.iloc[:, i].astype(object).tolist()]
                for i in range(obj.shape[1])
            ]
            return {
                "$frame": {
                    "columns": columns,
                    "index": [self(x, depth + 2) for x in obj.index.tolist()],
                    "data": data,
                    "dtypes": [str(d) for d in obj.dtypes],
                }
            }
        if t.__module__.startswith("plotly.graph_objs") and t.__name__ in ("Figure", "FigureWidget"):
            figure = obj.to_plotly_json()
            layout = dict(figure.get("layout") or {})
            layout.pop("template", None)  # plotly's default styling: large, and the same for everyone
            return {
                "$figure": self._json_like({"data": figure.get("data") or [], "layout": layout}, depth + 1)
            }
        return _unsupported(obj)

    def _json_like(self, obj, depth):
        """A plotly figure's JSON: dicts with string keys, lists, numpy arrays."""
        import numpy as np

        self.items += 1
        if self.items > MAX_ITEMS or depth > MAX_DEPTH:
            raise TooBig("figure too large")
        if isinstance(obj, dict):
            return {str(k): self._json_like(v, depth + 1) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [self._json_like(v, depth + 1) for v in obj]
        if isinstance(obj, np.ndarray):
            return [self._json_like(v, depth + 1) for v in obj.tolist()]
        return self(obj, depth + 1)


def to_plain(obj):
    """``obj`` as canonical plain data (raises :class:`TooBig`)."""
    return _Converter()(obj)


def dumps(obj) -> str:
    return json.dumps(obj, sort_keys=True, allow_nan=False, separators=(",", ":"))


def digest(obj) -> str:
    """A SHA-256 of ``obj``'s plain form: how the grader and a kernel compare an *input* of the checks
    (a course table) without sending it whole."""
    import hashlib

    return hashlib.sha256(dumps(to_plain(obj)).encode()).hexdigest()


def run(nonce: str, expressions: list[str]) -> str:
    """The probe, in the student's kernel: evaluate each expression in the notebook's namespace.

    Returns ``nonce`` + JSON list, one entry per expression: its plain value, or
    ``{"$error": name}``. Exceptions are caught per expression, so one failing
    case does not hide the others.
    """
    import importlib

    from IPython import get_ipython

    ns = dict(get_ipython().user_ns)
    ns["inputs"] = importlib.import_module("course.grading.inputs")
    out = []
    for expr in expressions:
        try:
            value = to_plain(eval(expr, ns))  # noqa: S307 - the grader's own probe expression
            dumps(value)
        except TooBig:
            value = {"$error": "TooBig"}
        except KeyboardInterrupt:  # the grader interrupted a call that took too long: stop here
            out.append({"$error": "KeyboardInterrupt"})
            out += [{"$error": "NotRun"}] * (len(expressions) - len(out))
            break
        except BaseException as e:  # noqa: BLE001 - a student's function may raise anything
            value = {"$error": type(e).__name__ if type(e).__module__ == "builtins" else "Exception"}
        out.append(value)
    return nonce + dumps(out)


_answers: dict[str, str] = {}


def keep(nonce: str, expressions: list[str]) -> None:
    """Run the probe as *code* (so that the grader's interrupt reaches a call that hangs: IPython ignores
    SIGINT while it evaluates user expressions) and keep the answer for :func:`take`."""
    _answers[nonce] = run(nonce, expressions)


def take(nonce: str) -> str:
    return _answers.pop(nonce, nonce + "null")
