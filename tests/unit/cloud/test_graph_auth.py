"""Connection settings, credential precedence, certificates (pure)."""
import base64
import hashlib
import json
import os
import time

import pytest

from ansible_collections.hybrid.identity.plugins.module_utils._graph_auth import (
    AccessTokenCredential, ConfigError, SecretCredential, jwt_claims, read_pem_credential, resolve_settings,
    secrets_of, verify_setting)
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError

ENV = {"AZURE_TENANT_ID": "t-env", "AZURE_CLIENT_ID": "c-env", "AZURE_CLIENT_SECRET": "s-env",
       "AZURE_CLIENT_CERTIFICATE_PATH": "/env/cert.pem"}


def params(**kw):
    base = dict(tenant_id=None, client_id=None, client_secret=None, client_certificate_path=None, access_token=None,
                cloud="public", authority_host=None, graph_endpoint=None, validate_certs=True, ca_path=None)
    base.update(kw)
    return base


def test_environment_order_is_azure_identity_order():
    s = resolve_settings(params(), ENV)
    assert (s["method"], s["client_secret"], s["credential_source"]) == ("secret", "s-env", "environment")
    env = dict(ENV)
    del env["AZURE_CLIENT_SECRET"]
    assert resolve_settings(params(), env)["method"] == "certificate"


def test_option_beats_environment_across_methods():
    s = resolve_settings(params(client_certificate_path="/opt/app.pem"), ENV)
    assert s["method"] == "certificate" and s["client_certificate_path"] == "/opt/app.pem"
    s = resolve_settings(params(client_secret="s-opt", tenant_id="t-opt"), ENV)
    assert (s["client_secret"], s["tenant_id"], s["client_id"]) == ("s-opt", "t-opt", "c-env")
    s = resolve_settings(params(access_token="tok", client_secret="x"), {})
    assert s["method"] == "access_token" and s["tenant_id"] is None


def test_missing_pieces_are_named():
    with pytest.raises(ConfigError, match="no credential"):
        resolve_settings(params(), {})
    with pytest.raises(ConfigError, match="tenant_id and client_id"):
        resolve_settings(params(client_secret="x"), {})


def test_cloud_presets_and_overrides():
    s = resolve_settings(params(cloud="usgovernment"), ENV)
    assert s["authority"] == "https://login.microsoftonline.us/t-env"
    assert s["scope"] == "https://graph.microsoft.us/.default" and s["instance_discovery"]
    s = resolve_settings(params(cloud="china"), ENV)
    assert s["graph_endpoint"] == "https://microsoftgraph.chinacloudapi.cn"
    s = resolve_settings(params(authority_host="https://127.0.0.1:8443/", graph_endpoint="https://127.0.0.1:8443/v1.0"),
                         ENV)
    assert s["authority"] == "https://127.0.0.1:8443/t-env" and not s["instance_discovery"]
    assert s["graph_endpoint"] == "https://127.0.0.1:8443" and s["scope"] == "https://127.0.0.1:8443/.default"
    env = dict(ENV, AZURE_AUTHORITY_HOST="https://sim:1", HYBRID_IDENTITY_GRAPH_ENDPOINT="https://sim:2")
    s = resolve_settings(params(), env)
    assert (s["authority_host"], s["graph_endpoint"]) == ("https://sim:1", "https://sim:2")
    with pytest.raises(ConfigError, match="https"):
        resolve_settings(params(graph_endpoint="http://plain"), ENV)


def test_verify_setting_ca_path_beats_requests_ca_bundle():
    env = dict(ENV, REQUESTS_CA_BUNDLE="/etc/ssl/bundle.pem")
    assert verify_setting(resolve_settings(params(ca_path="/lab/ca.pem"), env), env) == "/lab/ca.pem"
    assert verify_setting(resolve_settings(params(), dict(env, HYBRID_IDENTITY_CA_PATH="/lab/ca.pem")), env) == "/lab/ca.pem"
    assert verify_setting(resolve_settings(params(), env), env) == "/etc/ssl/bundle.pem"
    assert verify_setting(resolve_settings(params(), ENV), ENV) is True
    assert verify_setting(resolve_settings(params(validate_certs=False, ca_path="/x"), env), env) is False


def test_secrets_of_lists_environment_secrets():
    assert secrets_of(resolve_settings(params(), ENV)) == ["s-env"]


def _pem(label, payload):
    body = base64.b64encode(payload).decode()
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, body, label)


def test_pem_credential_thumbprint_is_sha1_of_der():
    der = b"\x30\x82certificate-bytes"
    text = _pem("PRIVATE KEY", b"key") + _pem("CERTIFICATE", der)
    key, cert, thumb = read_pem_credential(text)
    assert key.startswith("-----BEGIN PRIVATE KEY-----") and cert.startswith("-----BEGIN CERTIFICATE-----")
    assert thumb == hashlib.sha1(der).hexdigest().upper()


def test_pem_credential_refuses_incomplete_or_encrypted():
    with pytest.raises(ConfigError, match="certificate missing"):
        read_pem_credential(_pem("RSA PRIVATE KEY", b"k"))
    with pytest.raises(ConfigError, match="private key missing"):
        read_pem_credential(_pem("CERTIFICATE", b"c"))
    with pytest.raises(ConfigError, match="encrypted"):
        read_pem_credential(_pem("ENCRYPTED PRIVATE KEY", b"k") + _pem("CERTIFICATE", b"c"))


def test_thumbprint_of_a_real_certificate(tmp_path):
    import pki  # tests/lab/pki.py: the lab's own certificate maker
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    pki.make_client_cert(str(tmp_path), "app", "unit test app")
    path = str(tmp_path / "app.pem")
    with open(path) as handle:
        text = handle.read()
    _key, cert, thumb = read_pem_credential(text, path)
    expected = x509.load_pem_x509_certificate(cert.encode()).fingerprint(hashes.SHA1()).hex().upper()
    assert thumb == expected


def _jwt(claims):
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")  # noqa: E731
    return "%s.%s.sig" % (enc({"alg": "RS256"}), enc(claims))


def test_access_token_expiry_checked_up_front_and_not_renewable():
    assert jwt_claims(_jwt({"exp": 5}))["exp"] == 5
    assert jwt_claims("opaque") == {}
    with pytest.raises(GraphError, match="expired"):
        AccessTokenCredential(_jwt({"exp": time.time() - 10}))
    cred = AccessTokenCredential(_jwt({"exp": time.time() + 600}))
    assert cred.token().count(".") == 2
    with pytest.raises(GraphError, match="cannot be renewed") as info:
        cred.refresh()
    assert cred.token() not in str(info.value)


class FakeApp(object):
    def __init__(self, results):
        self.results = list(results)
        self.removed = 0

    def acquire_token_for_client(self, scopes):
        return self.results.pop(0)

    def remove_tokens_for_client(self):
        self.removed += 1


class FakeMsal(object):
    def __init__(self, app):
        self.app = app
        self.calls = []

    def ConfidentialClientApplication(self, client_id, **kwargs):  # noqa: N802 - msal's name
        self.calls.append((client_id, kwargs))
        return self.app


def test_secret_credential_builds_msal_once_and_refreshes_past_the_cache():
    settings = resolve_settings(params(authority_host="https://127.0.0.1:8443"), ENV)
    app = FakeApp([{"access_token": "t1"}, {"access_token": "t2"}])
    fake = FakeMsal(app)
    session = object()
    cred = SecretCredential(settings, session, fake)
    assert cred.token() == "t1" and cred.token() == "t1"
    assert cred.refresh() == "t2" and app.removed == 1
    assert len(fake.calls) == 1
    client_id, kwargs = fake.calls[0]
    assert client_id == "c-env" and kwargs["instance_discovery"] is False and kwargs["http_client"] is session
    assert kwargs["authority"] == "https://127.0.0.1:8443/t-env" and kwargs["client_credential"] == "s-env"


def test_token_errors_carry_aad_text_but_no_secret():
    settings = resolve_settings(params(), ENV)
    app = FakeApp([{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}])
    with pytest.raises(GraphError) as info:
        SecretCredential(settings, None, FakeMsal(app)).token()
    assert "AADSTS7000215" in str(info.value) and "s-env" not in str(info.value)
