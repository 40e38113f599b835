"""Microsoft's own clients against the Graph simulator: msgraph-sdk + azure-identity, untouched.

Runs in .build/sdk-venv (tests/conformance/requirements.txt), not in the project's virtualenv, so that
nothing of the collection or the simulator is importable here: the SDK is an independent client. It only
learns where the simulator is (base URL, CA, tenant, app credentials) from its arguments and talks to it
over TLS with certificate validation. Each check prints one JSON line {"check", "ok", "detail"}; the
pytest side (tests/integration/simulator/test_conformance_sdk.py) asserts them one by one.

    python sdk_client.py BASE CA_FILE TENANT CLIENT_ID SECRET CERT_PEM
"""
import asyncio
import json
import ssl
import sys
import traceback

import httpx
from azure.identity.aio import CertificateCredential, ClientSecretCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.directory.deleted_items.item.directory_object_item_request_builder import (
    DirectoryObjectItemRequestBuilder)
from msgraph.generated.models.assigned_license import AssignedLicense
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.user import User
from msgraph.generated.users.item.assign_license.assign_license_post_request_body import AssignLicensePostRequestBody
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph_core import GraphClientFactory
from msgraph_core.tasks.page_iterator import PageIterator

SKU_BP = "f245ecc8-75af-4f8e-b61f-27d8114de5f3"
CHECKS = []


def check(func):
    CHECKS.append(func)
    return func


class Env(object):
    def __init__(self, base, ca, tenant, client_id, secret, cert):
        self.base, self.ca, self.tenant = base, ca, tenant
        self.client_id, self.secret, self.cert = client_id, secret, cert
        self.scope = base + "/.default"
        # azure-identity (azure-core, requests) verifies against the lab CA; so does the SDK's httpx client.
        self.credential = ClientSecretCredential(tenant, client_id, secret, authority=base,
                                                 disable_instance_discovery=True, connection_verify=ca)
        http = httpx.AsyncClient(verify=ssl.create_default_context(cafile=ca), trust_env=False)
        http.base_url = base + "/v1.0"       # httpx adds a slash: the SDK then sends /v1.0//users, as it does
        http = GraphClientFactory.create_with_default_middleware(client=http)
        auth = AzureIdentityAuthenticationProvider(self.credential, scopes=[self.scope], allowed_hosts=["127.0.0.1"])
        self.adapter = GraphRequestAdapter(auth, client=http)
        self.graph = GraphServiceClient(request_adapter=self.adapter)
        self.user_id = None


def _extra(model):
    """Properties the SDK's model did not know (kiota keeps them in additional_data)."""
    return sorted(k for k in (model.additional_data or {}) if not k.startswith("@odata."))


def _config(**query):
    headers = query.pop("headers", {})
    config = RequestConfiguration(query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(**query))
    for name, value in headers.items():
        config.headers.add(name, value)
    return config


@check
async def token_client_secret(env):
    token = await env.credential.get_token(env.scope)
    assert token.token.count(".") == 2 and token.expires_on > 0


@check
async def token_certificate(env):
    cred = CertificateCredential(env.tenant, env.client_id, certificate_path=env.cert, authority=env.base,
                                 disable_instance_discovery=True, connection_verify=env.ca, send_certificate_chain=True)
    async with cred:
        assert (await cred.get_token(env.scope)).token


@check
async def users_create(env):
    body = User(account_enabled=True, display_name="SDK User", mail_nickname="sdk.user",
                user_principal_name="sdk.user@corp.example.com", usage_location="US",
                password_profile=PasswordProfile(password="Sdk-Passw0rd!x", force_change_password_next_sign_in=False))
    user = await env.graph.users.post(body)
    assert user.id and user.user_principal_name == "sdk.user@corp.example.com", user
    assert _extra(user) == [], _extra(user)
    env.user_id = user.id


@check
async def users_get_select(env):
    query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
        select=["id", "accountEnabled", "usageLocation", "onPremisesExtensionAttributes", "createdDateTime"])
    config = RequestConfiguration(query_parameters=query)
    user = await env.graph.users.by_user_id(env.user_id).get(config)
    assert user.account_enabled is True and user.usage_location == "US" and user.created_date_time is not None
    assert user.on_premises_extension_attributes is not None and _extra(user) == []


@check
async def users_update(env):
    await env.graph.users.by_user_id(env.user_id).patch(User(job_title="Conformance"))
    user = await env.graph.users.by_user_id(env.user_id).get()
    assert user.job_title == "Conformance"


@check
async def users_list_filter_select_top(env):
    page = await env.graph.users.get(_config(filter="startswith(userPrincipalName,'sdk.')",
                                             select=["id", "userPrincipalName"], top=5))
    assert [u.id for u in page.value] == [env.user_id] and page.odata_next_link is None


@check
async def users_list_advanced_count(env):
    page = await env.graph.users.get(_config(filter="userType ne 'Guest'", count=True, orderby=["displayName"],
                                             select=["displayName"], headers={"ConsistencyLevel": "eventual"}))
    names = [u.display_name for u in page.value]
    assert page.odata_count == len(names) and names == sorted(names, key=str.lower) and "SDK User" in names


@check
async def users_count_endpoint(env):
    config = RequestConfiguration()
    config.headers.add("ConsistencyLevel", "eventual")
    assert await env.graph.users.count.get(config) == 10


@check
async def paging_page_iterator(env):
    first = await env.graph.users.get(_config(top=3, select=["id"]))
    assert first.odata_next_link, "no nextLink with $top=3"
    seen = []

    def collect(user):
        seen.append(user.id)
        return True
    await PageIterator(first, env.adapter).iterate(collect)
    assert len(seen) == len(set(seen)) == 10, seen


@check
async def error_not_found(env):
    try:
        await env.graph.users.by_user_id("nobody@corp.example.com").get()
    except ODataError as exc:
        err = exc.error
        assert exc.response_status_code == 404 and err.code == "Request_ResourceNotFound" and err.message
        assert err.inner_error and err.inner_error.request_id and err.inner_error.date, err.inner_error
        return
    raise AssertionError("no ODataError")


@check
async def error_conflict_details(env):
    body = User(account_enabled=True, display_name="dup", mail_nickname="dup",
                user_principal_name="sdk.user@corp.example.com",
                password_profile=PasswordProfile(password="Sdk-Passw0rd!x", force_change_password_next_sign_in=False))
    try:
        await env.graph.users.post(body)
    except ODataError as exc:
        detail = exc.error.details[0]
        assert exc.error.code == "Request_BadRequest" and detail.code == "ObjectConflict"
        assert detail.target == "userPrincipalName" and detail.message, detail
        return
    raise AssertionError("no ODataError")


@check
async def error_unsupported_query(env):
    try:
        await env.graph.users.get(_config(top=1000))
    except ODataError as exc:
        assert exc.response_status_code == 400 and exc.error.code == "Request_UnsupportedQuery", exc.error.code
        return
    raise AssertionError("no ODataError")


@check
async def licenses(env):
    skus = await env.graph.subscribed_skus.get()
    bp = [s for s in skus.value if str(s.sku_id) == SKU_BP][0]
    assert bp.sku_part_number == "O365_BUSINESS_PREMIUM" and bp.prepaid_units.enabled == 25
    assert all(_extra(s) == [] for s in skus.value)
    body = AssignLicensePostRequestBody(add_licenses=[AssignedLicense(sku_id=SKU_BP, disabled_plans=[])],
                                        remove_licenses=[])
    await env.graph.users.by_user_id(env.user_id).assign_license.post(body)
    details = await env.graph.users.by_user_id(env.user_id).license_details.get()
    assert [str(d.sku_id) for d in details.value] == [SKU_BP]


@check
async def tenant_objects(env):
    domains = await env.graph.domains.get()
    assert {d.id for d in domains.value if d.is_verified} >= {"corp.example.com"}
    org = await env.graph.organization.get()
    assert org.value[0].id == env.tenant and all(_extra(d) == [] for d in domains.value + org.value)
    roles = await env.graph.directory_roles.get()
    assert "Global Administrator" in [r.display_name for r in roles.value]


@check
async def delta(env):
    page = await env.graph.users.delta.get()
    while page.odata_next_link:
        page = await env.graph.users.delta.with_url(page.odata_next_link).get()
    assert page.odata_delta_link and "$deltatoken=" in page.odata_delta_link


@check
async def revoke_sessions(env):
    answer = await env.graph.users.by_user_id(env.user_id).revoke_sign_in_sessions.post()
    assert answer.value is True, answer
    query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(
        select=["id", "signInSessionsValidFromDateTime"])
    user = await env.graph.users.by_user_id(env.user_id).get(RequestConfiguration(query_parameters=query))
    assert user.sign_in_sessions_valid_from_date_time is not None and _extra(user) == []


@check
async def deleted_items(env):
    await env.graph.users.by_user_id(env.user_id).delete()
    deleted = await env.graph.directory.deleted_items.graph_user.get()
    assert [u.id for u in deleted.value] == [env.user_id] and deleted.value[0].deleted_date_time is not None
    item = env.graph.directory.deleted_items.by_directory_object_id(env.user_id)
    query = DirectoryObjectItemRequestBuilder.DirectoryObjectItemRequestBuilderGetQueryParameters(
        select=["id", "deletedDateTime", "userPrincipalName", "accountEnabled"])
    one = await item.get(RequestConfiguration(query_parameters=query))
    assert one.id == env.user_id and one.deleted_date_time is not None and one.account_enabled is True, one
    restored = await item.restore.post()
    assert restored.id == env.user_id
    assert (await env.graph.users.by_user_id(env.user_id).get()).id == env.user_id
    await env.graph.users.by_user_id(env.user_id).delete()
    await item.delete()
    assert (await env.graph.directory.deleted_items.graph_user.get()).value == []


async def main(argv):
    env = Env(*argv)
    for func in CHECKS:
        try:
            await func(env)
            result = {"check": func.__name__, "ok": True, "detail": ""}
        except Exception as exc:   # every failure is a result to report, not a crash
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            if isinstance(exc, ODataError) and exc.error:
                detail += " [%s: %s]" % (exc.error.code, exc.error.message)
            result = {"check": func.__name__, "ok": False, "detail": detail[:2000]}
        print(json.dumps(result), flush=True)
    await env.credential.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
