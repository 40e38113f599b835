"""Shared pytest setup: the collection importable as ansible_collections.hybrid.identity."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")


def _link_collection():
    # ansible and the collection loader want <path>/ansible_collections/hybrid/identity;
    # a symlink to the working tree means tests always see the code as it is now.
    parent = os.path.join(COLLECTIONS, "ansible_collections", "hybrid")
    link = os.path.join(parent, "identity")
    os.makedirs(parent, exist_ok=True)
    if not os.path.islink(link):
        os.symlink(ROOT, link)


_link_collection()
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
sys.path.insert(0, os.path.join(ROOT, "tests"))
# The lab's certificate maker (tests/lab/pki.py) serves unit tests that need real certificates.
sys.path.insert(0, os.path.join(ROOT, "tests", "lab"))
# Direct ldap3 connections in tests validate a DC's IP address the way the modules do (Python 3.12+ has no
# ssl.match_hostname; _ldap_client gives ldap3 a matcher that knows IP SANs when imported).
import ansible_collections.hybrid.identity.plugins.module_utils._ldap_client  # noqa: E402,F401  pylint: disable=unused-import
