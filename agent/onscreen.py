"""Which product is on screen: the director sets it, triage and the show read it or hear of each change.

One object, made by the composition wing and handed to each of them at construction, so nobody is wired to
anybody after the fact.
"""

from __future__ import annotations

from collections.abc import Callable

from agent.product import Product


class OnScreen:
    def __init__(self, product: Product | None = None) -> None:
        self.product = product
        self._listeners: list[Callable[[Product], None]] = []

    def listen(self, listener: Callable[[Product], None]) -> None:
        """``listener`` hears of every product put on screen from now on."""
        self._listeners.append(listener)

    def show(self, product: Product) -> None:
        self.product = product
        for listener in self._listeners:
            listener(product)
