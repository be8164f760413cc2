"""Commands for editors and scripts: typeset, create-api-key, load-demo."""
from __future__ import annotations

import json

from tests.conftest import load_samples, load_seed
from tests.support.desk import pdf_text

SAMPLES = load_samples()


def test_typeset_text_and_field_items_with_report(sqlite_app, tmp_path):
    items = [{"type": s["type"], "text": s["text"]} for s in load_seed()[:3]]
    items.append({"type": "lost-document", "fields": SAMPLES["lost-document:licence"]["fields"]})
    source = tmp_path / "notices.json"
    source.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    output, report = tmp_path / "column.pdf", tmp_path / "report.json"
    result = sqlite_app.test_cli_runner().invoke(args=["typeset", str(source), "--output", str(output),
                                                       "--report", str(report)])
    assert result.exit_code == 0, result.output
    summary = json.loads(report.read_text(encoding="utf-8"))
    assert len(summary["notices"]) == 4 and summary["overflow"] == []
    by_index = {n["index"]: n for n in summary["notices"]}
    # The lost licence is priced flat from the rate card's "licence" category (¥300).
    assert by_index[4]["price_cents"] == 30000
    assert all(n["page"] == 1 and n["column"] >= 1 and n["lines"] >= 2 for n in summary["notices"])
    text = "".join(pdf_text(output.read_bytes()).split())
    for item in load_seed()[:3]:
        assert item["text"] in text
    assert "91440106MA5CL12T4G" in text and len(summary["fill"][0]) == 6


def test_typeset_refuses_a_notice_that_fails_its_checks(sqlite_app, tmp_path):
    fields = dict(SAMPLES["capital-reduction"]["fields"], capital_after="2000万元")
    source = tmp_path / "notices.json"
    source.write_text(json.dumps([{"type": "capital-reduction", "fields": fields}], ensure_ascii=False),
                      encoding="utf-8")
    result = sqlite_app.test_cli_runner().invoke(args=["typeset", str(source), "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert "减资后注册资本" in result.output and "应低于" in result.output


def test_create_api_key_prints_a_key_once(sqlite_app):
    result = sqlite_app.test_cli_runner().invoke(args=["create-api-key", "某某代理"])
    assert result.exit_code == 0
    key = result.output.strip()
    assert key.startswith("ggk_") and len(key) > 40
    client = sqlite_app.test_client()
    response = client.post("/api/v1/notices/check", json=SAMPLES["correction"],
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_load_demo_loads_the_seed_page_once(sqlite_app):
    runner = sqlite_app.test_cli_runner()
    first = runner.invoke(args=["load-demo"])
    assert first.exit_code == 0 and "13" in first.output
    second = runner.invoke(args=["load-demo"])
    assert "未载入" in second.output


def test_revoked_api_key_is_refused_and_the_revocation_audited(sqlite_app):
    runner = sqlite_app.test_cli_runner()
    key = runner.invoke(args=["create-api-key", "泄露代理"]).output.strip()
    client = sqlite_app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    assert client.post("/api/v1/notices/check", json=SAMPLES["correction"], headers=headers).status_code == 200
    listed = runner.invoke(args=["list-api-keys"])
    prefix = key.split("_")[1]
    assert f"ggk_{prefix}_…  泄露代理" in listed.output and "有效" in listed.output
    assert key.split("_", 2)[2] not in listed.output        # the secret part is never shown
    revoked = runner.invoke(args=["revoke-api-key", f"ggk_{prefix}"])
    assert revoked.exit_code == 0 and "已吊销" in revoked.output
    # Refused at once in this process, although the key was just used (and cached).
    refused = client.post("/api/v1/notices/check", json=SAMPLES["correction"], headers=headers)
    assert refused.status_code == 401
    assert "已吊销" in runner.invoke(args=["list-api-keys"]).output
    unknown = runner.invoke(args=["revoke-api-key", "ffffffff"])
    assert unknown.exit_code != 0 and "没有前缀" in unknown.output
    from store.models import AuditEntry
    with sqlite_app.app_context():
        with sqlite_app.extensions["notice_db"].session() as s:
            actions = [e.action for e in s.query(AuditEntry).order_by(AuditEntry.id)]
    assert actions[-1] == "api-key-revoked"


def test_commands_on_a_database_not_yet_created_say_what_to_run(tmp_path):
    from tests.support.apps import make_app
    app = make_app(f"sqlite:///{tmp_path / 'empty.db'}")
    source = tmp_path / "notices.json"
    source.write_text(json.dumps([{"type": "lost-document", "text": "测试遗失。"}], ensure_ascii=False),
                      encoding="utf-8")
    runner = app.test_cli_runner()
    for args in (["typeset", str(source), "--output", str(tmp_path / "c.pdf")],
                 ["export-column", "2026-11-28", "--output", str(tmp_path / "e.pdf")]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "upgrade-db" in result.output, result.output
        assert "Traceback" not in result.output
    app.extensions["notice_db"].dispose()
