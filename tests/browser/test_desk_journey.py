"""From submission to proof of publication, in Chromium, on a server of its own (it changes every
demo notice): an advertiser files a notice; an editor logs in, reviews the seed notices and the
new one, rejects one with a reason, approves the rest, records their payments, schedules them,
plans the issue, exports the print PDF and marks the issue published; the advertiser's status
page says 已刊登 and the proof of publication downloads; a stranger verifies the notice."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Advertiser, create_editor, desk_login, flash, press
from tests.support.desk import pdf_text

pytestmark = pytest.mark.browser

EDITOR, PASSWORD = "zhang.bian", "报纸每天三点截稿2026"
SEED_ADVERTISER = "示例数据"
REJECTED_COMPANY = "广州奥利给网络科技有限公司"     # its text says “逾期不申报，视为放弃权利”
REASON = "正文中“逾期不申报，视为放弃权利”与《公司法》司法解释（二）第十三条不符，请删除这句话后重新提交。"


def pdf_page_png(data: bytes, path, index: int = 0) -> None:
    """A page of the PDF (the first by default) as an image beside the screenshots, to look at by eye."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(data)
    try:
        page = doc[index if index >= 0 else len(doc) + index]
        page.render(scale=1.5).to_pil().save(path)
        page.close()
    finally:
        doc.close()


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def editor_account(fresh_server):
    return create_editor(fresh_server, EDITOR, PASSWORD)


def test_from_submission_to_proof_of_publication(new_page, fresh_server, editor_account, samples, shots):
    url = fresh_server["url"]

    # --- the advertiser files a notice ---------------------------------------------------------
    customer = new_page()
    reference, status_url = Advertiser(customer, url).file(samples["lost-document:licence"],
                                                           "lost-document:licence")
    holder = samples["lost-document:licence"]["fields"]["holder"]

    # --- the editor logs in --------------------------------------------------------------------
    desk = new_page()
    desk.set_default_timeout(30_000)     # the issue page and the export typeset the whole column
    desk.goto(url + "/desk/login")
    assert desk.locator("h1").inner_text() == "编辑台登录"
    shots(desk, "login")
    desk_login(desk, url, EDITOR, PASSWORD)
    assert desk.locator("h1").inner_text() == "审核队列"
    shots(desk, "queue")

    rows = desk.locator("table.queue tbody tr")
    queue = {rows.nth(i).locator("a.reference").inner_text(): rows.nth(i).inner_text() for i in range(rows.count())}
    seed = [ref for ref, text in queue.items() if SEED_ADVERTISER in text]
    assert len(seed) == 13, queue
    assert reference in queue and "陈小明" in queue[reference]
    rejected = next(ref for ref in seed if REJECTED_COMPANY in queue[ref])
    assert "提醒" in queue[rejected]              # the desk points at the wording problem

    # --- reject one, with the reason the customer will read -------------------------------------
    desk.locator("table.queue a.reference", has_text=rejected).click()
    desk.wait_for_url(f"**/desk/notices/{rejected}")
    assert "司法解释（二）第十三条" in desk.locator("main").inner_text()   # the check's warning is shown
    press(desk, "不予刊登")                      # without a reason first: refused, in Chinese
    assert "请写明原因" in desk.locator("#decision .error-message").inner_text()
    desk.get_by_label("原因（广告客户会看到）").fill(REASON)
    shots(desk, "reject-with-reason")
    press(desk, "不予刊登")
    assert "已不予刊登" in flash(desk)
    assert desk.locator("h1 .status").inner_text() == "未通过"
    rejected_status_url = desk.get_by_role("link", name="打开").get_attribute("href")
    shots(desk, "rejected")

    # --- approve the rest, record each payment, schedule ----------------------------------------
    to_publish = [ref for ref in seed if ref != rejected] + [reference]
    # All into today's issue (Beijing time, the newspaper's): an issue can be marked published
    # only from its day on, and the live server's clock is the real one.
    issue_date = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    for n, ref in enumerate(to_publish, start=1):
        desk.goto(f"{url}/desk/notices/{ref}")
        press(desk, re.compile(r"^审核通过"))
        assert "已审核通过" in flash(desk), flash(desk)
        owed = desk.locator("#payment .help").first.inner_text()          # “尚欠 ¥300，…”
        amount = re.search(r"尚欠\s*¥([\d.]+)", owed)
        assert amount, owed
        amount = amount.group(1)
        desk.get_by_label("金额（元）").fill(amount)
        desk.get_by_label("收据号或流水号").fill(f"GZ2026-{n:06d}")
        if n == 1:
            shots(desk, "approved-payment-filled")
        press(desk, re.compile(r"^登记付款"))
        assert "付款已登记" in flash(desk), flash(desk)
        assert "已付清" in desk.locator("main").inner_text()
        desk.locator("#schedule select").select_option(issue_date)
        press(desk, re.compile(r"^排期"))
        assert desk.locator("h1 .status").inner_text() == "已排期", flash(desk)
        if n == 1:
            shots(desk, "scheduled")

    # --- plan the issue ---------------------------------------------------------------------------
    desk.get_by_role("link", name=re.compile("^排期")).first.click()
    desk.wait_for_url("**/desk/issues/")
    shots(desk, "issues")
    desk.locator(f'a[href$="/desk/issues/{issue_date}"]').click()
    desk.wait_for_url(f"**/desk/issues/{issue_date}")
    listed = desk.locator("table.issue-notices a.reference").all_inner_texts()
    assert sorted(listed) == sorted(to_publish)
    assert rejected not in listed
    assert desk.locator(".pages img").count() >= 1          # the column as it will print
    overflow = re.search(r"排不下\s*\d+\s*则", desk.locator("main").inner_text()) is not None
    shots(desk, "issue-planned")

    # --- export the print PDF ---------------------------------------------------------------------
    if overflow:
        desk.get_by_label("排不下的续排到下一页").check()
    with desk.expect_download(timeout=60_000) as download:
        desk.get_by_role("button", name=re.compile("^导出付印PDF")).click()
    path = shots.dir / "column.pdf"              # kept with the screenshots, to look at
    download.value.save_as(path)
    column_pdf = path.read_bytes()
    assert column_pdf.startswith(b"%PDF-")
    column_text = compact(pdf_text(column_pdf))
    assert compact(holder) in column_text and "遗失声明" in column_text
    assert "奥利给" not in column_text

    # --- publish ----------------------------------------------------------------------------------
    desk.reload()
    assert desk.locator("#export table tbody tr").count() == 1
    desk.get_by_label(re.compile("我已核对最后导出的付印PDF")).check()
    press(desk, "标记本期已刊登")
    assert f"{len(to_publish)} 则公告状态改为“已刊登”" in flash(desk), flash(desk)
    shots(desk, "published")

    # --- the advertiser: 已刊登, and the proof --------------------------------------------------
    customer.goto(status_url)
    assert customer.locator(".status-line strong").inner_text() == "已刊登"
    shots(customer, "customer-status-published")
    link = customer.get_by_role("link", name=re.compile("下载见报证明"))
    # Ask once directly so that a server error reads as one (a failed download only times out).
    answer = customer.request.get(url + link.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf", \
        f"proof of publication: HTTP {answer.status} {answer.headers.get('content-type')}"
    with customer.expect_download(timeout=30_000) as download:
        link.click()
    assert download.value.suggested_filename == f"proof-{reference}.pdf"
    path = shots.dir / "proof.pdf"
    download.value.save_as(path)
    proof = path.read_bytes()
    assert proof.startswith(b"%PDF-")
    pdf_page_png(proof, shots.dir / "proof-page-1.png")
    pdf_page_png(proof, shots.dir / "proof-last-page.png", -1)      # the notice cut from the printed page
    proof_text = compact(pdf_text(proof))
    assert reference in proof_text and "见报证明" in proof_text and compact(holder) in proof_text
    code = re.search(r"核验码([0-9A-Z]{10})", proof_text).group(1)

    # The rejected notice's customer reads the reason.
    customer.goto(rejected_status_url)
    assert customer.locator(".status-line strong").inner_text() == "未通过"
    assert REASON in customer.locator(".banner.warning").inner_text()
    shots(customer, "customer-status-rejected")

    # --- a stranger verifies the notice ------------------------------------------------------------
    stranger = new_page()
    stranger.goto(url + "/")
    stranger.get_by_role("link", name="核验见报公告").click()
    stranger.wait_for_url("**/verify")
    stranger.get_by_label("查询内容").fill(holder)
    with stranger.expect_navigation():
        stranger.get_by_role("button", name="查询").click()
    results = stranger.locator("article.verified")
    assert results.count() >= 1 and reference in results.first.inner_text()
    shots(stranger, "verify-found")
    stranger.locator("article.verified a.reference", has_text=reference).click()
    stranger.wait_for_url(f"**/verify/{reference}")
    stranger.get_by_label("核对见报证明上的核验码").fill(code)
    with stranger.expect_navigation():
        stranger.get_by_role("button", name="核对").click()
    assert "核验码相符" in stranger.locator(".banner").inner_text()
    shots(stranger, "verify-code-matches")

    # Never published, never found.
    stranger.goto(url + "/verify?q=" + REJECTED_COMPANY)
    assert stranger.locator("h2", has_text="没有找到").count() == 1
