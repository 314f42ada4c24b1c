"""The eval with a stronger OpenAI-compatible model configured instead of the embedded one.

The model is the scripted server (testkit/scripted_llm.py) standing in for a capable provider: asked to
rephrase a sheet fact, it answers with that fact, faithfully. The catalog and questions are the Chinese
development shop (evals/dev/zh_dev: CNY, variants, stock), not a held-out set.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agent.app.commands import eval_shop
from agent.app.evaluate import load_cases
from agent.settings import load_settings
from testkit.scripted_llm import Script, ScriptedLlmServer

FACT = re.compile(r"Fact: (.*)\n", re.S)


def faithful_model(body: dict[str, Any]) -> Script | None:
    """A model that rewrites the fact it is given into one sentence with nothing added or left out."""
    match = FACT.search(body["messages"][-1]["content"])
    if match is None:
        return None
    fact = match.group(1).strip()
    return Script([fact if fact.endswith(("。", ".", "!", "！")) else fact + "。"])


@pytest.fixture
async def strong() -> AsyncIterator[ScriptedLlmServer]:
    server = ScriptedLlmServer(responder=faithful_model)
    await server.start()
    yield server
    await server.stop()


async def test_the_eval_passes_as_well_with_a_stronger_model_as_with_the_sheet_alone(
        strong: ScriptedLlmServer, repo_root: Path, tmp_path: Path) -> None:
    shop = repo_root / "evals" / "dev" / "zh_dev"
    cases = load_cases(shop / "questions.jsonl")[:16]

    def settings(**over: Any) -> Any:
        return load_settings(repo_root / "settings.toml", overrides={"show.data_dir": str(tmp_path / "data"), **over})

    _, alone = await eval_shop(settings(**{"reply.paraphrase": "never", "llm.base_url": strong.base_url}), cases,
                               str(shop / "catalog.json"))
    _, with_model = await eval_shop(settings(**{"reply.paraphrase": "always", "llm.base_url": strong.base_url}),
                                    cases, str(shop / "catalog.json"))
    assert with_model["sources"].get("llm", 0) > 0, with_model["sources"]
    assert with_model["passed"] >= alone["passed"]
    assert with_model["wrong_claims_spoken"] == 0 and with_model["broken_replies"] == 0
    assert with_model["llm_fact_accuracy"] is not None
