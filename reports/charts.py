"""Bar charts drawn on the server as SVG: no script, nothing from elsewhere.

A chart is a picture of the table beside it (the table is what a screen
reader reads: the SVG is one image with a title and a description). This
module computes the geometry; templates/reports/_chart.html draws it."""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 8, 12, 28  # room for the axis labels
# Colours with at least 3:1 contrast to white and to each other's neighbours.
COLOURS = ["#1f5fa8", "#b35900", "#2e7d32", "#6a3d9a"]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass
class Series:
    name: str
    values: list  # one number (or None: nothing to draw) per period
    colour: str = ""


def nice_top(largest):
    """A round number at least as large as the largest value: the axis' top."""
    if largest <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= largest:
                return step * factor
        step *= 10


class Chart:
    def __init__(self, key, title, description, labels, series):
        self.key = key  # for element ids
        self.title = title
        self.description = description
        self.labels = labels  # of the periods, first and last shown under the axis
        self.series = series
        for index, one in enumerate(series):
            one.colour = COLOURS[index % len(COLOURS)]
        self.top = nice_top(max((v for one in series for v in one.values if v is not None), default=0))

    width, height = WIDTH, HEIGHT
    left, bottom_y = LEFT, HEIGHT - BOTTOM
    right_x = WIDTH - RIGHT

    @property
    def bars(self):
        count = max(len(self.labels), 1)
        slot = (WIDTH - LEFT - RIGHT) / count
        gap = min(slot * 0.2, 6)
        bar_width = (slot - gap) / len(self.series)
        plot_height = HEIGHT - TOP - BOTTOM
        drawn = []
        for period in range(len(self.labels)):
            for index, one in enumerate(self.series):
                value = one.values[period]
                if not value:
                    continue
                height = plot_height * value / self.top
                x = LEFT + period * slot + gap / 2 + index * bar_width
                drawn.append(Bar(round(x, 2), round(self.bottom_y - height, 2), round(bar_width, 2), round(height, 2), one.colour))
        return drawn

    @property
    def top_y(self):
        return TOP

    @property
    def label_y(self):
        return HEIGHT - 8
