"""Identity endpoints: discovery, client credentials (secret, certificate), ROPC, token checks on Graph."""
import base64
import json
import time
import uuid

import jwt
import msal
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa

from sim_helpers import FULL_APP, FULL_SECRET, RO_APP, TENANT_ID, assert_graph_error

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def _aad_error(response, status, error, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert body["error_description"].startswith("AADSTS%d: " % code)
    for key in ("timestamp", "trace_id", "correlation_id"):
        assert body[key]
    return body


def _post_token(sim, **form):
    return sim.session().post(sim.token_url, data=form)


def _assertion(sim, key, header, **claims):
    now = int(time.time())
    payload = {"aud": sim.token_url, "iss": FULL_APP, "sub": FULL_APP, "jti": str(uuid.uuid4()),
               "nbf": now, "exp": now + 600}
    payload.update(claims)
    return jwt.encode(payload, key, algorithm="RS256", headers=header)


def _app_key_and_cert(sim):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    with open(sim.pki["app-key"], "rb") as handle:
        key = load_pem_private_key(handle.read(), None)
    with open(sim.pki["app"], "rb") as handle:
        cert = x509.load_pem_x509_certificate(handle.read())
    return key, cert


def _x5t(cert):
    return base64.urlsafe_b64encode(cert.fingerprint(hashes.SHA1())).decode().rstrip("=")  # nosec


def test_openid_configuration_uses_the_connecting_host(fresh):
    response = fresh.session().get(fresh.authority + "/v2.0/.well-known/openid-configuration")
    assert response.status_code == 200
    config = response.json()
    assert config["token_endpoint"] == fresh.token_url
    assert config["authorization_endpoint"].startswith(fresh.authority + "/oauth2/v2.0/authorize")
    assert config["issuer"] == "%s/%s/v2.0" % (fresh.base, TENANT_ID)
    other = fresh.session().get("https://localhost:%d/%s/v2.0/.well-known/openid-configuration"
                                % (fresh.port, TENANT_ID)).json()
    assert other["token_endpoint"].startswith("https://localhost:%d/" % fresh.port)


def test_unknown_tenant_is_refused(fresh):
    response = fresh.session().post("%s/%s/oauth2/v2.0/token" % (fresh.base, uuid.uuid4()), data={
        "grant_type": "client_credentials", "client_id": FULL_APP, "client_secret": FULL_SECRET,
        "scope": "https://graph.microsoft.com/.default"})
    _aad_error(response, 400, "invalid_request", 90002)


def test_msal_secret_gets_a_working_token(fresh):
    result = fresh.msal_app().acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
    assert result["token_type"] == "Bearer" and result["expires_in"] > 3000
    claims = jwt.decode(result["access_token"], options={"verify_signature": False})
    assert claims["tid"] == TENANT_ID and claims["appid"] == FULL_APP
    assert "User.ReadWrite.All" in claims["roles"]
    session = fresh.session()
    session.headers["Authorization"] = "Bearer " + result["access_token"]
    assert session.get(fresh.base + "/v1.0/organization").status_code == 200


def test_wrong_secret_is_aadsts7000215(fresh):
    result = fresh.msal_app(credential="not-the-secret").acquire_token_for_client(scopes=fresh.scope)
    assert result["error"] == "invalid_client"
    assert 7000215 in result["error_codes"]
    response = _post_token(fresh, grant_type="client_credentials", client_id=FULL_APP, client_secret="nope",
                           scope=fresh.scope[0])
    body = _aad_error(response, 401, "invalid_client", 7000215)
    assert "Invalid client secret provided" in body["error_description"]


def test_unknown_client_and_missing_credentials(fresh):
    response = _post_token(fresh, grant_type="client_credentials", client_id=str(uuid.uuid4()),
                           client_secret="x", scope=fresh.scope[0])
    _aad_error(response, 400, "unauthorized_client", 700016)
    response = _post_token(fresh, grant_type="client_credentials", client_id=FULL_APP, scope=fresh.scope[0])
    _aad_error(response, 401, "invalid_client", 7000216)
    response = _post_token(fresh, grant_type="client_credentials", client_id=FULL_APP, client_secret=FULL_SECRET,
                           scope="https://graph.microsoft.com/User.Read")
    _aad_error(response, 400, "invalid_scope", 1002012)
    response = _post_token(fresh, grant_type="authorization_code", client_id=FULL_APP, scope=fresh.scope[0])
    _aad_error(response, 400, "unsupported_grant_type", 70003)


def test_msal_certificate_with_thumbprint(fresh):
    with open(fresh.pki["app-key"]) as handle:
        key = handle.read()
    app = fresh.msal_app(credential={"private_key": key, "thumbprint": fresh.pki["app_thumbprint"]})
    result = app.acquire_token_for_client(scopes=fresh.scope)
    assert "access_token" in result, result
    graph = fresh.graph(token=result["access_token"])
    assert graph.get(graph.v1("users/" + "alice.cloud@corp.example.com")).status_code == 200


def test_msal_certificate_with_public_certificate(fresh):
    with open(fresh.pki["app-key"]) as handle:
        key = handle.read()
    with open(fresh.pki["app"]) as handle:
        cert = handle.read()
    app = fresh.msal_app(credential={"private_key": key, "public_certificate": cert})
    result = app.acquire_token_for_client(scopes=fresh.scope)
    assert "access_token" in result, result


def test_certificate_signed_by_another_key_is_refused(fresh):
    _key, cert = _app_key_and_cert(fresh)
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assertion = _assertion(fresh, impostor, {"x5t": _x5t(cert)})
    response = _post_token(fresh, grant_type="client_credentials", client_id=FULL_APP, scope=fresh.scope[0],
                           client_assertion_type=ASSERTION_TYPE, client_assertion=assertion)
    body = _aad_error(response, 401, "invalid_client", 700027)
    assert "signature" in body["error_description"]


def test_unregistered_certificate_thumbprint_is_refused(fresh):
    key, _cert = _app_key_and_cert(fresh)
    assertion = _assertion(fresh, key, {"x5t": base64.urlsafe_b64encode(b"\x01" * 20).decode().rstrip("=")})
    response = _post_token(fresh, grant_type="client_credentials", client_id=FULL_APP, scope=fresh.scope[0],
                           client_assertion_type=ASSERTION_TYPE, client_assertion=assertion)
    body = _aad_error(response, 401, "invalid_client", 700027)
    assert "not registered" in body["error_description"]


def test_assertion_audience_and_issuer_are_checked(fresh):
    key, cert = _app_key_and_cert(fresh)
    bad_aud = _assertion(fresh, key, {"x5t": _x5t(cert)}, aud="https://evil.example/token")
    response = _post_token(fresh, grant_type="client_credentials", client_id=FULL_APP, scope=fresh.scope[0],
                           client_assertion_type=ASSERTION_TYPE, client_assertion=bad_aud)
    _aad_error(response, 401, "invalid_client", 700212)
    bad_iss = _assertion(fresh, key, {"x5t": _x5t(cert)}, iss=RO_APP, sub=RO_APP)
    response = _post_token(fresh, grant_type="client_credentials", client_id=FULL_APP, scope=fresh.scope[0],
                           client_assertion_type=ASSERTION_TYPE, client_assertion=bad_iss)
    _aad_error(response, 401, "invalid_client", 700021)
    expired = _assertion(fresh, key, {"x5t": _x5t(cert)}, exp=int(time.time()) - 3600, nbf=int(time.time()) - 7200)
    response = _post_token(fresh, grant_type="client_credentials", client_id=FULL_APP, scope=fresh.scope[0],
                           client_assertion_type=ASSERTION_TYPE, client_assertion=expired)
    _aad_error(response, 401, "invalid_client", 700024)
    good = _assertion(fresh, key, {"x5t": _x5t(cert)})
    response = _post_token(fresh, grant_type="client_credentials", client_id=FULL_APP, scope=fresh.scope[0],
                           client_assertion_type=ASSERTION_TYPE, client_assertion=good)
    assert response.status_code == 200, response.text


def test_app_whose_certificate_file_is_missing_cannot_use_it(fresh):
    key, cert = _app_key_and_cert(fresh)
    client = "6c6c6c6c-0000-4000-8000-000000000002"
    assertion = _assertion(fresh, key, {"x5t": _x5t(cert)}, iss=client, sub=client)
    response = _post_token(fresh, grant_type="client_credentials", client_id=client, scope=fresh.scope[0],
                           client_assertion_type=ASSERTION_TYPE, client_assertion=assertion)
    _aad_error(response, 401, "invalid_client", 700027)
    apps = {a["client_id"]: a for a in fresh.admin("GET", "/state")["apps"]}
    assert apps[client]["certificate_loaded"] is False
    assert apps[FULL_APP]["certificate_loaded"] is True


def _ropc(sim, username, password):
    return _post_token(sim, grant_type="password", client_id=FULL_APP, client_secret=FULL_SECRET,
                       username=username, password=password, scope="https://graph.microsoft.com/User.Read openid")


def test_password_grant_proves_a_cloud_password(fresh):
    response = _ropc(fresh, "alice.cloud@corp.example.com", "Alice-Passw0rd!")
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    me = fresh.graph(token=token).get(fresh.base + "/v1.0/me")
    assert me.status_code == 200 and me.json()["userPrincipalName"] == "alice.cloud@corp.example.com"


def test_password_grant_errors(fresh):
    body = _aad_error(_ropc(fresh, "alice.cloud@corp.example.com", "wrong"), 400, "invalid_grant", 50126)
    assert "invalid username or password" in body["error_description"]
    _aad_error(_ropc(fresh, "dave.former@corp.example.com", "Dave-Passw0rd!"), 400, "invalid_grant", 50057)
    body = _aad_error(_ropc(fresh, "newhire@corp.example.com", "NewHire-Passw0rd!"), 400, "invalid_grant", 50055)
    assert "password is expired" in body["error_description"]
    _aad_error(_ropc(fresh, "nobody@corp.example.com", "x"), 400, "invalid_grant", 50034)
    # An expired password is only reported to someone who knows it.
    _aad_error(_ropc(fresh, "newhire@corp.example.com", "wrong"), 400, "invalid_grant", 50126)


def test_password_grant_through_msal(fresh):
    # MSAL's ROPC first asks https://HOST/common/userrealm (port dropped): tell it to skip that.
    msal.authority.Authority._domains_without_user_realm_discovery.add("127.0.0.1")
    result = fresh.msal_app().acquire_token_by_username_password(
        "bob.cloud@corp.example.com", "Bob-Passw0rd!", scopes=["https://graph.microsoft.com/User.Read"])
    assert "access_token" in result, result
    result = fresh.msal_app().acquire_token_by_username_password(
        "bob.cloud@corp.example.com", "bad", scopes=["https://graph.microsoft.com/User.Read"])
    assert 50126 in result["error_codes"]


def test_password_created_through_graph_signs_in(graph, fresh):
    body = {"accountEnabled": True, "displayName": "Signin", "mailNickname": "signin",
            "userPrincipalName": "signin@corp.example.com",
            "passwordProfile": {"password": "Fresh-Passw0rd!", "forceChangePasswordNextSignIn": False}}
    assert graph.post(graph.v1("users"), json=body).status_code == 201
    assert _ropc(fresh, "signin@corp.example.com", "Fresh-Passw0rd!").status_code == 200
    assert graph.patch(graph.v1("users/signin@corp.example.com"), json={
        "passwordProfile": {"password": "Changed-Passw0rd!", "forceChangePasswordNextSignIn": True}}).status_code == 204
    _aad_error(_ropc(fresh, "signin@corp.example.com", "Fresh-Passw0rd!"), 400, "invalid_grant", 50126)
    _aad_error(_ropc(fresh, "signin@corp.example.com", "Changed-Passw0rd!"), 400, "invalid_grant", 50055)


def test_missing_garbage_and_forged_tokens_get_401(fresh):
    session = fresh.session()
    url = fresh.base + "/v1.0/users"
    error = assert_graph_error(session.get(url), 401, "InvalidAuthenticationToken", "Access token is empty")
    assert error["message"] == "Access token is empty."
    assert_graph_error(session.get(url, headers={"Authorization": "Bearer garbage"}), 401,
                       "InvalidAuthenticationToken", "CompactToken parsing failed")
    real = fresh.token()
    claims = jwt.decode(real, options={"verify_signature": False})
    forged = jwt.encode(claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256")
    assert_graph_error(session.get(url, headers={"Authorization": "Bearer " + forged}), 401,
                       "InvalidAuthenticationToken", "Access token validation failure")
    header, payload, signature = real.split(".")
    claims["roles"] = claims["roles"] + ["Directory.ReadWrite.All"]
    tampered = "%s.%s.%s" % (header, base64.urlsafe_b64encode(
        json.dumps(claims).encode()).decode().rstrip("="), signature)
    assert_graph_error(session.get(url, headers={"Authorization": "Bearer " + tampered}), 401,
                       "InvalidAuthenticationToken")
    assert session.get(url, headers={"Authorization": "Bearer " + real}).status_code == 200


def test_tokens_expire(fresh):
    fresh.admin("POST", "/token_lifetime", {"seconds": 1})
    token = fresh.token()
    assert jwt.decode(token, options={"verify_signature": False})["exp"] - time.time() <= 1.5
    graph = fresh.graph(token=token)
    time.sleep(1.6)
    assert_graph_error(graph.get(graph.v1("users")), 401, "InvalidAuthenticationToken",
                       "Access token has expired or is not yet valid.")


def test_revoke_existing_tokens(fresh):
    token = fresh.token()
    graph = fresh.graph(token=token)
    assert graph.get(graph.v1("organization")).status_code == 200
    fresh.admin("POST", "/token_lifetime", {"revoke_existing": True})
    assert_graph_error(graph.get(graph.v1("organization")), 401, "InvalidAuthenticationToken")
    assert fresh.graph().get(graph.v1("organization")).status_code == 200


@pytest.mark.parametrize("scope", ["https://graph.microsoft.com/.default", "{base}/.default"])
def test_accepted_scopes(fresh, scope):
    result = fresh.msal_app().acquire_token_for_client(scopes=[scope.format(base=fresh.base)])
    assert "access_token" in result, result
    assert fresh.graph(token=result["access_token"]).get(fresh.base + "/v1.0/domains").status_code == 200


def test_foreign_resource_is_refused(fresh):
    response = _post_token(fresh, grant_type="client_credentials", client_id=FULL_APP, client_secret=FULL_SECRET,
                           scope="api://some-other-api/.default")
    _aad_error(response, 400, "invalid_resource", 500011)
