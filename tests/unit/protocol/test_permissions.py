"""The permission matrix: which role may take which action, on which incidents and steps, in which organisation."""

from __future__ import annotations

from uuid import UUID

import pytest

from protocol.identity import SYSTEM, Actor, Principal, Role
from protocol.permissions import ALL, ASSIGNED, MATRIX, Forbidden, Grant, grant_for, organisations_for, require

MINISTRY = UUID(int=0x100)
AGENCY = UUID(int=0x200)
ELSEWHERE = UUID(int=0x300)


def principal(**memberships: tuple[Role, ...]) -> Principal:
    ids = {"ministry": MINISTRY, "agency": AGENCY}
    return Principal(UUID(int=0x1), {ids[name]: frozenset(roles) for name, roles in memberships.items()})


OFFICER = principal(ministry=(Role.OFFICER,))
COORDINATOR = principal(ministry=(Role.COORDINATOR,))
INVESTIGATOR = principal(ministry=(Role.INVESTIGATOR,))
OVERSIGHT = principal(ministry=(Role.OVERSIGHT,), agency=(Role.OVERSIGHT,))
ADMIN = principal(ministry=(Role.ADMIN,))


def test_every_grant_names_a_known_role_and_scope() -> None:
    for action, grants in MATRIX.items():
        assert grants, action
        for role, grant in grants.items():
            assert isinstance(role, Role)
            assert grant.scope in ("organisation", "assigned"), action


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_every_action_is_granted_exactly_to_the_roles_in_the_matrix(action: str) -> None:
    for role in Role:
        someone = Principal(UUID(int=0x2), {MINISTRY: frozenset({role})})
        grant = grant_for(someone, action, MINISTRY)
        assert grant == MATRIX[action].get(role), (action, role)


def test_an_action_not_in_the_matrix_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match=r"'incident\.delete' is not in the permission matrix"):
        grant_for(OFFICER, "incident.delete", MINISTRY)


@pytest.mark.parametrize(
    ("who", "action", "allowed"),
    [
        (OFFICER, "incident.report", True),
        (OFFICER, "incident.close", False),
        (COORDINATOR, "incident.close", True),
        (COORDINATOR, "incident.reopen", True),
        (OFFICER, "approval.decide", False),
        (COORDINATOR, "approval.decide", True),
        (INVESTIGATOR, "persons.read", False),
        (INVESTIGATOR, "persons.read_identity", False),
        (OVERSIGHT, "persons.read_identity", False),
        (OVERSIGHT, "incident.read", False),
        (OVERSIGHT, "oversight.export", True),
        (ADMIN, "definition.manage", True),
        (OFFICER, "definition.manage", False),
        (COORDINATOR, "user.manage", True),
        (COORDINATOR, "token.manage_any", False),
    ],
)
def test_the_roles_of_the_design(who: Principal, action: str, allowed: bool) -> None:
    assert (grant_for(who, action, MINISTRY) is not None) is allowed


def test_require_returns_the_grant_or_refuses_naming_the_action() -> None:
    assert require(OFFICER, "step.start", MINISTRY) == ALL

    with pytest.raises(Forbidden) as caught:
        require(OFFICER, "incident.close", MINISTRY)

    assert caught.value.rule == "permission"
    assert caught.value.details == {"action": "incident.close"}
    assert "incident.close" in str(caught.value)


# ---------------------------------------------------------------------- scopes


def test_an_investigator_reads_only_incidents_assigned_to_them() -> None:
    assert require(INVESTIGATOR, "incident.read", MINISTRY, assigned=True) == ASSIGNED

    with pytest.raises(Forbidden) as caught:
        require(INVESTIGATOR, "incident.read", MINISTRY)

    assert caught.value.rule == "permission-assigned"


def test_an_investigator_may_complete_only_the_investigation() -> None:
    grant = require(INVESTIGATOR, "step.complete", MINISTRY, assigned=True, step="investigate")
    assert grant.steps == ("investigate",)

    for step in ("assess", "suspend", "sanction", None):
        with pytest.raises(Forbidden) as caught:
            require(INVESTIGATOR, "step.complete", MINISTRY, assigned=True, step=step)
        assert caught.value.rule == "permission-step"

    with pytest.raises(Forbidden) as caught:
        require(INVESTIGATOR, "step.complete", MINISTRY, step="investigate")
    assert caught.value.rule == "permission-assigned", "and only on an incident assigned to them"


def test_an_investigator_may_not_start_or_waive() -> None:
    for action in ("step.start", "step.waive"):
        with pytest.raises(Forbidden):
            require(INVESTIGATOR, action, MINISTRY, assigned=True, step="investigate")


def test_officers_complete_any_step_of_any_incident_of_their_organisation() -> None:
    for step in ("assess", "investigate", "inform"):
        assert require(OFFICER, "step.complete", MINISTRY, step=step) == ALL


# ---------------------------------------------------------------------- several organisations and roles


def test_the_widest_grant_of_several_roles_wins() -> None:
    both = principal(ministry=(Role.INVESTIGATOR, Role.OFFICER))

    assert grant_for(both, "incident.read", MINISTRY) == ALL
    assert require(both, "step.complete", MINISTRY, step="assess") == ALL


def test_roles_hold_only_in_the_organisation_they_were_given_in() -> None:
    split = principal(ministry=(Role.COORDINATOR,), agency=(Role.INVESTIGATOR,))

    assert grant_for(split, "incident.close", MINISTRY) == ALL
    assert grant_for(split, "incident.close", AGENCY) is None
    assert grant_for(split, "incident.read", AGENCY) == ASSIGNED
    assert grant_for(split, "incident.read", ELSEWHERE) is None
    with pytest.raises(Forbidden):
        require(split, "incident.close", AGENCY)


def test_organisations_for_lists_where_and_how_an_action_is_allowed() -> None:
    split = principal(ministry=(Role.COORDINATOR,), agency=(Role.INVESTIGATOR,))

    assert organisations_for(split, "incident.read") == {MINISTRY: ALL, AGENCY: ASSIGNED}
    assert organisations_for(split, "incident.close") == {MINISTRY: ALL}
    assert organisations_for(split, "oversight.read") == {}
    assert organisations_for(OVERSIGHT, "oversight.read") == {MINISTRY: ALL, AGENCY: ALL}


def test_a_principal_without_memberships_may_do_nothing() -> None:
    nobody = Principal(UUID(int=0x9), {})

    assert organisations_for(nobody, "incident.read") == {}
    assert nobody.all_roles == frozenset()
    with pytest.raises(Forbidden):
        require(nobody, "algorithm.read", MINISTRY)


# ---------------------------------------------------------------------- identity


def test_actors_are_recorded_by_reference() -> None:
    split = principal(ministry=(Role.COORDINATOR,), agency=(Role.INVESTIGATOR,))

    actor = split.actor_in(AGENCY)

    assert actor == Actor("user", UUID(int=0x1), frozenset({Role.INVESTIGATOR}))
    assert actor.ref() == f"user:{UUID(int=0x1)}"
    assert actor.has(Role.INVESTIGATOR)
    assert not actor.has(Role.COORDINATOR)
    assert split.all_roles == {Role.COORDINATOR, Role.INVESTIGATOR}
    assert split.actor_in(ELSEWHERE).roles == frozenset()
    assert SYSTEM.ref() == "system"
    assert SYSTEM.is_system
    assert Actor.citizen(UUID(int=5)).ref() == f"citizen:{UUID(int=5)}"
    assert Actor.user(UUID(int=6), "officer").roles == {Role.OFFICER}


def test_grants_are_values() -> None:
    assert Grant() == ALL
    assert Grant("assigned") == ASSIGNED
    assert Grant("assigned", steps=("investigate",)) != ASSIGNED
