"""Where to draw the profile's progress chart: one line per quiz, score in % up the side, the
moment each attempt finished along the bottom.  Plain Python, no Flask; the template
(profiles/show.html) draws the SVG.

The horizontal positions are percentages of the chart's width, and the vertical ones pixels of
a fixed height: the SVG then stretches to any screen without scaling its text, so the date
and percent labels are as readable on a 375 px phone as on a desktop (a chart scaled down
from 640 px had 6 px labels: review newcomer #25).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

# A colour slot per quiz (``.series-0`` … ``.series-5`` in app.css: colours a reader can tell
# apart, at least 3:1 against the page, WCAG 1.4.11; a dark theme sets its own there), and a
# marker shape as well, so no line is told by its colour alone (WCAG 1.4.1).
COLOURS = 6
SHAPES = ("circle", "square", "triangle", "diamond")
HEIGHT = 220
TOP, BOTTOM = 12, 30          # px: room for the 100 % label above, the dates below
LEFT_PCT, RIGHT_PCT = 3.0, 97.0  # the first and last attempts sit just inside the edges
SHORT_SPAN = timedelta(days=2)  # under this, the axis names times as well as dates


@dataclass(frozen=True)
class Dot:
    x: float  # % of the width
    y: float  # px from the top
    point: Any  # the ProgressPoint


@dataclass(frozen=True)
class Series:
    """One quiz's attempts, oldest first, with its colour and marker."""

    quiz_key: str
    quiz_title: dict[str, Any]
    colour: int  # the colour slot: CSS class series-<colour>
    shape: str
    dots: list[Dot]

    @property
    def segments(self) -> list[tuple[Dot, Dot]]:
        return list(zip(self.dots, self.dots[1:]))


@dataclass(frozen=True)
class Tick:
    x: float  # % of the width
    at: datetime
    anchor: str  # SVG text-anchor: the first label starts at its tick, the last ends at it


@dataclass(frozen=True)
class Chart:
    height: int
    series: list[Series]
    grid: list[tuple[float, int]]  # (y, percent) of the 0/50/100 % lines
    ticks: list[Tick]
    with_time: bool  # the attempts span less than SHORT_SPAN: label the ticks with the time too
    baseline: float  # y of the 0 % line


def progress_chart(points: Sequence[Any], height: int = HEIGHT) -> Chart:
    """``points`` (``stats.ProgressPoint``s, oldest first, at least one): x by when each
    finished, y by its score in %, grouped into one series per quiz in the order the quizzes
    were first played."""
    plot_h = height - TOP - BOTTOM
    first, last = points[0].finished_dt, points[-1].finished_dt
    span = (last - first).total_seconds()

    def x_of(moment: datetime) -> float:
        if span <= 0:
            return 50.0
        return round(LEFT_PCT + (RIGHT_PCT - LEFT_PCT) * (moment - first).total_seconds() / span, 2)

    def y_of(percent: float) -> float:
        return round(TOP + plot_h * (1 - percent / 100), 1)

    grouped: dict[str, list[Any]] = {}
    for point in points:
        grouped.setdefault(point.quiz_key, []).append(point)
    series = [Series(key, group[0].quiz_title, index % COLOURS, SHAPES[index % len(SHAPES)],
                     [Dot(x_of(p.finished_dt), y_of(p.percent), p) for p in group])
              for index, (key, group) in enumerate(grouped.items())]
    if span <= 0:
        ticks = [Tick(50.0, first, "middle")]
    elif last - first < SHORT_SPAN:
        ticks = [Tick(LEFT_PCT, first, "start"), Tick(RIGHT_PCT, last, "end")]
    else:
        middle = first + (last - first) / 2
        ticks = [Tick(LEFT_PCT, first, "start"), Tick(x_of(middle), middle, "middle"), Tick(RIGHT_PCT, last, "end")]
    return Chart(height, series, [(y_of(percent), percent) for percent in (0, 50, 100)], ticks,
                 with_time=last - first < SHORT_SPAN, baseline=y_of(0))


__all__ = ["COLOURS", "Chart", "Dot", "SHAPES", "Series", "Tick", "progress_chart"]
