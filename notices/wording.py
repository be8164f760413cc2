"""The standard wording of each notice type, composed from its fields.

Each type names its function here in its catalogue entry (`compose=…`, notices/catalogue.py),
which imports this module: so this one does not import the catalogue.

House style follows the seed page's classified column (e.g. "统一社会信用代码：…，声明作废。"),
except where its wording is legally unsound: the 减资公告 and 清算公告 on that page say
"逾期不申报，视为放弃权利" and (in a 减资公告) "申报债权"; the composed text uses the statute's own
words instead (CL 224, 235). The composed text is the body printed after the bold title.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping

from notices import entities
from notices.dates import format_date, parse_date, parse_dates
from notices.money import format_amount, parse_amount
from notices.rules import board_merger, continues_in_business, is_organisation, seal_names, truthy

if TYPE_CHECKING:
    from notices.catalogue import NoticeType

Fields = Mapping[str, str]

# CL 224 / 220: the creditors' right, in the statute's words.
CREDITOR_DEMAND_SENTENCE = ("请债权人自接到本公司通知之日起三十日内，未接到通知的自本公告见报之日起四十五日内，"
                            "有权要求本公司清偿债务或者提供相应的担保。")


def _v(fields: Fields, name: str) -> str:
    return (fields.get(name) or "").strip()


def money_text(value: str) -> str:
    """An amount as it should print: digits in newspaper style (1000万元), uppercase kept as typed."""
    value = (value or "").strip()
    amount = parse_amount(value)
    if amount is None:
        return value
    if re.fullmatch(r"[\d,.]+", value):
        return format_amount(amount)
    if value.endswith("万") or value.endswith("亿") or re.search(r"[\d零壹贰叁肆伍陆柒捌玖拾佰仟]$", value):
        value += "元"
    return value


def money_texts(*values: str) -> list[str]:
    """Several amounts of one notice, in one style: each as money_text when all are written in
    Chinese numerals (伍佰万元、壹佰万元) or all in digits, else all in digits (1000万元、500万元),
    so that a notice never prints "由1000万元减少至伍佰万元". An empty value stays empty."""
    typed = [(v or "").strip() for v in values]
    amounts = [parse_amount(v) if v else None for v in typed]
    in_digits = [bool(re.search(r"\d", v)) for v, a in zip(typed, amounts, strict=True) if a is not None]
    if len(set(in_digits)) > 1:
        return [format_amount(a) if a is not None else money_text(v) for v, a in zip(typed, amounts, strict=True)]
    return [money_text(v) for v in typed]


def date_text(value: str) -> str:
    d = parse_date(value)
    return format_date(d) if d else value


def _contact(fields: Fields, prefix: str = "联系") -> str:
    parts = []
    if _v(fields, "contact_person"):
        parts.append(f"联系人：{_v(fields, 'contact_person')}")
    if _v(fields, "contact_phone"):
        parts.append(f"联系电话：{_v(fields, 'contact_phone')}")
    if _v(fields, "contact_address"):
        parts.append(f"地址：{_v(fields, 'contact_address')}")
    return "，".join(parts) + "。" if parts else ""


def _with_code(name: str, code: str) -> str:
    return f"{name}（统一社会信用代码：{code}）" if code else name


# ---------------------------------------------------------------------------------------------
def _seals(f: Fields) -> tuple[str, str]:
    """What was lost, with its codes: 公章一枚，印章编码：…; several seals 各一枚, their codes in
    the order named (公章、财务专用章各一枚…，印章编码依次为：…、…). A name that gives its own
    count (合同专用章两枚) is printed as typed."""
    kind = _v(f, "seal_kind")
    several = len(seal_names(kind)) > 1
    codes = [_v(f, name) for name in ("seal_code", "seal_code_2", "seal_code_3") if _v(f, name)]
    text = kind if "枚" in kind else kind + ("各一枚" if several else "一枚")
    return text, (f"，印章编码{'依次为' if len(codes) > 1 else ''}：{'、'.join(codes)}" if codes else "")


def compose_lost_document(f: Fields) -> str:
    holder, variant = _v(f, "holder"), _v(f, "variant")
    code = f"，统一社会信用代码：{_v(f, 'uscc')}" if _v(f, "uscc") else ""
    if variant == "seal":
        seals, codes = _seals(f)
        return f"{holder}遗失{seals}{code}{codes}，声明作废。"
    if variant == "org-document":
        # An organisation's paper: declared void under its credit code (docs/law.md §2).
        name = _v(f, "org_document_name")
        issuer = f"{_v(f, 'issuer')}核发的" if _v(f, "issuer") else ""
        text = f"{holder}遗失{issuer}{name}"
        if _v(f, "permit_number"):
            label = "许可证编号" if "许可证" in name else "证书编号" if "证书" in name else "编号"
            text += f"，{label}：{_v(f, 'permit_number')}"
        return text + code + "，声明作废。"
    if variant == "invoice":
        issuer = f"{_v(f, 'invoice_issuer')}开具的" if _v(f, "invoice_issuer") else ""
        part = f"（{_v(f, 'invoice_part')}）" if _v(f, "invoice_part") else ""
        text = f"{holder}遗失{issuer}{_v(f, 'invoice_kind')}{part}{_v(f, 'invoice_count')}份"
        if _v(f, "invoice_code"):
            text += f"，发票代码：{_v(f, 'invoice_code')}"
        return text + f"，发票号码：{_v(f, 'invoice_number')}{code}，声明作废。"
    if variant == "document":
        text = f"{holder}遗失{_v(f, 'document_name')}"
        if _v(f, "document_note"):
            text += f"（{_v(f, 'document_note')}）"
        if _v(f, "id_card"):
            text += f"，身份证号码：{_v(f, 'id_card')}"
        if _v(f, "document_number"):
            text += f"，编号：{_v(f, 'document_number')}"
        # A person's declaration ends 特此声明; an organisation's paper is declared void (the
        # org-document form, which also gives its credit code, is what it should use).
        return text + ("，声明作废。" if is_organisation(holder) else "，特此声明。")
    text = f"{holder}遗失营业执照{_v(f, 'licence_copy')}{code}"
    if _v(f, "regno"):
        text += f"，注册号：{_v(f, 'regno')}"
    if _v(f, "licence_serial"):
        text += f"，编号：{_v(f, 'licence_serial')}"
    return text + "，声明作废。"


def compose_revocation(f: Fields) -> str:
    dates = parse_dates(_v(f, "original_dates")) or []
    date_list = "、".join(format_date(d) for d in dates) or _v(f, "original_dates")
    channel = _v(f, "original_channel")
    verb = "刊登" if "《" in channel or channel.startswith("本报") else "公示"
    respectively = "分别" if len(dates) > 1 else ""
    # The resolution behind it, where there is one: to go on after a dissolution (CL 230), or to
    # rescind a reduction. "…于2026年11月20日经股东会决议，撤销…".
    resolved = parse_date(_v(f, "resolved_on"))
    by = f"{f'于{format_date(resolved)}' if resolved else ''}经{_v(f, 'decision')}，" if _v(f, "decision") else ""
    text = (f"{_with_code(_v(f, 'company'), _v(f, 'uscc'))}{by}撤销{date_list}在{channel}{respectively}"
            f"{'对外' if verb == '公示' else ''}{verb}的{_v(f, 'revoked_items')}")
    if truthy(f.get("dissolve_group")):
        text += "，并解散清算组"
    # "本公司继续经营" only where CL 230 allows it and the fields say so (the company speaks: 本公司,
    # where the seed page printed "该公司"); otherwise the notice says only what it revokes.
    if continues_in_business(f):
        return text + "。本公司继续经营。特此公告。"
    return text + "。特此公告。"


def compose_liquidation(f: Fields) -> str:
    kind = entities.kind_of(f)
    if kind is not entities.COMPANY:
        return _compose_other_liquidation(kind, f)
    text = (f"{_with_code(_v(f, 'company'), _v(f, 'uscc'))}{_v(f, 'cause')}，已成立清算组，进行清算。"
            "请债权人自接到本公司通知之日起三十日内，未接到通知的自本公告见报之日起四十五日内，"
            "向本公司清算组申报债权，并提供相关证明材料。")
    contact = _contact(f)
    if contact:
        text += f"清算组{contact}"
    return text + "特此公告。"


# How each kind's liquidator came to be, in its statute's words (notices/entities.py).
_LIQUIDATOR_FORMED = {"清算组": "已成立清算组，进行清算", "清算人": "已确定清算人，进行清算",
                      "清算组织": "已成立清算组织，进行清算", "投资人": "由投资人自行清算"}


def _compose_other_liquidation(kind: entities.EntityKind, f: Fields) -> str:
    """A 清算公告 / 注销公告 of an entity other than a company: its statute's creditor period and
    liquidator, or, where its law sets none, who answers for the debts and the period it chose."""
    name = _v(f, "company")
    me = entities.self_name(kind, name)
    head = f"{_with_code(name, _v(f, 'uscc'))}{_v(f, 'cause')}"
    contact = _contact(f)
    days = _v(f, "claims_days")
    if kind is entities.BRANCH:
        # CL 13: a branch has no legal personality; the company answers for it.
        parent = entities.parent_company(name) or "所属公司"
        return f"{head}，拟向登记机关申请注销登记。{me}的债权债务由{parent}承担。{contact}特此公告。"
    if kind is entities.INDIVIDUAL:
        # Civil Code Art. 56: the operator answers with personal or family property.
        claims = f"请债权人自本公告见报之日起{days}日内与经营者联系申报债权。" if days else ""
        return f"{head}，拟向登记机关申请注销登记。{claims}原有债权债务由经营者依法承担。{contact}特此公告。"
    text = f"{head}，{_LIQUIDATOR_FORMED.get(kind.liquidator, '已成立清算组，进行清算')}。"
    to = kind.liquidator if kind.liquidator == "投资人" else f"{me}{kind.liquidator}"
    if kind.claims is None:          # 社会组织: the period its 清算组织 chose, if any
        within = f"自本公告见报之日起{days}日内" if days else ""
        text += f"请债权人{within}向{to}申报债权，并提供相关证明材料。"
    elif kind.claims.first_announcement:     # 事业单位: from the first of its announcements
        text += (f"请债权人自{me}第一次公告之日起{entities.days_cn(kind.claims.from_announcement)}内，"
                 f"向{to}申报债权，并提供相关证明材料。")
    else:
        letter = "通知书" if kind is entities.PARTNERSHIP else "通知"
        sender = "" if kind is entities.SOLE else me
        text += (f"请债权人自接到{sender}{letter}之日起{entities.days_cn(kind.claims.from_notice or 30)}内，"
                 f"未接到{letter}的自本公告见报之日起{entities.days_cn(kind.claims.from_announcement)}内，"
                 f"向{to}申报债权，并提供相关证明材料。")
    if contact:
        text += contact if kind.liquidator == "投资人" else f"{kind.liquidator}{contact}"
    return text + "特此公告。"


def compose_capital_reduction(f: Fields) -> str:
    # "…于2026年11月20日经股东会决议，…": the date lets creditors see the notice is in time
    # (CL 224: within 30 days of the resolution); left out when not given.
    resolved = parse_date(_v(f, "resolved_on"))
    when = f"于{format_date(resolved)}" if resolved else ""
    before, after = money_texts(_v(f, "capital_before"), _v(f, "capital_after"))
    text = (f"{_with_code(_v(f, 'company'), _v(f, 'uscc'))}{when}经{_v(f, 'decision')}，注册资本由"
            f"{before}减少至{after}。")
    if truthy(f.get("covers_losses")):
        # CL 225: reduction to cover losses — no distribution to shareholders, no creditor sentence.
        text += "本次减资用于弥补亏损，不向股东分配，也不免除股东缴纳出资的义务。"
    else:
        text += CREDITOR_DEMAND_SENTENCE
    contact = _contact(f)
    if contact:
        text += contact
    return text + "本公司将向公司登记机关申请变更登记。特此公告。"


def compose_merger(f: Fields) -> str:
    parties = [(_v(f, f"party{i}_name"), _v(f, f"party{i}_uscc")) for i in (1, 2, 3)]
    parties = [p for p in parties if p[0]]
    named = "与".join(_with_code(n, c) for n, c in parties) if len(parties) < 3 else \
        "、".join(_with_code(n, c) for n, c in parties[:-1]) + "与" + _with_code(*parties[-1])
    others = "、".join(n for n, _ in parties[1:])
    capital = money_text(_v(f, "capital_after"))
    decision = _v(f, "decision") or "股东会决议"
    if _v(f, "merger_form") == "新设合并":
        new = _v(f, "new_company")
        all_names = "、".join(n for n, _ in parties)
        text = (f"{named}经各自{decision}，以新设合并方式合并设立{new}"
                f"{f'（注册资本{capital}）' if capital else ''}，合并后{all_names}解散。"
                f"合并各方的债权、债务由合并后新设的{new}承继。")
    else:
        survivor = parties[0][0] if parties else ""
        # CL 219: the board decides for the absorbed ≥ 90 % subsidiary ("subsidiary"), for the
        # survivor paying ≤ 10 % of its net assets ("small"), or for both.
        each = "各自" if len(parties) > 2 else ""
        how = {"subsidiary": f"，{survivor}经{decision}、{others}经{each}董事会决议",
               "small": f"，{survivor}经董事会决议、{others}经{each}{decision}",
               "both": "经各自董事会决议"}.get(board_merger(f), f"经各自{decision}")
        text = (f"{named}{how}，由{survivor}吸收合并{others}。合并后{survivor}存续"
                f"{f'，注册资本为{capital}' if capital else ''}，{others}解散。"
                f"合并各方的债权、债务由合并后存续的{survivor}承继。")
    text += CREDITOR_DEMAND_SENTENCE.replace("本公司", "公司")
    contact = _contact(f)
    if contact:
        text += contact
    return text + "特此公告。"


def compose_division(f: Fields) -> str:
    results = []
    capitals = money_texts(*(_v(f, f"result{i}_capital") for i in (1, 2, 3)))
    for i in (1, 2, 3):
        name = _v(f, f"result{i}_name")
        if name:
            capital = capitals[i - 1]
            results.append(f"{name}（注册资本{capital}）" if capital else name)
    listed = "、".join(results[:-1]) + "和" + results[-1] if len(results) > 1 else "".join(results)
    form = _v(f, "division_form") or "存续分立"
    text = (f"{_with_code(_v(f, 'company'), _v(f, 'uscc'))}经{_v(f, 'decision') or '股东会决议'}，"
            f"以{form}方式分立为{listed}。")
    if form == "新设分立":
        text += f"分立后{_v(f, 'company')}解散。"
    text += "公司分立前的债务由分立后的公司承担连带责任，但公司在分立前与债权人就债务清偿达成的书面协议另有约定的除外。"
    contact = _contact(f)
    if contact:
        text += contact
    return text + "特此公告。"


def compose_correction(f: Fields) -> str:
    newspaper = _v(f, "original_newspaper")
    page = _v(f, "original_page")
    where = f"{newspaper}{date_text(_v(f, 'original_date'))}{f'第{page}版' if page else ''}"
    return (f"{_v(f, 'subject')}于{where}刊登的{_v(f, 'original_title')}中，"
            f"“{_v(f, 'wrong_text')}”应为“{_v(f, 'correct_text')}”，特此更正。")


# ---------------------------------------------------------------------------------------------
# The notice types beyond companies' (docs/law.md §9).
def _sentence(value: str) -> str:
    """A value typed as a clause, ended as a sentence: 。 added unless it ends with one."""
    value = value.strip()
    return value if not value or value[-1] in "。！？；;" else value + "。"


def _date_words(fields: Fields, name: str) -> str:
    d = parse_date(_v(fields, name))
    return format_date(d) if d else _v(fields, name)


def compose_debt_assignment(f: Fields) -> str:
    """债权转让暨催收公告: the assignor tells the debtors of the assignment (Civil Code Art. 546),
    the assignee demands performance (the 催收 that interrupts limitation, Art. 195)."""
    assignor = _v(f, "assignor")
    assignee = _v(f, "assignee")
    signed = _date_words(f, "assigned_on")
    agreement = _v(f, "agreement") or "《债权转让协议》"
    when = f"于{signed}" if signed else ""
    text = (f"根据{_with_code(assignor, _v(f, 'assignor_uscc'))}与{_with_code(assignee, _v(f, 'assignee_uscc'))}"
            f"{when}签订的{agreement}，{assignor}已将其对下列债务人及其担保人享有的主债权及担保合同项下的全部权利，"
            f"依法转让给{assignee}。{assignor}特此通知下列债务人、担保人及其承继人。"
            f"{assignee}作为上述债权的受让方，现要求下列债务人、担保人自本公告刊登之日起，立即向{assignee}"
            f"履行还款义务或者相应的担保责任。债务人、担保人及债权金额：{_sentence(_v(f, 'debtors'))}")
    return text + _contact(f) + "特此公告。"


def compose_eia_publicity(f: Fields) -> str:
    """环评公示: the five items of 环境影响评价公众参与办法 Art. 10, numbered as the notices print them."""
    text = (f"{_v(f, 'project')}环境影响报告书征求意见稿已编制完成。根据《环境影响评价公众参与办法》，"
            f"{_v(f, 'builder')}现公开下列信息，征求公众意见："
            f"一、征求意见稿全文的网络链接：{_v(f, 'report_link')}；"
            f"查阅纸质报告书的方式和途径：{_sentence(_v(f, 'paper_copy'))}"
            f"二、征求意见的公众范围：{_sentence(_v(f, 'public_scope'))}"
            f"三、公众意见表的网络链接：{_sentence(_v(f, 'form_link'))}"
            f"四、公众提出意见的方式和途径：{_sentence(_v(f, 'how_to_comment'))}{_contact(f)}"
            f"五、公众提出意见的起止时间：{_date_words(f, 'consult_from')}至{_date_words(f, 'consult_to')}。")
    return text + "特此公示。"


def compose_auction(f: Fields) -> str:
    """拍卖公告: the items of 拍卖法 Art. 46 — time and place, the lots, when and where they are
    shown, what a bidder must do."""
    consignor = f"受{_v(f, 'consignor')}委托，" if _v(f, "consignor") else ""
    at = f"{_date_words(f, 'sale_on')}{_v(f, 'sale_time')}"
    text = (f"{consignor}{_v(f, 'auctioneer')}定于{at}在{_v(f, 'sale_place')}公开拍卖下列标的："
            f"{_sentence(_v(f, 'lots'))}"
            f"展示时间：{_date_words(f, 'view_from')}至{_date_words(f, 'view_to')}；"
            f"展示地点：{_sentence(_v(f, 'view_place'))}"
            f"{_sentence(_v(f, 'procedures'))}")
    return text + _contact(f) + "特此公告。"


def compose_rename(f: Fields) -> str:
    """更名声明: a new name carries the same rights and debts (Civil Code Art. 532)."""
    old, new = _v(f, "old_name"), _v(f, "new_name")
    registrar = f"经{_v(f, 'registrar')}核准，" if _v(f, "registrar") else ""
    since = f"自{_date_words(f, 'changed_on')}起" if _v(f, "changed_on") else ""
    code = "，统一社会信用代码不变" if _v(f, "uscc") else ""
    return (f"{_with_code(old, _v(f, 'uscc'))}{registrar}{since}名称变更为“{new}”{code}。"
            f"原以“{old}”名义签订的合同、享有的债权和承担的债务，均由“{new}”继续享有和承担。特此声明。")


def compose_relocation(f: Fields) -> str:
    since = f"自{_date_words(f, 'moved_on')}起" if _v(f, "moved_on") else ""
    text = (f"{_with_code(_v(f, 'company'), _v(f, 'uscc'))}{since}由{_v(f, 'old_address')}"
            f"迁至{_v(f, 'new_address')}办公。")
    return text + _contact(f) + "特此声明。"


def compose_new_seal(f: Fields) -> str:
    seal = _v(f, "seal_kind")
    since = f"自{_date_words(f, 'since')}起" if _v(f, "since") else ""
    code = f"（印章编码：{_v(f, 'seal_code')}）" if _v(f, "seal_code") else ""
    reason = f"因{_v(f, 'reason')}，" if _v(f, "reason") else ""
    text = f"{_with_code(_v(f, 'company'), _v(f, 'uscc'))}{reason}{since}启用新的{seal}{code}。"
    if truthy(f.get("old_void")):
        text += f"原{seal}同时停止使用，声明作废。"
    return text + "特此声明。"


def compose_family_search(f: Fields) -> str:
    features = _sentence(_v(f, "features"))
    person = _v(f, "contact_person") or _v(f, "seeker")
    return (f"{_v(f, 'seeker')}寻找{_v(f, 'relation')}{_v(f, 'sought')}。{_sentence(_v(f, 'circumstances'))}{features}"
            f"如有知情者，请与{person}联系，联系电话：{_v(f, 'contact_phone')}。特此启事。")


def compose_foundling(f: Fields) -> str:
    """认领启事 for a foundling: the parents or guardians come forward within sixty days of the
    notice (中国公民收养子女登记办法 Art. 7)."""
    birth = f"，{_v(f, 'birth')}" if _v(f, "birth") else ""
    features = _sentence(_v(f, "features"))
    return (f"{_v(f, 'child')}，{_v(f, 'sex')}{birth}，于{_date_words(f, 'found_on')}在{_v(f, 'found_place')}被发现。"
            f"{features}请该儿童的亲生父母或者其他监护人自本公告刊登之日起六十日内，持有效证件到"
            f"{_v(f, 'contact_address')}认领，联系电话：{_v(f, 'contact_phone')}。逾期无人认领的，"
            f"视为查找不到生父母的儿童，由{_v(f, 'announcer')}依法安置。特此公告。")


def compose_apology(f: Fields) -> str:
    """道歉声明: the words of the apology as the judgment, mediation or agreement has them. Where
    the court fixed the whole text it is printed as it stands (Civil Code Art. 1000)."""
    statement = _sentence(_v(f, "statement"))
    if truthy(f.get("verbatim")):
        return statement
    # "根据广州市天河区人民法院（2026）粤0106民初12345号民事判决书，…"
    by = (f"根据{_v(f, 'court')}{_v(f, 'case_number')}{_v(f, 'ruling') or '民事判决书'}，"
          if _v(f, "case_number") else "")
    text = f"{by}{_v(f, 'apologiser')}向{_v(f, 'injured')}公开赔礼道歉：{statement}"
    return text if any(c in text[-12:] for c in APOLOGY_CLOSINGS) else text + "特此致歉。"


# How an apology may end (the catalogue's closings of 道歉声明): 特此致歉, …赔礼道歉。
APOLOGY_CLOSINGS = ("特此致歉", "特此道歉", "特此声明", "赔礼道歉", "深表歉意", "诚挚歉意", "郑重道歉")


def compose_text(notice_type: NoticeType, fields: Fields) -> str:
    """The standard body (after the title) of a notice of this type."""
    return notice_type.compose(fields)
