"""The blueprints of the app. Adding one is one line here (and its routes in web.access.ROUTES).

API blueprints are flask-smorest `Blueprint`s (documented in the OpenAPI document, exempt from
CSRF because they authenticate with bearer tokens, not cookies); page blueprints are plain Flask
blueprints behind the session login and CSRF protection. Each module exposes `blp`.
"""

from __future__ import annotations

API_BLUEPRINTS = (
    "web.api.accounts",
    "web.api.protocols",
    "web.api.calendar",
    "web.api.algorithms",
    "web.api.incidents",
    "web.api.steps",
    "web.api.approvals",
    "web.api.timeline",
    "web.api.documents",
    "web.api.persons",
    "web.api.letters",
    "web.api.responses",
    "web.api.citizens",
    "web.api.transparency",
    "web.api.oversight_incidents",
    "web.api.oversight_export",
    "web.api.inbox",
)

PAGE_BLUEPRINTS = (
    "web.api.docs",  # the browsable API documentation (a page, served from local assets)
    "web.pages.auth",
    "web.pages.invitations",
    # the pages (routes in web.access.ROUTES, section "pages")
    "web.pages.layout",
    "web.pages.home",
    "web.pages.report",
    "web.pages.incidents",
    "web.pages.documents",
    "web.pages.timeline",
    "web.pages.approvals",
    "web.pages.tokens",
    "web.pages.letters",
    "web.pages.responses",
    "web.pages.mailbox",
    "web.pages.citizen",
    "web.pages.oversight",
    "web.pages.inbox",
)
