"""Publisher settings (admin)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.desk import (
    labelled,
    rate_rules,
    rule_fields,
    settings_form_class,
)
from press import printing
from store.settings import Publisher, load_publisher, save_settings
from views.auth import admin_required
from views.desk.common import (
    bp,
)
from views.extensions import get_db, read_session


def _typesetting_classes():
    import typesetting
    return typesetting.LayoutSettings, typesetting.RateCard


def _settings_form(publisher: Publisher, formdata=None):
    layout_cls, rate_cls = _typesetting_classes()
    cls = settings_form_class(layout_cls, rate_cls)
    if formdata is not None:
        return cls(formdata=formdata), layout_cls, rate_cls
    try:
        card = printing.rate_card(publisher).to_dict()
    except (ValueError, TypeError):
        card = rate_cls().to_dict()           # a stored card the engine no longer accepts: show defaults
    return cls.from_publisher(publisher, card), layout_cls, rate_cls


def _engine_accepts(form, after: Publisher) -> bool:
    """The engine has the last word on layout and prices (and its messages are Chinese): False
    with its message on the form when it refuses them."""
    try:
        settings = printing.layout_settings(after)
        import typesetting
        typesetting.set_notice("遗失声明", "某某有限公司遗失营业执照副本，声明作废。", settings)   # fonts exist
    except (ValueError, TypeError, printing.RenderError) as exc:
        form.layout_error = labelled(str(exc))
        return False
    try:
        printing.rate_card(after)
    except (ValueError, TypeError) as exc:
        form.rate_error = labelled(str(exc))
        return False
    return True


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    s = read_session()
    before = load_publisher(s)
    if request.method == "POST":
        form, layout_cls, rate_cls = _settings_form(before, request.form)
        if form.validate_on_submit():
            after = form.to_publisher(before)
            if after is not None and after.rate_card == printing.default_rate_card().to_dict():
                # The catalogue's starting prices (which the engine's own card does not all know,
                # a lost 发票 say): stored as no card, so that a later change of them applies.
                after.rate_card = {}
            if after is not None and _engine_accepts(form, after):
                changed = save_settings(get_db(), before, after, actor=current_user.actor)
                flash("设置已保存：" + "、".join(SETTING_LABELS.get(k, k) for k in changed) + "。" if changed
                      else "没有改动。", "success" if changed else "info")
                return redirect(url_for("desk.settings"), code=303)
        status = 422
    else:
        form, layout_cls, rate_cls = _settings_form(before)
        status = 200
    rule_cls = type(rate_cls().default)
    return render_template(
        "desk/settings.html", form=form, layout_fields=[f for f in form if f.name.startswith("layout__")],
        order_fields=[f for f in form if f.name.startswith("order__")],
        rules=[(rule, label, [form[f"rate__{rule}__{name}"] for name, _l in rule_fields(rule_cls)])
               for rule, label in rate_rules(rate_cls)],
        rule_headers=[label for _n, label in rule_fields(rule_cls)],
        layout_error=getattr(form, "layout_error", ""), rate_error=getattr(form, "rate_error", "")), status


# As the settings page names them (templates/desk/settings.html): "版面" was both the page
# labels and the layout, so a save said "设置已保存：联系方式、版面、报纸名称、版面。".
SETTING_LABELS = {"newspaper": "报纸名称", "office_phone": "报社联系电话", "cn_number": "刊号", "level": "报纸级别",
                  "address": "报社地址", "office_hours": "受理时间", "area_code": "电话区号",
                  "page_labels": "分类公告所在版面",
                  "contact_lines": "栏末联系方式", "weekdays": "出版日", "copy_deadline": "截稿时间",
                  "days_before": "提前天数", "closed_dates": "休刊日期", "print_id_numbers": "身份证号码见报方式",
                  "print_creditor_last_day": "债权人期限后注明截止日期",
                  "type_order": "公告顺序", "layout": "版式", "rate_card": "价目表",
                  "late_withdrawal": "截稿后撤回", "late_refund_percent": "截稿后撤回退款比例"}
