"""list_staff: the colleagues a user may see named on pages, never beyond their organisations."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from installation import Herstel
from protocol.services import InvalidEvidence, Principal, create_organisation, create_user, get_principal, list_staff


def test_lists_colleagues_by_name_with_roles_and_no_email(
    herstel: Herstel, make_user: Callable[..., Principal]
) -> None:
    officer = make_user("officer", email="anna@example.nl")
    investigator = make_user("investigator", email="ivo@example.nl")
    other_org = create_organisation(uow=herstel.uow(), slug="elders", name="Elders", reference_prefix="ELD")
    outsider_id = create_user(
        uow=herstel.uow(),
        by=Principal.installation(),
        email="zoe@elders.nl",
        roles=["officer"],
        organisation_id=other_org,
    )

    staff = list_staff(uow=herstel.uow(), principal=officer)

    by_id = {s["id"]: s for s in staff}
    assert by_id[officer.user_id]["display_name"] == "anna"
    assert by_id[investigator.user_id]["roles"] == ["investigator"]
    assert outsider_id not in by_id
    assert all("email" not in s for s in staff)


def test_filters_by_role(herstel: Herstel, make_user: Callable[..., Principal]) -> None:
    officer = make_user("officer")
    investigator = make_user("investigator")

    only = list_staff(uow=herstel.uow(), principal=officer, role="investigator")

    assert [s["id"] for s in only] == [investigator.user_id]
    with pytest.raises(InvalidEvidence):
        list_staff(uow=herstel.uow(), principal=officer, role="wizard")


def test_an_outsider_sees_only_their_own_organisation(herstel: Herstel, make_user: Callable[..., Principal]) -> None:
    make_user("officer")
    other_org = create_organisation(uow=herstel.uow(), slug="elders", name="Elders", reference_prefix="ELD")
    outsider = get_principal(
        uow=herstel.uow(),
        user_id=create_user(
            uow=herstel.uow(),
            by=Principal.installation(),
            email="zoe@elders.nl",
            roles=["officer"],
            organisation_id=other_org,
        ),
    )

    assert [s["id"] for s in list_staff(uow=herstel.uow(), principal=outsider)] == [outsider.user_id]
