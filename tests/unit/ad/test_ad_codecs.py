# -*- coding: utf-8 -*-
import datetime

import pytest

from ansible_collections.hybrid.identity.plugins.module_utils import _ad_codecs as c


def test_immutable_id_matches_field_notes_example():
    assert c.immutable_id_from_guid("00112233-4455-6677-8899-aabbccddeeff") == "MyIRAFVEd2aImaq7zN3u/w=="
    assert c.guid_from_immutable_id("MyIRAFVEd2aImaq7zN3u/w==") == "00112233-4455-6677-8899-aabbccddeeff"


def test_guid_bytes_round_trip_is_little_endian():
    raw = c.guid_to_bytes("00112233-4455-6677-8899-aabbccddeeff")
    assert raw[:4] == b"\x33\x22\x11\x00"
    assert c.guid_from_bytes(raw) == "00112233-4455-6677-8899-aabbccddeeff"
    assert c.immutable_id_from_bytes(raw) == "MyIRAFVEd2aImaq7zN3u/w=="


@pytest.mark.parametrize("bad", ["not base64!", "AAAA"])
def test_guid_from_bad_immutable_id(bad):
    with pytest.raises(ValueError):
        c.guid_from_immutable_id(bad)


def test_guid_from_bytes_needs_16():
    with pytest.raises(ValueError):
        c.guid_from_bytes(b"123")


def test_guid_filter_value_escapes_every_byte():
    value = c.guid_filter_value("00112233-4455-6677-8899-aabbccddeeff")
    assert value.startswith("\\33\\22\\11\\00\\55\\44")
    assert len(value) == 48


def test_is_guid():
    assert c.is_guid("{00112233-4455-6677-8899-AABBCCDDEEFF}")
    assert not c.is_guid("jdoe")


def test_unicode_pwd_encoding():
    assert c.encode_unicode_pwd("Pä1!") == '"Pä1!"'.encode("utf-16-le")
    with pytest.raises(ValueError):
        c.encode_unicode_pwd(None)


def test_uac_flags_and_with():
    assert c.uac_flags(514) == ["ACCOUNTDISABLE", "NORMAL_ACCOUNT"]
    assert c.uac_enabled(512) and not c.uac_enabled(514)
    assert c.uac_with(546, enabled=True) == 512          # PASSWD_NOTREQD is always cleared
    assert c.uac_with(512, enabled=False) == 514
    assert c.uac_with(512, password_never_expires=True) == 512 | 65536
    assert c.uac_with(66048, password_never_expires=False) == 512
    assert c.uac_with(None) == 514                        # new accounts start disabled
    assert c.uac_with(512 | 0x10, enabled=True) == 512 | 0x10   # flags not managed are kept


def test_filetime():
    assert c.filetime_to_datetime(0) is None
    assert c.filetime_to_datetime(0x7FFFFFFFFFFFFFFF) is None
    moment = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    ft = c.datetime_to_filetime(moment)
    assert ft == 133486382450000000
    assert c.filetime_to_datetime(ft) == moment
    assert c.filetime_to_iso(ft) == "2024-01-02T03:04:05Z"
    assert c.datetime_to_filetime(datetime.datetime(1601, 1, 1)) == 0


def test_generalized_time():
    assert c.generalized_time_to_iso(b"20261125163124.0Z") == "2026-11-25T16:31:24Z"
    assert c.generalized_time_to_iso(None) is None


def test_must_change_password():
    assert c.must_change_password(0, 512)
    assert not c.must_change_password(0, 512 | 65536)
    assert not c.must_change_password(133486382450000000, 512)
    assert not c.must_change_password(None, 512)


def test_filter_escaping():
    assert c.escape_filter_value("a*b(c)\\") == "a\\2ab\\28c\\29\\5c"
    assert c.escape_filter_value("O'Brien") == "O'Brien"
    assert c.escape_filter_value(b"\x00\xff") == "\\00\\ff"
    assert c.or_filter(["(a=1)"]) == "(a=1)"
    assert c.or_filter(["(a=1)", "(b=2)"]) == "(|(a=1)(b=2))"


@pytest.mark.parametrize("value,escaped", [
    ("José Müller", "José Müller"),
    ("Doe, John", "Doe\\, John"),
    ("#hash", "\\#hash"),
    (" lead", "\\ lead"),
    ("trail ", "trail\\ "),
    ('a+b"c<d>e;f=g\\h', 'a\\+b\\"c\\<d\\>e\\;f=g\\\\h'),  # = is not an RFC 4514 special
])
def test_escape_rdn_value(value, escaped):
    assert c.escape_rdn_value(value) == escaped
    assert c.rdn_value("CN=%s,OU=x,DC=y" % escaped) == value


def test_dn_helpers():
    dn = "CN=Doe\\, John,OU=Staff,DC=corp,DC=example,DC=local"
    assert c.split_dn(dn) == ["CN=Doe\\, John", "OU=Staff", "DC=corp", "DC=example", "DC=local"]
    assert c.parent_dn(dn) == "OU=Staff,DC=corp,DC=example,DC=local"
    assert c.same_dn("ou=staff, dc=CORP,dc=example,dc=local", "OU=Staff,DC=corp,DC=example,DC=local")
    assert not c.same_dn("OU=a,DC=x", "OU=b,DC=x")
    assert c.looks_like_dn(dn) and not c.looks_like_dn("jdoe") and not c.looks_like_dn("a@b.c")
    assert c.dn_from_domain("corp.example.local") == "DC=corp,DC=example,DC=local"
    assert c.domain_from_dn("DC=Corp,DC=Example,DC=Local") == "corp.example.local"
    assert c.rdn_value("CN=M\\c3\\bcller,DC=x") == "Müller"


def test_to_int_and_text():
    assert c.to_int([b"512"]) == 512
    assert c.to_int([]) is None
    assert c.text(b"\xc3\xa9") == "é"


def test_dn_fast_paths_agree_with_the_escaped_path():
    from ansible_collections.hybrid.identity.plugins.module_utils import _ad_codecs as codecs
    assert codecs.split_dn("CN=Ann , OU=Staff,DC=corp") == ["CN=Ann", "OU=Staff", "DC=corp"]
    assert codecs.split_dn("") == [] and codecs.split_dn(None) == []
    assert codecs.normalize_dn("CN=Ann Lee, OU=Staff,DC=Corp") == "cn=ann lee,ou=staff,dc=corp"
    assert codecs.normalize_dn("CN=Ann\\2C Lee,DC=corp") == codecs.normalize_dn("cn=ann\\, lee,dc=CORP")
    assert codecs.normalize_dn("CN=Ann\\2C Lee,DC=corp") != codecs.normalize_dn("CN=Ann Lee,DC=corp")
    assert codecs.unescape_rdn_value("plain") == "plain"
    assert codecs.same_dn("CN=X,DC=a", "cn=x, dc=A") and not codecs.same_dn("CN=X,DC=a", None)
