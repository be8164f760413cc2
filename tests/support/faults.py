"""Helpers of tests/app/test_faults.py: the kill -9 storm, a full disk, database checks.

The storm runs in a process of its own (`python -m tests.support.faults storm …`): it imports the
app's store once, then forks writer processes from that single-threaded process (a fork is
cheap, so a writer killed with SIGKILL is back within milliseconds) and kills them at random.
Each writer submits notices through store.workflow.submit_notice and, after each commit,
appends "index created" to its acknowledgement file (O_APPEND, one write() per line: a line is
either there or not). A restarted writer resumes at the first unacknowledged index with the same
submission key - the client retry of docs/reliability.md - so a notice committed just before a kill
is found again instead of stored twice.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

STORM_PREFIX = "storm"


# ---------------------------------------------------------------------------------------------
# The storm

def _sample_result():
    """One checked notice; every writer submits it under its own keys (the content is not the point)."""
    from datetime import date

    from notices.checks import check_notice
    result = check_notice("lost-document", {"variant": "document", "holder": "陈小明", "document_name": "购房收据",
                                            "document_number": "0012345"},
                          None, date(2026, 11, 28), require_open=False)
    assert result.ok, result.errors
    return result


def read_acks(path: Path) -> dict[int, bool]:
    """index -> created (False: the retry found the notice committed before a kill)."""
    acks = {}
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0].isdigit():
                acks[int(parts[0])] = parts[1] == "1"
    return acks


def _warm_database(url: str, result):
    """A Database whose statements are compiled and whose pool is empty: a forked writer inherits
    the compiled SQL (starts in milliseconds) and opens connections of its own (none are shared)."""
    from store.db import Database
    from store.workflow import Advertiser, submit_notice
    db = Database(url)
    submit_notice(db, result, Advertiser("风暴测试", "13800138000"), f"{STORM_PREFIX}-warmup", lines=2,
                  price_cents=15000, author="storm")
    db.dispose()
    return db


def _writer(db, number: int, ack_path: Path, result) -> None:
    from store.workflow import Advertiser, submit_notice
    acks = read_acks(ack_path)
    index = max(acks) + 1 if acks else 0
    fd = os.open(ack_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    advertiser = Advertiser("风暴测试", "13800138000")
    while True:
        submitted = submit_notice(db, result, advertiser, f"{STORM_PREFIX}:{number}:{index}", lines=2,
                                  price_cents=15000, author="storm")
        os.write(fd, f"{index} {1 if submitted.created else 0}\n".encode())   # acknowledged: after commit
        index += 1


def _fork_writer(db, number: int, out: Path, result) -> int:
    pid = os.fork()
    if pid == 0:   # the child: never return into the parent's code, never run its atexit handlers
        code = 0
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _writer(db, number, out / f"writer-{number}.acks", result)
        except BaseException:   # noqa: BLE001 - report and leave
            import traceback
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    return pid


def storm(url: str, out: Path, writers: int, seconds: float, seed: int) -> dict:
    result = _sample_result()
    rnd = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    db = _warm_database(url, result)
    pids = {n: _fork_writer(db, n, out, result) for n in range(writers)}
    kills = crashed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(rnd.uniform(0.01, 0.12))
        n = rnd.randrange(writers)
        os.kill(pids[n], signal.SIGKILL)
        _, status = os.waitpid(pids[n], 0)
        if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            crashed += 1      # the writer had died on its own (an error): the test fails on this
        kills += 1
        pids[n] = _fork_writer(db, n, out, result)
    for pid in pids.values():   # the last kill of each writer lands mid-flight as well
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        kills += 1
    return {"kills": kills, "crashed": crashed}


def run_storm(url: str, out: Path, *, writers: int = 4, seconds: float = 3.0, seed: int = 1) -> dict:
    """Run the storm in its own process (the test process may have threads: no fork there)."""
    import subprocess
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-m", "tests.support.faults", "storm", "--url", url, "--out", str(out),
                           "--writers", str(writers), "--seconds", str(seconds), "--seed", str(seed)],
                          cwd=str(root), capture_output=True, text=True, timeout=seconds + 60,
                          env={**os.environ, "PYTHONPATH": str(root)})
    if proc.returncode != 0:
        raise AssertionError(f"storm failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    report["stderr"] = proc.stderr[-3000:]
    return report


def storm_verdict(url: str, out: Path, writers: int) -> dict:
    """What the storm left: per writer, acknowledged ⊆ stored, no gap, at most the final in-flight
    submission committed unacknowledged; plus consistency_problems(). problems == []: all good."""
    stored = stored_keys(url, f"{STORM_PREFIX}:%:%")
    verdict: dict[str, Any] = {"acknowledged": 0, "stored": len(stored), "replays": 0, "committed_unacknowledged": 0,
               "problems": []}
    for number in range(writers):
        acks = read_acks(out / f"writer-{number}.acks")
        indexes = {int(k.rsplit(":", 1)[1]) for k in stored if k.split(":")[1] == str(number)}
        if not set(acks) <= indexes:
            verdict["problems"].append(f"writer {number}: acknowledged but not stored: {sorted(set(acks) - indexes)}")
        if indexes != set(range(len(indexes))):
            verdict["problems"].append(f"writer {number}: a gap in {sorted(indexes)}")
        if len(indexes) - len(acks) > 1:
            verdict["problems"].append(f"writer {number}: {len(indexes) - len(acks)} committed unacknowledged")
        verdict["acknowledged"] += len(acks)
        verdict["replays"] += sum(1 for created in acks.values() if not created)
        verdict["committed_unacknowledged"] += len(indexes) - len(acks)
    verdict["problems"] += consistency_problems(url)
    return verdict


# ---------------------------------------------------------------------------------------------
# Database checks shared by the fault tests

def consistency_problems(url: str) -> list[str]:
    """What a half-written submission would leave behind; [] when the store is consistent.

    Every notice has exactly one revision and one "submit" audit entry, no revision or audit
    entry points at a missing notice, the audit hash chain verifies; on SQLite also
    PRAGMA integrity_check and foreign_key_check.
    """
    from sqlalchemy.orm import Session

    from store.audit import verify_audit_chain
    from store.db import normalise_url
    from store.models import AuditEntry, Notice, NoticeRevision
    problems = []
    engine = create_engine(normalise_url(url))
    try:
        with Session(engine) as s:
            notices = s.scalar(select(func.count()).select_from(Notice))
            revisions = s.execute(select(NoticeRevision.notice_id, func.count())
                                  .group_by(NoticeRevision.notice_id)).all()
            if len(revisions) != notices or any(n != 1 for _, n in revisions):
                problems.append(f"{notices} notices but revisions per notice {sorted({n for _, n in revisions})} "
                                f"over {len(revisions)} notices")
            orphans = s.scalar(select(func.count()).select_from(NoticeRevision)
                               .where(~NoticeRevision.notice_id.in_(select(Notice.id))))
            if orphans:
                problems.append(f"{orphans} revisions without a notice")
            submits = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "submit"))
            if submits != notices:
                problems.append(f"{notices} notices but {submits} 'submit' audit entries")
            broken = verify_audit_chain(s)
            if broken:
                problems.append(f"audit chain broken at entries {broken[:10]}")
            if engine.dialect.name == "sqlite":
                check = [r[0] for r in s.execute(text("PRAGMA integrity_check"))]
                if check != ["ok"]:
                    problems.append(f"integrity_check: {check[:5]}")
                fk = s.execute(text("PRAGMA foreign_key_check")).all()
                if fk:
                    problems.append(f"foreign_key_check: {fk[:5]}")
    finally:
        engine.dispose()
    return problems


def stored_keys(url: str, like: str) -> dict[str, str]:
    """submission_key -> reference, for keys LIKE the pattern."""
    from store.db import normalise_url
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT submission_key, reference FROM notices WHERE submission_key LIKE :p"),
                                     {"p": like}).all())
    finally:
        engine.dispose()


def count_rows(url: str, table: str) -> int:
    from store.db import normalise_url
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# The advertiser's web form, driven the way a browser without JavaScript does

def form_url(code: str, variant: str | None = None) -> str:
    return f"/submit/{code}" + (f"?variant={variant}" if variant else "")


def hidden(html: str, name: str) -> str:
    import html as html_lib
    import re
    m = (re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
         or re.search(rf'value="([^"]*)"[^>]*name="{name}"', html))
    return html_lib.unescape(m.group(1)) if m else ""


def textarea(html: str, name: str = "text") -> str:
    import html as html_lib
    import re
    m = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    if not m:
        return ""
    value = html_lib.unescape(m.group(1))
    return value[2:] if value.startswith("\r\n") else value[1:] if value.startswith("\n") else value


def previewed(client, code: str, variant: str | None, fields: dict, contact: dict, *, text: str | None = None,
              publication_date: str = "2026-11-28"):
    """GET the form, POST action=check; returns (check response, the data a confirm would post)."""
    url = form_url(code, variant)
    page = client.get(url).get_data(as_text=True)
    data = {k: v for k, v in fields.items() if k != "variant"}
    data.update(contact, publication_date=publication_date, submission_key=hidden(page, "submission_key"),
                action="check")
    if text is not None:
        data["text"] = text
    checked = client.post(url, data=data)
    html = checked.get_data(as_text=True)
    confirm = dict(data, action="confirm", preview_token=hidden(html, "preview_token"),
                   composed_hash=hidden(html, "composed_hash"), text=textarea(html),
                   submission_key=hidden(html, "submission_key") or data["submission_key"])
    return checked, confirm


def field_errors(html: str) -> dict[str, list[str]]:
    """Error messages shown next to each input: input name -> messages. An input's block starts at
    its data-field="NAME" (or its section's id="f-NAME") and ends where the next one starts; the
    summary at the top of the page is before the first block, so it is not counted."""
    import html as html_lib
    import re
    out: dict[str, list[str]] = {}
    markers = list(re.finditer(r'(?:data-field="([^"]+)"|id="f-([^"]+)")', html))
    for marker, following in zip(markers, markers[1:] + [None], strict=True):
        name = marker.group(1) or marker.group(2)
        block = html[marker.end():following.start() if following else len(html)]
        messages = re.findall(r'<p class="error-message"[^>]*>(.*?)</p>', block, re.S)
        if messages:
            out.setdefault(name, []).extend(html_lib.unescape(x) for x in messages)
    return out


def load_bench():
    """benchmarks/bench_load.py as a module (gunicorn launcher and HTTP client shared with the tests)."""
    import importlib.util
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_load.py"
    name = "bench_load"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("storm")
    p.add_argument("--url", required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--writers", type=int, default=4)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--verify", action="store_true", help="check the database afterwards and print the verdict "
                   "(the long version of tests/app/test_faults.py's storm: e.g. --seconds 60)")
    args = parser.parse_args(argv)
    report = storm(args.url, args.out, args.writers, args.seconds, args.seed)
    if args.verify:
        report.update(storm_verdict(args.url, args.out, args.writers))
    print(json.dumps(report, ensure_ascii=False))
    return 1 if report.get("problems") else 0


if __name__ == "__main__":
    sys.exit(main())
