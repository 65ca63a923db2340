"""A client's rate limit is kept in the store: every server process draws from the same bucket,
and the statement that takes a token refuses a revoked client or a replaced token — on SQLite
and PostgreSQL, with two stores (two engines, as two server processes have) on one database."""

from __future__ import annotations

import time

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store.api_clients import add_client, client_by_name, revoke_client, rotate_client
from lamsach.lookups import rate_limit


def test_two_processes_share_one_bucket(store_url):
    first, second = SqlAlchemyStore.open(store_url), SqlAlchemyStore.open(store_url)
    add_client(first, "agency", "a" * 64, ["residence"], ["administrative_procedure"], 6, None)
    client = client_by_name(first, "agency")
    now = time.time()
    waits = [rate_limit.take(store, client, "a" * 64, now) for store in (first, second) * 4]
    assert waits[:6] == [0] * 6  # six a minute, whichever process answers
    assert all(w >= 1 for w in waits[6:]), waits
    # one token comes back every ten seconds, and the wait said so
    assert waits[6] == 10
    assert rate_limit.take(second, client, "a" * 64, now + 10.01) == 0
    assert rate_limit.take(first, client, "a" * 64, now + 10.02) >= 1
    # a full minute refills the bucket to its size, never beyond
    later = now + 600
    assert [rate_limit.take(first, client, "a" * 64, later) for _ in range(7)] == [0] * 6 + [10]


def test_a_revoked_client_or_a_replaced_token_takes_nothing(store_url):
    store, other = SqlAlchemyStore.open(store_url), SqlAlchemyStore.open(store_url)
    add_client(store, "revoked", "r" * 64, ["residence"], ["administrative_procedure"], 60, None)
    add_client(store, "rotated", "o" * 64, ["residence"], ["administrative_procedure"], 60, None)
    revoked, rotated = client_by_name(store, "revoked"), client_by_name(store, "rotated")
    assert rate_limit.take(store, revoked, "r" * 64) == 0
    assert rate_limit.take(store, rotated, "o" * 64) == 0
    revoke_client(other, revoked.id)
    rotate_client(other, rotated.id, "n" * 64)
    assert rate_limit.take(store, revoked, "r" * 64) is None
    assert rate_limit.take(store, rotated, "o" * 64) is None
    assert rate_limit.take(store, rotated, "n" * 64) == 0
