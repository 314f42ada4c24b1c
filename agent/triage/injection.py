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

from agent.language import han_count
from agent.moderation.gate import GatedPatterns

_RULES: tuple[tuple[str, str], ...] = (
    # English
    ("ignore-instructions", r"\b(ignore|disregard|forget|skip|override|bypass)\b.{0,20}\b(previous|prior|above|earlier|"
     r"all|your|the|these|system|initial|original)\b.{0,20}\b(instructions?|prompts?|rules|directions|guidelines|"
     r"orders|context|programming)\b"),
    ("ignore-instructions", r"\b(forget|ignore|disregard|never ?mind)\b.{0,12}\b(what|everything|anything|all)\b.{0,6}"
     r"\b(they|you were|you've been|you have been|you got|i|we|the (shop|owner|boss|team))\b.{0,12}\b(told|said|"
     r"taught|given|instructed|programmed)"),
    ("ignore-instructions", r"\b(stop|quit) (following|obeying) (your|the|those|these) (rules|instructions|orders|"
     r"script|guidelines)\b"),
    ("tell-viewers", r"\b(tell|announce to|inform|let) (the )?(viewers|everyone|everybody|the chat|people|the audience|"
     r"all (the )?(viewers|buyers|customers)|chat)( know)?( that)? .{0,30}\b(is|are|costs?|for) (now |only |just )?"
     r"(free|for free|0|zero|1|one) ?(\$|€|eur|euros?|dollars?|cents?|yuan|bucks?)?\b(?!\s*\?)"),
    ("new-instructions", r"\b(new|updated|real|secret|hidden) (instructions?|system prompt|rules)\s*[:\-]"),
    ("you-are-now", r"\byou(?: are|'re| r) now (?:an? |the |my )?(?:\w+ ){0,2}?(?:ai|bot|assistant|model|character|"
     r"persona|dan|gpt|chatbot|version|mode|unrestricted|jailbroken|free to|allowed)\b"),
    ("from-now-on", r"\bfrom now on,? (you|u|the host) (are|will|must|should|have to|only)\b"),
    ("role-play", r"\bpretend (to be|you are|you're|that you)\b|\bact as (if you were|an? (ai|bot|assistant|"
     r"character|hacker|different|evil|unfiltered))\b|\brole[- ]?play\b|\blet'?s play a game where you\b"),
    ("jailbreak", r"\b(jailbreak|jailbroken|developer mode|dan mode|do anything now|god mode)\b"),
    ("system-tag", r"(^|[\n\[(<{|])\s*(system|sys|admin|administrator|developer|assistant|operator|moderator|mod|"
     r"staff|owner)\s*(message|prompt|note|notice|override|command)?\s*[:\]>)}]"),
    ("system-tag", r"<<\s*sys\s*>>|\[\s*/?\s*(sys|system|admin)\s*\]"),
    ("chat-markup", r"<\|?(im_start|im_end|system|endoftext)\|?>|\[/?inst\]|###\s*(instruction|system)"),
    ("reveal-prompt", r"\b(reveal|show|print|repeat|tell me|what (is|are)) (me )?(your|the) (system |initial |hidden )?"
     r"(prompt|instructions|rules you were given)\b"),
    ("say-free", r"\b(say|announce|tell (everyone|the chat|all viewers|all the viewers))( to everyone)?( that)? "
     r"(it'?s|it is|everything is|this is|the \w+ (is|are)|all \w+ (is|are)) (now )?(free|for free|free of charge|"
     r"0 ?(€|\$|eur|euros?|dollars?|yuan)|zero (euros?|dollars?))"),
    ("repeat-after-me", r"\b(repeat after me|say exactly|say the following|read this out loud|"
     r"say this word for word)\b"),
    ("repeat-after-me", r"\b(type|say|write|reply with|answer with|post|read out)\b.{0,40}\b(and nothing else"
                        r"|nothing else|"
     r"word for word|verbatim|exactly as written)\b|\b(only|just) (reply|answer|respond|say)( with)? [\"'“«]"),
    ("reveal-prompt", r"\b(repeat|print|show|output|copy) (the|your|all the) (text|words|message|lines|instructions) "
     r"(above|before this|you were given)\b|\bstarting (from|with) [\"'“«]you are\b"),
    ("say-price", r"\b(say|announce|tell (everyone|the chat|viewers|people))\b.{0,20}\b(the )?(price|prices|it"
                  r"|everything)"
     r"\b.{0,12}\b(is|are|dropped to|is now|are now|costs?) (now |only |just )?[$€£¥]?\s?\d"),
    ("authority", r"\b(i am|i'm|this is) (the )?(shop owner|store owner|owner of this shop|your boss|your manager|"
     r"platform staff|an admin|the admin|a moderator|your developer|tiktok staff|douyin staff)\b.{0,40}\b(you must|"
     r"i order you|i command you|you have to|stop|say|tell|announce)\b"),
    ("decode-and-do", r"\b(rot ?13|base ?64|decode|decrypt)\b.{0,30}\b(apply|follow|do|execute|run|obey|read)\b"),
    # French
    ("ignore-instructions", r"\b(ignore|oublie|oubliez|ignorez|zappe)\b.{0,25}\b(instructions?|consignes?|règles|"
     r"prompt|directives)\b"),
    ("ignore-instructions", r"\b(oublie|oubliez|ignore|ignorez|laisse tomber|ne tiens pas compte de)\b.{0,10}"
     r"\b(ce qu'on|tout ce qu'on|ce que (l'on|la boutique|le patron|ton patron)|tout ce qu)\b.{0,12}"
     r"\b(t'a|vous a|t'ont|vous ont|a) (dit|appris|demandé|programmé)"),
    ("tell-viewers", r"\b(dis|dites|annonce|annoncez|préviens|prévenez)(-leur| aux (viewers|spectateurs|gens|"
     r"acheteurs|clients)| à tout le monde| au chat| au public)? (que )?.{0,30}\b(est|sont|coûte|coutent|à) "
     r"(maintenant |désormais |seulement )?(gratuit|gratuite|gratuits|offert|0|1|un) ?(€|euros?|centimes?)?"
     r"\b(?!\s*\?)"),
    ("you-are-now", r"\b(tu es|vous êtes|t'es) (maintenant|désormais|à présent)\b"),
    ("from-now-on", r"\b(à partir de maintenant|désormais|dorénavant),? (tu|vous) "
     r"(dois|devez|vas|allez|es|êtes|réponds)\b"),
    ("role-play", r"\b(fais semblant|faites semblant|joue le rôle|jouez le rôle|imagine que tu es|"
     r"mets-toi dans la peau)\b"),
    ("say-free", r"\b(dis|dites|annonce|annoncez)(-leur| à tout le monde| aux gens)? que (c'est|tout est|"
     r"le \w+ est|la \w+ est|ce produit est|tout) (maintenant |désormais )?(gratuit|gratuite|offert|à 0 ?€)"),
    ("repeat-after-me", r"\b(répète après moi|répète exactement|dis exactement|lis ceci à voix haute)\b"),
    ("ignore-instructions", r"\b(efface|effacez|supprime|supprimez|annule|annulez|jette|jetez)\b.{0,15}\b(tes|vos|les"
                            r"|ton|"
     r"votre)\b.{0,10}\b(instructions?|consignes?|règles|directives|réglages|programmation)\b"),
    ("authority", r"\b(je suis|c'est) (le|la) (patron|patronne|gérant|gérante|propriétaire|admin|modérateur|"
     r"modératrice|responsable)\b.{0,40}\b(je t'ordonne|tu dois|annonce|dis|arrête)\b"),
    ("reveal-prompt", r"\b(montre|révèle|affiche|donne)[- ]moi (ton|tes|votre|vos) (prompt|instructions|consignes)\b"),
    ("new-instructions", r"\b(nouvelles? (instructions?|consignes?)|message système|note système)\s*[:\-]"),
    # Chinese
    ("ignore-instructions", r"(忽略|无视|忘记|忘掉|不要理会|不用理会|不用管|别管|不要管|甭管|跳过|抛开|丢掉|别理)"
     r"[^，。！？,.!?]{0,8}(指令|指示|提示词?|规则|设定|要求|命令|人设|说明|安排|剧本)"),
    ("tell-viewers", r"(告诉|通知|宣布|跟|对|给)(一下)?(大家|所有人|观众|粉丝|直播间|家人们|宝宝们|朋友们)(说)?"
     r"[^？?吗么]{0,12}(全场|所有|全部|这个|这款|都|只要|仅需|只需|一律)[^？?吗么]{0,6}"
     r"(免费|白送|不要钱|0元|零元|一元|1元|一块|1块|一毛|1毛)(?![^，。！]{0,3}(吗|么|嘛|\?|？))"),
    ("tell-viewers", r"(告诉|通知|宣布|跟|对|给)(一下)?(大家|所有人|观众|粉丝|直播间|家人们|宝宝们|朋友们)(说)?"
     r"[^？?吗么]{0,12}(只要|仅需|只需|才|就|一律|全场)\s?[0-9零一二三四五六七八九十百两]+\s?(块|元|毛)"
     r"(?![^，。！]{0,3}(吗|么|嘛|\?|？))"),
    ("say-price", r"(现在|马上|直接|立刻)?(说|讲|报价|改口说)[^？?吗么]{0,10}(只要|仅需|只需|就|才)"
     r"\s?[0-9一二三两]\s?(块|元|毛)(钱)?(?![^，。！]{0,3}(吗|么|嘛|\?|？))"),
    ("you-are-now", r"(你现在是|从现在(开始|起)你(是|要|必须|只能)|你的新身份)"),
    ("role-play", r"(扮演|假装你是|角色扮演|你来演|模仿一个)"),
    ("system-tag", r"(^|[\n【\[(（<])\s*(系统|管理员|开发者|官方|平台|运营|店长|老板)(消息|提示|通知|指令|公告)?\s*"
     r"[:：】\])）>]"),
    ("say-free", r"(说|宣布|告诉大家|跟大家说)(一下)?(这个|它|所有|全部)?(东西|商品|产品|衣服)?(是|都是|现在)?"
     r"(免费|不要钱|0元|零元|白送)(的)?(?!吗|么|嘛|\?|？)"),
    ("repeat-after-me", r"(跟我说|跟着我说|重复我的话|照着念|一字不差地说|原封不动|逐字|一字不改|只回复|只说一句|照读|"
     r"读出来[:：]|念出来[:：]|别的都不要说|其他都别说)"),
    ("ignore-instructions", r"(指令|指示|提示词?|规则|设定|要求|命令|人设|剧本)[^，。！？,.!?]{0,6}"
     r"(都不用管|不用管|别管|不要管|作废|无效|不算数|全部忽略|忽略掉)"),
    ("authority", r"我是(这家店的)?(店长|老板|店主|管理员|运营|平台|官方|房管|场控)[^。！？]{0,20}(命令你|要求你"
                  r"|你必须|你要|"
     r"告诉大家|马上说|立刻说)"),
    ("decode-and-do", r"(解码|解密|base64|rot13)[^。！？]{0,8}(照做|执行|照着做|读出来|念出来|说出来)"),
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
    """Decoded bytes that read as text: mostly printable, with words (Latin) or a run of Chinese characters."""
    if not s:
        return False
    printable = sum(1 for c in s if c.isprintable() or c in "\n\t")
    han = han_count(s)
    return printable / len(s) > 0.9 and (len(_WORDS.findall(s)) >= 2 or han >= 4)
