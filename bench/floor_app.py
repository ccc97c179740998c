"""The floor for `bench/web_latency.py`: the least a GET incident can cost on Herstel's own stack.

A bare Flask app served by gunicorn with the settings `herstel web` uses (gthread, the same workers
and threads, access log on), reading the same PostgreSQL database through SQLAlchemy and psycopg
with Herstel's pool settings. Per request it does what any authenticated read must: look up the
bearer token with its user and memberships (the query Herstel runs on every API request), then
read one stored JSON document — the incident exactly as Herstel answered it, kept in a table by
the bench — and return it. No sessions, no ORM objects, no serialisation: whatever Herstel spends
above this is its own.

    gunicorn --worker-class gthread 'bench.floor_app:create_app()'   (with HERSTEL_FLOOR_DATABASE_URL)
"""

from __future__ import annotations

import hashlib
import os

import sqlalchemy as sa
from flask import Flask, Response, request

TABLE = "bench_floor_documents"
TOKEN_HOLDER = sa.text(
    "SELECT t.id, u.id, m.organisation_id, m.role FROM api_tokens t"
    " JOIN users u ON u.id = t.user_id LEFT JOIN memberships m ON m.user_id = u.id"
    " WHERE t.token_hash = :hash"
)
DOCUMENT = sa.text(f"SELECT document FROM {TABLE} WHERE id = :id")


def create_table(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {TABLE} (id text PRIMARY KEY, document text NOT NULL)")


def store(engine: sa.Engine, document_id: str, document: bytes) -> None:
    """Keep the document the floor serves under the path's id (the bench stores Herstel's own answer)."""
    create_table(engine)
    with engine.begin() as connection:
        connection.execute(
            sa.text(f"INSERT INTO {TABLE} (id, document) VALUES (:id, :document)"),
            {"id": document_id, "document": document.decode("utf-8")},
        )


def create_app(url: str | None = None) -> Flask:
    engine = sa.create_engine(
        url or os.environ["HERSTEL_FLOOR_DATABASE_URL"], pool_size=10, max_overflow=10, pool_pre_ping=True
    )
    app = Flask(__name__)

    @app.get("/api/v1/incidents/<document_id>")
    def incident(document_id: str) -> Response:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret:
            return Response(status=401)
        with engine.connect() as connection:
            holder = connection.execute(TOKEN_HOLDER, {"hash": hashlib.sha256(secret.encode()).hexdigest()}).all()
            if not holder:
                return Response(status=401)
            document = connection.execute(DOCUMENT, {"id": document_id}).scalar_one_or_none()
        if document is None:
            return Response(status=404)
        return Response(document, mimetype="application/json")

    return app
