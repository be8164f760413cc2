"""Identifier checks, tested from tables: the seed page's real codes, and every corruption of them.

The check characters are recomputed here by small independent implementations written from the
standards' tables (explicit weight lists rather than the module's formulas), so a wrong formula
in notices/identifiers.py cannot make its own tests pass.
"""

import ast
import re
import string
from pathlib import Path

import pytest
from stdnum.cn import ric, uscc as stdnum_uscc

from notices.identifiers import (
    CHECKS,
    IdentifierCheck,
    check_id_card,
    check_licence_serial,
    check_regno,
    check_seal_code,
    check_uscc,
    mask_id_card,
)

# Real codes from the seed page (docs/law.md §3): every one must pass.
SEED_USCC = [
    "914401013210446023",
    "914401133314312947",
    "91440101340230099E",
    "92440101MA5ACCGH4P",  # 个体工商户
    "91440111589520091U",
    "914401013045899779",
]
SEED_REGNO = ["440126601321994", "440106601059045", "440121600403804", "440121600212958"]
SEED_SEAL_CODES = ["4417810013412"]
SEED_LICENCE_SERIALS = ["S2612019050774G", "S2612015012019", "S1112015003684", "S0692014080867G",
                        "21912000283"]
# The worked examples printed in GB 11643-1999 itself (no real person's number in the tests).
STANDARD_ID_CARDS = ["11010519491231002X", "440524188001010014"]

ALNUM = string.digits + string.ascii_uppercase

# --- independent reference implementations -------------------------------------------------

# GB 32100-2015 table 3: the 31 characters in value order, and the weights 3^(i−1) mod 31 written
# out as the standard prints them.
GB32100_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def ref_uscc_check(first17: str) -> str:
    total = sum(GB32100_CHARS.index(c) * w for c, w in zip(first17, GB32100_WEIGHTS, strict=True))
    return GB32100_CHARS[-total % 31]


def ref_org_check(body8: str) -> str:
    """GB 11714: weights 3 7 9 10 5 8 4 2, A=10 … Z=35, 11 − Σ mod 11 with 10 → X, 11 → 0."""
    values = [string.digits.index(c) if c.isdigit() else 10 + string.ascii_uppercase.index(c)
              for c in body8]
    check = 11 - sum(v * w for v, w in zip(values, [3, 7, 9, 10, 5, 8, 4, 2], strict=True)) % 11
    return "0123456789X0"[check]


def ref_mod_11_10(digits: str) -> str:
    """ISO 7064 MOD 11,10 (GS 15-2006): the pure recursive form of the standard."""
    p = 10
    for d in digits:
        s = (p + int(d)) % 10 or 10
        p = (2 * s) % 11
    return str((11 - p) % 10)


def with_uscc_check(first17: str) -> str:
    return first17 + ref_uscc_check(first17)


def substitutions(code: str, alphabet: str):
    for i, original in enumerate(code):
        for char in alphabet:
            if char != original:
                yield i + 1, code[:i] + char + code[i + 1:]


def has_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def test_reference_implementations_agree_with_the_seed_codes():
    # Guards the guards: the independent implementations reproduce real check characters.
    for code in SEED_USCC:
        assert ref_uscc_check(code[:17]) == code[17]
        assert ref_org_check(code[8:16]) == code[16]
    for number in SEED_REGNO:
        assert ref_mod_11_10(number[:14]) == number[14]


# --- 统一社会信用代码 (GB 32100-2015) --------------------------------------------------------


@pytest.mark.parametrize("code", SEED_USCC)
def test_seed_uscc_pass_without_warning(code):
    result = check_uscc(code)
    assert result == IdentifierCheck("uscc", code, True, "ok", result.message)
    assert result.message.startswith("统一社会信用代码校验通过")


def test_uscc_names_the_organisation_type_for_market_regulation_codes():
    assert "个体工商户" in check_uscc("92440101MA5ACCGH4P").message
    assert "企业" in check_uscc("91440101340230099E").message


@pytest.mark.parametrize("code", SEED_USCC)
def test_every_single_substitution_in_a_seed_uscc_is_an_error(code):
    for position, corrupted in substitutions(code, ALNUM):
        result = check_uscc(corrupted)
        assert (result.valid, result.severity) == (False, "error"), corrupted
        if corrupted[position - 1] in GB32100_CHARS:
            # 31 is prime and no weight is 0 mod 31, so one substitution always moves the sum.
            expected = ref_uscc_check(corrupted[:17])
            assert expected != corrupted[17]
            assert (result.position, result.expected) == (18, expected)
            assert f"第18位校验码应为 {expected}，现为 {corrupted[17]}" in result.message
        else:  # I, O, S, V, Z
            assert result.position == position
            assert f"第{position}位“{corrupted[position - 1]}”" in result.message
            assert "I、O、S、V、Z" in result.message


@pytest.mark.parametrize("code", SEED_USCC)
def test_every_swap_of_neighbours_in_a_seed_uscc_is_an_error(code):
    for i in range(17):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2:]
            assert check_uscc(swapped).severity == "error", swapped


@pytest.mark.parametrize("first17", [
    "N2440101MA5ACCGH4",  # 农业 department
    "Y1440101MA5ACCGH4",  # 其他
    "A1100000MA5ACCGH4",
    "N3440101321044602",
])
def test_letter_prefixed_uscc_pass_though_stdnum_rejects_them(first17):
    code = with_uscc_check(first17)
    result = check_uscc(code)
    assert (result.valid, result.severity) == (True, "ok"), result.message
    # Why notices/identifiers.py does the GB 32100 arithmetic itself: python-stdnum 2.2 insists
    # on digits in positions 1–8 and refuses these real-format codes.
    assert not stdnum_uscc.is_valid(code)


def test_stdnum_accepts_digit_prefixed_seed_codes():
    # The other half of the comparison above: stdnum's arithmetic is not the problem.
    assert all(stdnum_uscc.is_valid(code) for code in SEED_USCC)


def test_embedded_organisation_code_mismatch_is_a_warning_without_a_correction():
    # 9144010132104460 + '5' (GB 11714 wants '2' here), 18th recomputed: a code that is right
    # under GB 32100 but whose 9–17 is not a GB 11714 code.
    first17 = "9144010132104460" + "5"
    assert ref_org_check(first17[8:16]) != first17[16]
    code = with_uscc_check(first17)
    result = check_uscc(code)
    assert (result.valid, result.severity, result.position) == (True, "warning", 17)
    assert result.expected is None  # "fixing" position 17 would break the GB 32100 check
    assert "第9–17位组织机构代码校验不符" in result.message


def test_embedded_organisation_code_mismatch_is_mentioned_when_the_check_also_fails():
    result = check_uscc("91440101340230089E")  # position 16: 9 → 8
    assert result.severity == "error"
    assert "第9–17位组织机构代码校验也不符" in result.message


def test_unknown_registration_department_is_a_warning_at_position_1():
    code = with_uscc_check("B1440101MA5ACCGH4")
    result = check_uscc(code)
    assert (result.valid, result.severity, result.position) == (True, "warning", 1)
    assert "第1位“B”" in result.message


@pytest.mark.parametrize("typed", ["9144 0101 3402 3009 9E", "91440101-340230099E", "91440101－340230099Ｅ",
                                   "9144\u30000101340230099E", " 914401013402300 99e "])
def test_codes_typed_in_groups_are_read_without_the_blanks_and_dashes(typed):
    result = check_uscc(typed)
    assert (result.valid, result.value) == (True, "91440101340230099E")


def test_id_numbers_typed_in_groups_are_read_too():
    from notices.identifiers import check_id_card, check_regno
    assert check_id_card("440106 19850317 2317").value == "440106198503172317"
    assert check_id_card("440106-19850317-2317").valid
    assert check_regno("4401 0660 1059 045").value == "440106601059045"


def test_region_code_unknown_to_the_division_table_is_not_reported():
    # Positions 3–8 are the registrar's code; 999999 is in no table, and that is not our business.
    code = with_uscc_check("91999999MA5ACCGH4")
    assert check_uscc(code).severity == "ok"


@pytest.mark.parametrize("typed, message_parts, position, expected", [
    ("9144010134023009E", ["应为18位", "现为17位", "91440101340230099E"], None, None),
    ("914401013402300999E", ["应为18位", "现为19位"], None, None),
    ("9144O101340230099E", ["第5位“O”不是统一社会信用代码可用的字符", "不用 I、O、S、V、Z"], 5, None),
    ("91440101340230099F", ["第18位校验码应为 E，现为 F", "营业执照"], 18, "E"),
    ("9144010134023-099E", ["应为18位", "现为17位"], None, None),   # a dash typed for a character
    ("9144010134023_099E", ["第14位“_”"], 14, None),
    ("440106601059045", ["现为15位", "注册号"], None, None),
    ("", ["请填写统一社会信用代码", "91440101340230099E"], None, None),
])
def test_uscc_errors_say_what_where_and_how(typed, message_parts, position, expected):
    result = check_uscc(typed)
    assert (result.valid, result.severity) == (False, "error")
    assert (result.position, result.expected) == (position, expected)
    for part in message_parts:
        assert part in result.message


def test_uscc_lookalike_hint_offers_the_corrected_code_only_when_it_checks_out():
    assert "91440101340230099E" in check_uscc("91440101340230O99E").message  # O for 0
    # O for 0 in position 15 but a wrong 18th as well: no misleading "corrected" code.
    assert "改为" not in check_uscc("91440101340230O99F").message


@pytest.mark.parametrize("typed", [
    "９１４４０１０１３４０２３００９９Ｅ",  # full-width
    "91440101340230099e",
    "  91440101340230099E\u3000",
])
def test_uscc_input_is_normalised_not_refused(typed):
    result = check_uscc(typed)
    assert (result.value, result.severity) == ("91440101340230099E", "ok")


# --- 注册号 (GS 15-2006) ---------------------------------------------------------------------


@pytest.mark.parametrize("number", SEED_REGNO)
def test_seed_regno_pass(number):
    result = check_regno(number)
    assert (result.valid, result.severity, result.value) == (True, "ok", number)
    # Position 7 is 6 in all four: individual businesses (GS 15-2006).
    assert "个体工商户" in result.message


@pytest.mark.parametrize("number, place", [
    ("440126601321994", "番禺县（1992年前）"),  # withdrawn code, still on old licences
    ("440121600403804", "花县（1993年前）"),
    ("440106601059045", "天河区"),
])
def test_regno_names_historical_authorities(number, place):
    assert place in check_regno(number).message


def test_regno_not_an_individual_business_says_nothing_about_it():
    first14 = "44010600000001"
    result = check_regno(first14 + ref_mod_11_10(first14))
    assert result.severity == "ok"
    assert "个体工商户" not in result.message


@pytest.mark.parametrize("number", SEED_REGNO)
def test_every_single_substitution_in_a_seed_regno_is_an_error(number):
    for _position, corrupted in substitutions(number, string.digits):
        result = check_regno(corrupted)
        expected = ref_mod_11_10(corrupted[:14])
        assert expected != corrupted[14]  # MOD 11,10 catches every single substitution
        assert (result.valid, result.severity) == (False, "error"), corrupted
        assert (result.position, result.expected) == (15, expected)
        assert f"第15位校验位应为 {expected}，现为 {corrupted[14]}" in result.message


@pytest.mark.parametrize("number", SEED_REGNO)
def test_a_letter_anywhere_in_a_regno_is_an_error_at_its_position(number):
    for position, corrupted in substitutions(number, "AX"):
        result = check_regno(corrupted)
        assert (result.severity, result.position) == ("error", position)
        assert f"第{position}位" in result.message and "不是数字" in result.message


def test_unknown_authority_code_is_a_warning():
    first14 = "99999960132199"
    result = check_regno(first14 + ref_mod_11_10(first14))
    assert (result.valid, result.severity, result.position) == (True, "warning", 1)
    assert "999999" in result.message


@pytest.mark.parametrize("typed, part", [
    ("44012660132199", "现为14位"),
    ("91440101340230099E", "统一社会信用代码"),
    ("", "请填写15位注册号"),
])
def test_regno_length_errors(typed, part):
    result = check_regno(typed)
    assert result.severity == "error" and part in result.message


def test_regno_full_width_is_normalised():
    assert check_regno("４４０１２６６０１３２１９９４").value == "440126601321994"


# --- 居民身份证号码 (GB 11643-1999) ------------------------------------------------------------


@pytest.mark.parametrize("number", STANDARD_ID_CARDS + ["11010519491231002x"])
def test_standard_examples_pass(number):
    result = check_id_card(number)
    assert (result.valid, result.severity) == (True, "ok"), result.message
    assert result.value == number.upper()


def test_stdnum_would_refuse_the_standards_own_example():
    # 440524 (潮阳县) is dated 1983–1993 in stdnum's table and the example person was born 1880:
    # stdnum ties the region to the birth year, but the region is where the number was issued.
    assert not ric.is_valid("440524188001010014")
    assert check_id_card("440524188001010014").valid


@pytest.mark.parametrize("number", STANDARD_ID_CARDS)
def test_every_single_digit_substitution_in_an_id_number_is_an_error(number):
    for _position, corrupted in substitutions(number[:17], string.digits):
        assert check_id_card(corrupted + number[17]).severity == "error", corrupted


@pytest.mark.parametrize("typed, message_parts, position, expected", [
    ("110105194912310021", ["第18位校验码应为 X，现为 1"], 18, "X"),
    ("11010519491231X02X", ["第15位“X”", "只有最后一位可以是 X"], 15, None),
    ("1101051949123100AX", ["第17位“A”"], 17, None),
    ("110105194913310021", ["出生日期", "19491331"], 7, None),
    ("110105209912310021", ["出生日期", "晚于今天"], 7, None),
    ("11010519491231002", ["应为18位", "现为17位"], None, None),
    ("", ["请填写"], None, None),
])
def test_id_card_errors(typed, message_parts, position, expected):
    result = check_id_card(typed)
    assert (result.valid, result.severity) == (False, "error")
    assert (result.position, result.expected) == (position, expected)
    for part in message_parts:
        assert part in result.message


def test_old_15_digit_id_number_is_a_warning_asking_for_18_digits():
    result = check_id_card("110105491231002")
    assert (result.valid, result.severity) == (True, "warning")
    assert "18位" in result.message


def test_old_15_digit_id_number_with_impossible_date_is_an_error():
    assert check_id_card("110105491331002").severity == "error"


def test_unknown_region_in_id_number_is_a_warning():
    first17 = "99010519491231002"
    number = first17 + ric.calc_check_digit(first17 + "0")
    result = check_id_card(number)
    assert (result.valid, result.severity, result.position) == (True, "warning", 1)


@pytest.mark.parametrize("typed, masked", [
    ("11010519491231002X", "110105********002X"),
    ("11010519491231002x", "110105********002X"),
    ("１１０１０５１９４９１２３１００２Ｘ", "110105********002X"),
    ("110105491231002", "110105*****1002"),
    ("1234567890", "**********"),
    ("", ""),
])
def test_mask_id_card_keeps_six_and_four(typed, masked):
    assert mask_id_card(typed) == masked


# --- 印章编码 and 营业执照编号: warnings only --------------------------------------------------


@pytest.mark.parametrize("code", SEED_SEAL_CODES)
def test_seed_seal_codes_pass(code):
    result = check_seal_code(code)
    assert (result.severity, result.value) == ("ok", code)
    assert "阳春市" in result.message  # first 6 = 441781


@pytest.mark.parametrize("serial", SEED_LICENCE_SERIALS)
def test_seed_licence_serials_pass(serial):
    assert check_licence_serial(serial) == IdentifierCheck(
        "licence-serial", serial, True, "ok", "营业执照编号格式正确")


def test_licence_serial_lower_case_is_normalised():
    assert check_licence_serial("s2612019050774g").value == "S2612019050774G"


ODD_INPUTS = ["", "1", "441781001341", "44178100134120", "441781001341A", "S-2612", "编号123",
              "S2612019050774G-2612019050774", "4417 8100 1341"]


@pytest.mark.parametrize("typed", ODD_INPUTS)
def test_seal_code_never_errors(typed):
    result = check_seal_code(typed)
    assert (result.valid, result.severity) == (True, "warning"), typed
    assert "13位数字" in result.message


@pytest.mark.parametrize("typed", [t for t in ODD_INPUTS
                                   if not re.fullmatch(r"[0-9A-Z]{8,20}", re.sub(r"[\s-]", "", t))])
def test_licence_serial_never_errors(typed):
    result = check_licence_serial(typed)
    assert (result.valid, result.severity) == (True, "warning"), typed


# --- the registry and the module as a whole ---------------------------------------------------


def test_checks_registry_is_keyed_by_kind():
    assert set(CHECKS) == {"uscc", "regno", "id-card", "seal-code", "licence-serial"}
    for kind, check in CHECKS.items():
        assert check("1").kind == kind


ALL_SAMPLES = (SEED_USCC + SEED_REGNO + STANDARD_ID_CARDS + SEED_SEAL_CODES + SEED_LICENCE_SERIALS
               + ODD_INPUTS + ["91440101340230099F", "9144O101340230099E", "440126601321995"])


@pytest.mark.parametrize("kind", sorted(CHECKS))
def test_every_message_is_chinese_and_severity_matches_validity(kind):
    for typed in ALL_SAMPLES:
        result = CHECKS[kind](typed)
        assert has_chinese(result.message), (kind, typed)
        assert result.severity in ("ok", "warning", "error")
        assert result.valid == (result.severity != "error")
        assert result.position is None or 1 <= result.position <= max(len(result.value), 1)


def test_identifiers_module_has_no_flask_imports():
    source = Path(__file__).parents[2] / "notices" / "identifiers.py"
    imported = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "collections", "dataclasses", "datetime", "re", "stdnum"}


@pytest.mark.parametrize("kind, typed, position", [
    ("regno", "44012660132199²", 15),  # str.isdigit() is True for ², int() is not
    ("regno", "٤٤٠١٢٦٦٠١٣٢١٩٩٤", 1),  # Arabic-Indic digits
    ("id-card", "11010519491231002²", 18),
    ("uscc", "9144010134023009９E".replace("９", "⁹"), 17),
])
def test_unicode_digits_other_than_0_to_9_are_refused_not_crashed_on(kind, typed, position):
    result = CHECKS[kind](typed)
    assert (result.severity, result.position) == ("error", position)


def test_seal_code_with_unicode_digits_is_a_warning():
    assert check_seal_code("441781001341²").severity == "warning"
