"""The deadline calculator: when a period after an event expires under a calendar rule, and why."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_babel import gettext

from protocol.services import calculate_due
from web.api.common import READ_ERRORS, api_blueprint, errors
from web.api.schemas.calendar import DueQuerySchema, DueSchema
from web.context import herstel
from web.explanations import explain
from web.i18n import current_locale

blp = api_blueprint("calendar", "/calendar", "The deadline calculator: legal periods counted under each calendar rule")


@blp.route("/due")
class Due(MethodView):
    @blp.arguments(DueQuerySchema, location="query", unknown="raise")
    @blp.response(200, DueSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """When a period after an event expires, with each day that extended it named in words."""
        due = calculate_due(
            calendars=herstel().calendar, start=query["from_"], period=query["period"], rule=query["rule"]
        )
        return {**due, "explanation": explain(due["explanation"], gettext=gettext, locale=current_locale())}
