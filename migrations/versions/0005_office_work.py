"""Office work in the console (issue 20): booking references and attendance, the office of a
case, and accounts that admins manage (office, one-time set-password links).

- ``appointments.reference``: the short code a person quotes ("K7M-4QX"); existing bookings get
  one here. ``marked_at``/``marked_by``: who recorded attended or no-show, and when.
  ``cancel_reason``: why the office cancelled (staff only; the person is told in their language).
- ``cases.office`` and ``cases.office_source`` (booking, city, counsellor).
- ``console_users.office``; ``set_password_hash``/``set_password_expires``: the SHA-256 of a
  one-time link's token, never the token; ``password_changed_at``.

Revision ID: 0005
Revises: 0002, 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = ("0002", "0004")  # both heads: appointments and cases
branch_labels = None
depends_on = None

# Crockford-like: no 0/O, 1/I/L, so a reference read aloud or typed on a phone survives.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _reference() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(6))
    return f"{raw[:3]}-{raw[3:]}"


def upgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("reference", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("marked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("marked_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("cancel_reason", sa.String(length=200), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id FROM appointments WHERE reference IS NULL")).fetchall()
    used: set[str] = set()
    for (appointment_id,) in rows:
        reference = _reference()
        while reference in used:
            reference = _reference()
        used.add(reference)
        bind.execute(
            sa.text("UPDATE appointments SET reference = :r WHERE id = :i"),
            {"r": reference, "i": appointment_id},
        )
    with op.batch_alter_table("appointments") as batch:
        batch.create_index("ix_appointments_reference", ["reference"], unique=True)

    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("office", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("office_source", sa.String(length=12), nullable=True))
        batch.create_index("ix_cases_office", ["office"])

    with op.batch_alter_table("console_users") as batch:
        batch.add_column(sa.Column("office", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("set_password_hash", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("set_password_expires", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("console_users") as batch:
        batch.drop_column("password_changed_at")
        batch.drop_column("set_password_expires")
        batch.drop_column("set_password_hash")
        batch.drop_column("office")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_office")
        batch.drop_column("office_source")
        batch.drop_column("office")
    with op.batch_alter_table("appointments") as batch:
        batch.drop_index("ix_appointments_reference")
        batch.drop_column("cancel_reason")
        batch.drop_column("marked_by")
        batch.drop_column("marked_at")
        batch.drop_column("reference")
