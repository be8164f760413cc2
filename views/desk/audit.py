"""The audit log (read only: the app has no way to change an entry), verified as it is shown,
and the Chinese wording of its entries' details."""
from __future__ import annotations

import json

from flask import abort, render_template, request
from flask_login import current_user

from forms.desk import (
    RULE_CHOICES,
    WEEKDAY_LABELS,
    labelled,
    rate_rules,
    rule_fields,
    settings_fields,
)
from notices.catalogue import CATALOGUE
from notices.money import format_yuan
from press import printing
from store import audit as audit_log, workflow
from store.accounts import ROLE_LABELS
from store.models import (
    STATUS_LABELS,
    AuditEntry,
)
from store.settings import Publisher
from store.throttle import REASON_LABELS as THROTTLE_REASONS
from store.workflow import PAYMENT_METHODS
from views.desk.common import (
    ACTION_LABELS,
    AUDIT_PAGE,
    bp,
)
from views.desk.settings import SETTING_LABELS, _typesetting_classes
from views.extensions import get_db, read_session

DETAIL_LABELS = {
    "reference": "编号", "revision": "版本", "issue_date": "刊登日期", "previous_issue_date": "原刊登日期",
    "page": "版", "column": "栏", "export_id": "导出号", "reason": "原因", "amount_cents": "金额",
    "method": "方式", "receipt_no": "收据号", "paid_cents": "累计已付", "owed_cents": "尚欠",
    "text_hash": "正文摘要", "previous_text_hash": "原正文摘要", "lines": "行数", "price_cents": "价格",
    "note": "说明", "username": "账号", "address": "地址", "role": "角色", "sha256": "PDF摘要",
    "revisions": "所含版本", "overflow": "排不下", "pages": "页数", "type": "类型", "name": "名称",
    "prefix": "前缀", "publication_id": "刊登记录号", "verification_code": "核验码", "references": "所含公告",
    # store/documents.py: documents received or deleted, a 发票 request
    "documents": "材料", "retention_days": "保存天数", "title": "发票抬头", "tax_number": "税号",
    # store/demo.py: the demo data removed
    "removed_rows": "删除的记录", "newspaper_cleared": "清空的报纸名称",
    # store/selfservice.py: withdrawals, date changes, a new price accepted, refunds
    "previous_status": "原状态", "status": "状态", "date": "日期", "previous_date": "原日期", "free": "免费撤回",
    "refund_cents": "应退", "refunded_cents": "累计已退", "previous_price_cents": "原价格", "missed": "已过期未见报",
    "awaiting_consent": "待客户确认价格", "unscheduled": "撤出排期", "key": "API密钥", "url": "网址",
}


LOGIN_REFUSALS = {"wrong-password": "密码不对", "no-such-user": "无此账号", "inactive": "账号已停用"}


def _labels_for(key: str) -> dict:
    """The Chinese names of the coded values an entry's `key` holds (empty: shown as stored)."""
    if key == "type":
        return {code: notice_type.title for code, notice_type in CATALOGUE.items()}
    return {"method": PAYMENT_METHODS, "role": ROLE_LABELS, "status": STATUS_LABELS, "previous_status": STATUS_LABELS,
            "reason": {**LOGIN_REFUSALS, **THROTTLE_REASONS}}.get(key, {})


def _value_text(key: str, value) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and value in (labels := _labels_for(key)):
        return labels[value]
    if key.endswith("_cents") and isinstance(value, int):
        return format_yuan(value)
    if key == "revisions" and isinstance(value, list):
        return "、".join(f"{r[0]} 第{r[1]}版" if isinstance(r, list) and len(r) == 2 else str(r) for r in value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _setting_labels() -> dict[str, str]:
    """What the settings form calls each part of the layout and the rate card: the audit log
    names a changed setting as the administrator saw it, not by the engine's field name."""
    layout_cls, rate_cls = _typesetting_classes()
    labels = {name: label for name, label, *_rest in settings_fields(layout_cls)}
    labels.update(rule_fields(type(rate_cls().default)))
    labels.update(rate_rules(rate_cls))
    labels.update(categories="", currency_symbol="货币符号")
    return labels


def _flat(value, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    if isinstance(value, dict):
        out: dict[tuple[str, ...], object] = {}
        for key, item in value.items():
            out.update(_flat(item, (*path, str(key))))
        return out
    return {path: value}


def _effective(key: str, stored):
    """A layout or rate card as it applied: the stored overrides over the engine's defaults, so
    that a first change reads "8.0 → 8.5", not "— → 8.5" (and unchanged defaults not at all)."""
    try:
        if key == "layout":
            layout_cls, _rate_cls = _typesetting_classes()
            return {name: default for name, _label, _kind, default, _hint in settings_fields(layout_cls)} | stored
        if key == "rate_card":
            return printing.rate_card(Publisher(rate_card=stored)).to_dict()
    except (TypeError, ValueError):      # an entry written by an older version: shown as stored
        pass
    return stored


def _setting_value(key: str, value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in RULE_CHOICES:
        return dict(RULE_CHOICES[key]).get(value, str(value))
    if key == "weekdays" and isinstance(value, list):
        return "、".join(WEEKDAY_LABELS[d] if isinstance(d, int) and 0 <= d < 7 else str(d) for d in value)
    if key == "type_order" and isinstance(value, list):
        return "、".join(CATALOGUE[c].title if c in CATALOGUE else str(c) for c in value)
    if key == "print_id_numbers":
        return {"masked": "隐去中间部分", "full": "全号刊登"}.get(value, str(value))
    if key.endswith("_cents") and isinstance(value, int):
        return format_yuan(value)
    return _value_text(key, value)


def _setting_change(key: str, before, after) -> str:
    """"正文字号（磅）9.0 → 8.5；栏数 5 → 6": only what changed in the layout or the rate card,
    by the settings form's labels (the whole dict was shown, with the engine's English keys)."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        return f"{_setting_value(key, before)} → {_setting_value(key, after)}"
    labels = _setting_labels()
    old, new = _flat(_effective(key, before or {})), _flat(_effective(key, after or {}))
    parts = []
    for path in [*old, *(p for p in new if p not in old)]:
        if old.get(path) != new.get(path):
            name = "·".join(label for label in (labels.get(p, labelled(p)) for p in path) if label)
            was, now_ = _setting_value(path[-1], old.get(path)), _setting_value(path[-1], new.get(path))
            parts.append(f"{name} {was} → {now_}")
    return "；".join(parts) or "—"


def entry_details(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(label, shown value, full value) for each detail of an entry, in Chinese."""
    try:
        data = json.loads(entry.details_json)
    except ValueError:
        return [("内容", entry.details_json, entry.details_json)]
    if not isinstance(data, dict):
        return [("内容", entry.details_json, entry.details_json)]
    out = []
    for key, value in data.items():
        if entry.action == "settings" and isinstance(value, dict) and set(value) == {"from", "to"}:
            full = _setting_change(key, value["from"], value["to"])
            out.append((SETTING_LABELS.get(key, str(key)), full[:160] + ("…" if len(full) > 160 else ""), full))
            continue
        full = _value_text(key, value)
        shown = full[:12] + "…" if key.endswith("hash") or key == "sha256" else full
        out.append((DETAIL_LABELS.get(key, str(key)), shown, full))
    return out


@bp.get("/audit")
def audit():
    """Verifies the entries added since the last signed checkpoint, and signs a new one; an
    administrator's ?full=1 rehashes every entry (as `flask verify-audit` does). Hashing all
    200 000 entries on every view took 4 s (benchmarks/bench_audit.py)."""
    full = request.args.get("full") == "1"
    if full and not current_user.is_admin:     # only the full rehash is an administrator's
        abort(403)
    s = read_session()
    result = audit_log.verify_audit(s, full=full)
    audit_log.record_verification(get_db(), result, current_user.actor)
    last_full = audit_log.last_full_verification(s)
    findings = json.loads(last_full.findings_json) if last_full and last_full.findings_json else {}
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before < 2 ** 31:
        before = None      # beyond PostgreSQL's integer (a 500 there): the first page
    entries = audit_log.audit_entries(s, before_id=before, limit=AUDIT_PAGE)
    refs = workflow.references_by_id(s, {e.notice_id for e in entries if e.notice_id})
    return render_template("desk/audit.html", result=result, bad_set=set(result.bad), last_full=last_full,
                           findings=findings, entries=entries, total=result.total, refs=refs,
                           action_labels=ACTION_LABELS, details=entry_details,
                           older=entries[-1].id if len(entries) == AUDIT_PAGE else None)
