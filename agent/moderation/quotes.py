"""Hate quoted to condemn it stays allowed: "someone called her an 'ugly cow', reported".

A comment that puts words in quotation marks *and* condemns them outside the quotes (reports, calls them
disgusting, racist, not funny...) is judged without the quoted words, by the word lists and by meaning alike.
Quoting alone is not enough (a viewer can quote an insult to repeat it), nor is condemning alone.
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r"\"[^\"]{1,120}\"|“[^”]{1,120}”|«[^»]{1,120}»|「[^」]{1,120}」|『[^』]{1,120}』|‘[^’]{1,120}’"
                     r"|(?<![A-Za-z])'[^']{2,120}'(?![A-Za-z])")
_CONDEMN = re.compile(
    r"\b(?:report(?:ed|ing|s)?|ban(?:ned)?|block(?:ed)?|disgusting|gross|not ok(?:ay)?|unacceptable|racis[tm]"
    r"|sexis[tm]|stereotypes?|hate speech|never (?:a joke|ok(?:ay)?|funny)|not funny|shame(?:ful)?|stop it|wrong"
    r"|mods?|moderators?|signal(?:é|ée|ez|er|e)|bann(?:i|ir|is|issez|ez)|dégoûtant|inacceptable|raciste|sexiste"
    r"|stéréotypes?|pas drôle|honte|arrêtez|ça suffit|pas ok)\b"
    r"|举报|封号|拉黑|恶心|恶毒|过分|别这样|不好笑|地域黑|刻板印象|歧视|没素质|别刷|管管|房管|太low",
    re.IGNORECASE,
)


def unquoted(text: str) -> str | None:
    """The comment without its quoted words when it quotes them to condemn them; None otherwise."""
    if _QUOTED.search(text) is None:
        return None
    rest = _QUOTED.sub(" ", text)
    return rest if _CONDEMN.search(rest) is not None else None
