"""Reading cases: the queue, one case, its messages, notes and audit log.

:class:`CaseReader` only reads; :class:`pes.cases.store.CaseStore` adds the
changes on top of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.clock import aware_or_none as _aware
from common.clock import utcnow
from pes.cases.model import (
    CLAIMED,
    CLOSED,
    OPEN_STATES,
    WAITING,
    AuditEntry,
    Case,
    CaseMessage,
    Note,
)
from pes.cases.tables import CaseAuditRow, CaseMessageRow, CaseNoteRow, CaseRow, case_of, message_of
from pes.db import Database
from pes.outbox import OutboxRow


class CaseReader:
    """Queries on cases, their messages, notes and audit log, in the project database."""

    def __init__(self, database: Database) -> None:
        self.db = database

    @staticmethod
    def _open_row(session: Session, user_id: str) -> CaseRow | None:
        return session.execute(  # type: ignore[no-any-return]
            select(CaseRow).where(CaseRow.open_user == user_id)
        ).scalar_one_or_none()

    # cases -------------------------------------------------------------------------

    def current(self, user_id: str) -> Case | None:
        """The person's open case, if any."""
        with self.db.session() as session:
            row = self._open_row(session, user_id)
            return case_of(row) if row is not None else None

    def get(self, case_id: int) -> Case | None:
        with self.db.session() as session:
            row = session.get(CaseRow, case_id)
            return case_of(row) if row is not None else None

    def last_case(self, user_id: str) -> Case | None:
        """The person's newest case, open or closed."""
        with self.db.session() as session:
            row = (
                session.execute(
                    select(CaseRow)
                    .where(CaseRow.user_id == user_id)
                    .order_by(CaseRow.id.desc())
                    .limit(1)
                )
                .scalars()
                .first()
            )
            return case_of(row) if row is not None else None

    def queue(self) -> list[Case]:
        """Open cases: the most urgent first, then the longest waiting."""
        with self.db.session() as session:
            rows = session.execute(
                select(CaseRow)
                .where(CaseRow.state.in_(OPEN_STATES))
                .order_by(CaseRow.priority.desc(), CaseRow.opened_at, CaseRow.id)
            ).scalars()
            return [case_of(row) for row in rows]

    def recent_closed(self, limit: int = 50) -> list[Case]:
        with self.db.session() as session:
            rows = session.execute(
                select(CaseRow)
                .where(CaseRow.state == CLOSED)
                .order_by(CaseRow.closed_at.desc(), CaseRow.id.desc())
                .limit(limit)
            ).scalars()
            return [case_of(row) for row in rows]

    def ahead_of(self, case: Case) -> int:
        """How many open cases nobody has answered yet come before this one in the queue."""
        with self.db.session() as session:
            count = session.execute(
                select(func.count(CaseRow.id)).where(
                    CaseRow.state.in_((WAITING, CLAIMED)),
                    CaseRow.id != case.id,
                    (CaseRow.priority > case.priority)
                    | ((CaseRow.priority == case.priority) & (CaseRow.opened_at < case.opened_at)),
                )
            ).scalar_one()
            return int(count)

    def waiting_count(self) -> int:
        """Open cases nobody has answered yet."""
        with self.db.session() as session:
            count = session.execute(
                select(func.count(CaseRow.id)).where(CaseRow.state.in_((WAITING, CLAIMED)))
            ).scalar_one()
            return int(count)

    # messages ----------------------------------------------------------------------

    def messages(self, case_id: int) -> list[CaseMessage]:
        with self.db.session() as session:
            rows = session.execute(
                select(CaseMessageRow)
                .where(CaseMessageRow.case_id == case_id)
                .order_by(CaseMessageRow.created_at, CaseMessageRow.id)
            ).scalars()
            return [message_of(row) for row in rows]

    def outbox_states(self, outbox_ids: Sequence[int]) -> dict[int, str]:
        """Delivery state of the counsellor's replies (pending, sending, delivered, failed)."""
        if not outbox_ids:
            return {}
        with self.db.session() as session:
            rows = session.execute(
                select(OutboxRow.id, OutboxRow.state).where(OutboxRow.id.in_(list(outbox_ids)))
            ).all()
            return {int(row_id): str(state) for row_id, state in rows}

    def version(self) -> tuple[str, int]:
        """Changes whenever any case or its messages change (for live updates)."""
        with self.db.session() as session:
            newest, count = session.execute(
                select(func.max(CaseRow.updated_at), func.count(CaseRow.id))
            ).one()
            return (str(newest), int(count))

    # notes and audit ---------------------------------------------------------------

    def notes(self, case_id: int) -> list[Note]:
        with self.db.session() as session:
            rows = session.execute(
                select(CaseNoteRow).where(CaseNoteRow.case_id == case_id).order_by(CaseNoteRow.id)
            ).scalars()
            return [
                Note(r.id, r.case_id, r.author, r.text, _aware(r.created_at) or utcnow())
                for r in rows
            ]

    def recently_audited(self, case_id: int, actor: str, action: str, within: timedelta) -> bool:
        with self.db.session() as session:
            found = session.execute(
                select(CaseAuditRow.id)
                .where(
                    CaseAuditRow.case_id == case_id,
                    CaseAuditRow.actor == actor,
                    CaseAuditRow.action == action,
                    CaseAuditRow.at >= utcnow() - within,
                )
                .limit(1)
            ).first()
            return found is not None

    def audit_log(self, case_id: int | None = None, limit: int = 200) -> list[AuditEntry]:
        with self.db.session() as session:
            query = select(CaseAuditRow)
            if case_id is not None:
                query = query.where(CaseAuditRow.case_id == case_id)
            rows = session.execute(
                query.order_by(CaseAuditRow.at.desc(), CaseAuditRow.id.desc()).limit(limit)
            ).scalars()
            return [
                AuditEntry(r.id, r.case_id, r.actor, r.action, r.detail, _aware(r.at) or utcnow())
                for r in rows
            ]
