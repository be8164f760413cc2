"""The review queue's bulk form: the ticked rows (each "REFERENCE:VERSION", read by
store/bulk.py parse_selection) and the inputs of its three actions. A FlaskForm, so the POST
carries the CSRF token. The inputs of one action are required only when that action's button is
pressed (views/desk/queue.py), since the three share one form that works without JavaScript."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import Length, Optional

from forms.desk import REASON_MAX, choices
from forms.validators import NoInvisibleCharacters, YuanAmount
from store.workflow import PAYMENT_METHODS, RECEIPT_MAX

ACTIONS = {"approve": "批准所选", "pay": "记录付款", "schedule": "排期所选"}


class BulkForm(FlaskForm):
    pay_method = RadioField("付款方式", choices=choices(PAYMENT_METHODS.items()), default="bank",
                            validators=[Optional()])
    pay_receipt = StringField("收据号或流水号（各则共用）", validators=[
        Optional(), Length(max=RECEIPT_MAX, message=f"最多{RECEIPT_MAX}个字。"), NoInvisibleCharacters()])
    pay_total = StringField("到账金额（元，选填：填了就核对所选各则尚欠的合计）",
                            validators=[Optional(), YuanAmount()])
    # Checked by store/bulk.py schedule_many (a publishing day, not past, not published).
    schedule_date = SelectField("刊登日期", choices=[], validate_choice=False, validators=[Optional()])
    schedule_reason = StringField("不付款先排期的理由（所选中有未付款的才需要，记入日志）", validators=[
        Optional(), Length(max=REASON_MAX, message=f"理由最多{REASON_MAX}字。"), NoInvisibleCharacters()])
