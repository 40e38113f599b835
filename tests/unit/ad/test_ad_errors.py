from ansible_collections.hybrid.identity.plugins.module_utils import _ad_errors as e


def res(code, description, message):
    return {"result": code, "description": description, "message": message}


def test_password_policy_includes_dc_reason():
    msg = e.describe(res(19, "constraintViolation", "0000052D: Constraint violation - check_password_restrictions: "
                         "the password is too short. It should be equal or longer than 7 characters!"), op="create")
    assert "password policy" in msg and "0000052D" in msg
    assert "the password is too short" in msg
    assert "Fix" in msg


def test_password_policy_matched_on_code_not_result():
    assert "password policy" in e.describe(res(53, "unwillingToPerform", "0000052D: something"))


def test_sam_in_use():
    msg = e.describe(res(68, "entryAlreadyExists", "00002071: samldb: samAccountName 'probe1' already in use!"))
    assert "sAMAccountName 'probe1' is already in use" in msg


def test_upn_in_use():
    msg = e.describe(res(19, "constraintViolation",
                         "0000202F: samldb: userPrincipalName 'a@b.c' is already in use "), upn="a@b.c")
    assert "UPN 'a@b.c' is already in use" in msg


def test_missing_ou_on_create_and_move():
    msg = e.describe(res(32, "noSuchObject", "00002030: objectclass: Cannot add CN=x,OU=Nope,DC=c, parent does not "
                         "exist!"), op="create", parent="OU=Nope,DC=c")
    assert "OU or container 'OU=Nope,DC=c' does not exist" in msg
    msg = e.describe(res(80, "other", "00002095: objectclass: Cannot rename CN=x,CN=Users,DC=c, parent does not "
                         "exist!"), op="move", parent="OU=Gone,DC=c")
    assert "'OU=Gone,DC=c' does not exist" in msg


def test_missing_object():
    assert "does not exist" in e.describe(res(32, "noSuchObject", "nope"), op="update", dn="CN=x,DC=c")


def test_insufficient_rights_names_account():
    msg = e.describe(res(50, "insufficientAccessRights", "00002098: Insufficient access"), op="create",
                     dn="CN=x,DC=c", account="svc@corp")
    assert "insufficient rights" in msg and "svc@corp" in msg and "CN=x,DC=c" in msg


def test_bind_failure_reason():
    msg = e.describe(res(49, "invalidCredentials", "80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext "
                         "error, data 52e, v3839"), op="bind", account="admin@corp")
    assert "wrong" in msg and "admin@corp" in msg
    assert "expired" in e.describe(res(49, "invalidCredentials", "... data 532, v"), op="bind")


def test_schema_unknown_attribute():
    msg = e.describe(res(16, "noSuchAttribute", "objectclass_attrs: attribute 'extensionAttribute1' on entry 'x' "
                         "was not found in the schema"))
    assert "schema" in msg


def test_generic_message_has_code():
    msg = e.describe(res(1, "operationsError", "boom"), op="update", dn="CN=x")
    assert "operationsError" in msg and "boom" in msg


def test_ad_code():
    assert e.ad_code("0000052d: x") == "0000052D"
    assert e.ad_code("nothing") is None


def test_connection_failures():
    assert "refused" in e.connection_failure("127.0.0.1", 1, "socket connection error: [Errno 111] Connection refused")
    msg = e.connection_failure("dc1", 636, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert "ca_path" in msg
    assert "timed out" in e.connection_failure("dc1", 636, "timed out")
