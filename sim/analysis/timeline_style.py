"""What the timeline figure draws with: the colours and labels of what a movement or truck was
doing (on the road, held, waiting and what for, inspected), how each way of ending is marked, and
rectangles gathered per colour so that thousands of them draw as a few collections."""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection

from sim.analysis.figures import DELIVERED

# The timeline's activities: label, colour.
TRAVEL = ("on the road", "#cbd5e0")
WAIT = ("waiting at a place (approval hold)", "#f6ad55")
AT_CHECKPOINT = ("at a checkpoint (queue and inspection)", "#4299e1")
# What a truck waited for before its inspection (timeline.csv's waiting_for): label, colour.
WAITS = {
    "lane": ("waiting for a lane busy with other vehicles", "#90cdf4"),
    "convoy": ("waiting for a lane busy with its own convoy", "#b794f4"),
    "opening_hours": ("waiting for opening hours", "#718096"),
    "closure": ("waiting for a closure to end", "#e53e3e"),
}
UNRECORDED = ("waiting (reason not recorded)", "#90cdf4")  # a folder written before waiting_for
# Shading behind the trucks: when their checkpoint was closed (closed.csv's kind): label, colour.
CLOSED = {
    "closure": ("checkpoint closed (closure)", "#fed7d7"),
    "opening_hours": ("checkpoint closed (outside opening hours)", "#e2e8f0"),
}
INSPECTION = ("inspection", DELIVERED)
CONVOY = ("cleared, waiting for the rest of the movement", "#faf089")
# How each way of ending is marked at the end of a timeline bar: label, marker, colour.
ENDS = {
    "delivered": ("delivered", "D", "#2f855a"),
    "refused": ("refused", "X", "#c53030"),
    "turned_back": ("turned back", "<", "#805ad5"),
    "not_delivered": ("not delivered by horizon", ">", "#ed8936"),
}
OUTCOME_ORDER = ("delivered", "refused", "turned_back", "not_delivered")  # of the legend


class Boxes:
    """Rectangles (y, from hour, to hour) gathered per colour and drawn as one collection each:
    a timeline has thousands of them."""

    def __init__(self, x0: float):
        self.x0 = x0
        self.boxes: dict[str, list] = {}

    def add(self, colour: str, y: float, start_h: float, end_h: float, height: float) -> None:
        """A rectangle centred on `y`, from `start_h` to `end_h` (none if it would be empty)."""
        if end_h > start_h:
            a, b = self.x0 + start_h / 24, self.x0 + end_h / 24
            self.boxes.setdefault(colour, []).append(
                [(a, y - height / 2), (b, y - height / 2), (b, y + height / 2), (a, y + height / 2)]
            )

    def draw(self, ax: Axes) -> None:
        """Every rectangle gathered, onto `ax`."""
        for colour, boxes in self.boxes.items():
            ax.add_collection(PolyCollection(boxes, facecolors=colour, edgecolors="none"))
