"""Cheap language guess for chat lines: which voice, which prompt, which keyword lists to weigh.

Chat is short ("combien ?", "多少钱", "how much"), so a statistical model would be guessing anyway; script
ranges plus a few hundred function words are deterministic, run in microseconds and are right on the
cases that matter for a shop (Chinese vs French vs English).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[a-zà-öø-ÿœæ']+")

_FR_CHARS = re.compile("[éèêëàâîïôûùüçœæ]")
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


# Chinese characters: the unified ideographs, extension A and the compatibility ideographs. Every module that
# asks "is this Chinese?" asks it with these.
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = re.compile(f"[{HAN_CHARS}]")
HAN_RUN = re.compile(f"[{HAN_CHARS}]+")
# French "c'est" saying what a thing is made of, free of or fit for ("le miel c'est sans sucre", "le sac c'est en
# cuir", "c'est lavable"): a statement that asks, in chat. Triage reads it as a question, the fact finder as a
# yes/no one; one pattern for both.
FR_SAID_OF = (r"c'?\s?est\s+(?:sans|en|fait|fabriqu(?:é|ée|e)|compatible|lavable|adapt(?:é|ée|e)|garantie?"
              r"|livr(?:é|ée|e)|incluse?)\b")


def has_han(text: str) -> bool:
    return HAN.search(text) is not None


def han_count(text: str) -> int:
    return len(HAN.findall(text))


_RANGES = (
    ("zh", HAN_CHARS),
    ("ja", "\u3040-\u30ff"),
    ("ko", "\uac00-\ud7af\u1100-\u11ff"),
    ("ru", "\u0400-\u04ff"),
    ("ar", "\u0600-\u06ff"),
)
_ANY_SCRIPT = re.compile("[" + "".join(r for _, r in _RANGES) + "]")
_KANA = re.compile(f"[{_RANGES[1][1]}]")
_SCRIPTS = tuple((name, re.compile(f"[{r}]")) for name, r in _RANGES if name != "ja")


def _script_counts(text: str) -> tuple[dict[str, int], int]:
    """Characters per script (scripts in order of first appearance; "ja" alone when any kana is there),
    and the other alphabetic characters (Latin and the rest): regex scans rather than a loop per character."""
    found = _ANY_SCRIPT.findall(text)
    latin = sum(map(str.isalpha, text))
    if not found:
        return {}, latin
    chars = "".join(found)
    latin -= sum(map(str.isalpha, chars))
    if _KANA.search(chars) is not None:
        return {"ja": 1}, latin
    present = []
    for name, rx in _SCRIPTS:
        m = rx.search(chars)
        if m is not None:
            present.append((m.start(), name, len(rx.findall(chars))))
    present.sort()
    return {name: n for _, name, n in present}, latin


def detect_language(text: str, default: str = "en") -> str:
    """Return "zh", "fr", "en" (or "ja", "ko", "ru", "ar" by script); ``default`` when nothing tells.

    Any kana wins over Han (Japanese mixes both); otherwise the majority of non-Latin script characters
    wins when they outnumber Latin letters. Latin text is French when accents or French function words
    outweigh English ones.
    """
    if not text:
        return default
    if not text.isascii():
        counts, latin = _script_counts(text)
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
        fr += 1.5 * len(_FR_CHARS.findall(low))
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


def majority_language(texts: Iterable[str], default: str = "en") -> str:
    """The language most of ``texts`` are written in (a catalog's: its titles with a little of each sheet)."""
    votes = Counter(detect_language(t, default) for t in texts)
    return votes.most_common(1)[0][0] if votes else default
