"""Who acts: a user in one of their roles, the system itself, or a citizen with an access code."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID


class Role(StrEnum):
    """The roles a user can hold within an organisation."""

    OFFICER = "officer"
    COORDINATOR = "coordinator"
    INVESTIGATOR = "investigator"
    OVERSIGHT = "oversight"
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    """The one who takes an action; recorded on every event by reference, never by name."""

    kind: str  # "user", "system" or "citizen"
    id: UUID | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)

    @classmethod
    def user(cls, user_id: UUID, *roles: Role | str) -> Actor:
        """A signed-in user acting with the roles they hold in the incident's organisation."""
        return cls("user", user_id, frozenset(Role(r) for r in roles))

    @classmethod
    def citizen(cls, person_id: UUID) -> Actor:
        """An affected person acting through their access code."""
        return cls("citizen", person_id)

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    def has(self, role: Role) -> bool:
        return role in self.roles

    def ref(self) -> str:
        """The stable reference written into events: `user:<uuid>`, `citizen:<uuid>` or `system`."""
        return self.kind if self.id is None else f"{self.kind}:{self.id}"


SYSTEM = Actor("system")


INSTALLATION_ID = UUID(int=0)  # no user has it: user ids are random (version 4)


@dataclass(frozen=True)
class Principal:
    """An authenticated user and the roles they hold in each organisation; or the installation itself.

    The installation's own authority (its operator at the command line, its scheduler) is a value
    of its own, `Principal.installation()`, passed explicitly: no service reads a missing principal
    as "allowed everything". It is never built from a request, so no web caller can hold it.
    """

    user_id: UUID
    memberships: dict[UUID, frozenset[Role]]
    email: str = ""
    display_name: str = ""
    authority: str = "user"  # "user" or "installation"

    @classmethod
    def installation(cls) -> Principal:
        """The installation's operator (the CLI) and its own processes: no organisation, every account."""
        return cls(INSTALLATION_ID, {}, display_name="installation", authority="installation")

    @property
    def is_installation(self) -> bool:
        return self.authority == "installation"

    def ref(self) -> str:
        """How user management records who acted: `user:<uuid>` or `installation`."""
        return "installation" if self.is_installation else f"user:{self.user_id}"

    def roles_in(self, organisation_id: UUID) -> frozenset[Role]:
        return self.memberships.get(organisation_id, frozenset())

    def actor_in(self, organisation_id: UUID) -> Actor:
        """The actor this principal is when acting within one organisation."""
        return Actor("user", self.user_id, self.roles_in(organisation_id))

    @property
    def all_roles(self) -> frozenset[Role]:
        return frozenset().union(*self.memberships.values()) if self.memberships else frozenset()
