"""Who may see and do what: every desk page needs an editor, admin pages an admin, advertiser
pages their secret; with CSRF on, a desk POST without its token is refused."""
from __future__ import annotations

import re

import pytest

from tests.support.desk import (
    ISSUE,
    PASSWORD,
    create_editor,
    csrf_token_from,
    desk_app,
    editor_client,
    fetch,
    login,
    mark_published,
    secret,
    submit,
)


@pytest.fixture
def app(desk_test_app):
    """The desk's app (tests/support/desk.py: cheap password hashing, the newspaper named), not conftest's."""
    return desk_test_app


REF = "GG-0000-0000"     # replaced by a real reference in the tests
DAY = ISSUE.isoformat()
DESK_GETS = ["/desk/", f"/desk/notices/{REF}", f"/desk/notices/{REF}/edit", f"/desk/notices/{REF}/history",
             "/desk/audit", "/desk/issues/", f"/desk/issues/{DAY}", f"/desk/issues/{DAY}/preview.pdf",
             "/desk/issues/goto?day=" + DAY, "/desk/settings", "/desk/settings/paperwork", "/desk/editors",
             "/desk/password", f"/desk/notices/{REF}/documents/1"]
DESK_POSTS = [f"/desk/notices/{REF}/approve", f"/desk/notices/{REF}/reject", f"/desk/notices/{REF}/request-changes",
              f"/desk/notices/{REF}/edit", f"/desk/notices/{REF}/schedule", f"/desk/notices/{REF}/unschedule",
              f"/desk/notices/{REF}/payments", f"/desk/notices/{REF}/refunds", f"/desk/issues/{DAY}/export",
              f"/desk/issues/{DAY}/publish", f"/desk/issues/{DAY}/withdraw",
              "/desk/settings", "/desk/settings/paperwork", "/desk/editors", "/desk/editors/1/active",
              "/desk/editors/1/password",
              "/desk/editors/1/unlock",
              "/desk/password", "/desk/logout", "/desk/queue/bulk"]
ADMIN_ONLY = ["/desk/settings", "/desk/settings/paperwork", "/desk/editors"]


ACTION_GETS = ["/desk/notices/<reference>/"
               "<any(approve, reject, 'request-changes', schedule, unschedule, payments):action>",
               "/desk/issues/<day>/<any(export, publish, withdraw):action>"]


def test_every_desk_route_is_listed_here(app):
    """A new desk route must be added to the lists above (and so to the access tests)."""
    listed = {u.split("?")[0].replace(REF, "<reference>").replace(DAY, "<day>").replace("/1/", "/<int:user_id>/")
              .replace("/documents/1", "/documents/<int:document_id>")
              for u in DESK_GETS + DESK_POSTS} | set(ACTION_GETS)
    routes = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/desk") and r.rule != "/desk/login"}
    assert routes <= listed, routes - listed


def test_anonymous_and_advertisers_are_sent_to_login(app, client):
    reference = submit(app)
    # An advertiser is an anonymous visitor who knows a status link: it opens no desk page.
    assert client.get(f"/status/{reference}/{secret(app, reference)}").status_code == 200
    for url in DESK_GETS:
        r = client.get(url.replace(REF, reference))
        assert r.status_code == 302 and "/desk/login" in r.headers["Location"], url
    for url in DESK_POSTS:
        r = client.post(url.replace(REF, reference), data={"version": "1", "reason": "x", "confirm": "1"})
        assert r.status_code == 302 and "/desk/login" in r.headers["Location"], url
        r = client.get(url.replace(REF, reference))      # a POST address opened by hand: never a page
        assert r.status_code == 405 or (r.status_code == 302 and "/desk/login" in r.headers["Location"]), url
    notice = fetch(app, reference)
    assert notice.status == "submitted" and notice.version == 1


def test_admin_pages_refused_to_editors(app):
    editor = editor_client(app)
    for url in ADMIN_ONLY:
        r = editor.get(url)
        assert r.status_code == 403 and "没有权限" in r.get_data(as_text=True), url
        assert editor.post(url, data={}).status_code == 403, url
    assert editor.post("/desk/editors/1/active", data={"active": "0"}).status_code == 403
    assert editor.post("/desk/editors/1/password", data={}).status_code == 403
    assert editor.post(f"/desk/issues/{DAY}/withdraw", data={"reason": "x"}).status_code == 403
    admin = editor_client(app, "boss", role="admin")
    for url in ADMIN_ONLY:
        assert admin.get(url).status_code == 200, url


def test_advertiser_pages_need_their_secret(app, client):
    reference = submit(app)
    other = submit(app)
    good = secret(app, reference)
    assert client.get(f"/status/{reference}/{good}").status_code == 200
    assert client.get(f"/receipt/{reference}/{good}").status_code == 200
    for path in (f"/status/{reference}/{secret(app, other)}", f"/status/{reference}/wrongsecret",
                 f"/receipt/{reference}/{secret(app, other)}", f"/status/{reference}/{secret(app, other)}/proof.pdf",
                 f"/status/{reference}/wrongsecret/proof.pdf"):
        assert client.get(path).status_code == 404, path
    # The proof exists only once the notice is published, and only with the secret.
    early = client.get(f"/status/{reference}/{good}/proof.pdf")
    assert early.status_code == 409 and early.mimetype == "text/html"
    assert "还没有见报" in early.get_data(as_text=True)
    assert f"/status/{reference}/{good}" in early.get_data(as_text=True)
    mark_published(app, reference)
    assert client.get(f"/status/{reference}/wrongsecret/proof.pdf").status_code == 404


@pytest.fixture
def csrf_app(database_url):
    app = desk_app(database_url, WTF_CSRF_ENABLED=True)
    yield app
    app.extensions["notice_db"].dispose()


def test_desk_posts_without_csrf_token_are_refused(csrf_app):
    app = csrf_app
    create_editor(app, "editor1")
    reference = submit(app)
    client = app.test_client()
    # Even the login form needs its token.
    assert login(client, "editor1").status_code == 400
    token = csrf_token_from(client.get("/desk/login").get_data(as_text=True))
    assert client.post("/desk/login", data={"username": "editor1", "password": PASSWORD,
                                            "csrf_token": token}).status_code == 303
    version = str(fetch(app, reference).version)
    for url in (f"/desk/notices/{reference}/approve", f"/desk/notices/{reference}/reject",
                f"/desk/notices/{reference}/payments", f"/desk/issues/{DAY}/publish", "/desk/logout",
                f"/desk/issues/{DAY}/withdraw"):
        r = client.post(url, data={"version": version, "reason": "x"})
        assert r.status_code == 400, url
        assert "安全校验未通过" in r.get_data(as_text=True)
    assert fetch(app, reference).status == "submitted"
    assert client.get("/desk/").status_code == 200           # still logged in: logout was refused too
    # With the page's token the same POST works.
    page = client.get(f"/desk/notices/{reference}").get_data(as_text=True)
    r = client.post(f"/desk/notices/{reference}/approve", data={"version": version,
                                                               "csrf_token": csrf_token_from(page)})
    assert r.status_code == 303 and fetch(app, reference).status == "approved"


def test_admin_forms_work_with_their_page_tokens(csrf_app):
    """With CSRF on, every form as rendered (including prefixed ones) carries a token that works."""
    app = csrf_app
    create_editor(app, "boss", role="admin")
    create_editor(app, "editor2")
    client = app.test_client()
    token = csrf_token_from(client.get("/desk/login").get_data(as_text=True))
    assert client.post("/desk/login", data={"username": "boss", "password": PASSWORD,
                                            "csrf_token": token}).status_code == 303
    page = client.get("/desk/editors").get_data(as_text=True)
    user_id = re.search(r'/desk/editors/(\d+)/password', page.split("editor2")[1]).group(1)
    token = re.search(rf'name="u{user_id}-csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = client.post(f"/desk/editors/{user_id}/password", data={
        f"u{user_id}-csrf_token": token, f"u{user_id}-password": "a reset passphrase",
        f"u{user_id}-confirm": "a reset passphrase"})
    assert r.status_code == 303
    r = client.post(f"/desk/editors/{user_id}/active", data={"active": "0"})
    assert r.status_code == 400                                   # no token: refused
    r = client.post(f"/desk/editors/{user_id}/active", data={"active": "0", "csrf_token": csrf_token_from(page)})
    assert r.status_code == 303


def test_post_addresses_opened_with_get_lead_back_in_chinese(app):
    editor = editor_client(app)
    reference = submit(app)
    r = editor.post(f"/desk/notices/{reference}/reject", data={"version": "1", "reason": ""})
    assert r.status_code == 422                       # shown again at the POST address…
    r = editor.get(f"/desk/notices/{reference}/reject")            # …and reloaded
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/desk/notices/{reference}")
    r = editor.get(f"/desk/issues/{DAY}/publish")
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/desk/issues/{DAY}")
    r = editor.get("/desk/logout")
    assert r.status_code == 405 and 'lang="zh-CN"' in r.get_data(as_text=True)
    assert "不能直接打开" in r.get_data(as_text=True)
    r = app.test_client().get("/api/v1/notices")
    assert r.status_code == 405 and r.is_json and r.get_json()["error"]["code"] == "method_not_allowed"
