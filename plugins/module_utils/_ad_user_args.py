# -*- coding: utf-8 -*-
# Copyright: Contributors to the hybrid.identity project
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ad_user's argument spec (data only). It lives here to keep the module file to its documentation
and main(); the DOCUMENTATION in plugins/modules/ad_user.py describes exactly this (validate-modules
compares the two)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hybrid.identity.plugins.module_utils._delete_guard import delete_argument_spec
from ansible_collections.hybrid.identity.plugins.module_utils._ldap_client import ad_argument_spec

USER_OPTIONS = dict(
    identity=dict(type="str"),
    name=dict(type="str"),
    path=dict(type="str"),
    sam_account_name=dict(type="str"),
    upn=dict(type="str"),
    given_name=dict(type="str", aliases=["firstname"]),
    surname=dict(type="str", aliases=["lastname"]),
    display_name=dict(type="str"),
    email=dict(type="str"),
    description=dict(type="str"),
    title=dict(type="str"),
    department=dict(type="str"),
    company=dict(type="str"),
    office=dict(type="str"),
    telephone_number=dict(type="str"),
    mobile=dict(type="str"),
    employee_id=dict(type="str"),
    street=dict(type="str"),
    city=dict(type="str"),
    state_province=dict(type="str"),
    postal_code=dict(type="str"),
    country=dict(type="str"),
    web_page=dict(type="str"),
    attributes=dict(type="dict", options=dict(
        add=dict(type="dict"),
        remove=dict(type="dict"),
        set=dict(type="dict"),
    )),
    groups=dict(type="dict", options=dict(
        add=dict(type="list", elements="str"),
        remove=dict(type="list", elements="str"),
        set=dict(type="list", elements="str"),
        lookup_failure_action=dict(type="str", default="fail", choices=["fail", "ignore", "warn"],
                                   aliases=["lookup_failure", "missing_behaviour"]),
    )),
    enabled=dict(type="bool"),
    account_locked=dict(type="bool"),
    password=dict(type="str", no_log=True),
    update_password=dict(type="str", choices=["always", "on_create"], no_log=False),
    password_expired=dict(type="bool"),
    password_never_expires=dict(type="bool", no_log=False),
    state=dict(type="str", choices=["present", "absent"]),
    create_only=dict(type="bool", default=False),
)


def ad_user_argument_spec():
    # Module-level state / update_password with defaults; a user's own (no default) overrides them.
    return ad_argument_spec(
        users=dict(type="list", elements="dict", required=True, options=USER_OPTIONS),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        update_password=dict(type="str", default="on_create", choices=["always", "on_create"], no_log=False),
        return_attributes=dict(type="list", elements="str", default=[]),
        **delete_argument_spec()
    )
