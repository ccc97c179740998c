"""The scheduler lease: which of the started schedulers is the one that enqueues the jobs."""

from __future__ import annotations

from protocol.storage.uow import UnitOfWork

SCHEDULER_LEASE = "scheduler"


def claim_scheduler_lease(*, uow: UnitOfWork, holder: str, seconds: float) -> bool:
    """Take the lease, renew it if `holder` has it, or take it over once its holder let it expire."""
    with uow:
        held = uow.leases.claim(SCHEDULER_LEASE, holder=holder, now=uow.now(), seconds=seconds)
        uow.commit()
        return held


def release_scheduler_lease(*, uow: UnitOfWork, holder: str) -> None:
    """Give the lease up on a clean stop, so another scheduler takes over at its next heartbeat."""
    with uow:
        uow.leases.release(SCHEDULER_LEASE, holder=holder, now=uow.now())
        uow.commit()


def scheduler_lease_holder(*, uow: UnitOfWork) -> str | None:
    """The holder of the lease now, or None (for `herstel status` and the tests)."""
    with uow.read_only():
        return uow.leases.holder(SCHEDULER_LEASE, now=uow.now())
