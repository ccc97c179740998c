"""The process-wide runtime of the workers: which broker, which installation.

A worker process (`herstel worker`) configures it from the environment when dramatiq imports
`workers.entry`; the embedded stack (`herstel up`) configures it with its own installation and
dramatiq's in-process broker.
"""

from __future__ import annotations

import threading
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker

from installation import Herstel, Settings, bootstrap
from notifications.services import Vault

_lock = threading.Lock()
_herstel: Herstel | None = None
_broker: dramatiq.Broker | None = None
# A killed worker's messages come back after this heartbeat timeout, checked on this share of
# broker commands (out of a million). dramatiq's defaults (60 s, 0.1 %) can leave them for many
# minutes; the outbox would resend them anyway, but recovery this fast keeps campaigns moving.
HEARTBEAT_TIMEOUT_MS = 15_000
MAINTENANCE_CHANCE = 50_000


def make_broker(settings: Settings, *, namespace: str | None = None) -> dramatiq.Broker:
    """Redis in production; dramatiq's in-process broker when no Redis is configured."""
    broker: dramatiq.Broker
    if settings.redis_url:
        broker = RedisBroker(  # type: ignore[no-untyped-call]
            url=settings.redis_url,
            namespace=namespace or settings.broker_namespace,
            heartbeat_timeout=HEARTBEAT_TIMEOUT_MS,
            maintenance_chance=MAINTENANCE_CHANCE,
            socket_timeout=10,
            socket_connect_timeout=5,
        )
    else:
        broker = StubBroker()
    return broker


def configure(
    herstel: Herstel | None = None, broker: dramatiq.Broker | None = None, **broker_options: Any
) -> dramatiq.Broker:
    """Set the installation and the broker for this process (before `workers.actors` is imported)."""
    global _herstel, _broker
    with _lock:
        _herstel = herstel or bootstrap()
        _broker = broker or make_broker(_herstel.settings, **broker_options)
        dramatiq.set_broker(_broker)
    bind_actors(_broker)
    connect_letters(_herstel)
    return _broker


def connect_letters(installation: Herstel) -> None:
    """Letters of this installation go to the letters actor (unless a caller wired another way already)."""
    from workers import letters  # here, not above: the actors module imports this one

    if not installation.dispatch.connected:
        installation.dispatch.connect(letters.dispatch)


def herstel() -> Herstel:
    """The installation the actors work for."""
    global _herstel
    with _lock:
        if _herstel is None:
            _herstel = bootstrap()
        found = _herstel
    connect_letters(found)
    return found


def vault() -> Vault:
    """The installation's keys for personal data (built once, by the composition root)."""
    return herstel().vault


def broker() -> dramatiq.Broker:
    if _broker is None:
        raise RuntimeError("workers.runtime.configure() was not called")
    return _broker


def all_actors() -> list[dramatiq.Actor[Any, Any]]:
    """Every actor Herstel declares (its own, the letters' and the staff inbox's)."""
    from workers import actors, inbox, letters  # here, not above: they import this module

    found: list[dramatiq.Actor[Any, Any]] = []
    for module in (actors, letters, inbox):
        found.extend(v for v in vars(module).values() if isinstance(v, dramatiq.Actor))
    return found


def bind_actors(target: dramatiq.Broker) -> None:
    """Declare every actor on `target`, whatever broker it was declared on before."""
    for actor in all_actors():
        actor.broker = target
        target.declare_actor(actor)
