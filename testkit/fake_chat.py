"""LangChain chat models for tests of the LangChain path (needs the langchain extra): one that hangs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult


class HangingChatModel(BaseChatModel):
    """A provider that accepts the request and never sends a token (pure asyncio: no thread, no socket, so
    virtual time moves past it). ``started`` counts the requests."""

    started: int = 0

    @property
    def _llm_type(self) -> str:
        return "hanging"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                  **kwargs: Any) -> ChatResult:
        raise NotImplementedError("streams only")

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        self.started += 1
        await asyncio.Event().wait()
        yield  # type: ignore[misc]  # never reached: makes this an async generator
