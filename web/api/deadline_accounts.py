"""The organisation's account of a legal deadline not kept (issue 9, item 6): a coordinator or admin
records what was done; the oversight body then sees the notice as answered, with that text."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from protocol.services import account_for_missed_deadline
from web.api.common import WRITE_ERRORS, api_blueprint, errors
from web.api.schemas.oversight_incidents import DeadlineAccountInputSchema, DeadlineAccountResultSchema
from web.context import herstel, principal

blp = api_blueprint("deadline_accounts", "/incidents", "Deadlines not kept: what the organisation did about them")


@blp.route("/<uuid:incident_id>/deadlines/<uuid:deadline_id>/account")
class DeadlineAccount(MethodView):
    @blp.arguments(DeadlineAccountInputSchema)
    @blp.response(201, DeadlineAccountResultSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID, deadline_id: uuid.UUID) -> dict[str, Any]:
        """Record what the organisation did about a deadline that was missed or met late (once per deadline;
        coordinators and administrators). It goes on the timeline as `DeadlineMissAccounted`."""
        return account_for_missed_deadline(
            uow=herstel().uow(),
            principal=principal(),
            incident_id=incident_id,
            deadline_id=deadline_id,
            text=body["text"],
        )
