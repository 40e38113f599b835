# -*- coding: utf-8 -*-
import pytest

from ansible_collections.hybrid.identity.plugins.module_utils import _ad_names as n


@pytest.mark.parametrize("sam", ["jdoe", "jose.muller", "a" * 20, "o'brien", "svc-app_1"])
def test_valid_sams(sam):
    assert n.validate_sam(sam) is None


@pytest.mark.parametrize("sam,why", [
    ("a" * 21, "21 characters"),
    ("bad/name", "forbidden"),
    ('q"uote', "forbidden"),
    ("x*", "forbidden"),
    ("trailing.", "period"),
    ("", "empty"),
    ("...", "period"),
])
def test_invalid_sams(sam, why):
    assert why in n.validate_sam(sam)


@pytest.mark.parametrize("kwargs,expected", [
    (dict(given_name=u"José", surname=u"Müller"), "jose.muller"),
    (dict(given_name="Sean", surname="O'Brien"), "sean.obrien"),
    (dict(name=u"Jürgen Groß"), "jurgen.gross"),
    (dict(name=u"Søren Æbelø"), "soren.aebelo"),
    (dict(name="Łukasz Żółw"), "lukasz.zolw"),
    (dict(upn="J.Doe@contoso.com", given_name="x", surname="y"), "j.doe"),
    (dict(name="Maximilian-Alexander Schwarzenegger"), "maximilian-alexander"),
    (dict(name="  spaced   out  "), "spaced.out"),
    (dict(given_name="A.", surname=".B"), "a.b"),
])
def test_sam_base(kwargs, expected):
    base = n.sam_base(**kwargs)
    assert base == expected
    assert n.validate_sam(base) is None


def test_sam_base_nothing_usable():
    assert n.sam_base(name=u"李小龍") is None


def test_sam_base_cut_never_ends_with_period():
    base = n.sam_base(name="abcdefghijklmnopqrs tuv")
    assert len(base) <= 20 and not base.endswith(".")


def test_collision_rule():
    assert n.with_suffix("jose.muller", 1) == "jose.muller"
    assert n.with_suffix("jose.muller", 2) == "jose.muller2"
    assert n.with_suffix("a" * 20, 2) == "a" * 19 + "2"
    assert n.with_suffix("a" * 20, 10) == "a" * 18 + "10"
    assert n.with_suffix("abcdefghijklmnopqr.s", 2) == "abcdefghijklmnopqr2"
    taken = {"jose.muller", "jose.muller2"}
    assert n.pick_sam("jose.muller", taken) == "jose.muller3"
    assert n.pick_sam("Jose.Muller", {"jose.muller"}) == "Jose.Muller2"
    assert n.pick_sam("free", taken) == "free"


@pytest.mark.parametrize("upn", ["jdoe@contoso.com", "o'brien@corp.example.local", "a.b-c_d@x.io"])
def test_valid_upns(upn):
    assert n.validate_upn(upn) is None


@pytest.mark.parametrize("upn", ["jdoe", "a@b@c.com", u"josé@contoso.com", "jdoe@localhost", ".a@x.com",
                                 "a..b@x.com", "a b@x.com", "a@-x.com"])
def test_invalid_upns(upn):
    assert n.validate_upn(upn)


def test_dns_names_and_suffix():
    assert n.validate_dns_name("contoso.com") is None
    assert n.validate_dns_name("contoso")
    assert n.validate_dns_name("bad_name.com")
    assert n.upn_suffix("a@Contoso.COM") == "contoso.com"
    assert n.upn_suffix("nope") is None
