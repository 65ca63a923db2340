"""`lamsach client add/list/revoke/rotate`: an agency's token printed once and kept as a hash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store.api_clients import client_by_name, client_by_token_hash
from lamsach.cli.app import app
from lamsach.web.passwords import token_hash


def _token(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def test_add_list_rotate_revoke(tmp_path):
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    token = _token(runner.invoke(app, ["client", "add", "mot-cua", "--scope", "residence", "--scope",
                                       "life_status", "--expires", "2099-06-30", "--rate", "120", *data]))
    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 'lamsach.db'}")
    client = client_by_token_hash(store, token_hash(token))
    assert client.name == "mot-cua" and client.scopes == ("residence", "life_status")
    assert client.purposes == ("administrative_procedure", "verify_citizen_request", "data_reconciliation")
    assert client.rate_per_minute == 120
    assert client.expires_at.astimezone(UTC) == datetime(2099, 6, 30, 17, tzinfo=UTC)  # end of the day, UTC+7
    with store.engine.connect() as conn:
        kept = conn.exec_driver_sql("SELECT token_hash FROM api_clients").scalar_one()
    assert kept != token and token not in kept

    bank = runner.invoke(app, ["client", "add", "nhchxh", "--scope", "land_rights", "--purpose",
                               "administrative_procedure", *data])
    assert client_by_name(store, "nhchxh").purposes == ("administrative_procedure",), bank.output

    listing = runner.invoke(app, ["client", "list", *data])
    assert "mot-cua" in listing.output and "nhchxh" in listing.output and "đang dùng" in listing.output
    assert token not in listing.output

    new = _token(runner.invoke(app, ["client", "rotate", "mot-cua", *data]))
    assert new != token
    assert client_by_token_hash(store, token_hash(token)) is None
    assert client_by_token_hash(store, token_hash(new)).name == "mot-cua"

    assert runner.invoke(app, ["client", "revoke", "mot-cua", *data]).exit_code == 0
    assert client_by_name(store, "mot-cua").state(datetime.now(UTC)) == "revoked"
    assert "đã thu hồi" in runner.invoke(app, ["client", "list", *data]).output
    assert runner.invoke(app, ["client", "rotate", "mot-cua", *data]).exit_code == 1


def test_refusals_name_what_is_wrong(tmp_path):
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    wrong_scope = runner.invoke(app, ["client", "add", "a", "--scope", "tax", *data])
    assert wrong_scope.exit_code == 1 and "tax" in wrong_scope.output and "residence" in wrong_scope.output
    wrong_purpose = runner.invoke(app, ["client", "add", "a", "--scope", "land_parcels", "--purpose",
                                        "data_reconciliation", *data])
    assert wrong_purpose.exit_code == 1 and "data_reconciliation" in wrong_purpose.output
    bad_date = runner.invoke(app, ["client", "add", "a", "--scope", "residence", "--expires", "30/06/2027", *data])
    assert bad_date.exit_code == 1 and "30/06/2027" in bad_date.output
    assert runner.invoke(app, ["client", "add", "a", "--scope", "residence", *data]).exit_code == 0
    assert runner.invoke(app, ["client", "add", "a", "--scope", "residence", *data]).exit_code == 1
    assert runner.invoke(app, ["client", "revoke", "nobody", *data]).exit_code == 1


def test_expiry_is_a_state(tmp_path):
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    runner.invoke(app, ["client", "add", "old", "--scope", "residence", "--expires", "2020-01-01", *data])
    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 'lamsach.db'}")
    assert client_by_name(store, "old").state(datetime.now(UTC)) == "expired"
    assert client_by_name(store, "old").state(datetime(2019, 12, 31, tzinfo=UTC) + timedelta(hours=1)) == "active"
    assert "hết hạn" in runner.invoke(app, ["client", "list", *data]).output
