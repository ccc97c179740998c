"""My notifications: reminders, escalations, approvals waiting, citizen responses, investigation reports."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_babel import get_locale

from protocol.services import (
    list_notifications,
    mark_notifications_read,
    notification_preferences,
    set_notification_preferences,
    unread_notifications,
)
from web.api.common import READ_ERRORS, WRITE_ERRORS, Input, api_blueprint, errors
from web.context import herstel, principal

blp = api_blueprint("inbox", "/me", "My notifications")

KINDS = ("deadline_approaching", "deadline_missed", "approval_waiting", "citizen_responded", "investigation_reported")


class NotificationQuerySchema(Input):
    unread = ma.fields.Boolean(load_default=False, metadata={"description": "only those not yet read"})
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))
    offset = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=10_000_000))
    lang = ma.fields.String(load_default=None, validate=ma.validate.OneOf(("nl", "en")))


class NotificationSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    kind = ma.fields.String(required=True, metadata={"description": " | ".join(KINDS)})
    incident_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    title = ma.fields.String(required=True, metadata={"description": "the incident's title"})
    headline = ma.fields.String(required=True, metadata={"description": "in the request's language"})
    text = ma.fields.String(required=True, metadata={"description": "in the request's language"})
    link = ma.fields.String(required=True, metadata={"description": "the page to act on it"})
    created_at = ma.fields.DateTime(required=True)
    read = ma.fields.Boolean(required=True)
    read_at = ma.fields.DateTime(allow_none=True)


class NotificationPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(NotificationSchema), required=True)
    unread = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    limit = ma.fields.Integer(required=True)
    offset = ma.fields.Integer(required=True)


class MarkReadSchema(Input):
    ids = ma.fields.List(ma.fields.UUID(), load_default=None, validate=ma.validate.Length(min=1, max=500))
    all = ma.fields.Boolean(load_default=False, metadata={"description": "mark every notification read"})

    @ma.validates_schema
    def one_of(self, data: dict[str, Any], **_: Any) -> None:
        if bool(data.get("ids")) == bool(data.get("all")):
            raise ma.ValidationError("give either ids or all: true", field_name="ids")


class MarkedSchema(ma.Schema):
    marked = ma.fields.Integer(required=True)
    unread = ma.fields.Integer(required=True)


class PreferencesSchema(Input):
    mail = ma.fields.String(
        validate=ma.validate.OneOf(("each", "daily")),
        metadata={"description": "each: a mail per notification; daily: one summary a day"},
    )
    language = ma.fields.String(validate=ma.validate.OneOf(("nl", "en")), metadata={"description": "of the mails"})


def _language(asked: str | None) -> str:
    return asked or str(get_locale() or "nl")


@blp.route("/notifications")
class MyNotifications(MethodView):
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationPageSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """My notifications, newest first, with how many are unread."""
        return list_notifications(
            uow=herstel().uow(),
            principal=principal(),
            language=_language(query["lang"]),
            limit=query["limit"],
            offset=query["offset"],
            unread_only=query["unread"],
        )


@blp.route("/notifications/read")
class MarkRead(MethodView):
    @blp.arguments(MarkReadSchema)
    @blp.response(200, MarkedSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Mark some of my notifications read (`ids`), or all of them (`all: true`); others' ids change nothing."""
        ids = None if body.get("all") else body["ids"]
        marked = mark_notifications_read(uow=herstel().uow(), principal=principal(), notification_ids=ids)
        unread = unread_notifications(uow=herstel().uow(), principal=principal())
        return {"marked": marked, "unread": unread}


@blp.route("/notification-preferences")
class MyPreferences(MethodView):
    @blp.response(200, PreferencesSchema)
    @errors(blp, *READ_ERRORS)
    def get(self) -> dict[str, str]:
        """How I receive notifications by mail: one each, or a daily summary; and in which language."""
        return notification_preferences(uow=herstel().uow(), principal=principal())

    @blp.arguments(PreferencesSchema)
    @blp.response(200, PreferencesSchema)
    @errors(blp, *WRITE_ERRORS)
    def put(self, body: dict[str, Any]) -> dict[str, str]:
        """Choose a mail per notification or a daily summary (`mail`), and the mails' `language`."""
        return set_notification_preferences(
            uow=herstel().uow(), principal=principal(), mail=body.get("mail"), language=body.get("language")
        )
