"""``kill -9`` at a random moment loses nothing that was acknowledged and leaves nothing half-written.

A child process does what the console does on each save, in a loop: it appends an audit record, archives the
file's current copy in :class:`FileHistory` and replaces the file with :func:`atomic_write`; then it prints
``ok N ID``. The parent kills it with SIGKILL after a random number of acknowledgements (the child keeps writing
in the meantime, so the kill lands anywhere in a save) and checks: the database passes ``integrity_check``, every
acknowledged record is there and matches its digest, the file and every archived copy is one whole version
(each ends with the SHA-256 of what precedes it), and the file is at least the last acknowledged version.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from agent.records.audit import AuditLog
from agent.toolbox.files import FileHistory, digest

ROOT = Path(__file__).resolve().parents[2]
REL = "prompts/host.txt"
PAYLOAD = "{n} 第{n}版 the host's prompt, whole or not at all\n"
REPEAT = 400  # about 20 KB a version: a torn write would show
TRIALS = 20
ACKS = [random.Random(20_240_611 + trial).randint(1, 40) for trial in range(TRIALS)]
WATCHDOG_S = 30.0  # only a hung child waits this long

CHILD_SCRIPT = """
import hashlib, sys
from pathlib import Path
from agent.records.audit import AuditLog
from agent.toolbox.files import FileHistory, atomic_write

db, target, history, payload, repeat = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
log, files = AuditLog(db), FileHistory(Path(history), keep=10_000)
n = 0
while True:
    n += 1
    body = f"version {n}\\n" + payload.format(n=n) * repeat
    new = (body + "sha256 " + hashlib.sha256(body.encode("utf-8")).hexdigest() + "\\n").encode("utf-8")
    rid = log.add(who="ann", role="moderator", action="file.save", target=sys.argv[6], client="127.0.0.1",
                  before={"version": n - 1}, after={"version": n, "note": f"第{n}版"})
    files.archive_file(sys.argv[6], target, new)
    atomic_write(target, new)
    print(f"ok {n} {rid}", flush=True)
"""


def whole_version(data: bytes) -> int:
    """The version number of a whole copy; AssertionError if it is torn or not what the child wrote."""
    text = data.decode("utf-8")
    body, sep, tail = text.rpartition("sha256 ")
    assert sep and tail == hashlib.sha256(body.encode("utf-8")).hexdigest() + "\n", "checksum line does not match"
    head, _, payload = body.partition("\n")
    assert head.startswith("version ")
    n = int(head.removeprefix("version "))
    assert payload == PAYLOAD.format(n=n) * REPEAT
    return n


def _run_and_kill(tmp: Path, acks: int) -> list[int]:
    """Start the child, read ``acks`` acknowledgements, SIGKILL it; returns the acknowledged audit ids."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [str(tmp / "audit.sqlite"), str(tmp / "files" / REL), str(tmp / "history"), PAYLOAD, str(REPEAT), REL]
    with subprocess.Popen([sys.executable, "-c", CHILD_SCRIPT, *args], cwd=ROOT, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        watchdog = threading.Timer(WATCHDOG_S, proc.kill)
        watchdog.start()
        try:
            assert proc.stdout is not None and proc.stderr is not None
            ids: list[int] = []
            while len(ids) < acks:
                line = proc.stdout.readline()
                assert line, f"child ended early: {proc.stderr.read()}"
                word, n, rid = line.split()
                assert word == "ok" and int(n) == len(ids) + 1
                ids.append(int(rid))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        finally:
            watchdog.cancel()
    assert proc.returncode == -signal.SIGKILL
    return ids


@pytest.mark.parametrize(("trial", "acks"), list(enumerate(ACKS)))
def test_kill_9_keeps_every_acknowledged_record_and_leaves_only_whole_files(tmp_path: Path, trial: int,
                                                                           acks: int) -> None:
    ids = _run_and_kill(tmp_path, acks)
    last_acked = len(ids)  # save N wrote version N
    db = tmp_path / "audit.sqlite"

    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()

    log = AuditLog(db)
    try:
        records = log.list(limit=1000)[::-1]
        assert log.verify() == 0
    finally:
        log.close()
    stored = [r["id"] for r in records]
    assert stored == list(range(1, len(stored) + 1))  # no gap, no torn record at the end
    assert set(ids) <= set(stored)
    assert all(r["after"] == {"version": r["id"], "note": f"第{r['id']}版"} for r in records)

    target = tmp_path / "files" / REL
    current = whole_version(target.read_bytes())
    assert last_acked <= current <= len(stored)  # each save's audit record is written before the file

    history = FileHistory(tmp_path / "history")
    archived = []
    for v in history.versions(REL):
        data = (tmp_path / "history" / REL / f"{v.name}.txt").read_bytes()
        assert v.name.endswith(digest(data))
        archived.append(whole_version(data))
    # every replaced version was kept; the current one too when the kill fell between archive and replace
    assert set(range(1, current)) <= set(archived) <= set(range(1, current + 1))
    assert len(archived) == len(set(archived))
    leftovers = [p.name for p in target.parent.iterdir() if p != target]
    assert all(name.startswith(f".{target.name}.") and name.endswith(".tmp") for name in leftovers)
