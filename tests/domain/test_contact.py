"""The contact rules (notices/contact.py) that the web form and the API both apply."""
from notices import contact


def test_a_telephone_number_needs_seven_to_twenty_digits_whatever_the_punctuation():
    assert contact.phone_digits_ok("020-87750217")
    assert contact.phone_digits_ok("(020) 8775 0217")
    assert contact.phone_digits_ok("8775021")                      # a local number: 7 digits
    assert not contact.phone_digits_ok("138")
    assert not contact.phone_digits_ok("877502")
    assert not contact.phone_digits_ok("1" * 21)


def test_an_address_must_look_like_one_and_fit_the_stored_column():
    assert contact.email_ok("name@example.com")
    assert not contact.email_ok("name@example")
    assert not contact.email_ok("na me@example.com")
    local = "a" * (contact.EMAIL_MAX - len("@example.com"))
    assert contact.email_ok(local + "@example.com")
    assert not contact.email_ok(local + "a@example.com")          # one over the limit


def test_a_value_is_trimmed_and_normalised_or_refused_with_a_control_character():
    assert contact.clean("  李⼩姐 ") == ("李小姐", [])                # the radical ⼩ typed for 小
    value, found = contact.clean("李\u202e小姐")
    assert value == "李\u202e小姐" and found                       # kept as typed: the caller refuses it


def test_the_limits_are_the_stored_columns():
    from store.models import Notice
    columns = Notice.__table__.columns
    assert (columns["advertiser_name"].type.length, columns["advertiser_phone"].type.length,
            columns["advertiser_email"].type.length) == (contact.NAME_MAX, contact.PHONE_MAX, contact.EMAIL_MAX)
