# -*- coding: utf-8 -*-
"""Input hygiene of the role rows (pure logic): control characters, NUL bytes, structures or
numbers where text is meant, and CSV files that are not UTF-8 are refused per row, naming the row
and the fix, before anything is written."""
import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._role_input import (
    InputError, printable, read_csv, rows_from_list, validate_new_users, validate_pairs)
from ansible_collections.hybrid.identity.plugins.plugin_utils._role_input_files import decode_csv, load_rows

DOMAINS = ["contoso.com"]
SKUS = ["O365_BUSINESS_PREMIUM"]


def check(rows, source="list"):
    return validate_new_users(rows, DOMAINS, SKUS, upn_suffix="contoso.com", default_usage_location="US",
                              source=source)


def row(**fields):
    out = {"given_name": "Ann", "surname": "Lee", "username": "ann"}
    out.update(fields)
    return out


@pytest.mark.parametrize("char, name", [
    ("\x00", "NUL"), ("\x01", "control"), ("\t", "tab"), ("\n", "line feed"), ("\r", "carriage return"),
    ("\x1b", "control"), ("\x1f", "control"), ("\x7f", "DEL"), ("\x80", "control"), ("\x85", "control"),
    ("\x9f", "control"),
])
@pytest.mark.parametrize("field", ["given_name", "surname", "display_name", "department", "ou", "username"])
def test_control_characters_refused_in_any_field(char, name, field):
    users, errors = check([(3, row(**{field: "Ab%sCd" % char}))])
    assert users == [] and len(errors) == 1
    error = errors[0]
    assert error.startswith("item 3 (")
    assert "%s holds a control character (%s, U+%04X at character 3)" % (field, name, ord(char)) in error
    assert "remove it" in error
    assert char not in error  # the message itself is printable


def test_the_row_is_named_with_the_users_name_made_printable():
    users, errors = check([(1, row()), (2, {"given_name": "Bo", "surname": "Ek", "upn": "bo\x00x@contoso.com"}),
                           (3, row(username="cy", surname="Nul\x00Byte", upn="cy@contoso.com"))])
    assert [u["upn"] for u in users] == ["ann@contoso.com"]
    assert errors[0].startswith("item 2 (Bo Ek): upn holds a control character (NUL")
    assert "give a username or a upn" not in errors[0]  # the bad upn is reported once, not also as missing
    assert errors[1].startswith("item 3 (cy@contoso.com): surname holds a control character (NUL")
    assert "surname is empty" not in errors[1]
    assert printable("a\x00b\tc\udce9") == "a\\x00b\\tc\\xe9"


def test_pleasant_characters_pass():
    users, errors = check([(1, row(given_name="José-María", surname="Ñúñez O'Brien", display_name="Who? Me",
                                   department="R&D / Ops", description="«quoted» — ok ✓"))])
    assert errors == [] and users[0]["display_name"] == "Who? Me"


@pytest.mark.parametrize("value, kind", [
    ({"first": "Lee"}, "a mapping"), (["Lee", "Li"], "a list"), (True, "true/false"), (42, "a number"),
    (4.5, "a number"), (__import__("datetime").date(2024, 1, 31), "a date"),
])
def test_structures_and_scalars_where_text_is_meant(value, kind):
    users, errors = check([(1, row(surname=value))])
    assert users == []
    assert "surname must be text, not %s" % kind in errors[0] and "in quotes" in errors[0]
    assert "surname is empty" not in errors[0]


def test_numbers_and_booleans_where_they_make_sense():
    users, errors = check([(1, row(username=12345, employee_id=1001, telephone_number=5550100, postal_code=10115,
                                   enabled=False, licenses=["O365_BUSINESS_PREMIUM"], groups=["Staff", 42]))])
    assert errors == []
    user = users[0]
    assert user["sam_account_name"] == "12345" and user["employee_id"] == "1001" and user["enabled"] is False
    assert user["postal_code"] == "10115" and user["groups"] == ["Staff", "42"]
    users, errors = check([(1, row(enabled=1))])
    assert errors == [] and users[0]["enabled"] is True


def test_lists_hold_strings_only():
    users, errors = check([(1, row(groups=["Staff", {"name": "x"}], licenses=[["O365_BUSINESS_PREMIUM"]]))])
    assert users == []
    assert "groups item 2 must be text, not a mapping" in errors[0]
    assert "licenses item 1 must be text, not a list" in errors[0]
    users, errors = check([(1, row(groups=["Sta\nff"]))])
    assert "groups item 1 holds a control character (line feed" in errors[0]
    users, errors = check([(1, row(given_name=["Ann"]))])
    assert "given_name must be text, not a list" in errors[0] and "or a list of strings" not in errors[0]


def test_a_password_is_never_quoted():
    secret = {"pw": "S3cret-Value!"}
    users, errors = check([(1, row(password=secret)), (2, row(username="bo", password="S3cret\x00Value!"))])
    assert users == [] and len(errors) == 2
    assert "password must be text, not a mapping" in errors[0] and "S3cret" not in errors[0]
    assert "password holds a control character (NUL" in errors[1] and "S3cret" not in errors[1]


def test_non_dictionary_items_are_all_named():
    with pytest.raises(InputError) as info:
        rows_from_list([row(), "ann,lee", ["a"], row(username="x")], "new_users")
    assert "item 2 is a string (ann,lee)" in str(info.value) and "item 3 is a list" in str(info.value)


def test_odd_keys_do_not_crash_the_checks():
    odd = row()
    odd.update({1: "x", "bad\x00key": "y"})
    users, errors = check([(1, odd)])
    assert "unknown field(s) 1, bad\\x00key" in errors[0]


def test_pairs():
    pairs, errors = validate_pairs([(1, {"ad": "ann", "cloud": "ann@x.com"}), (2, {"ad": "b\x00b", "cloud": "b@x.com"}),
                                    (3, {"ad": 1234, "cloud": {"upn": "c@x.com"}}), (4, {"ad": "d", "cloud": "d\r@x.com"})])
    assert [p["ad"] for p in pairs] == ["ann"]
    assert errors[0].startswith("item 2 (? -> b@x.com): ad holds a control character (NUL")
    assert errors[1].startswith("item 3 (1234 -> ?): cloud must be text, not a mapping")
    assert "cloud holds a control character (carriage return" in errors[2]


# --- CSV files ------------------------------------------------------------------------------

HEADER = "given_name,surname,username\n"


def test_csv_cells_with_line_breaks_tabs_and_nul():
    rows = read_csv(HEADER + 'Ann,Lee,ann\n"Bo\nBo",Ek,bo\nCy,"D\to",cy\nDi,Nu\x00l,di\n', "new_users")
    users, errors = check(rows, source="csv")
    assert [u["sam_account_name"] for u in users] == ["ann"]
    assert errors[0].startswith("line 4 (bo@contoso.com): given_name holds a control character (line feed")
    assert errors[1].startswith("line 5 (cy@contoso.com): surname holds a control character (tab")
    assert errors[2].startswith("line 6 (di@contoso.com): surname holds a control character (NUL")


def latin1_file(tmp_path):
    path = tmp_path / "users.csv"
    path.write_bytes((HEADER + "Ann,Lee,ann\nRen\u00e9,M\u00fcller,rene\n").encode("latin-1"))
    return path


def test_latin1_csv_refused_per_row_naming_the_line_and_the_fix(tmp_path):
    rows, source = load_rows(str(latin1_file(tmp_path)), None, "new_users")
    users, errors = check(rows, source=source)
    assert [u["sam_account_name"] for u in users] == ["ann"]  # the good row is fine, but the run stops
    assert len(errors) == 1
    error = errors[0]
    assert error.startswith("line 3 (rene@contoso.com): given_name holds a byte that is not UTF-8 (0xE9 at character 4)")
    assert "surname holds a byte that is not UTF-8 (0xFC" in error
    assert "save it as UTF-8" in error and "CSV UTF-8" in error
    error.encode("utf-8")  # printable: no lone surrogate left to crash the output


def test_utf8_with_and_without_bom_is_accepted(tmp_path):
    for prefix in (b"", b"\xef\xbb\xbf"):
        path = tmp_path / "u.csv"
        path.write_bytes(prefix + (HEADER + "Ren\u00e9,M\u00fcller,rene\n").encode("utf-8"))
        rows, source = load_rows(str(path), None, "new_users")
        users, errors = check(rows, source=source)
        assert errors == [] and users[0]["given_name"] == "Ren\u00e9" and users[0]["surname"] == "M\u00fcller"


def test_utf16_and_bad_headers_refused_as_a_whole(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes((HEADER + "Ann,Lee,ann\n").encode("utf-16"))
    with pytest.raises(InputError) as info:
        load_rows(str(path), None, "new_users")
    assert "UTF-16" in str(info.value) and "CSV UTF-8" in str(info.value)
    with pytest.raises(InputError) as info:
        read_csv(decode_csv("given_name,surname,usern\u00e4me\n".encode("latin-1")), "new_users")
    assert "header (line 1)" in str(info.value) and "save it as UTF-8" in str(info.value)
    str(info.value).encode("utf-8")
