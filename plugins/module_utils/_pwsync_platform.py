# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which password story applies to a domain (pure logic; enable_integration reports it).

Inputs are facts other modules already read: the DC's vendor (the rootDSE of a Samba DC
carries no Windows-only attributes; ad_domain_info can say which), the tenant's
organization.onPremisesSyncEnabled, and whether the password_sync agent is installed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

SAMBA_AGENT = "samba_agent"
SAMBA_NOT_INSTALLED = "samba_agent_not_installed"
DIRSYNC_ENGINE = "entra_connect"
WINDOWS_SET_BOTH = "windows_set_both_sides"


def password_sync_mode(dc_vendor, tenant_sync_enabled, agent_installed=False):
    """-> (mode, message). dc_vendor: 'samba' or 'windows'; tenant_sync_enabled: the tenant's
    organization.onPremisesSyncEnabled (True when Entra Connect / Cloud Sync is active)."""
    if tenant_sync_enabled:
        return DIRSYNC_ENGINE, (
            "a directory sync engine (Entra Connect / Cloud Sync) is active for this tenant: it masters the synced "
            "users and syncs their password hashes itself; hybrid.identity must not write those users or run its "
            "password sync beside it")
    if (dc_vendor or "").lower() == "samba":
        if agent_installed:
            return SAMBA_AGENT, ("Samba DC: on-premises password changes of linked users reach the cloud through "
                                 "the password_sync agent")
        return SAMBA_NOT_INSTALLED, ("Samba DC: apply the hybrid.identity.password_sync role to the DC so that "
                                     "password changes reach the cloud")
    return WINDOWS_SET_BOTH, (
        "Windows DC: nothing here sees a password changed on-premises (that needs a DC password filter, or Entra "
        "Connect / Cloud Sync password hash sync, which then masters the objects). Set passwords through the "
        "collection's roles, which set the same password on both sides, or move to Entra Connect")
