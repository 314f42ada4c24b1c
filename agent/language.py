"""Cheap language guess for chat lines: which voice, which prompt, which keyword lists to weigh.

Chat is short ("combien ?", "多少钱", "how much"), so a statistical model would be guessing anyway; script
ranges plus a few hundred function words are deterministic, run in microseconds and are right on the
cases that matter for a shop (Chinese vs French vs English).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zà-öø-ÿœæ']+")

_FR_CHARS = frozenset("éèêëàâîïôûùüçœæ")
_FR_WORDS = frozenset(
    """
    le la les un une des du de et est ce cette ces c'est je tu il elle nous vous ils elles on
    mon ma mes ton ta tes son sa ses notre votre leur pas ne oui non merci bonjour bonsoir salut coucou
    combien quel quelle quels quelles comment pourquoi où quand qui quoi est-ce avec pour dans sur sans
    taille prix livraison couleur matière coton dispo disponible stock commande acheter envoyer vendu
    très trop bien aussi encore avez as avoir être suis es sommes êtes sont fait faire peut peux veux
    voudrais j'ai t'es c'était ça cela ici là au aux chez mais donc alors svp stp bravo génial super
    """.split()
)
_EN_WORDS = frozenset(
    """
    the a an and is are was were be been it this that these those i you he she we they my your his her
    our their not no yes thanks thank hello hi hey please how what which when where why who much many
    size price ship shipping color colour stock buy order available cotton can could would should will do
    does did have has had with for from of on in at to by about just so very too love nice cool good
    great wow lol omg cute want need get got any there here me us them or but if than then
    """.split()
)


def _script(ch: str) -> str | None:
    o = ord(ch)
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF:
        return "zh"
    if 0x3040 <= o <= 0x30FF:
        return "ja"
    if 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF:
        return "ko"
    if 0x0400 <= o <= 0x04FF:
        return "ru"
    if 0x0600 <= o <= 0x06FF:
        return "ar"
    return None


def detect_language(text: str, default: str = "en") -> str:
    """Return "zh", "fr", "en" (or "ja", "ko", "ru", "ar" by script); ``default`` when nothing tells.

    Any kana wins over Han (Japanese mixes both); otherwise the majority of non-Latin script characters
    wins when they outnumber Latin letters. Latin text is French when accents or French function words
    outweigh English ones.
    """
    if not text:
        return default
    counts: dict[str, int] = {}
    latin = 0
    if not text.isascii():
        for ch in text:
            s = _script(ch)
            if s is not None:
                counts[s] = counts.get(s, 0) + 1
            elif ch.isalpha():
                latin += 1
        if counts.get("ja"):
            return "ja"
        if counts:
            best = max(counts, key=lambda k: counts[k])
            if counts[best] * 2 >= latin:
                return best
    low = text.lower()
    fr = 0.0
    en = 0.0
    if not low.isascii():
        fr += 1.5 * sum(1 for ch in low if ch in _FR_CHARS)
    for w in _WORD.findall(low):
        if w in _FR_WORDS:
            fr += 1.0
        if w in _EN_WORDS:
            en += 1.0
        elif "'" in w and w.split("'", 1)[0] in ("c", "j", "l", "d", "qu", "n", "t", "s", "m"):
            fr += 1.0
    if fr == 0 and en == 0:
        return default
    if fr > en:
        return "fr"
    if en > fr:
        return "en"
    return default if default in ("en", "fr") else "en"
