"""Faults: writers killed with kill -9, a server killed mid-request, runaway renders, a full disk.

Each test is bounded (a few seconds). The long versions: benchmarks/bench_load.py, and the storm
for as long as you like, e.g.
    .venv/bin/python -m tests.support.faults storm --url sqlite:////tmp/storm.db --out /tmp/storm \
        --seconds 60 --verify        (on a migrated database: flask --app app upgrade-db)
"""
from __future__ import annotations

import contextlib
import functools
import http.client
import json
import os
import pwd
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, event, func, select, text

import typesetting
from store.accounts import create_api_key
from store.models import Notice
from tests.conftest import PG_BASE_URL
from tests.support.apps import auth, make_app
from tests.support.faults import (
    consistency_problems,
    count_rows,
    form_url,
    load_bench,
    previewed,
    run_storm,
    stored_keys,
    storm_verdict,
)

# Not in `make test-fast`: these kill processes, fill disks and start gunicorn (pytest.ini).
pytestmark = pytest.mark.fault

CONTACT_FORM = {"advertiser_name": "陈小明", "advertiser_phone": "13800138000"}
CONTACT_API = {"name": "陈小明", "phone": "13800138000"}
DOCUMENT = {"variant": "document", "holder": "陈小明", "document_name": "购房收据"}
SAVE_MESSAGE = "暂时无法保存，请稍后再试，您填写的内容仍在"


def api_payload(number: int | str = 1, publication_date: str | None = "2026-11-28", **fields) -> dict:
    """A 遗失声明 through the API. In-process apps run at conftest.NOW; a real server runs at the real
    time, so its requests leave the date out (the first open issue is then the editors' choice)."""
    payload = {"type": "lost-document", "contact": CONTACT_API,
               "fields": {**DOCUMENT, "document_number": f"NO{number}", **fields}}
    if publication_date:
        payload["publication_date"] = publication_date
    return payload


def notice_count(app) -> int:
    with app.extensions["notice_db"].session() as s:
        return s.scalar(select(func.count()).select_from(Notice))




def long_text(holder="陈小明", document="购房收据") -> str:
    """A notice of ~1,400 characters (the longest merger notices run ~800; the limit is 1,500):
    its revision row needs more than one 4 KB page, so a write fails midway when no page is left."""
    filler = ("本人于二零二六年十一月在广州市天河区示例花园购房，收据由示例置业有限公司开具，"
              "现不慎遗失，收据所载金额及房号均以开发商存档为准，") * 30
    return f"{holder}遗失{document}，{filler[:1350]}特此声明。"


def _page_times_while(worker: threading.Thread, client) -> list[float]:
    """Serve the home and status pages over and over while `worker` runs (a render that must be
    stopped at its limit); how long each pair took. Joins the worker."""
    page_times = []
    while worker.is_alive():
        started = time.monotonic()
        assert client.get("/").status_code == 200
        assert client.get("/status").status_code == 200
        page_times.append(time.monotonic() - started)
        time.sleep(0.05)
    worker.join()
    return page_times


# ---------------------------------------------------------------------------------------------
# kill -9 during a submission storm


def test_writers_killed_with_sigkill_lose_no_acknowledged_notice(database_url, tmp_path):
    """4 writer processes submit through store.workflow.submit_notice while one of them is
    killed with SIGKILL every ~65 ms for 2.5 s (each restarted writer retries its unacknowledged
    submission with the same key). Afterwards: every acknowledged notice is stored, exactly once,
    with no gap; nothing is half-written; the audit chain and (SQLite) integrity_check hold."""
    report = run_storm(database_url, tmp_path / "storm", writers=4, seconds=2.5, seed=7)
    assert report["crashed"] == 0, report["stderr"]
    verdict = storm_verdict(database_url, tmp_path / "storm", writers=4)
    assert verdict["problems"] == []
    assert report["kills"] >= 15 and verdict["acknowledged"] >= 30, (report, verdict)   # the storm really happened
    print(f"\nkill -9 storm: {report['kills']} kills, {verdict['acknowledged']} acknowledged, {verdict['stored']} "
          f"stored, {verdict['replays']} retries found their notice committed before the kill, "
          f"{verdict['committed_unacknowledged']} committed at the final kills")


# ---------------------------------------------------------------------------------------------
# A client retry after the server died mid-request

def test_retry_after_the_server_died_between_commit_and_answer_stores_one_notice(app, api_key, monkeypatch):
    """The worst moment to die: the notice is committed, the answer never leaves. The client sees
    an error and retries with the same Idempotency-Key: the same notice comes back (200), once."""
    import views.api
    real = views.api.submit_notice

    def commit_then_die(*args, **kwargs):
        real(*args, **kwargs)
        raise ConnectionAbortedError("worker killed after the commit, before the answer")

    monkeypatch.setattr(views.api, "submit_notice", commit_then_die)
    client = app.test_client()
    with pytest.raises(ConnectionAbortedError):
        client.post("/api/v1/notices", json=api_payload(), headers=auth(api_key, "retry-after-crash-1"))
    monkeypatch.setattr(views.api, "submit_notice", real)
    retry = client.post("/api/v1/notices", json=api_payload(), headers=auth(api_key, "retry-after-crash-1"))
    assert retry.status_code == 200, retry.get_json()
    assert notice_count(app) == 1
    stored = stored_keys(app.config["DATABASE_URL"], "api:%:retry-after-crash-1")
    assert list(stored.values()) == [retry.get_json()["reference"]]


def _post_json(port: int, path: str, body: dict, headers: dict, timeout: float = 10) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, json.dumps(body, ensure_ascii=False).encode(),
                     {**headers, "Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def test_gunicorn_workers_killed_mid_request_then_retried_store_each_notice_once(sqlite_template, tmp_path):
    """The real thing: gunicorn (deploy/gunicorn.conf.py, 2 workers × 4 threads), 6 clients
    submitting through the API, a gunicorn worker killed with SIGKILL every ~0.5 s for 2.5 s. A
    client whose request dies retries with the same Idempotency-Key until it gets an answer.
    Every key ends with exactly one notice, the one its answer named, and nothing else is stored.

    SQLite only: what is tested is the server and the API's idempotency; the same kill -9 on
    PostgreSQL writers is the storm test above (on both), and the retry after a commit whose answer
    was lost is test_retry_after_the_server_died_between_commit_and_answer (on both)."""
    bench = load_bench()
    database_url = f"sqlite:///{tmp_path / 'notices.db'}"
    shutil.copy(sqlite_template, tmp_path / "notices.db")
    app = make_app(database_url)
    with app.app_context():
        key = create_api_key(app.extensions["notice_db"], "故障测试")
    app.extensions["notice_db"].dispose()
    server = bench.start_server(database_url, tmp_path, workers=2, threads=4,
                                app_spec="app:create_app({'RATELIMIT_ENABLED': False})",
                                ratelimit_uri="memory://")
    answers: dict[str, tuple[int, str]] = {}
    interrupted: set[str] = set()
    problems: list[str] = []
    stop_killing = time.monotonic() + 2.5
    stop_new = stop_killing + 0.3

    def client(number: int) -> None:
        n = 0
        while time.monotonic() < stop_new:
            n += 1
            idem = f"kill-{number}-{n}"
            deadline = time.monotonic() + 20
            while True:
                try:
                    status, body = _post_json(server.port, "/api/v1/notices",
                                              api_payload(f"{number}x{n}", publication_date=None), auth(key, idem))
                except (OSError, http.client.HTTPException):
                    status, body = None, {}
                if status in (200, 201):
                    answers[idem] = (status, body["reference"])
                    break
                if status is not None and status < 500:
                    problems.append(f"{idem}: {status} {body}")
                    break
                interrupted.add(idem)          # the worker died under this request: retry, same key
                if time.monotonic() > deadline:
                    problems.append(f"{idem}: no answer within 20 s")
                    break
                time.sleep(0.05)

    kills = 0
    threads = [threading.Thread(target=client, args=(i,)) for i in range(6)]
    try:
        for t in threads:
            t.start()
        rnd = random.Random(3)
        while time.monotonic() < stop_killing:
            time.sleep(rnd.uniform(0.3, 0.7))
            pids = server.worker_pids()
            if pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(rnd.choice(pids), signal.SIGKILL)
                    kills += 1
        for t in threads:
            t.join(timeout=60)
    finally:
        server.stop(graceful=False)
    assert not problems, problems[:5]
    stored = stored_keys(database_url, "api:%:kill-%")
    by_idem = {k.split(":", 2)[2]: ref for k, ref in stored.items()}
    assert set(by_idem) == set(answers), "stored != acknowledged"
    assert all(by_idem[idem] == ref for idem, (_, ref) in answers.items())
    assert notice_count_url(database_url) == len(answers)
    assert consistency_problems(database_url) == []
    replayed = sum(1 for idem in interrupted if answers.get(idem, (0,))[0] == 200)
    assert kills >= 3 and interrupted, f"{kills} kills interrupted no request"
    print(f"\ngunicorn kill -9: {kills} kills, {len(answers)} notices acknowledged and stored once, "
          f"{len(interrupted)} requests interrupted and retried, {replayed} of them had been committed")


def notice_count_url(url: str) -> int:
    return count_rows(url, "notices")


# ---------------------------------------------------------------------------------------------
# Renders over their limits

def _render_children() -> list[int]:
    """Render worker processes started by this test process."""
    me = str(os.getpid())
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == me and \
                        b"typesetting._worker" in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
    return pids


def test_runaway_render_is_stopped_reported_in_chinese_and_pages_keep_being_served(sqlite_app):
    """A column that needs far longer than its limit: the workers are killed at the limit,
    RenderTimeout says so in Chinese, page views meanwhile answer within 1 s, and the next preview
    renders normally (fresh workers)."""
    settings = typesetting.LayoutSettings()
    body = "本公司遗失财务专用章一枚，统一社会信用代码：91440106MA5CL12T4G，印章编码：4401060123456，声明作废。" * 3
    items = [typesetting.ColumnItem(key=str(i), label=str(i), title="遗失声明", body=f"{i}号{body}",
                                    type_code="lost-document") for i in range(600)]
    for item in items:   # line-breaking (cached) happens first, outside the render limit
        typesetting.set_notice(item.title, item.body, settings)
    limit = typesetting.RenderLimits(timeout_s=1.5)
    outcome: dict = {}

    def export():
        started = time.monotonic()
        try:
            # WeasyPrint: the direct drawer (the default) draws these pages in less than the
            # limit; tests/engine/test_draw.py stops it with a shorter one.
            typesetting.render_column(items, settings, date(2026, 11, 28), continue_overflow=True, limits=limit,
                                      renderer="weasyprint")
        except typesetting.RenderError as exc:
            outcome["error"] = exc
        outcome["seconds"] = time.monotonic() - started

    client = sqlite_app.test_client()
    client.get("/")                                     # warm the page templates
    worker = threading.Thread(target=export)
    worker.start()
    page_times = _page_times_while(worker, client)
    error = outcome.get("error")
    assert isinstance(error, typesetting.RenderTimeout), outcome
    assert "排版超时" in str(error) and "已中止" in str(error)
    # Stopped at its limit (plus writing the HTML and killing the workers): the whole column
    # would take tens of seconds.
    assert outcome["seconds"] < limit.timeout_s + 3.0, outcome
    assert page_times and max(page_times) < 1.0, page_times
    assert len(_render_children()) <= 2
    png = typesetting.render_notice_png("遗失声明", "陈小明遗失购房收据，特此声明。", settings, dpi=72)
    assert png.startswith(b"\x89PNG")


def test_huge_input_is_refused_before_any_work():
    started = time.monotonic()
    with pytest.raises(typesetting.InputTooLarge) as raised:
        typesetting.render_notice_pdf("遗失声明", "字" * 1_000_000, typesetting.LayoutSettings())
    assert time.monotonic() - started < 0.5
    assert "公告过长" in str(raised.value)


def test_form_shows_the_render_error_instead_of_a_500(sqlite_app, monkeypatch):
    """The preview render runs out of time: the form says so (Chinese), keeps what was typed,
    offers no confirmation, stores nothing; once renders work again the same form goes through."""
    real = typesetting.render_notice_png
    monkeypatch.setattr(typesetting, "render_notice_png",
                        functools.partial(real, limits=typesetting.RenderLimits(timeout_s=0.001)))
    client = sqlite_app.test_client()
    checked, confirm = previewed(client, "lost-document", "document", DOCUMENT, CONTACT_FORM)
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "排版预览未能生成：排版超时" in html
    assert "确认提交" not in html and 'value="陈小明"' in html
    assert notice_count(sqlite_app) == 0
    monkeypatch.setattr(typesetting, "render_notice_png", real)
    checked, confirm = previewed(client, "lost-document", "document", DOCUMENT, CONTACT_FORM)
    assert "确认提交" in checked.get_data(as_text=True)
    assert client.post(form_url("lost-document", "document"), data=confirm).status_code == 303


def test_api_answers_a_render_failure_with_503_in_chinese(app, api_key, monkeypatch):
    def fail(*_args, **_kwargs):
        raise typesetting.RenderTimeout("排版超出处理时间限制，已中止。")
    monkeypatch.setattr(typesetting, "set_notice", fail)
    response = app.test_client().post("/api/v1/notices", json=api_payload(), headers=auth(api_key, "render-fail-1"))
    assert response.status_code == 503
    assert response.get_json()["error"] == {"code": "render_failed",
                                            "message": "排版失败：排版超出处理时间限制，已中止。"}
    assert notice_count(app) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_proof_over_its_render_limit_is_stopped_answered_503_and_pages_keep_being_served(
        database_url, monkeypatch):
    """The proof of publication renders in the engine's workers under a time limit
    (press/proof.py PROOF_LIMITS), not in the web process: one that runs past it is stopped at
    the limit and the advertiser gets a 503 in Chinese saying to try later, while other pages
    answer within 1 s; the next proof renders normally."""
    import press.proof
    from store.models import IssuedProof, PublishedNotice
    from tests.support.desk import (
        LICENCE,
        approve_pay_schedule,
        desk_app,
        editor_client,
        on_issue_day,
        secret,
        submit as desk_submit,
    )

    app = desk_app(database_url)
    editor = editor_client(app, "admin1", role="admin")
    reference = desk_submit(app, LICENCE)
    approve_pay_schedule(app, editor, reference)
    day = "2026-11-27"
    assert editor.post(f"/desk/issues/{day}/export").status_code == 200
    on_issue_day(app)
    assert editor.post(f"/desk/issues/{day}/publish", data={"confirm": "1"}).status_code == 303
    proof_url = f"/status/{reference}/{secret(app, reference)}/proof.pdf"
    client = app.test_client()
    assert client.get(proof_url).status_code == 200      # the workers are up: what follows is the render
    # That proof is now issued and kept (served as issued from now on): forget it, so that the
    # next download renders the proof again.
    db = app.extensions["notice_db"]
    with db.write() as s:
        s.execute(delete(IssuedProof))
    # A snapshot whose text WeasyPrint takes tens of seconds over (some 200 000 characters).
    with db.write() as s:
        snapshot = s.scalar(select(PublishedNotice).where(PublishedNotice.reference == reference))
        printed = snapshot.printed_text
        snapshot.printed_text = printed * (200_000 // len(printed))
    limit = typesetting.RenderLimits(timeout_s=1.5)
    monkeypatch.setattr(press.proof, "PROOF_LIMITS", limit)
    outcome: dict = {}

    def download():
        started = time.monotonic()
        outcome["response"] = app.test_client().get(proof_url)
        outcome["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=download)
    worker.start()
    page_times = _page_times_while(worker, client)
    response = outcome["response"]
    assert response.status_code == 503, response.status_code
    page = response.get_data(as_text=True)
    assert "见报证明暂时未能生成" in page and "排版超时" in page and "已中止" in page
    assert response.headers["Retry-After"].isdigit()
    # Stopped at its limit (plus rendering the template, and killing the worker).
    assert outcome["seconds"] < limit.timeout_s + 3.0, outcome
    assert page_times and max(page_times) < 1.0, page_times
    assert len(_render_children()) <= 2
    monkeypatch.undo()
    with db.write() as s:
        s.scalar(select(PublishedNotice).where(PublishedNotice.reference == reference)).printed_text = printed
    proof = client.get(proof_url)
    assert proof.status_code == 200 and proof.data.startswith(b"%PDF")
    db.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_issue_pages_images_render_under_the_workers_limits(database_url, monkeypatch):
    """The desk's page images (PDF -> PNG) are a job of the render workers, under their limits
    (press/column.py PAGE_IMAGE_LIMITS): one stopped there leaves the issue page up, with the
    column and a message instead of the images, and the next view shows them."""
    import press.column
    from tests.support.desk import ISSUE, approve_pay_schedule, desk_app, editor_client, submit as desk_submit

    app = desk_app(database_url)
    editor = editor_client(app)
    reference = desk_submit(app)
    approve_pay_schedule(app, editor, reference)
    monkeypatch.setattr(press.column, "PAGE_IMAGE_LIMITS", typesetting.RenderLimits(timeout_s=0.001))
    page = editor.get(f"/desk/issues/{ISSUE.isoformat()}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "版面预览图未能生成" in html and reference in html and 'alt="第 1 页版面预览"' not in html
    monkeypatch.undo()
    html = editor.get(f"/desk/issues/{ISSUE.isoformat()}").get_data(as_text=True)
    assert "版面预览图未能生成" not in html
    assert '<img src="data:image/png;base64,' in html and 'alt="第 1 页版面预览"' in html
    app.extensions["notice_db"].dispose()


# ---------------------------------------------------------------------------------------------
# A full disk during a submission

@contextlib.contextmanager
def sqlite_full(app):
    """Every new page the app's writes need is refused: PRAGMA max_page_count = the current size.
    SQLite then fails the statement with SQLITE_FULL, its full-disk error (the pager takes the same
    path when the file system says ENOSPC). The write connections are reopened with the limit."""
    db = app.extensions["notice_db"]
    state = {"on": True}

    def on_connect(dbapi_connection, _record):
        if state["on"]:
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    db.dispose()
    event.listen(db.write_engine, "connect", on_connect)
    try:
        yield
    finally:
        state["on"] = False
        event.remove(db.write_engine, "connect", on_connect)
        db.dispose()


def test_disk_full_sqlite_form_shows_503_keeps_the_draft_and_writes_nothing(sqlite_app):
    """SQLITE_FULL after the notice row was written but before its revision fit: the form is shown
    again with everything typed and the Chinese 503 message, no receipt, nothing stored; with
    room again, the same confirmation goes through once."""
    client = sqlite_app.test_client()
    text_value = long_text()
    checked, confirm = previewed(client, "lost-document", "document", DOCUMENT, CONTACT_FORM, text=text_value)
    assert "确认提交" in checked.get_data(as_text=True)
    url = form_url("lost-document", "document")
    with sqlite_full(sqlite_app):
        full = client.post(url, data=confirm)
    html = full.get_data(as_text=True)
    assert full.status_code == 503 and full.headers["Retry-After"]
    assert SAVE_MESSAGE in html and "公告已受理" not in html and "Traceback" not in html
    assert text_value[:200] in html and 'value="陈小明"' in html and 'value="13800138000"' in html
    assert notice_count(sqlite_app) == 0 and count_rows(sqlite_app.config["DATABASE_URL"], "audit_log") == 0
    assert consistency_problems(sqlite_app.config["DATABASE_URL"]) == []
    again = client.post(url, data=confirm)
    assert again.status_code == 303 and "/receipt/" in again.headers["Location"]
    assert client.post(url, data=confirm).status_code == 303          # a double click: still one
    assert notice_count(sqlite_app) == 1


def test_disk_filling_up_sqlite_api_answers_503_and_keeps_everything_acknowledged(sqlite_app):
    """Submissions until the disk is full: every 201 is stored, the one that hit the full disk got
    a JSON 503 telling the client to retry with the same key, nothing is half-written; the retry
    succeeds once there is room again."""
    with sqlite_app.app_context():
        key = create_api_key(sqlite_app.extensions["notice_db"], "故障测试")
    client = sqlite_app.test_client()
    url = sqlite_app.config["DATABASE_URL"]
    acknowledged = []
    with sqlite_full(sqlite_app):
        for n in range(300):
            response = client.post("/api/v1/notices", json=api_payload(n), headers=auth(key, f"fill-{n:04d}"))
            if response.status_code != 201:
                break
            acknowledged.append(f"fill-{n:04d}")
        failed = f"fill-{n:04d}"
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.headers["Retry-After"]
        assert response.get_json()["error"]["code"] == "storage_unavailable"
        assert "Idempotency-Key" in response.get_json()["error"]["message"]
    stored = {k.split(":", 2)[2] for k in stored_keys(url, "api:%:fill-%")}
    assert stored == set(acknowledged) and failed not in stored
    assert consistency_problems(url) == []
    retry = client.post("/api/v1/notices", json=api_payload(n), headers=auth(key, failed))
    assert retry.status_code == 201
    assert notice_count(sqlite_app) == len(acknowledged) + 1


PG_DISK_FULL_TRIGGER = """
CREATE FUNCTION gg_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'could not extend file "base/16384/16385": No space left on device'
    USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
END $$;
CREATE TRIGGER gg_test_disk_full BEFORE INSERT ON notice_revisions
  FOR EACH ROW EXECUTE FUNCTION gg_test_disk_full();
"""


@contextlib.contextmanager
def postgresql_disk_full_error(url):
    """PostgreSQL's answer to ENOSPC on a data file is SQLSTATE 53100 (disk_full) for the statement
    that needed the space; raised here by a trigger on the revision insert, i.e. after the notice
    row of the same transaction was written. (No PRAGMA limits a PostgreSQL table's size; the real
    full disk is test_real_full_disk below, which needs root to mount a small tmpfs.)"""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(PG_DISK_FULL_TRIGGER)
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER gg_test_disk_full ON notice_revisions; "
                                 "DROP FUNCTION gg_test_disk_full()")
        engine.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_disk_full_postgresql_answers_503_and_rolls_the_notice_back(app, api_key):
    client = app.test_client()
    url = app.config["DATABASE_URL"]
    checked, confirm = previewed(client, "lost-document", "document", DOCUMENT, CONTACT_FORM)
    with postgresql_disk_full_error(url):
        page = client.post(form_url("lost-document", "document"), data=confirm)
        api = client.post("/api/v1/notices", json=api_payload(), headers=auth(api_key, "pg-full-1"))
    assert page.status_code == 503 and SAVE_MESSAGE in page.get_data(as_text=True)
    assert 'value="陈小明"' in page.get_data(as_text=True)
    assert api.status_code == 503 and api.get_json()["error"]["code"] == "storage_unavailable"
    assert notice_count(app) == 0 and consistency_problems(url) == []
    assert client.post(form_url("lost-document", "document"), data=confirm).status_code == 303
    assert client.post("/api/v1/notices", json=api_payload(), headers=auth(api_key, "pg-full-1")).status_code == 201
    assert notice_count(app) == 2 and consistency_problems(url) == []


# -- a real full file system: a small tmpfs (root only) ---------------------------------------

@pytest.fixture
def tiny_disk():
    """A 2 MB tmpfs under /tmp, readable by the postgres user; skipped where we may not mount."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a real full disk needs root to mount a small tmpfs")
    path = Path(tempfile.mkdtemp(prefix="gg-tiny-disk-"))
    path.chmod(0o755)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0777", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        path.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
        with contextlib.suppress(OSError):
            path.rmdir()


def fill_disk(path: Path, leave_bytes: int) -> Path:
    filler = path / "filler"
    free = os.statvfs(path).f_bavail * os.statvfs(path).f_frsize
    with open(filler, "wb") as fh:
        fh.write(b"\0" * max(0, free - leave_bytes))
    return filler


@pytest.fixture(params=["sqlite", "postgresql"])
def database_on_tiny_disk(request, tiny_disk, sqlite_template):
    """A migrated database whose files live on the tiny disk: SQLite's file (and its WAL), or a
    PostgreSQL schema whose tables and indexes are in a tablespace there."""
    if request.param == "sqlite":
        shutil.copy(sqlite_template, tiny_disk / "notices.db")
        yield f"sqlite:///{tiny_disk / 'notices.db'}"
        return
    try:
        pg_user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no local postgres user to own the tablespace directory")
    location = tiny_disk / "tablespace"
    location.mkdir()
    os.chown(location, pg_user.pw_uid, pg_user.pw_gid)
    name = f"gg_tiny_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_BASE_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE TABLESPACE {name} LOCATION '{location}'")
    except Exception as exc:   # noqa: BLE001 - e.g. the server runs on another machine
        admin.dispose()
        pytest.skip(f"cannot create a tablespace on the tiny disk: {exc}")
    from store import migrate
    try:
        with migrate.postgres_schema(PG_BASE_URL, "t", options=f"-cdefault_tablespace={name}") as url:
            yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP TABLESPACE {name}")
        admin.dispose()


def test_real_full_disk_answers_503_writes_nothing_and_recovers(database_on_tiny_disk, tiny_disk):
    """The file system itself is full (ENOSPC), not a simulation: SQLite's WAL or PostgreSQL's
    table files cannot grow. Every acknowledged notice is stored, the failing one not at all, the
    API says 503 in Chinese; after space is freed the retry with the same key is stored once."""
    url = database_on_tiny_disk
    app = make_app(url)
    try:
        with app.app_context():
            key = create_api_key(app.extensions["notice_db"], "故障测试")
        client = app.test_client()
        filler = fill_disk(tiny_disk, leave_bytes=64 * 1024)
        acknowledged, response = [], None
        for n in range(200):
            response = client.post("/api/v1/notices", json=api_payload(n), headers=auth(key, f"enospc-{n:04d}"))
            if response.status_code != 201:
                break
            acknowledged.append(f"enospc-{n:04d}")
        assert response is not None and response.status_code == 503, response.get_data(as_text=True)[:500]
        assert response.get_json()["error"]["code"] == "storage_unavailable"
        failed = f"enospc-{n:04d}"
        filler.unlink()
        app.extensions["notice_db"].dispose()
        stored = {k.split(":", 2)[2] for k in stored_keys(url, "api:%:enospc-%")}
        assert stored == set(acknowledged)
        assert consistency_problems(url) == []
        retry = client.post("/api/v1/notices", json=api_payload(n), headers=auth(key, failed))
        assert retry.status_code == 201
        assert count_rows(url, "notices") == len(acknowledged) + 1
    finally:
        app.extensions["notice_db"].dispose()


def test_sqlite_writers_queue_on_a_file_lock(tmp_path):
    """Writers wait for each other on flock() (woken as soon as the lock is free), not in
    SQLite's polling busy handler; the lock is held exactly for the write transaction."""
    import fcntl

    from store import migrate
    from store.db import Database
    url = f"sqlite:///{tmp_path / 'q.db'}"
    migrate.upgrade(url)
    db = Database(url)
    lock_file = tmp_path / "q.db-writers.lock"

    def try_lock() -> bool:
        with open(lock_file, "a+b") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return True

    with db.write() as s:
        s.execute(text("SELECT 1"))
        assert not try_lock()          # a second writer would wait here
    assert try_lock()
    with pytest.raises(RuntimeError):
        with db.write():
            raise RuntimeError("a failed transaction")
    assert try_lock()                  # released on failure too
    db.dispose()
