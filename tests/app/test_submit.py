"""The advertiser's web form, without JavaScript: fill, correct, preview, confirm, follow."""
from __future__ import annotations

import re

import pytest

from tests.conftest import load_samples
from tests.support.apps import make_app

SAMPLES = load_samples()
CONTACT = {"advertiser_name": "陈小明", "advertiser_phone": "13800138000"}


def form_url(name):
    sample = SAMPLES[name]
    variant = sample["fields"].get("variant")
    return f"/submit/{sample['type']}" + (f"?variant={variant}" if variant else "")


def hidden(html, name):
    m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(rf'value="([^"]*)"[^>]*name="{name}"', html)
    return m.group(1) if m else ""


def post_data(name, html, **extra):
    sample = SAMPLES[name]
    data = {k: v for k, v in sample["fields"].items() if k != "variant"}
    data.update(CONTACT, publication_date="2026-11-28", submission_key=hidden(html, "submission_key"))
    data.update(extra)
    return data


def test_index_lists_every_entry(client):
    html = client.get("/").get_data(as_text=True)
    for title in ("遗失营业执照", "遗失印章", "遗失证件或文件", "减资公告", "清算公告", "撤销公告", "合并公告",
                  "分立公告", "更正声明"):
        assert title in html


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_type_can_be_filled_previewed_and_confirmed(client, name):
    page = client.get(form_url(name))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    preview = client.post(form_url(name), data=post_data(name, html, action="check"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "有 " not in html or "处需要改正" not in html
    assert 'src="data:image/png;base64,' in html and "确认提交" in html
    # At the top of the page, where it comes back: it passed, lines and price, and where to look.
    summary = re.search(r'id="check-summary">(.*?)</div>', html).group(1)
    assert "核对完成" in summary and "行，¥" in summary and 'href="#preview"' in summary
    token = hidden(html, "preview_token")
    text = re.search(r'<textarea[^>]*name="text"[^>]*>\s*(.*?)</textarea>', html, re.S).group(1)
    confirm = client.post(form_url(name), data=post_data(name, html, action="confirm", preview_token=token,
                                                         text=text, composed_hash=hidden(html, "composed_hash")))
    assert confirm.status_code == 303, confirm.get_data(as_text=True)
    receipt = client.get(confirm.headers["Location"])
    body = receipt.get_data(as_text=True)
    assert "公告已受理" in body and re.search(r"GG-[0-9A-Z]{4}-[0-9A-Z]{4}", body)
    status_link = re.search(r'href="(/status/[^"]+)"', body).group(1)
    assert "待审核" in client.get(status_link).get_data(as_text=True)


def test_error_is_shown_next_to_the_field_and_can_be_corrected(client):
    name = "lost-document:licence"
    html = client.get(form_url(name)).get_data(as_text=True)
    bad = client.post(form_url(name), data=post_data(name, html, action="check", uscc="91440106MA5CL12T4F"))
    page = bad.get_data(as_text=True)
    assert "处需要改正" in page and "第18位校验码应为 G" in page
    assert "确认提交" not in page and "check-summary" not in page
    assert 'value="91440106MA5CL12T4F"' in page       # what was typed is kept
    good = client.post(form_url(name), data=post_data(name, page, action="check"))
    assert "确认提交" in good.get_data(as_text=True)


def test_confirm_without_contact_details_says_so_at_the_top(client):
    """The page comes back at its top: a confirmation refused for the contact details must say
    so there, in red, with links to the fields - not the green "checked" banner of before."""
    name = "correction"
    html = client.get(form_url(name)).get_data(as_text=True)
    html = client.post(form_url(name), data=post_data(name, html, action="check")).get_data(as_text=True)
    data = post_data(name, html, action="confirm", preview_token=hidden(html, "preview_token"),
                     composed_hash=hidden(html, "composed_hash"), advertiser_name="", advertiser_phone="")
    refused = client.post(form_url(name), data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    summary = re.search(r'id="contact-summary">(.*?)</div>', page, re.S).group(1)
    assert "请填写联系人姓名" in summary and 'href="#advertiser_name"' in summary
    assert "check-summary" not in page and 'id="advertiser_name"' in page
    # A malformed e-mail address is pointed out at 检查并预览 already, not only when confirming.
    checked = client.post(form_url(name), data=post_data(name, html, action="check",
                                                         advertiser_email="hzm@example"))
    assert checked.status_code == 200
    assert "电子邮箱格式不对" in re.search(r'id="contact-summary">(.*?)</div>', checked.get_data(as_text=True),
                                          re.S).group(1)


def test_double_submit_stores_one_notice(app, client):
    name = "correction"
    html = client.get(form_url(name)).get_data(as_text=True)
    html = client.post(form_url(name), data=post_data(name, html, action="check")).get_data(as_text=True)
    data = post_data(name, html, action="confirm", preview_token=hidden(html, "preview_token"),
                     composed_hash=hidden(html, "composed_hash"))
    first = client.post(form_url(name), data=data)
    second = client.post(form_url(name), data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"].split("?")[0] == second.headers["Location"].split("?")[0]
    from sqlalchemy import func, select

    from store.models import Notice
    with app.extensions["notice_db"].session() as s:
        assert s.scalar(select(func.count()).select_from(Notice)) == 1


def test_confirm_without_the_previewed_content_asks_to_check_again(client):
    name = "correction"
    html = client.get(form_url(name)).get_data(as_text=True)
    html = client.post(form_url(name), data=post_data(name, html, action="check")).get_data(as_text=True)
    data = post_data(name, html, action="confirm", preview_token=hidden(html, "preview_token"),
                     composed_hash=hidden(html, "composed_hash"), publication_date="2026-11-29")
    response = client.post(form_url(name), data=data)
    assert response.status_code == 200
    assert "与您上次预览时不同" in response.get_data(as_text=True)


def test_status_page_needs_its_secret(client):
    ref, secret = _confirmed(client, "correction")
    assert client.get(f"/status/{ref}/{secret}").status_code == 200
    assert client.get(f"/status/{ref}/{'a' * len(secret)}").status_code == 404
    assert client.get(f"/receipt/{ref}/wrong").status_code == 404
    found = client.post("/status", data={"reference": ref.lower().replace("-", ""), "secret": secret})
    assert found.status_code == 303
    # Typed back with a Chinese IME (full-width) and in groups, as people copy from a receipt.
    wide = lambda text: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)  # noqa: E731
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)).upper()
    found = client.post("/status", data={"reference": wide(ref), "secret": wide(grouped)})
    assert found.status_code == 303 and found.headers["Location"].endswith(f"/status/{ref}/{secret}")
    assert client.post("/status", data={"reference": ref, "secret": secret[:-1]}).status_code == 400


def test_expired_csrf_token_keeps_everything_typed(sqlite_app):
    app = make_app(sqlite_app.config["DATABASE_URL"], WTF_CSRF_ENABLED=True)
    client = app.test_client()
    name = "capital-reduction"
    html = client.get(form_url(name)).get_data(as_text=True)
    data = post_data(name, html, action="check", csrf_token="expired-or-forged")
    response = client.post(form_url(name), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "安全校验已过期" in page and "您填写的内容都还在" in page
    assert 'value="广州市示例建材有限公司"' in page and 'value="伍佰万元"' in page
    # …and with the fresh token from that page the same post goes through.
    data["csrf_token"] = hidden(page, "csrf_token")
    assert "确认提交" in client.post(form_url(name), data=data).get_data(as_text=True)


def test_text_normalisation_is_shown(client):
    name = "lost-document:document"
    html = client.get(form_url(name)).get_data(as_text=True)
    text = "陈小明遗失广州市示例置业有限公司开具的购房收据(房号：示例花园3栋1201房),编号：0012345,特此声明."
    page = client.post(form_url(name), data=post_data(name, html, action="check", text=text)).get_data(as_text=True)
    assert "已自动规范的写法" in page and "（房号" in page


def test_pages_are_chinese_and_work_on_a_phone(client):
    html = client.get("/submit/capital-reduction").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and 'name="viewport"' in html
    assert "统一社会信用代码" in html and "例如：91440101MA5ACCGH4T" in html


def _confirmed(client, name):
    html = client.get(form_url(name)).get_data(as_text=True)
    html = client.post(form_url(name), data=post_data(name, html, action="check")).get_data(as_text=True)
    confirm = client.post(form_url(name), data=post_data(name, html, action="confirm",
                                                         preview_token=hidden(html, "preview_token"),
                                                         composed_hash=hidden(html, "composed_hash")))
    _, ref, secret = confirm.headers["Location"].split("?")[0].strip("/").split("/")[-3:]
    return ref, secret


def test_advertiser_revises_after_changes_are_requested(app, client):
    from store import workflow
    from store.audit import verify_audit_chain
    from store.workflow import get_notice
    ref, secret = _confirmed(client, "lost-document:licence")
    db = app.extensions["notice_db"]
    with db.session() as s:
        version = get_notice(s, ref).version
    workflow.request_changes(db, ref, version, "执照编号少了一位，请核对后重新提交。", actor="editor:li")
    status = client.get(f"/status/{ref}/{secret}").get_data(as_text=True)
    assert "需修改" in status and "按意见修改并重新提交" in status

    page = client.get(f"/status/{ref}/{secret}/revise").get_data(as_text=True)
    assert "执照编号少了一位" in page and 'value="广州市示例贸易有限公司"' in page
    assert f"<h1>修改遗失营业执照 {ref}</h1>" in page          # it says it is a revision, of which notice
    data = post_data("lost-document:licence", page, action="check", licence_serial="S26120200112345",
                     version=hidden(page, "version"), text="", composed_hash="")
    checked = client.post(f"/status/{ref}/{secret}/revise", data=data).get_data(as_text=True)
    assert "确认提交" in checked and "S26120200112345" in checked
    data.update(action="confirm", preview_token=hidden(checked, "preview_token"),
                composed_hash=hidden(checked, "composed_hash"))
    done = client.post(f"/status/{ref}/{secret}/revise", data=data)
    assert done.status_code == 303
    with db.session() as s:
        notice = get_notice(s, ref)
        assert notice.status == "submitted" and notice.current_revision == 2 and notice.decision_reason == ""
        assert [r.author for r in notice.revisions] == ["advertiser", "advertiser"]
        assert "S26120200112345" in notice.revision.text and "S26120200112345" not in notice.revisions[0].text
        assert verify_audit_chain(s) == []
    # Back in the queue: the revise page now leads to the status page, and a stale form changes nothing.
    assert client.get(f"/status/{ref}/{secret}/revise").status_code == 303
    assert client.post(f"/status/{ref}/{secret}/revise", data=data).status_code == 303
    assert client.get(f"/status/{ref}/wrongsecret/revise").status_code == 404


def test_a_name_too_long_is_said_not_cut_off(client):
    """The browser would cut a pasted name at maxlength without a word: the bound is looser
    than the rule, and the check says what the rule is."""
    html = client.get(form_url("capital-reduction")).get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="company"[^>]*>', html).group(0)
    maxlength = int(re.search(r'maxlength="(\d+)"', tag).group(1))
    assert maxlength > 60
    data = post_data("capital-reduction", html, action="check")
    data["company"] = "广州市" + "某" * 55 + "有限公司"      # 62 characters
    page = client.post(form_url("capital-reduction"), data=data).get_data(as_text=True)
    assert "最多60个字，现为62个字" in page


def test_a_text_edited_against_the_licence_chosen_is_flagged():
    """副本 chosen, 正本 written: the notice would declare the wrong licence void."""
    from notices.checks import check_notice
    from notices.deadlines import PublishingCalendar
    from tests.conftest import NOW
    sample = load_samples()["lost-document:licence"]
    fields = dict(sample["fields"], licence_copy="副本")
    ok = check_notice("lost-document", fields, None, None, calendar=PublishingCalendar(), now=NOW,
                      missing_glyphs=lambda t: [])
    assert ok.ok and "副本" in ok.text
    edited = ok.text.replace("副本", "正本")
    result = check_notice("lost-document", fields, edited, None, calendar=PublishingCalendar(), now=NOW,
                          missing_glyphs=lambda t: [])
    assert any(e.code == "field-not-in-text" and "遗失的执照" in e.message for e in result.errors)
    both = dict(fields, licence_copy="正、副本")
    for written in ("正、副本", "正副本", "正本和副本"):
        text = ok.text.replace("副本", written)
        result = check_notice("lost-document", both, text, None, calendar=PublishingCalendar(), now=NOW,
                              missing_glyphs=lambda t: [])
        assert not [e for e in result.errors if e.code == "field-not-in-text"], written


def test_the_papers_phone_numbers_are_tappable(app):
    with app.test_request_context():
        render = app.jinja_env.from_string("{{ p|phones }}").render
        html = render(p="87750217 87133731")
        # With the paper's area code (020 by default): dialled from a mobile or another city too.
        assert html == ('<a href="tel:+862087750217">020-87750217</a> '
                        '<a href="tel:+862087133731">020-87133731</a>')
        assert render(p="(020)8775-0217 转<b>") == '<a href="tel:+862087750217">(020)8775-0217</a> 转&lt;b&gt;'


def test_a_second_notice_from_an_old_page_keeps_what_was_typed(app, client):
    """Without JavaScript, Back after confirming shows the old page, same form key and all. A
    changed notice confirmed from it is not lost: the page comes back with everything typed and
    a new key, and one more 确认提交 files it as a notice of its own."""
    name = "correction"
    html = client.get(form_url(name)).get_data(as_text=True)
    html = client.post(form_url(name), data=post_data(name, html, action="check")).get_data(as_text=True)
    first = client.post(form_url(name), data=post_data(name, html, action="confirm",
                                                       preview_token=hidden(html, "preview_token"),
                                                       composed_hash=hidden(html, "composed_hash")))
    assert first.status_code == 303
    # Back: the same page, the same key; another notice checked and confirmed from it.
    changed = post_data(name, html, action="check", subject="广州市另一家贸易有限公司")
    checked = client.post(form_url(name), data=changed).get_data(as_text=True)
    assert hidden(checked, "submission_key") == hidden(html, "submission_key")
    second = client.post(form_url(name), data={**changed, "action": "confirm",
                                               "preview_token": hidden(checked, "preview_token"),
                                               "composed_hash": hidden(checked, "composed_hash")})
    page = second.get_data(as_text=True)
    assert second.status_code == 200 and "此前已经提交过" in page and "广州市另一家贸易有限公司" in page
    new_key = hidden(page, "submission_key")
    assert new_key != hidden(html, "submission_key")
    third = client.post(form_url(name), data={**changed, "action": "confirm", "submission_key": new_key,
                                              "preview_token": hidden(page, "preview_token"),
                                              "composed_hash": hidden(page, "composed_hash")})
    assert third.status_code == 303
    assert third.headers["Location"].split("?")[0] != first.headers["Location"].split("?")[0]
    from sqlalchemy import func, select

    from store.models import Notice
    with app.extensions["notice_db"].session() as s:
        assert s.scalar(select(func.count()).select_from(Notice)) == 2
