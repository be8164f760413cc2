"""The ID-number scanner on numbers whose digits run on into a date."""
from __future__ import annotations

from notices.privacy import mask_id_numbers


def test_an_old_id_number_typed_against_the_year_of_a_date_is_masked():
    # 15 digits (an ID number of before 1999: region 130102, born 1933-05-31) with no space
    # before "2026年": the year's digits are not part of the number.
    assert mask_id_numbers("张三1301023305311042026年11月20日") == "张三130102*****11042026年11月20日"


def test_a_new_id_number_against_a_year_is_masked_and_the_year_stays():
    assert mask_id_numbers("身份证号码：4401061952112224462026年") == "身份证号码：440106********24462026年"


def test_a_plain_number_before_a_year_is_not_taken_for_an_id_number():
    # Too short for any ID number once the year is set apart.
    assert mask_id_numbers("第1232026年") == "第1232026年"
