"""The report as one HTML file that opens offline: plotly.js embedded (the ``plotly`` package ships it), every
chart drawn from the table beside it, every table downloadable as CSV (built in the page from the table itself,
as a Blob: no request leaves the page; the Content-Security-Policy forbids any).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

from agent.report.labels import label, note
from agent.report.tables import Cell, Chart, Figures, Section, Table

CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
       "font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'")
AXIS_CHARS = 48
KEY_ORDER = ("duration", "comments", "questions", "answered", "unanswered", "answered_share", "latency_p50_ms",
             "latency_p95_ms", "replies", "blocked", "gifts_value")
HEIGHT = 380

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;
margin:0;color:#1d232b;background:#f4f6f8}
header{background:#1d232b;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;opacity:.8}main{padding:18px 28px;max-width:1500px}
dl.key{display:flex;flex-wrap:wrap;gap:10px;margin:0 0 18px}dl.key div{background:#fff;border-radius:8px;
padding:10px 14px;min-width:130px;box-shadow:0 1px 2px #0002}dl.key dt{font-size:12px;color:#5b6673}
dl.key dd{margin:2px 0 0;font-size:20px;font-weight:600}
section.fig{background:#fff;border-radius:8px;box-shadow:0 1px 2px #0002;margin:0 0 18px;padding:14px 18px}
section.fig h2{margin:0 0 4px;font-size:17px}section.fig h3{margin:12px 0 4px;font-size:14px}
.note{margin:0 0 8px;color:#5b6673}.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:16px}
.wide .pair{grid-template-columns:1fr}.chart{min-height:""" + str(HEIGHT) + """px}
.table-wrap{max-height:""" + str(HEIGHT) + """px;overflow:auto;border:1px solid #e3e7eb;border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #eef1f3;
text-align:left;vertical-align:top}th{position:sticky;top:0;background:#f8fafb}td.num{text-align:right;
font-variant-numeric:tabular-nums}a.csv{display:inline-block;margin:6px 0 0;font-size:12px}
.secret-text{display:none}body.reveal .secret-text{display:inline}body.reveal .secret-mask{display:none}
.secret-mask{color:#8a949e}.empty{color:#8a949e;padding:8px}
@media (max-width:900px){.pair{grid-template-columns:1fr}}
"""

SCRIPT = """
(() => {
  "use strict";
  const state = { charts: 0, drawn: 0, errors: [] };
  window.livehostReport = state;
  const specs = JSON.parse(document.getElementById("report-charts").textContent);
  for (const [id, spec] of Object.entries(specs)) {
    state.charts += 1;
    try {
      Plotly.newPlot(id, spec.data, spec.layout, spec.config).then(() => { state.drawn += 1; });
    } catch (e) { state.errors.push(String(e)); }
  }
  function cellText(td) {
    const secret = td.querySelector(".secret-text");
    return (secret || td).textContent;
  }
  function csv(table) {
    const quote = (s) => /[",\\n\\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    return Array.from(table.rows).map((tr) => Array.from(tr.cells).map((c) => quote(cellText(c))).join(","))
      .join("\\r\\n") + "\\r\\n";
  }
  for (const a of document.querySelectorAll("a.csv")) {
    a.addEventListener("click", () => {
      const table = document.getElementById(a.dataset.table);
      const blob = new Blob(["\\ufeff" + csv(table)], { type: "text/csv;charset=utf-8" });
      if (a.href.startsWith("blob:")) URL.revokeObjectURL(a.href);
      a.href = URL.createObjectURL(blob);
    });
  }
  const reveal = document.getElementById("reveal");
  if (reveal) reveal.addEventListener("change", () => document.body.classList.toggle("reveal", reveal.checked));
})();
"""


def plotly_js() -> str:
    """plotly.min.js as the installed ``plotly`` package ships it."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def render(fig: Figures, *, js: str | None = None) -> str:
    """The whole page; ``js``: plotly.min.js (read from the ``plotly`` package when not given)."""
    lang = fig.language
    t = _t(lang)
    charts: dict[str, Any] = {}
    body = [_key(fig, t)]
    body += [f'<p class="note">{t(n)}</p>' for n in fig.notes]
    for section in fig.sections:
        body.append(_section(section, lang, charts))
    title = f"{t('report_title')} · {fig.name or fig.show_id}"
    blocked_toggle = (f'<label><input type="checkbox" id="reveal"> {t("show_blocked_text")}</label>'
                      if any(tb.secret is not None for s in fig.sections for tb in (s.table, *s.extra)) else "")
    data = json.dumps(charts, ensure_ascii=False, allow_nan=False).replace("</", "<\\/")
    return "".join([
        f'<!doctype html>\n<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="referrer" '
        'content="no-referrer">\n', f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n",
        f"<script>{js if js is not None else plotly_js()}</script>\n</head>\n<body>\n",
        f"<header><h1>{_e(title)}</h1><p>{t('show')}: {_e(fig.show_id)} · {t('duration')}: "
        f"{_e(fig.key.get('duration'))} · {t('source_file')}: {_e(fig.source)}</p>{blocked_toggle}</header>\n",
        "<main>\n", "\n".join(body), "\n</main>\n",
        f'<script type="application/json" id="report-charts">{data}</script>\n<script>{SCRIPT}</script>\n',
        "</body>\n</html>\n"])


def _t(lang: str) -> Callable[[str], str]:
    return lambda key: _e(label(key, lang))


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _fmt(value: Cell) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return repr(round(value, 3))
    return str(value)


def _key(fig: Figures, t: Callable[[str], str]) -> str:
    items = [f'<div data-key="{k}"><dt>{t(k)}</dt><dd>{_e(_fmt(fig.key.get(k)))}</dd></div>'
             for k in KEY_ORDER if k in fig.key]
    return f'<h2>{t("key_figures")}</h2>\n<dl class="key">{"".join(items)}</dl>'


def _section(s: Section, lang: str, charts: dict[str, Any]) -> str:
    t = _t(lang)
    head = f'<section class="fig{"" if s.chart else " wide"}" id="s-{s.key}">\n<h2>{t(s.title)}</h2>\n'
    if s.note:
        head += f'<p class="note">{_e(note(s.note, lang, s.note_args))}</p>\n'
    side = _table(s.table, lang) + "".join(f"<h3>{t(x.title)}</h3>\n{_table(x, lang)}" for x in s.extra)
    if s.chart is None:
        return head + f'<div class="pair"><div class="side">{side}</div></div>\n</section>'
    chart_id = f"c-{s.key}"
    charts[chart_id] = _plot(s.table, s.chart, lang)
    return head + (f'<div class="pair"><div class="chart" id="{chart_id}"></div><div class="side">{side}</div></div>\n'
                   "</section>")


def _table(tb: Table, lang: str) -> str:
    t = _t(lang)
    head = "".join(f"<th>{t(c)}</th>" for c in tb.columns)
    if not tb.rows:
        body = f'<tr><td class="empty" colspan="{len(tb.columns)}">{t("no_data")}</td></tr>'
    else:
        body = "".join("<tr>" + "".join(_cell(tb, i, v, lang) for i, v in enumerate(row)) + "</tr>\n"
                       for row in tb.rows)
    return (f'<div class="table-wrap"><table id="t-{tb.key}"><thead><tr>{head}</tr></thead><tbody>{body}'
            f'</tbody></table></div><a class="csv" href="#" data-table="t-{tb.key}" download="{tb.key}.csv">'
            f'{t("csv")}</a>\n')


def _cell(tb: Table, i: int, value: Cell, lang: str) -> str:
    if i == tb.secret:
        return (f'<td class="secret"><span class="secret-text">{_e(value)}</span>'
                f'<span class="secret-mask">{_e(label("hidden", lang))}</span></td>')
    text = label(str(value), lang) if i in tb.coded and isinstance(value, str) else _fmt(value)
    cls = ' class="num"' if isinstance(value, int | float) and not isinstance(value, bool) else ""
    return f"<td{cls}>{_e(text)}</td>"


def _short(text: Cell, lang: str, coded: bool) -> str:
    s = label(str(text), lang) if coded else _fmt(text)
    return s if len(s) <= AXIS_CHARS else s[: AXIS_CHARS - 1] + "…"


def _plot(tb: Table, chart: Chart, lang: str) -> dict[str, Any]:
    """The plotly figure of ``tb`` (its data, nothing else)."""
    rows = tb.rows[: chart.limit] if chart.limit else tb.rows
    coded = chart.x in tb.coded
    cats = [_short(r[chart.x], lang, coded) for r in rows]

    def name(i: int) -> str:
        return label(tb.columns[i], lang)

    data: list[dict[str, Any]] = []
    layout: dict[str, Any] = {"height": HEIGHT, "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
                              "legend": {"orientation": "h", "y": -0.18}, "font": {"size": 12}}
    value_axis = {"title": {"text": label(chart.axis, lang)}} if chart.axis else {}
    if chart.kind in ("stack", "bar", "lines"):
        for i in chart.y:
            trace: dict[str, Any] = {"x": cats, "y": [r[i] for r in rows], "name": name(i)}
            trace.update({"type": "scatter", "mode": "lines"} if chart.kind == "lines" else {"type": "bar"})
            data.append(trace)
        layout.update(barmode="stack", xaxis={"type": "category"}, yaxis=value_axis)
    elif chart.kind in ("hstack", "hbar"):
        # distinct category labels even when two long labels share their start
        cats = [f"{c} " * (cats[:k].count(c) + 1) if cats.count(c) > 1 else c for k, c in enumerate(cats)]
        for i in chart.y:
            data.append({"type": "bar", "orientation": "h", "y": cats, "x": [r[i] for r in rows], "name": name(i)})
        layout.update(barmode="stack", yaxis={"type": "category", "autorange": "reversed", "automargin": True},
                      xaxis=value_axis, showlegend=len(chart.y) > 1)
    else:  # gantt: one trace per label, bars from ``from`` to ``to``
        start, stop = chart.y
        for c in dict.fromkeys(cats):
            mine = [r for r, k in zip(rows, cats, strict=True) if k == c]
            data.append({"type": "bar", "orientation": "h", "name": c, "y": [c] * len(mine),
                         "base": [r[start] for r in mine], "x": [_dur(r[stop], r[start]) for r in mine]})
        layout.update(barmode="overlay", yaxis={"type": "category", "automargin": True}, xaxis=value_axis,
                      showlegend=False)
    if not rows:
        data = [{"type": "bar", "x": [], "y": []}]
        layout["annotations"] = [{"text": label("no_data", lang), "showarrow": False, "xref": "paper",
                                  "yref": "paper", "x": 0.5, "y": 0.5}]
    return {"data": data, "layout": layout, "config": {"displaylogo": False, "responsive": True}}


def _dur(stop: Cell, start: Cell) -> float:
    a = float(start) if isinstance(start, int | float) else 0.0
    b = float(stop) if isinstance(stop, int | float) else a
    return round(b - a, 1)
