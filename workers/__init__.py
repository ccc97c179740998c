"""Background work: the dramatiq broker and actors, the outbox relay, and the scheduler.

Actors are thin: they take ids and call `protocol.services`. Import `workers.runtime` and call
`configure()` before importing `workers.actors`: dramatiq binds an actor to the broker that is
current when the actor is declared.
"""
