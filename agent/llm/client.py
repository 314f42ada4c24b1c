"""An OpenAI-API chat client that streams text deltas; works with OpenAI, DeepSeek, Qwen, vLLM, Ollama and
llama.cpp by configuration. Closing the iterator (an interrupt) closes the HTTP stream, so the server stops
generating. Whatever goes wrong on the way (refused, HTTP error, a dropped connection, a stream that is not
JSON) is an :class:`LlmError`, which every caller turns into the sheet's own words."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from agent.errors import LlmError
from agent.ports import ChatMessage


class OpenAiLlm:
    """Implements :class:`agent.ports.Llm` with the ``openai`` package.

    ``max_tokens`` goes in ``extra_body`` as well: llama.cpp's server ignores ``max_completion_tokens``.
    ``seed`` (sent with every request when set) makes sampling repeatable: the same prompt from the same
    server state gets the same reply (benchmarks compare two runs of one reply).
    """

    def __init__(self, base_url: str, model: str, api_key: str = "", temperature: float = 0.3,
                 timeout_s: float = 30.0, seed: int | None = None) -> None:
        from openai import AsyncOpenAI

        self.base_url = base_url
        self.model = model
        self._temperature = temperature
        self._extra: dict[str, Any] = {} if seed is None else {"seed": seed}
        self._client = AsyncOpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s,
                                   max_retries=0)

    async def stream(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> AsyncIterator[str]:
        import httpx
        import openai

        payload: list[Any] = [{"role": m.role, "content": m.content} for m in messages]
        try:
            stream = await self._client.chat.completions.create(
                model=self.model,
                messages=payload,
                stream=True,
                temperature=self._temperature,
                extra_body={"max_tokens": max_tokens, **self._extra},
            )
        except openai.OpenAIError as exc:
            raise LlmError(f"LLM request failed: {type(exc).__name__}: {exc}") from exc
        try:
            async for chunk in stream:
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta.content
                if delta:
                    yield delta
        except (openai.OpenAIError, httpx.HTTPError, ValueError) as exc:  # ValueError: a chunk that is not JSON
            raise LlmError(f"LLM stream failed: {type(exc).__name__}: {exc}") from exc
        finally:
            await stream.close()

    async def ping(self, timeout_s: float = 2.0) -> None:
        """A cheap probe (``GET /models``, no generation): raises :class:`LlmError` when the server cannot be
        reached, refuses the key or fails. A server without ``/models`` (404) answered, which is enough."""
        import openai

        try:
            await self._client.with_options(timeout=timeout_s).models.list()
        except openai.NotFoundError:
            return
        except openai.OpenAIError as exc:
            raise LlmError(f"LLM probe failed: {type(exc).__name__}") from exc

    async def aclose(self) -> None:
        await self._client.close()
