"""Benchmark: the floors method 1 is measured against, on the same servers.

    .venv/bin/python tests/benchmarks/floors.py [--count 1000] [--out FILE] [--directory-only]

- directory: a bare ldap3 loop on one LDAPS connection adding N users shaped like method 1's
  (same object classes and attributes, a 20-character password in the add), in a throw-away OU.
  Samba takes one add at a time (single process): this is the directory's limit here. Then one
  modify per user writing the link attribute, which method 1 also does (reported apart).
- simulator: bare batched Graph writes with requests on one session, the writes method 1 needs
  per user at best (POST /users with the immutable id, then assignLicense), 20 per $batch, throttling
  off, against a private simulator: the simulator's limit for this access pattern.
- Graph's published write budget, 3,000 writes per 150 s per app and tenant (20 writes/s): at
  2 writes per user, N users take N / 10 s in production however fast the client is.

Samba's time per add grows with what the directory holds (its indexes and tombstones), so `make bench`
runs the directory floor twice, before method 1 and after it (--directory-only), and the report
measures method 1 against the mean of the two.
"""
import base64
import os
import secrets
import string
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

USER_CLASSES = ["top", "person", "organizationalPerson", "user"]


def password():
    alphabet = string.ascii_letters + string.digits + "-_.!#"
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(20))
        if any(c.islower() for c in value) and any(c.isupper() for c in value) and any(c.isdigit() for c in value):
            return value


def directory_floor(lab, count):
    """N ldap3 adds (with password) on one connection; seconds and adds per second."""
    tag = B.new_tag()
    rows = B.generate_users(count, tag, None)
    suffix = lab["LAB_REALM"].lower()
    with B.BenchOU(lab, "floor-" + tag) as ou:
        conn = B.ldap_connection(lab)
        failed = 0
        start = time.monotonic()
        for row in rows:
            attrs = {"sAMAccountName": row["username"], "userPrincipalName": "%s@%s" % (row["username"], suffix),
                     "givenName": row["given_name"], "sn": row["surname"], "displayName": row["display_name"],
                     "department": row["department"], "title": row["job_title"], "userAccountControl": "512",
                     "unicodePwd": ('"%s"' % password()).encode("utf-16-le")}
            if not conn.add("CN=%s,%s" % (row["display_name"], ou.dn), USER_CLASSES, attrs):
                failed += 1
        elapsed = time.monotonic() - start
        # method 1 also writes the link attribute (the cloud object id) on every user: one modify each
        start = time.monotonic()
        for row in rows:
            if not conn.modify("CN=%s,%s" % (row["display_name"], ou.dn),
                               {"msDS-cloudExtensionAttribute1": [("MODIFY_REPLACE", [str(uuid.uuid4())])]}):
                failed += 1
        modify_elapsed = time.monotonic() - start
        conn.unbind()
    return {"count": count, "seconds": round(elapsed, 2), "per_s": round(count / elapsed, 1), "failed": failed,
            "operations": count, "link_modify_s": round(modify_elapsed, 2),
            "with_link_modify_s": round(elapsed + modify_elapsed, 2), "ou_delete_s": ou.delete_seconds}


def graph_floor(lab, count, workdir):
    """N users created and licensed with bare $batch writes (one session, 20 per batch)."""
    tag = B.new_tag()
    with B.Simulator(workdir, units=count + 1000, throttle="off") as sim:
        session = sim.bare_session(lab)
        rows = B.generate_users(count, tag, None)
        sim.reset_counters()
        failed = 0
        ids = []
        start = time.monotonic()
        for first in range(0, count, 20):
            subs = []
            for i, row in enumerate(rows[first:first + 20]):
                upn = "%s@%s" % (row["username"], B.CLOUD_DOMAIN)
                subs.append({"id": str(i + 1), "method": "POST", "url": "/users",
                             "headers": {"Content-Type": "application/json"},
                             "body": {"accountEnabled": True, "displayName": row["display_name"],
                                      "mailNickname": row["username"], "userPrincipalName": upn,
                                      "givenName": row["given_name"], "surname": row["surname"],
                                      "department": row["department"], "jobTitle": row["job_title"],
                                      "usageLocation": row["usage_location"],
                                      "onPremisesImmutableId": base64.b64encode(uuid.uuid4().bytes_le).decode(),
                                      "passwordProfile": {"password": password(),
                                                          "forceChangePasswordNextSignIn": False}}})
            answer = session.post(sim.url + "/v1.0/$batch", json={"requests": subs}).json()
            for sub in answer["responses"]:
                if sub["status"] == 201:
                    ids.append(sub["body"]["id"])
                else:
                    failed += 1
        created = time.monotonic()
        for first in range(0, len(ids), 20):
            subs = [{"id": str(i + 1), "method": "POST", "url": "/users/%s/assignLicense" % uid,
                     "headers": {"Content-Type": "application/json"},
                     "body": {"addLicenses": [{"skuId": B.SKU_ID, "disabledPlans": []}], "removeLicenses": []}}
                    for i, uid in enumerate(ids[first:first + 20])]
            answer = session.post(sim.url + "/v1.0/$batch", json={"requests": subs}).json()
            failed += sum(1 for sub in answer["responses"] if sub["status"] >= 300)
        elapsed = time.monotonic() - start
        counters = B.graph_figures(sim.counters())
    return {"count": count, "seconds": round(elapsed, 2), "create_s": round(created - start, 2),
            "license_s": round(elapsed - (created - start), 2), "per_s": round(count / elapsed, 1),
            "writes": counters["writes"], "writes_per_s": round(counters["writes"] / elapsed, 1),
            "http_requests": counters["graph_http_requests"], "failed": failed}


def published_budget(count, writes_per_user=2):
    writes = count * writes_per_user
    rate = B.GRAPH_WRITE_BUDGET / B.GRAPH_WRITE_WINDOW_S
    return {"count": count, "writes_per_user": writes_per_user, "write_budget": B.GRAPH_WRITE_BUDGET,
            "window_s": B.GRAPH_WRITE_WINDOW_S, "writes_per_s": rate, "seconds": round(writes / rate, 1),
            "per_s": round(rate / writes_per_user, 1)}


def run_floors(count, out=None, directory_only=False):
    lab = B.lab_up()
    workdir = B.run_dir("floors-%d" % count)
    started = B.stamp()
    result = {"count": count, "position": "after" if directory_only else "before"}
    result["directory"] = directory_floor(lab, count)
    print("directory floor (ldap3 add loop): %(count)d users in %(seconds).1f s = %(per_s).1f/s; "
          "with the link modifies %(with_link_modify_s).1f s" % result["directory"],
          flush=True)
    if directory_only:
        return B.finish(result, started, out)
    result["simulator"] = graph_floor(lab, count, workdir)
    print("simulator floor (bare $batch writes): %(count)d users in %(seconds).1f s = %(per_s).1f/s "
          "(%(writes)d writes, %(http_requests)d HTTP requests)" % result["simulator"], flush=True)
    result["graph_budget"] = published_budget(count)
    print("Graph's published budget: %(count)d users x 2 writes at 20 writes/s = %(seconds).0f s"
          % result["graph_budget"])
    return B.finish(result, started, out)


def main():
    parser = B.bench_parser(__doc__, int(os.environ.get("BENCH_N", "1000")))
    parser.add_argument("--directory-only", action="store_true",
                        help="the directory floor alone (the second measurement, after method 1)")
    args = parser.parse_args()
    run_floors(args.count, args.out, args.directory_only)


if __name__ == "__main__":
    main()
