"""Algorithms (the register entries incidents are about) and protocol definitions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from protocol.storage.tables import AlgorithmRow, DocumentRow, ProtocolDefinitionRow


class AlgorithmRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: AlgorithmRow) -> None:
        self.session.add(row)
        self.session.flush()

    def get(
        self, algorithm_id: uuid.UUID, *, organisation_ids: Iterable[uuid.UUID] | None = None
    ) -> AlgorithmRow | None:
        stmt = select(AlgorithmRow).where(AlgorithmRow.id == algorithm_id)
        if organisation_ids is not None:
            stmt = stmt.where(AlgorithmRow.organisation_id.in_(list(organisation_ids)))
        return self.session.scalars(stmt).one_or_none()

    def by_name(self, organisation_id: uuid.UUID, name: str) -> AlgorithmRow | None:
        return self.session.scalars(
            select(AlgorithmRow).where(AlgorithmRow.organisation_id == organisation_id, AlgorithmRow.name == name)
        ).one_or_none()

    def list(self, *, organisation_ids: Iterable[uuid.UUID]) -> list[AlgorithmRow]:
        return list(
            self.session.scalars(
                select(AlgorithmRow)
                .where(AlgorithmRow.organisation_id.in_(list(organisation_ids)))
                .order_by(AlgorithmRow.name)
            )
        )

    def mark_suspended(self, algorithm_id: uuid.UUID, *, incident_id: uuid.UUID, at: datetime) -> None:
        row = self.session.get(AlgorithmRow, algorithm_id)
        if row is not None and not row.suspended:
            row.suspended, row.suspended_at, row.suspended_by_incident_id = True, at, incident_id


class DefinitionRepository:
    """The protocol definitions an installation knows, stored with their exact text."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str, version: int) -> ProtocolDefinitionRow | None:
        return self.session.scalars(
            select(ProtocolDefinitionRow).where(
                ProtocolDefinitionRow.key == key, ProtocolDefinitionRow.version == version
            )
        ).one_or_none()

    def latest(self, key: str) -> ProtocolDefinitionRow | None:
        return self.session.scalars(
            select(ProtocolDefinitionRow)
            .where(ProtocolDefinitionRow.key == key)
            .order_by(ProtocolDefinitionRow.version.desc())
            .limit(1)
        ).one_or_none()

    def list(self) -> list[ProtocolDefinitionRow]:
        return list(
            self.session.scalars(
                select(ProtocolDefinitionRow).order_by(ProtocolDefinitionRow.key, ProtocolDefinitionRow.version)
            )
        )

    def add(self, row: ProtocolDefinitionRow) -> None:
        self.session.add(row)
        self.session.flush()


class DocumentRepository:
    """Files that belong to an incident, such as an investigation report."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: DocumentRow) -> None:
        self.session.add(row)
        self.session.flush()

    def get(self, document_id: uuid.UUID, *, incident_id: uuid.UUID | None = None) -> DocumentRow | None:
        stmt = select(DocumentRow).where(DocumentRow.id == document_id)
        if incident_id is not None:
            stmt = stmt.where(DocumentRow.incident_id == incident_id)
        return self.session.scalars(stmt).one_or_none()

    def for_incident(self, incident_id: uuid.UUID) -> list[DocumentRow]:
        return list(
            self.session.scalars(
                select(DocumentRow).where(DocumentRow.incident_id == incident_id).order_by(DocumentRow.uploaded_at)
            )
        )
