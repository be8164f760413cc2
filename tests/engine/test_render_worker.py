"""The render worker's own economies, checked for what they must not change.

typesetting/_worker.py renders our documents without WeasyPrint's user-agent stylesheet and keeps
the garbage collector off while a job runs. Neither may change a pixel, and a job's garbage must
still be collected (after the answer, not never)."""

from __future__ import annotations

import datetime as dt
import gc
import io
import resource
from collections import Counter

import pypdfium2
import pytest

from tests.support.column import seed_items
from typesetting import LayoutSettings, _worker, column as column_module, render as render_module, render_column
from typesetting._worker import Renderer, read_frame, serve, write_frame
from typesetting.preview import notice_pdf_job


def _pages(pdf: bytes, dpi: int = 100) -> list[bytes]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil().tobytes()
                for page in document]
    finally:
        document.close()


def _seed_column_jobs(monkeypatch) -> list[dict]:
    """The render job of the seed column: header band, rules, contact box, crop marks."""
    captured = []
    original = render_module.run_jobs       # the function column.py imported from render.py

    def capture(jobs, limits):
        captured.extend(jobs)
        return original(jobs, limits)

    monkeypatch.setattr(column_module, "run_jobs", capture)
    render_column(seed_items(), LayoutSettings(crop_marks=True, bleed_mm=3),
                  dt.date(2021, 1, 8), renderer="weasyprint")
    assert captured
    return captured


def test_without_the_user_agent_stylesheet_nothing_moves(monkeypatch):
    """Every element our templates use (band, rules, notices with titles, spaced lines and solid
    runs, contact box, crop marks; the preview) renders to the same pixels as with WeasyPrint's
    own user-agent stylesheet - and the override is in effect: no pseudo-element styles are
    computed (WeasyPrint's sheet made it compute six per element)."""
    import weasyprint
    from weasyprint.css import StyleFor

    jobs = _seed_column_jobs(monkeypatch)
    jobs.append(notice_pdf_job("遗失声明", seed_items()[0].body, LayoutSettings()))
    computed = Counter()
    original = StyleFor.set_computed_styles

    def count(self, element, parent, root=None, pseudo_type=None, **kwargs):
        computed[pseudo_type] += 1
        return original(self, element, parent, root=root, pseudo_type=pseudo_type, **kwargs)

    monkeypatch.setattr(StyleFor, "set_computed_styles", count)
    ours = Renderer()
    stock = Renderer()
    stock.html_class = weasyprint.HTML
    for job in jobs:
        computed.clear()
        mine = ours.render(job)["pdf"]
        assert computed[None] > 0 and sum(computed.values()) == computed[None], computed
        computed.clear()
        theirs = stock.render(job)["pdf"]
        assert sum(computed.values()) > computed[None]  # the stock sheet's pseudo-elements
        assert _pages(mine) == _pages(theirs)


@pytest.fixture
def restore_cpu_limit():
    limits = resource.getrlimit(resource.RLIMIT_CPU)
    yield
    resource.setrlimit(resource.RLIMIT_CPU, limits)   # serve() arms a per-job CPU limit


class _Logged(io.BytesIO):
    """A pipe end that notes in `events` when a job is read and when an answer is written."""

    def __init__(self, events: list, data: bytes = b""):
        super().__init__(data)
        self.events = events

    def read(self, *args):
        data = super().read(*args)
        if len(data) > 8:   # a frame's body, not its 8-byte header
            self.events.append("job")
        return data

    def write(self, data):
        self.events.append("answer")
        return super().write(data)


def test_a_jobs_garbage_is_collected_after_its_answer_not_during_the_job(restore_cpu_limit, monkeypatch):
    monkeypatch.setattr(_worker, "FULL_COLLECTION_EVERY", 2)
    job = notice_pdf_job("遗失声明", seed_items()[0].body, LayoutSettings())
    frames = io.BytesIO()
    for _ in range(3):
        write_frame(frames, job)
    events: list = []
    requests, channel = _Logged(events, frames.getvalue()), _Logged(events)
    renderer = Renderer()

    def collection(phase, info):
        if phase == "start":
            events.append(f"collect{info['generation']}")

    gc.collect()
    gc.callbacks.append(collection)
    try:
        serve(renderer, requests, channel)
    finally:
        gc.callbacks.remove(collection)
    events = list(events)   # reading the answers back below is not the worker's doing
    channel.seek(0)
    answers = [read_frame(channel) for _ in range(3)]
    assert all(answer["ok"] and answer["pdf"].startswith(b"%PDF") for answer in answers)
    assert gc.isenabled()
    # Each job: read, answered with no collection in between (the collector is off while the
    # caller waits), then one collection before the next job is read: of the young generations
    # (all the job made), of the whole heap every FULL_COLLECTION_EVERY jobs (here 2).
    jobs = [i for i, event in enumerate(events) if event == "job"]
    assert len(jobs) == 3
    for n, first in enumerate(jobs):
        end = jobs[n + 1] if n + 1 < len(jobs) else len(events)
        during = events[first:end]
        answer = during.index("answer")
        assert not any(e.startswith("collect") for e in during[:answer]), during
        assert during[answer + 1:] == (["collect2"] if n == 1 else ["collect1"]), during
    # A preview leaves ~800 objects in reference cycles; they were collected after each answer.
    assert gc.collect() < 50
