"""A 环评公示 ordered for two dates (环境影响评价公众参与办法 Art. 11: printed at least twice within
the ten working days of consultation) is one order through POST /api/v1/orders: each date's notice
is checked with the order's other date as its second printing (store/workflow.py order_fields),
so a sound order passes and a bad one is refused with the reason, under the date it concerns."""
from __future__ import annotations

import json

from store.workflow import order_fields
from tests.conftest import load_samples
from tests.support.apps import auth
from tests.support.desk import fetch

SAMPLES = load_samples()
CONTACT = {"name": "黄工", "phone": "13800138000"}
# The sample consults from 2026-11-27 to 2026-12-10 (ten working days).
EIA = {key: value for key, value in SAMPLES["eia-publicity"]["fields"].items() if key != "second_date"}


def _order(client, key, idem, dates, fields=EIA, **extra):
    return client.post("/api/v1/orders", headers=auth(key, idem),
                       json={"type": "eia-publicity", "fields": fields, "contact": CONTACT,
                             "publication_dates": dates, **extra})


def _stored(app, reference) -> tuple[dict, list[str]]:
    """The fields a notice was filed with, and the codes of the findings kept for the editor."""
    revision = fetch(app, reference).revision
    return json.loads(revision.fields_json), [f["code"] for f in json.loads(revision.findings_json)]


def test_an_eia_ordered_for_two_dates_in_its_consultation_passes(app, client, api_key):
    r = _order(client, api_key, "eia-order-0001", ["2026-12-05", "2026-11-28"])
    assert r.status_code == 201, r.get_json()
    first, second = r.get_json()["notices"]
    assert [first["requested_date"], second["requested_date"]] == ["2026-11-28", "2026-12-05"]
    # Each notice names the other date as its second printing; neither is asked about a second.
    (fields1, codes1), (fields2, codes2) = _stored(app, first["reference"]), _stored(app, second["reference"])
    assert fields1["second_date"] == "2026-12-05" and fields2["second_date"] == "2026-11-28"
    assert "second-printing" not in codes1 + codes2


def test_the_same_second_date_given_for_the_whole_order_is_taken_per_date(app, client, api_key):
    # The client's second_date is one of the order's dates: on that date it would be the issue
    # itself (same-date); each date gets the other instead.
    r = _order(client, api_key, "eia-order-0002", ["2026-11-28", "2026-12-05"],
               fields={**EIA, "second_date": "2026-12-05"})
    assert r.status_code == 201, r.get_json()
    assert [_stored(app, n["reference"])[0]["second_date"] for n in r.get_json()["notices"]] == \
        ["2026-12-05", "2026-11-28"]


def test_an_eia_order_with_a_date_after_the_consultation_is_refused_with_the_reason(client, api_key):
    r = _order(client, api_key, "eia-order-0003", ["2026-11-28", "2026-12-12"])
    assert r.status_code == 422
    errors = r.get_json()["error"]["errors"]
    # The first date's second printing is outside the period; the second date is itself outside.
    assert any("第二次刊登日期2026年12月12日须在征求意见期" in m for m in errors["2026-11-28.second_date"]), errors
    assert any("刊登日期2026年12月12日须在征求意见期" in m for m in errors["2026-12-12.publication_date"]), errors


def test_order_fields_fills_only_the_declared_date_field():
    dates = ["2026-11-28", "2026-12-05", "2026-12-09"]
    # Each date's nearest other date (the earlier one on a tie).
    assert order_fields("eia-publicity", EIA, "2026-11-28", dates)["second_date"] == "2026-12-05"
    assert order_fields("eia-publicity", EIA, "2026-12-05", dates)["second_date"] == "2026-12-09"
    assert order_fields("eia-publicity", EIA, "2026-12-09", dates)["second_date"] == "2026-12-05"
    # A second printing booked apart (another order, another paper) stays as given.
    assert order_fields("eia-publicity", {**EIA, "second_date": "2026-12-01"}, "2026-11-28", dates)[
        "second_date"] == "2026-12-01"
    # One date: nothing to fill; another type: untouched.
    assert "second_date" not in order_fields("eia-publicity", EIA, "2026-11-28", ["2026-11-28"])
    fields = SAMPLES["auction"]["fields"]
    assert order_fields("auction", fields, "2026-11-28", dates) == fields
