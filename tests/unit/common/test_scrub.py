"""The linear no_log scrub gives what Ansible's own remove_values gives, and is stricter on overlaps."""
import random
import string

from ansible.module_utils.common.parameters import remove_values

from ansible_collections.hybrid.identity.plugins.module_utils._scrub import MASK, PLACEHOLDER, Scrubber, use_linear_scrub


def test_same_as_ansible_on_a_realistic_result():
    rng = random.Random(7)
    secrets = ["".join(rng.choice(string.ascii_letters + string.digits + "!-") for _ in range(rng.randint(8, 24)))
               for _ in range(300)]
    result = {
        "changed": True,
        "users": [{"name": "u%d@corp.example.com" % i, "action": "created", "id": i, "flag": bool(i % 2),
                   "error": "refused %s because" % secrets[i] if i % 7 == 0 else None,
                   "list": ["x", secrets[i], "y%sz" % secrets[i]]} for i in range(300)],
        "invocation": {"module_args": {"users": [{"name": "u%d" % i, "password": s} for i, s in enumerate(secrets)]}},
    }
    assert Scrubber(secrets).value(result) == remove_values(result, set(secrets))


def test_exact_substring_overlap_and_scalars():
    scrub = Scrubber(["abcdef", "defghi", "s3cret99", ""])
    assert scrub.value("abcdef") == PLACEHOLDER
    assert scrub.value("xxabcdefghiyy") == "xx" + MASK + "yy"        # overlapping secrets: one covered stretch
    assert scrub.value("a s3cret99 b s3cret99") == "a %s b %s" % (MASK, MASK)
    assert scrub.value(b"s3cret99") == PLACEHOLDER
    assert scrub.value({"k": ("s3cret99", 5)}) == {"k": [PLACEHOLDER, 5]}
    assert Scrubber(["12345678"]).value(912345678) == PLACEHOLDER   # a number holding a secret, as Ansible does
    assert scrub.value(None) is None and scrub.value(True) is True
    assert scrub.value("short") == "short"                           # shorter than every secret
    assert Scrubber([]).value({"a": "abcdef"}) == {"a": "abcdef"}


class Module(object):
    def __init__(self, secrets):
        self.no_log_values = set(secrets)
        self.params = {"users": [{"name": "a", "password": s} for s in secrets]}
        self._verbosity = 3
        self.exits = []

    def exit_json(self, **kwargs):
        self.exits.append(("exit", kwargs, set(self.no_log_values)))

    def fail_json(self, **kwargs):
        self.exits.append(("fail", kwargs, set(self.no_log_values)))


def test_module_exits_are_scrubbed_before_ansible_sees_them():
    module = use_linear_scrub(Module(["Pw-one-111", "Pw-two-222"]))
    module.exit_json(changed=False, users=[{"msg": "got Pw-one-111"}])
    kind, kwargs, left = module.exits[-1]
    assert kind == "exit" and left == set()          # nothing left for Ansible's quadratic pass
    assert kwargs["users"] == [{"msg": "got " + MASK}] and kwargs["changed"] is False
    assert [u["password"] for u in kwargs["invocation"]["module_args"]["users"]] == [PLACEHOLDER, PLACEHOLDER]
    module = use_linear_scrub(Module(["Pw-one-111"]))
    module.fail_json(msg="cannot: Pw-one-111", failed_users=["Pw-one-111"])
    kind, kwargs, _left = module.exits[-1]
    assert kind == "fail" and kwargs["msg"] == "cannot: " + MASK and kwargs["failed_users"] == [PLACEHOLDER]


def test_long_argument_lists_are_echoed_only_at_vvv():
    from ansible_collections.hybrid.identity.plugins.module_utils._scrub import echoed_arguments
    params = {"users": [{"name": str(i)} for i in range(51)], "state": "present", "few": [1, 2]}
    assert echoed_arguments(params, 0) == {"users": "(51 entries; shown with -vvv)", "state": "present", "few": [1, 2]}
    assert echoed_arguments(params, 3) is params
