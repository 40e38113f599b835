# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The Microsoft Graph connection shared by every cloud module (action group hybrid.identity.cloud).
    DOCUMENTATION = r'''
options:
  tenant_id:
    description:
      - The directory (tenant) id or a verified domain of the tenant.
      - Falls back to the environment variable E(AZURE_TENANT_ID).
      - Not needed with O(access_token).
    type: str
  client_id:
    description:
      - The application (client) id of the app registration the module signs in as.
      - Falls back to the environment variable E(AZURE_CLIENT_ID).
      - Not needed with O(access_token).
    type: str
  client_secret:
    description:
      - A client secret of the app registration.
      - Falls back to the environment variable E(AZURE_CLIENT_SECRET).
      - "Credential precedence: an option beats the environment; among options O(access_token), then
        O(client_certificate_path), then O(client_secret); from the environment E(AZURE_CLIENT_SECRET),
        then E(AZURE_CLIENT_CERTIFICATE_PATH) (azure-identity's order)."
    type: str
  client_certificate_path:
    description:
      - Path to a PEM file holding the app's private key (unencrypted) and its certificate.
      - The SHA-1 thumbprint the token request needs is computed from the certificate.
      - Falls back to the environment variable E(AZURE_CLIENT_CERTIFICATE_PATH).
    type: path
  access_token:
    description:
      - A Microsoft Graph access token acquired elsewhere, for admins who can only sign in
        interactively with MFA (for example C(az account get-access-token --resource-type ms-graph)).
      - The token is used as is and cannot be renewed; a token that expires during the run ends
        the run with a message saying so.
    type: str
  cloud:
    description:
      - The national cloud, which presets O(authority_host) and O(graph_endpoint).
      - V(public) is login.microsoftonline.com and graph.microsoft.com; V(usgovernment) is
        login.microsoftonline.us and graph.microsoft.us; V(china) is login.chinacloudapi.cn and
        microsoftgraph.chinacloudapi.cn.
    type: str
    choices: [public, usgovernment, china]
    default: public
  authority_host:
    description:
      - Overrides the sign-in authority host of O(cloud), as an https URL without the tenant.
      - Falls back to the environment variable E(AZURE_AUTHORITY_HOST).
    type: str
  graph_endpoint:
    description:
      - Overrides the Microsoft Graph endpoint of O(cloud), as an https URL without the version.
      - The token scope is this endpoint followed by C(/.default).
      - Falls back to the environment variable E(HYBRID_IDENTITY_GRAPH_ENDPOINT).
    type: str
  validate_certs:
    description:
      - Whether to validate the TLS certificates of the authority and of Graph.
      - Only set to V(false) on a trusted test network.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of CA certificates to validate the authority and Graph with, instead of the
        system trust store.
      - Falls back to the environment variable E(HYBRID_IDENTITY_CA_PATH).
      - E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE) never override this option; without it they are
        honoured.
    type: path
requirements:
  - requests
  - msal (not needed with O(access_token))
notes:
  - One module run uses one HTTP session and one token; Graph writes go through C($batch) requests
    of 20, and throttled (429) or transiently failing (502, 503, 504) requests are retried after
    their C(Retry-After) inside a time budget.
'''
