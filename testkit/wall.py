"""A wall clock a test sets by hand (for stores and sessions that take ``wall: Callable[[], float]``)."""

from __future__ import annotations


class Wall:
    """Returns ``t``; a test moves it (``wall.t += 3600``)."""

    def __init__(self, t: float = 1_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t
