"""The cognito role on the emulator: user pool (password policy, verification, MFA, advanced security,
groups, domain, resource servers), the mobile app client, the identity pool and its role, idempotence, check mode, a real sign-up and
sign-in giving tokens for the app client, refused replacements and bad input.

Asserts on the emulator's state with boto3, never on the module's word.
"""

import base64
import json
import os

import pytest

from emulator import launcher
from tests.playbook import run_playbook

PREFIX = "rtap-local"
POOL = f"{PREFIX}-users"
PLAYBOOK = "tests/integration/playbooks/cognito.yml"
REGION = "eu-west-1"


def find_pool(idp):
    return [p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == POOL]


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@pytest.fixture(scope="module")
def runs(emulator, aws_client, tmp_path_factory):
    launcher.reset(emulator.url, emulator.ca_bundle)
    env = dict(os.environ, **emulator.env())
    artifacts = tmp_path_factory.mktemp("artifacts")
    idp = aws_client("cognito-idp")
    results, states = {}, {}
    results["predict"] = run_playbook(env, PLAYBOOK, "--check", "--diff", artifacts=artifacts)
    states["predict"] = find_pool(idp)
    for label, args in (("first", ()), ("again", ()), ("check", ("--check", "--diff"))):
        results[label] = run_playbook(env, PLAYBOOK, *args, artifacts=artifacts)
    for label, result in results.items():
        assert result.returncode == 0, (label, result.output[-4000:])
    pool_id = find_pool(idp)[0]["Id"]
    return {"results": results, "states": states, "idp": idp, "pool_id": pool_id, "env": env,
            "identity": aws_client("cognito-identity"), "iam": aws_client("iam"),
            "artifacts": artifacts}


@pytest.fixture(scope="module")
def app_client(runs):
    idp, pool_id = runs["idp"], runs["pool_id"]
    clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    assert [c["ClientName"] for c in clients] == ["mobile"]
    return idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=clients[0]["ClientId"])["UserPoolClient"]


def test_check_on_an_empty_environment_predicts_and_creates_nothing(runs):
    assert "cognito : Create or update the user pool, its groups, domain and resource servers" in \
        runs["results"]["predict"].changed_tasks
    assert runs["states"]["predict"] == []


def test_second_run_and_check_run_change_nothing(runs):
    assert runs["results"]["first"].recap["changed"] > 0
    assert runs["results"]["again"].recap["changed"] == 0, runs["results"]["again"].changed_tasks
    assert runs["results"]["check"].recap["changed"] == 0, runs["results"]["check"].changed_tasks
    assert len(find_pool(runs["idp"])) == 1


def test_pool_settings(runs):
    idp, pool_id = runs["idp"], runs["pool_id"]
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 7}
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["VerificationMessageTemplate"]["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    # local inventory: MFA off, advanced security off.
    assert pool["MfaConfiguration"] == "OFF"
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "OFF"}
    assert pool["UserPoolTags"]["Layer"] == "api" and pool["UserPoolTags"]["Environment"] == "local"


def test_groups_domain_and_resource_servers(runs):
    idp, pool_id = runs["idp"], runs["pool_id"]
    groups = {g["GroupName"]: (g["Description"], g["Precedence"]) for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
    assert groups == {"admins": ("Platform administrators", 1), "users": ("App users", 10)}
    domain = idp.describe_user_pool_domain(Domain=PREFIX)["DomainDescription"]
    assert domain["UserPoolId"] == pool_id and domain["Status"] == "ACTIVE"
    server, = idp.list_resource_servers(UserPoolId=pool_id, MaxResults=50)["ResourceServers"]
    assert server["Identifier"] == f"https://api.{PREFIX}" and server["Name"] == f"{PREFIX}-api"
    assert sorted(s["ScopeName"] for s in server["Scopes"]) == ["todos.read", "todos.write"]


def test_mobile_app_client(app_client):
    assert "ClientSecret" not in app_client
    assert set(app_client["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                                                    "ALLOW_ADMIN_USER_PASSWORD_AUTH"}
    assert (app_client["AccessTokenValidity"], app_client["IdTokenValidity"], app_client["RefreshTokenValidity"]) \
        == (60, 60, 30)
    assert app_client["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}
    assert sorted(app_client["CallbackURLs"]) == ["http://localhost:3000/callback", "rtap://auth/callback"]
    assert app_client["AllowedOAuthFlows"] == ["code"] and app_client["AllowedOAuthFlowsUserPoolClient"]
    assert app_client["SupportedIdentityProviders"] == ["COGNITO"]


def identity_pool(runs):
    identity = runs["identity"]
    pools = [p for p in identity.list_identity_pools(MaxResults=60)["IdentityPools"] if p["IdentityPoolName"] == POOL]
    assert len(pools) == 1, pools
    return identity.describe_identity_pool(IdentityPoolId=pools[0]["IdentityPoolId"])


def test_identity_pool_trusts_the_app_client_and_gives_signed_in_users_their_folder(runs, app_client):
    pool = identity_pool(runs)
    pool_id = pool["IdentityPoolId"]
    assert pool["AllowUnauthenticatedIdentities"] is False
    assert [(p["ProviderName"], p["ClientId"]) for p in pool["CognitoIdentityProviders"]] == [
        (f"cognito-idp.{REGION}.amazonaws.com/{runs['pool_id']}", app_client["ClientId"])]
    role_arn = f"arn:aws:iam::123456789012:role/{PREFIX}-cognito-authenticated"
    assert runs["identity"].get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == {"authenticated": role_arn}

    iam = runs["iam"]
    role = iam.get_role(RoleName=f"{PREFIX}-cognito-authenticated")["Role"]
    trust, = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Federated": "cognito-identity.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Condition"] == {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                                  "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}
    policy = iam.get_role_policy(RoleName=role["RoleName"], PolicyName="user-files-own-folder")["PolicyDocument"]
    objects, listing = policy["Statement"]
    assert objects["Resource"] == f"arn:aws:s3:::{PREFIX}-user-files/${{cognito-identity.amazonaws.com:sub}}/*"
    assert sorted(objects["Action"]) == ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    assert listing["Action"] == "s3:ListBucket" and listing["Resource"] == f"arn:aws:s3:::{PREFIX}-user-files"
    assert "${cognito-identity.amazonaws.com:sub}/" in listing["Condition"]["StringLike"]["s3:prefix"]


def test_outputs(runs, app_client):
    outputs = json.loads((runs["artifacts"] / "local" / "outputs.json").read_text())["cognito"]
    pool_id = runs["pool_id"]
    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    assert outputs["user_pool_id"] == pool_id and outputs["app_client_id"] == app_client["ClientId"]
    assert outputs["user_pool_arn"].endswith(f":userpool/{pool_id}")
    assert outputs["issuer"] == issuer and outputs["jwks_url"] == f"{issuer}/.well-known/jwks.json"
    assert outputs["domain"] == f"{PREFIX}.auth.{REGION}.amazoncognito.com"
    assert outputs["identity_pool_id"] == identity_pool(runs)["IdentityPoolId"]
    assert outputs["authenticated_role_arn"] == f"arn:aws:iam::123456789012:role/{PREFIX}-cognito-authenticated"


def test_sign_up_confirm_and_sign_in_give_tokens_for_the_app_client(runs, app_client):
    idp, pool_id, client_id = runs["idp"], runs["pool_id"], app_client["ClientId"]
    email = "ada@example.com"
    password = "Corr3ct-Horse-Battery"
    idp.sign_up(ClientId=client_id, Username=email, Password=password,
                UserAttributes=[{"Name": "email", "Value": email}])
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
    auth = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": email, "PASSWORD": password})["AuthenticationResult"]
    id_claims, access_claims = claims(auth["IdToken"]), claims(auth["AccessToken"])
    assert id_claims["aud"] == client_id and access_claims["client_id"] == client_id
    assert id_claims["iss"] == f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    assert id_claims["email"] == email
    assert auth["RefreshToken"]


def test_a_setting_aws_cannot_change_is_refused_not_replaced(runs):
    run = run_playbook(runs["env"], PLAYBOOK, "-e", json.dumps({"cognito_username_attributes": []}),
                       artifacts=runs["artifacts"])
    assert run.returncode != 0
    assert "username_attributes: AWS cannot change them on an existing pool" in run.output, run.output[-3000:]
    assert [p["Id"] for p in find_pool(runs["idp"])] == [runs["pool_id"]]


def test_mfa_and_advanced_security_follow_the_environment_values(runs):
    extra = {"cognito_mfa_configuration": "ON", "cognito_advanced_security_mode": "ENFORCED"}
    run = run_playbook(runs["env"], PLAYBOOK, "-e", json.dumps(extra), artifacts=runs["artifacts"])
    assert run.returncode == 0, run.output[-3000:]
    idp, pool_id = runs["idp"], runs["pool_id"]
    mfa = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["MfaConfiguration"] == "ON" and mfa["SoftwareTokenMfaConfiguration"]["Enabled"]
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    again = run_playbook(runs["env"], PLAYBOOK, "-e", json.dumps(extra), artifacts=runs["artifacts"])
    assert again.recap["changed"] == 0, again.changed_tasks


BAD = {
    "password too short": ({"cognito_password_policy": {"minimum_length": 5}},
                           "cognito_password_policy.minimum_length: AWS accepts 6 to 99, got 5"),
    "password too long": ({"cognito_password_policy": {"minimum_length": 100}},
                          "cognito_password_policy.minimum_length: AWS accepts 6 to 99, got 100"),
    "unknown MFA": ({"cognito_mfa_configuration": "SOMETIMES"},
                    "cognito_mfa_configuration: must be one of OFF, OPTIONAL, ON, got SOMETIMES"),
    "access token validity": ({"cognito_access_token_validity_minutes": 2000},
                              "cognito_access_token_validity_minutes: AWS accepts 5 to 1440 minutes, got 2000"),
    "refresh token validity": ({"cognito_refresh_token_validity_days": 0},
                               "cognito_refresh_token_validity_days: AWS accepts 1 to 3650 days, got 0"),
    "http callback": ({"cognito_callback_urls": ["http://app.example.com/cb"]},
                      "cognito_callback_urls: must be https (http only for localhost) or an app scheme, "
                      "got http://app.example.com/cb"),
    "delete without confirmation": ({"cognito_state": "absent"}, "cognito_allow_delete: deleting the user pool"),
}


@pytest.mark.parametrize("extra_vars, expected", BAD.values(), ids=BAD.keys())
def test_bad_cognito_input_fails_before_any_change(fresh_emulator, aws_env, aws_client, tmp_path, extra_vars, expected):
    run = run_playbook(aws_env, "playbooks/api.yml", "-e", json.dumps(extra_vars), artifacts=tmp_path)

    assert run.returncode != 0
    assert expected in " ".join(run.output.split()), run.output[-3000:]
    assert run.recap["changed"] == 0
    assert aws_client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"] == []
    assert aws_client("cognito-identity").list_identity_pools(MaxResults=60)["IdentityPools"] == []
