"""What every figure of the reports shares: a page-wide figure, its PNG bytes, dates on an axis.

Figures are plain `matplotlib.figure.Figure` objects on an Agg canvas: no pyplot, so no global
figure registry to leak into and no GUI backend, whatever the caller's matplotlib settings.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 100
WIDTH = 11  # inches: the width of a report page
DELIVERED = "#2b6cb0"  # the colour of what was delivered, in every run figure


def figure(height: float) -> Figure:
    """A new figure as wide as a report page and `height` inches tall, laid out by matplotlib."""
    return Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes, with no software version in them (the same figure, the same bytes)."""
    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", metadata={"Software": None})
    fig.clear()
    return out.getvalue()


def moment(summary: dict, hours: float) -> datetime:
    """The local date and time `hours` after the start of the run of `summary`."""
    return datetime.fromisoformat(summary["start"]) + timedelta(hours=hours)


def date_axis(ax: Axes) -> None:
    """Concise local dates on the x axis."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=True))
