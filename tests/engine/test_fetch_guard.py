"""The guard of tests/conftest.py (nothing_fetched_but_our_assets): a test fails when the PDF
renderer was asked for a URL that is not one of our assets, in the test's own process or in a
render worker, which is a child process."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REFUSED_LOG, REFUSED_LOG_ENV, ROOT, refused_since

URL = "http://127.0.0.1:9/guard.png"   # never requested: the fetcher refuses it before any I/O


def test_the_guard_reads_the_file_the_fetcher_writes():
    from typesetting import fetcher

    assert fetcher.REFUSED_LOG_ENV == REFUSED_LOG_ENV
    assert os.environ[REFUSED_LOG_ENV] == str(REFUSED_LOG)


@pytest.mark.refused_fetches_expected
def test_a_refusal_in_a_render_worker_reaches_the_guard():
    from typesetting.render import PREVIEW_LIMITS, run_job

    offset = REFUSED_LOG.stat().st_size
    html = f'<html><body><p>正文<img src="{URL}"></p></body></html>'
    result = run_job({"kind": "preview", "html": html, "assets": {}, "boxes": {}, "pages": 1},
                     PREVIEW_LIMITS)
    assert result["refused"] == [URL]
    assert refused_since(offset) == [URL]


@pytest.mark.skipif(os.environ.get("FETCH_GUARD_SELFTEST") != "1",
                    reason="run in a pytest of its own by test_the_guard_fails_a_test_that_fetches")
def test_asks_the_renderer_for_a_url():
    from typesetting.fetcher import AssetOnlyFetcher

    with pytest.raises(ValueError):
        AssetOnlyFetcher({}).fetch(URL)


def test_the_guard_fails_a_test_that_fetches():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"{__file__}::test_asks_the_renderer_for_a_url"],
        cwd=str(ROOT), env={**os.environ, "FETCH_GUARD_SELFTEST": "1"}, capture_output=True, text=True,
        timeout=300)
    # The test itself passed (the fetcher refused); the guard then failed it at teardown.
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed, 1 error" in result.stdout, result.stdout
    assert f"1 URL(s) that are not our assets: {URL}" in result.stdout, result.stdout
