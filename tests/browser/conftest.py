"""Browser journeys: the real app served by gunicorn (as deployed) on a loopback port, driven by
Debian's Chromium through Playwright. Screenshots of each step go to test-artifacts/browser/.

Every page opened by these fixtures is watched: a console error or an uncaught exception in the
page's JavaScript fails the test that caused it (reported when its context closes)."""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SAMPLES_FILE = ROOT / "tests" / "data" / "samples.json"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags the machine's probe found necessary: no sandbox as root, and no background network
# (this machine's closed network refuses Chromium's own connections, many at a time).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask_cli(server: dict, *args: str, stdin: str | None = None) -> str:
    """Run `flask --app app ARGS` against a live server's database; returns stdout."""
    done = subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=server["env"],
                          input=stdin, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def create_editor(server: dict, name: str, password: str) -> str:
    """An editor account on a live server (the administrator's command, as in the README)."""
    out = flask_cli(server, "create-editor", name, "--password-stdin", stdin=password + "\n")
    assert name in out
    return name


def _env(database: Path) -> dict:
    return dict(os.environ, DATABASE_URL=f"sqlite:///{database}", SECRET_KEY="browser-tests", PYTHONPATH=str(ROOT))


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A database migrated and loaded with the demo notices, made once; each server gets a copy."""
    database = tmp_path_factory.mktemp("demo") / "notices.db"
    server = {"env": _env(database)}
    flask_cli(server, "upgrade-db")
    flask_cli(server, "load-demo")
    return database


@contextlib.contextmanager
def _serve(workdir: Path, demo_database: Path, extra_env: dict[str, str] | None = None):
    """gunicorn (as deployed) serving a copy of the demo database in workdir; `extra_env` adds
    to its environment (and to `flask_cli`'s for this server), e.g. MAIL_SERVER."""
    for suffix in ("", "-wal", "-shm"):
        source = demo_database.with_name(demo_database.name + suffix)
        if source.exists():
            shutil.copyfile(source, workdir / source.name)
    env = {**_env(workdir / demo_database.name), **(extra_env or {})}
    server = {"env": env, "workdir": workdir}
    port = _free_port()
    log = open(workdir / "gunicorn.log", "w")
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "app:create_app()"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("gunicorn did not start: " + (workdir / "gunicorn.log").read_text()) from None
            time.sleep(0.2)
    try:
        yield {"url": base, **server}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, demo_database):
    """gunicorn serving a fresh SQLite database (migrated, with the demo notices), shared by the session."""
    with _serve(tmp_path_factory.mktemp("live"), demo_database) as server:
        yield server


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory, demo_database):
    """A server of the module's own: for journeys that change the demo notices (review, publish)."""
    with _serve(tmp_path_factory.mktemp("fresh"), demo_database) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class ConsoleWatch:
    """Console errors and uncaught exceptions of every page of a browser context."""

    def __init__(self):
        self.errors: list[tuple[str, str]] = []        # (message, URL it concerns)
        self.documents_4xx: set[str] = set()

    def attach(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append((f"uncaught exception on {page.url}: {exc}", "")))
        page.on("response", self._response)

    def _response(self, response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self.documents_4xx.add(response.url)

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location or {}
            url = where.get("url", "")
            self.errors.append((f"console error: {message.text} ({url}:{where.get('lineNumber', '')})", url))

    @property
    def problems(self) -> list[str]:
        out = []
        for text, url in self.errors:
            if "Failed to load resource" in text and url.split("#")[0] in self.documents_4xx:
                # A page the server meant to send with 4xx (a form re-shown with its errors is
                # 422): Chromium logs the status; the tests assert statuses themselves. The log
                # names the address with its #fragment (a form posted to …/withdraw#withdraw).
                continue
            out.append(text)
        return out


DESKTOP = {"locale": "zh-CN", "viewport": {"width": 1200, "height": 900}}
PHONE = {"locale": "zh-CN", "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}


@pytest.fixture
def new_page(browser):
    """new_page(**context_options) → a watched page in a context of its own (e.g. JavaScript off).
    At the end of the test the contexts are closed and any console error fails the test."""
    opened = []

    def make(**options):
        context = browser.new_context(**{**DESKTOP, **options})
        watch = ConsoleWatch()
        context.on("page", watch.attach)
        page = context.new_page()
        page.set_default_timeout(15_000)
        opened.append((context, watch))
        return page

    yield make
    problems = []
    for context, watch in opened:
        context.close()
        problems += watch.problems
    assert not problems, "errors in the browser console:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone(new_page):
    return new_page(**PHONE)


class Shots:
    """Numbered full-page screenshots of one journey."""

    def __init__(self, name: str):
        self.dir = ARTIFACTS / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, page, step: str) -> Path:
        self.n += 1
        path = self.dir / f"{self.n:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request):
    return Shots(request.node.name.replace("[", "-").replace("]", "").replace(":", "-"))


# ---------------------------------------------------------------------------------------------
# The advertiser's side, as a person uses it: shared by the journeys of several modules.

# The index's entry for each sample (tests/data/samples.json key → link title on /).
ENTRY_TITLES = {
    "lost-document:licence": "遗失营业执照", "lost-document:seal": "遗失印章",
    "lost-document:document": "遗失证件或文件", "lost-document:org-document": "遗失许可证、资质证书",
    "lost-document:invoice": "遗失发票", "capital-reduction": "减资公告",
    "liquidation": "清算公告／注销公告", "revocation": "撤销公告", "merger": "合并公告",
    "division": "分立公告", "correction": "更正声明",
}
CONTACT = {"advertiser_name": "陈小明", "advertiser_phone": "13800138000"}


def load_samples() -> dict[str, dict]:
    """The samples, their dates moved relative to today: the statutory windows (a reduction
    resolved within 30 days, a correction of an earlier issue) hold whenever the suite runs —
    the live server has no fixed clock."""
    samples = json.loads(SAMPLES_FILE.read_text(encoding="utf-8"))
    today = date.today()
    moved = {"resolved_on": today - timedelta(days=3), "group_formed_on": today - timedelta(days=3),
             "original_date": today - timedelta(days=7), "original_dates": today - timedelta(days=30)}
    for sample in samples.values():
        for name, day in moved.items():
            if name in sample["fields"]:
                sample["fields"][name] = day.isoformat()
    return samples


def fill_field(form, name: str, value: str) -> None:
    """Type one value the way a person would: click the radio, tick the box, fill the input."""
    inputs = form.locator(f'[name="{name}"]')
    kind = inputs.first.get_attribute("type")
    if kind == "radio":
        form.locator(f'input[name="{name}"][value="{value}"]').check()
    elif kind == "checkbox":
        inputs.set_checked(value not in ("", "0"))
    else:
        inputs.fill(value)


def preview_is_shown(page) -> str:
    """The preview image has loaded; returns the price line."""
    img = page.locator("#preview img")
    img.wait_for()
    assert img.evaluate("i => i.complete && i.naturalWidth > 0"), "the preview image did not load"
    assert img.get_attribute("src").startswith("data:image/png;base64,")
    price = page.locator("#preview .price").inner_text()
    assert re.search(r"¥\s*\d", price) or re.search(r"\d+(\.\d+)?\s*元", price), price
    return price


class Advertiser:
    """A member of the public filing one notice through the web form."""

    def __init__(self, page, base_url: str, shots: Shots | None = None):
        self.page, self.base, self.shots = page, base_url, shots

    def shot(self, step: str) -> None:
        if self.shots:
            self.shots(self.page, step)

    @property
    def form(self):
        return self.page.locator("form.notice-form")

    def open_entry(self, name: str) -> None:
        page = self.page
        page.goto(self.base + "/")
        title = ENTRY_TITLES[name]
        page.locator("ul.catalogue a").filter(has=page.get_by_text(title, exact=True)).click()
        page.locator("h1", has_text=title).wait_for()

    def fill(self, fields: dict[str, str]) -> None:
        for name, value in fields.items():
            if name != "variant":
                fill_field(self.form, name, value)

    def press(self, label: str) -> int:
        """Press a form button and wait for the server's page; returns its HTTP status."""
        page = self.page
        with page.expect_navigation() as nav:
            page.get_by_role("button", name=label).click()
        return nav.value.status if nav.value else 0

    def field_errors(self, name: str) -> list[str]:
        """The server's messages under one input (not the live ones JavaScript adds while typing)."""
        return self.form.locator(f'.field[data-field="{name}"] .error-message:not(.live-error)').all_inner_texts()

    def contact(self, name: str = CONTACT["advertiser_name"], phone: str = CONTACT["advertiser_phone"]) -> None:
        self.form.locator('[name="advertiser_name"]').fill(name)
        self.form.locator('[name="advertiser_phone"]').fill(phone)

    def confirm(self) -> str:
        """Press 确认提交 and land on the receipt; returns the reference."""
        page = self.page
        page.get_by_role("button", name=re.compile(r"^确认提交")).click()
        page.wait_for_url("**/receipt/**")
        reference = page.locator(".receipt strong.reference").first.inner_text()
        assert re.fullmatch(r"GG-[0-9A-Z]{4}-[0-9A-Z]{4}", reference), reference
        return reference

    def file(self, sample: dict, name: str) -> tuple[str, str]:
        """The whole happy path without detours: (reference, status page URL)."""
        self.open_entry(name)
        self.fill(sample["fields"])
        assert self.press("检查并预览") == 200
        self.page.locator("#preview img").wait_for()
        self.contact()
        reference = self.confirm()
        self.page.get_by_role("link", name="查看进度").click()
        self.page.wait_for_url("**/status/**")
        return reference, self.page.url


@pytest.fixture(scope="session")
def samples() -> dict[str, dict]:
    return load_samples()


# ---------------------------------------------------------------------------------------------
# The editor's side.

def desk_login(page, base_url: str, username: str, password: str) -> None:
    """Open the desk, get sent to its login page, log in, land on the review queue."""
    page.goto(base_url + "/desk/")
    page.wait_for_url("**/desk/login**")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    page.wait_for_url(base_url + "/desk/")


def press(page, name, **kwargs):
    """Press a button that posts a form, and wait for the page the server sends back."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, **kwargs).click()


def flash(page) -> str:
    """The desk's flashed messages (e.g. “已审核通过。…”)."""
    return " ".join(page.locator(".banner").all_inner_texts())
