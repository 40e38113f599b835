# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who the cloud modules are and where they talk to: connection settings and credentials.

resolve_settings() is pure (options + environment -> settings; unit-tested); the credential
classes are one small class per method behind one interface (token(), refresh()):
client secret and certificate through MSAL, or an access token acquired elsewhere (an admin
who can only sign in interactively with MFA). No secret is ever put in a message.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import hashlib
import json
import re
import time

from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError

CLOUDS = {
    "public": {"authority_host": "https://login.microsoftonline.com", "graph_endpoint": "https://graph.microsoft.com"},
    "usgovernment": {"authority_host": "https://login.microsoftonline.us",
                     "graph_endpoint": "https://graph.microsoft.us"},
    "china": {"authority_host": "https://login.chinacloudapi.cn",
              "graph_endpoint": "https://microsoftgraph.chinacloudapi.cn"},
}
# Hosts MSAL knows; anything else (a simulator, a proxy) must skip instance discovery or MSAL
# first asks login.microsoftonline.com about it.
KNOWN_AUTHORITY_HOSTS = frozenset((
    "login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net",
    "login.microsoftonline.us", "login.usgovcloudapi.net", "login-us.microsoftonline.com",
    "login.chinacloudapi.cn", "login.partner.microsoftonline.cn",
))

# option -> environment variable (azure-identity's names where it has one)
ENVIRONMENT = {
    "tenant_id": "AZURE_TENANT_ID",
    "client_id": "AZURE_CLIENT_ID",
    "client_secret": "AZURE_CLIENT_SECRET",
    "client_certificate_path": "AZURE_CLIENT_CERTIFICATE_PATH",
    "authority_host": "AZURE_AUTHORITY_HOST",
    "graph_endpoint": "HYBRID_IDENTITY_GRAPH_ENDPOINT",
    "ca_path": "HYBRID_IDENTITY_CA_PATH",
}


class ConfigError(Exception):
    """A connection setting is missing or wrong; the message says which and how to fix it."""


def _host_of(url):
    match = re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)", url or "")
    return match.group(1).lower() if match else ""


def _pick(params, environ, name):
    """(value, source): an option beats the environment; empty strings count as unset."""
    value = params.get(name)
    if value not in (None, ""):
        return value, "option"
    env = ENVIRONMENT.get(name)
    if env and environ.get(env) not in (None, ""):
        return environ.get(env), "environment"
    return None, None


def resolve_settings(params, environ):
    """Options + environment -> a settings dict. Raises ConfigError naming what is missing.

    Credential precedence: an option beats the environment; among options access_token, then
    client_certificate_path, then client_secret; from the environment azure-identity's order
    (AZURE_CLIENT_SECRET, then AZURE_CLIENT_CERTIFICATE_PATH)."""
    cloud = params.get("cloud") or "public"
    if cloud not in CLOUDS:
        raise ConfigError("cloud must be one of %s, got %s" % (", ".join(sorted(CLOUDS)), cloud))
    preset = CLOUDS[cloud]
    authority_host, authority_source = _pick(params, environ, "authority_host")
    graph_endpoint, graph_source = _pick(params, environ, "graph_endpoint")
    authority_host = (authority_host or preset["authority_host"]).rstrip("/")
    graph_endpoint = (graph_endpoint or preset["graph_endpoint"]).rstrip("/")
    for name, url in (("authority_host", authority_host), ("graph_endpoint", graph_endpoint)):
        if not url.lower().startswith("https://"):
            raise ConfigError("%s must be an https:// URL, got %s" % (name, url))
    if graph_endpoint.lower().endswith(("/v1.0", "/beta")):
        graph_endpoint = graph_endpoint.rsplit("/", 1)[0]
    tenant_id, _src = _pick(params, environ, "tenant_id")
    client_id, _src = _pick(params, environ, "client_id")
    ca_path, ca_source = _pick(params, environ, "ca_path")

    method = secret = certificate_path = access_token = None
    if params.get("access_token"):
        method, access_token, source = "access_token", params["access_token"], "option"
    elif params.get("client_certificate_path"):
        method, certificate_path, source = "certificate", params["client_certificate_path"], "option"
    elif params.get("client_secret"):
        method, secret, source = "secret", params["client_secret"], "option"
    elif environ.get(ENVIRONMENT["client_secret"]):
        method, secret, source = "secret", environ[ENVIRONMENT["client_secret"]], "environment"
    elif environ.get(ENVIRONMENT["client_certificate_path"]):
        method, certificate_path, source = ("certificate", environ[ENVIRONMENT["client_certificate_path"]],
                                            "environment")
    else:
        raise ConfigError(
            "no credential: set client_secret, client_certificate_path or access_token (or the environment "
            "variables AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH)")
    if method != "access_token":
        missing = [name for name, value in (("tenant_id", tenant_id), ("client_id", client_id)) if not value]
        if missing:
            raise ConfigError("%s required with a client %s (options, or the environment variables %s)" % (
                " and ".join(missing), method, ", ".join(ENVIRONMENT[m] for m in missing)))
    validate_certs = params.get("validate_certs")
    validate_certs = True if validate_certs is None else bool(validate_certs)
    return {
        "cloud": cloud,
        "tenant_id": tenant_id,
        "client_id": client_id,
        "method": method,
        "credential_source": source,
        "client_secret": secret,
        "client_certificate_path": certificate_path,
        "access_token": access_token,
        "authority_host": authority_host,
        "authority": "%s/%s" % (authority_host, tenant_id) if tenant_id else None,
        "instance_discovery": _host_of(authority_host) in KNOWN_AUTHORITY_HOSTS,
        "graph_endpoint": graph_endpoint,
        "scope": graph_endpoint + "/.default",
        "validate_certs": validate_certs,
        "ca_path": ca_path,
        "ca_source": ca_source,
        "authority_source": authority_source,
        "graph_source": graph_source,
    }


def secrets_of(settings):
    """The secret values of the settings, for the module's no_log list (environment-sourced
    secrets are not options, so Ansible would not know to hide them)."""
    return [v for v in (settings.get("client_secret"), settings.get("access_token")) if v]


def verify_setting(settings, environ):
    """The `verify` value for requests. ca_path wins; without it REQUESTS_CA_BUNDLE /
    CURL_CA_BUNDLE are honoured deliberately (the session itself ignores the environment)."""
    if not settings["validate_certs"]:
        return False
    if settings.get("ca_path"):
        return settings["ca_path"]
    return environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE") or True


# --- certificates --------------------------------------------------------------------------

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\s+(.*?)\s+-----END \1-----", re.S)


def read_pem_credential(text, path="the certificate file"):
    """A PEM holding a private key and a certificate -> (key_pem, cert_pem, sha1 thumbprint hex).

    The thumbprint (SHA-1 of the DER certificate, as the Azure portal shows it) is computed
    here, so users never type it."""
    key = cert = None
    for match in _PEM_BLOCK.finditer(text):
        label = match.group(1)
        if label == "CERTIFICATE" and cert is None:
            cert = match
        elif label.endswith("PRIVATE KEY") and key is None:
            key = match
    if key is None or cert is None:
        raise ConfigError("%s must hold a private key and its certificate in PEM form (%s missing)"
                          % (path, "private key" if key is None else "certificate"))
    if key.group(1) == "ENCRYPTED PRIVATE KEY" or "Proc-Type: 4,ENCRYPTED" in key.group(2):
        raise ConfigError("%s holds an encrypted private key; store it unencrypted (protect the file "
                          "with permissions or ansible-vault) or use client_secret" % path)
    try:
        der = base64.b64decode("".join(cert.group(2).split()), validate=True)
    except (ValueError, TypeError):
        raise ConfigError("%s: the certificate is not valid base64 PEM" % path)
    thumbprint = hashlib.sha1(der).hexdigest().upper()  # nosec - x5t is SHA-1 by definition
    return key.group(0), cert.group(0), thumbprint


def jwt_claims(token):
    """The unverified claims of a JWT access token, or {} when it is not a JWT."""
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        return json.loads(base64.urlsafe_b64decode(payload.encode("ascii")).decode("utf-8"))
    except (IndexError, ValueError, TypeError, UnicodeError, AttributeError):
        return {}


def brief(exc):
    """An exception as 'Type: first 200 characters' (transport errors name hosts and reasons, never
    request bodies, so no secret can be in them)."""
    text = str(exc).strip().replace("\n", " ")
    return "%s%s" % (type(exc).__name__, (": " + text[:200]) if text else "")


# --- credentials ---------------------------------------------------------------------------

class Credential(object):
    """One way to get a Graph access token. token() returns the current one; refresh() a new
    one after Graph said 401 (or raises GraphError when it cannot)."""

    method = None

    def token(self):
        raise NotImplementedError

    def refresh(self):
        raise NotImplementedError


class AccessTokenCredential(Credential):
    """A token acquired elsewhere (az account get-access-token, Graph Explorer, an MFA sign-in)."""

    method = "access_token"

    def __init__(self, access_token, now=None):
        self._token = access_token
        exp = jwt_claims(access_token).get("exp")
        current = time.time() if now is None else now
        if isinstance(exp, (int, float)) and exp < current:
            raise GraphError("the access_token expired at %s UTC; acquire a new one (for example "
                             "az account get-access-token --resource-type ms-graph)"
                             % time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(exp)),
                             code="TokenExpired", status=401)

    def token(self):
        return self._token

    def refresh(self):
        raise GraphError("Graph no longer accepts the access_token (expired or revoked) and a pre-acquired token "
                         "cannot be renewed; acquire a new one, or use client_secret / client_certificate_path",
                         code="InvalidAuthenticationToken", status=401)


class _MsalCredential(Credential):
    """Client-credentials flow through msal.ConfidentialClientApplication (cached per run)."""

    def __init__(self, settings, session, msal_module):
        self.settings = settings
        self.session = session
        self.msal = msal_module
        self._app = None
        self._token = None
        self.acquired = 0

    def client_credential(self):
        raise NotImplementedError

    def _application(self):
        if self._app is None:
            kwargs = dict(client_credential=self.client_credential(), authority=self.settings["authority"],
                          http_client=self.session)
            if not self.settings["instance_discovery"]:
                kwargs["instance_discovery"] = False
            try:
                self._app = self.msal.ConfidentialClientApplication(self.settings["client_id"], **kwargs)
            except ValueError as exc:
                # msal raises ValueError for a bad authority or an unreadable key; its text holds no secret.
                raise GraphError("cannot use the authority %s: %s" % (self.settings["authority"], exc),
                                 code="InvalidAuthority")
            except Exception as exc:  # requests errors while fetching the OpenID configuration
                raise GraphError("cannot reach the authority %s: %s" % (self.settings["authority"], brief(exc)),
                                 code="AuthorityUnreachable")
        return self._app

    def _acquire(self):
        app = self._application()
        try:
            result = app.acquire_token_for_client(scopes=[self.settings["scope"]])
        except ValueError as exc:
            raise GraphError("token request refused before sending: %s" % exc, code="InvalidCredential")
        except Exception as exc:
            raise GraphError("cannot reach the token endpoint of %s: %s" % (self.settings["authority"], brief(exc)),
                             code="AuthorityUnreachable")
        if not result or "access_token" not in result:
            result = result or {}
            raise GraphError(result.get("error_description") or "no access token returned",
                             status=400, code=result.get("error") or "TokenError",
                             target="%s %s" % (self.method, "credential"))
        self.acquired += 1
        self._token = result["access_token"]
        return self._token

    def token(self):
        return self._token or self._acquire()

    def refresh(self):
        app = self._application()
        app.remove_tokens_for_client()  # MSAL would hand back the cached (rejected) token
        self._token = None
        return self._acquire()


class SecretCredential(_MsalCredential):
    method = "secret"

    def client_credential(self):
        return self.settings["client_secret"]


class CertificateCredential(_MsalCredential):
    method = "certificate"

    def client_credential(self):
        path = self.settings["client_certificate_path"]
        try:
            with open(path) as handle:
                text = handle.read()
        except (IOError, OSError) as exc:
            raise ConfigError("cannot read client_certificate_path %s: %s" % (path, exc.strerror or exc))
        key, cert, thumbprint = read_pem_credential(text, path)
        # thumbprint -> RS256 with x5t (what every Entra tenant accepts); the certificate adds x5c.
        return {"private_key": key, "thumbprint": thumbprint, "public_certificate": cert}


def make_credential(settings, session, msal_module):
    if settings["method"] == "access_token":
        return AccessTokenCredential(settings["access_token"])
    if settings["method"] == "certificate":
        return CertificateCredential(settings, session, msal_module)
    return SecretCredential(settings, session, msal_module)
