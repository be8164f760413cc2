"""Confirm after seeing (issue 14, items 6 and 8), the server's side: the live check answers the
preview, price and confirmation token as the form stands; the preview comes larger or as a PDF
from a post of the form (no JavaScript needed); Enter runs 检查并预览; errors are tied to their
inputs. The browser's side: tests/browser/test_confirm_after_seeing.py."""
from __future__ import annotations

import base64
import re

from tests.app.test_submit import SAMPLES, form_url, post_data

NAME = "capital-reduction"


def _live_url(name):
    sample = SAMPLES[name]
    variant = sample["fields"].get("variant")
    return f"/submit/{sample['type']}/live" + (f"?variant={variant}" if variant else "")


def test_the_live_check_answers_the_preview_and_a_token_that_confirms_it(client):
    html = client.get(form_url(NAME)).get_data(as_text=True)
    data = post_data(NAME, html, action="check")
    plain = client.post(_live_url(NAME), data=data).get_json()
    assert plain["ok"] and "preview" not in plain            # no preview asked: none rendered
    answer = client.post(_live_url(NAME), data={**data, "preview": "1"}).get_json()
    shown = answer["preview"]
    assert shown["png"].startswith("data:image/png;base64,") and re.fullmatch(r"¥\d+(\.\d\d)?", shown["price"])
    assert f"合计{shown['price']}" in shown["explanation"]
    # A longer text: another price, and the token of the live preview confirms exactly it.
    longer = answer["text"].replace("特此公告", "联系人：陈先生，电话：13800138000。" * 4 + "特此公告")
    again = client.post(_live_url(NAME), data={**data, "text": longer, "preview": "1"}).get_json()
    assert again["preview"]["lines"] > shown["lines"] and again["preview"]["price"] != shown["price"]
    confirmed = client.post(form_url(NAME), data={**data, "text": longer, "action": "confirm",
                                                  "preview_token": again["preview"]["token"]})
    assert confirmed.status_code == 303 and "/receipt/" in confirmed.headers["Location"]


def test_the_live_check_renders_no_preview_for_a_notice_with_errors(client):
    html = client.get(form_url(NAME)).get_data(as_text=True)
    answer = client.post(_live_url(NAME), data=post_data(NAME, html, action="check", uscc="91440101MA59TEST0X",
                                                          preview="1")).get_json()
    assert not answer["ok"] and "preview" not in answer and answer["errors"]


def test_the_preview_comes_larger_and_as_a_pdf(client):
    html = client.get(form_url(NAME)).get_data(as_text=True)
    data = post_data(NAME, html, action="check")
    checked = client.post(form_url(NAME), data=data).get_data(as_text=True)
    small = re.search(r'src="data:image/png;base64,([^"]+)"', checked).group(1)
    png = client.post(f"/submit/{SAMPLES[NAME]['type']}/preview.png", data=data)
    assert png.status_code == 200 and png.mimetype == "image/png"

    def width(data: bytes) -> int:
        return int.from_bytes(data[16:20], "big")      # the PNG's IHDR
    assert width(png.data) >= 2 * width(base64.b64decode(small))
    pdf = client.post(f"/submit/{SAMPLES[NAME]['type']}/preview.pdf", data=data)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith("attachment")
    pdf.headers["Content-Disposition"].encode("latin-1")     # a header gunicorn can send (it refused UTF-8)
    page = client.post(f"/submit/{SAMPLES[NAME]['type']}/preview.html", data=data)
    assert page.status_code == 200 and "见报预览（放大）" in page.get_data(as_text=True)
    assert base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', page.get_data(as_text=True)).group(1)) \
        == png.data
    # The form's buttons post there (formaction): without JavaScript too.
    assert f'formaction="/submit/{SAMPLES[NAME]["type"]}/preview.html"' in checked
    assert f'formaction="/submit/{SAMPLES[NAME]["type"]}/preview.pdf"' in checked
    # With an error: the form again, with the error, never a file of a wrong notice.
    wrong = client.post(f"/submit/{SAMPLES[NAME]['type']}/preview.pdf", data={**data, "uscc": "91440101MA59TEST0X"})
    assert wrong.status_code == 422 and wrong.mimetype == "text/html" and 'id="error-summary"' in wrong.get_data(
        as_text=True)
    assert client.post(f"/submit/{SAMPLES[NAME]['type']}/preview.exe", data=data).status_code == 404


def test_enter_runs_check_and_preview_not_compose(client):
    """Enter in a field presses the form's first submit button (HTML's implicit submission)."""
    html = client.get(form_url(NAME)).get_data(as_text=True)
    form = html[html.index('<form method="post"'):]
    first = re.search(r"<button[^>]*>", form).group(0)
    assert 'value="check"' in first and 'type="submit"' in first, first
    assert form.index(first) < form.index('value="compose"')
    assert 'formaction="/submit/capital-reduction#preview"' in first


def test_errors_are_tied_to_their_inputs_and_the_summary_links_to_them(client):
    html = client.get(form_url(NAME)).get_data(as_text=True)
    page = client.post(form_url(NAME), data=post_data(NAME, html, action="check", uscc="91440101MA59TEST0X",
                                                      advertiser_phone="12")).get_data(as_text=True)
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    # Every aria-describedby names elements that exist.
    for described in re.findall(r'aria-describedby="([^"]*)"', page):
        assert described and set(described.split()) <= ids, described
    uscc = re.search(r'<input[^>]*name="uscc"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in uscc and "uscc-error-0" in uscc
    assert re.search(r'<p class="error-message" id="uscc-error-0">', page)
    summary = re.search(r'id="error-summary">(.*?)</div>', page, re.S).group(1)
    assert 'href="#uscc"' in summary
    assert re.search(r'<div class="banner error" role="alert" tabindex="-1" autofocus id="error-summary">', page)
    phone = re.search(r'<input[^>]*name="advertiser_phone"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in phone and "advertiser_phone-error-0" in phone
    # On every form, each aria-describedby names elements that exist (it named "<id>-help" for
    # fields without help).
    for name in SAMPLES:
        blank = client.get(form_url(name)).get_data(as_text=True)
        ids = set(re.findall(r'\sid="([^"]+)"', blank))
        for described in re.findall(r'aria-describedby="([^"]*)"', blank):
            assert set(described.split()) <= ids, (name, described)
