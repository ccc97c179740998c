"""What waits on you: your steps, investigations, approvals and citizens' responses, by urgency."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from notifications.services import waiting_for
from web.api.common import READ_ERRORS, api_blueprint, errors
from web.api.schemas.waiting import WaitingSchema
from web.context import notifications_uow, principal

blp = api_blueprint("waiting", "/me/waiting", "What waits on you (computed from the state, not the inbox)")


@blp.route("")
class Waiting(MethodView):
    @blp.response(200, WaitingSchema)
    @errors(blp, *READ_ERRORS)
    def get(self) -> dict[str, Any]:
        """Steps of incidents you own, your investigations, approvals you may give, responses assigned to
        you (and unassigned ones of your incidents) not yet answered or decided: a missed deadline first."""
        return waiting_for(uow=notifications_uow(), principal=principal())
