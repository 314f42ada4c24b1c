"""How the air is shared: the script keeps ``share`` of the airtime over the last ``window_s`` seconds.

A shop sells through its script, so when questions pile up the script still gets its share; beyond it,
replies may follow each other back to back. When the chat is quiet the script takes all the air back.
"""

from __future__ import annotations

from collections import deque


class Airtime:
    def __init__(self, share: float, window_s: float) -> None:
        self.share = share
        self.window_s = window_s
        self._spans: deque[tuple[float, float, bool]] = deque()  # (end, seconds, script?)
        self.total = 0.0
        self.script = 0.0
        self._script_lines = 0
        self._script_seconds = 0.0

    def add(self, end: float, seconds: float, script: bool) -> None:
        self._spans.append((end, seconds, script))
        self.total += seconds
        if script:
            self.script += seconds
            self._script_lines += 1
            self._script_seconds += seconds
        while self._spans and self._spans[0][0] < end - self.window_s:
            _, s, was_script = self._spans.popleft()
            self.total -= s
            if was_script:
                self.script -= s

    def typical_script_s(self, default: float = 4.0) -> float:
        """How long a script sentence lasts, on average so far."""
        return self._script_seconds / self._script_lines if self._script_lines else default

    def recent_share(self) -> float | None:
        """The script's share of the airtime in the window (None before anything was said)."""
        return None if self.total <= 0 else self.script / self.total

    def script_short(self, tolerance: float = 0.05) -> bool:
        """True when the script is more than ``tolerance`` below its share lately: then it plays before any
        reply, even one whose comment is about to go stale."""
        recent = self.recent_share()
        return self.share > 0 and recent is not None and recent < self.share - tolerance

    def script_has_its_share(self) -> bool:
        """True when the script has had at least its share lately, so a waiting reply may go first (with no
        share set, never: the director then keeps its fixed script sentences between replies)."""
        recent = self.recent_share()
        return self.share > 0 and recent is not None and recent >= self.share

    def air_to_spare(self, margin: float = 0.03) -> bool:
        """True when the script has had more than its share (plus ``margin``) lately: the chat may have the
        spare air (small talk is answered even in a busy room)."""
        recent = self.recent_share()
        return self.share > 0 and recent is not None and recent > self.share + margin
