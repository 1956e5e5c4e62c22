"""Answer hashing and explanation encoding for the self-checks.

Answers are stored **hashed**, salted with the question id, so reading a
notebook does not give them away at a glance. Explanations are base64: this
is obfuscation, not security.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from typing import Any

_SALT = "helsinki-nea-course/v1"
_HASH_LEN = 20


def normalize(value: Any) -> str:
    """Canonical text for an answer: case-, accent- and whitespace-insensitive.

    Lists and tuples keep their order (``"a | b"``); sets and dicts are sorted.
    """
    if isinstance(value, dict):
        return " ; ".join(
            f"{normalize(k)} -> {normalize(v)}"
            for k, v in sorted(value.items(), key=lambda kv: normalize(kv[0]))
        )
    if isinstance(value, (set, frozenset)):
        return " | ".join(sorted(normalize(v) for v in value))
    if isinstance(value, (list, tuple)):
        return " | ".join(normalize(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text).strip().casefold()


def hash_answer(qid: str, value: Any) -> str:
    """The stored form of an answer: a salted SHA-256 of its normalized text."""
    digest = hashlib.sha256(f"{_SALT}:{qid}:{normalize(value)}".encode()).hexdigest()
    return digest[:_HASH_LEN]


def grid_step(tolerance: float) -> float:
    return tolerance / 10.0


def hash_numeric(qid: str, value: float, tolerance: float) -> str:
    """The stored form of a numeric answer: its position on a grid of tolerance/10, hashed."""
    if not tolerance > 0:
        raise ValueError(f"tolerance must be > 0, got {tolerance!r}")
    return hash_answer(qid, f"grid:{round(value / grid_step(tolerance))}")


def encode(text: str) -> str:
    """Encode an explanation or model answer so it is not readable at a glance."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def decode(blob: str) -> str:
    return base64.b64decode(blob.encode("ascii"), validate=True).decode("utf-8")


# ----------------------------------------------------------------- feedback
