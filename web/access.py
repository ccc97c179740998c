"""Who may call which route: the one table of route → action, and the guard that checks it.

Every route of the app is declared in `ROUTES` as "METHOD /rule" → what it needs:

- `PUBLIC`: anyone (the login page, the OpenAPI document, static files);
- `SIGNED_IN`: any signed-in user (what they then see is scoped by the services);
- an action of the permission matrix (`protocol.services.MATRIX`), or a tuple of actions of which
  any one suffices.

The guard authenticates (a bearer token under /api/, the staff session elsewhere: its secret in the
signed cookie, checked against the sessions table on every request), then lets the
request through only if one of the user's roles holds a grant for the route's action in some
organisation. Which organisation and which incidents is the services' business: they check the
matrix again, scoped (an investigator reaches only assigned incidents, others get 404). Views never
check roles. A route missing from this table stops the app from starting, so nothing is reachable
unguarded by accident.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from flask import Flask, g, redirect, request, session, url_for
from flask_smorest import abort
from werkzeug.routing import Rule
from werkzeug.wrappers import Response

from protocol.services import MATRIX, Forbidden, Principal, authenticate_token, messages, session_principal
from web.context import herstel

PUBLIC = "public"
SIGNED_IN = "signed-in"
STAFF_SESSION = "sid"  # the key of the Flask session that holds the staff session's secret
Access = str | tuple[str, ...]

API = "/api/v1"
I = f"{API}/incidents/<uuid:incident_id>"  # noqa: E741 - short on purpose: the table reads as a list of routes
P = "/incidents/<uuid:incident_id>"  # the incident's page and the forms posted from it

ROUTES: dict[str, Access] = {
    # ------------------------------------------------------------------ public
    "GET /static/<path:filename>": PUBLIC,
    "GET /healthz": PUBLIC,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    f"GET {API}/openapi.json": PUBLIC,
    f"GET {API}/docs": PUBLIC,
    f"GET {API}/docs/assets/<path:filename>": PUBLIC,
    # ------------------------------------------------------------------ pages (web/pages; keep them together)
    "GET /": SIGNED_IN,
    "GET /logout": SIGNED_IN,
    "POST /logout": SIGNED_IN,
    "GET /tokens": SIGNED_IN,
    "POST /tokens": SIGNED_IN,
    "POST /tokens/<uuid:token_id>/revoke": SIGNED_IN,
    "GET /incidents/new": "incident.report",
    "POST /incidents/new": "incident.report",
    "POST /algorithms": "algorithm.register",
    "GET /approvals": "approval.read",
    f"GET {P}": "incident.read",
    f"POST {P}/steps/<step>/start": "step.start",
    f"POST {P}/steps/<step>/complete": "step.complete",
    f"POST {P}/steps/<step>/waive": "step.waive",
    f"POST {P}/approvals/<uuid:approval_id>/approve": "approval.decide",
    f"POST {P}/approvals/<uuid:approval_id>/reject": ("approval.decide", "step.waive"),
    f"POST {P}/close": "incident.close",
    f"POST {P}/reopen": "incident.reopen",
    f"GET {P}/timeline": "timeline.read",
    f"POST {P}/documents": "document.upload",
    f"GET {P}/documents/<uuid:document_id>": "document.read",
    f"GET {P}/persons": "persons.read",
    f"POST {P}/persons/search": "persons.read",
    f"POST {P}/persons/<uuid:person_id>/open": "persons.read_identity",
    f"POST {P}/persons": "persons.import",
    f"POST {P}/letters": "letters.send",
    f"GET {P}/letters/preview": "letters.send",  # the look before sending (web/pages/letters_preview.py)
    f"GET {P}/letters/preview.pdf": "letters.send",
    f"GET {P}/letters/progress": "letters.read",
    # a letter as sent, its code hidden: for those who read letters and may see who they went to
    f"GET {P}/letters/<uuid:letter_id>": "persons.read_identity",
    f"GET {P}/letters/<uuid:letter_id>/pdf": "persons.read_identity",
    f"GET {P}/responses": "responses.read",
    f"POST {P}/responses/<uuid:response_id>/answer": "responses.answer",
    f"POST {P}/responses/<uuid:response_id>/assignee": "responses.assign",
    f"POST {P}/responses/<uuid:response_id>/decision": "responses.decide",
    f"POST {P}/owner": "incident.assign_owner",
    "GET /waiting": SIGNED_IN,  # what waits on oneself, computed by the service (web/pages/waiting.py)
    f"GET {P}/responses/<uuid:response_id>/attachments/<uuid:attachment_id>": "responses.read",
    "GET /inbox": SIGNED_IN,  # one's own notifications (web/pages/inbox.py)
    "POST /inbox/read": SIGNED_IN,
    "POST /inbox/preferences": SIGNED_IN,
    # the demo mailbox holds citizens' letters: only for those who may see identities
    "GET /mailbox": "persons.read_identity",
    "GET /mailbox/<mail_id>": "persons.read_identity",
    # the citizen's pages: their identity is the signed token from their code, not a login
    # the oversight body's pages: read-only, pseudonymised (web/pages/oversight.py)
    "GET /oversight": "oversight.read",
    "GET /oversight/incidents.csv": "oversight.read",
    "GET /oversight/compliance.csv": "oversight.read",
    # the deadlines not kept of an incident, and the organisation's account of each (web/pages/deadline_accounts.py)
    "GET /incidents/<uuid:incident_id>/deadline-accounts": "incident.read",
    "POST /incidents/<uuid:incident_id>/deadline-accounts": "deadline.account",
    "GET /oversight/incidents/<uuid:incident_id>": "oversight.read",
    "GET /citizen": PUBLIC,
    "POST /citizen": PUBLIC,
    "GET /citizen/letter": PUBLIC,
    "GET /citizen/letter.pdf": PUBLIC,
    "POST /citizen/responses": PUBLIC,
    "POST /citizen/logout": PUBLIC,
    "GET /citizen/signed-out": PUBLIC,
    # the organisation's letterhead, set by its administrator (web/pages/letterhead.py)
    "GET /letterhead": "letterhead.manage",
    "POST /letterhead": "letterhead.manage",
    # accepting an invitation: the single-use secret in the link is the invitee's proof
    "GET /invitations/<secret>": PUBLIC,
    "POST /invitations/<secret>": PUBLIC,
    # ... or, signed in, one addressed to one's own account (the service checks the address)
    "POST /invitations/<uuid:invitation_id>/accept": SIGNED_IN,
    # the user manager's page (web/pages/users.py): the services keep each manager to their organisations
    "GET /users": "user.manage",
    "POST /users": "user.manage",
    "POST /users/<uuid:user_id>/organisations": "user.manage",
    "POST /users/<uuid:user_id>/roles/remove": "user.manage",
    "POST /users/<uuid:user_id>/revoke": "user.manage",
    "POST /users/invitations/<uuid:invitation_id>/withdraw": "user.manage",
    # ------------------------------------------------------------------ end of pages
    # ------------------------------------------------------------------ API: who am I, tokens, users
    f"GET {API}/me": SIGNED_IN,
    f"GET {API}/me/notices": SIGNED_IN,
    f"GET {API}/me/invitations": SIGNED_IN,
    f"GET {API}/me/notifications": SIGNED_IN,
    f"POST {API}/me/notifications/read": SIGNED_IN,
    f"GET {API}/me/notification-preferences": SIGNED_IN,
    f"PUT {API}/me/notification-preferences": SIGNED_IN,
    f"POST {API}/me/invitations/<uuid:invitation_id>/accept": SIGNED_IN,
    f"GET {API}/tokens": SIGNED_IN,
    f"POST {API}/tokens": SIGNED_IN,
    f"GET {API}/tokens/all": "token.manage_any",
    f"DELETE {API}/tokens/<uuid:token_id>": SIGNED_IN,
    f"GET {API}/users": "user.manage",
    f"POST {API}/users": "user.manage",
    f"POST {API}/users/<uuid:user_id>/roles": "user.manage",
    f"DELETE {API}/users/<uuid:user_id>/roles/<role>": "user.manage",
    f"GET {API}/users/audit": "user.audit.read",
    f"GET {API}/investigators": "step.start",
    # ------------------------------------------------------------------ API: the organisation's letterhead
    f"GET {API}/organisations/<uuid:organisation_id>/letterhead": "letterhead.manage",
    f"PUT {API}/organisations/<uuid:organisation_id>/letterhead": "letterhead.manage",
    # ------------------------------------------------------------------ API: protocol definitions
    f"GET {API}/protocols": SIGNED_IN,
    f"GET {API}/protocols/<key>/<int:version>": SIGNED_IN,
    # ------------------------------------------------------------------ API: the deadline calculator
    f"GET {API}/calendar/due": SIGNED_IN,
    # ------------------------------------------------------------------ API: algorithms
    f"POST {API}/algorithms": "algorithm.register",
    f"GET {API}/algorithms": "algorithm.read",
    f"GET {API}/algorithms/<uuid:algorithm_id>": "algorithm.read",
    # ------------------------------------------------------------------ API: incidents
    f"POST {API}/incidents": "incident.report",
    f"GET {API}/incidents": "incident.read",
    f"GET {I}": "incident.read",
    f"POST {I}/steps/<step>/start": "step.start",
    f"POST {I}/steps/<step>/complete": "step.complete",
    f"POST {I}/steps/<step>/waive": "step.waive",
    f"POST {I}/close": "incident.close",
    f"POST {I}/reopen": "incident.reopen",
    f"GET {I}/timeline": "timeline.read",
    f"GET {I}/verify": "incident.verify",
    f"GET {I}/deadlines": "incident.read",
    # ------------------------------------------------------------------ API: four eyes
    f"GET {API}/approvals": "approval.read",
    f"GET {I}/approvals": "approval.read",
    f"POST {I}/approvals/<uuid:approval_id>/approve": "approval.decide",
    # the one who asked may withdraw their own request, a coordinator may reject any
    f"POST {I}/approvals/<uuid:approval_id>/reject": ("approval.decide", "step.waive"),
    # ------------------------------------------------------------------ API: documents
    f"POST {I}/documents": "document.upload",
    f"GET {I}/documents": "document.read",
    f"GET {I}/documents/<uuid:document_id>": "document.read",
    f"GET {I}/documents/<uuid:document_id>/content": "document.read",
    # ------------------------------------------------------------------ API: affected persons, letters, citizens
    f"POST {I}/affected-persons": "persons.import",
    f"GET {I}/affected-persons": "persons.read",
    f"POST {I}/affected-persons/search": "persons.read",
    f"GET {I}/affected-persons/<uuid:person_id>": "persons.read_identity",
    f"POST {I}/letters": "letters.send",
    f"GET {I}/letters/summary": "letters.read",
    f"GET {I}/letters/preview": "letters.send",
    f"GET {I}/letters/preview.pdf": "letters.send",
    f"GET {I}/responses": "responses.read",
    f"POST {I}/responses/<uuid:response_id>/answer": "responses.answer",
    f"GET {I}/responses/<uuid:response_id>/attachments/<uuid:attachment_id>": "responses.read",
    f"PUT {I}/responses/<uuid:response_id>/assignee": "responses.assign",
    f"POST {I}/responses/<uuid:response_id>/decision": "responses.decide",
    f"PUT {I}/owner": "incident.assign_owner",
    f"GET {API}/me/waiting": SIGNED_IN,
    # ------------------------------------------------------------------ API: the transparency log (oversight)
    # heads, key and consistency proofs carry no organisation's data; an inclusion proof is served
    # only to whoever may read the event's incident (the service checks that, scoped)
    f"GET {API}/oversight/checkpoints": ("oversight.read", "checkpoint.create"),
    f"GET {API}/oversight/checkpoints/<int:size>": ("oversight.read", "checkpoint.create"),
    f"GET {API}/oversight/public-key": ("oversight.read", "checkpoint.create"),
    f"GET {API}/oversight/proofs/consistency": ("oversight.read", "checkpoint.create"),
    f"GET {API}/oversight/proofs/inclusion": ("oversight.read", "timeline.read"),
    # ------------------------------------------------------------------ API: oversight views (read-only, pseudonymised)
    f"GET {API}/oversight/incidents": "oversight.read",
    f"GET {API}/oversight/incidents.csv": "oversight.read",
    f"GET {API}/oversight/incidents/<uuid:incident_id>": "oversight.read",
    f"GET {API}/oversight/incidents/<uuid:incident_id>/timeline": "oversight.read",
    f"GET {API}/oversight/notices": "oversight.read",
    f"GET {API}/oversight/compliance": "oversight.read",
    f"GET {API}/oversight/compliance.csv": "oversight.read",
    # what the organisation did about a deadline not kept (web/api/deadline_accounts.py)
    f"POST {API}/incidents/<uuid:incident_id>/deadlines/<uuid:deadline_id>/account": "deadline.account",
    # an incident's export bundle (web/api/oversight_export.py): the service answers 404 unless granted
    f"GET {API}/oversight/incidents/<uuid:incident_id>/export": "oversight.export",
    # citizens hold no staff account: their session token is checked by the notifications services
    f"POST {API}/citizen/session": PUBLIC,
    f"GET {API}/citizen/letter": PUBLIC,
    f"GET {API}/citizen/letter.pdf": PUBLIC,
    f"GET {API}/citizen/status": PUBLIC,
    f"POST {API}/citizen/responses": PUBLIC,
}


def route_key(method: str, rule: str) -> str:
    return f"{method} {rule}"


def access_for(method: str, rule: str) -> Access | None:
    """What a route needs; HEAD is a GET, OPTIONS only lists the methods."""
    if method == "OPTIONS":
        return PUBLIC
    return ROUTES.get(route_key("GET" if method == "HEAD" else method, rule))


def routes_of(app: Flask) -> Iterable[tuple[str, Rule]]:
    """Every (method, rule) the app serves, without the automatic HEAD and OPTIONS."""
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, rule


def undeclared_routes(app: Flask) -> list[str]:
    return [route_key(m, r.rule) for m, r in routes_of(app) if route_key(m, r.rule) not in ROUTES]


def permits(principal: Principal, access: Access) -> bool:
    """True if any of the principal's roles, in any organisation, holds a grant for the action(s)."""
    if access in (PUBLIC, SIGNED_IN):
        return True
    actions = (access,) if isinstance(access, str) else access
    return any(
        role in MATRIX[action] for action in actions for roles in principal.memberships.values() for role in roles
    )


def check_declared(app: Flask) -> None:
    """Refuse to start with a route that is not in the table, or an action the matrix does not know."""
    missing = undeclared_routes(app)
    if missing:
        raise RuntimeError("routes missing from web.access.ROUTES: " + ", ".join(missing))
    for key, access in ROUTES.items():
        for action in (access,) if isinstance(access, str) else access:
            if action not in (PUBLIC, SIGNED_IN) and action not in MATRIX:
                raise RuntimeError(f"{key}: action {action!r} is not in the permission matrix")


def current_principal() -> Principal | None:
    """The signed-in user of this request (set by the guard)."""
    found: Principal | None = g.get("principal")
    return found


def bearer_secret() -> str | None:
    """The secret of this request's `Authorization: Bearer …` header (a staff or a citizen token)."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def _bearer_principal() -> Principal | None:
    secret = bearer_secret()
    return authenticate_token(uow=herstel().uow(), secret=secret) if secret else None


def _session_principal() -> Principal | None:
    secret = session.get(STAFF_SESSION)
    if not secret:
        return None
    principal = session_principal(uow=herstel().uow(), secret=str(secret))
    if principal is None:
        session.pop(STAFF_SESSION, None)  # ended (logout, idle, lifetime, switched off): keep only lang and CSRF
    return principal


def guard() -> Response | None:
    """before_request: authenticate, then check the route's declared access against the matrix."""
    rule = request.url_rule
    if rule is None:
        return None  # routing will answer 404 or 405
    access = access_for(request.method, rule.rule)
    if access is None:  # only reachable if check_declared was bypassed: fail closed
        raise Forbidden(messages.ROUTE_UNDECLARED(), rule="route-undeclared")
    if access == PUBLIC:
        # public pages still show who is signed in; the API and static files need no one
        static = (request.endpoint or "").rpartition(".")[2] == "static"
        g.principal = None if rule.rule.startswith(API) or static else _session_principal()
        return None
    is_api = rule.rule.startswith(API)
    principal = _bearer_principal() if is_api else _session_principal()
    g.principal = principal
    if principal is None:
        if is_api:
            abort(
                401,
                message="a valid bearer token is required (Authorization: Bearer <token>)",
                rule="authentication",
                headers={"WWW-Authenticate": 'Bearer realm="herstel"'},
            )
        return redirect(url_for("auth.login_form", next=_local_next()))
    if not permits(principal, access):
        actions = access if isinstance(access, str) else " or ".join(access)
        raise Forbidden(messages.ROLE_NOT_ALLOWED(action=actions), rule="permission", action=actions)
    return None


def _local_next() -> str:
    return local_target(request.full_path.rstrip("?")) or "/"


def local_target(target: str | None) -> str | None:
    """`target` if it is a path on this site and nothing a browser could read as another host, else None.

    Browsers drop tab, CR and LF from a URL, read a backslash as a slash and may undo percent-escapes
    of either, so "/<TAB>/evil.example" and "/%2F/evil.example" are "//evil.example" to them. Rather than
    enumerate such tricks, only plain printable ASCII without a backslash is taken: a path, optionally
    with a query, whose decoded form starts with exactly one slash.
    """
    if not target or len(target) > 2048 or not all("!" <= c <= "~" and c != "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    decoded = unquote(target)  # the path as a browser or a proxy that undoes escapes might see it
    if not decoded.startswith("/") or decoded.startswith("//") or "\\" in decoded:
        return None
    return target if decoded.isprintable() else None


def install(app: Flask) -> None:
    """Check the table is complete and put the guard in front of every request."""
    check_declared(app)
    app.before_request(guard)
