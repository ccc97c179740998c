"""Bulk writes that stay fast at 100,000 rows, on both databases (the storage layer's helpers: the
services never ask which database they run on)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert, text, update
from sqlalchemy.orm import Session

from protocol.storage.tables import Base

CHUNK = 2000  # rows per bulk statement (keeps parameter counts far below driver limits)


def is_postgresql(session: Session) -> bool:
    """Whether the session's database is PostgreSQL (COPY, INSERT ... SELECT with gen_random_uuid)."""
    return session.get_bind().dialect.name == "postgresql"


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk_insert(session: Session, table: type[Base], rows: Sequence[dict[str, Any]]) -> int:
    """Insert many rows in the session's transaction: COPY on PostgreSQL, executemany elsewhere.

    COPY matters at 100,000 rows: multi-row INSERTs spend most of their time having the driver
    parse statements with thousands of placeholders.
    """
    if not rows:
        return 0
    columns = list(rows[0])
    return bulk_insert_rows(session, table, columns, (tuple(row[c] for c in columns) for row in rows))


def bulk_insert_rows(
    session: Session, table: type[Base], columns: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """Insert rows given as tuples in `columns`' order, consumed as they come: on PostgreSQL one COPY
    that writes each row as the iterable yields it (a producer sealing rows keeps working meanwhile),
    elsewhere an executemany per CHUNK rows. `bulk_insert` is this for rows given as dicts."""
    unknown = set(columns) - set(table.__table__.columns.keys())
    if unknown:  # the names below come from the model, never from input
        raise ValueError(f"bulk_insert_rows: not columns of {table.__tablename__}: {sorted(unknown)}")
    count = 0
    if not is_postgresql(session):
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(dict(zip(columns, row, strict=True)))
            if len(batch) == CHUNK:
                session.execute(insert(table), batch)
                count, batch = count + len(batch), []
        if batch:
            session.execute(insert(table), batch)
        return count + len(batch)
    raw = session.connection().connection.driver_connection
    assert raw is not None
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.__tablename__}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def bulk_update(session: Session, table: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Update many rows by primary key (`id` in every row): on PostgreSQL COPY into a scratch
    table and one UPDATE … FROM; elsewhere an executemany by primary key."""
    if not rows:
        return
    if not is_postgresql(session):
        for chunk in chunks(rows):
            session.execute(update(table), list(chunk))
        return
    columns = list(rows[0])
    unknown = set(columns) - set(table.__table__.columns.keys())
    if unknown or "id" not in columns:  # names below come from the model, never from input
        raise ValueError(f"bulk_update: not columns of {table.__tablename__}: {sorted(unknown)}")
    scratch = f"bulk_{uuid.uuid4().hex[:12]}"
    names = ", ".join(f'"{c}"' for c in columns)
    name = table.__tablename__
    # CREATE … AS … WITH NO DATA copies the column types and none of the constraints
    create = f'CREATE TEMP TABLE {scratch} ON COMMIT DROP AS SELECT {names} FROM "{name}" WITH NO DATA'  # noqa: S608 - model names only
    session.execute(text(create))
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(f"COPY {scratch} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row[c] for c in columns))
    assignments = ", ".join(f'"{c}" = s."{c}"' for c in columns if c != "id")
    merge = f'UPDATE "{name}" AS t SET {assignments} FROM {scratch} AS s WHERE t.id = s.id'  # noqa: S608 - model names only
    session.execute(text(merge))
