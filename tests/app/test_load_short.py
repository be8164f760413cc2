"""A short load test against the real server: gunicorn (deploy/gunicorn.conf.py, 2 workers) on
SQLite, 8 API connections for 3 s, plus page views. Every submission is answered 2xx, and what
the server acknowledged (201) is exactly what is stored. The 60-second version, with the figures,
on PostgreSQL + Redis and SQLite at 16/32/64 connections, is benchmarks/bench_load.py."""
from __future__ import annotations

import asyncio
import shutil
import threading

import pytest

from tests.support.faults import count_rows, load_bench

pytestmark = [pytest.mark.slow, pytest.mark.load]


def run_in_own_loop(coroutine):
    """asyncio.run in a thread of its own: in the same pytest process Playwright's sync API (the
    browser journeys) keeps an event loop running in the main thread, where asyncio.run refuses."""
    outcome = {}

    def target():
        try:
            outcome["result"] = asyncio.run(coroutine)
        except BaseException as exc:     # handed back to the test's thread
            outcome["error"] = exc
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def test_eight_connections_for_three_seconds_all_2xx_and_stored_equals_acknowledged(tmp_path, sqlite_template):
    bench = load_bench()
    shutil.copy(sqlite_template, tmp_path / "notices.db")
    url = f"sqlite:///{tmp_path / 'notices.db'}"
    seeded = bench.seed(url, api_keys=8, export_notices=0, status_notices=5)
    server = bench.start_server(url, tmp_path, workers=2, ratelimit_uri="memory://")
    try:
        result = run_in_own_loop(bench.drive(server.port, connections=8, seconds=3.0, api_keys=seeded.api_keys,
                                             status_paths=seeded.status_paths))
    finally:
        server.stop(graceful=False)
    result.stored = bench.count_stored(bench.BenchDatabase("sqlite", url), result.prefix)
    summary = bench.summarise(result)
    print(f"\nshort load (sqlite, 8 connections, 3 s): {summary['submissions_per_s']}/s, p50 {summary['p50_ms']} ms, "
          f"p99 {summary['p99_ms']} ms, non-2xx {summary['non_2xx']}, stored/acknowledged "
          f"{summary['stored']}/{summary['acknowledged']}, page views {summary['page_views']} "
          f"(p99 {summary['page_p99_ms']} ms)")
    assert summary["non_2xx"] == 0 and summary["page_non_2xx"] == 0, summary
    assert summary["acknowledged"] >= 20, summary                 # the server did work under load
    assert summary["stored"] == summary["acknowledged"], summary
    assert summary["unpriced"] == 0                              # every answer was typeset and priced
    # Nothing but the acknowledged submissions and the seed was stored (no half-written extras).
    assert count_rows(url, "notices") == summary["acknowledged"] + 5
