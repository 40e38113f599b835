# -*- coding: utf-8 -*-
"""1,000 pairs linked in one account_link run; the request counts are printed (pytest -s)."""
import json

import pytest

from integration.link.bulk import Timer, cloud_users, create_ad_users, graph_requests, upn
from integration.link.conftest import anchor_of, link_of

COUNT = 1000


@pytest.mark.slow
def test_thousand_pairs_in_one_run(run, sim, ldap, ou, uid):
    prefix = "bulk%s" % uid
    with Timer() as setup:
        dns = create_ad_users(ldap, ou, prefix, COUNT)
        sim.reset(cloud_users(prefix, COUNT))
    args = {"ad_search_base": ou, "cloud_filter": "startswith(userPrincipalName,'%s')" % prefix, "rules": ["upn"]}
    sim.reset_counters()
    with Timer() as first:
        res = run("account_link", args)
    counters = graph_requests(sim.counters())
    assert res["summary"]["linked"] == COUNT and res["summary"]["total"] == COUNT
    assert res["summary"]["failed"] == 0 and res["summary"]["skipped"] == 0
    users = sim.users()
    for i in (0, 1, COUNT // 2, COUNT - 1):
        user = users[upn(prefix, i)]
        assert user["onPremisesImmutableId"] == anchor_of(ldap, dns[i]) and link_of(ldap, dns[i]) == user["id"]
    assert sum(1 for u in users.values() if u["userPrincipalName"].startswith(prefix)
               and u.get("onPremisesImmutableId")) == COUNT
    ldap_ops = res["ldap_operations"]
    assert ldap_ops["writes"] == COUNT                       # one modify per AD user
    assert counters["batch_subrequests"] >= COUNT and counters["graph_http_requests"] <= COUNT / 20 + 15

    sim.reset_counters()
    with Timer() as rerun:
        again = run("account_link", args)
    rerun_counters = graph_requests(sim.counters())
    assert not again["changed"] and again["summary"]["unchanged"] == COUNT
    assert again["ldap_operations"]["writes"] == 0 and rerun_counters["writes"] == 0

    report = {"pairs": COUNT, "setup_s": round(setup.elapsed, 1),
              "link_run": {"seconds": round(first.elapsed, 1), "ldap": ldap_ops,
                           "graph": dict((k, v) for k, v in counters.items() if k != "by_route"),
                           "graph_by_route": counters["by_route"], "module_graph_stats": res["graph"]},
              "rerun": {"seconds": round(rerun.elapsed, 1), "ldap": again["ldap_operations"],
                        "graph": dict((k, v) for k, v in rerun_counters.items() if k != "by_route"),
                        "graph_by_route": rerun_counters["by_route"]}}
    print("\nLINK BULK " + json.dumps(report, indent=1))
