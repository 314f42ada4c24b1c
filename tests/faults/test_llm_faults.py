"""The LLM fails while a viewer waits for an answer: the show goes on and the viewer hears the sheet's own words.

Each fault of a real OpenAI-compatible server (testkit/scripted_llm.py) put on the reply's path: the port refuses
connections, an HTTP 500, a stream that is not JSON, the connection dropped mid-stream, a model that never
answers (given up after ``reply.paraphrase_timeout_s`` on the virtual clock). For each: the reply names the viewer
and says the fact from the sheet, whole; the script plays on after it; the failure is logged and counted
(``livehost_llm_errors_total``)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agent.llm.client import OpenAiLlm
from testkit.scripted_llm import Script, ScriptedLlmServer
from tests.faults.kit import FACT, HEAD, fault_settings, play, write_chat

FAULTS = {  # fault -> (what the server does, the error kind counted)
    "refused": (None, "APIConnectionError"),
    "http_500": (Script(status=500), "InternalServerError"),
    "garbage": (Script(garbage=True), "JSONDecodeError"),
    "dropped_mid_stream": (Script(["It is made ", "of 100% ", "Mongolian cashmere."], drop_after=1),
                           "APIConnectionError"),
    "hangs": (Script(["too late"], first_token_delay=3600.0), "timeout"),
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("faults-data")  # the catalog is embedded once for the module


@pytest.fixture
async def server() -> AsyncIterator[ScriptedLlmServer]:
    srv = ScriptedLlmServer()
    await srv.start()
    try:
        yield srv
    finally:
        await srv.stop()


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_a_failing_llm_leaves_the_fact_from_the_sheet_and_the_show_goes_on(
        fault: str, data_dir: Path, tmp_path: Path, server: ScriptedLlmServer,
        caplog: pytest.LogCaptureFixture) -> None:
    script, kind = FAULTS[fault]
    if script is None:
        await server.stop()  # nothing listens on the port any more
    else:
        server.push(script)
    llm = OpenAiLlm(server.base_url, "scripted")
    caplog.set_level(logging.INFO, logger="agent")
    try:
        # a model that never answers must not hold virtual time: the paraphrase timeout is on the show's clock
        played = await play(fault_settings(data_dir), write_chat(tmp_path), 40.0, llm=llm, llm_busy=fault != "hangs")
    finally:
        await llm.aclose()
    reply = played.reply_to("ana")
    assert reply.text == f"{HEAD} {FACT}" and not reply.interrupted
    assert len(played.script_after(reply.end)) >= 2
    skipped = [r for r in caplog.records if r.getMessage() == "paraphrase skipped"]
    assert skipped and all(getattr(r, "error", "") for r in skipped)
    assert played.counted("llm_errors", kind=kind) == 1
    if fault == "hangs":
        assert reply.end - reply.start >= 6.0  # the sheet's words came after the 6 s paraphrase timeout
