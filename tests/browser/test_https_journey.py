"""The desk as deployed, behind HTTPS, in Chromium: Debian's nginx as the TLS front (deploy/nginx.conf
filled in, a certificate made for the run), gunicorn started by scripts/serve-production.sh in
production mode (APP_ENV=production), PostgreSQL through the least-privilege roles of
deploy/postgres-roles.sql (migrated by the owner role, served by the app role), Redis with a
password. An advertiser files a notice; an editor logs in, sets the newspaper's name, approves,
records the payment, schedules it for today, exports the column and publishes the issue; the
advertiser downloads the proof of publication from the status page.

Checked on the way: no form is refused (over HTTPS Flask-WTF wants a same-origin Referer, which
Referrer-Policy: no-referrer withheld), HSTS and no-store on the pages, Secure cookies, static files
gzipped by nginx and cached a year, and the proof prints PUBLIC_BASE_URL, not the Host the browser
used."""
from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from tests.browser.conftest import ARTIFACTS, ROOT, Advertiser, _free_port, desk_login, flash, flask_cli, press
from tests.conftest import PG_BASE_URL
from tests.support.desk import pdf_text

pytestmark = pytest.mark.browser

EDITOR, PASSWORD = "wang.bian", "夜班编辑每晚核对2026"
NEWSPAPER = "羊城公告报"
PUBLIC_HOST = "gonggao.example.test"        # PUBLIC_BASE_URL: never the address the browser uses
BEIJING = ZoneInfo("Asia/Shanghai")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HSTS = "max-age=31536000; includeSubDomains"


def _wait(check, what: str, proc: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except (OSError, urllib.error.URLError):
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start:\n" + (log.read_text() if log.exists() else ""))
        time.sleep(0.2)


def _answers(request, **kwargs) -> bool:
    try:
        with urllib.request.urlopen(request, timeout=5, **kwargs) as response:
            return response.status == 200
    except urllib.error.HTTPError as error:
        error.close()
        return False


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _psql(url: str, *args: str) -> None:
    done = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"psql {args}: {done.stderr}"


@contextlib.contextmanager
def least_privilege_database():
    """deploy/postgres-roles.sql run as the README says, with names of this run's own (roles are
    shared by the whole PostgreSQL cluster); dropped afterwards. Yields (owner URL, app URL)."""
    base = make_url(PG_BASE_URL)
    superuser = base.set(drivername="postgresql").render_as_string(hide_password=False)
    tag = secrets.token_hex(4)
    owner, app, schema = f"gg_owner_{tag}", f"gg_app_{tag}", f"gg_https_{tag}"
    _psql(superuser, "-v", f"owner={owner}", "-v", f"app={app}", "-v", f"schema={schema}",
          "-f", str(ROOT / "deploy" / "postgres-roles.sql"))
    try:
        yield (base.set(username=owner, password=None).render_as_string(hide_password=False),
               base.set(username=app, password=None).render_as_string(hide_password=False))
    finally:
        _psql(superuser, "-c", f'DROP SCHEMA IF EXISTS "{schema}" CASCADE',
              "-c", f'DROP OWNED BY "{owner}", "{app}"', "-c", f'DROP ROLE "{app}"', "-c", f'DROP ROLE "{owner}"')


@contextlib.contextmanager
def redis_with_password(workdir: Path):
    """A Redis of this run's own that wants a password (the machine's own Redis has none)."""
    import redis

    port, password = _free_port(), secrets.token_hex(16)
    log = workdir / "redis.log"
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--requirepass", password,
                             "--save", "", "--appendonly", "no", "--dir", str(workdir), "--logfile", str(log)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    client = redis.Redis(host="127.0.0.1", port=port, password=password)
    try:
        _wait(lambda: client.ping(), "redis-server", proc, log)
        with pytest.raises(redis.AuthenticationError):       # the password is really needed
            redis.Redis(host="127.0.0.1", port=port).get("x")
        yield f"redis://:{password}@127.0.0.1:{port}/0"
    finally:
        client.close()
        _stop(proc)


def self_signed_certificate(workdir: Path) -> tuple[Path, Path]:
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
                    "-addext", f"subjectAltName=DNS:localhost,DNS:{PUBLIC_HOST}"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def render_nginx_site(values: dict[str, str]) -> str:
    """deploy/nginx.conf with each @NAME@ replaced, as the README tells an operator to."""
    site = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    for name, value in values.items():
        site = site.replace(f"@{name}@", value)
    left = re.findall(r"@[A-Z_]+@", site)
    assert not left, f"deploy/nginx.conf has placeholders this test does not fill in: {left}"
    return site


@contextlib.contextmanager
def nginx_front(workdir: Path, upstream: str, desk_upstream: str | None = None):
    """Debian's nginx with a prefix of its own (no /var/log, /run or /var/lib/nginx needed),
    in the foreground, serving the rendered deploy/nginx.conf on free loopback ports."""
    prefix = workdir / "nginx"
    (prefix / "temp").mkdir(parents=True)
    cert, key = self_signed_certificate(workdir)
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
    # A port _free_port() found free can be taken (by another test's connection) before nginx
    # binds it, on IPv4 or on IPv6: then new ports, a few times.
    for _attempt in range(5):
        https_port, http_port = _free_port(), _free_port()
        _write_nginx_conf(prefix, cert, key, upstream, desk_upstream or upstream, https_port, http_port)
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, "nginx -t:\n" + checked.stderr
        (prefix / "error.log").write_text("")
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        base = f"https://localhost:{https_port}"
        try:
            _wait(lambda url=base + "/": _answers(url, context=insecure), "nginx", proc, prefix / "error.log")
            break
        except RuntimeError:
            _stop(proc)
            if https_port == http_port or "Address already in use" in (prefix / "error.log").read_text():
                continue
            raise
    else:
        raise RuntimeError("nginx found no free ports in 5 attempts:\n" + (prefix / "error.log").read_text())
    try:
        yield {"url": base, "http_url": f"http://localhost:{http_port}", "ssl": insecure, "prefix": prefix,
               "https_port": https_port, "http_port": http_port}
    finally:
        _stop(proc)


def _write_nginx_conf(prefix: Path, cert: Path, key: Path, upstream: str, desk_upstream: str, https_port: int,
                      http_port: int) -> None:
    (prefix / "site.conf").write_text(render_nginx_site({
        "SERVER_NAME": f"{PUBLIC_HOST} localhost", "HTTPS_PORT": str(https_port), "HTTP_PORT": str(http_port),
        "TLS_CERTIFICATE": str(cert), "TLS_CERTIFICATE_KEY": str(key), "UPSTREAM": upstream,
        "DESK_UPSTREAM": desk_upstream, "STATIC_ROOT": str(ROOT / "static")}), encoding="utf-8")
    temp = {kind: prefix / "temp" / kind for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    # As root, the workers would otherwise run as nobody, who may not read the checkout or the
    # test's private temporary folders.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(f"""{user}daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    # As Debian's own /etc/nginx/nginx.conf has them: the site must hold up under these.
    gzip on;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    access_log {prefix / "access.log"};
    # Which gunicorn answered each request (the desk has its own: deploy/nginx.conf).
    log_format upstreams '$request_uri $upstream_addr';
    access_log {prefix / "upstreams.log"} upstreams;
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {prefix / "site.conf"};
}}
""", encoding="utf-8")


@pytest.fixture(scope="module")
def https_site(tmp_path_factory):
    """The production setup: serve-production.sh (gunicorn) behind nginx, PostgreSQL, Redis."""
    workdir = tmp_path_factory.mktemp("https")
    logs = ARTIFACTS / "https-front-logs"         # kept after the run: pytest's temp folders are not
    shutil.rmtree(logs, ignore_errors=True)
    with contextlib.ExitStack() as stack:
        stack.callback(_keep_logs, workdir, logs)
        owner_url, app_url = stack.enter_context(least_privilege_database())
        storage = stack.enter_context(redis_with_password(workdir))
        port, desk_port = _free_port(), _free_port()
        env = {k: v for k, v in os.environ.items()
               if k not in ("APP_ENV", "FORWARDED_ALLOW_IPS", "SESSION_COOKIE_SECURE")}
        env.update(DATABASE_URL=app_url, MIGRATION_DATABASE_URL=owner_url, RATELIMIT_STORAGE_URI=storage,
                   SECRET_KEY=secrets.token_hex(32), AUDIT_KEY=secrets.token_hex(32),
                   PUBLIC_BASE_URL=f"https://{PUBLIC_HOST}",
                   TRUSTED_HOSTS=f"{PUBLIC_HOST},localhost", TRUSTED_PROXY_HOPS="1",
                   BIND=f"127.0.0.1:{port}", WEB_WORKERS="2", DESK_BIND=f"127.0.0.1:{desk_port}",
                   PYTHONPATH=str(ROOT))
        log_path = workdir / "serve-production.log"
        log = stack.enter_context(open(log_path, "w"))
        proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "serve-production.sh")], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        stack.callback(_stop, proc)               # the script exec's gunicorn: this stops gunicorn

        for bound in (port, desk_port):
            direct = urllib.request.Request(f"http://127.0.0.1:{bound}/", headers={"Host": "localhost"})
            _wait(lambda request=direct: _answers(request), "serve-production.sh", proc, log_path, seconds=120)
        front = stack.enter_context(nginx_front(workdir, f"127.0.0.1:{port}", f"127.0.0.1:{desk_port}"))
        yield {**front, "env": {**env, "APP_ENV": "production"}, "app_url": app_url, "log": log_path,
               "app_port": port, "desk_port": desk_port}


def _keep_logs(workdir: Path, logs: Path) -> None:
    logs.mkdir(parents=True, exist_ok=True)
    for log in workdir.rglob("*.log"):
        shutil.copyfile(log, logs / log.name)


def watch_documents(page, seen: list) -> None:
    """Every page the browser loads (URL, status, headers), and every static file."""
    page.on("response", lambda r: seen.append((r.request.resource_type, r.url, r.status, r.all_headers())))


def test_the_desk_behind_https(new_page, https_site, samples, shots):
    url = https_site["url"]
    flask_cli(https_site, "create-editor", EDITOR, "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    seen: list = []

    # --- the advertiser files a notice through the form ----------------------------------------
    customer = new_page(ignore_https_errors=True)
    customer.set_default_timeout(30_000)     # previews are typeset by the server's render processes
    watch_documents(customer, seen)
    sample = samples["lost-document:licence"]
    reference, status_url = Advertiser(customer, url).file(sample, "lost-document:licence")
    holder = sample["fields"]["holder"]
    shots(customer, "status-filed")
    cookies = {c["name"]: c for c in customer.context.cookies()}
    assert "__Host-session" in cookies and "session" not in cookies, cookies.keys()
    assert cookies["__Host-session"]["secure"] and cookies["__Host-session"]["httpOnly"]

    # Static files: from nginx, compressed, versioned and cached a year.
    css = [(u, h) for kind, u, status, h in seen if kind == "stylesheet" and "/static/css/site.css?v=" in u]
    assert css, "the pages did not load site.css through a versioned address"
    css_headers = css[0][1]
    assert css_headers.get("content-encoding") == "gzip", css_headers
    assert "max-age=31536000" in css_headers.get("cache-control", ""), css_headers
    assert css_headers.get("strict-transport-security") == HSTS

    # --- the editor: log in, name the newspaper, approve, pay, schedule for today ----------------
    desk = new_page(ignore_https_errors=True)
    desk.set_default_timeout(30_000)
    watch_documents(desk, seen)
    desk_login(desk, url, EDITOR, PASSWORD)
    assert desk.locator("h1").inner_text() == "审核队列"
    shots(desk, "queue")
    cookies = {c["name"]: c for c in desk.context.cookies()}
    assert cookies["__Host-session"]["secure"] and cookies["__Host-session"]["httpOnly"]
    queue = desk.goto(url + "/desk/")
    assert queue.headers.get("cache-control") == "no-store"
    assert queue.headers.get("strict-transport-security") == HSTS
    assert queue.headers.get("referrer-policy") == "same-origin"

    desk.get_by_role("link", name="报社设置").click()
    desk.wait_for_url("**/desk/settings")
    desk.get_by_label("报纸名称").fill(NEWSPAPER)
    press(desk, re.compile("^保存设置"))
    assert desk.get_by_label("报纸名称").input_value() == NEWSPAPER, flash(desk)

    desk.goto(f"{url}/desk/")
    desk.locator("table.queue a.reference", has_text=reference).click()
    desk.wait_for_url(f"**/desk/notices/{reference}")
    press(desk, re.compile(r"^审核通过"))
    assert "已审核通过" in flash(desk), flash(desk)
    owed = re.search(r"尚欠\s*¥([\d.]+)", desk.locator("#payment .help").first.inner_text())
    assert owed, desk.locator("#payment").inner_text()
    desk.get_by_label("金额（元）").fill(owed.group(1))
    desk.get_by_label("收据号或流水号").fill("GZ2026-000001")
    press(desk, re.compile(r"^登记付款"))
    assert "付款已登记" in flash(desk), flash(desk)
    today = datetime.now(BEIJING).date().isoformat()      # the default calendar publishes daily
    desk.locator("#schedule select").select_option(today)
    press(desk, re.compile(r"^排期"))
    assert desk.locator("h1 .status").inner_text() == "已排期", flash(desk)
    shots(desk, "scheduled-today")

    # --- the issue: export the column, publish ---------------------------------------------------
    desk.get_by_role("link", name=re.compile("^排期")).first.click()
    desk.wait_for_url("**/desk/issues/")
    desk.locator(f'a[href$="/desk/issues/{today}"]').first.click()
    desk.wait_for_url(f"**/desk/issues/{today}")
    assert reference in desk.locator("table.issue-notices").inner_text()
    with desk.expect_download(timeout=60_000) as download:
        desk.get_by_role("button", name=re.compile("^导出付印PDF")).click()
    column = shots.dir / "column.pdf"
    download.value.save_as(column)
    assert re.sub(r"\s+", "", holder) in re.sub(r"\s+", "", pdf_text(column.read_bytes()))
    desk.reload()
    desk.get_by_label(re.compile("我已核对最后导出的付印PDF")).check()
    press(desk, "标记本期已刊登")
    shots(desk, "published")

    # --- the advertiser: 已刊登, and the proof of publication -------------------------------------
    status = customer.goto(status_url)
    assert status.status == 200 and status.headers.get("cache-control") == "no-store"
    assert status.headers.get("strict-transport-security") == HSTS
    assert customer.locator(".status-line strong").inner_text() == "已刊登", flash(desk)
    shots(customer, "status-published")
    link = customer.get_by_role("link", name=re.compile("下载见报证明"))
    answer = customer.request.get(url + link.get_attribute("href"))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf", answer.status
    assert "no-store" in answer.headers.get("cache-control", "")
    with customer.expect_download(timeout=30_000) as download:
        link.click()
    proof_path = shots.dir / "proof.pdf"
    download.value.save_as(proof_path)
    proof = re.sub(r"\s+", "", pdf_text(proof_path.read_bytes()))
    assert reference in proof and "见报证明" in proof
    # The verification address printed on paper is the public one, not the Host the browser sent.
    assert f"https://{PUBLIC_HOST}/verify" in proof, proof
    assert "localhost" not in proof and "127.0.0.1" not in proof

    # --- over the whole journey ------------------------------------------------------------------
    documents = [(u, status, h) for kind, u, status, h in seen if kind == "document"]
    refused = [(u, status) for u, status, _ in documents if status == 400]
    assert not refused, f"forms refused over HTTPS (页面已过期?): {refused}"
    for u, _status, headers in documents:
        assert headers.get("strict-transport-security") == HSTS, u
        assert "no-store" in headers.get("cache-control", ""), (u, headers.get("cache-control"))
        assert headers.get("referrer-policy") == "same-origin", u


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _no_redirects():
    return urllib.request.build_opener(NoRedirect)


def test_the_front_redirects_http_and_refuses_other_hosts(https_site):
    # Plain HTTP only redirects to HTTPS.
    opener = _no_redirects()
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(https_site["http_url"] + "/desk/", timeout=10)
    caught.value.close()
    assert caught.value.code == 301 and caught.value.headers["Location"].startswith("https://localhost")
    # A Host that is not ours: refused by nginx's default server (421), which names no version
    # (server_tokens off for the whole http block, not only the site's server).
    request = urllib.request.Request(https_site["url"] + "/", headers={"Host": "evil.example"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10, context=https_site["ssl"])
    body = caught.value.read().decode()
    caught.value.close()
    assert caught.value.code == 421 and caught.value.headers["Server"] == "nginx", caught.value.headers
    assert "nginx/" not in body
    # Plain HTTP: only our names are redirected; for any other the connection closes unanswered
    # (a redirect would send the browser to https:// under that name).
    site = urllib.request.Request(f"http://127.0.0.1:{https_site['http_port']}/x",
                                  headers={"Host": PUBLIC_HOST})
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(site, timeout=10)
    caught.value.close()
    assert caught.value.code == 301 and caught.value.headers["Location"] == f"https://{PUBLIC_HOST}/x"
    for other in ("evil.example", "127.0.0.1", f"127.0.0.1:{https_site['http_port']}", "localhost.evil.example"):
        request = urllib.request.Request(f"http://127.0.0.1:{https_site['http_port']}/x", headers={"Host": other})
        try:
            answer = opener.open(request, timeout=10)
        except urllib.error.HTTPError as error:     # an answer (a redirect too): not refused
            error.close()
            pytest.fail(f"Host {other} got {error.code} {error.headers.get('Location')}")
        except (http.client.RemoteDisconnected, ConnectionResetError):
            continue                                # nginx's 444: closed without an answer
        answer.close()
        pytest.fail(f"Host {other} got {answer.status}")


def test_the_front_sends_the_desk_to_its_own_gunicorn(https_site):
    """/desk/ goes to the editors' gunicorn (DESK_BIND), everything else of the app's to the
    public's (BIND): nginx's log of which upstream answered each request."""
    log = https_site["prefix"] / "upstreams.log"
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=https_site["ssl"]))
    for path in ("/desk/", "/desk", "/desk/issues", "/", "/rates", "/deskless"):
        try:
            opener.open(https_site["url"] + path, timeout=10).close()
        except urllib.error.HTTPError as error:      # the desk sends a visitor to log in
            error.close()
    answered = dict(line.split() for line in log.read_text().splitlines() if len(line.split()) == 2)
    desk, app = f"127.0.0.1:{https_site['desk_port']}", f"127.0.0.1:{https_site['app_port']}"
    assert [answered[path] for path in ("/desk/", "/desk", "/desk/issues")] == [desk] * 3
    assert [answered[path] for path in ("/", "/rates", "/deskless")] == [app] * 3


def test_the_front_answers_on_ipv6_and_does_not_compress_the_apps_pages(https_site):
    """deploy/nginx.conf listens on [::] too; and Debian's `gzip on` (set in this front's http{}
    as Debian's nginx.conf sets it) does not reach the app's pages (BREACH), only /static/."""
    class OverIPv6(http.client.HTTPSConnection):
        """To ::1, with the site's name in the TLS handshake (an address alone gets no handshake)."""
        def connect(self):
            raw = socket.create_connection(("::1", self.port), timeout=10)
            self.sock = self._context.wrap_socket(raw, server_hostname=self.host)

    connection = OverIPv6("localhost", https_site["https_port"], context=https_site["ssl"], timeout=10)
    try:
        connection.request("GET", "/", headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        assert response.status == 200 and response.getheader("Content-Encoding") is None
        assert "text/html" in response.getheader("Content-Type") and "公告" in response.read().decode()
    finally:
        connection.close()
    plain = urllib.request.Request(f"http://[::1]:{https_site['http_port']}/",
                                   headers={"Host": f"{PUBLIC_HOST}:{https_site['http_port']}"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        _no_redirects().open(plain, timeout=10)
    caught.value.close()
    assert caught.value.code == 301


def test_the_app_role_can_only_append_to_the_audit_log(https_site):
    """The web server's database role (deploy/postgres-roles.sql, postgres-grants.sql): rows of
    every table, but the audit log only grows."""
    engine = create_engine(https_site["app_url"])
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM audit_log"))
        for statement in ("UPDATE audit_log SET actor = actor", "DELETE FROM audit_log",
                          "CREATE TABLE intruder (x int)"):
            with engine.connect() as conn, pytest.raises(ProgrammingError, match="permission denied"):
                conn.execute(text(statement))
    finally:
        engine.dispose()
