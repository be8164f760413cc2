"""kill -9 storm through the real server: gunicorn's processes killed while agencies submit.

    .venv/bin/python benchmarks/storm_kill9.py                     # both databases, 500 kills each
    .venv/bin/python benchmarks/storm_kill9.py --db sqlite --kills 50

Not part of `make test` (tests/app/test_faults.py has a 2.5-second version of it). What runs
(loopback only; bounded in time; stops by itself and cleans up, also on Ctrl-C):
- gunicorn as deployed (deploy/gunicorn.conf.py: its workers, threads and hooks; rate limits in
  Redis, redis://127.0.0.1:6379) on a free loopback port, against a new database: a SQLite file in
  a temporary directory, or a PostgreSQL schema of its own in the `test` database (dropped
  afterwards). The app's settings are those of benchmarks/bench_load.py (APP_ENV is not
  production: that needs a Redis password and a TLS front this loopback run has no use for).
- --clients threads submit 遗失声明 through POST /api/v1/notices, each with an Idempotency-Key of
  its own, back to back. A request that gets no answer (its worker was killed), a 5xx or a 429 is
  sent again with the same key, until a 2xx answers it - what docs/reliability.md asks of an
  agency's client.
- A killer sends SIGKILL, at random intervals, to a random gunicorn worker that holds a client's
  connection at that moment (so the kill lands on a request in flight, or between two requests
  of a keep-alive connection) while at least --min-serving workers do, and now and then
  (--master-every) to the master. A killed master
  is handled much as a supervisor (systemd) does: its orphaned workers finish the requests they
  hold (gunicorn's own behaviour when its parent is gone), stragglers are killed, and gunicorn is
  started again on the same port.
- The storm ends at --kills kills or after --seconds; no new submission starts after it, and the
  clients have --grace seconds to get their last submission acknowledged.

Then, with the server stopped: every acknowledged Idempotency-Key has exactly one notice, the one
its answer named, with the text the answer named; every stored notice belongs to a key a client
sent; no key has two notices; each notice has its one revision and its 'submit' audit entry, the
audit chain verifies, and on SQLite PRAGMA integrity_check and foreign_key_check pass
(tests/support/faults.py consistency_problems, the same checks as the fault tests).

Figures per database: kills (workers with a client connection, master), requests cut, answers
by status, acknowledged (201, and 200 = a retry that found its notice committed before the kill),
stored, committed-but-unacknowledged, duplicates, time. Exit status 1 on any violation, or when
the storm ended (--seconds) before --kills kills.

Why the storm takes minutes, not seconds: each killed worker is replaced by one that loads the
app (~0.85 s of CPU) and starts its two render processes (~0.7 s each, post_worker_init in
deploy/gunicorn.conf.py): ~2.2 s of CPU a kill, measured on a 2-core machine, and a killed master
restarts all of them. Killing faster than that only kills workers still starting, which serve no
request and test nothing, and stops the submissions; so the killer waits for serving workers
and the kill rate is what the machine can restart: 0.5 kills/s, 500 kills in 16-18 minutes per
database, on a 2-core machine that others kept busy (load average ~20).
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import bench_load as bench  # noqa: E402 - the gunicorn launcher, loopback addresses and notices of the load benchmark

RUN_MARK = "STORM_KILL9_RUN"     # environment variable set on every process this script starts
ADDRESS_BUDGET = 200             # requests per source address: under the API's 300/minute per address


# ---------------------------------------------------------------------------------------------
# The server: gunicorn as deployed, restarted on the same port when its master is killed

class Gunicorn:
    def __init__(self, database_url: str, workdir: Path, run_id: str):
        self.database_url, self.workdir, self.run_id = database_url, workdir, run_id
        self.port = bench.free_port()
        self.process: subprocess.Popen | None = None
        self.groups: list[int] = []          # process group of every gunicorn started (its master's pid)
        self.starts = 0

    def start(self, timeout: float = 180) -> None:
        log = open(self.workdir / f"gunicorn-{self.starts}.log", "wb")
        env = {**bench.server_env(self.database_url, self.port), RUN_MARK: self.run_id}
        self.process = subprocess.Popen(
            [str(bench.VENV_BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "app:create_app()"],
            cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.groups.append(self.process.pid)
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                # gunicorn retries a busy port itself (5 x 1 s); an orphan may still hold it.
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: "
                                   f"{self.log_tail()}")
            if self._serves():
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not serve within {timeout} s: {self.log_tail()}")

    def _serves(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request("GET", "/api/v1/issue-dates")
            return conn.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def log_tail(self) -> str:
        path = self.workdir / f"gunicorn-{self.starts - 1}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def worker_pids(self) -> list[int]:
        if self.process is None or self.process.poll() is not None:
            return []
        return bench.Server(self.process, self.port, Path()).worker_pids()

    def serving_workers(self) -> list[int]:
        """Workers holding at least one established connection on our port (a request in flight,
        or a keep-alive connection between two requests)."""
        inodes = established_inodes(self.port)
        serving = []
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                for fd in os.scandir(f"/proc/{pid}/fd"):
                    with contextlib.suppress(OSError):
                        link = os.readlink(fd.path)
                        if link.startswith("socket:[") and int(link[8:-1]) in inodes:
                            serving.append(pid)
                            break
        return serving

    def kill_master_and_restart(self, wait: float) -> int:
        """SIGKILL the master; let its orphaned workers finish their requests (they notice the
        parent is gone within a second and stop accepting), kill what is left after `wait`
        seconds, start gunicorn again on the same port. Returns the stragglers killed."""
        assert self.process is not None     # start() ran
        group = self.process.pid
        self.process.kill()
        self.process.wait()
        deadline = time.monotonic() + wait
        while group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.1)
        stragglers = 0
        if group_alive(group):
            stragglers = len(group_members(group))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        self.start()
        return stragglers

    def stop(self) -> None:
        """Quick shutdown (SIGINT), then SIGKILL to every process group started and to every
        process still carrying this run's mark (render processes run in sessions of their own)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=20)
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)


def established_inodes(port: int) -> set[int]:
    """Socket inodes of ESTABLISHED TCP connections whose local port is `port` (/proc/net/tcp)."""
    inodes = set()
    wanted = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            with open(table) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[1].endswith(wanted) and parts[3] == "01":
                        inodes.add(int(parts[9]))
    return inodes


def group_members(group: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == group:
                    members.append(int(entry.name))
    return members


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return bool([p for p in group_members(group) if not _zombie(p)])


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def marked_processes(run_id: str) -> list[int]:
    """Live processes carrying this run's mark in their environment (started by this script)."""
    needle = f"{RUN_MARK}={run_id}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if needle in (entry / "environ").read_bytes().split(b"\0") and not _zombie(int(entry.name)):
                    found.append(int(entry.name))
    return found


def kill_marked(run_id: str, wait: float = 0.0) -> int:
    """SIGKILL this run's processes still running after `wait` seconds; returns how many."""
    deadline = time.monotonic() + wait
    while marked_processes(run_id) and time.monotonic() < deadline:
        time.sleep(0.2)
    pids = marked_processes(run_id)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    return len(pids)


# ---------------------------------------------------------------------------------------------
# The clients

@dataclass
class ClientLog:
    attempted: list[str] = field(default_factory=list)      # Idempotency-Keys, in order
    acknowledged: dict = field(default_factory=dict)        # key -> (status, reference, text_hash)
    interrupted: set = field(default_factory=set)           # keys with a request cut, a 5xx or a 429
    gave_up: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)       # 4xx other than 429: a violation
    requests: int = 0
    cut: int = 0                                            # requests sent that got no answer
    refused: int = 0                                        # connections refused (no gunicorn listening)
    errors: list[str] = field(default_factory=list)         # the client itself failed: a violation
    statuses: Counter = field(default_factory=Counter)


class Clients:
    def __init__(self, port: int, api_key: str, count: int, run_id: str, seed: int):
        self.port, self.api_key, self.run_id = port, api_key, run_id
        self.logs = [ClientLog() for _ in range(count)]
        # A random block of addresses: those of an earlier run (or the other database's) still have
        # their requests of the last minute counted in Redis.
        self.addresses = bench.AddressPool(None)
        self.address_lock = threading.Lock()
        self.storm_over = threading.Event()       # no new submissions after this
        self.give_up_at = float("inf")            # monotonic time: stop retrying
        self.threads = [threading.Thread(target=self._run, args=(i, random.Random(seed * 1000 + i)),
                                         name=f"client-{i}", daemon=True) for i in range(count)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def _address(self) -> str:
        with self.address_lock:
            return self.addresses.take()

    def _run(self, number: int, rnd: random.Random) -> None:
        try:
            self._submit(number, rnd)
        except Exception as exc:  # noqa: BLE001 - reported as a violation, not lost with the thread
            self.logs[number].errors.append(repr(exc))

    def _submit(self, number: int, rnd: random.Random) -> None:
        log = self.logs[number]
        conn, used = None, ADDRESS_BUDGET
        serial = 0
        while not self.storm_over.is_set():
            serial += 1
            key = f"storm-{self.run_id}-{number}-{serial}"
            body = json.dumps(bench.notice_body(rnd, number * 1_000_000 + serial), ensure_ascii=False).encode()
            headers = {"Authorization": f"Bearer {self.api_key}", "Idempotency-Key": key,
                       "Content-Type": "application/json"}
            log.attempted.append(key)
            while True:
                if used >= ADDRESS_BUDGET:     # a fresh loopback address: the per-address limit is never hit
                    if conn is not None:
                        conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=90,
                                                      source_address=(self._address(), 0))
                    used = 0
                assert conn is not None         # made above on the first pass (used starts at the budget)
                used += 1
                log.requests += 1
                try:
                    conn.request("POST", "/api/v1/notices", body, headers)
                    response = conn.getresponse()
                    payload = response.read()
                    status = response.status
                except ConnectionRefusedError:       # between a killed master and its restart
                    log.refused += 1
                    log.interrupted.add(key)
                    conn.close()
                    status = None
                except (OSError, http.client.HTTPException):
                    log.cut += 1
                    log.interrupted.add(key)
                    conn.close()
                    status = None
                if status is not None:
                    log.statuses[status] += 1
                    if response.will_close:
                        conn.close()
                    if 200 <= status < 300:
                        data = json.loads(payload)
                        log.acknowledged[key] = (status, data["reference"], data.get("text_hash"))
                        break
                    if status != 429 and status < 500:
                        log.rejected.append(f"{key}: {status} {payload[:200].decode(errors='replace')}")
                        break
                    log.interrupted.add(key)
                if time.monotonic() > self.give_up_at:
                    log.gave_up.append(key)
                    break
                time.sleep(rnd.uniform(0.02, 0.2))   # the same key again, after a moment
        if conn is not None:
            conn.close()


# ---------------------------------------------------------------------------------------------
# The killer

@dataclass
class Storm:
    worker_kills: int = 0
    master_kills: int = 0
    stragglers: int = 0          # orphaned workers still running `wait` seconds after their master died
    idle_ticks: int = 0          # ticks when fewer than --min-serving workers held a connection: no kill
    seconds: float = 0.0

    @property
    def kills(self) -> int:
        return self.worker_kills + self.master_kills


def run_storm(server: Gunicorn, args, stop: threading.Event) -> Storm:
    storm = Storm()
    rnd = random.Random(args.seed)
    started = time.monotonic()
    deadline = started + args.seconds
    while storm.kills < args.kills and time.monotonic() < deadline and not stop.is_set():
        time.sleep(rnd.uniform(0, 2 * args.interval))
        serving = server.serving_workers()
        if len(serving) < args.min_serving:
            storm.idle_ticks += 1
            continue
        # Drawn per kill, not per tick: most ticks find too few workers serving and kill nothing.
        if args.master_every and rnd.random() < 1 / args.master_every:
            storm.stragglers += server.kill_master_and_restart(wait=args.master_wait)
            storm.master_kills += 1
            continue
        with contextlib.suppress(ProcessLookupError):
            os.kill(rnd.choice(serving), signal.SIGKILL)
            storm.worker_kills += 1
    storm.seconds = time.monotonic() - started
    return storm


# ---------------------------------------------------------------------------------------------
# The verdict

def stored_notices(url: str, run_id: str) -> list[tuple[str, str, str]]:
    """(submission key, reference, text hash of its revision 1) of every notice of this run."""
    from sqlalchemy import create_engine, text

    from store.db import normalise_url
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT n.submission_key, n.reference, r.text_hash FROM notices n "
                "LEFT JOIN notice_revisions r ON r.notice_id = n.id AND r.number = 1 "
                "WHERE n.submission_key LIKE :p"), {"p": f"api:%:storm-{run_id}-%"})]
    finally:
        engine.dispose()


def verdict(url: str, run_id: str, logs: list[ClientLog]) -> tuple[dict, list[str]]:
    from tests.support.faults import consistency_problems  # the fault tests' checks: one definition

    rows = stored_notices(url, run_id)
    per_key = Counter(key.split(":", 2)[2] for key, _, _ in rows)
    stored = {key.split(":", 2)[2]: (ref, text_hash) for key, ref, text_hash in rows}
    acknowledged = {k: v for log in logs for k, v in log.acknowledged.items()}
    attempted = {k for log in logs for k in log.attempted}
    problems = []
    missing = sorted(k for k in acknowledged if k not in stored)
    if missing:
        problems.append(f"{len(missing)} acknowledged but not stored: {missing[:5]}")
    wrong = sorted(k for k, (_, ref, text_hash) in acknowledged.items()
                   if k in stored and (stored[k][0] != ref or (text_hash and stored[k][1] != text_hash)))
    if wrong:
        problems.append(f"{len(wrong)} stored under another reference or text than acknowledged: {wrong[:5]}")
    strays = sorted(set(stored) - attempted)
    if strays:
        problems.append(f"{len(strays)} stored under keys no client sent: {strays[:5]}")
    duplicates = sum(n - 1 for n in per_key.values() if n > 1)
    if duplicates:
        problems.append(f"{duplicates} duplicate notices: {[k for k, n in per_key.items() if n > 1][:5]}")
    gave_up = [k for log in logs for k in log.gave_up]
    if gave_up:
        problems.append(f"{len(gave_up)} submissions never acknowledged (server not back within --grace): "
                        f"{gave_up[:5]}")
    rejected = [r for log in logs for r in log.rejected]
    if rejected:
        problems.append(f"{len(rejected)} submissions rejected: {rejected[:3]}")
    errors = [e for log in logs for e in log.errors]
    if errors:
        problems.append(f"{len(errors)} clients failed: {errors[:3]}")
    problems += consistency_problems(url)
    interrupted = {k for log in logs for k in log.interrupted}
    statuses = sum((log.statuses for log in logs), Counter())
    figures = {
        "submissions": len(attempted),
        "requests": sum(log.requests for log in logs),
        "requests_cut": sum(log.cut for log in logs),
        "connections_refused": sum(log.refused for log in logs),
        "answers": {str(s): n for s, n in sorted(statuses.items())},
        "acknowledged": len(acknowledged),
        "acknowledged_201": sum(1 for status, _, _ in acknowledged.values() if status == 201),
        # a retry answered 200: the notice had been committed, and its first answer was lost
        "committed_before_the_kill": sum(1 for k, (status, _, _) in acknowledged.items()
                                         if status == 200 and k in interrupted),
        "interrupted_submissions": len(interrupted),
        "stored": len(rows),
        "committed_unacknowledged": len(set(stored) - set(acknowledged)),
        "duplicates": duplicates,
        "gave_up": len(gave_up),
    }
    return figures, problems


# ---------------------------------------------------------------------------------------------

def create_database(kind: str, workdir: Path, stack: contextlib.ExitStack) -> str:
    from store import migrate
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'notices.db'}"
        migrate.upgrade(url)
        return url
    return stack.enter_context(migrate.postgres_schema(bench.PG_BASE_URL, "storm"))


def create_key(url: str) -> str:
    """An agency's API key, made as an operator makes one: `flask create-api-key` (README)."""
    done = subprocess.run([str(bench.VENV_BIN / "flask"), "--app", "app", "create-api-key", "风暴测试代理"],
                          cwd=str(ROOT), capture_output=True, text=True, timeout=120,
                          env={**bench.server_env(url, 0), "PYTHONPATH": str(ROOT)})
    keys = [line.strip() for line in done.stdout.splitlines() if line.strip().startswith("ggk_")]
    if done.returncode != 0 or len(keys) != 1:    # stdout is not shown: it may hold the key
        raise RuntimeError(f"flask create-api-key failed ({done.returncode}): {done.stderr[-2000:]}")
    return keys[0]


def run_database(kind: str, args, workdir: Path) -> tuple[dict, list[str]]:
    run_id = uuid.uuid4().hex[:10]
    stop = threading.Event()
    clients = server = None
    finished = False
    with contextlib.ExitStack() as stack:      # drops the PostgreSQL schema last, whatever happens
        url = create_database(kind, workdir, stack)
        try:
            api_key = create_key(url)
            server = Gunicorn(url, workdir, run_id)
            server.start()
            started = time.monotonic()
            clients = Clients(server.port, api_key, args.clients, run_id, args.seed)
            clients.start()
            time.sleep(args.warmup)     # every worker has served before the first kill
            storm = run_storm(server, args, stop)
            clients.give_up_at = time.monotonic() + args.grace
            clients.storm_over.set()
            clients.join(args.grace + 100)      # +100: a request in flight has its 90 s timeout
            if any(t.is_alive() for t in clients.threads):
                raise RuntimeError("a client thread did not finish")
            total = time.monotonic() - started
            finished = True
        finally:
            stop.set()
            if clients is not None:
                clients.storm_over.set()
                clients.give_up_at = 0
            if server is not None:
                server.stop()
            # Render processes whose gunicorn worker is gone leave by themselves once they notice
            # (their stdin closes); what is still there after a few seconds is killed, so nothing
            # of the run is left behind, even after Ctrl-C.
            leftovers = kill_marked(run_id, wait=10.0 if finished else 0.0)
        figures, problems = verdict(url, run_id, clients.logs)
    figures.update(database=kind, kills=storm.kills, worker_kills=storm.worker_kills,
                   master_kills=storm.master_kills, stragglers_killed=storm.stragglers,
                   storm_seconds=round(storm.seconds, 1), total_seconds=round(total, 1),
                   gunicorn_starts=server.starts, processes_killed_at_the_end=leftovers,
                   still_running_after_cleanup=len(marked_processes(run_id)))
    if storm.kills < args.kills:
        problems.append(f"only {storm.kills} kills within --seconds {args.seconds:g} (wanted {args.kills})")
    if figures["still_running_after_cleanup"]:
        problems.append(f"{figures['still_running_after_cleanup']} processes of the run still running")
    return figures, problems


def print_figures(f: dict, problems: list[str]) -> None:
    print(f"{f['database']}: {f['kills']} kills ({f['worker_kills']} workers holding a connection, "
          f"{f['master_kills']} masters; {f['gunicorn_starts']} gunicorn starts, {f['stragglers_killed']} "
          f"orphaned workers killed after their master) in {f['storm_seconds']} s, "
          f"{f['kills'] / max(f['storm_seconds'], 0.001):.1f} kills/s", flush=True)
    print(f"  {f['submissions']} submissions in {f['requests']} requests: {f['requests_cut']} without an answer "
          f"(connection reset or closed), {f['connections_refused']} connections refused (master restarting); "
          f"answers {f['answers']}", flush=True)
    print(f"  acknowledged {f['acknowledged']} ({f['acknowledged_201']} with 201; "
          f"{f['committed_before_the_kill']} retries answered 200: committed before the kill, first answer lost), "
          f"stored {f['stored']}, committed-but-unacknowledged {f['committed_unacknowledged']}, "
          f"duplicates {f['duplicates']}, gave up {f['gave_up']}", flush=True)
    print(f"  total {f['total_seconds']} s; {f['processes_killed_at_the_end']} processes of the run still running "
          f"10 s after gunicorn stopped (killed); integrity: {'OK' if not problems else 'VIOLATED'}", flush=True)
    for p in problems:
        print(f"  VIOLATION: {p}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--kills", type=int, default=500, help="SIGKILLs per database (default 500)")
    parser.add_argument("--seconds", type=float, default=2400.0,
                        help="the storm's bound per database, whatever the kills (default 2400; 500 kills "
                             "took 16-18 min each on a busy 2-core machine)")
    parser.add_argument("--interval", type=float, default=0.15,
                        help="mean seconds between kills when a worker serves (default 0.15)")
    parser.add_argument("--min-serving", type=int, default=2,
                        help="kill a worker only while at least this many hold a connection, so that the "
                             "others keep serving while it restarts (default 2; 1: kill whenever one serves)")
    parser.add_argument("--master-every", type=int, default=50,
                        help="one kill in N (on average) is of the master (default 50; 0: never)")
    parser.add_argument("--master-wait", type=float, default=35.0,
                        help="seconds the orphaned workers of a killed master get to finish (default 35: "
                             "gunicorn's graceful_timeout + 5)")
    parser.add_argument("--clients", type=int, default=12, help="submitting threads (default 12)")
    parser.add_argument("--grace", type=float, default=60.0,
                        help="seconds after the storm for the last submissions to be acknowledged (default 60)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of submissions before the first kill")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    def terminated(signum, _frame):      # SIGTERM cleans up as Ctrl-C does
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # also when started in the background (`&`)

    # The audit log is signed with AUDIT_KEY (store/audit.py): gunicorn inherits this environment,
    # so the server and the checks below use the same key, and no key file is left in instance/.
    os.environ.setdefault("AUDIT_KEY", secrets.token_hex(32))
    print(f"machine: {bench.machine()}", flush=True)
    print(f"server: gunicorn -c deploy/gunicorn.conf.py 'app:create_app()' (workers and threads as configured), "
          f"limiter on Redis {bench.REDIS_URL}; {args.clients} clients; up to {args.kills} kills or "
          f"{args.seconds:g} s per database", flush=True)
    kinds = ("postgresql", "sqlite") if args.db == "both" else (args.db,)
    results, failed = [], False
    with tempfile.TemporaryDirectory(prefix="storm-kill9-") as tmp:
        for kind in kinds:
            workdir = Path(tmp) / kind
            workdir.mkdir()
            figures, problems = run_database(kind, args, workdir)
            print_figures(figures, problems)
            results.append({**figures, "problems": problems})
            failed = failed or bool(problems)
    if args.json:
        args.json.write_text(json.dumps({"machine": bench.machine(), "results": results}, ensure_ascii=False,
                                        indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
