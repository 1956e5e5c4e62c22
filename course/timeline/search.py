"""Search: which events' titles and descriptions hold every word of a query (accents and case ignored).

An event matches a word when its folded text (:func:`~course.timeline.text.fold_text`)
holds the word anywhere. To answer without reading every event for every
keystroke, the index keeps, for each three-letter piece of text, the set of
events (a bit mask) that contain it; only the events that contain all the
pieces of a word are then read. The pieces are collected on the first search,
not when the timeline is built.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .text import fold_text, search_terms

__all__ = ["SearchIndex"]

_PIECE = 3


class SearchIndex:
    """The folded texts of ``n`` events and a lazily built three-letter index over them."""

    def __init__(self, texts: Sequence[str]):
        self.texts = [fold_text(t) for t in texts]
        self.n = len(self.texts)
        self._pieces: dict[str, int] | None = None
        self._last: tuple[tuple, np.ndarray] = ((), np.ones(self.n, dtype=bool))

    def _index(self) -> dict[str, int]:
        if self._pieces is None:
            pieces: dict[str, int] = {}
            for k, text in enumerate(self.texts):
                bit = 1 << k
                for p in {text[i : i + _PIECE] for i in range(len(text) - _PIECE + 1)}:
                    pieces[p] = pieces.get(p, 0) | bit
            self._pieces = pieces
        return self._pieces

    def holding(self, word: str) -> np.ndarray:
        """Events whose folded text holds ``word`` (already folded, no whitespace)."""
        found = np.zeros(self.n, dtype=bool)
        if len(word) < _PIECE:
            found[:] = [word in t for t in self.texts]
            return found
        pieces = self._index()
        candidates = -1
        for i in range(len(word) - _PIECE + 1):
            candidates &= pieces.get(word[i : i + _PIECE], 0)
            if not candidates:
                return found
        texts = self.texts
        while candidates:
            low = candidates & -candidates
            k = low.bit_length() - 1
            candidates ^= low
            if word in texts[k]:
                found[k] = True
        return found

    def mask(self, query: str) -> np.ndarray:
        """Events holding every word of ``query``; the last answer is kept for the same words."""
        terms = search_terms(query)
        if terms != self._last[0]:
            mask = np.ones(self.n, dtype=bool)
            for t in terms:
                mask &= self.holding(t)
            self._last = (terms, mask)
        return self._last[1]
