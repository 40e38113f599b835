"""Identity side: OpenID discovery, the v2.0 token endpoint, and bearer-token checks for Graph.

Grants: client_credentials (client_secret or a certificate client_assertion) and password
(ROPC, so a test can prove a cloud password works). Access tokens are RS256 JWTs signed by a
key made at startup; Graph verifies signature, expiry, audience, issuer and tenant.
"""
import base64
import hashlib
import json
import threading
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from . import passwords
from .errors import AadError, unauthenticated
from .seed import thumbprints

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_RESOURCES = {"https://graph.microsoft.com", "https://graph.microsoft.us", "https://dod-graph.microsoft.us",
                   "https://microsoftgraph.chinacloudapi.cn", "https://canary.graph.microsoft.com", GRAPH_APP_ID}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class Principal(object):
    """Who a valid token speaks for."""
    __slots__ = ("kind", "app_id", "roles", "user_id", "claims")

    def __init__(self, kind, app_id, roles, user_id, claims):
        self.kind = kind          # "app" or "user"
        self.app_id = app_id
        self.roles = roles
        self.user_id = user_id
        self.claims = claims


def _b64url_json(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


class TokenService(object):
    def __init__(self, tenant):
        self.tenant = tenant
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = self.key.public_key()
        self.kid = hashlib.sha256(str(uuid.uuid4()).encode()).hexdigest()[:27]
        self.lifetime = 3599
        self.not_before = 0.0         # tokens issued before this (epoch s, claim xms_sim_t) count as expired
        self._cache = {}
        self._cache_lock = threading.Lock()
        self.issued = 0

    # discovery ---------------------------------------------------------------------------
    def known_tenant(self, segment):
        seg = segment.lower()
        if seg in ("organizations", "common") or seg == (self.tenant.tenant_id or "").lower():
            return True
        return any(d["id"].lower() == seg for d in self.tenant.domains)

    def openid_configuration(self, base, tenant_segment):
        tid = self.tenant.tenant_id
        return {
            "token_endpoint": "%s/%s/oauth2/v2.0/token" % (base, tenant_segment),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "jwks_uri": "%s/%s/discovery/v2.0/keys" % (base, tenant_segment),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": "%s/%s/v2.0" % (base, tid),
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "%s/oidc/userinfo" % base,
            "authorization_endpoint": "%s/%s/oauth2/v2.0/authorize" % (base, tenant_segment),
            "device_authorization_endpoint": "%s/%s/oauth2/v2.0/devicecode" % (base, tenant_segment),
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": "%s/%s/oauth2/v2.0/logout" % (base, tenant_segment),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "roles"],
            "tenant_region_scope": "NA",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": base.split("://", 1)[1],
            "rbac_url": "https://pas.windows.net",
        }

    def jwks(self):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.public_key))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    # token endpoint ----------------------------------------------------------------------
    def token(self, base, tenant_segment, form):
        """Handle a POST to the token endpoint; returns the JSON body or raises AadError."""
        tenant_name = tenant_segment
        if not self.known_tenant(tenant_segment):
            raise AadError(400, "invalid_request", 90002,
                           "Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing "
                           "into the correct cloud. Check with your subscription administrator, this may happen if "
                           "there are no active subscriptions for the tenant." % tenant_segment)
        grant = form.get("grant_type")
        if not grant:
            raise _missing("grant_type")
        if grant not in ("client_credentials", "password"):
            raise AadError(400, "unsupported_grant_type", 70003,
                           "The app requested an unsupported grant type '%s'." % grant)
        client_id = form.get("client_id")
        if not client_id:
            raise _missing("client_id")
        scope = form.get("scope")
        if not scope:
            raise _missing("scope")
        with self.tenant.lock:
            app = self.tenant.apps.get(client_id)
        if app is None:
            raise AadError(400, "unauthorized_client", 700016,
                           "Application with identifier '%s' was not found in the directory '%s'. This can happen "
                           "if the application has not been installed by the administrator of the tenant or "
                           "consented to by any user in the tenant. You may have sent your authentication request "
                           "to the wrong tenant." % (client_id, tenant_name))
        token_url = "%s/%s/oauth2/v2.0/token" % (base, tenant_segment)
        if grant == "client_credentials":
            resource = self._resource_from_scope(scope, base, require_default=True)
            self._authenticate_client(app, form, token_url, tenant_segment, required=True)
            return self._issue_app_token(app, resource)
        resource = self._resource_from_scope(scope, base, require_default=False)
        self._authenticate_client(app, form, token_url, tenant_segment, required=False)
        return self._password_grant(app, form, resource, scope)

    def _resource_from_scope(self, scope, base, require_default):
        scopes = scope.split()
        resource_scopes = [s for s in scopes if "/" in s or s.endswith(".default")]
        if require_default:
            if len(scopes) != 1 or not scopes[0].endswith("/.default"):
                raise AadError(400, "invalid_scope", 1002012,
                               "The provided value for scope %s is not valid. Client credential flows must have a "
                               "scope value with /.default suffixed to the resource identifier (application ID URI)."
                               % scope)
        if not resource_scopes:
            return "https://graph.microsoft.com"  # "User.Read openid ..." means Graph
        resource = resource_scopes[0].rsplit("/", 1)[0]
        if not self.audience_ok(resource, base):
            raise AadError(400, "invalid_resource", 500011,
                           "The resource principal named %s was not found in the tenant named %s. This can happen "
                           "if the application has not been installed by the administrator of the tenant or "
                           "consented to by any user in the tenant. You might have sent your authentication request "
                           "to the wrong tenant." % (resource, self.tenant.tenant_id))
        return resource

    def audience_ok(self, aud, base=None):
        aud = (aud or "").rstrip("/")
        if aud in GRAPH_RESOURCES or (base and aud == base):
            return True
        if aud.startswith("https://"):
            host = aud[8:].split("/")[0]
            return host.rsplit(":", 1)[0] in LOCAL_HOSTS and "/" not in aud[8:]
        return False

    def _authenticate_client(self, app, form, token_url, tenant_segment, required):
        secret = form.get("client_secret")
        assertion = form.get("client_assertion")
        if secret is not None:
            if not app.secret_hash or not passwords.check_password(secret, app.secret_hash):
                raise AadError(401, "invalid_client", 7000215,
                               "Invalid client secret provided. Ensure the secret being sent in the request is the "
                               "client secret value, not the client secret ID, for a secret added to app '%s'."
                               % app.client_id)
            return
        if assertion is not None:
            if form.get("client_assertion_type") != ASSERTION_TYPE:
                raise AadError(400, "invalid_request", 700023,
                               "Client assertion type '%s' is not supported." % form.get("client_assertion_type"))
            self._verify_assertion(app, assertion, token_url, tenant_segment)
            return
        if required:
            raise AadError(401, "invalid_client", 7000216,
                           "'client_assertion', 'client_secret' or 'request' is required for the "
                           "'client_credentials' grant type.")

    def _verify_assertion(self, app, assertion, token_url, tenant_segment):
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AadError(400, "invalid_request", 50027, "JWT token is invalid or malformed.")
        x5t, x5t256 = header.get("x5t"), header.get("x5t#S256")
        cert = app.certificate
        matches = False
        if cert is not None:
            sha1, sha256 = thumbprints(cert)
            if x5t:
                matches = _b64url_decode(x5t) == sha1
            elif x5t256:
                matches = _b64url_decode(x5t256) == sha256
        if not matches:
            shown = x5t or x5t256 or ""
            raise AadError(401, "invalid_client", 700027,
                           "The certificate with identifier used to sign the client assertion is not registered on "
                           "application. [Reason - The key was not found., Thumbprint of key used by client: '%s', "
                           "Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured "
                           "keys for app Id '%s'.]" % (_hex_thumb(shown), app.client_id))
        if unverified.get("iss") != app.client_id or unverified.get("sub") != app.client_id:
            raise AadError(401, "invalid_client", 700021,
                           "Client assertion application identifier doesn't match 'client_id' parameter. Review the "
                           "documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/"
                           "active-directory-certificate-credentials .")
        tid = self.tenant.tenant_id
        audiences = {token_url, token_url.replace("/" + tenant_segment + "/", "/" + tid + "/"),
                     "https://login.microsoftonline.com/%s/oauth2/v2.0/token" % tid,
                     "https://login.microsoftonline.com/%s/oauth2/token" % tid}
        try:
            jwt.decode(assertion, cert.public_key(), algorithms=["RS256", "PS256"], audience=list(audiences),
                       options={"require": ["exp", "aud"]}, leeway=300)
        except jwt.InvalidAudienceError:
            raise AadError(401, "invalid_client", 700212,
                           "The audience '%s' of the client assertion is not valid: it must be the token endpoint "
                           "'%s'." % (unverified.get("aud"), token_url))
        except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError):
            raise AadError(401, "invalid_client", 700024, "Client assertion is not within its valid time range.")
        except jwt.PyJWTError:
            raise AadError(401, "invalid_client", 700027, "Client assertion failed signature validation.")

    def _password_grant(self, app, form, resource, scope):
        username, password = form.get("username"), form.get("password")
        if not username:
            raise _missing("username")
        with self.tenant.lock:
            user = self.tenant.find_user(username)
            if user is None:
                raise AadError(400, "invalid_grant", 50034,
                               "The user account {EUII Hidden} does not exist in the %s directory. To sign into this "
                               "application, the account must be added to the directory." % self.tenant.tenant_id)
            pw_hash, enabled, force = user.pw_hash, user.props.get("accountEnabled"), user.force_change
            uid, upn = user.id, user.props["userPrincipalName"]
            name = user.props.get("displayName")
        if not passwords.check_password(password or "", pw_hash):
            raise AadError(400, "invalid_grant", 50126, "Error validating credentials due to invalid username or password.")
        if not enabled:
            raise AadError(400, "invalid_grant", 50057, "The user account is disabled.")
        if force:
            raise AadError(400, "invalid_grant", 50055, "The password is expired.")
        now = int(time.time())
        tid = self.tenant.tenant_id
        delegated = [s.rsplit("/", 1)[-1] for s in scope.split()
                     if s not in ("openid", "profile", "offline_access") and not s.endswith(".default")]
        claims = {"aud": resource, "iss": "https://sts.windows.net/%s/" % tid, "iat": now, "nbf": now,
                  "exp": now + self.lifetime, "tid": tid, "oid": uid, "sub": uid, "upn": upn,
                  "unique_name": upn, "name": name, "appid": app.client_id, "idtyp": "user",
                  "scp": " ".join(delegated or ["User.Read"]), "ver": "1.0", "uti": str(uuid.uuid4()),
                  "xms_sim_t": time.time()}
        id_claims = {"aud": app.client_id, "iss": "https://login.microsoftonline.com/%s/v2.0" % tid, "iat": now,
                     "nbf": now, "exp": now + self.lifetime, "tid": tid, "oid": uid, "sub": uid,
                     "preferred_username": upn, "name": name, "ver": "2.0"}
        body = self._signed(claims, scope)
        body["id_token"] = jwt.encode(id_claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        body["client_info"] = _b64url_json({"uid": uid, "utid": tid})
        return body

    def _issue_app_token(self, app, resource):
        now = int(time.time())
        tid = self.tenant.tenant_id
        claims = {"aud": resource, "iss": "https://sts.windows.net/%s/" % tid, "iat": now, "nbf": now,
                  "exp": now + self.lifetime, "tid": tid, "oid": app.object_id, "sub": app.object_id,
                  "appid": app.client_id, "app_displayname": app.display_name, "idtyp": "app",
                  "roles": list(app.permissions), "ver": "1.0", "uti": str(uuid.uuid4()), "xms_sim_t": time.time()}
        return self._signed(claims, resource + "/.default")

    def _signed(self, claims, scope):
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"})
        self.issued += 1
        return {"token_type": "Bearer", "expires_in": self.lifetime, "ext_expires_in": self.lifetime,
                "scope": scope, "access_token": token}

    # Graph side --------------------------------------------------------------------------
    def principal(self, authorization, base):
        """Validate 'Authorization: Bearer ...'; returns a Principal or raises a 401 GraphError."""
        if not authorization or not authorization.lower().startswith("bearer ") or not authorization[7:].strip():
            raise unauthenticated("Access token is empty.")
        token = authorization[7:].strip()
        claims = self._cache.get(token)
        if claims is None:
            if token.count(".") != 2:
                raise unauthenticated("CompactToken parsing failed with error code: 80049217")
            try:
                claims = jwt.decode(token, self.public_key, algorithms=["RS256"],
                                    options={"verify_aud": False, "verify_exp": False})
            except jwt.PyJWTError:
                raise unauthenticated("Access token validation failure.")
            with self._cache_lock:
                if len(self._cache) > 20000:
                    self._cache.clear()
                self._cache[token] = claims
        now = time.time()
        if claims.get("exp", 0) <= now or claims.get("nbf", 0) > now + 300 or claims.get("xms_sim_t", 0) < self.not_before:
            raise unauthenticated("Access token has expired or is not yet valid.")
        if not self.audience_ok(claims.get("aud"), base):
            raise unauthenticated("Access token validation failure. Invalid audience.")
        tid = self.tenant.tenant_id
        if claims.get("tid") != tid or claims.get("iss") != "https://sts.windows.net/%s/" % tid:
            raise unauthenticated("Access token validation failure. Invalid issuer.")
        if claims.get("idtyp") == "user":
            return Principal("user", claims.get("appid"), frozenset(), claims.get("oid"), claims)
        return Principal("app", claims.get("appid"), frozenset(claims.get("roles") or ()), None, claims)

    def forge(self, claims):
        """Sign arbitrary claims with a fresh key (admin helper for negative tests)."""
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return jwt.encode(claims, other, algorithm="RS256", headers={"kid": self.kid})


def _missing(param):
    return AadError(400, "invalid_request", 900144,
                    "The request body must contain the following parameter: '%s'." % param)


def _b64url_decode(text):
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        return b""


def _hex_thumb(b64):
    return _b64url_decode(b64).hex().upper() if b64 else ""
