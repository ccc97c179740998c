"""One error hierarchy for everything the protocol refuses.

Every refusal names the rule that refused it (`rule`), so that the web can show it to an
officer and map it to an HTTP status without guessing.
"""

from __future__ import annotations

from typing import Any


class ProtocolError(Exception):
    """Base of every refusal by the protocol engine or its services."""

    rule: str = "protocol"

    def __init__(self, message: str, *, rule: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if rule is not None:
            self.rule = rule
        self.details = details

    def __str__(self) -> str:
        return self.message


class NotFound(ProtocolError):
    """The incident, step, approval or other object does not exist (or is not visible)."""

    rule = "not-found"


class InvalidEvidence(ProtocolError):
    """The evidence or input given for an action does not satisfy its schema."""

    rule = "evidence"

    def __init__(self, message: str, *, errors: dict[str, list[str]], rule: str | None = None) -> None:
        super().__init__(message, rule=rule)
        self.errors = errors


class StateConflict(ProtocolError):
    """The action is not allowed in the current state."""

    rule = "transition"


class StepBlocked(StateConflict):
    """The step cannot move yet: a required step is open, or it does not apply."""

    rule = "requires"


class IllegalTransition(StateConflict):
    """The transition table has no such move from the step's current state."""

    rule = "transition"


class StaleVersion(StateConflict):
    """The action was based on an older version of the incident than the current one."""

    rule = "version"


class NotAllowed(ProtocolError):
    """The actor may not take this action under the protocol's rules (four eyes, system-only)."""

    rule = "not-allowed"


class ApproverTooNew(NotAllowed):
    """Four eyes: the second signature comes from an account made after the request it would approve.

    Otherwise anyone able to get an account made could supply their own second pair of eyes.
    """

    rule = "four-eyes-account-age"


class DefinitionError(ProtocolError):
    """A protocol definition file is invalid; the message names the file and the key."""

    rule = "definition"

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source = source
        self.key = key
        self.problem = problem
