"""cloud_license's seats: in list order while a SKU's free units last; one user's shortage never fails
another user; a user gets all its new SKUs or none."""
from ansible_collections.hybrid.identity.plugins.module_utils._cloud_license_math import SkuCatalog
from ansible_collections.hybrid.identity.plugins.modules.cloud_license import allocate

BP = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"
EP = "6fd2c87f-b296-42f0-b197-1e91e994b900"


def catalog(bp_free=10, ep_free=3):
    return SkuCatalog([
        {"skuId": BP, "skuPartNumber": "O365_BUSINESS_PREMIUM", "prepaidUnits": {"enabled": 25},
         "consumedUnits": 25 - bp_free, "servicePlans": []},
        {"skuId": EP, "skuPartNumber": "ENTERPRISEPACK", "prepaidUnits": {"enabled": 5}, "consumedUnits": 5 - ep_free,
         "servicePlans": []}])


class E(object):
    def __init__(self, name, *skus, **kw):
        self.name, self.new_ids, self.error = name, list(skus), kw.get("error")


def errors(entries):
    return [e.error for e in entries]


def test_short_by_one_fails_only_the_last_user_naming_sku_counts_and_fix():
    entries = [E("u%d" % i, EP) for i in range(4)]
    short = allocate(entries, catalog(ep_free=3))
    assert short == [("ENTERPRISEPACK", 4, 3)]
    assert errors(entries)[:3] == [None, None, None]
    error = entries[3].error
    assert "ENTERPRISEPACK" in error and "need 4 of ENTERPRISEPACK, 3 free" in error
    assert "buy or free 1 unit(s) of ENTERPRISEPACK" in error and "nothing was assigned" in error


def test_a_user_of_a_sku_with_seats_never_fails_because_of_another_sku():
    entries = [E("a", EP), E("b", BP), E("c", EP), E("d", BP)]
    allocate(entries, catalog(ep_free=0))
    assert [e.error is None for e in entries] == [False, True, False, True]
    # strict (allow_partial false): the short SKU goes to nobody, the other SKU's users still get theirs
    entries = [E("a", EP), E("b", BP), E("c", EP)]
    allocate(entries, catalog(ep_free=1), strict=True)
    assert [e.error is None for e in entries] == [False, True, False]
    assert "allow_partial is false" in entries[0].error


def test_all_or_nothing_per_user_keeps_the_seat_for_the_next_user():
    # a wants both, EP has none: a fails and does not spend a BP seat; b and c get the 2 BP seats
    entries = [E("a", BP, EP), E("b", BP), E("c", BP)]
    allocate(entries, catalog(bp_free=2, ep_free=0))
    assert [e.error is None for e in entries] == [False, True, True]
    assert "no free seat of ENTERPRISEPACK" in entries[0].error and "O365" not in entries[0].error.split("(")[0]


def test_users_already_failed_or_needing_nothing_take_no_seat():
    entries = [E("gone", EP, error="no such user"), E("has", ), E("x", EP), E("y", EP)]
    short = allocate(entries, catalog(ep_free=2))
    assert short == [] and errors(entries) == ["no such user", None, None, None]


def test_nothing_short_changes_nothing():
    entries = [E("a", BP), E("b", EP)]
    assert allocate(entries, catalog()) == [] and errors(entries) == [None, None]
