"""The live banned-topic set: loaded from a folder of TOML files, reloaded when they change, versioned.

A moderator's edit goes live at the next poll only if the whole set validates; otherwise the reason is kept
in :attr:`TopicStore.last_error` and the previous version stays live. Every accepted version is copied to
``<data_dir>/banned_topics_history/<version>/`` so that :meth:`TopicStore.rollback` can restore it. All
writes go to a temporary name first and are renamed into place, so no reader ever sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from agent.errors import ConfigError
from agent.moderation.matcher import Match, TopicMatcher
from agent.moderation.normalize import Normalizer, Unmasker
from agent.moderation.pinyin import PinyinTable
from agent.moderation.semantic import TopicMeaning
from agent.moderation.topics import NAME, Topic, TopicError, parse_topic
from agent.moderation.wording import ShopWording
from agent.ports import Clock, Vector
from agent.toolbox.files import FileHistory, atomic_write
from agent.vectors import PhraseVectors

log = logging.getLogger(__name__)
HISTORY = "banned_topics_history"  # accepted sets, by version (``topics history|rollback``)
PROMPT_HISTORY = "prompt_history"  # replaced copies of single files, shared with the console


@dataclass(frozen=True, slots=True)
class TopicSet:
    """One immutable version of the rules, compiled for comments and for the host's own output.

    ``meaning`` is the semantic layer (None when the store was built without an embedder): it reads a text's
    vector, so it is used where a comment is about to be answered or shown, not on every event.
    """

    version: str
    digest: str
    topics: tuple[Topic, ...]
    files: Mapping[str, str]
    comments: TopicMatcher
    output: TopicMatcher
    meaning: TopicMeaning | None = None
    unmask: Unmasker = Unmasker(())


@dataclass(frozen=True, slots=True)
class VersionInfo:
    version: str
    digest: str
    accepted_at: float
    files: tuple[str, ...]
    live: bool = False


class TopicStore:
    """Owns the live :class:`TopicSet`. Call :meth:`maybe_reload` often (cheap) or run :meth:`watch`."""

    def __init__(
        self,
        topics_dir: Path,
        data_dir: Path,
        clock: Clock,
        *,
        poll_s: float = 2.0,
        normalizer: Normalizer | None = None,
        pinyin: PinyinTable | None = None,
        vectors: PhraseVectors | None = None,
        negatives: Sequence[str] = (),
        embedding_threshold: float = 0.15,
        files: FileHistory | None = None,
    ) -> None:
        """``vectors`` (an embedder with its phrase cache) turns the semantic layer on; ``negatives`` are
        extra phrases that must not match (the shop's ordinary questions); ``embedding_threshold`` is the
        margin for topics whose file sets none. ``files`` keeps the replaced copy of each file an edit or a
        rollback overwrites, in the same history the console keeps (default ``<data_dir>/prompt_history``)."""
        self.dir = Path(topics_dir)
        self.history_dir = Path(data_dir) / HISTORY
        self.files = files if files is not None else FileHistory(Path(data_dir) / PROMPT_HISTORY)
        self.clock = clock
        self.poll_s = poll_s
        self.normalizer = normalizer or Normalizer()
        self.pinyin = pinyin or PinyinTable()
        self.vectors = vectors
        self.negatives = tuple(negatives)
        self.embedding_threshold = embedding_threshold
        self.last_error: str | None = None
        self.shop = ShopWording()
        self._signature: tuple[tuple[str, int, int], ...] = ()
        self._next_poll = clock.now() + poll_s
        self._live = self._accept(self._build(self._read_dir()))
        self._signature = self._scan()

    # -- reading ------------------------------------------------------------------------------------

    @property
    def live(self) -> TopicSet:
        return self._live

    @property
    def version(self) -> str:
        return self._live.version

    def match(self, text: str) -> Match | None:
        """Check a viewer's comment against the live rules."""
        return self._live.comments.match(text, self.shop)

    def check_output(self, text: str) -> Match | None:
        """Check what the host is about to say against the same lists (topics scoped to "output")."""
        return self._live.output.match(text, self.shop)

    def use_shop_wording(self, texts: Iterable[str]) -> None:
        """The catalog's titles and sheets (at start and after each sync): a sound-alike of a list word that
        the shop itself writes is its word, not a trick (:mod:`wording`)."""
        self.shop = ShopWording(texts, self.normalizer)

    def unmask(self, text: str) -> str:
        """Masked letters read back as the words of the live lists they hide ("b*mb" -> "bomb")."""
        return self._live.unmask(text)

    def meaning(self, vec: Vector) -> Match | None:
        """The semantic layer's verdict on a text's vector (None when off or nothing is close enough)."""
        m = self._live.meaning
        return None if m is None else m.match(vec)

    # -- live reload --------------------------------------------------------------------------------

    def maybe_reload(self) -> bool:
        """Reload if ``poll_s`` has passed on the clock and the files changed. True if a new version is live."""
        now = self.clock.now()
        if now < self._next_poll:
            return False
        self._next_poll = now + self.poll_s
        return self.reload()

    def reload(self) -> bool:
        sig = self._scan()
        if sig == self._signature:
            return False
        self._signature = sig
        try:
            files = self._read_dir()
            candidate = self._build(files)
        except (ConfigError, OSError) as exc:
            self.last_error = str(exc)
            log.warning("banned topics edit rejected; previous version stays live",
                        extra={"error": str(exc), "version": self._live.version})
            return False
        self.last_error = None
        if candidate.digest == self._live.digest:
            return False
        self._live = self._accept(candidate)
        log.info("banned topics reloaded", extra={"version": self._live.version})
        return True

    async def watch(self) -> None:
        """Poll forever on the injected clock."""
        while True:
            await self.clock.sleep(self.poll_s)
            self._next_poll = 0.0
            self.maybe_reload()

    # -- moderator actions --------------------------------------------------------------------------

    def propose(self, name: str, text: str) -> TopicSet:
        """Validate the set with ``name.toml`` replaced by ``text``; only then write it and make it live."""
        files = dict(self._live.files)
        files[name] = text
        candidate = self._build(files)
        self._write(name, text)
        self._live = self._accept(candidate)
        self._signature = self._scan()
        self.last_error = None
        return self._live

    def history(self) -> list[VersionInfo]:
        """Every accepted version, oldest first; ``live`` marks the one in force."""
        return [replace(v, live=v.version == self._live.version) for v in self._versions()]

    def _versions(self) -> list[VersionInfo]:
        out: list[VersionInfo] = []
        if not self.history_dir.is_dir():
            return out
        for d in sorted(self.history_dir.iterdir()):
            meta = d / "meta.json"
            if d.name.startswith(".") or not meta.is_file():
                continue
            m = json.loads(meta.read_text(encoding="utf-8"))
            out.append(VersionInfo(m["version"], m["digest"], float(m["accepted_at"]), tuple(m["files"])))
        return out

    def rollback(self, version: str) -> TopicSet:
        """Restore an accepted version into the topics folder and make it live."""
        src = self.history_dir / version
        if not (src / "meta.json").is_file():
            known = ", ".join(v.version for v in self._versions()) or "none"
            raise ConfigError(f"{self.history_dir}: no version '{version}' (known: {known})")
        files = {p.stem: p.read_text(encoding="utf-8") for p in sorted(src.glob("*.toml"))}
        candidate = self._build(files)
        for name, text in files.items():
            self._write(name, text)
        for p in self.dir.glob("*.toml"):
            if p.stem not in files:
                self.files.archive_file(f"{self.dir.name}/{p.name}", p, b"")
                p.unlink()
        self._live = self._accept(candidate)
        self._signature = self._scan()
        self.last_error = None
        log.info("banned topics rolled back", extra={"version": self._live.version})
        return self._live

    # -- internals ----------------------------------------------------------------------------------

    def _write(self, name: str, text: str) -> None:
        path = self.dir / f"{name}.toml"
        self.files.archive_file(f"{self.dir.name}/{path.name}", path, text.encode("utf-8"))
        atomic_write(path, text)

    def _scan(self) -> tuple[tuple[str, int, int], ...]:
        if not self.dir.is_dir():
            return ()
        out = []
        for p in sorted(self.dir.glob("*.toml")):
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            out.append((p.name, st.st_mtime_ns, st.st_size))
        return tuple(out)

    def _read_dir(self) -> dict[str, str]:
        if not self.dir.is_dir():
            raise ConfigError(f"{self.dir}: banned topics folder not found")
        return {p.stem: p.read_text(encoding="utf-8") for p in sorted(self.dir.glob("*.toml"))}

    def _build(self, files: Mapping[str, str]) -> TopicSet:
        topics = []
        for name in sorted(files):
            if not NAME.match(name):
                raise TopicError(str(self.dir / f"{name}.toml"), None, "bad file name")
            topics.append(parse_topic(name, files[name], str(self.dir / f"{name}.toml")))
        digest = _digest(files)
        return TopicSet(
            version="",
            digest=digest,
            topics=tuple(topics),
            files=dict(files),
            comments=self._matcher(topics, "comments"),
            output=self._matcher(topics, "output"),
            meaning=None if self.vectors is None else TopicMeaning(
                [t for t in topics if "comments" in t.scope], self.vectors, negatives=self.negatives,
                default=self.embedding_threshold),
            unmask=Unmasker(kw for t in topics if t.blocks and "comments" in t.scope for _, kw in t.keywords),
        )

    def _matcher(self, topics: list[Topic], scope: str) -> TopicMatcher:
        return TopicMatcher(topics, self.normalizer, self.pinyin, scope=scope)

    def _accept(self, ts: TopicSet) -> TopicSet:
        """Give ``ts`` a version and keep a copy in the history (reusing the version of identical content)."""
        known = self._versions()
        for v in known:
            if v.digest == ts.digest:
                return _with_version(ts, v.version)
        seq = len(known) + 1
        version = f"{seq:04d}-{ts.digest[:10]}"
        self.history_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.history_dir / f".tmp-{version}"
        tmp.mkdir(exist_ok=True)
        for name, text in ts.files.items():
            atomic_write(tmp / f"{name}.toml", text)
        meta = {"version": version, "digest": ts.digest, "accepted_at": self.clock.now(), "files": sorted(ts.files)}
        atomic_write(tmp / "meta.json", json.dumps(meta, ensure_ascii=False, indent=1))
        os.replace(tmp, self.history_dir / version)
        return _with_version(ts, version)


def _with_version(ts: TopicSet, version: str) -> TopicSet:
    return replace(ts, version=version)


def _digest(files: Mapping[str, str]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return h.hexdigest()
