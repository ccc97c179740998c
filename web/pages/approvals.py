"""The coordinator's queue of four-eyes requests across incidents: approve, or reject with a note.

The one who asked sees their own request in the queue too, marked as theirs: the engine refuses a
second signature by the same person, and the page does not offer it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from protocol.services import NotFound, ProtocolError, approval_queue
from web.context import principal
from web.pages.common import actor_name, current_definition, lang, me, uow
from web.pages.incident_view import FormState, Refusal
from web.pages.text import humanise
from web.problem import status_for

blp = Blueprint("approvals_page", __name__)
Page = str | tuple[str, int] | Response


def render_queue(state: FormState | None = None, status: int = 200) -> tuple[str, int]:
    show_all = request.values.get("show") == "all"
    items = approval_queue(uow=uow(), principal=principal(), state=None if show_all else "pending")
    protocol = current_definition()
    rows = []
    for item in items:
        mine = state if state is not None and state.target.endswith(f":{item['id']}") else None
        step = item["step"]
        rows.append(
            {
                **item,
                "step_title": protocol.step(step).title_for(lang())
                if protocol and step in protocol.steps
                else humanise(step),
                "requested_by_name": actor_name(item["requested_by"]),
                "decided_by_name": actor_name(item["decided_by"]),
                "own": item["requested_by"] == me(),
                "refusal": mine.refusal if mine else None,
                "note_input": mine.values.get("note", "") if mine else "",
            }
        )
    html = render_template("approvals.html", rows=rows, show_all=show_all, page_url=url_for("approvals_page.queue"))
    return html, status


@blp.get("/approvals")
def queue() -> Page:
    return render_queue()


def decide_from_queue(state: FormState, call: Callable[[], dict[str, Any]], message: str) -> Page:
    """A decision posted from the queue: back to the queue, with the refusal there if there is one."""
    try:
        call()
    except NotFound:
        raise
    except ProtocolError as error:
        state.refusal = Refusal.of(error)
        return render_queue(state, status_for(error))
    flash(message, "info")
    return redirect(url_for("approvals_page.queue"))
