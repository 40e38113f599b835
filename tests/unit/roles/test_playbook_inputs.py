"""Each playbook maps the short extra vars users type onto its role's prefixed inputs, with the role's defaults.

The role's defaults/main.yml, its meta/argument_specs.yml and the playbook's vars must name the same inputs
with the same defaults: a drift would make the playbook and the role disagree about what an unset input means.
"""
import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ROLES = ["onboard_new_users", "add_cloud_accounts", "import_cloud_accounts", "link_accounts", "audit",
         "enable_integration", "offboard_users", "restore_users"]
MAPPING = re.compile(r"^\{\{ (?P<short>[a-z_]+) \| default\((?P<default>.*)\) \}\}$")


def _load(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize("role", ROLES)
def test_playbook_maps_every_role_input_with_the_role_default(role):
    defaults = _load("roles", role, "defaults", "main.yml")
    play = _load("playbooks", role + ".yml")[0]
    assert set(play["vars"]) == set(defaults), "playbook vars and role defaults name different inputs"
    for name, value in play["vars"].items():
        match = MAPPING.match(value)
        assert match, "%s: %r is not '{{ short | default(...) }}'" % (name, value)
        assert name == role + "_" + match.group("short")
        assert yaml.safe_load(match.group("default")) == defaults[name], name


@pytest.mark.parametrize("role", ROLES + ["password_sync"])
def test_role_inputs_carry_the_role_prefix_and_are_documented(role):
    defaults = _load("roles", role, "defaults", "main.yml")
    options = _load("roles", role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"]
    for name in defaults:
        assert name.startswith(role + "_"), name
    assert set(options) == set(defaults), "argument_specs and defaults differ"
    for name, spec in options.items():
        if "{{" not in str(defaults[name]):
            assert spec.get("default") == defaults[name], name
        if role != "password_sync":
            assert "Playbook extra var: C(%s)." % name[len(role) + 1:] in spec["description"], name
