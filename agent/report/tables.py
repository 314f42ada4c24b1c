"""The report's building blocks: tables of numbers, each with the chart drawn from it (so the chart and the table
beside it can never disagree), grouped in sections.

Column names and section titles are label keys (:mod:`agent.report.labels`) or, for data (a platform, a
product), the name itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Cell = str | int | float | None
ChartKind = Literal["stack", "hstack", "lines", "bar", "hbar", "gantt"]


@dataclass
class Table:
    key: str  # unique in the report: the element id and the CSV file name
    columns: list[str]
    rows: list[list[Cell]]
    secret: int | None = None  # a column hidden until the reader asks (blocked comments' text)
    title: str = ""
    coded: tuple[int, ...] = ()  # columns whose cells are label keys (an outcome, a kind), shown translated

    def column(self, i: int) -> list[Cell]:
        return [r[i] for r in self.rows]


@dataclass
class Chart:
    """``x``: the column of categories; ``y``: the columns plotted (stacked for ``stack``/``hstack``). ``gantt``:
    x = the label, y = [from, to] in seconds; ``limit``: at most this many rows are drawn (the table has all)."""

    kind: ChartKind
    x: int
    y: list[int]
    limit: int | None = None
    axis: str = ""  # the value axis' label key


@dataclass
class Section:
    key: str
    title: str
    table: Table
    chart: Chart | None = None
    extra: list[Table] = field(default_factory=list)
    note: str = ""  # a label key, formatted with ``note_args``
    note_args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Figures:
    show_id: str
    name: str
    language: str
    source: str
    duration_s: float
    bin_s: int
    key: dict[str, Cell]  # the key figures on top of the page (also the console's live figures)
    sections: list[Section]
    notes: list[str] = field(default_factory=list)  # label keys: what this record could not tell


BINS = (60, 300, 600, 900, 1800, 3600)
MAX_BINS = 150


def bin_size(duration_s: float) -> int:
    """One minute bins up to 150 minutes, then the smallest of 5, 10, 15, 30, 60 minutes that keeps <= 150 bins."""
    for b in BINS:
        if duration_s / b <= MAX_BINS:
            return b
    return BINS[-1] * (int(duration_s // (BINS[-1] * MAX_BINS)) + 1)


def clock(seconds: float) -> str:
    """Show time as h:mm:ss (from the start of the show)."""
    s = max(0, int(round(seconds)))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def r1(x: float) -> float:
    return round(float(x), 1)
