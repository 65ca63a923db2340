"""Repository functions for agencies' API clients.

The web layer hands in the SHA-256 of a token (`web/passwords.token_hash`); the store never holds
a token it could leak. Scopes and purposes are stored as space-separated codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Float, bindparam, case, func, insert, select, update

from lamsach.backends.store import tables as t
from lamsach.backends.store.base import as_utc
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore
from lamsach.backends.store.write_gate import write_gate


@dataclass(frozen=True)
class ApiClient:
    id: int
    name: str
    scopes: tuple[str, ...]
    purposes: tuple[str, ...]
    rate_per_minute: int
    expires_at: datetime | None
    created_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        """`active`, `revoked` or `expired`."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and as_utc(self.expires_at) <= now:
            return "expired"
        return "active"


def _client(row) -> ApiClient:
    return ApiClient(row.id, row.name, tuple(row.scopes.split()), tuple(row.purposes.split()), row.rate_per_minute,
                     as_utc(row.expires_at), as_utc(row.created_at), as_utc(row.rotated_at),
                     as_utc(row.revoked_at))


def add_client(store: SqlAlchemyStore, name: str, token_hash: str, scopes: list[str], purposes: list[str],
               rate_per_minute: int, expires_at: datetime | None) -> int:
    with store.engine.begin() as conn:
        result = conn.execute(insert(t.api_clients).values(
            name=name, token_hash=token_hash, scopes=" ".join(scopes), purposes=" ".join(purposes),
            rate_per_minute=rate_per_minute, expires_at=expires_at.astimezone(UTC) if expires_at else None,
            created_at=datetime.now(UTC)))
        return int(result.inserted_primary_key[0])


def client_by_name(store: SqlAlchemyStore, name: str) -> ApiClient | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.api_clients).where(t.api_clients.c.name == name)).first()
    return _client(row) if row else None


def client_by_token_hash(store: SqlAlchemyStore, token_hash: str) -> ApiClient | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.api_clients).where(t.api_clients.c.token_hash == token_hash)).first()
    return _client(row) if row else None


def _take_statement(dialect: str):
    c = t.api_clients.c
    now = bindparam("now", type_=Float)
    elapsed = case((c.rate_at < now, now - c.rate_at), else_=0.0)
    filled = c.rate_tokens + elapsed * c.rate_per_minute / 60.0
    refill = case((filled > c.rate_per_minute, c.rate_per_minute + 0.0), else_=filled)
    where = [c.id == bindparam("client_id"), c.token_hash == bindparam("hash"), c.revoked_at.is_(None)]
    if dialect == "postgresql":
        # a bucket's state is not worth a wait for the disk: this transaction (one statement)
        # commits without waiting for its WAL flush; a crash may forget the last tokens taken
        where.append(func.set_config("synchronous_commit", "off", True).is_not(None))
    return (update(t.api_clients)
            .where(*where)
            .values(rate_tokens=case((refill >= 1, refill - 1), else_=refill), rate_at=now,
                    rate_last_granted=case((refill >= 1, 1), else_=0))
            .returning(c.rate_last_granted, c.rate_tokens))


_TAKE = {name: _take_statement(name) for name in ("postgresql", "sqlite")}  # building costs more than running


def take_token(store: SqlAlchemyStore, client_id: int, token_hash: str, now: float) -> tuple[bool, float] | None:
    """Take one token from the client's bucket (`rate_per_minute`, refilled smoothly, no burst
    beyond it) in one UPDATE, shared by every server process; returns (granted, tokens left), or
    None when the token is no longer the client's (rotated) or the client is revoked — the same
    statement checks both, so a cached client is refused at once after either. `now` is epoch
    seconds."""
    statement = _TAKE["postgresql" if store.engine.dialect.name == "postgresql" else "sqlite"]
    with write_gate(store.engine), store.autocommit.connect() as conn:
        row = conn.execute(statement, {"now": now, "client_id": client_id, "hash": token_hash}).first()
    return (bool(row.rate_last_granted), float(row.rate_tokens)) if row else None


def clients(store: SqlAlchemyStore) -> list[ApiClient]:
    with store.engine.connect() as conn:
        return [_client(r) for r in conn.execute(select(t.api_clients).order_by(t.api_clients.c.name))]


def revoke_client(store: SqlAlchemyStore, client_id: int) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(t.api_clients).where(t.api_clients.c.id == client_id).values(
            revoked_at=datetime.now(UTC)))


def rotate_client(store: SqlAlchemyStore, client_id: int, token_hash: str) -> None:
    """A new token replaces the old one at once (the old one stops working); a revoked client
    stays revoked."""
    with store.engine.begin() as conn:
        conn.execute(update(t.api_clients).where(t.api_clients.c.id == client_id).values(
            token_hash=token_hash, rotated_at=datetime.now(UTC)))
