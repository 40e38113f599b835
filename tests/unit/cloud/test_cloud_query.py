"""Filter building and read-strategy arithmetic (pure)."""
from ansible_collections.hybrid.identity.plugins.module_utils import _cloud_query as q


def test_quote_doubles_single_quotes():
    assert q.quote("o'brien@x.com") == "'o''brien@x.com'"


def test_in_filters_chunk_by_fifteen():
    values = ["u%d@x.com" % i for i in range(31)]
    filters = q.in_filters("userPrincipalName", values)
    assert len(filters) == 3
    assert filters[0].startswith("userPrincipalName in ('u0@x.com',")
    assert filters[0].count("'") == 30
    assert filters[2] == "userPrincipalName in ('u30@x.com')"


def test_split_keys_dedupes_and_separates_ids():
    ids, upns = q.split_keys(["A@x.com", "a@X.com", "0a6f1c55-7e2b-4d3a-9c8e-1f2a3b4c5d01", "", None, "b@x.com"])
    assert ids == ["0a6f1c55-7e2b-4d3a-9c8e-1f2a3b4c5d01"]
    assert upns == ["A@x.com", "b@x.com"]


def test_request_costs():
    assert q.filter_requests(0) == 0
    assert q.filter_requests(15) == 1
    assert q.filter_requests(16) == 1       # two filters, one batch
    assert q.filter_requests(300) == 1
    assert q.filter_requests(301) == 2
    assert q.filter_requests(1000) == 4
    assert q.listing_requests(0) == 1
    assert q.listing_requests(999) == 1
    assert q.listing_requests(1009) == 2


def test_choose_read_picks_the_cheaper():
    assert q.choose_read(1000, 1009) == "listing"     # 2 pages beat 4 batches
    assert q.choose_read(1000, 100000) == "filter"    # 101 pages lose to 4 batches
    assert q.choose_read(400, 500) == "listing"
    assert q.choose_read(10, 5) == "filter"           # ties go to filter
    assert q.choose_read(1000, None) == "filter"
    assert not q.worth_counting(300)
    assert q.worth_counting(301)


def test_advanced_filters_detected():
    assert q.needs_advanced("department ne 'Sales'")
    assert q.needs_advanced("not(accountEnabled eq true)")
    assert q.needs_advanced("endsWith(mail,'@x.com')")
    assert not q.needs_advanced("department eq 'Sales'")
    assert not q.needs_advanced("displayName eq 'Anne not Bob'")
    assert not q.needs_advanced("startswith(displayName,'ne')")


def test_urlencode_query_encodes_filter():
    text = q.urlencode_query([("$select", "id,mail"), ("$filter", "mail in ('a&b@x.com')")])
    assert text.startswith("$select=id,mail&$filter=mail%20in%20%28%27a%26b@x.com%27%29")
