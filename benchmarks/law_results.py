"""Issue 13's "Done when", measured: the seed page's 13 notices and every text of
tests/data/finished-texts.json (written after published notices: classified columns, listed
companies' 公告, non-company entities, the new types) go through the JSON API twice each —

- as text alone: POST /api/v1/notices/check with {"type", "text"} and no fields;
- as fields: the seed's own fields, or for a finished text the fields the API read from it,
  sent without a text (the notice composed from them);

and the defects the issue lists are tried one by one (each a request built from those texts). It
prints a table per type (notices, those with errors, warnings by code) for each way, the notices
with errors, and for each defect whether it is found.

    .venv/bin/python benchmarks/law_results.py
    .venv/bin/python benchmarks/law_results.py --json results.json

What runs: the app with the tests' fixed clock (Thursday 2026-11-26 09:00, Beijing), on a SQLite
database migrated in a temporary directory and deleted afterwards; Flask's test client, no server.
Every notice is checked for the issue of 2026-11-28, as tests/domain/test_finished_texts.py does.
The exit status is 1 when a notice has an error or a defect is not found.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PUBLICATION = "2026-11-28"
SEED_FILE = ROOT / "demo" / "seed-notices.json"
FINISHED_FILE = ROOT / "tests" / "data" / "finished-texts.json"

Body = dict[str, Any]


@dataclass
class Api:
    client: Any
    key: str

    def check(self, type_code: str, *, text: str | None = None, fields: dict | None = None) -> Body:
        body: Body = {"type": type_code, "publication_date": PUBLICATION}
        if text is not None:
            body["text"] = text
        if fields:
            body["fields"] = fields
        response = self.client.post("/api/v1/notices/check", json=body,
                                    headers={"Authorization": f"Bearer {self.key}"})
        if response.status_code != 200:
            raise SystemExit(f"/api/v1/notices/check answered {response.status_code}: "
                             f"{response.get_data(as_text=True)}")
        return response.get_json()

    def order(self, body: Body, idem: str) -> tuple[int, Body]:
        response = self.client.post("/api/v1/orders", json=body,
                                    headers={"Authorization": f"Bearer {self.key}", "Idempotency-Key": idem})
        return response.status_code, response.get_json()


def make_api(directory: Path) -> Api:
    from app import create_app
    from store import migrate
    from store.accounts import create_api_key
    from tests.conftest import NOW
    url = f"sqlite:///{directory / 'law.db'}"
    migrate.upgrade(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "law-results", "APP_ENV": "development",
                      "WTF_CSRF_ENABLED": False, "NOW": NOW, "RATELIMIT_ENABLED": False})
    key = create_api_key(app.extensions["notice_db"], "law-results")
    return Api(app.test_client(), key)


def codes(findings: list[dict]) -> list[str]:
    return [f["code"] for f in findings]


# ---------------------------------------------------------------------------------------------
def run_corpus(api: Api) -> list[dict]:
    """Each notice as text alone and as fields: (name, type, way, errors, warnings)."""
    seeds = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    finished = json.loads(FINISHED_FILE.read_text(encoding="utf-8"))
    rows = []
    for i, seed in enumerate(seeds, 1):
        name = f"seed{i}"
        for way, body in (("text", api.check(seed["type"], text=seed["text"])),
                          ("fields", api.check(seed["type"], fields=seed["fields"]))):
            rows.append({"name": name, "type": seed["type"], "way": way, "errors": body["errors"],
                         "warnings": codes(body["warnings"])})
    for item in finished:
        alone = api.check(item["type"], text=item["text"])
        read = {k: v for k, v in alone.get("fields", {}).items() if v}
        composed = api.check(item["type"], fields=read)
        for way, body in (("text", alone), ("fields", composed)):
            rows.append({"name": item["id"], "type": item["type"], "way": way, "errors": body["errors"],
                         "warnings": codes(body["warnings"])})
    return rows


def table(rows: list[dict], way: str) -> list[str]:
    from notices.catalogue import CATALOGUE
    out = ["| type | notices | with errors | warnings by code |", "|---|---|---|---|"]
    for code, t in CATALOGUE.items():
        mine = [r for r in rows if r["type"] == code and r["way"] == way]
        if not mine:
            continue
        warned = Counter(c for r in mine for c in r["warnings"])
        shown = ", ".join(f"{c} {n}" for c, n in sorted(warned.items(), key=lambda x: (-x[1], x[0]))) or "—"
        out.append(f"| {t.title} `{code}` | {len(mine)} | {sum(bool(r['errors']) for r in mine)} | {shown} |")
    total = [r for r in rows if r["way"] == way]
    out.append(f"| **all** | {len(total)} | {sum(bool(r['errors']) for r in total)} | "
               f"{sum(len(r['warnings']) for r in total)} warnings |")
    return out


# ---------------------------------------------------------------------------------------------
# The defects, each a request and what finding shows it found.
def _finished(name: str) -> dict:
    return next(i for i in json.loads(FINISHED_FILE.read_text(encoding="utf-8")) if i["id"] == name)


def _reduction(sentence: str, amounts: str = "由500万元减少至100万元") -> str:
    return (f"广州市示例建材有限公司（统一社会信用代码：91440101MA5AY4CLX6）于2026年11月20日经股东会决议，注册资本"
            f"{amounts}。{sentence}联系电话：020-83330000。特此公告。")


RIGHT = "请债权人自本公告见报之日起四十五日内，有权要求本公司清偿债务或者提供相应的担保。"


@dataclass
class Defect:
    what: str
    expected: str
    run: Callable[[Api], tuple[bool, str]]


def _errors_none_of(body: Body, *bad: str) -> tuple[bool, str]:
    found = [c for c in codes(body["errors"]) + codes(body["warnings"]) if any(c.startswith(b) for b in bad)]
    shown = f"ok={body['ok']} errors={codes(body['errors'])} warnings={codes(body['warnings'])}"
    return (body["ok"] and not found), shown


def _has(body: Body, level: str, code: str) -> tuple[bool, str]:
    return code in codes(body[level]), f"{level}: {codes(body[level])}"


def _institution(api: Api) -> tuple[bool, str]:
    body = api.check("liquidation", text=_finished("liquidation-institution")["text"])
    ok, shown = _errors_none_of(body, "creditor-claims-45", "outdated-90-days", "missing:creditor-claims-45")
    cites_cl = any("第二百三十五条" in f["message"] for f in body["errors"] + body["warnings"])
    return ok and not cites_cl, shown + f" cites CL 235: {cites_cl}"


def _seal_text(api: Api) -> tuple[bool, str]:
    body = api.check("lost-document", fields={"variant": "seal", "holder": "广州市示例贸易有限公司",
                                              "seal_kind": "公章、财务专用章、法人名章", "uscc": "91440101MA5AY4CLX6"})
    return "公章、财务专用章、法人名章各一枚" in body.get("text", ""), body.get("text", "")


def _date_text(api: Api) -> tuple[bool, str]:
    body = api.check("correction", fields={"subject": "广州市示例贸易有限公司", "original_newspaper": "本报",
                                           "original_date": "2026-10-09", "original_title": "遗失声明",
                                           "wrong_text": "正本", "correct_text": "副本"})
    text = body.get("text", "")
    return "2026年10月9日" in text and "10月09日" not in text, text


def _eia_order(api: Api) -> tuple[bool, str]:
    from tests.conftest import load_samples
    fields = {k: v for k, v in load_samples()["eia-publicity"]["fields"].items() if k != "second_date"}
    body = {"type": "eia-publicity", "fields": fields, "contact": {"name": "黄工", "phone": "13800138000"}}
    good, _ = api.order({**body, "publication_dates": ["2026-11-28", "2026-12-05"]}, "law-results-eia-good")
    bad, answer = api.order({**body, "publication_dates": ["2026-11-28", "2026-12-12"]}, "law-results-eia-bad")
    reasons = sorted((answer.get("error") or {}).get("errors", {}))
    shown = f"two dates in the period: {good}; one after it: {bad} {reasons}"
    return good == 201 and bad == 422 and bool(reasons), shown


DEFECTS = [
    Defect("事业单位's 注销公告 (九十日, three announcements)", "passes, no Company-Law finding",
           _institution),
    Defect("个人独资企业's 60-day notice", "passes",
           lambda api: _errors_none_of(api.check("liquidation", text=_finished("liquidation-sole")["text"]))),
    Defect("减资: creditors told only to contact the company", "error missing:creditor-right",
           lambda api: _has(api.check("capital-reduction", text=_reduction(
               "请债权人自本公告见报之日起45日内与本公司联系。")), "errors", "missing:creditor-right")),
    Defect("减资 由100万元减少至1000万元 in the text", "error must-reduce",
           lambda api: _has(api.check("capital-reduction", text=_reduction(RIGHT, "由100万元减少至1000万元")),
                            "errors", "must-reduce")),
    Defect("见报后45日内 / 刊登后四十五日内", "accepted",
           lambda api: _errors_none_of(api.check("capital-reduction", text=_reduction(
               "请债权人见报后45日内，有权要求本公司清偿债务或者提供相应的担保。")))),
    Defect("a signature (落款) after 特此公告", "accepted",
           lambda api: _errors_none_of(api.check("capital-reduction", text=_finished(
               "reduction-period-first-signature")["text"]))),
    Defect("清算公告 with no phone or address", "warning missing:creditor-contact",
           lambda api: _has(api.check("liquidation", text=(
               "广州市示例贸易有限公司经股东会决议解散，已成立清算组。请债权人自接到本公司通知之日起三十日内，"
               "未接到通知的自本公告见报之日起四十五日内，向本公司清算组申报债权。特此公告。")),
               "warnings", "missing:creditor-contact")),
    Defect("减资 to 1000000000000万元", "warning amount-implausible",
           lambda api: _has(api.check("capital-reduction", text=_reduction(
               RIGHT, "由1000000000000万元减少至100万元")), "warnings", "amount-implausible")),
    Defect("股东大会决议 (after 2024-07-01)", "warning old-meeting-name",
           lambda api: _has(api.check("capital-reduction", text=_reduction(RIGHT).replace(
               "股东会决议", "股东大会决议")), "warnings", "old-meeting-name")),
    Defect("股东会决定", "warning decision-verb",
           lambda api: _has(api.check("capital-reduction", text=_reduction(RIGHT).replace("股东会决议", "股东会决定")),
                            "warnings", "decision-verb")),
    Defect("several seals lost together", "composed 公章、财务专用章、法人名章各一枚", _seal_text),
    Defect("a lost 支票", "error lost-bill",
           lambda api: _has(api.check("lost-document", fields={
               "variant": "document", "holder": "陈小明", "document_name": "中国示例银行转账支票"}),
               "errors", "lost-bill")),
    Defect("a date composed from 2026-10-09", "printed 2026年10月9日", _date_text),
    Defect("环评公示 ordered for two dates", "two dates in the period pass; a date after it refused with reasons",
           _eia_order),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="law-results-") as directory:
        api = make_api(Path(directory))
        rows = run_corpus(api)
        defects = [(d, *d.run(api)) for d in DEFECTS]
    failing = [r for r in rows if r["errors"]]
    for way, label in (("text", "As text alone ({\"type\", \"text\"})"), ("fields", "As fields (composed)")):
        print(f"\n## {label}\n")
        print("\n".join(table(rows, way)))
    print("\n## Notices with errors\n")
    for r in failing:
        print(f"- {r['name']} ({r['way']}): " + "; ".join(f"{e['code']}: {e['message']}" for e in r["errors"]))
    if not failing:
        print("none")
    print("\n## The issue's defects\n")
    print("| defect | expected | found | what came back |\n|---|---|---|---|")
    for d, found, shown in defects:
        print(f"| {d.what} | {d.expected} | {'yes' if found else '**NO**'} | {shown[:160]} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "defects": [
            {"what": d.what, "expected": d.expected, "found": found, "shown": shown} for d, found, shown in defects]},
            ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if failing or not all(found for _d, found, _s in defects) else 0


if __name__ == "__main__":
    sys.exit(main())
