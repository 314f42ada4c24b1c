"""The house rules, checked on the source: layers only import downwards, no import cycles, every Protocol in
agent/ports.py, no module over 400 lines, no timer but the injected clock on the pipeline's path.

The layers are the ones README.md's Architecture section lists, lowest first.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# lowest first; a module may import its own layer (without cycles) or any layer below
LAYERS: tuple[tuple[str, ...], ...] = (
    ("agent.errors", "agent.events", "agent.product", "agent.verdict", "agent.audio", "agent.render",
     "agent.ports", "agent.clock", "agent.settings", "agent.speech_settings", "agent.metrics", "agent.language",
     "agent.vectors",
     "agent.toolbox", "agent.prompts", "agent.onscreen", "agent.health"),
    ("agent.llm", "agent.speech", "agent.knowledge", "agent.records"),
    ("agent.moderation",),
    ("agent.triage",),
    ("agent.guards",),
    ("agent.reply",),
    ("agent.director",),
    ("agent.answering", "agent.tally", "agent.approval", "agent.said", "agent.seen", "agent.report"),
    ("agent.show", "agent.controls"),
    ("connectors.platforms", "connectors.renderers", "connectors.web", "connectors.bridge_userscript",
     "connectors.rooms"),
    ("agent.app",),
)
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for top in ("agent", "connectors"):
        for f in sorted((ROOT / top).rglob("*.py")):
            parts = f.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = f
    return out


MODULES = _modules()


def _layer(module: str) -> int:
    for i, names in enumerate(LAYERS):
        if any(module == n or module.startswith(n + ".") for n in names):
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and to README.md")


def _imports(path: Path) -> set[str]:
    """Every project module ``path`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = [f"{node.module}.{a.name}" for a in node.names]
            names = [n for n in subs if n in MODULES] or [node.module]  # "from pkg import mod": just mod
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found.update(n for n in names if n in MODULES)
    return found


GRAPH = {m: _imports(p) - {m} for m, p in MODULES.items()}


def test_every_module_is_in_a_layer() -> None:
    for m in MODULES:
        if m not in ("agent", "connectors"):
            _layer(m)


def test_no_module_imports_from_a_higher_layer() -> None:
    upward = sorted(f"{m} -> {d}" for m, deps in GRAPH.items() if m not in ("agent", "connectors")
                    for d in deps if _layer(d) > _layer(m))
    assert upward == []


def test_there_is_no_import_cycle() -> None:
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the path, 2 done
    cycles: list[str] = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(GRAPH[m]):
            if state[d] == 1:
                cycles.append(" -> ".join([*path[path.index(d):], d]))
            elif state[d] == 0:
                visit(d, [*path, d])
        state[m] = 2

    for m in sorted(GRAPH):
        if state[m] == 0:
            visit(m, [m])
    assert cycles == []


def test_every_protocol_is_in_ports() -> None:
    elsewhere = []
    for m, path in MODULES.items():
        if m == "agent.ports":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    (isinstance(b, ast.Name) and b.id == "Protocol")
                    or (isinstance(b, ast.Attribute) and b.attr == "Protocol") for b in node.bases):
                elsewhere.append(f"{m}.{node.name}")
    assert elsewhere == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_400_lines(module: str) -> None:
    assert len(MODULES[module].read_text(encoding="utf-8").splitlines()) <= MAX_LINES


# Off the pipeline's path, on real time by design: a child process exits (or not) in real time.
REAL_TIME = frozenset({"agent.llm.server"})


def test_timeouts_run_on_the_injected_clock() -> None:
    """``asyncio.timeout``/``wait_for`` use the loop's timer, which virtual time cannot move."""
    found = []
    for m, path in MODULES.items():
        if m in REAL_TIME:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "asyncio"
                    and node.attr in ("timeout", "wait_for", "timeout_at")):
                found.append(f"{m}:{node.lineno}")
    assert found == []
