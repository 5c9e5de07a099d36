"""Where the course stands: sessions done, the next session, check-ins due."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from journal.tui.safe import literal

if TYPE_CHECKING:
    from journal.core.planner import CheckInPrompt, Plan
    from journal.core.records import Course

MAX_PROMPTS = 3
STATUS_STYLE = {"overdue": "bold red", "due": "bold yellow", "upcoming": "", "booked": "green"}


def _bar(done: int, planned: int, width: int = 10) -> str:
    filled = min(width, round(width * done / planned)) if planned else 0
    return "■" * filled + "□" * (width - filled)


def _prompt_line(prompt: CheckInPrompt) -> str:
    after = f"day {prompt.day} after {prompt.session_date.isoformat()}"
    if prompt.status == "overdue":
        return f"{after} overdue since {prompt.due.isoformat()}"
    if prompt.status == "due":
        return f"{after} due now (until {prompt.window_end.isoformat()})"
    return f"{after} on {prompt.due.isoformat()}"


def progress_table(course: Course, plan: Plan) -> Table:
    """The plan as labelled rows (deterministic: no clock but the plan's own today)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(ratio=1)
    sessions = Text(_bar(plan.sessions_done, plan.sessions_planned))
    sessions.append(f" {plan.sessions_done} of {plan.sessions_planned}")
    if plan.series_complete:
        sessions.append(" · complete", style="green")
    table.add_row("Sessions", sessions)
    window = plan.next_session
    if window is not None:
        when = (
            window.earliest.isoformat()
            if window.earliest == window.latest
            else f"{window.earliest.isoformat()} to {window.latest.isoformat()}"
        )
        nxt = Text(f"{window.status} {when}", style=STATUS_STYLE.get(window.status, ""))
        table.add_row("Next session", nxt)
    elif plan.maintenance is not None:
        m = plan.maintenance
        when = f"{m.earliest.isoformat()} to {m.latest.isoformat()}"
        table.add_row(
            "Maintenance", Text(f"{m.status} {when}", style=STATUS_STYLE.get(m.status, ""))
        )
    else:
        table.add_row("Next session", "nothing planned")
    pending = [p for p in plan.checkins if p.status in ("overdue", "due")]
    upcoming = [p for p in plan.checkins if p.status == "upcoming"][:1]
    shown = (pending or upcoming)[-MAX_PROMPTS:]  # the most recent: older ones are history
    for n, prompt in enumerate(shown):
        line = Text(_prompt_line(prompt), style=STATUS_STYLE.get(prompt.status, ""))
        table.add_row("Check-ins" if n == 0 else "", line)
    if len(pending) > len(shown):
        more = len(pending) - len(shown)
        table.add_row("", Text(f"and {more} earlier check-in{'s' if more > 1 else ''} missed"))
    if not pending and not upcoming:
        table.add_row("Check-ins", "none due")
    return table


class CourseProgress(Static):
    """The course panel of the dashboard."""

    def __init__(self, course: Course, plan: Plan, *, id: str | None = None) -> None:
        super().__init__(progress_table(course, plan), id=id, classes="panel")
        self.border_title = literal(f"Course · {course.title}")
