"""cognito scenario: the user pool exists with its password policy, verification, MFA and advanced security
(local inventory values), groups, domain and resource server scopes, and the mobile app client has no secret,
SRP and refresh-token flows and its token validity."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))
from emulator_client import client  # noqa: E402

PREFIX = "rtap-local"
NAME = f"{PREFIX}-users"
idp = client("cognito-idp")

pools = [p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == NAME]
assert len(pools) == 1, pools
pool_id = pools[0]["Id"]
pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12, pool["Policies"]
assert pool["AutoVerifiedAttributes"] == ["email"] and pool["UsernameAttributes"] == ["email"], pool
assert pool["MfaConfiguration"] == "OFF" and pool["UserPoolAddOns"]["AdvancedSecurityMode"] == "OFF", pool
assert pool["UserPoolTags"]["Layer"] == "api", pool["UserPoolTags"]

groups = sorted(g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"])
assert groups == ["admins", "users"], groups
assert idp.describe_user_pool_domain(Domain=PREFIX)["DomainDescription"]["UserPoolId"] == pool_id
server, = idp.list_resource_servers(UserPoolId=pool_id, MaxResults=50)["ResourceServers"]
assert sorted(s["ScopeName"] for s in server["Scopes"]) == ["todos.read", "todos.write"], server

app, = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
app = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=app["ClientId"])["UserPoolClient"]
assert "ClientSecret" not in app, app
assert {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"} <= set(app["ExplicitAuthFlows"]), app
assert (app["AccessTokenValidity"], app["IdTokenValidity"], app["RefreshTokenValidity"]) == (60, 60, 30), app
assert "rtap://auth/callback" in app["CallbackURLs"], app
print(f"cognito: {NAME} ({pool_id}) and its mobile client verified")

identity = client("cognito-identity")
ipool, = [p for p in identity.list_identity_pools(MaxResults=60)["IdentityPools"] if p["IdentityPoolName"] == NAME]
ipool = identity.describe_identity_pool(IdentityPoolId=ipool["IdentityPoolId"])
assert [p["ClientId"] for p in ipool["CognitoIdentityProviders"]] == [app["ClientId"]], ipool
role_arn = f"arn:aws:iam::123456789012:role/{PREFIX}-cognito-authenticated"
assert identity.get_identity_pool_roles(IdentityPoolId=ipool["IdentityPoolId"])["Roles"] == {"authenticated": role_arn}
trust, = client("iam").get_role(RoleName=f"{PREFIX}-cognito-authenticated")["Role"]["AssumeRolePolicyDocument"]["Statement"]
assert trust["Condition"]["StringEquals"] == {"cognito-identity.amazonaws.com:aud": ipool["IdentityPoolId"]}, trust
print(f"cognito: identity pool {ipool['IdentityPoolId']} and its authenticated role verified")
