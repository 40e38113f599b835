"""import_cloud_accounts reads the cloud users it may import: the ones named, the ones a filter finds, or the
whole tenant, which the run must ask for (cloud_all) and cloud_user_info must be told explicitly (all: true)."""
import pytest

from ansible_collections.hybrid.identity.plugins.plugin_utils._method_tables import ImportCloudAccounts, Refused


class FakeEngine(object):
    def __init__(self, **args):
        self.args = dict({"cloud_filter": "", "cloud_users": [], "cloud_all": False, "include": [], "ou": "",
                          "ad_groups": []}, **args)
        self.calls = []

    def run_module(self, module, args):
        self.calls.append((module, args))
        return {"users": [], "missing": []} if module.endswith("cloud_user_info") else {"admin_accounts": []}


@pytest.mark.parametrize("args, query", [
    ({"cloud_all": True}, {"all": True}),
    ({"cloud_filter": "department eq 'Sales'"}, {"filter": "department eq 'Sales'"}),
    ({"cloud_users": ["a@x.com"]}, {"users": ["a@x.com"]}),
])
def test_the_whole_tenant_is_asked_for_explicitly(args, query):
    engine = FakeEngine(**args)
    assert ImportCloudAccounts().load(engine) == ([], [])
    module, sent = engine.calls[0]
    assert module == "hybrid.identity.cloud_user_info" and sent == query


def test_no_choice_is_refused_before_anything_is_read():
    # an empty filter or list (a computed one, say) never imports the whole tenant and resets its cloud passwords
    engine = FakeEngine(cloud_users=[])
    with pytest.raises(Refused, match="set all_users: true"):
        ImportCloudAccounts().load(engine)
    assert engine.calls == []
