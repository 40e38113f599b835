# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every cloud module shares: the connection argument spec and building the Graph client.

The options match the doc fragment hybrid.identity.cloud_connection. Environment fallbacks
are resolved in _graph_auth.resolve_settings (not with env_fallback) so that an option always
beats the environment, including across credential methods.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.hybrid.identity.plugins.module_utils._delete_guard import guard_from
from ansible_collections.hybrid.identity.plugins.module_utils._graph_auth import (
    ConfigError, make_credential, resolve_settings, secrets_of)
from ansible_collections.hybrid.identity.plugins.module_utils._graph_client import GraphClient, build_session
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

try:
    import msal
    HAS_MSAL = True
    MSAL_IMPORT_ERROR = None
except ImportError:
    msal = None
    HAS_MSAL = False
    MSAL_IMPORT_ERROR = traceback.format_exc()

CONNECTION_ARGSPEC = dict(
    tenant_id=dict(type="str"),
    client_id=dict(type="str"),
    client_secret=dict(type="str", no_log=True),
    client_certificate_path=dict(type="path"),
    access_token=dict(type="str", no_log=True),
    cloud=dict(type="str", default="public", choices=["public", "usgovernment", "china"]),
    authority_host=dict(type="str"),
    graph_endpoint=dict(type="str"),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
)


def cloud_argument_spec(**spec):
    merged = dict((k, dict(v)) for k, v in CONNECTION_ARGSPEC.items())
    merged.update(spec)
    return merged


def connect(module, environ=None):
    """A GraphClient for this module run, or fail_json with what to fix."""
    environ = os.environ if environ is None else environ
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    try:
        settings = resolve_settings(module.params, environ)
    except ConfigError as exc:
        module.fail_json(msg=str(exc))
    for secret in secrets_of(settings):
        module.no_log_values.add(secret)
    if settings["method"] != "access_token" and not HAS_MSAL:
        module.fail_json(msg=missing_required_lib("msal"), exception=MSAL_IMPORT_ERROR)
    if not settings["validate_certs"]:
        module.warn("validate_certs is false: the TLS certificates of %s and %s are not checked"
                    % (settings["authority_host"], settings["graph_endpoint"]))
        try:
            import urllib3
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        except Exception:  # pragma: no cover
            pass
    session = build_session(settings, environ, requests, Retry, HTTPAdapter)
    try:
        credential = make_credential(settings, session, msal)
    except (ConfigError, GraphError) as exc:
        module.fail_json(msg=str(exc))
    errors = (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
              requests.exceptions.ChunkedEncodingError)
    return GraphClient(settings, credential, session, connection_errors=errors)


def fail_graph(module, exc, **extra):
    """End the run for an error that concerns the whole run (not one object)."""
    if isinstance(exc, GraphError):
        module.fail_json(msg=str(exc), error=exc.to_dict(), **extra)
    module.fail_json(msg=str(exc), **extra)


def count_users(client):
    """The tenant's users (members and guests): GET /users/$count, one request (an advanced query)."""
    text = client.get("/users/$count", headers={"ConsistencyLevel": "eventual"}, target="GET /users/$count")
    return int(str(text).strip().lstrip("\ufeff"))


def refuse_deletes(module, client, entries, who="cloud_user"):
    """Delete protection before any write (_delete_guard.py): over a limit every entry the run would
    write fails with the refusal, which is returned (else None). entries: .error, .plan (a _plan Plan)."""
    planned = [e for e in entries if e.error is None and e.plan is not None and e.plan.action == "delete"
               and e.plan.writes]
    if not planned:
        return None
    try:
        refusal = guard_from(who, module.params, where="the tenant")(len(planned), lambda: count_users(client))
    except GraphError as exc:
        fail_graph(module, exc, graph=client.stats)
    if refusal is not None:
        for entry in entries:
            if entry.error is None and entry.plan is not None and entry.plan.writes:
                entry.error = refusal
    return refusal
