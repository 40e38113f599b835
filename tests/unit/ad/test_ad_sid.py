# -*- coding: utf-8 -*-
"""The objectSid codec: known SIDs in both directions, malformed values refused."""
import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._ad_sid import sid_from_bytes, sid_to_bytes

# S-1-5-21-4151808797-3430561092-2843464588-1104, as [MS-DTYP] lays it out, written by hand
DOMAIN_USER = (b"\x01\x05" + b"\x00\x00\x00\x00\x00\x05" + (21).to_bytes(4, "little")
               + (4151808797).to_bytes(4, "little") + (3430561092).to_bytes(4, "little")
               + (2843464588).to_bytes(4, "little") + (1104).to_bytes(4, "little"))


def test_domain_user_sid():
    assert sid_from_bytes(DOMAIN_USER) == "S-1-5-21-4151808797-3430561092-2843464588-1104"
    assert sid_to_bytes("S-1-5-21-4151808797-3430561092-2843464588-1104") == DOMAIN_USER


@pytest.mark.parametrize("text,raw", [
    ("S-1-1-0", b"\x01\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00"),           # Everyone
    ("S-1-5-32-544", b"\x01\x02\x00\x00\x00\x00\x00\x05\x20\x00\x00\x00\x20\x02\x00\x00"),  # Administrators
    ("S-1-5", b"\x01\x00\x00\x00\x00\x00\x00\x05"),                              # no sub-authority
])
def test_well_known_sids_round_trip(text, raw):
    assert sid_from_bytes(raw) == text
    assert sid_to_bytes(text) == raw


def test_large_authority_is_hex():
    raw = b"\x01\x01" + bytes.fromhex("123456789abc") + (7).to_bytes(4, "little")
    assert sid_from_bytes(raw) == "S-1-0x123456789ABC-7"
    assert sid_to_bytes("S-1-0x123456789ABC-7") == raw


def test_ldap3_hands_bytearrays_too():
    assert sid_from_bytes(bytearray(DOMAIN_USER)).endswith("-1104")


@pytest.mark.parametrize("raw", [None, b"", b"\x01\x05\x00", DOMAIN_USER[:-1], DOMAIN_USER + b"\x00"])
def test_malformed_binary_gives_none(raw):
    assert sid_from_bytes(raw) is None


@pytest.mark.parametrize("text", ["", "jdoe", "S-1", "S-x-5-21", "S-1-5-21-4294967296", "S-1-5-" + "-".join(["1"] * 16)])
def test_malformed_text_is_refused(text):
    with pytest.raises(ValueError):
        sid_to_bytes(text)


@pytest.mark.parametrize("value,expected", [
    ("S-1-5-21-4151808797-3430561092-2843464588-1104", True), ("s-1-5-32-544", True), (" S-1-1-0 ", True),
    ("S-1-5", False),                       # no sub-authority: not what a user or group has
    ("S-1-5-21-4294967296", False),         # sub-authority beyond 32 bits
    ("s-1-5-admins", False), ("jdoe", False), ("", False), (None, False)])
def test_is_sid(value, expected):
    from ansible_collections.hybrid.identity.plugins.module_utils._ad_sid import is_sid
    assert is_sid(value) is expected
