"""The advertiser's journey as mail tells it (issue 14, "Done when"), in Chromium against gunicorn,
with the mails read from a real SMTP server: aiosmtpd in this test process
(tests/support/smtp.py), which the app's `flask send-mail --once` delivers to (MAIL_SERVER,
MAIL_PORT in the server's environment). Every link followed below is taken from a mail.

- A new advertiser files a 减资公告 with an ID photo carrying GPS in its EXIF, gets the 受理 mail,
  opens the status page from it, uploads a transfer slip (a PNG) and asks for a 发票; the editor
  sees all three, the photo without EXIF; asks for changes (mail with the reason and the revise
  link), the advertiser revises from the mail's link (mail), the editor approves, records the
  payment and schedules (mail with the date). Desktop.
- At phone width: a 遗失声明 filed, the link lost and asked for again at /status/lost (mail with a
  link that opens the status page), then withdrawn before the copy deadline, free (mail).
- Without JavaScript: the form books two dates in one order (each priced, the total), both are
  mailed; on the status page a renamed program and an oversized file are refused, a JPEG with
  GPS is kept without its EXIF (read back through the desk's document link), a 发票 is asked
  for, one date of the order is withdrawn (mail).
"""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from PIL import Image

from tests.browser.conftest import (
    PHONE,
    Advertiser,
    _serve,
    create_editor,
    desk_login,
    flash,
    flask_cli,
    press,
    preview_is_shown,
)
from tests.support.smtp import Received, smtp_server

pytestmark = pytest.mark.browser

EDITOR, PASSWORD = "zhao.bian", "邮件通知逐封核对2026"
EMAIL = "chen.xiaoming@example.com"
SENDER = "测试日报 <notice@gonggao.example.test>"
ADDRESS = "广州市天河区体育西路191号中石化大厦B塔2801房"
REASON = "减资公告须写明债权人申报债权的联系地址，请补填“联系地址”后重新提交。"
TAX_NUMBER = "91440101340230099E"
MAX_BYTES = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def smtp():
    with smtp_server() as (inbox, port):
        inbox.port = port
        yield inbox


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory, demo_database, smtp):
    """gunicorn of this module's own, its mail sent to the test's SMTP server, its documents kept
    in its own folder (not the checkout's instance/)."""
    workdir = tmp_path_factory.mktemp("mail")
    env = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_DEFAULT_SENDER": SENDER,
           "DOCUMENTS_DIR": str(workdir / "documents")}
    with _serve(workdir, demo_database, env) as server:
        yield server


@pytest.fixture(scope="module")
def editor(mail_server):
    return create_editor(mail_server, EDITOR, PASSWORD)


class Mailbox:
    """One address's mail on the SMTP server; `new()` runs the sender once and returns what came."""

    def __init__(self, server: dict, smtp, address: str):
        self.server, self.smtp, self.address = server, smtp, address
        self.seen = len(smtp.to(address))

    def new(self, count: int = 1) -> list[Received]:
        out = flask_cli(self.server, "send-mail", "--once")
        mails = self.smtp.to(self.address)
        fresh = mails[self.seen:]
        assert len(fresh) == count, (out, [m.subject for m in fresh])
        self.seen = len(mails)
        for mail in fresh:
            assert mail.message["From"] == SENDER and mail.message["To"] == self.address
        return fresh


def link_in(mail: Received, base: str, path: str = "/status/") -> str:
    """The first link of the mail under `base` + `path` (the site's own address: the mail was
    written in the browser's request, no PUBLIC_BASE_URL set)."""
    found = re.findall(re.escape(base + path) + r"[^\s]+", mail.body)
    assert found, mail.body
    return found[0]


def png_slip(path) -> str:
    """A transfer slip as a phone screenshot would be: a real PNG."""
    image = Image.new("RGB", (480, 320), "white")
    for x in range(40, 440):
        image.putpixel((x, 60), (200, 0, 0))
    image.save(path, "PNG")
    return str(path)


def jpeg_with_gps(path) -> str:
    """A phone photo: EXIF with the camera and a GPS position (广州)."""
    image = Image.new("RGB", (640, 480), (180, 190, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model X"
    exif[0x8825] = {1: "N", 2: (23.0, 7.0, 30.0), 3: "E", 4: (113.0, 19.0, 10.0)}
    image.save(path, "JPEG", exif=exif.tobytes())
    data = path.read_bytes()
    assert b"Exif" in data and Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    return str(path)


def no_exif(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (640, 480)
    assert not image.getexif() and not image.getexif().get_ifd(0x8825)
    assert b"Exif" not in data and b"PhoneMaker" not in data


def stored_documents(desk, base: str, reference: str, section: str = "#documents") -> list[bytes]:
    """The files of a notice as an editor opens them: the desk's 查看 links, fetched with the
    editor's session (the browser context's cookies)."""
    desk.goto(f"{base}/desk/notices/{reference}")
    links = desk.locator(f"{section} a", has_text="查看")
    out = []
    for i in range(links.count()):
        response = desk.request.get(base + links.nth(i).get_attribute("href"))
        assert response.status == 200 and response.headers["cache-control"] == "private, no-store"
        out.append(response.body())
    return out


def mails_on_status_page(page) -> list[str]:
    return page.locator("section.mails li.mail summary").all_inner_texts()


# ---------------------------------------------------------------------------------------------

def test_new_advertiser_by_mail_from_filing_to_scheduled(new_page, mail_server, smtp, editor, samples, shots,
                                                         tmp_path):
    base = mail_server["url"]
    box = Mailbox(mail_server, smtp, EMAIL)
    sample = samples["capital-reduction"]
    assert not sample["fields"].get("contact_address")

    # --- 1. filed, with an ID photo straight from a phone ---------------------------------------
    customer = new_page()
    advertiser = Advertiser(customer, base, shots)
    advertiser.open_entry("capital-reduction")
    advertiser.fill(sample["fields"])
    # A file over 10 MB is refused in the browser before it is sent (the server checks again).
    big = tmp_path / "营业执照扫描.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * MAX_BYTES)
    customer.locator('input[name="doc__licence"]').set_input_files(str(big))
    refusal = customer.locator('.field[data-field="doc__licence"] .size-error')
    assert "超过了 10 MB 的上限，未选上" in refusal.inner_text()
    assert customer.locator('input[name="doc__licence"]').evaluate("i => i.files.length") == 0
    advertiser.shot("oversized-refused-in-browser")
    customer.locator('input[name="doc__id-card"]').set_input_files(jpeg_with_gps(tmp_path / "身份证.jpg"))
    assert advertiser.press("检查并预览") == 200
    price = preview_is_shown(customer)
    assert "身份证" in customer.locator("#documents").inner_text() and "已收到" in customer.locator(
        "#documents").inner_text()
    advertiser.contact()
    advertiser.form.locator('[name="advertiser_email"]').fill(EMAIL)
    advertiser.shot("form-previewed")
    reference = advertiser.confirm()
    advertiser.shot("receipt")

    # --- 2. the 受理 mail, and the status page opened from it -----------------------------------
    (received,) = box.new()
    assert reference in received.subject and "已受理" in received.subject
    assert "价格：" in received.body and price.split()[0] in received.body
    status_url = link_in(received, base)
    customer.goto(status_url)
    assert customer.locator(".status-line strong").inner_text() == "待审核"
    assert any("已受理" in s and "已发送" in s for s in mails_on_status_page(customer))
    advertiser.shot("status-from-mail")

    # The transfer slip (a PNG) and a 发票.
    customer.locator("#upload-kind").select_option("transfer-slip")
    customer.locator("#upload-file").set_input_files(png_slip(tmp_path / "转账回单.png"))
    press(customer, "上传")
    assert "已收到您上传的文件" in customer.locator("#paperwork").inner_text()
    assert "已收到转账凭证 1 份" in customer.locator("#paperwork").inner_text()
    customer.get_by_label("发票抬头").fill(sample["fields"]["company"])
    customer.get_by_label(re.compile("^税号")).fill(TAX_NUMBER)
    press(customer, "申请发票")
    assert "发票申请已提交" in customer.locator("#paperwork").inner_text()
    assert TAX_NUMBER in customer.locator("#paperwork").inner_text()
    advertiser.shot("slip-and-invoice")

    # --- 3. the editor sees the photo (no EXIF), the slip and the 发票; asks for changes ----------
    desk = new_page()
    desk_login(desk, base, editor, PASSWORD)
    (photo,) = stored_documents(desk, base, reference)
    no_exif(photo)
    (slip,) = stored_documents(desk, base, reference, "#paperwork")
    assert Image.open(io.BytesIO(slip)).format == "PNG"
    paperwork = desk.locator("#paperwork").inner_text()
    assert sample["fields"]["company"] in paperwork and TAX_NUMBER in paperwork
    shots(desk, "desk-paperwork")
    desk.get_by_label("原因（广告客户会看到）").fill(REASON)
    press(desk, "要求客户修改")
    assert "已要求客户修改" in flash(desk), flash(desk)

    (changes,) = box.new()
    assert "需要修改" in changes.subject and REASON in changes.body
    assert "截稿时间" in changes.body
    revise_url = link_in(changes, base)
    assert revise_url.endswith("/revise"), revise_url

    # --- 4. revised from the mail's link --------------------------------------------------------
    customer.goto(revise_url)
    assert REASON in customer.locator(".banner.warning", has_text="编辑意见").inner_text()
    advertiser.form.locator('[name="contact_address"]').fill(ADDRESS)
    assert advertiser.press("检查并预览") == 200
    preview_is_shown(customer)
    with customer.expect_navigation():
        customer.get_by_role("button", name=re.compile("^确认提交")).click()
    assert "修改已重新提交" in customer.get_by_role("status").first.inner_text()
    advertiser.shot("revised")
    (again,) = box.new()
    assert "已收到您修改后的公告" in again.subject and "第2版" in again.body

    # --- 5. approved, paid, scheduled: the 已排期 mail names the date -------------------------------
    desk.goto(f"{base}/desk/notices/{reference}")
    press(desk, re.compile(r"^审核通过"))
    assert "已审核通过" in flash(desk), flash(desk)
    owed = re.search(r"尚欠\s*¥([\d.]+)", desk.locator("#payment .help").first.inner_text()).group(1)
    desk.get_by_label("金额（元）").fill(owed)
    desk.get_by_label("收据号或流水号").fill("GZ2026-MAIL01")
    press(desk, re.compile(r"^登记付款"))
    assert "付款已登记" in flash(desk), flash(desk)
    issue = desk.locator("#schedule select").input_value()
    press(desk, re.compile(r"^排期"))
    assert desk.locator("h1 .status").inner_text() == "已排期", flash(desk)
    shots(desk, "desk-scheduled")
    (scheduled,) = box.new()
    day = date.fromisoformat(issue)
    assert "已排期" in scheduled.subject or "排期" in scheduled.body
    assert f"{day.year}年{day.month}月{day.day}日" in scheduled.body

    customer.goto(status_url)
    assert customer.locator(".status-line strong").inner_text() == "已排期"
    summaries = mails_on_status_page(customer)
    assert len(summaries) == 4 and all("已发送" in s for s in summaries), summaries
    advertiser.shot("status-scheduled")


def test_phone_lost_link_and_free_withdrawal_by_mail(new_page, mail_server, smtp, samples, shots):
    base = mail_server["url"]
    address = "lost.link@example.com"
    box = Mailbox(mail_server, smtp, address)
    phone = new_page(**PHONE)
    advertiser = Advertiser(phone, base, shots)
    advertiser.open_entry("lost-document:licence")
    advertiser.fill(samples["lost-document:licence"]["fields"])
    assert advertiser.press("检查并预览") == 200
    preview_is_shown(phone)
    advertiser.contact(phone="138-0013-8000")
    advertiser.form.locator('[name="advertiser_email"]').fill(address)
    advertiser.shot("phone-previewed")
    reference = advertiser.confirm()
    (received,) = box.new()
    status_url = link_in(received, base)

    # The link is lost: the reference and the phone (typed otherwise: +86, spaces) get it again.
    phone.goto(base + "/status/lost")
    phone.get_by_label("受理编号").fill(reference.lower())
    phone.get_by_label("联系电话").fill("+86 138 0013 8000")
    advertiser.shot("phone-lost-link")
    press(phone, "发送链接到我的邮箱")
    assert "如果受理编号和联系电话与提交时登记的相符" in phone.get_by_role("status").inner_text()
    advertiser.shot("phone-lost-link-sent")
    (link_mail,) = box.new()
    assert "进度页链接" in link_mail.subject and reference in link_mail.subject
    mailed = link_in(link_mail, base)
    assert mailed == status_url
    phone.goto(mailed)
    assert phone.locator(".status-line strong").inner_text() == "待审核"
    assert reference in phone.locator("main").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390     # nothing wider than the phone

    # Withdrawn before the copy deadline: free, and said so before and after.
    terms = phone.locator("#withdraw-terms").inner_text()
    assert "不收费" in terms, terms
    phone.get_by_label(re.compile("我确认撤回这则公告")).check()
    advertiser.shot("phone-withdraw")
    press(phone, "撤回")
    assert "公告已撤回，不会见报" in phone.get_by_role("status").first.inner_text()
    assert phone.locator(".status-line strong").inner_text() == "已撤回"
    advertiser.shot("phone-withdrawn")
    (withdrawn,) = box.new()
    assert "已撤回" in withdrawn.subject and "不会见报" in withdrawn.body and "应退还" not in withdrawn.body


def test_without_javascript_an_order_of_two_dates_documents_and_a_withdrawal(new_page, mail_server, smtp,
                                                                              editor, samples, shots, tmp_path):
    base = mail_server["url"]
    address = "no.script@example.com"
    box = Mailbox(mail_server, smtp, address)
    page = new_page(java_script_enabled=False)
    advertiser = Advertiser(page, base, shots)
    advertiser.open_entry("lost-document:licence")
    advertiser.fill(samples["lost-document:licence"]["fields"])
    first = page.locator('select[name="publication_date"]').input_value()
    boxes = page.locator('input[name="more_dates"]')
    assert not boxes.first.is_visible()                 # folded (a details element) until wanted
    page.locator(".more-dates summary").click()
    second = boxes.nth(3).get_attribute("value")
    assert second > first
    boxes.nth(3).check()
    advertiser.contact()
    advertiser.form.locator('[name="advertiser_email"]').fill(address)
    assert advertiser.press("检查并预览") == 200
    table = page.locator("table.order-dates")
    assert table.is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    prices = [int(re.sub(r"\D", "", rows.nth(i).locator("td").nth(2).inner_text())) for i in range(2)]
    total = int(re.sub(r"\D", "", table.locator("tfoot strong").inner_text()))
    assert total == sum(prices) and all(prices)
    confirm = page.get_by_role("button", name=re.compile("^确认提交"))
    assert confirm.inner_text() == f"确认提交（2期，合计¥{total}）"
    advertiser.shot("order-previewed")
    reference = advertiser.confirm()
    listed = page.locator("table.order tbody tr")
    assert listed.count() == 2
    advertiser.shot("order-receipt")
    mails = box.new(2)
    assert all("已受理" in m.subject for m in mails)
    references = {re.search(r"GG-[0-9A-Z]{4}-[0-9A-Z]{4}", m.subject).group(0) for m in mails}
    assert reference in references and len(references) == 2
    other = (references - {reference}).pop()
    links = {re.search(r"GG-[0-9A-Z]{4}-[0-9A-Z]{4}", m.subject).group(0): link_in(m, base) for m in mails}

    # The status page from the mail, without JavaScript: its forms post as they are.
    page.goto(links[reference])
    assert page.locator("table.order tbody tr").count() == 2          # the order's other date, linked
    program = tmp_path / "身份证.jpg"
    program.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 4000)
    oversized = tmp_path / "授权委托书.pdf"
    oversized.write_bytes(b"%PDF-1.4\n" + b"0" * MAX_BYTES)

    def upload(kind: str, path) -> str:
        page.locator("#upload-kind").select_option(kind)
        page.locator("#upload-file").set_input_files(str(path))
        press(page, "上传")
        return page.locator("#paperwork").inner_text()

    said = upload("id-card", program)
    assert "是一个可执行程序" in said and "已收到您上传的文件" not in said
    advertiser.shot("nojs-program-refused")
    said = upload("authorization", oversized)
    assert "超过了 10 MB 的上限" in said
    advertiser.shot("nojs-oversized-refused")
    said = upload("id-card", jpeg_with_gps(tmp_path / "身份证照片.jpg"))
    assert "已收到您上传的文件" in said
    page.get_by_label("发票抬头").fill("陈小明")
    press(page, "申请发票")
    assert "发票申请已提交" in page.locator("#paperwork").inner_text()
    advertiser.shot("nojs-photo-and-invoice")

    desk = new_page()
    desk_login(desk, base, editor, PASSWORD)
    (photo,) = stored_documents(desk, base, reference)          # only the photo was kept
    no_exif(photo)
    assert "（个人，未填）" in desk.locator("#paperwork").inner_text()

    # The order's other date withdrawn, without JavaScript: first without ticking, then ticked.
    page.goto(links[other])
    press(page, "撤回")
    assert "请先勾选" in page.locator("#withdraw-error").inner_text()
    page.get_by_label(re.compile("我确认撤回这则公告")).check()
    press(page, "撤回")
    assert page.locator(".status-line strong").inner_text() == "已撤回"
    advertiser.shot("nojs-withdrawn")
    (withdrawn,) = box.new()
    assert other in withdrawn.subject and "已撤回" in withdrawn.subject
    page.goto(links[reference])
    assert page.locator(".status-line strong").inner_text() == "待审核"     # the other date goes on


def test_with_javascript_the_order_follows_the_ticks(new_page, mail_server, samples, shots):
    """At phone width: after 检查并预览, ticking a further date brings the order's table and the
    total into the preview, and 确认提交 says them, without a page load; unticking takes them out."""
    page = new_page(**PHONE)
    advertiser = Advertiser(page, mail_server["url"], shots)
    advertiser.open_entry("lost-document:licence")
    advertiser.fill(samples["lost-document:licence"]["fields"])
    assert advertiser.press("检查并预览") == 200
    price = int(re.sub(r"\D", "", preview_is_shown(page).split()[0]))
    table = page.locator("table.order-dates")
    assert table.is_hidden()
    page.locator(".more-dates summary").click()
    page.locator('input[name="more_dates"]').nth(2).check()
    table.wait_for(state="visible")
    assert table.locator("tbody tr").count() == 2
    confirm = page.locator("button[data-confirm]")
    page.wait_for_function("() => document.querySelector('button[data-confirm]').textContent.includes('2期')")
    total = int(re.sub(r"\D", "", table.locator("tfoot strong").inner_text()))
    assert total == 2 * price and confirm.text_content() == f"确认提交（2期，合计¥{total}）"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    table.scroll_into_view_if_needed()
    advertiser.shot("phone-order-live")
    page.locator('input[name="more_dates"]').nth(2).uncheck()
    table.wait_for(state="hidden")
    page.wait_for_function("() => !document.querySelector('button[data-confirm]').textContent.includes('期')")
    assert confirm.text_content() == f"确认提交（¥{price}）"
