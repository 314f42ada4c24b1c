"""Prompt-injection detection: comments that try to steer the host instead of talking to it.

Viewers' text reaches the LLM, so "ignore previous instructions", fake system messages, role-play set-ups,
"say it's free" and encoded payloads are blocked before they get there. Rules read the folded text (NFKC,
casefolded, simplified Chinese); encoded text is decoded and checked for readable words.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from agent.moderation.gate import GatedPatterns

_RULES: tuple[tuple[str, str], ...] = (
    # English
    ("ignore-instructions", r"\b(ignore|disregard|forget|skip|override|bypass)\b.{0,20}\b(previous|prior|above|earlier|"
     r"all|your|the|these|system|initial|original)\b.{0,20}\b(instructions?|prompts?|rules|directions|guidelines|"
     r"orders|context|programming)\b"),
    ("new-instructions", r"\b(new|updated|real|secret|hidden) (instructions?|system prompt|rules)\s*[:\-]"),
    ("you-are-now", r"\byou(?: are|'re| r) now (?:an? |the |my )?(?:\w+ ){0,2}?(?:ai|bot|assistant|model|character|"
     r"persona|dan|gpt|chatbot|version|mode|unrestricted|jailbroken|free to|allowed)\b"),
    ("from-now-on", r"\bfrom now on,? (you|u|the host) (are|will|must|should|have to|only)\b"),
    ("role-play", r"\bpretend (to be|you are|you're|that you)\b|\bact as (if you were|an? (ai|bot|assistant|"
     r"character|hacker|different|evil|unfiltered))\b|\brole[- ]?play\b|\blet'?s play a game where you\b"),
    ("jailbreak", r"\b(jailbreak|jailbroken|developer mode|dan mode|do anything now|god mode)\b"),
    ("system-tag", r"(^|[\n\[(<{|])\s*(system|sys|admin|developer|assistant|operator)\s*(message|prompt|note)?"
     r"\s*[:\]>)}]"),
    ("chat-markup", r"<\|?(im_start|im_end|system|endoftext)\|?>|\[/?inst\]|###\s*(instruction|system)"),
    ("reveal-prompt", r"\b(reveal|show|print|repeat|tell me|what (is|are)) (me )?(your|the) (system |initial |hidden )?"
     r"(prompt|instructions|rules you were given)\b"),
    ("say-free", r"\b(say|announce|tell (everyone|the chat|all viewers|all the viewers))( to everyone)?( that)? "
     r"(it'?s|it is|everything is|this is|the \w+ (is|are)|all \w+ (is|are)) (now )?(free|for free|free of charge|"
     r"0 ?(€|\$|eur|euros?|dollars?|yuan)|zero (euros?|dollars?))"),
    ("repeat-after-me", r"\b(repeat after me|say exactly|say the following|read this out loud|"
     r"say this word for word)\b"),
    # French
    ("ignore-instructions", r"\b(ignore|oublie|oubliez|ignorez|zappe)\b.{0,25}\b(instructions?|consignes?|règles|"
     r"prompt|directives)\b"),
    ("you-are-now", r"\b(tu es|vous êtes|t'es) (maintenant|désormais|à présent)\b"),
    ("from-now-on", r"\b(à partir de maintenant|désormais|dorénavant),? (tu|vous) "
     r"(dois|devez|vas|allez|es|êtes|réponds)\b"),
    ("role-play", r"\b(fais semblant|faites semblant|joue le rôle|jouez le rôle|imagine que tu es|"
     r"mets-toi dans la peau)\b"),
    ("say-free", r"\b(dis|dites|annonce|annoncez)(-leur| à tout le monde| aux gens)? que (c'est|tout est|"
     r"le \w+ est|la \w+ est|ce produit est|tout) (maintenant |désormais )?(gratuit|gratuite|offert|à 0 ?€)"),
    ("repeat-after-me", r"\b(répète après moi|répète exactement|dis exactement|lis ceci à voix haute)\b"),
    ("reveal-prompt", r"\b(montre|révèle|affiche|donne)[- ]moi (ton|tes|votre|vos) (prompt|instructions|consignes)\b"),
    ("new-instructions", r"\b(nouvelles? (instructions?|consignes?)|message système|note système)\s*[:\-]"),
    # Chinese
    ("ignore-instructions", r"(忽略|无视|忘记|忘掉|不要理会|跳过)(之前|以上|上面|前面|所有|你的|系统)?的?(所有)?"
     r"(指令|指示|提示词?|规则|设定|要求|命令)"),
    ("you-are-now", r"(你现在是|从现在(开始|起)你(是|要|必须|只能)|你的新身份)"),
    ("role-play", r"(扮演|假装你是|角色扮演|你来演|模仿一个)"),
    ("system-tag", r"(^|[\n【\[(（])\s*(系统|管理员|开发者)(消息|提示|通知|指令)?\s*[:：】\])）]"),
    ("say-free", r"(说|宣布|告诉大家|跟大家说)(一下)?(这个|它|所有|全部)?(东西|商品|产品|衣服)?(是|都是|现在)?"
     r"(免费|不要钱|0元|零元|白送)(的)?(?!吗|么|嘛|\?|？)"),
    ("repeat-after-me", r"(跟我说|跟着我说|重复我的话|照着念|一字不差地说)"),
    ("reveal-prompt", r"(你的|把)(系统)?(提示词|设定|指令)(是什么|发出来|告诉我|说出来)"),
    ("jailbreak", r"(越狱|开发者模式|解除限制)"),
)

_GATED = GatedPatterns((re.compile(p, re.IGNORECASE), name) for name, p in _RULES)
_B64 = re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{20,}={0,2}")
_HEX = re.compile(r"(?:\\x|0x)?(?:[0-9a-fA-F]{2}[\s:]?){12,}")
_ESCAPES = re.compile(r"(?:\\[xu][0-9a-fA-F]{2,4}){6,}")
_WORDS = re.compile(r"[A-Za-z]{3,}")


@dataclass(frozen=True, slots=True)
class Injection:
    rule: str
    matched: str


def detect_injection(norm: str, raw: str, tri: frozenset[str] | None = None) -> Injection | None:
    """``norm``: the folded text (see :class:`agent.moderation.normalize.Normalizer`); ``raw``: the original;
    ``tri``: the folded text's trigrams when the caller has them (:attr:`Views.tri`)."""
    hit = _GATED.search(norm, tri)
    if hit is not None:
        return Injection(hit[0], hit[1].group(0).strip()[:80])
    return _encoded(raw)


def _encoded(raw: str) -> Injection | None:
    """Encoded payloads: readable words hidden in base64, hex or escape sequences."""
    if len(raw) < 20:
        return None
    digits = sum(map(raw.count, "0123456789"))
    longest = max(map(len, raw.split()), default=0)
    if longest < 20 and digits < 12 and "\\" not in raw:
        return None  # too short for base64, too few digits for hex, no escapes: skip the scans
    for m in _B64.finditer(raw):
        chunk = m.group(0)
        if not (any(c.isdigit() or c in "+/" for c in chunk) or (any(c.isupper() for c in chunk)
                                                                   and any(c.islower() for c in chunk))):
            continue
        try:
            decoded = base64.b64decode(chunk + "=" * (-len(chunk) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if _readable(decoded):
            return Injection("encoded-base64", chunk[:40])
    for rx, name in ((_HEX, "encoded-hex"), (_ESCAPES, "encoded-escapes")):
        for m in rx.finditer(raw):
            hexdigits = re.sub(r"\\x|\\u|0x|[\s:]", "", m.group(0))
            try:
                decoded = bytes.fromhex(hexdigits[: len(hexdigits) // 2 * 2]).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                continue
            if _readable(decoded):
                return Injection(name, m.group(0)[:40])
    return None


def _readable(s: str) -> bool:
    if not s:
        return False
    printable = sum(1 for c in s if c.isprintable() or c in "\n\t")
    return printable / len(s) > 0.9 and len(_WORDS.findall(s)) >= 2
