"""Repository functions for the web app's people, their sessions and the audit log.

Nothing here hashes a password or makes a token: the web layer hands in argon2 hashes and the
SHA-256 of tokens, so the store never holds a secret it could leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select, update

from lamsach.backends.store import tables as t
from lamsach.backends.store.base import as_utc
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore

ROLES = ("admin", "officer", "inspector")


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    role: str
    unit: str | None
    password_hash: str
    failed_attempts: int
    locked_until: datetime | None
    disabled: bool

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and as_utc(self.locked_until) > now


def _user(row) -> UserRow:
    return UserRow(row.id, row.username, row.role, row.unit, row.password_hash, row.failed_attempts or 0,
                   row.locked_until, bool(row.disabled))


def add_user(store: SqlAlchemyStore, username: str, role: str, unit: str | None, password_hash: str) -> int:
    if role not in ROLES:
        raise ValueError(role)
    with store.engine.begin() as conn:
        result = conn.execute(insert(t.users).values(
            username=username, role=role, unit=unit, password_hash=password_hash, failed_attempts=0,
            created_at=datetime.now(UTC), disabled=0))
        return int(result.inserted_primary_key[0])


def user_by_name(store: SqlAlchemyStore, username: str) -> UserRow | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.users).where(t.users.c.username == username)).first()
    return _user(row) if row else None


def user_by_token_hash(store: SqlAlchemyStore, token_hash: str) -> UserRow | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.users).where(t.users.c.api_token_hash == token_hash)).first()
    return _user(row) if row else None


def users(store: SqlAlchemyStore) -> list[UserRow]:
    with store.engine.connect() as conn:
        return [_user(r) for r in conn.execute(select(t.users).order_by(t.users.c.username))]


def set_password(store: SqlAlchemyStore, user_id: int, password_hash: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(t.users).where(t.users.c.id == user_id).values(
            password_hash=password_hash, failed_attempts=0, locked_until=None))


def set_api_token_hash(store: SqlAlchemyStore, user_id: int, token_hash: str | None) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(t.users).where(t.users.c.id == user_id).values(api_token_hash=token_hash))


def record_failed_sign_in(store: SqlAlchemyStore, user_id: int, max_attempts: int, lock_minutes: int,
                          now: datetime) -> datetime | None:
    """Count a wrong password; at `max_attempts` lock the account and start counting again.
    Returns the end of the lock when this attempt caused one."""
    with store.engine.begin() as conn:
        attempts = conn.execute(select(t.users.c.failed_attempts).where(t.users.c.id == user_id)).scalar_one()
        attempts = (attempts or 0) + 1
        if attempts >= max_attempts:
            until = now + timedelta(minutes=lock_minutes)
            conn.execute(update(t.users).where(t.users.c.id == user_id).values(
                failed_attempts=0, locked_until=until))
            return until
        conn.execute(update(t.users).where(t.users.c.id == user_id).values(failed_attempts=attempts))
        return None


def record_sign_in(store: SqlAlchemyStore, user_id: int) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(t.users).where(t.users.c.id == user_id).values(failed_attempts=0, locked_until=None))


# sessions ------------------------------------------------------------------------------------
def create_session(store: SqlAlchemyStore, token_hash: str, user_id: int, csrf_token: str,
                   expires_at: datetime) -> None:
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        conn.execute(delete(t.sessions).where(t.sessions.c.expires_at < now))
        conn.execute(insert(t.sessions).values(token_hash=token_hash, user_id=user_id, csrf_token=csrf_token,
                                               created_at=now, expires_at=expires_at))


def session_user(store: SqlAlchemyStore, token_hash: str, now: datetime) -> tuple[UserRow, str] | None:
    """The signed-in user and the session's CSRF token, or None for an unknown or expired session."""
    with store.engine.connect() as conn:
        row = conn.execute(select(t.users, t.sessions.c.csrf_token, t.sessions.c.expires_at)
                           .join(t.sessions, t.sessions.c.user_id == t.users.c.id)
                           .where(t.sessions.c.token_hash == token_hash)).first()
    if row is None or as_utc(row.expires_at) <= now or row.disabled:
        return None
    return _user(row), row.csrf_token


def delete_session(store: SqlAlchemyStore, token_hash: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(delete(t.sessions).where(t.sessions.c.token_hash == token_hash))


# audit log -----------------------------------------------------------------------------------
def log_access(store: SqlAlchemyStore, actor: str, role: str | None, action: str, *, dataset: str | None = None,
               record_key: str | None = None, unit: str | None = None, purpose: str | None = None,
               detail: str | None = None) -> int:
    with store.engine.begin() as conn:
        result = conn.execute(insert(t.audit_log).values(
            at=datetime.now(UTC), actor=actor, role=role, action=action, dataset=dataset,
            record_key=record_key, unit=unit, purpose=purpose, detail=detail))
        return int(result.inserted_primary_key[0])


def audit_entries(store: SqlAlchemyStore, limit: int = 100, offset: int = 0, actor: str | None = None,
                  action: str | None = None) -> tuple[list[dict], int]:
    """Newest first, and how many match in all."""
    query = select(t.audit_log)
    count = select(func.count()).select_from(t.audit_log)
    for column, value in ((t.audit_log.c.actor, actor), (t.audit_log.c.action, action)):
        if value:
            query, count = query.where(column == value), count.where(column == value)
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(t.audit_log.c.id.desc()).limit(limit).offset(offset))
        return [dict(r._mapping) for r in rows], int(conn.execute(count).scalar_one())
