"""Console accounts, sessions and the login guard.

Passwords are hashed with scrypt (standard library) and a random salt per
account. A session is a random token in an HttpOnly, SameSite=Strict cookie;
the database keeps only the token's SHA-256, so a copy of the database cannot
be used to log in. Sessions end after ``IDLE`` without use or ``LIFETIME`` in
all. Each session has its own CSRF token, which every form sends back.
Five failed logins in ten minutes, for one account or from one address, block
further attempts there until the ten minutes have passed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update

from common.clock import utcnow
from pes.accounts import ConsoleLoginFailureRow, ConsoleSessionRow, ConsoleUserRow
from pes.db import Database

ROLES = ("counsellor", "admin")
LANGUAGES = ("sl", "en")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
MIN_PASSWORD = 12
IDLE = timedelta(hours=2)
LIFETIME = timedelta(hours=12)
FAILURE_WINDOW = timedelta(minutes=10)
MAX_FAILURES = 5
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class AccountError(ValueError):
    """A name, role or password that cannot be used; the message says why."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    language: str
    disabled: bool = False
    office: str | None = None  # the office whose queue and appointments are "mine"

    @property
    def admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class Session:
    account: Account
    csrf: str
    expires_at: datetime


def _account(row: ConsoleUserRow) -> Account:
    return Account(row.id, row.name, row.role, row.language, bool(row.disabled), row.office)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise AccountError("the password is too long (at most 1024 characters)")


class Accounts:
    """Console users in the project database."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def add(self, name: str, role: str, password: str) -> Account:
        if not NAME.match(name):
            raise AccountError(
                "the name must be 2-64 characters: letters, digits, and . _ @ - (not first)"
            )
        if role not in ROLES:
            raise AccountError(f"the role must be one of {', '.join(ROLES)}")
        check_password(password)
        with self.db.session() as session:
            if session.execute(
                select(ConsoleUserRow.id).where(ConsoleUserRow.name == name)
            ).first():
                raise AccountError(f"an account named {name!r} exists already")
            row = ConsoleUserRow(
                name=name,
                role=role,
                password_hash=hash_password(password),
                language="sl",
                disabled=False,
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            return _account(row)

    def _row(self, session: object, name: str) -> ConsoleUserRow:
        row = session.execute(  # type: ignore[attr-defined]
            select(ConsoleUserRow).where(ConsoleUserRow.name == name)
        ).scalar_one_or_none()
        if row is None:
            raise AccountError(f"no account named {name!r}")
        return row  # type: ignore[no-any-return]

    def set_role(self, name: str, role: str) -> None:
        if role not in ROLES:
            raise AccountError(f"the role must be one of {', '.join(ROLES)}")
        with self.db.session() as session:
            self._row(session, name).role = role

    def set_password(self, name: str, password: str) -> None:
        check_password(password)
        with self.db.session() as session:
            row = self._row(session, name)
            row.password_hash = hash_password(password)
            session.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.user_id == row.id))

    def set_disabled(self, name: str, disabled: bool) -> None:
        with self.db.session() as session:
            row = self._row(session, name)
            row.disabled = disabled
            if disabled:
                session.execute(
                    delete(ConsoleSessionRow).where(ConsoleSessionRow.user_id == row.id)
                )

    def set_language(self, account_id: int, language: str) -> None:
        if language not in LANGUAGES:
            return
        with self.db.session() as session:
            session.execute(
                update(ConsoleUserRow)
                .where(ConsoleUserRow.id == account_id)
                .values(language=language)
            )

    def all(self) -> list[Account]:
        with self.db.session() as session:
            rows = session.execute(select(ConsoleUserRow).order_by(ConsoleUserRow.name)).scalars()
            return [_account(row) for row in rows]

    def authenticate(self, name: str, password: str) -> Account | None:
        """The account when name and password match and it is enabled; the time taken
        does not tell whether the name exists."""
        with self.db.session() as session:
            row = session.execute(
                select(ConsoleUserRow).where(ConsoleUserRow.name == name[:64])
            ).scalar_one_or_none()
            stored = row.password_hash if row is not None else _DUMMY_HASH
            ok = verify_password(password[:1024], stored)
            if row is None or not ok or row.disabled:
                return None
            return _account(row)


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Server-side console sessions."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def create(self, account: Account) -> tuple[str, Session]:
        token = secrets.token_urlsafe(32)
        now = utcnow()
        csrf = secrets.token_urlsafe(32)
        with self.db.session() as session:
            session.add(
                ConsoleSessionRow(
                    id=_token_id(token),
                    user_id=account.id,
                    csrf=csrf,
                    created_at=now,
                    last_seen=now,
                    expires_at=now + LIFETIME,
                )
            )
            session.execute(delete(ConsoleSessionRow).where(ConsoleSessionRow.expires_at < now))
        return token, Session(account, csrf, now + LIFETIME)

    def get(self, token: str | None) -> Session | None:
        """The live session of this cookie, or None (unknown, expired, idle, disabled)."""
        if not token or len(token) > 200:
            return None
        now = utcnow()
        with self.db.session() as session:
            row = session.get(ConsoleSessionRow, _token_id(token))
            if row is None:
                return None
            user = session.get(ConsoleUserRow, row.user_id)
            expired = _aware(row.expires_at) <= now or _aware(row.last_seen) + IDLE <= now
            if user is None or user.disabled or expired:
                session.delete(row)
                return None
            if _aware(row.last_seen) + timedelta(minutes=1) <= now:
                row.last_seen = now
            return Session(_account(user), row.csrf, _aware(row.expires_at))

    def end(self, token: str | None) -> None:
        if not token:
            return
        with self.db.session() as session:
            session.execute(
                delete(ConsoleSessionRow).where(ConsoleSessionRow.id == _token_id(token))
            )


class LoginGuard:
    """Counts failed logins per account and per source address (a keyed hash of it)."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def blocked(self, account: str, source: str) -> bool:
        since = utcnow() - FAILURE_WINDOW
        with self.db.session() as session:
            by_account = session.execute(
                select(func.count(ConsoleLoginFailureRow.id)).where(
                    ConsoleLoginFailureRow.account == account[:64],
                    ConsoleLoginFailureRow.at >= since,
                )
            ).scalar_one()
            by_source = session.execute(
                select(func.count(ConsoleLoginFailureRow.id)).where(
                    ConsoleLoginFailureRow.source == source[:64],
                    ConsoleLoginFailureRow.at >= since,
                )
            ).scalar_one()
            return bool(by_account >= MAX_FAILURES or by_source >= MAX_FAILURES)

    def failed(self, account: str, source: str) -> None:
        now = utcnow()
        with self.db.session() as session:
            session.add(ConsoleLoginFailureRow(account=account[:64], source=source[:64], at=now))
            session.execute(
                delete(ConsoleLoginFailureRow).where(
                    ConsoleLoginFailureRow.at < now - 2 * FAILURE_WINDOW
                )
            )

    def succeeded(self, account: str) -> None:
        with self.db.session() as session:
            session.execute(
                delete(ConsoleLoginFailureRow).where(ConsoleLoginFailureRow.account == account)
            )
