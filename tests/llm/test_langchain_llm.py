"""Any chat model through LangChain behind the Llm port: the real OpenAI wire protocol against the scripted
server (``openai:<model>`` with a base_url), cancellation that stops the provider, deadlines on virtual time,
errors mapped to retryable and fatal, and the settings that select it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import pytest

pytest.importorskip("langchain", reason="the langchain extra is not installed: pip install -e '.[langchain]'")
pytest.importorskip("langchain_openai", reason="the langchain extra is not installed: pip install -e '.[langchain]'")

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel  # noqa: E402
from langchain_core.messages import AIMessage, BaseMessage  # noqa: E402
from langchain_core.outputs import ChatGenerationChunk  # noqa: E402

from agent.clock import LoopClock, VirtualClock  # noqa: E402
from agent.errors import ConfigError, FatalError, LlmError, LlmRefused  # noqa: E402
from agent.llm.langchain import LangChainLlm, split_model  # noqa: E402
from agent.ports import ChatMessage, Llm  # noqa: E402
from agent.settings import LlmSettings, load_settings  # noqa: E402
from testkit.fake_chat import HangingChatModel  # noqa: E402
from testkit.scripted_llm import Script, ScriptedLlmServer  # noqa: E402

ASK = [ChatMessage("system", "You are a host."), ChatMessage("user", "Say hello.")]


@pytest.fixture
async def server() -> AsyncIterator[ScriptedLlmServer]:
    s = ScriptedLlmServer()
    await s.start()
    try:
        yield s
    finally:
        await s.stop()


def _openai(server: ScriptedLlmServer, **kw: Any) -> LangChainLlm:
    s = LlmSettings(provider="langchain", model="openai:scripted", base_url=server.base_url, **kw)
    return LangChainLlm.from_settings(s, LoopClock())


async def _all(llm: Llm, max_tokens: int = 60) -> list[str]:
    return [t async for t in llm.stream(ASK, max_tokens=max_tokens)]


async def test_a_fake_chat_model_streams_its_reply_as_text_deltas() -> None:
    fake = GenericFakeChatModel(messages=iter([AIMessage(content="Hello there, viewers!")]))
    llm = LangChainLlm(fake, LoopClock())
    assert isinstance(llm, Llm)
    deltas = await _all(llm)
    assert len(deltas) > 1 and "".join(deltas) == "Hello there, viewers!"


async def test_openai_through_langchain_speaks_the_real_wire_protocol(server: ScriptedLlmServer) -> None:
    server.say("Hello from the scripted server.")
    deltas = await _all(_openai(server, temperature=0.2), max_tokens=42)
    assert "".join(deltas) == "Hello from the scripted server." and len(deltas) == 5
    body = server.records[0].body
    assert body["stream"] is True and body["model"] == "scripted" and body["temperature"] == 0.2
    assert body["max_tokens"] == 42  # llama.cpp's server reads max_tokens, not max_completion_tokens
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


async def test_closing_the_stream_mid_reply_stops_the_provider(server: ScriptedLlmServer) -> None:
    server.push(Script([f"tok{i} " for i in range(200)], token_delay=0.02))
    stream = _openai(server).stream(ASK, max_tokens=200)
    assert isinstance(stream, AsyncGenerator)
    first = await anext(stream)
    await stream.aclose()  # an interrupt
    for _ in range(500):  # the server notices the hang-up within its next token
        if server.records[0].disconnected:
            break
        await asyncio.sleep(0.01)
    record = server.records[0]
    assert first == "tok0 " and record.disconnected and not record.finished and record.tokens_sent < 200


async def test_a_hanging_model_times_out_on_virtual_time() -> None:
    clock = VirtualClock()
    driver = asyncio.ensure_future(clock.run())
    model = HangingChatModel()
    llm = LangChainLlm(model, clock, timeout_s=120.0, first_token_timeout_s=30.0)
    try:
        with pytest.raises(LlmError, match="no first token within 30 s") as err:
            await _all(llm)
    finally:
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)
    assert err.value.retryable and model.started == 1 and clock.now() >= 30.0


async def test_a_slow_stream_is_cut_at_the_whole_reply_deadline_on_virtual_time() -> None:
    clock = VirtualClock()
    driver = asyncio.ensure_future(clock.run())

    class Trickle(HangingChatModel):
        async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                           run_manager: Any = None, **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
            from langchain_core.messages import AIMessageChunk

            while True:
                yield ChatGenerationChunk(message=AIMessageChunk(content="la "))
                await clock.sleep(5.0)

    got: list[str] = []
    try:
        with pytest.raises(LlmError, match="not finished within 20 s"):
            async for t in LangChainLlm(Trickle(), clock, timeout_s=20.0, first_token_timeout_s=10.0).stream(
                    ASK, max_tokens=60):
                got.append(t)
    finally:
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)
    assert 3 <= len(got) <= 5 and 20.0 <= clock.now() < 25.0


async def test_a_server_error_is_retryable(server: ScriptedLlmServer) -> None:
    server.push(Script(status=503))
    with pytest.raises(LlmError) as err:
        await _all(_openai(server))
    assert err.value.retryable and not isinstance(err.value, FatalError)


async def test_a_refused_request_is_fatal_but_still_an_llm_error(server: ScriptedLlmServer) -> None:
    server.push(Script(status=401))
    with pytest.raises(LlmRefused) as err:
        await _all(_openai(server))
    assert isinstance(err.value, FatalError) and isinstance(err.value, LlmError) and not err.value.retryable


def test_the_model_is_named_provider_colon_model() -> None:
    assert split_model("ollama:qwen2.5:7b") == ("ollama", "qwen2.5:7b")
    assert split_model("google-genai:gemini-2.5-flash") == ("google_genai", "gemini-2.5-flash")
    with pytest.raises(ConfigError):
        load_settings(overrides={"llm.provider": "langchain", "llm.model": "gpt-4o"})


def test_a_provider_whose_package_is_missing_or_unknown_stops_at_start() -> None:
    with pytest.raises(ConfigError, match="nosuch"):
        LangChainLlm.from_settings(LlmSettings(provider="langchain", model="nosuch:model"), LoopClock())
    missing = next((p for p, pkg in (("anthropic", "langchain_anthropic"), ("groq", "langchain_groq"),
                                     ("mistralai", "langchain_mistralai")) if not _installed(pkg)), None)
    if missing is not None:
        with pytest.raises(ConfigError, match="pip install"):
            LangChainLlm.from_settings(LlmSettings(provider="langchain", model=f"{missing}:some-model"), LoopClock())


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


async def test_the_app_opens_the_langchain_llm_and_lets_it_rephrase(server: ScriptedLlmServer) -> None:
    from agent.app.compose import open_llm, paraphrase_policy

    settings = load_settings(overrides={"llm.provider": "langchain", "llm.model": "openai:scripted",
                                        "llm.base_url": server.base_url})
    assert not settings.llm.embedded_server and paraphrase_policy(settings) == "other-language"
    server.say("Bonjour !")
    async with open_llm(settings, LoopClock()) as llm:
        assert isinstance(llm, LangChainLlm)
        assert "".join(await _all(llm)) == "Bonjour !"
