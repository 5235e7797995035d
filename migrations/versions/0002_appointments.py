"""Appointment slots published by offices, and the bookings that hold them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appointment_slots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("office", sa.String(40), nullable=False),
        sa.Column("counsellor", sa.String(80), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("languages", sa.String(120), nullable=False),
        sa.Column("interpreter", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "minutes > 0 AND minutes <= 480", name=op.f("ck_appointment_slots_minutes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_slots")),
        sa.UniqueConstraint(
            "office", "counsellor", "starts_at", name=op.f("uq_appointment_slots_office")
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_appointment_slots_starts_at"), "appointment_slots", ["starts_at"])
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("language", sa.String(12), nullable=False),
        sa.Column("interpreter_language", sa.String(12), nullable=True),
        sa.Column("office", sa.String(40), nullable=False),
        sa.Column("counsellor", sa.String(80), nullable=False),
        sa.Column("counsellor_languages", sa.String(120), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminder_queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["appointment_slots.id"],
            name=op.f("fk_appointments_slot_id_appointment_slots"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        # One holder per slot: the constraint behind "two people never hold one slot".
        sa.UniqueConstraint("slot_id", name=op.f("uq_appointments_slot_id")),
        sa.UniqueConstraint("token", name=op.f("uq_appointments_token")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_appointments_user_id"), "appointments", ["user_id"])
    op.create_index(op.f("ix_appointments_starts_at"), "appointments", ["starts_at"])
    op.create_index(op.f("ix_appointments_status"), "appointments", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_appointments_status"), table_name="appointments")
    op.drop_index(op.f("ix_appointments_starts_at"), table_name="appointments")
    op.drop_index(op.f("ix_appointments_user_id"), table_name="appointments")
    op.drop_table("appointments")
    op.drop_index(op.f("ix_appointment_slots_starts_at"), table_name="appointment_slots")
    op.drop_table("appointment_slots")
