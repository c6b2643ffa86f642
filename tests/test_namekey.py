import unicodedata

from hypothesis import given, strategies as st

from warehouse.namekey import name_key


def test_known_forms_fold_to_one_key():
    assert name_key("München") == name_key("MÜNCHEN") == name_key("Mu\u0308nchen") == "munchen"
    assert name_key("Saint-Étienne") == name_key("saint etienne")
    assert name_key("İstanbul") == name_key("istanbul")
    assert name_key("Αθήνα") == "athina"


def test_format_characters_and_punctuation_are_dropped():
    assert name_key("Zu\u200brich\u202e ") == "zurich"
    assert name_key("  Frankfurt (Oder) ") == "frankfurt oder"
    assert name_key("") == "" and name_key(None) == ""


@given(st.text())
def test_idempotent(text):
    assert name_key(name_key(text)) == name_key(text)


@given(st.text())
def test_composed_and_decomposed_forms_share_a_key(text):
    assert name_key(unicodedata.normalize("NFC", text)) == name_key(unicodedata.normalize("NFD", text))


@given(st.text())
def test_key_is_plain_ascii_words(text):
    key = name_key(text)
    assert key == key.strip() and "  " not in key
    assert all(ch.isascii() and (ch.isalnum() or ch == " ") for ch in key)
