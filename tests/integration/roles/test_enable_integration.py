"""hybrid.identity.enable_integration: the readiness table's password-sync row, in each of its cases.
The lab's DCs are Samba (detected from the DC); Windows is given as an override; the sync-engine case comes from
a tenant seeded with organization.onPremisesSyncEnabled = true."""
import os

import pytest
import yaml

from integration.ansible_runner import run_module
from roles_lab import ROOT, admin, play, report_rows, writes


def _row(tmp_path, check=False):
    rows = [r for r in report_rows(tmp_path, "enable_integration", check=check) if r["check"] == "password sync"]
    assert len(rows) == 1, rows
    return rows[0]


@pytest.fixture()
def fresh(lab):
    admin(lab, "/reset", {})
    # These tests look at the password-sync row only: make the UPN-suffix check pass on a fresh
    # forest too (other tests and the demo may or may not have added the suffix already).
    run_module("hybrid.identity.ad_upn_suffix", {"name": "corp.example.com"})
    yield lab
    admin(lab, "/reset", {})


def test_password_sync_case_on_samba(fresh, tmp_path):
    lab = fresh
    admin(lab, "/counters/reset", {})
    proc, recap = play(lab, "enable_integration", tmp_path, check=True)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert writes(lab) == 0
    row = _row(tmp_path, check=True)
    assert row["status"] == "warn" and row["detail"].startswith("samba_agent_not_installed: Samba DC")
    assert "hybrid.identity.password_sync" in row["fix"]
    # shown as a row of the printed readiness table
    assert any(line.strip().strip('",').startswith("password sync") and "samba_agent_not_installed" in line
               for line in proc.stdout.splitlines()), proc.stdout[-3000:]

    proc, recap = play(lab, "enable_integration", tmp_path, "-e", "password_sync_agent=true")
    assert proc.returncode == 0, proc.stdout[-4000:]
    row = _row(tmp_path)
    assert row["status"] == "ok" and row["detail"].startswith("samba_agent: ")

    proc, recap = play(lab, "enable_integration", tmp_path, "-e", "dc_vendor=windows")
    assert proc.returncode == 0, proc.stdout[-4000:]
    row = _row(tmp_path)
    assert row["status"] == "warn" and row["detail"].startswith("windows_set_both_sides: Windows DC")
    assert "changed=0" in recap["localhost"]


def test_password_sync_case_with_a_sync_engine(fresh, tmp_path):
    lab = fresh
    with open(os.path.join(ROOT, "tests", "lab", "tenant.yml")) as handle:
        data = yaml.safe_load(handle)
    data["organization"]["onPremisesSyncEnabled"] = True
    data["apps"][0]["certificate_file"] = os.path.join(ROOT, ".lab", "pki", "app.pem")
    admin(lab, "/reset", {"seed": data})
    proc, recap = play(lab, "enable_integration", tmp_path)
    assert proc.returncode != 0 and "sync engine" in proc.stdout
    row = _row(tmp_path)
    assert row["detail"].startswith("entra_connect: ") and row["status"] == "warn"
    proc, recap = play(lab, "enable_integration", tmp_path, "-e", "allow_sync_engine=true")
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert _row(tmp_path)["detail"].startswith("entra_connect: ")
    # the password_sync agent beside a sync engine: two engines writing passwords, a blocking row
    proc, recap = play(lab, "enable_integration", tmp_path, "-e", "allow_sync_engine=true",
                       "-e", "password_sync_agent=true")
    assert proc.returncode != 0
    row = _row(tmp_path)
    assert row["status"] == "FAIL" and "hybrid-identity-pwsync" in row["fix"]
    assert "password sync | entra_connect" in proc.stdout
