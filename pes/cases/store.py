"""Changing cases: opening, the person's messages, counsellors' claims, replies and
closing, notes and the audit log, announcements, erasure and retention.

A counsellor's reply and the "case closed" message are written to the outbox
in the same transaction as the case, so nothing is recorded without being
queued for delivery, and nothing is queued without being recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.clock import aware_or_none as _aware
from common.clock import utcnow
from pes.cases import model
from pes.cases.reading import CaseReader
from pes.cases.tables import CaseAuditRow, CaseMessageRow, CaseNoteRow, CaseRow, case_of, message_of
from pes.outbox import PENDING, OutboxRow


class CaseStore(CaseReader):
    """Cases, their messages, notes and audit log: the queries of :class:`CaseReader`
    and every change."""

    # opening -----------------------------------------------------------------------

    def open_case(
        self,
        user_id: str,
        channel: str,
        language: str,
        reason: str,
        *,
        history: Sequence[model.HistoryItem] = (),
    ) -> tuple[model.Case, bool]:
        """The person's open case, with ``reason`` added; ``True`` when it is new."""
        if reason not in model.REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        for _ in range(3):
            try:
                with self.db.session() as session:
                    row = self._open_row(session, user_id)
                    now = utcnow()
                    if row is not None:
                        reasons = [r for r in row.reasons.split(",") if r]
                        if reason not in reasons:
                            reasons.append(reason)
                            row.reasons = ",".join(reasons)
                        row.priority = max(row.priority, model.priority_of(reasons))
                        row.updated_at = now
                        session.flush()
                        return case_of(row), False
                    row = CaseRow(
                        user_id=user_id,
                        open_user=user_id,
                        channel=channel[:20],
                        language=language[:12],
                        reasons=reason,
                        priority=model.priority_of([reason]),
                        state=model.WAITING,
                        opened_at=now,
                        updated_at=now,
                    )
                    session.add(row)
                    session.flush()
                    for item in history:
                        session.add(
                            CaseMessageRow(
                                case_id=row.id,
                                author=item.author,
                                text=item.text,
                                language=item.language,
                                created_at=item.at or now,
                            )
                        )
                    if any(item.author == model.USER for item in history):
                        row.last_user_at = max(
                            (i.at or now for i in history if i.author == model.USER), default=now
                        )
                    session.add(
                        CaseAuditRow(
                            case_id=row.id,
                            actor="assistant",
                            action="opened",
                            detail=reason,
                            at=now,
                        )
                    )
                    session.flush()
                    return case_of(row), True
            except IntegrityError:  # another process opened it a moment ago: add to that one
                continue
        raise model.CaseError("busy")

    # the person's messages --------------------------------------------------------

    def add_message(
        self,
        case_id: int,
        author: str,
        text: str,
        language: str | None,
        *,
        translation: str | None = None,
        translation_language: str | None = None,
        machine_translated: bool = False,
    ) -> model.CaseMessage:
        """A message from the person (or a system line) into an open case."""
        with self.db.session() as session:
            case = session.get(CaseRow, case_id)
            if case is None or case.state == model.CLOSED:
                raise model.CaseError("closed")
            now = utcnow()
            row = CaseMessageRow(
                case_id=case_id,
                author=author,
                text=text,
                language=language,
                translation=translation,
                translation_language=translation_language,
                machine_translated=machine_translated,
                created_at=now,
            )
            session.add(row)
            case.updated_at = now
            if author == model.USER:
                case.last_user_at = now
            session.flush()
            return message_of(row)

    def set_translation(
        self, message_id: int, translation: str, language: str, *, machine: bool = True
    ) -> None:
        with self.db.session() as session:
            row = session.get(CaseMessageRow, message_id)
            if row is None:
                return
            row.translation, row.translation_language = translation, language
            row.machine_translated = machine
            case = session.get(CaseRow, row.case_id)
            if case is not None:
                case.updated_at = utcnow()

    def set_gist(self, message_id: int, gist_json: str) -> None:
        """Keep a message's automatic summary (``pes.gist``); the consoles see it change."""
        with self.db.session() as session:
            row = session.get(CaseMessageRow, message_id)
            if row is None:  # erased meanwhile
                return
            row.gist = gist_json
            case = session.get(CaseRow, row.case_id)
            if case is not None:
                case.updated_at = utcnow()

    def should_notice(self, case_id: int, every: timedelta) -> bool:
        """True at most once per ``every`` for a case, whichever process asks: the
        gateway's full acknowledgement of the person's message (``bot/handoff.py``).
        One conditional update on the case's row, so several gateway replicas sharing
        the database give one full acknowledgement between them, not one each."""
        now = utcnow()
        with self.db.session() as session:
            result = session.execute(
                update(CaseRow)
                .where(CaseRow.id == case_id)
                .where((CaseRow.noticed_at.is_(None)) | (CaseRow.noticed_at < now - every))
                .values(noticed_at=now)
            )
            return bool(result.rowcount)

    # counsellors --------------------------------------------------------------------

    def _open_for(self, session: Session, case_id: int) -> CaseRow:
        row: CaseRow | None = session.get(CaseRow, case_id)
        if row is None:
            raise model.CaseError("not_found")
        if row.state == model.CLOSED:
            raise model.CaseError("closed")
        return row

    def claim(self, case_id: int, counsellor: str, *, force: bool = False) -> model.Case:
        """Take a case; another counsellor's case only with ``force`` (admins)."""
        with self.db.session() as session:
            row = self._open_for(session, case_id)
            if row.counsellor not in (None, counsellor) and not force:
                raise model.CaseError("claimed_by_other")
            now = utcnow()
            row.counsellor, row.claimed_at, row.updated_at = counsellor, now, now
            if row.state == model.WAITING:
                row.state = model.CLAIMED
            session.add(CaseAuditRow(case_id=case_id, actor=counsellor, action="claimed", at=now))
            session.flush()
            return case_of(row)

    def release(self, case_id: int, counsellor: str, *, force: bool = False) -> model.Case:
        """Give a case back to the queue."""
        with self.db.session() as session:
            row = self._open_for(session, case_id)
            if row.counsellor not in (None, counsellor) and not force:
                raise model.CaseError("claimed_by_other")
            now = utcnow()
            row.counsellor, row.claimed_at, row.updated_at = None, None, now
            row.state = model.ANSWERED if row.first_reply_at else model.WAITING
            session.add(CaseAuditRow(case_id=case_id, actor=counsellor, action="released", at=now))
            session.flush()
            return case_of(row)

    def reply(
        self,
        case_id: int,
        counsellor: str,
        *,
        text: str,
        language: str,
        sent: dict[str, Any],
        sent_language: str,
        translation: str | None,
        machine_translated: bool,
        force: bool = False,
    ) -> model.CaseMessage:
        """Record a counsellor's reply and queue ``sent`` (what the person receives) for
        delivery, in one transaction. Claims the case if nobody has."""
        with self.db.session() as session:
            row = self._open_for(session, case_id)
            if row.counsellor not in (None, counsellor) and not force:
                raise model.CaseError("claimed_by_other")
            now = utcnow()
            outbox = OutboxRow(
                user_id=row.user_id,
                channel=row.channel,
                kind="counsellor_reply",
                message=sent,
                state=PENDING,
                attempts=0,
                created_at=now,
                not_before=now,
            )
            session.add(outbox)
            session.flush()
            message = CaseMessageRow(
                case_id=case_id,
                author=model.COUNSELLOR,
                counsellor=counsellor,
                text=text,
                language=language,
                translation=translation,
                translation_language=sent_language if translation is not None else None,
                machine_translated=machine_translated,
                sent_text=str(sent.get("text", "")),
                outbox_id=outbox.id,
                created_at=now,
            )
            session.add(message)
            if row.counsellor is None:
                row.counsellor, row.claimed_at = counsellor, now
            row.state = model.ANSWERED
            row.first_reply_at = row.first_reply_at or now
            row.last_reply_at = now
            row.updated_at = now
            session.add(CaseAuditRow(case_id=case_id, actor=counsellor, action="replied", at=now))
            session.flush()
            return message_of(message)

    def close(
        self,
        case_id: int,
        actor: str,
        outcome: str,
        *,
        farewell: dict[str, Any] | None = None,
        force: bool = False,
    ) -> model.Case:
        """Close a case with its outcome; ``farewell`` (if any) is queued for the person.
        The conversation goes back to the assistant."""
        if outcome not in model.OUTCOMES:
            raise model.CaseError("bad_outcome")
        with self.db.session() as session:
            row = self._open_for(session, case_id)
            if row.counsellor not in (None, actor) and not force:
                raise model.CaseError("claimed_by_other")
            now = utcnow()
            if farewell is not None:
                session.add(
                    OutboxRow(
                        user_id=row.user_id,
                        channel=row.channel,
                        kind="case_closed",
                        message=farewell,
                        state=PENDING,
                        attempts=0,
                        created_at=now,
                        not_before=now,
                    )
                )
            row.state, row.outcome, row.open_user = model.CLOSED, outcome, None
            row.closed_at, row.closed_by, row.updated_at = now, actor, now
            session.add(
                CaseAuditRow(case_id=case_id, actor=actor, action="closed", detail=outcome, at=now)
            )
            session.flush()
            return case_of(row)

    # notes and audit ----------------------------------------------------------------

    def add_note(self, case_id: int, author: str, text: str) -> model.Note:
        with self.db.session() as session:
            case = session.get(CaseRow, case_id)
            if case is None:
                raise model.CaseError("not_found")
            now = utcnow()
            row = CaseNoteRow(case_id=case_id, author=author, text=text, created_at=now)
            session.add(row)
            case.updated_at = now
            session.add(CaseAuditRow(case_id=case_id, actor=author, action="noted", at=now))
            session.flush()
            return model.Note(
                row.id, row.case_id, row.author, row.text, _aware(row.created_at) or now
            )

    def audit(
        self, case_id: int | None, actor: str, action: str, detail: str | None = None
    ) -> None:
        with self.db.session() as session:
            session.add(
                CaseAuditRow(
                    case_id=case_id,
                    actor=actor[:64],
                    action=action[:20],
                    detail=detail[:200] if detail else None,
                    at=utcnow(),
                )
            )

    # announcements of new cases (one gateway process announces each case once) ------

    def take_unannounced(self, limit: int = 20) -> list[model.Case]:
        """New cases nobody has announced yet, each taken by exactly one caller."""
        now = utcnow()
        taken: list[model.Case] = []
        with self.db.session() as session:
            rows = (
                session.execute(
                    select(CaseRow)
                    .where(CaseRow.announced_at.is_(None))
                    .order_by(CaseRow.id)
                    .limit(limit)
                )
                .scalars()
                .all()
            )
            for row in rows:
                done = session.execute(
                    update(CaseRow)
                    .where(CaseRow.id == row.id, CaseRow.announced_at.is_(None))
                    .values(announced_at=now)
                )
                if done.rowcount == 1:
                    taken.append(case_of(row))
        return taken

    def unannounce(self, case_id: int) -> None:
        """An announcement failed: let it be taken again."""
        with self.db.session() as session:
            session.execute(update(CaseRow).where(CaseRow.id == case_id).values(announced_at=None))

    # erasure and retention ---------------------------------------------------------

    def _delete_cases(self, session: Session, ids: list[int]) -> int:
        if not ids:
            return 0
        erased = 0
        for table in (CaseMessageRow, CaseNoteRow):
            result = session.execute(delete(table).where(table.case_id.in_(ids)))
            erased += int(result.rowcount or 0)
        result = session.execute(delete(CaseRow).where(CaseRow.id.in_(ids)))
        return erased + int(result.rowcount or 0)

    def forget(self, user_id: str) -> int:
        """Erase every case of this person with its messages and notes; returns rows erased.
        The audit log keeps only case numbers and staff names, and stays."""
        with self.db.session() as session:
            ids = list(
                session.execute(select(CaseRow.id).where(CaseRow.user_id == user_id)).scalars()
            )
            return self._delete_cases(session, ids)

    def purge_before(self, cutoff: datetime) -> int:
        """Erase closed cases closed before ``cutoff`` (retention); returns rows erased."""
        with self.db.session() as session:
            ids = list(
                session.execute(
                    select(CaseRow.id).where(
                        CaseRow.state == model.CLOSED, CaseRow.closed_at < cutoff
                    )
                ).scalars()
            )
            return self._delete_cases(session, ids)
