"""Authentication methods, TLS settings, secrets in output, throttling storms, replication delay
and tokens expiring mid-run, against the Graph tenant simulator."""
import os

import pytest

from cloud_helpers import READONLY_APP, by_name, run, run_fail, run_ok

PW = "Conn-Passw0rd!42"
INFO = "hybrid.identity.cloud_user_info"
USER = "hybrid.identity.cloud_user"
NO_SECRET = {"AZURE_CLIENT_SECRET": None}


def test_client_secret_from_environment(sim, cloud_lab):
    res = run_ok(INFO, {"users": ["alice.cloud@corp.example.com"]}, cloud_lab)
    assert res["count"] == 1 and res["users"][0]["department"] == "Finance"


def test_certificate_option_beats_environment_secret(sim, cloud_lab):
    sim.reset_counters()
    res = run_ok(INFO, {"users": ["alice.cloud@corp.example.com"],
                        "client_certificate_path": cloud_lab["AZURE_CLIENT_CERTIFICATE_PATH"]},
                 cloud_lab, env={"AZURE_CLIENT_SECRET": "wrong-secret-would-fail"})
    assert res["count"] == 1
    assert sim.counters()["totals"]["tokens_issued"] == 1


def test_certificate_from_environment_only(sim, cloud_lab):
    res = run_ok(INFO, {"users": ["bob.cloud@corp.example.com"]}, cloud_lab, env=NO_SECRET)
    assert res["count"] == 1


def test_secret_option_beats_environment(sim, cloud_lab):
    res = run_fail(INFO, {"users": ["bob.cloud@corp.example.com"], "client_secret": "not-the-secret"}, cloud_lab)
    assert "AADSTS" in res["msg"] and "not-the-secret" not in str(res)


def _token(sim, cloud_lab):
    resp = sim.http.post(sim.token_url(), data={
        "grant_type": "client_credentials", "client_id": cloud_lab["AZURE_CLIENT_ID"],
        "client_secret": cloud_lab["AZURE_CLIENT_SECRET"], "scope": cloud_lab["HYBRID_IDENTITY_GRAPH_ENDPOINT"] + "/.default"})
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def test_access_token_option_no_msal_no_tenant_needed(sim, cloud_lab):
    token = _token(sim, cloud_lab)
    sim.reset_counters()
    env = {"AZURE_CLIENT_SECRET": None, "AZURE_CLIENT_CERTIFICATE_PATH": None, "AZURE_TENANT_ID": None,
           "AZURE_CLIENT_ID": None}
    res = run(USER, {"users": [{"user_principal_name": "mfa.made@corp.example.com", "password": PW}],
                     "access_token": token}, cloud_lab, env=env, verbosity=4)
    assert res.result["users"][0]["action"] == "created", res.result
    assert token not in res.stdout + res.stderr and PW not in res.stdout + res.stderr
    assert sim.counters()["totals"]["tokens_issued"] == 0


def test_revoked_access_token_says_so(sim, cloud_lab):
    token = _token(sim, cloud_lab)
    sim.post_admin("/token_lifetime", {"revoke_existing": True})
    res = run_fail(INFO, {"users": ["bob.cloud@corp.example.com"], "access_token": token}, cloud_lab)
    assert "cannot be renewed" in res["msg"] and token not in str(res)


def test_missing_credentials_named(sim, cloud_lab):
    res = run_fail(INFO, {"all": True}, cloud_lab, env={"AZURE_CLIENT_SECRET": None, "AZURE_CLIENT_CERTIFICATE_PATH": None})
    assert "no credential" in res["msg"]


def test_ca_path_beats_requests_ca_bundle(sim, cloud_lab):
    # The trap: requests lets REQUESTS_CA_BUNDLE override a session's verify. The system bundle
    # does not hold the lab CA, so honouring it would fail the TLS handshake.
    env = {"REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt", "CURL_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"}
    res = run_ok(INFO, {"users": ["bob.cloud@corp.example.com"]}, cloud_lab, env=env)
    assert res["count"] == 1


def test_validate_certs_really_validates(sim, cloud_lab):
    env = {"HYBRID_IDENTITY_CA_PATH": None, "REQUESTS_CA_BUNDLE": None, "CURL_CA_BUNDLE": None}
    res = run_fail(INFO, {"users": ["bob.cloud@corp.example.com"]}, cloud_lab, env=env)
    assert "authority" in res["msg"] or "SSL" in res["msg"] or "connection" in res["msg"].lower()
    res = run_ok(INFO, {"users": ["bob.cloud@corp.example.com"], "validate_certs": False}, cloud_lab, env=env)
    assert res["count"] == 1 and any("validate_certs" in w for w in res.get("warnings", []))


def test_cloud_preset_with_overrides_from_environment(sim, cloud_lab):
    # usgovernment presets other hosts; the lab's AZURE_AUTHORITY_HOST / graph endpoint override both.
    res = run_ok(INFO, {"users": ["bob.cloud@corp.example.com"], "cloud": "usgovernment"}, cloud_lab)
    assert res["count"] == 1


def test_no_secret_at_vvvv(sim, cloud_lab):
    secret = cloud_lab["AZURE_CLIENT_SECRET"]
    args = {"users": [{"user_principal_name": "vvvv.user@corp.example.com", "password": PW}],
            "client_secret": secret, "update_password": "always"}
    for check in (True, False):
        res = run(USER, args, cloud_lab, verbosity=4, diff=True, check=check)
        out = res.stdout + res.stderr
        assert "vvvv.user@corp.example.com" in out
        assert secret not in out and PW not in out
        assert secret not in str(res.result) and PW not in str(res.result)
    # A secret that only comes from the environment is hidden as well.
    res = run(USER, {"users": [{"user_principal_name": "vvvv.user@corp.example.com", "password": PW,
                                "department": secret}]}, cloud_lab, verbosity=4)
    assert secret not in res.stdout + res.stderr


def test_readonly_app_gets_per_user_permission_errors(sim, cloud_lab):
    env = {"AZURE_CLIENT_ID": READONLY_APP["client_id"], "AZURE_CLIENT_SECRET": READONLY_APP["client_secret"]}
    res = run_fail(USER, {"users": [{"user_principal_name": "bob.cloud@corp.example.com", "job_title": "Nope"}]},
                   cloud_lab, env=env)
    error = res["users"][0]["error"]
    assert "403" in error and "permission" in error


def test_429_storm_every_user_converges(sim, cloud_lab):
    sim.reset()
    sim.throttle(enabled=True, write_budget=15, write_window_s=2, ru_budget=40, ru_window_s=2)
    sim.reset_counters()
    users = [{"user_principal_name": "storm%02d@corp.example.com" % i, "password": PW, "department": "Storm"}
             for i in range(60)]
    res = run_ok(USER, {"users": users}, cloud_lab)
    assert res["summary"]["created"] == 60 and res["summary"]["failed"] == 0
    totals = sim.counters()["totals"]
    assert totals["throttled_429"] > 0 and res["graph"]["throttled"] > 0
    assert all(u["action"] == "created" for u in res["users"])
    sim.throttle(preset="real")
    res = run_ok(USER, {"users": users}, cloud_lab)
    assert res["changed"] is False


def test_5xx_bursts_and_dropped_connections_are_survived(sim, cloud_lab):
    sim.faults(error_burst={"count": 3, "status": 503, "retry_after": 1}, drop_connection={"count": 1})
    res = run_ok(USER, {"users": [{"user_principal_name": "burst%d@corp.example.com" % i, "password": PW}
                                  for i in range(5)]}, cloud_lab)
    assert res["summary"]["created"] == 5 and res["graph"]["retries"] >= 3
    sim.faults(clear=True)


def test_replication_delay(sim, cloud_lab):
    sim.faults(replication_delay_ms=8000)
    users = [{"user_principal_name": "fresh%d@corp.example.com" % i, "password": PW, "usage_location": "US"}
             for i in range(3)]
    res = run_ok(USER, {"users": users}, cloud_lab)
    assert res["summary"]["created"] == 3
    # Seconds later the new users are not listed yet: a rerun must converge, not fail on "already exists".
    res = run_ok(USER, {"users": [dict(u, job_title="New") for u in users]}, cloud_lab)
    assert res["summary"]["failed"] == 0 and res["summary"]["updated"] == 3
    sim.faults(clear=True)
    sim.faults(replication_delay_ms=6000)
    res = run_ok(USER, {"users": [{"user_principal_name": "fresh9@corp.example.com", "password": PW,
                                   "usage_location": "US"}]}, cloud_lab)
    res = run_ok("hybrid.identity.cloud_license", {"users": [{"user": "fresh9@corp.example.com"}],
                                                   "licenses": [{"sku": "O365_BUSINESS_PREMIUM"}]}, cloud_lab)
    assert res["users"][0]["action"] == "updated"
    sim.faults(clear=True)
    assert sim.users()["fresh9@corp.example.com"]["_licenses"]


def test_token_expires_mid_run(sim, cloud_lab):
    sim.reset()
    sim.post_admin("/token_lifetime", {"seconds": 3})
    sim.faults(slow={"ms": 2000, "method": "POST", "path": r"^/v1\.0/\$batch$", "count": 3})
    users = [{"user_principal_name": "tok%02d@corp.example.com" % i, "password": PW} for i in range(40)]
    res = run_ok(USER, {"users": users}, cloud_lab)
    assert res["summary"]["created"] == 40
    assert res["graph"]["token_refreshes"] >= 1
    sim.faults(clear=True)
    sim.post_admin("/token_lifetime", {"seconds": 3599})
