"""``livehost report``: one page in the show's language (English, French or Chinese; the show's own unless asked
otherwise), holding everything it needs (no script, style or font from anywhere else), its key figures printed as
one JSON line; a bad file is an error naming the file and the line, exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agent.app.cli import main
from agent.app.report_commands import build_report
from agent.knowledge.embedding import HashEmbedder
from agent.settings import load_settings
from tests.report.test_load import REHEARSAL


@pytest.fixture
def rehearsal(tmp_path: Path) -> Path:
    path = tmp_path / "rehearsal.json"
    path.write_text(json.dumps(REHEARSAL), encoding="utf-8")
    return path


def page(path: Path, repo_root: Path, language: str | None = None, **doc: object) -> str:
    if doc:
        path.write_text(json.dumps({**REHEARSAL, **doc}), encoding="utf-8")
    settings = load_settings(repo_root / "settings.toml", overrides={"show.data_dir": str(path.parent / "data")})
    return build_report(path, settings, language=language, embedder=HashEmbedder())[1]


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["After the show", "Airtime", "Unanswered questions, grouped by meaning", "Download CSV"]),
    ("fr", ["Après le direct", "Temps d'antenne", "Questions sans réponse, regroupées par sens",
            "Télécharger le CSV"]),
    ("zh", ["直播复盘", "播出时间分配", "未回答的问题（按语义分组）", "下载 CSV"]),
])
def test_the_page_speaks_the_language_asked(rehearsal: Path, repo_root: Path, language: str,
                                            words: list[str]) -> None:
    html = page(rehearsal, repo_root, language)
    assert f'<html lang="{language}">' in html
    for w in words:
        assert w.replace("'", "&#x27;") in html


def test_the_language_is_the_shows_unless_the_record_does_not_say(rehearsal: Path, repo_root: Path) -> None:
    assert '<html lang="fr">' in page(rehearsal, repo_root)  # the rehearsal's show is in French
    assert '<html lang="en">' in page(rehearsal, repo_root, show={"name": "Shop"})  # else settings: en


def test_the_page_holds_everything_it_needs(rehearsal: Path, repo_root: Path) -> None:
    html = page(rehearsal, repo_root)
    ours = html.replace(html[html.index("<script>"): html.index("</script>") + 9], "")  # plotly.js aside
    assert "Plotly.newPlot" in ours and 'http-equiv="Content-Security-Policy"' in ours
    assert "connect-src 'none'" in ours and "default-src 'none'" in ours
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|<link|@import|url\(\s*["']?https?:""", ours)
    assert html.count("<script") == 3  # plotly.js, the charts' data, the page's own script


def test_livehost_report_writes_the_page_and_prints_its_key_figures(rehearsal: Path, repo_root: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = rehearsal.parent / "out" / "report.html"
    code = main(["--settings", str(repo_root / "settings.toml"), "report", str(rehearsal), "--out", str(out),
                 "--language", "zh"])
    assert code == 0 and out.read_text(encoding="utf-8").startswith("<!doctype html>")
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert figures | {"out": None} == figures | {
        "show_id": "rehearsal", "out": None, "questions": 1, "answered": 1, "unanswered": 0, "replies": 1,
        "latency_p50_ms": 2000.0, "latency_n": 1, "blocked": 0}


def test_livehost_report_names_the_bad_file_and_line(tmp_path: Path, repo_root: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "cut.json"
    bad.write_text(json.dumps(REHEARSAL)[:100], encoding="utf-8")
    code = main(["--settings", str(repo_root / "settings.toml"), "report", str(bad)])
    assert code == 2
    assert f"livehost: error: {bad}:1: not valid JSON" in capsys.readouterr().err
    assert not (tmp_path / "cut.html").exists()
