"""The blueprints of the app. Adding one: import it and list its `blp` here
(and its routes in web.access.ROUTES).

API blueprints are flask-smorest `Blueprint`s (documented in the OpenAPI document, exempt from
CSRF because they authenticate with bearer tokens, not cookies); page blueprints are plain Flask
blueprints behind the session login and CSRF protection. Each module exposes `blp`.
"""

from __future__ import annotations

from flask import Blueprint
from flask_smorest import Blueprint as ApiBlueprint

import web.api.accounts
import web.api.algorithms
import web.api.approvals
import web.api.calendar
import web.api.citizens
import web.api.deadline_accounts
import web.api.docs
import web.api.documents
import web.api.inbox
import web.api.incidents
import web.api.letterhead
import web.api.letters
import web.api.oversight_export
import web.api.oversight_incidents
import web.api.persons
import web.api.protocols
import web.api.responses
import web.api.steps
import web.api.timeline
import web.api.transparency
import web.api.waiting
import web.pages.approvals
import web.pages.auth
import web.pages.citizen
import web.pages.deadline_accounts
import web.pages.documents
import web.pages.home
import web.pages.inbox
import web.pages.incidents
import web.pages.invitations
import web.pages.layout
import web.pages.letterhead
import web.pages.letters
import web.pages.letters_preview
import web.pages.mailbox
import web.pages.oversight
import web.pages.report
import web.pages.responses
import web.pages.timeline
import web.pages.tokens
import web.pages.users
import web.pages.waiting

API_BLUEPRINTS: tuple[ApiBlueprint, ...] = (
    web.api.accounts.blp,
    web.api.protocols.blp,
    web.api.calendar.blp,
    web.api.algorithms.blp,
    web.api.incidents.blp,
    web.api.steps.blp,
    web.api.approvals.blp,
    web.api.timeline.blp,
    web.api.documents.blp,
    web.api.persons.blp,
    web.api.letters.blp,
    web.api.responses.blp,
    web.api.citizens.blp,
    web.api.transparency.blp,
    web.api.oversight_incidents.blp,
    web.api.oversight_export.blp,
    web.api.deadline_accounts.blp,
    web.api.waiting.blp,
    web.api.inbox.blp,
    web.api.letterhead.blp,
)

PAGE_BLUEPRINTS: tuple[Blueprint, ...] = (
    web.api.docs.blp,  # the browsable API documentation (a page, served from local assets)
    web.pages.auth.blp,
    web.pages.invitations.blp,
    # the pages (routes in web.access.ROUTES, section "pages")
    web.pages.layout.blp,
    web.pages.home.blp,
    web.pages.report.blp,
    web.pages.incidents.blp,
    web.pages.documents.blp,
    web.pages.timeline.blp,
    web.pages.approvals.blp,
    web.pages.tokens.blp,
    web.pages.letters.blp,
    web.pages.letters_preview.blp,
    web.pages.responses.blp,
    web.pages.mailbox.blp,
    web.pages.citizen.blp,
    web.pages.oversight.blp,
    web.pages.deadline_accounts.blp,
    web.pages.inbox.blp,
    web.pages.users.blp,
    web.pages.waiting.blp,
    web.pages.letterhead.blp,
)
