"""Public verification: published notices found by name, credit code, reference or code;
unpublished notices never shown; searches rate-limited."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.support.desk import LICENCE, PERSON, editor_client, mark_published, submit, version


@pytest.fixture
def app(desk_test_app):
    """The desk's app (tests/support/desk.py: cheap password hashing, the newspaper named), not conftest's."""
    return desk_test_app


COMPANY = "广州斐泽展览策划有限公司"
USCC = "914401133314312947"


def _search(client, q):
    return client.get("/verify", query_string={"q": q})


def test_unpublished_notices_are_never_shown(app, client):
    reference = submit(app, LICENCE)
    editor = editor_client(app)
    for step in range(4):
        for q in (COMPANY, "斐泽展览", USCC, reference, reference.replace("-", "").lower()):
            r = _search(client, q)
            assert r.status_code == 200
            html = r.get_data(as_text=True)
            assert "没有找到" in html and 'class="verified"' not in html, (step, q)
            assert "遗失营业执照副本" not in html and "/verify/" + reference not in html, (step, q)
        assert client.get(f"/verify/{reference}").status_code == 404
        # …through every status short of published: submitted, approved, scheduled, rejected.
        if step == 0:
            editor.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
        elif step == 1:
            editor.post(f"/desk/notices/{reference}/schedule", data={
                "version": version(app, reference), "issue_date": "2026-11-27", "override_reason": "测试"})
        elif step == 2:
            editor.post(f"/desk/notices/{reference}/unschedule", data={"version": version(app, reference)})
            editor.post(f"/desk/notices/{reference}/reject", data={"version": version(app, reference),
                                                                  "reason": "测试"})


def test_published_notice_found_by_name_code_reference_and_verification_code(app, client):
    reference = submit(app, LICENCE)
    hidden = submit(app, LICENCE)                     # same company, not published
    mark_published(app, reference, page=3, column=5, code="7K3M9QXPAB")
    for q in (COMPANY, "斐泽展览", USCC, USCC.lower(), reference, reference.replace("-", "").lower(),
              "7K3M9QXPAB", "7k3m-9qxp-ab"):
        html = _search(client, q).get_data(as_text=True)
        assert reference in html, q
        assert hidden not in html, q
        assert "2026年11月27日" in html and "分类广告第3页第 5 栏" in html
    assert "核验码相符" in _search(client, "7K3M9QXPAB").get_data(as_text=True)
    detail = client.get(f"/verify/{reference}", query_string={"code": "7K3M9QXPAB"}).get_data(as_text=True)
    assert "核验码相符" in detail and COMPANY in detail
    wrong = client.get(f"/verify/{reference}", query_string={"code": "AAAAAAAAAA"}).get_data(as_text=True)
    assert "核验码不符" in wrong


def test_search_input_rules(app, client):
    reference = submit(app, PERSON)
    mark_published(app, reference)
    assert _search(client, "范").status_code == 400                     # one character: too broad
    assert _search(client, "范海\u202e英").status_code == 400             # invisible characters
    for id_like in ("11010519491231002X", "110105194912310", "范海英 1101051949"):   # never a search key
        r = _search(client, id_like)
        assert r.status_code == 400 and "身份证号码" in r.get_data(as_text=True), id_like
    assert reference in _search(client, "范海英").get_data(as_text=True)
    # LIKE wildcards are literal: '%%' matches nothing.
    assert reference not in _search(client, "%%").get_data(as_text=True)
    assert client.get("/verify").status_code == 200


# Run in a process of its own: Flask-Limiter's limiter is one object per process
# (views/extensions.py), and every app created sets its `enabled` (and storage) from that app's
# config; in the whole suite another app created meanwhile switched the limit off under the test.
_LIMITED_SEARCHES = """
import json, sys
from tests.support.desk import desk_app
app = desk_app(sys.argv[1], RATELIMIT_ENABLED=True)
client = app.test_client()
codes = [client.get("/verify", query_string={"q": "某某公司"}).status_code for _ in range(31)]
other = app.test_client()
other.environ_base["REMOTE_ADDR"] = "198.51.100.8"
codes.append(other.get("/verify", query_string={"q": "某某公司"}).status_code)
app.extensions["notice_db"].dispose()
print(json.dumps(codes))
"""


def test_search_is_rate_limited_per_address(database_url):
    done = subprocess.run([sys.executable, "-c", _LIMITED_SEARCHES, database_url], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    codes = json.loads(done.stdout.strip().splitlines()[-1])
    assert codes[:30] == [200] * 30          # 30 searches a minute from one address …
    assert codes[30] == 429                  # … and the 31st is refused
    assert codes[31] == 200                  # another address is not


def test_search_never_finds_a_notice_by_the_digits_the_paper_hid(app, client):
    """ID numbers print masked (440106********2317): searching the hidden birth date must find
    nothing, or the public page would reveal it four digits at a time."""
    from tests.conftest import load_seed
    item = load_seed()[PERSON]
    text = item["text"].replace("遗失", "（身份证号码：440106198503172317）遗失", 1)
    reference = submit(app, PERSON, text_override=text)
    mark_published(app, reference)
    name = text[:3]
    assert reference in _search(client, name).get_data(as_text=True)
    html = _search(client, "2317").get_data(as_text=True)          # printed: found
    assert reference in html and "440106********2317" in html and "19850317" not in html
    for hidden in ("1985", "0317", "8503", "03172", "19850"):
        html = _search(client, hidden).get_data(as_text=True)
        assert reference not in html and "没有找到" in html, hidden
