"""What every page needs: a unit of work, the page's language, the matrix asked politely, names, times.

`may` consults the permission matrix (never a role name) to decide what to *offer*; whether an
action is *allowed* is always the services' decision, and their refusal is shown as it comes.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, g, request
from flask_babel import format_date, format_datetime

from protocol.services import (
    MATRIX,
    ProtocolDefinition,
    get_definition,
    list_definitions,
    list_staff,
)
from web.access import current_principal
from web.context import herstel, principal
from web.i18n import current_locale
from web.pages.text import _

DEFAULT_PROTOCOL = "nl-discrimination"
LOCAL_INPUT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")  # what <input type="datetime-local"> sends


def uow() -> Any:  # a protocol UnitOfWork; web may not name types below protocol.services
    """A fresh unit of work for one service call."""
    return herstel().uow()


MAX_PAGE = 100_000  # beyond any real list; keeps a typed-in page number from overflowing the OFFSET


def page_arg() -> int:
    """The `page` query argument, 1 when absent or not a number, never past MAX_PAGE."""
    raw = request.args.get("page", "1")
    return max(1, min(int(raw), MAX_PAGE)) if raw.isdigit() and len(raw) < 12 else 1


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items fill (at least one, for an empty list)."""
    return max(1, -(-total // per_page))


def lang() -> str:
    return current_locale()


def zone() -> ZoneInfo:
    return ZoneInfo(str(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Amsterdam")))


def may(action: str, organisation_id: uuid.UUID | None = None) -> bool:
    """Whether the signed-in user's roles hold a grant for `action` (in one organisation, or any)."""
    found = current_principal()
    if found is None:
        return False
    grants = MATRIX[action]
    if organisation_id is not None:
        return any(role in grants for role in found.roles_in(organisation_id))
    return any(role in grants for roles in found.memberships.values() for role in roles)


def me() -> str:
    """The signed-in user as events name them (`user:<uuid>`)."""
    return f"user:{principal().user_id}"


def staff() -> list[dict[str, Any]]:
    """The user's colleagues (once per request)."""
    if "herstel_staff" not in g:
        g.herstel_staff = list_staff(uow=uow(), principal=principal())
    found: list[dict[str, Any]] = g.herstel_staff
    return found


def actor_name(ref: str | None) -> str:
    """Who an event or step names: a colleague by name, the system, or a citizen (never by identity)."""
    if not ref:
        return ""
    kind, _sep, ident = ref.partition(":")
    if kind == "system":
        return _("Herstel (automatic)")
    if kind == "citizen":
        return _("A citizen")
    names = {str(s["id"]): str(s["display_name"]) for s in staff()}
    return names.get(ident) or _("Someone outside your organisation")


def user_name(user_id: object) -> str:
    return actor_name(f"user:{user_id}") if user_id else ""


def definition(key: str, version: int) -> ProtocolDefinition:
    return get_definition(uow=uow(), key=key, version=version)


def current_definition() -> ProtocolDefinition | None:
    """The definition a new incident is opened under: the latest version of the default protocol."""
    rows = list_definitions(uow=uow())
    own = [r for r in rows if r["key"] == DEFAULT_PROTOCOL] or rows
    if not own:
        return None
    latest = max(own, key=lambda r: int(r["version"]))
    return definition(str(latest["key"]), int(latest["version"]))


def when(value: datetime | None) -> str:
    """A moment in the installation's time zone, in the page's language."""
    if value is None:
        return ""
    return str(format_datetime(value, "d MMM y, HH:mm"))


def due(value: datetime | None) -> str:
    """A due moment: a day-based deadline runs to the end of its last day (midnight), shown as that day."""
    if value is None:
        return ""
    local = value.astimezone(zone())
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return _("end of %(day)s", day=format_date(local.date() - timedelta(days=1), "d MMM y"))
    return when(value)


def day(value: date | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return str(format_date(value, "d MMMM y"))


def from_local_input(raw: str) -> str:
    """What a datetime-local input sent, as ISO 8601 with the installation's offset; other text as it is."""
    raw = raw.strip()
    if not LOCAL_INPUT.match(raw):
        return raw  # the protocol's validation names the problem
    return datetime.fromisoformat(raw).replace(tzinfo=zone()).isoformat()
