from ansible_collections.hybrid.identity.plugins.module_utils._plan import Field, plan_object, plan_list, HIDDEN

FIELDS = [
    Field("name", "displayName"),
    Field("upn", "userPrincipalName", casefold=True),
    Field("enabled", "accountEnabled", kind="bool"),
    Field("phones", "businessPhones", kind="list"),
    Field("password", "passwordProfile", write_only=True),
    Field("nickname", "mailNickname", create_only=True),
]


def test_create_sends_only_what_was_set_and_hides_passwords():
    plan = plan_object(FIELDS, {"name": "Ann", "upn": "a@x.com", "password": "S3cret!x", "enabled": None}, None)
    assert plan.action == "create"
    assert plan.changes == {"displayName": "Ann", "userPrincipalName": "a@x.com", "passwordProfile": "S3cret!x"}
    assert plan.after["password"] == HIDDEN
    assert "S3cret!x" not in repr(plan.after)


def test_unchanged_when_equal_ignoring_case_and_list_order():
    current = {"displayName": "Ann", "userPrincipalName": "A@X.COM", "businessPhones": ["2", "1"],
               "accountEnabled": True, "mailNickname": "other"}
    plan = plan_object(FIELDS, {"name": "Ann", "upn": "a@x.com", "phones": ["1", "2"], "enabled": True,
                                "nickname": "ann"}, current)
    assert plan.action == "unchanged"
    assert not plan.writes


def test_update_lists_changed_options_with_before_and_after():
    current = {"displayName": "Ann", "accountEnabled": True}
    plan = plan_object(FIELDS, {"name": "Anne", "enabled": False}, current)
    assert plan.action == "update"
    assert plan.changes == {"displayName": "Anne", "accountEnabled": False}
    assert sorted(plan.changed) == ["enabled", "name"]
    assert plan.before == {"name": "Ann", "enabled": True}


def test_case_matters_where_not_casefolded():
    plan = plan_object(FIELDS, {"name": "ann"}, {"displayName": "Ann"})
    assert plan.action == "update"


def test_write_only_value_given_means_update_and_is_hidden():
    plan = plan_object(FIELDS, {"password": "S3cret!x"}, {"displayName": "Ann"})
    assert plan.action == "update" and plan.changed == ["password"]
    assert plan.before["password"] == plan.after["password"] == HIDDEN


def test_absent_plans():
    assert plan_object(FIELDS, {}, None, state="absent").action == "absent"
    plan = plan_object(FIELDS, {}, {"displayName": "Ann"}, state="absent")
    assert plan.action == "delete" and plan.before == {"name": "Ann"}


def test_plan_list_add_remove_set():
    assert plan_list(["A", "b"], add=["a", "c"]) == (["A", "b", "c"], ["c"], [])
    assert plan_list(["A", "b"], remove=["B", "z"]) == (["A"], [], ["b"])
    assert plan_list(["A", "b"], set=["b", "d"]) == (["b", "d"], ["d"], ["A"])
    assert plan_list(["A"], add=["x"], remove=["x"]) == (["A"], [], [])
    assert plan_list(["A"], set=["a"], casefold=False) == (["a"], ["a"], ["A"])
