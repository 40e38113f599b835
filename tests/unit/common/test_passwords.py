import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._passwords import (
    SYMBOLS, generate_password, password_problems)


def test_generated_passwords_pass_both_directories_rules():
    seen = set()
    for _ in range(500):
        pw = generate_password()
        assert len(pw) == 20
        assert password_problems(pw) == []
        assert any(c in SYMBOLS for c in pw) and any(c.isdigit() for c in pw)
        assert not set(pw) & set("'\"\\,; lo0O1I")
        seen.add(pw)
    assert len(seen) == 500


def test_length_is_honoured_and_short_is_refused():
    assert len(generate_password(32)) == 32
    with pytest.raises(ValueError):
        generate_password(6)


@pytest.mark.parametrize("pw, sam, display, expect", [
    ("short1A", None, None, "shorter"),
    ("alllowercaseletters", None, None, "3 of the 4"),
    ("Xjdoe-2024!ok", "jdoe", None, "account name"),
    ("Muller#Secure99", None, "Jose Muller", "display name"),
    ("", None, None, "empty"),
])
def test_problems_are_named_without_the_password(pw, sam, display, expect):
    problems = password_problems(pw, sam, display)
    assert any(expect in p for p in problems), problems
    assert all(pw not in p for p in problems if pw)


def test_two_letter_names_do_not_count():
    assert password_problems("Bo-Secure-99x", "bo", "Bo Li") == []


def test_no_generated_password_starts_a_spreadsheet_formula():
    """20,000 draws: none starts with = + - @; every other allowed first character turns up; the
    symbols still appear everywhere else (the rejection does not drop them from the alphabet)."""
    from ansible_collections.hybrid.identity.plugins.module_utils._passwords import (
        DIGITS_SAFE, FORMULA_STARTS, LOWER_SAFE, UPPER_SAFE)
    firsts, later = {}, set()
    for _ in range(20000):
        pw = generate_password()
        firsts[pw[0]] = firsts.get(pw[0], 0) + 1
        later.update(pw[1:])
        assert password_problems(pw) == []
    assert not set(firsts) & set(FORMULA_STARTS)
    allowed = set(LOWER_SAFE + UPPER_SAFE + DIGITS_SAFE + SYMBOLS) - set(FORMULA_STARTS)
    assert set(firsts) == allowed
    assert set(FORMULA_STARTS) <= later
    # Roughly uniform over the allowed first characters: 20,000 / 62 = 322 expected each.
    assert min(firsts.values()) > 200 and max(firsts.values()) < 480, firsts
