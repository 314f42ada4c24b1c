"""Build the reply prompt: fixed instructions first (so the server's prompt cache reuses them), then the
facts, the product on screen, recent chat and the viewer's comment, each in its own delimited block, with
viewer text escaped so that it can never close a block or pose as an instruction."""

from __future__ import annotations

from collections.abc import Sequence

from agent.ports import ChatMessage
from agent.product import Product
from agent.prompts import PromptSet

LANGUAGE_NAMES = {"en": "English", "fr": "French", "zh": "Chinese (Simplified)", "es": "Spanish",
                  "de": "German", "it": "Italian", "pt": "Portuguese", "ja": "Japanese", "ko": "Korean"}

WORDS_PER_SECOND = {"zh": 4.0, "ja": 4.0, "ko": 3.0}


def escape_viewer_text(text: str, limit: int = 300) -> str:
    """Viewer text as inert data: no angle brackets (cannot open/close a block), no control characters."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    cleaned = cleaned.replace("<", "‹").replace(">", "›")
    return cleaned[:limit]


def max_words(seconds: float, language: str) -> int:
    return max(8, int(seconds * WORDS_PER_SECOND.get(language, 2.5)))


def system_prompt(prompts: PromptSet, host_name: str, shop_name: str, seconds: float,
                  on_screen: Product | None = None) -> str:
    """The fixed instructions, then the sheet of the product on screen.

    Both change rarely (the product with the script segment), so they form the prefix the LLM server keeps
    cached: a question about the product on screen then costs only its own few tokens. On a 2-core CPU a
    0.5B model reads about 100 prompt tokens a second, so this is the difference between 1 s and 3 s.
    """
    persona = prompts.render("persona.md", host_name=host_name, shop_name=shop_name)
    text = prompts.render("reply.md", persona=persona, max_words=max_words(seconds, "en"))
    if on_screen is not None:
        text += f"\n\n<facts_on_screen>\n{on_screen.sheet(text_limit=200, brief=True)}\n</facts_on_screen>"
    return text


def build_messages(
    prompts: PromptSet,
    *,
    host_name: str,
    shop_name: str,
    seconds: float,
    products: Sequence[Product],
    on_screen: Product | None,
    recent: Sequence[str],
    user: str,
    comment: str,
    language: str,
) -> list[ChatMessage]:
    # Only what the cached prefix does not already hold, and no empty blocks: every uncached token costs
    # ~10 ms on a 2-core CPU. The best match in full (description trimmed), the others as facts only; no
    # ids or SKUs. The facts come first, so the server's prompt cache can resume them for a product that was
    # asked about before (see agent/llm/llama_server.py).
    others = [p for p in products if on_screen is None or p.id != on_screen.id]
    facts = "\n\n".join(p.sheet(text_limit=200 if i == 0 else 0, brief=True) for i, p in enumerate(others))
    if not facts and not products:
        facts = "(no matching product)"
    recent_text = "\n".join(escape_viewer_text(r, 120) for r in recent[-3:])
    context = "".join([
        f"<facts>\n{facts}\n</facts>\n" if facts else "",
        f"<recent_chat>\n{recent_text}\n</recent_chat>\n" if recent_text else "",
    ])
    request = prompts.render(
        "request.md",
        context=context,
        facts=facts or "(the product on screen, above)",
        on_screen=on_screen.title if on_screen else "(none)",
        recent=recent_text or "(none)",
        user=escape_viewer_text(user, 40),
        language_name=LANGUAGE_NAMES.get(language, language),
        comment=escape_viewer_text(comment),
    )
    return [
        ChatMessage("system", system_prompt(prompts, host_name, shop_name, seconds, on_screen)),
        ChatMessage("user", request),
    ]
