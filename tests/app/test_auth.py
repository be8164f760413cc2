"""Editor accounts: create-editor, argon2id, login audit, fresh sessions, revocation (throttling: test_throttle.py)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from store.models import AuditEntry, User
from tests.support.desk import PASSWORD, create_editor, desk_app, editor_client, login
from views.extensions import get_db


@pytest.fixture
def app(desk_test_app):
    """The desk's app (tests/support/desk.py: cheap password hashing, the newspaper named), not conftest's."""
    return desk_test_app


def _audit(app, action=None):
    with app.app_context():
        with get_db().session() as s:
            stmt = select(AuditEntry).order_by(AuditEntry.id)
            if action:
                stmt = stmt.where(AuditEntry.action == action)
            return list(s.scalars(stmt))


def _user(app, name):
    with app.app_context():
        with get_db().session() as s:
            return s.scalar(select(User).where(User.username == name))


# --- create-editor ---------------------------------------------------------------------------

def test_create_editor_asks_twice_and_stores_argon2id_with_library_defaults(database_url):
    app = desk_app(database_url, PASSWORD_HASHER_PARAMS=None)      # the production profile
    try:
        result = app.test_cli_runner().invoke(args=["create-editor", "Zhang.Wei"],
                                              input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n")
        assert result.exit_code == 0, result.output
        assert "再输一次" in result.output
        user = _user(app, "zhang.wei")
        assert user.role == "editor" and user.active
        # argon2id, at least OWASP's minimum (m=19 MiB, t=2) — the RFC 9106 profile is m=64 MiB, t=3.
        assert user.password_hash.startswith("$argon2id$")
        params = dict(p.split("=") for p in user.password_hash.split("$")[3].split(","))
        assert int(params["m"]) >= 19456 and int(params["t"]) >= 2
        assert PASSWORD not in user.password_hash
        entry = _audit(app, "editor-created")[-1]
        assert entry.actor == "cli" and json.loads(entry.details_json)["username"] == "zhang.wei"
    finally:
        app.extensions["notice_db"].dispose()


def test_create_editor_password_stdin_admin_and_refusals(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-editor", "boss", "--admin", "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert _user(app, "boss").role == "admin"
    again = runner.invoke(args=["create-editor", "boss", "--password-stdin"], input=PASSWORD + "\n")
    assert again.exit_code != 0 and "已存在" in again.output
    short = runner.invoke(args=["create-editor", "newbie", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "至少10个字符" in short.output
    bad_name = runner.invoke(args=["create-editor", "has space", "--password-stdin"], input=PASSWORD + "\n")
    assert bad_name.exit_code != 0 and "账号名" in bad_name.output
    assert _user(app, "newbie") is None


# --- login, audit, sessions ------------------------------------------------------------------

def test_login_success_and_failure_are_audited(app, client):
    create_editor(app, "editor1")
    r = login(client, "editor1", "wrong password!")
    assert r.status_code == 401 and "账号或密码不对" in r.get_data(as_text=True)
    r = login(client, "nobody", PASSWORD)
    assert r.status_code == 401
    r = login(client, "EDITOR1", PASSWORD)       # names are case-insensitive
    assert r.status_code == 303 and r.headers["Location"].endswith("/desk/")
    failed = _audit(app, "login-failed")
    assert [json.loads(e.details_json)["reason"] for e in failed] == ["wrong-password", "no-such-user"]
    assert all(e.actor == "anonymous" for e in failed)
    ok = _audit(app, "login")
    assert len(ok) == 1 and ok[0].actor == "editor:editor1" and ok[0].at is not None
    client.post("/desk/logout")
    assert _audit(app, "logout")[-1].actor == "editor:editor1"


def test_login_starts_a_new_session(app, client):
    create_editor(app, "editor1")
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"          # session fixation: must not survive login
    assert login(client, "editor1").status_code == 303
    with client.session_transaction() as sess:
        assert "planted" not in sess
        first_nonce = sess["desk_nonce"]
    client.post("/desk/logout")
    assert login(client, "editor1").status_code == 303
    with client.session_transaction() as sess:
        assert sess["desk_nonce"] != first_nonce


def test_cookie_captured_before_logout_no_longer_works(app, client):
    create_editor(app, "editor1")
    login(client, "editor1")
    assert client.get("/desk/").status_code == 200
    captured = client.get_cookie("session").value
    assert client.post("/desk/logout").status_code == 303
    thief = app.test_client()
    thief.set_cookie("session", captured)
    r = thief.get("/desk/")
    assert r.status_code == 302 and "/desk/login" in r.headers["Location"]
    # …and the same for a POST: the replayed session cannot act either.
    assert thief.post("/desk/logout").status_code == 302


def test_password_change_ends_every_other_session(app):
    create_editor(app, "editor1")
    office, home = app.test_client(), app.test_client()
    login(office, "editor1")
    login(home, "editor1")
    r = office.post("/desk/password", data={"current": PASSWORD, "new": "a brand new passphrase",
                                            "confirm": "a brand new passphrase"})
    assert r.status_code == 303
    assert office.get("/desk/").status_code == 200            # this browser continues
    assert home.get("/desk/").status_code == 302              # the other one is logged out
    assert login(app.test_client(), "editor1", PASSWORD).status_code == 401
    assert login(app.test_client(), "editor1", "a brand new passphrase").status_code == 303
    assert _audit(app, "password-changed")


def test_password_change_refuses_wrong_current_and_mismatch(app):
    client = editor_client(app)
    r = client.post("/desk/password", data={"current": "not it at all", "new": "another passphrase",
                                            "confirm": "another passphrase"})
    assert r.status_code == 422 and "当前密码不对" in r.get_data(as_text=True)
    r = client.post("/desk/password", data={"current": PASSWORD, "new": "another passphrase",
                                            "confirm": "another passphrase!"})
    assert r.status_code == 422 and "不一致" in r.get_data(as_text=True)
    assert client.get("/desk/").status_code == 200


def test_deactivated_editor_is_logged_out_and_cannot_log_in(app):
    admin = editor_client(app, "boss", role="admin")
    victim = editor_client(app, "editor2")
    user = _user(app, "editor2")
    assert admin.post(f"/desk/editors/{user.id}/active", data={"active": "0"}).status_code == 303
    assert victim.get("/desk/").status_code == 302
    assert login(app.test_client(), "editor2").status_code == 401
    assert _audit(app, "editor-deactivated")[-1].actor == "editor:boss"


def test_next_parameter_only_redirects_inside_the_desk(app, client):
    create_editor(app, "editor1")
    r = client.get("/desk/audit")
    assert r.status_code == 302 and "next=" in r.headers["Location"]
    r = login(client, "editor1", query_string={"next": "/desk/audit"})
    assert r.headers["Location"].endswith("/desk/audit")
    client.post("/desk/logout")
    r = login(client, "editor1", query_string={"next": "https://evil.example/desk"})
    assert r.headers["Location"].endswith("/desk/")
    client.post("/desk/logout")
    r = login(client, "editor1", query_string={"next": "//evil.example/desk"})
    assert "evil" not in r.headers["Location"]


# Login throttling: tests/app/test_throttle.py
