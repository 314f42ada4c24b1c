"""A bounded memory of recent keys: platforms deliver at least once and resume after reconnects, so the same
message id can arrive twice; triage and the connectors drop the repeats with the same helper."""

from __future__ import annotations

from collections import OrderedDict


class Deduper:
    """Remembers the last ``size`` keys (least recently seen forgotten first)."""

    def __init__(self, size: int = 4096) -> None:
        if size < 1:
            raise ValueError("size must be >= 1")
        self._size = size
        self._keys: OrderedDict[str, None] = OrderedDict()

    def seen(self, key: str) -> bool:
        """True when ``key`` was seen recently; records it either way."""
        if key in self._keys:
            self._keys.move_to_end(key)
            return True
        self._keys[key] = None
        if len(self._keys) > self._size:
            self._keys.popitem(last=False)
        return False

    def __len__(self) -> int:
        return len(self._keys)
