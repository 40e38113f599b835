"""Constants and helpers for the Graph simulator's suite (imported by conftest and the tests)."""
import os

import msal
import requests
import yaml


HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(os.path.dirname(HERE))
LAB_SEED = os.path.join(TESTS, "lab", "tenant.yml")

TENANT_ID = "8f5c2b1e-3d4a-4e6f-9a7b-0c1d2e3f4a5b"
FULL_APP = "3e0b7a52-9c1d-4f8e-a6b2-5d4c3b2a1f00"
FULL_SECRET = "lab-secret-3e0b7a52-hybrid-identity"
RO_APP = "7a1c9e44-2b3d-4c5e-8f60-1a2b3c4d5e6f"
RO_SECRET = "lab-secret-readonly-7a1c9e44"
PW_APP = "5b5b5b5b-0000-4000-8000-000000000001"      # password-reset only (added by the fixture)
PW_SECRET = "pw-only-secret"
SKU_BP = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"      # O365_BUSINESS_PREMIUM, 25 units
SKU_E3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"      # ENTERPRISEPACK, 5 units
SKU_SPB = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"     # SPB, 0 free
ADMIN_ID = "0a6f1c55-7e2b-4d3a-9c8e-1f2a3b4c5d01"
ALICE_ID = "0a6f1c55-7e2b-4d3a-9c8e-1f2a3b4c5d02"
SYNCED_ID = "0a6f1c55-7e2b-4d3a-9c8e-1f2a3b4c5d09"


def build_seed(pki):
    """The lab seed, with the app certificate pointed at the test PKI and a password-reset-only app."""
    with open(LAB_SEED) as handle:
        seed = yaml.safe_load(handle)
    seed["apps"][0]["certificate_file"] = pki["app"]
    seed["apps"].append({"client_id": PW_APP, "display_name": "pw-only", "client_secret": PW_SECRET,
                         "permissions": ["User-PasswordProfile.ReadWrite.All", "User.Read.All"]})
    # A broken certificate path must only disable that credential, not the simulator.
    seed["apps"].append({"client_id": "6c6c6c6c-0000-4000-8000-000000000002", "display_name": "missing-cert",
                         "certificate_file": "does/not/exist.pem", "permissions": ["User.Read.All"]})
    return seed


class Sim(object):
    """Handle on a running simulator with helpers for tests."""

    def __init__(self, port, pki, seed, proc, log):
        self.port = port
        self.pki = pki
        self.seed = seed
        self.proc = proc
        self.log = log
        self.base = "https://127.0.0.1:%d" % port
        self.authority = "%s/%s" % (self.base, TENANT_ID)
        self.token_url = "%s/oauth2/v2.0/token" % self.authority
        self.admin_url = self.base + "/_admin"
        self.scope = [self.base + "/.default"]

    def session(self):
        session = requests.Session()
        session.trust_env = False
        session.verify = self.pki["ca"]
        return session

    def admin(self, method, path, body=None):
        response = self.session().request(method, self.admin_url + path, json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def reset(self, seed=None):
        return self.admin("POST", "/reset", seed if seed is not None else self.seed)

    def msal_app(self, client_id=FULL_APP, credential=FULL_SECRET):
        return msal.ConfidentialClientApplication(client_id, client_credential=credential, authority=self.authority,
                                                  instance_discovery=False, http_client=self.session())

    def token(self, client_id=FULL_APP, secret=FULL_SECRET):
        result = self.msal_app(client_id, secret).acquire_token_for_client(scopes=self.scope)
        assert "access_token" in result, result
        return result["access_token"]

    def graph(self, client_id=FULL_APP, secret=FULL_SECRET, token=None):
        """A requests.Session pre-authorised for Graph; .v1(path) builds v1.0 URLs."""
        session = self.session()
        session.headers["Authorization"] = "Bearer " + (token or self.token(client_id, secret))
        base = self.base

        def v1(path):
            return base + "/v1.0/" + path.lstrip("/")
        session.v1 = v1
        return session


def new_user_body(upn, **extra):
    body = {"accountEnabled": True, "displayName": upn.split("@")[0], "mailNickname": upn.split("@")[0],
            "userPrincipalName": upn, "passwordProfile": {"password": "Str0ng-Passw0rd!",
                                                          "forceChangePasswordNextSignIn": False}}
    body.update(extra)
    return body


def assert_graph_error(response, status, code, message=None):
    assert response.status_code == status, response.text
    body = response.json()
    error = body["error"]
    assert error["code"] == code, body
    if message is not None:
        assert message in error["message"], body
    inner = error["innerError"]
    assert inner["request-id"] and inner["client-request-id"] and inner["date"]
    assert response.headers.get("request-id") == inner["request-id"]
    return error
