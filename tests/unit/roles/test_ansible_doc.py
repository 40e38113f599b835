"""ansible-doc renders the documentation of every role (its argument spec), every module and every filter,
as users read it: ansible-doc -t <type> hybrid.identity.<name>, with the collection on ANSIBLE_COLLECTIONS_PATH."""
import glob
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DOC = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
ROLES = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "roles", "*"))
               if os.path.exists(os.path.join(p, "meta", "argument_specs.yml")))
MODULES = sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py"))
                 if not os.path.basename(p).startswith("_"))


def _filters():
    from ansible_collections.hybrid.identity.plugins.filter.roles import FilterModule
    return sorted(FilterModule().filters())


def ansible_doc(*args):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_DEPRECATION_WARNINGS="true")
    return subprocess.run([DOC] + list(args), capture_output=True, text=True, env=env, timeout=300)


def own_messages(stderr):
    """stderr less ansible-core's words about its own internal collection: 2.21's `ansible-doc -t role` warns
    that ansible/_internal/ansible_collections/ansible/_protomatter has no MANIFEST.json."""
    return "\n".join(line for line in stderr.splitlines() if "/ansible/_internal/ansible_collections/" not in line)


@pytest.mark.parametrize("kind, names, header", [
    ("role", ROLES, "> ROLE: *hybrid.identity.%s* "),
    ("module", MODULES, "> MODULE hybrid.identity.%s "),
    ("filter", _filters(), "> FILTER hybrid.identity.%s "),
])
def test_every_plugin_renders(kind, names, header):
    assert names
    proc = ansible_doc("-t", kind, *["hybrid.identity." + n for n in names])
    assert proc.returncode == 0, proc.stderr
    assert "ERROR" not in own_messages(proc.stderr) and "WARNING" not in own_messages(proc.stderr), proc.stderr
    for name in names:
        assert header % name in proc.stdout, "%s %s did not render:\n%s" % (kind, name, proc.stderr)
    data = json.loads(ansible_doc("-t", kind, "--json", *["hybrid.identity." + n for n in names]).stdout)
    for name in names:
        entry = data["hybrid.identity." + name]
        if kind == "role":
            spec = entry["entry_points"]["main"]
            assert spec["short_description"] and spec["options"], name
            # every default the role has is documented with the same value
            defaults = os.path.join(ROOT, "roles", name, "defaults", "main.yml")
            if os.path.exists(defaults):
                import yaml
                with open(defaults) as handle:
                    values = yaml.safe_load(handle) or {}
                for option, value in values.items():
                    if isinstance(value, str) and "{{" in value:
                        continue
                    assert option in spec["options"], "%s: %s is not in the argument spec" % (name, option)
                    assert spec["options"][option].get("default") == value, "%s: default of %s" % (name, option)
        else:
            assert entry["doc"]["short_description"], name
            assert entry["examples"], name


def test_role_list():
    proc = ansible_doc("-t", "role", "-l", "hybrid.identity")
    assert proc.returncode == 0, proc.stderr
    for role in ROLES:
        assert "hybrid.identity.%s" % role in proc.stdout
