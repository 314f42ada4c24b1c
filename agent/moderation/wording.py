"""The shop's own Chinese wording, so that a homophone the catalog itself writes is not taken for a trick.

Homophones catch "薇信" for 微信, but ordinary product words hold sound-alikes too: "真丝单只装" (real silk,
sold singly) holds 丝单, which sounds like 私单 (a private, off-platform order). When the catalog writes the
sound-alike with a neighbouring character ("真丝单", "丝单只"), a viewer or the host saying it is using the
shop's word. Exact list words are never excused this way.
"""

from __future__ import annotations

from collections.abc import Iterable

from agent.language import HAN_RUN
from agent.moderation.normalize import Normalizer


class ShopWording:
    """Runs of Chinese characters from the shop's titles and sheets, folded as comments are."""

    def __init__(self, texts: Iterable[str] = (), normalizer: Normalizer | None = None) -> None:
        norm = normalizer or Normalizer()
        runs: list[str] = []
        for text in texts:
            folded = norm.fold(text)
            runs.extend(HAN_RUN.findall(folded))
        self._text = "\n".join(runs)

    def covers(self, han: str, start: int, end: int) -> bool:
        """Is ``han[start:end]``, with the character before or after it, written in the shop's own wording?"""
        if not self._text:
            return False
        return (start > 0 and han[start - 1 : end] in self._text) or (
            end < len(han) and han[start : end + 1] in self._text
        )

