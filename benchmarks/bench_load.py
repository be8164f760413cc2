"""Load on the real server: API submissions at 16/32/64 connections while an issue is exported.

    .venv/bin/python benchmarks/bench_load.py                       # both databases, 60 s a level
    .venv/bin/python benchmarks/bench_load.py --db sqlite --seconds 20 --concurrency 16

What runs (loopback only; bounded in time; stops by itself and cleans up):
- gunicorn with deploy/gunicorn.conf.py (gthread workers), "app:create_app()", and, like
  scripts/serve-production.sh, Flask-Limiter on Redis (redis://127.0.0.1:6379), and beside it the
  desk's own gunicorn (two workers, DESK_BIND in production, where nginx sends /desk/ to it;
  --one-pool: the editor's export goes to the public's gunicorn instead). The database is
  PostgreSQL (a fresh schema in the `test` database, dropped afterwards) or SQLite (a file in a
  temporary directory).
- N connections, each a keep-alive HTTP/1.1 connection from its own loopback source address
  (127.x.y.z): every simulated agency stays under the API's per-address limit of 300/minute
  (a connection moves to a fresh address after ADDRESS_BUDGET requests), so the limiter is on and
  does its Redis round trip on every request, as in production, without turning the benchmark into
  a test of the limit. Each request is a different 遗失声明 (name, document, number vary), so every
  submission is checked, line-broken and priced by the engine (set_notice), nothing cached.
- In the background, the issue's column (200 scheduled notices) is exported again and again, by
  default as an editor does it: logged in to the desk, pressing 导出 (POST /desk/issues/DATE/export),
  so the web server's worker sets the column and its render processes draw it, as in production
  (their CPU is then the server's). --export-via cli loops `flask --app app export-column DATE`
  instead (a script's export, with a process start each time); --export-via render loops
  typesetting.render_column in another process.
- Page views (GET / and GET /status/<reference>/<secret>) on 2 more connections, measured apart.
- After each level: stored (rows with this level's keys) vs acknowledged (201 responses).
- Finally a phase with the export and page views only (no submissions): page p99 during an export.

Targets (2-core machine): >= 50 submissions/s, 0 non-2xx, stored == acknowledged, p99 < 1 s;
page views p99 < 1 s during an export. Each level prints one line (MISSED: … names what missed)
and where the CPU went (server, export, client, postgres, redis, other: this machine is shared,
so "other" says how much of it someone else used). Exit status 1 when a target was missed.
Before the levels, --warmup seconds (default 5) of unmeasured submissions warm the workers.

tests/app/test_load_short.py runs a 3-second version of this against SQLite; tests/app/test_faults.py
uses start_server() to kill gunicorn workers mid-request.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VENV_BIN = ROOT / ".venv" / "bin"
PG_BASE_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET_KEY = "bench-secret-key-" + "0" * 32
EDITOR_NAME, EDITOR_PASSWORD = "bench-editor", "bench editor password 2026"
ADDRESS_BUDGET = 200          # requests per source address: under the API's 300/minute per address
EXPORT_NOTICES = 200
STATUS_NOTICES = 20
PAGE_CONNECTIONS = 2
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
            "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力志宏海鹏飞云凤琴斌宇浩凯"
DOCUMENTS = ("购房收据", "认购书", "房地产权证", "车辆行驶证", "医师资格证书", "教师资格证书", "报到证",
             "建设工程规划许可证", "出生医学证明", "营业执照副本", "道路运输证", "会员卡")


# ---------------------------------------------------------------------------------------------
# The server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str, port: int, *, ratelimit_uri: str | None = None, workers: int | None = None,
               threads: int | None = None) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET_KEY, BIND=f"127.0.0.1:{port}",
               SESSION_COOKIE_SECURE="0", RATELIMIT_STORAGE_URI=ratelimit_uri or REDIS_URL,
               PYTHONPATH=str(ROOT))
    if workers:
        env["WEB_WORKERS"] = str(workers)
    if threads:
        env["WEB_THREADS"] = str(threads)
    return env


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The gunicorn workers (children of the master that are not render workers)."""
        pids = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            try:
                pids += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                pass
        return [p for p in pids if b"typesetting._worker" not in _cmdline(p)]

    def stop(self, graceful: bool = True) -> None:
        if self.process.poll() is None:
            # SIGTERM: graceful (workers finish their requests); SIGINT: quick shutdown (tests).
            self.process.send_signal(signal.SIGTERM if graceful else signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def start_server(database_url: str, workdir: Path, *, app_spec: str = "app:create_app()", workers: int | None = None,
                 threads: int | None = None, ratelimit_uri: str | None = None, timeout: float = 60,
                 extra_env: dict | None = None) -> Server:
    """gunicorn -c deploy/gunicorn.conf.py APP_SPEC on a free loopback port; returns when it serves."""
    port = free_port()
    log_path = workdir / f"gunicorn-{port}.log"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), app_spec],
        cwd=str(ROOT), env={**server_env(database_url, port, ratelimit_uri=ratelimit_uri, workers=workers,
                                         threads=threads), **(extra_env or {})},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    server = Server(process, port, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return server
        except OSError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"gunicorn did not serve within {timeout} s:\n{log_path.read_text()[-3000:]}")


# ---------------------------------------------------------------------------------------------
# Databases

@dataclass
class BenchDatabase:
    kind: str
    url: str
    cleanup: Callable[[], object] = lambda: None

    def scalar(self, sql: str, **params):
        from sqlalchemy import create_engine, text
        engine = create_engine(_sa_url(self.url))
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).scalar()
        finally:
            engine.dispose()


def _sa_url(url: str) -> str:
    from store.db import normalise_url
    return normalise_url(url)


def create_database(kind: str, workdir: Path) -> BenchDatabase:
    """A new, migrated database: a SQLite file in workdir, or a PostgreSQL schema of its own."""
    from store import migrate
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        migrate.upgrade(url)
        return BenchDatabase(kind, url)
    schema = migrate.postgres_schema(PG_BASE_URL, "bench")
    url = schema.__enter__()
    return BenchDatabase(kind, url, lambda: schema.__exit__(None, None, None))


@dataclass
class Seeded:
    api_keys: list[str]
    status_paths: list[str]
    export_date: date
    editor: tuple[str, str] = (EDITOR_NAME, EDITOR_PASSWORD)


def seed(database_url: str, *, api_keys: int, export_notices: int = EXPORT_NOTICES,
         status_notices: int = STATUS_NOTICES, repeated: bool = False) -> Seeded:
    """API keys; notices whose status pages are viewed; notices scheduled into one issue (export):
    the seed page's 13 notices and then different 遗失声明 (every one its own text, as in a real
    issue), or, with repeated, the 13 again and again (the figures before 2026-12-05's second
    session were measured so: the render workers had drawn each text after the first export)."""
    from sqlalchemy import update

    from app import create_app
    from notices.catalogue import CATALOGUE
    from notices.checks import check_notice
    from press import printing
    from store import accounts
    from store.accounts import create_api_key
    from store.models import SCHEDULED, Notice
    from store.settings import load_publisher, save_publisher
    from store.workflow import Advertiser, status_secret, submit_notice

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, "DEMO_DATA": False})
    db = app.extensions["notice_db"]
    seeds = json.loads((ROOT / "demo" / "seed-notices.json").read_text(encoding="utf-8"))
    export_date = date.today() + timedelta(days=1)
    with app.app_context():
        keys = [create_api_key(db, f"压测代理{i}") for i in range(api_keys)]
        accounts.create_user(db, EDITOR_NAME, EDITOR_PASSWORD, actor="bench", hasher=accounts.password_hasher())
        with db.write() as s:
            publisher = load_publisher(s)
            if not publisher.newspaper:      # the desk refuses to export a column without it
                publisher.newspaper = "压测日报"
                save_publisher(s, publisher)
        results = []
        rnd = random.Random(20261205)
        wanted = len(seeds) if repeated else export_notices + status_notices
        for i in range(wanted):
            item = seeds[i] if i < len(seeds) else dict(notice_body(rnd, i), text="")
            result = check_notice(item["type"], item["fields"], item["text"], export_date, require_open=False,
                                  calendar=publisher.calendar, missing_glyphs=printing.missing_glyphs)
            if not result.ok:
                raise RuntimeError(f"seed notice does not pass its checks: {result.errors}")
            quote = printing.quote_notice(publisher, result, CATALOGUE[item["type"]], with_png=False)
            results.append((result, quote))
        references = []
        for i in range(export_notices + status_notices):
            result, quote = results[i % len(results)]
            submitted = submit_notice(db, result, Advertiser("压测", "13800138000"), f"bench:seed:{uuid.uuid4().hex}",
                                      lines=quote.lines, price_cents=quote.price_cents, author="bench")
            references.append(submitted.notice.reference)
        with db.write() as s:
            s.execute(update(Notice).where(Notice.reference.in_(references[:export_notices]))
                      .values(status=SCHEDULED, issue_date=export_date))
    db.dispose()
    paths = [f"/status/{ref}/{status_secret(SECRET_KEY, ref)}" for ref in references[export_notices:]]
    return Seeded(keys, paths, export_date)


# ---------------------------------------------------------------------------------------------
# The background export

def export_command_exists() -> bool:
    probe = subprocess.run([str(VENV_BIN / "flask"), "--app", "app", "export-column", "--help"], cwd=str(ROOT),
                           capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return probe.returncode == 0


EXPORT_LOOP = r"""
import subprocess, sys, time, json
cmd, out, deadline = json.loads(sys.argv[1]), sys.argv[2], float(sys.argv[3])
done, failed, durations = 0, 0, []
while time.time() < deadline:
    t = time.time()
    r = subprocess.run(cmd, capture_output=True)
    if r.returncode == 0:
        done += 1
        durations.append(time.time() - t)
    else:
        failed += 1
        sys.stderr.write(r.stderr.decode(errors="replace")[-2000:])
        time.sleep(0.5)
import resource
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"done": done, "failed": failed, "durations": durations, "cpu_s": usage.ru_utime + usage.ru_stime}))
"""

DESK_EXPORT_LOOP = r"""
import http.cookiejar, json, re, sys, time, urllib.parse, urllib.request
base, day, user, password, deadline = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
every = float(sys.argv[6])    # seconds from one export's start to the next's (0: back to back)

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None

browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

def csrf(path):
    page = browser.open(base + path, timeout=60).read().decode()
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

def post(path, fields):
    try:
        return browser.open(base + path, urllib.parse.urlencode(fields).encode(), timeout=300)
    except urllib.error.HTTPError as exc:    # 303 after the login: not followed
        return exc

login = post("/desk/login", {"csrf_token": csrf("/desk/login"), "username": user, "password": password})
assert login.status == 303, login.status
token = csrf(f"/desk/issues/{day}")
done, failed, durations = 0, 0, []
while time.time() < deadline:
    t = time.time()
    answer = post(f"/desk/issues/{day}/export", {"csrf_token": token, "continue_overflow": "1"})
    body = answer.read()
    if answer.status == 200 and body.startswith(b"%PDF"):
        done += 1
        durations.append(time.time() - t)
    else:
        failed += 1
        sys.stderr.write(f"export answered {answer.status}\n")
        time.sleep(0.5)
    time.sleep(max(0.0, min(t + every, deadline) - time.time()))
print(json.dumps({"done": done, "failed": failed, "durations": durations, "cpu_s": 0.0}))
"""

RENDER_LOOP = r"""
import datetime as dt, json, sys, time
sys.path.insert(0, sys.argv[1])
import typesetting
deadline = float(sys.argv[2])
seeds = json.load(open(sys.argv[1] + "/demo/seed-notices.json", encoding="utf-8"))
titles = {"lost-document": "遗失声明", "revocation": "撤销公告", "liquidation": "清算公告",
          "capital-reduction": "减资公告", "merger": "合并公告", "division": "分立公告", "correction": "更正声明"}
items = [typesetting.ColumnItem(key=str(i), label=str(i), title=titles[s["type"]], body=s["text"],
                                type_code=s["type"]) for i, s in ((i, seeds[i % len(seeds)]) for i in range(200))]
done, durations = 0, []
while time.time() < deadline:
    t = time.time()
    typesetting.render_column(items, typesetting.LayoutSettings(), dt.date.today(), continue_overflow=True)
    done += 1
    durations.append(time.time() - t)
import resource
usage = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"done": done, "failed": 0, "durations": durations,
                  "cpu_s": sum(u.ru_utime + u.ru_stime for u in usage)}))
"""


class Exporter:
    """Exports the issue again and again until stopped (or the deadline), in one of three ways:
    desk - an editor presses "导出" on the issue page: the column is set and rendered by the web
           server's own worker and its render processes, as in production (the default);
    cli - `flask export-column` in a loop (a script's export: a process start each time);
    render - typesetting.render_column in a loop in another process (no database)."""

    def __init__(self, database_url: str, export_date: date, workdir: Path, via: str, nice: int = 0,
                 base_url: str = "", editor: tuple[str, str] = (EDITOR_NAME, EDITOR_PASSWORD), every: float = 0.0):
        self.database_url, self.export_date, self.workdir, self.via = database_url, export_date, workdir, via
        self.nice, self.base_url, self.editor, self.every = nice, base_url, editor, every
        self.process: subprocess.Popen | None = None

    @property
    def description(self) -> str:
        nice = f", at nice {self.nice}" if self.nice else ""
        if self.via == "desk":
            pace = f", one every {self.every:g} s" if self.every else ""
            return (f"an editor exporting {self.export_date} ({EXPORT_NOTICES} notices) from the desk "
                    f"(POST /desk/issues/…/export), in a loop{pace}{nice}; its CPU counts as the server's")
        if self.via == "cli":
            return (f"`flask --app app export-column {self.export_date} --continue-overflow` ({EXPORT_NOTICES} "
                    f"notices), in a loop{nice}")
        return f"typesetting.render_column of {EXPORT_NOTICES} notices in a loop (no database){nice}"

    def start(self, seconds: float) -> None:
        deadline = time.time() + seconds
        # APP_ENV=development: the export signs with the instance audit key, as the server does
        # here (cli.py refuses that on PostgreSQL otherwise).
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": self.database_url, "SECRET_KEY": SECRET_KEY,
               "APP_ENV": "development"}
        if self.via == "desk":
            args = [sys.executable, "-c", DESK_EXPORT_LOOP, self.base_url, self.export_date.isoformat(),
                    *self.editor, str(deadline), str(self.every)]
        elif self.via == "cli":
            cmd = [str(VENV_BIN / "flask"), "--app", "app", "export-column", self.export_date.isoformat(),
                   "--continue-overflow", "--output", str(self.workdir / "export.pdf")]
            args = [sys.executable, "-c", EXPORT_LOOP, json.dumps(cmd), "", str(deadline)]
        else:
            args = [sys.executable, "-c", RENDER_LOOP, str(ROOT), str(deadline)]
        nice = self.nice
        self.process = subprocess.Popen(args, cwd=str(ROOT), env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, start_new_session=True,
                                        preexec_fn=(lambda: os.nice(nice)) if nice else None)

    def finish(self) -> dict:
        assert self.process is not None
        out, err = self.process.communicate(timeout=300)
        try:
            report = json.loads(out.decode().strip().splitlines()[-1])
        except (IndexError, ValueError):
            report = {"done": 0, "failed": -1, "durations": [], "stderr": err.decode(errors="replace")[-2000:]}
        return report

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# ---------------------------------------------------------------------------------------------
# The client: asyncio, raw HTTP/1.1 keep-alive, one source address per simulated agency

class AddressPool:
    """Loopback source addresses 127.A.B.C, a random block per run (earlier runs' limiter windows
    in Redis cannot collide with this one)."""

    def __init__(self, seed: int | None = None):
        rnd = random.Random(seed)
        self._next = rnd.randrange(1, 200) * 65536 + rnd.randrange(0, 256) * 256

    def take(self) -> str:
        self._next += 1
        n = self._next
        if n % 256 in (0, 255):
            return self.take()
        return f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


class HttpConnection:
    def __init__(self, port: int, source: str | None):
        self.port, self.source = port, source
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict | None = None, body: bytes = b"",
                      timeout: float = 30) -> tuple[int, bytes]:
        if self.writer is None:
            local = (self.source, 0) if self.source else None
            self.reader, self.writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.port, local_addr=local), timeout)
        assert self.writer is not None
        head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
        for name, value in (headers or {}).items():
            head.append(f"{name}: {value}")
        if body or method == "POST":
            head.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        try:
            return await asyncio.wait_for(self._response(), timeout)
        except BaseException:
            self.close()
            raise

    async def _response(self) -> tuple[int, bytes]:
        assert self.reader is not None      # request() connected first
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("connection closed by the server")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value.strip())
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        body = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):
                self.writer.close()
        self.reader = self.writer = None

    async def aclose(self) -> None:
        writer = self.writer
        self.close()
        if writer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2)


def notice_body(rnd: random.Random, serial: int) -> dict:
    holder = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.randint(1, 2)))
    return {"type": "lost-document",
            "fields": {"variant": "document", "holder": holder, "document_name": rnd.choice(DOCUMENTS),
                       "document_number": f"{rnd.randrange(10**6, 10**8)}{serial}"},
            "contact": {"name": holder, "phone": f"138{rnd.randrange(10**7, 10**8)}"}}


@dataclass
class LevelResult:
    connections: int
    seconds: float
    latencies: list[float] = field(default_factory=list)     # 2xx submissions
    statuses: dict = field(default_factory=dict)
    transport_errors: int = 0
    acknowledged: set = field(default_factory=set)           # Idempotency-Keys answered 201
    unpriced: int = 0                                        # 201 without lines/price: not typeset
    page_latencies: list[float] = field(default_factory=list)
    page_statuses: dict = field(default_factory=dict)
    page_errors: int = 0
    stored: int | None = None
    export: dict | None = None
    cpu: dict = field(default_factory=dict)                  # CPU seconds per group of processes
    prefix: str = ""                                          # of this level's Idempotency-Keys
    samples: dict = field(default_factory=dict)               # status -> first body, for the report
    by_connection: dict = field(default_factory=dict)         # connection -> its latencies
    timeline: list = field(default_factory=list)              # (start, latency) of 2xx submissions

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + self.transport_errors

    @property
    def non_2xx(self) -> int:
        return sum(n for s, n in self.statuses.items() if not 200 <= s < 300) + self.transport_errors


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))   # nearest rank
    return ordered[k]


async def _submitter(port, key, prefix, deadline, result: LevelResult, addresses: AddressPool, rnd, counter):
    conn, used = None, ADDRESS_BUDGET
    while time.monotonic() < deadline:
        if used >= ADDRESS_BUDGET:
            if conn:
                await conn.aclose()
            conn, used = HttpConnection(port, addresses.take()), 0
        assert conn is not None             # made above on the first pass (used starts at the budget)
        counter[0] += 1
        idem = f"{prefix}-{counter[0]}"
        body = json.dumps(notice_body(rnd, counter[0]), ensure_ascii=False).encode()
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": idem, "Content-Type": "application/json"}
        started = time.monotonic()
        used += 1
        try:
            status, payload = await conn.request("POST", "/api/v1/notices", headers, body)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
            result.transport_errors += 1
            conn.close()
            used = ADDRESS_BUDGET
            continue
        elapsed = time.monotonic() - started
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if 200 <= status < 300:
            result.latencies.append(elapsed)
            result.by_connection.setdefault(id(conn), []).append(elapsed)
            result.timeline.append((started, elapsed))
            if status == 201:
                result.acknowledged.add(idem)
            data = json.loads(payload)
            if not data.get("lines") or not data.get("price", {}).get("amount"):
                result.unpriced += 1
        elif status not in result.samples:
            result.samples[status] = payload[:300].decode(errors="replace")
    if conn:
        await conn.aclose()


async def _page_viewer(port, paths, deadline, result: LevelResult, addresses: AddressPool, rnd):
    conn = HttpConnection(port, addresses.take())
    views = 0
    while time.monotonic() < deadline:
        path = "/" if views % 2 == 0 else rnd.choice(paths)
        views += 1
        if views % ADDRESS_BUDGET == 0:
            await conn.aclose()
            conn = HttpConnection(port, addresses.take())
        started = time.monotonic()
        try:
            status, _ = await conn.request("GET", path)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError):
            result.page_errors += 1
            conn.close()
            continue
        result.page_latencies.append(time.monotonic() - started)
        result.page_statuses[status] = result.page_statuses.get(status, 0) + 1
        await asyncio.sleep(0.05)   # a reader, not a flood: ~10-20 views/s per connection
    await conn.aclose()


async def _sampler(meter, deadline):
    while time.monotonic() < deadline:
        await asyncio.sleep(2)
        meter.sample()


async def drive(port: int, *, connections: int, seconds: float, api_keys: list[str], status_paths: list[str],
                page_connections: int = PAGE_CONNECTIONS, prefix: str | None = None,
                seed_value: int = 1, meter: "CpuMeter | None" = None) -> LevelResult:
    """Submissions on `connections` connections (and page views on page_connections) for `seconds`."""
    prefix = prefix or f"bench-{uuid.uuid4().hex[:8]}-c{connections}"
    result = LevelResult(connections, seconds, prefix=prefix)
    addresses = AddressPool(seed_value + connections)
    deadline = time.monotonic() + seconds
    counter = [0]
    tasks = [_submitter(port, api_keys[i % len(api_keys)], prefix, deadline, result, addresses,
                        random.Random(seed_value * 1000 + i), counter) for i in range(connections)]
    tasks += [_page_viewer(port, status_paths, deadline, result, addresses, random.Random(-i))
              for i in range(page_connections if status_paths else 0)]
    if meter is not None:
        tasks.append(_sampler(meter, deadline))
    started = time.monotonic()
    await asyncio.gather(*tasks)
    result.seconds = time.monotonic() - started
    return result


def count_stored(db: BenchDatabase, prefix: str) -> int:
    # The API stores the key as "api:<key id>:<Idempotency-Key>".
    return db.scalar("SELECT count(*) FROM notices WHERE submission_key LIKE :p", p=f"api:%:{prefix}-%")


# ---------------------------------------------------------------------------------------------
# Where the CPU went: this machine is shared, so each level reports what other processes used.

_HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command line, CPU seconds used so far)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        out[int(entry.name)] = (int(fields[1]), cmd, (int(fields[11]) + int(fields[12])) / _HZ)
    return out


class CpuMeter:
    """CPU seconds per group (server, export, client, postgres, redis, other) between start and stop.
    Processes that ended in between are missed, except the export's (counted by its process
    group leader's children in /proc at the last sample), so 'other' is a lower bound."""

    def __init__(self, roots: dict[str, list[int]]):
        self.roots = roots
        self.before = _processes()
        self.seen: dict[int, tuple[str, float]] = {}

    def _group(self, pid: int, procs) -> str:
        owner = {root: name for name, roots in self.roots.items() for root in roots}
        chain, p = set(), pid
        while p in procs and p not in chain:     # the nearest ancestor that is a root decides
            if p in owner:
                return owner[p]
            chain.add(p)
            p = procs[p][0]
        cmd = procs[pid][1]
        if "postgres" in cmd:
            return "postgres"
        if "redis-server" in cmd:
            return "redis"
        return "other"

    def sample(self) -> None:
        procs = _processes()
        for pid, (_ppid, _cmd, t) in procs.items():
            self.seen[pid] = (self._group(pid, procs), t)

    def stop(self) -> dict[str, float]:
        self.sample()
        groups: dict[str, float] = {}
        for pid, (group, t) in self.seen.items():
            t0 = self.before.get(pid, (0, "", 0.0))[2]
            groups[group] = groups.get(group, 0.0) + max(0.0, t - t0)
        return {k: round(v, 1) for k, v in sorted(groups.items(), key=lambda kv: -kv[1]) if v >= 0.05}


# ---------------------------------------------------------------------------------------------
# Reporting

def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GB RAM"
    return (f"{os.cpu_count()} CPUs ({model or platform.processor()}), {mem}, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def _rounded_ms(seconds: float) -> int | None:
    return None if seconds != seconds else round(seconds * 1000)   # NaN: nothing measured


def _window_p99(timeline: list, window: float = 10.0) -> list:
    """p99 of the submissions started in each window of the level: a tail made by a few bad
    moments shows in one or two windows, a tail spread over the run in all of them."""
    if not timeline:
        return []
    first = min(start for start, _ in timeline)
    windows: dict[int, list[float]] = {}
    for start, latency in timeline:
        windows.setdefault(int((start - first) // window), []).append(latency)
    return [_rounded_ms(percentile(v, 99)) for _, v in sorted(windows.items())]


def summarise(r: LevelResult) -> dict:
    return {
        "connections": r.connections, "seconds": round(r.seconds, 1), "requests": r.requests,
        "submissions_per_s": round(sum(n for s, n in r.statuses.items() if 200 <= s < 300) / r.seconds, 1),
        "p50_ms": _rounded_ms(percentile(r.latencies, 50)), "p99_ms": _rounded_ms(percentile(r.latencies, 99)),
        "max_ms": _rounded_ms(max(r.latencies, default=float("nan"))),
        "non_2xx": r.non_2xx, "statuses": {str(k): v for k, v in sorted(r.statuses.items())},
        "transport_errors": r.transport_errors, "acknowledged": len(r.acknowledged), "stored": r.stored,
        "unpriced": r.unpriced,
        "page_views": len(r.page_latencies),
        "page_p50_ms": _rounded_ms(percentile(r.page_latencies, 50)),
        "page_p99_ms": _rounded_ms(percentile(r.page_latencies, 99)),
        "page_non_2xx": sum(n for s, n in r.page_statuses.items() if not 200 <= s < 300) + r.page_errors,
        "exports": r.export and r.export.get("done"), "export_failures": r.export and r.export.get("failed"),
        "export_mean_s": round(statistics.mean(r.export["durations"]), 3) if r.export and r.export.get("durations")
        else None,
        "export_p50_s": round(percentile(r.export["durations"], 50), 3) if r.export and r.export.get("durations")
        else None,
        "export_p95_s": round(percentile(r.export["durations"], 95), 3) if r.export and r.export.get("durations")
        else None,
        "error_samples": r.samples,
        "cpu_s": r.cpu, "cpu_available_s": round(r.seconds * (os.cpu_count() or 1), 1),
        # Median latency of each connection: a wide spread means some connections wait on a
        # busier server process than others (keep-alive connections stay with one worker).
        "connection_p50_ms": [_rounded_ms(percentile(v, 50)) for v in
                              sorted(r.by_connection.values(), key=lambda v: percentile(v, 50))],
        "window_p99_ms": _window_p99(r.timeline),
        "connection_requests": [len(v) for v in
                                sorted(r.by_connection.values(), key=lambda v: percentile(v, 50))],
    }


def verdict(s: dict) -> list[str]:
    misses = []
    if s["connections"] and s["submissions_per_s"] < 50:
        misses.append(f"{s['submissions_per_s']}/s < 50/s")
    if s["non_2xx"]:
        misses.append(f"{s['non_2xx']} non-2xx")
    if s["connections"] and s["stored"] != s["acknowledged"]:
        misses.append(f"stored {s['stored']} != acknowledged {s['acknowledged']}")
    if s["connections"] and (s["p99_ms"] is None or s["p99_ms"] >= 1000):
        misses.append(f"p99 {s['p99_ms']} ms >= 1 s")
    if s["page_p99_ms"] is not None and s["page_p99_ms"] >= 1000:
        misses.append(f"page p99 {s['page_p99_ms']} ms >= 1 s")
    if s["page_non_2xx"]:
        misses.append(f"{s['page_non_2xx']} page views not 2xx")
    if s["unpriced"]:
        misses.append(f"{s['unpriced']} answers without a price")
    if s["export_failures"]:
        misses.append(f"{s['export_failures']} exports failed")
    return misses


def print_level(kind: str, s: dict) -> None:
    what = f"{s['connections']:>2} conns" if s["connections"] else "export only"
    line = (f"{kind:<10} {what:<11} {s['seconds']:>5.0f}s  {s['submissions_per_s']:>6.1f}/s  "
            f"p50 {s['p50_ms'] if s['p50_ms'] is not None else '-':>5} ms  "
            f"p99 {s['p99_ms'] if s['p99_ms'] is not None else '-':>5} ms  "
            f"non-2xx {s['non_2xx']:>3}  stored/acked {s['stored']}/{s['acknowledged']}  "
            f"pages {s['page_views']:>4} p99 {s['page_p99_ms']} ms  exports {s['exports']} "
            f"(mean {s['export_mean_s']} s, p50 {s['export_p50_s']} s, p95 {s['export_p95_s']} s, "
            f"{s['export_failures']} failed)")
    misses = verdict(s)
    print(line + ("  OK" if not misses else "  MISSED: " + "; ".join(misses)), flush=True)
    if s["cpu_s"]:
        print(f"           CPU seconds used of {s['cpu_available_s']}: "
              + ", ".join(f"{k} {v}" for k, v in s["cpu_s"].items()), flush=True)
    spread = s.get("connection_p50_ms") or []
    if len(spread) > 1:
        print(f"           per-connection p50: min {spread[0]} ms, median {spread[len(spread) // 2]} ms, "
              f"max {spread[-1]} ms ({len(spread)} connections)", flush=True)
    if len(s.get("window_p99_ms") or []) > 1:
        print(f"           p99 per 10 s: {' '.join(str(v) for v in s['window_p99_ms'])} ms", flush=True)
    if s["error_samples"]:
        print(f"           error samples: {s['error_samples']}", flush=True)


# ---------------------------------------------------------------------------------------------

def run_database(kind: str, args, workdir: Path) -> list[dict]:
    db = create_database(kind, workdir)
    server = desk = exporter = None
    summaries = []
    try:
        seeded = seed(db.url, api_keys=max(args.concurrency), repeated=args.repeated_export)
        app_env = {"PYTHONPATH": os.pathsep.join([str(ROOT), *args.pythonpath])}
        server = start_server(db.url, workdir, workers=args.workers, threads=args.threads, app_spec=args.app,
                              extra_env=app_env)
        via = args.export_via
        if via == "cli" and not export_command_exists():
            via = "render"
        # The editors' gunicorn, as serve-production.sh starts it beside the public's (only when an
        # editor exports through it).
        desk = server if (args.one_pool or args.no_export or via != "desk") else start_server(
            db.url, workdir, workers=args.desk_workers, threads=args.threads, app_spec=args.app, extra_env=app_env)
        if args.warmup > 0:
            # Every worker loads its fonts and fills its caches on its first requests; a server in
            # production is warm. Not measured.
            asyncio.run(drive(server.port, connections=max(args.concurrency), seconds=args.warmup,
                              api_keys=seeded.api_keys, status_paths=seeded.status_paths, prefix="warmup"))
        levels = list(args.concurrency) + ([0] if args.export_only_seconds > 0 else [])
        for connections in levels:
            seconds = args.seconds if connections else args.export_only_seconds
            if not args.no_export:
                exporter = Exporter(db.url, seeded.export_date, workdir, via, nice=args.export_nice,
                                    base_url=desk.base, editor=seeded.editor, every=args.export_every)
                exporter.start(seconds + args.export_head_start)
                time.sleep(args.export_head_start)   # the export is rendering when the clients start
            meter = CpuMeter({"server": sorted({server.process.pid, desk.process.pid}), "client": [os.getpid()],
                              "export": [exporter.process.pid] if exporter and exporter.process else []})
            r = asyncio.run(drive(server.port, connections=connections, seconds=seconds, api_keys=seeded.api_keys,
                                  status_paths=seeded.status_paths, meter=meter))
            r.cpu = meter.stop()
            if exporter is not None:
                r.export = exporter.finish()
                # Exited export processes are counted by their parent's rusage; live ones by sampling.
                r.cpu["export"] = round(max(r.export.get("cpu_s", 0.0), r.cpu.get("export", 0.0)), 1)
                exporter = None
            r.stored = count_stored(db, r.prefix) if connections else 0
            s = summarise(r)
            s.update(database=kind, export="none (--no-export)" if args.no_export
                     else Exporter(db.url, seeded.export_date, workdir, via, nice=args.export_nice,
                                   every=args.export_every).description)
            print_level(kind, s)
            summaries.append(s)
    finally:
        if exporter is not None:
            exporter.kill()
        for running in [server] + ([desk] if desk is not server else []):
            if running is not None:
                running.stop()
        db.cleanup()
    return summaries


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=60.0, help="per concurrency level (default 60)")
    parser.add_argument("--concurrency", type=lambda v: [int(x) for x in v.split(",")], default=[16, 32, 64])
    parser.add_argument("--export-only-seconds", type=float, default=20.0,
                        help="a last phase with the export and page views only (0: skip)")
    parser.add_argument("--export-head-start", type=float, default=3.0,
                        help="seconds the export runs before the clients start")
    parser.add_argument("--workers", type=int, help="WEB_WORKERS (default: deploy/gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="WEB_THREADS (default: deploy/gunicorn.conf.py's)")
    parser.add_argument("--desk-workers", type=int, default=2, help="DESK_WORKERS (default 2, as serve-production.sh)")
    parser.add_argument("--export-every", type=float, default=0.0,
                        help="the desk's export: seconds from one start to the next (default 0: back to back; "
                             "a faster export then means more exports, and less CPU for the submissions)")
    parser.add_argument("--one-pool", action="store_true",
                        help="no gunicorn of the desk's own: the export goes to the public's (before 2026-12-05)")
    parser.add_argument("--export-via", choices=("desk", "cli", "render"), default="desk",
                        help="desk: an editor's export through the web server (default, as in production); "
                             "cli: `flask export-column` in a loop; render: typesetting.render_column in a loop")
    parser.add_argument("--repeated-export", action="store_true",
                        help="export the seed page's 13 notices again and again instead of 200 different ones "
                             "(how the figures before 2026-12-05's second session were measured)")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds of submissions first")
    parser.add_argument("--export-nice", type=int, default=0,
                        help="run the export at this niceness (shows what a lower render priority would buy)")
    parser.add_argument("--no-export", action="store_true",
                        help="no background export (to see what the export costs the submissions)")
    parser.add_argument("--app", default="app:create_app()",
                        help="gunicorn's application (to measure a candidate fix kept outside the tree)")
    parser.add_argument("--pythonpath", action="append", default=[], help="extra directory for --app")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    print(f"server: gunicorn -c deploy/gunicorn.conf.py '{args.app}' (workers={args.workers or 'conf'}, "
          f"threads={args.threads or 'conf'}), limiter on Redis {REDIS_URL}; "
          + ("the desk on the same gunicorn (--one-pool)" if args.one_pool
             else f"the desk on a gunicorn of its own ({args.desk_workers} worker(s))"))
    kinds = ("postgresql", "sqlite") if args.db == "both" else (args.db,)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        for kind in kinds:
            workdir = Path(tmp) / kind
            workdir.mkdir()
            results += run_database(kind, args, workdir)
    if results:
        print(f"background export: {results[0]['export']}")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, ensure_ascii=False, indent=1))
    return 0 if all(not verdict(s) for s in results) else 1


if __name__ == "__main__":
    sys.exit(main())
