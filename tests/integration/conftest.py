"""Integration tests run against the lab: a real Samba AD DC and the Graph tenant simulator."""
import os
import ssl
import subprocess
import sys

import ldap3
import pytest

from integration.lab_env import read_env_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="session")
def lab():
    """Start the lab if needed (idempotent) and return its variables from .lab/lab.env."""
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "lab", "lab.py"), "up"], check=True,
                   stdout=subprocess.DEVNULL)
    env = read_env_file(os.path.join(ROOT, ".lab", "lab.env"))
    private = os.environ.get("LAB_PRIVATE_SIMULATOR_URL")
    if private:
        # Development aid: a private simulator (PYTHONPATH=tests python -m graph_simulator --port N ...)
        # so that another suite resetting the lab's simulator cannot disturb this run.
        private = private.rstrip("/")
        env.update({"AZURE_AUTHORITY_HOST": private, "HYBRID_IDENTITY_GRAPH_ENDPOINT": private,
                    "LAB_SIMULATOR_ADMIN_URL": private + "/_admin"})
    # As for a user who sourced lab.env: modules run by the tests fall back to these variables.
    os.environ.update(env)
    return env


@pytest.fixture(scope="session")
def lab_site2(lab):
    """Also start the second, independent domain on 127.0.0.2; return its variables."""
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "lab", "lab.py"), "up", "--site", "site1",
                    "--site", "site2"], check=True, stdout=subprocess.DEVNULL)
    return read_env_file(os.path.join(ROOT, ".lab", "site2.env"))


@pytest.fixture(scope="session")
def ldap(lab):
    """A direct ldap3 connection to site1, for checking the directory from outside the modules."""
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=lab["HYBRID_IDENTITY_CA_PATH"])
    server = ldap3.Server(lab["HYBRID_IDENTITY_DOMAIN_SERVER"], port=636, use_ssl=True, tls=tls, get_info=ldap3.NONE)
    conn = ldap3.Connection(server, lab["HYBRID_IDENTITY_DOMAIN_USERNAME"], lab["HYBRID_IDENTITY_DOMAIN_PASSWORD"],
                            auto_bind=True)
    conn.base = lab["LAB_DOMAIN_DN"]
    yield conn
    conn.unbind()
