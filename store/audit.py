"""The audit log's head: what an export or a publication records so that a later rewrite or
truncation of the log is found (issue 11, "Audit you can trust")."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import AuditEntry
from store.operations import GENESIS_HASH


def chain_head(session: Session) -> tuple[str, int]:
    """(hash of the last entry, number of entries) as this session sees the log. Called inside
    the write transaction that appends the export or publication, so the pair is exact."""
    session.flush()
    last = session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    length = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    return (last or GENESIS_HASH), int(length)
