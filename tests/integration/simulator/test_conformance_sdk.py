"""Microsoft's msgraph-sdk and azure-identity, from PyPI, in a virtualenv of their own (.build/sdk-venv, made by
tests/conformance/sdk_venv.sh), drive a private simulator over verified TLS: tests/conformance/sdk_client.py
runs the checks, one JSON line each, and every check is asserted here."""
import json
import os
import subprocess

import pytest

from sim_helpers import FULL_APP, FULL_SECRET, TENANT_ID, TESTS

ROOT = os.path.dirname(TESTS)
SDK_PYTHON = os.path.join(ROOT, ".build", "sdk-venv", "bin", "python")
CLIENT = os.path.join(TESTS, "conformance", "sdk_client.py")
CHECKS = ["token_client_secret", "token_certificate", "users_create", "users_get_select", "users_update",
          "users_list_filter_select_top", "users_list_advanced_count", "users_count_endpoint", "paging_page_iterator",
          "error_not_found", "error_conflict_details", "error_unsupported_query", "licenses", "tenant_objects",
          "delta", "revoke_sessions", "deleted_items"]


@pytest.fixture(scope="module")
def sdk_results(sim, tmp_path_factory):
    if not os.path.exists(SDK_PYTHON):
        pytest.fail("no %s: run tests/conformance/sdk_venv.sh (make test does)" % SDK_PYTHON)
    sim.reset()
    cert = str(tmp_path_factory.mktemp("sdk") / "app-with-key.pem")
    with open(cert, "w") as out:
        for name in ("app", "app-key"):
            with open(sim.pki[name]) as handle:
                out.write(handle.read())
    # A clean environment: no proxy or CA variables, nothing of the project's on the path.
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "NO_PROXY": "*"}
    proc = subprocess.run([SDK_PYTHON, CLIENT, sim.base, sim.pki["ca"], TENANT_ID, FULL_APP, FULL_SECRET, cert],
                          capture_output=True, text=True, timeout=180, env=env, cwd=str(tmp_path_factory.getbasetemp()))
    results = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            results[item["check"]] = item
    assert results, "sdk_client.py printed nothing (rc %s): %s" % (proc.returncode, proc.stderr[-3000:])
    return results


def test_every_check_ran(sdk_results):
    assert sorted(sdk_results) == sorted(CHECKS)


@pytest.mark.parametrize("name", CHECKS)
def test_sdk(sdk_results, name):
    result = sdk_results.get(name)
    assert result is not None, "check %s did not run" % name
    assert result["ok"], result["detail"]
