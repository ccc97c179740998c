"""What `herstel worker` hands to dramatiq: configures the broker from the environment, then the actors."""

from __future__ import annotations

from workers import runtime

broker = runtime.configure()

from workers import (  # noqa: E402 - after configure(): actors bind to the current broker
    actors,  # noqa: F401 - actors bind to the broker configured above
    inbox,  # noqa: F401 - the staff inbox's actors (mail, digest)
    letters,  # noqa: F401 - the letters' actors
)
