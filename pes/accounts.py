"""The counsellor console's accounts: ``console_users``, ``console_sessions``, ``console_login_failures``.

The tables only; ``bot/console/auth.py`` hashes passwords, keeps sessions and
guards the login. ``pes/models.py`` imports this module so that Alembic sees them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String

from common.clock import utcnow
from pes.db import Base


class ConsoleUserRow(Base):
    __tablename__ = "console_users"
    id = Column(Integer, primary_key=True, autoincrement=True)
    name = Column(String(64), nullable=False, unique=True)
    role = Column(String(12), nullable=False)
    password_hash = Column(String(200), nullable=False)
    language = Column(String(2), nullable=False, default="sl")
    disabled = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # migration 0005 (issue 20)
    office = Column(String(40), nullable=True)
    set_password_hash = Column(String(64), nullable=True)  # SHA-256 of a one-time link's token
    set_password_expires = Column(DateTime(timezone=True), nullable=True)
    password_changed_at = Column(DateTime(timezone=True), nullable=True)


class ConsoleSessionRow(Base):
    __tablename__ = "console_sessions"
    id = Column(String(64), primary_key=True)  # SHA-256 of the cookie's token, never the token
    user_id = Column(
        Integer, ForeignKey("console_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    csrf = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class ConsoleLoginFailureRow(Base):
    __tablename__ = "console_login_failures"
    id = Column(Integer, primary_key=True, autoincrement=True)
    account = Column(String(64), nullable=False, index=True)
    source = Column(String(64), nullable=False, index=True)  # keyed hash of the address
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
