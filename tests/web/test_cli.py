"""`lamsach user …` and `lamsach serve --help`."""

from __future__ import annotations

from typer.testing import CliRunner

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store.users import user_by_name, user_by_token_hash
from lamsach.cli.app import app
from lamsach.web.passwords import token_hash, verify_password


def test_user_add_token_and_list(tmp_path):
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    added = runner.invoke(app, ["user", "add", "chief", "--role", "admin", "--password-stdin", *data],
                          input="a long password\n")
    assert added.exit_code == 0, added.output
    officer = runner.invoke(app, ["user", "add", "xa", "--role", "officer", "--unit", "5085", "--password-stdin",
                                  *data], input="another password\n")
    assert officer.exit_code == 0, officer.output
    assert runner.invoke(app, ["user", "add", "xa", "--role", "officer", "--unit", "15085", "--password-stdin",
                               *data], input="another password\n").exit_code == 1
    assert runner.invoke(app, ["user", "add", "nobody", "--role", "officer", "--password-stdin", *data],
                         input="another password\n").exit_code == 1
    assert runner.invoke(app, ["user", "add", "short", "--role", "inspector", "--password-stdin", *data],
                         input="short\n").exit_code == 1
    token = runner.invoke(app, ["user", "token", "xa", *data])
    assert token.exit_code == 0
    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 'lamsach.db'}")
    chief, xa = user_by_name(store, "chief"), user_by_name(store, "xa")
    assert chief.role == "admin" and verify_password(chief.password_hash, "a long password")
    assert "a long password" not in chief.password_hash
    assert (xa.role, xa.unit) == ("officer", "05085")
    assert user_by_token_hash(store, token_hash(token.output.strip())).username == "xa"
    listing = runner.invoke(app, ["user", "list", *data])
    assert "chief" in listing.output and "05085" in listing.output


def test_serve_has_its_options():
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--data-dir", "--database-url"):
        assert option in result.output
