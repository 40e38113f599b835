#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: cloud_access_info
short_description: What the app may do in Microsoft Graph, and who holds admin roles
version_added: 1.0.0
description:
  - Returns the Graph application permissions granted to the app registration the collection signs in as
    (the C(roles) claim of its app-only token) and, per playbook of the collection, the least permissions
    it needs and which of them are missing.
  - Returns the users that hold a directory (admin) role, read from C(/directoryRoles) and their members
    (needs C(RoleManagement.Read.Directory) or C(Directory.Read.All)). Admin accounts should stay
    cloud-only; Entra Connect never matches them either.
  - Used by the C(enable_integration) and C(import_cloud_accounts) roles.
author:
  - hybrid.identity contributors (@hybrid-identity)
extends_documentation_fragment:
  - hybrid.identity.cloud_connection
  - hybrid.identity.attributes
  - hybrid.identity.attributes.INFO_MODULE
options:
  read_roles:
    description: Whether to read the members of the directory roles.
    type: bool
    default: true
seealso:
  - module: hybrid.identity.cloud_tenant_info
'''

EXAMPLES = r'''
- name: Check the app's permissions
  hybrid.identity.cloud_access_info:
  register: access

- name: Stop when onboarding cannot work
  ansible.builtin.assert:
    that: access.missing.onboard_new_users | length == 0
    fail_msg: "Grant {{ access.missing.onboard_new_users | join(', ') }} to the app registration"
'''

RETURN = r'''
token_type:
  description: V(application) for an app-only token, V(delegated) for a user's token (then the permissions are scopes).
  returned: always
  type: str
permissions:
  description: The application permissions (or delegated scopes) the token carries.
  returned: always
  type: list
  elements: str
  sample: [User.ReadWrite.All, Organization.Read.All]
required:
  description: Per playbook, the least Graph permissions it needs.
  returned: always
  type: dict
missing:
  description: Per playbook, the required permissions the token lacks (a broader one, such as C(Directory.ReadWrite.All), counts).
  returned: always
  type: dict
  sample: {onboard_new_users: [LicenseAssignment.ReadWrite.All]}
admin_accounts:
  description: Users holding a directory role, with the role names.
  returned: when O(read_roles=true) and the roles could be read
  type: list
  elements: dict
  sample: [{id: 0a6f1c55-7e2b-4d3a-9c8e-1f2a3b4c5d01, user_principal_name: admin@contoso.com, roles: [Global Administrator]}]
roles_error:
  description: Why the directory roles could not be read.
  returned: when they could not be read
  type: str
graph:
  description: Request statistics of the run.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hybrid.identity.plugins.module_utils._cloud_common import (
    cloud_argument_spec, connect, fail_graph)
from ansible_collections.hybrid.identity.plugins.module_utils._graph_auth import jwt_claims
from ansible_collections.hybrid.identity.plugins.module_utils._graph_batch import SubRequest
from ansible_collections.hybrid.identity.plugins.module_utils._graph_errors import GraphError
from ansible_collections.hybrid.identity.plugins.module_utils._role_logic import PLAYBOOK_PERMISSIONS, missing_permissions


def main():
    module = AnsibleModule(argument_spec=cloud_argument_spec(read_roles=dict(type="bool", default=True)),
                           supports_check_mode=True)
    client = connect(module)
    try:
        claims = jwt_claims(client.credential.token())
    except GraphError as exc:
        fail_graph(module, exc, graph=client.stats)
    if claims.get("roles") is not None or not claims.get("scp"):
        token_type, permissions = "application", sorted(claims.get("roles") or [])
    else:
        token_type, permissions = "delegated", sorted(str(claims.get("scp")).split())
    result = dict(changed=False, token_type=token_type, permissions=permissions,
                  required=PLAYBOOK_PERMISSIONS,
                  missing=dict((name, missing_permissions(permissions, name)) for name in PLAYBOOK_PERMISSIONS))
    if module.params["read_roles"]:
        try:
            roles = list(client.pages("/directoryRoles"))
            requests = [SubRequest(role["id"], "GET", "/directoryRoles/%s/members" % role["id"]) for role in roles]
            answers = client.batch(requests) if requests else {}
            admins = {}
            for role in roles:
                answer = answers[role["id"]]
                if not answer.ok:
                    raise answer.error
                for member in (answer.body or {}).get("value") or []:
                    if "user" not in (member.get("@odata.type") or "#microsoft.graph.user"):
                        continue
                    entry = admins.setdefault(member["id"], {"id": member["id"], "roles": [],
                                                             "user_principal_name": member.get("userPrincipalName")})
                    entry["roles"].append(role.get("displayName"))
            result["admin_accounts"] = sorted(admins.values(), key=lambda a: (a["user_principal_name"] or "").lower())
        except GraphError as exc:
            result["roles_error"] = str(exc)
    result["graph"] = client.stats
    module.exit_json(**result)


if __name__ == "__main__":
    main()
