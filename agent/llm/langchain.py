"""Any chat model LangChain can build, behind the :class:`agent.ports.Llm` port.

``llm.provider = "langchain"`` with ``llm.model = "<provider>:<model>"`` as ``init_chat_model`` takes it
(``anthropic:claude-...``, ``google_genai:gemini-...``, ``ollama:qwen2.5:7b``, ``openai:gpt-4o-mini`` or any
OpenAI-compatible server with ``llm.base_url``). LangChain is imported when the adapter is built, never before.

The port's contract holds: text deltas stream as they come; closing the iterator (an interrupt) closes the
provider's stream, so it stops generating; the first token and the whole stream each have a deadline on the
injected clock (virtual time in tests and rehearsals); errors become :class:`agent.errors.LlmError` (retryable:
network, timeouts, rate limits, server errors) or :class:`agent.errors.LlmRefused` (authentication, permission,
unknown model, bad request: fatal, but still an ``LlmError`` so that a reply falls back on the sheet's words).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from agent.clock import timeout
from agent.errors import ConfigError, LlmError, LlmRefused
from agent.ports import ChatMessage, Clock
from agent.settings import LlmSettings

log = logging.getLogger(__name__)

REFUSED_STATUS = frozenset({400, 401, 403, 404, 405, 413, 422})  # the request itself is wrong: retrying won't help
INSTALL_HINT = "pip install -e '.[langchain]' (and the provider's package, e.g. langchain-anthropic)"


def split_model(model: str) -> tuple[str, str]:
    """``"ollama:qwen2.5:7b"`` -> ``("ollama", "qwen2.5:7b")``: the provider is what comes before the first colon."""
    provider, _, name = model.partition(":")
    if not provider or not name:
        raise ConfigError(f"llm.model '{model}': write '<provider>:<model>' (e.g. 'anthropic:claude-sonnet-4-5')")
    return provider.strip().replace("-", "_").lower(), name.strip()


def model_kwargs(provider: str, *, base_url: str, api_key: str, temperature: float, max_tokens: int,
                 timeout_s: float) -> dict[str, Any]:
    """What ``init_chat_model`` is given besides the model: the settings each provider knows by its own name.
    Retries are the show's business (never the client's: a retried request would answer a stale question)."""
    kw: dict[str, Any] = {"temperature": temperature}
    if base_url:
        kw["base_url"] = base_url
    if api_key:
        kw["api_key"] = api_key
    if provider in ("openai", "azure_openai", "anthropic", "deepseek", "xai", "groq"):
        kw |= {"max_retries": 0, "timeout": timeout_s}
        if provider == "openai" and base_url and not api_key:
            kw["api_key"] = "not-needed"  # a local OpenAI-compatible server; the client insists on a key
    elif provider in ("google_genai", "google_vertexai"):
        kw |= {"max_retries": 0, "timeout": timeout_s}
    elif provider == "ollama":
        kw["num_predict"] = max_tokens  # Ollama takes its token cap at construction only
    return kw


def call_kwargs(provider: str, base_url: str, max_tokens: int) -> dict[str, Any]:
    """The per-call token cap, by the name the provider reads it under."""
    if provider == "openai" and base_url:
        # an OpenAI-compatible server: llama.cpp's ignores max_completion_tokens (what LangChain sends)
        return {"extra_body": {"max_tokens": max_tokens}}
    if provider in ("google_genai", "google_vertexai"):
        return {"max_output_tokens": max_tokens}
    if provider == "ollama":
        return {}
    return {"max_tokens": max_tokens}


def to_messages(messages: Sequence[ChatMessage]) -> list[Any]:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds.get(m.role, HumanMessage)(content=m.content) for m in messages]


def map_error(exc: BaseException, what: str) -> LlmError:
    """A provider's exception as the project's: refused (fatal) when the provider says the request is wrong."""
    status = getattr(exc, "status_code", None)
    if status is None:
        status = getattr(getattr(exc, "response", None), "status_code", None)
    text = f"{what}: {type(exc).__name__}: {exc}"
    if isinstance(status, int) and status in REFUSED_STATUS:
        return LlmRefused(text)
    return LlmError(text)


class LangChainLlm:
    """Implements :class:`agent.ports.Llm` over a LangChain chat model (``BaseChatModel``)."""

    def __init__(self, model: Any, clock: Clock, *, provider: str = "", base_url: str = "",
                 timeout_s: float = 20.0, first_token_timeout_s: float = 10.0, name: str = "") -> None:
        self.model = model
        self.provider = provider
        self.base_url = base_url
        self.name = name or type(model).__name__
        self._clock = clock
        self._timeout_s = timeout_s
        self._first_token_s = first_token_timeout_s

    @classmethod
    def from_settings(cls, s: LlmSettings, clock: Clock, api_key: str = "") -> LangChainLlm:
        provider, name = split_model(s.model)
        try:
            from langchain.chat_models import init_chat_model
        except ImportError as exc:
            raise ConfigError(f"llm.provider = 'langchain' needs LangChain: {INSTALL_HINT}") from exc
        kw = model_kwargs(provider, base_url=s.base_url, api_key=api_key, temperature=s.temperature,
                          max_tokens=s.max_tokens, timeout_s=s.timeout_s)
        try:
            model = init_chat_model(name, model_provider=provider, **kw)
        except ImportError as exc:  # the provider's package is not installed
            raise ConfigError(f"llm.model '{s.model}': {exc}") from exc
        except Exception as exc:  # unknown provider, or its client refused the settings (e.g. no API key)
            raise ConfigError(f"llm.model '{s.model}': {type(exc).__name__}: {exc}") from exc
        return cls(model, clock, provider=provider, base_url=s.base_url, timeout_s=s.timeout_s,
                   first_token_timeout_s=s.first_token_timeout_s, name=s.model)

    async def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> AsyncIterator[str]:
        chunks = self.model.astream(to_messages(messages), **call_kwargs(self.provider, self.base_url, max_tokens))
        start = self._clock.now()
        deadline, first_deadline = start + self._timeout_s, start + self._first_token_s
        first = True
        try:
            while True:
                waiting_first = first and first_deadline < deadline
                until = first_deadline if waiting_first else deadline
                try:
                    async with timeout(self._clock, max(0.0, until - self._clock.now())):
                        chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    if waiting_first:
                        raise LlmError(f"LLM: no first token within {self._first_token_s:g} s") from None
                    raise LlmError(f"LLM: stream not finished within {self._timeout_s:g} s") from None
                except Exception as exc:  # any provider's error, mapped at the port
                    raise map_error(exc, "LLM request failed" if first else "LLM stream failed") from exc
                text = _text(chunk)
                if text:
                    first = False
                    yield text
        finally:
            await _close(chunks)

    async def aclose(self) -> None:
        """LangChain's clients hold no connection we own beyond the model's lifetime; nothing to close here."""


def _text(chunk: Any) -> str:
    """A chunk's text: a string, or the text blocks of a list of content blocks (Anthropic, Gemini)."""
    content = getattr(chunk, "content", chunk)
    if isinstance(content, str):
        return content
    try:
        return str(chunk.text)
    except AttributeError:
        return ""


async def _close(chunks: Any) -> None:
    """Close the provider's stream (an interrupt, a timeout, the end): its HTTP response is closed with it."""
    try:
        await chunks.aclose()
    except Exception as exc:  # closing must never mask why the stream ended
        log.debug("LLM stream close failed", extra={"error": f"{type(exc).__name__}: {exc}"})
