"""Creates AWS does not make idempotent are made at most once (module_utils/create_once.py).

Each test puts the fault proxy in front of the emulator, set to drop the connection once, right
after the emulator applied the module's create (drop_after): the module never sees the answer,
and a client that sends the request again makes a second resource. The module runs once through
ansible-playbook with the proxy as its endpoint; it must succeed, and the emulator, read with boto3
straight (not through the proxy), must hold exactly one such resource.
"""

import json
import os

import pytest

from emulator.api_calls import ServiceModels
from tests.module_playbook import run_module_playbook
from tests.reliability.fault_proxy import FaultProxy

REST_API_DOCUMENT = {
    "openapi": "3.0.1",
    "info": {"title": "create-once", "version": "1"},
    "paths": {"/todos": {"get": {
        "responses": {"200": {"description": "ok"}},
        "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": '{"statusCode": 200}'},
                                            "responses": {"default": {"statusCode": "200"}}}}}},
}
NLB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/create-once/0123456789abcdef"
CONTAINERS = [{"name": "app", "image": "public.ecr.aws/nginx/nginx:1.27", "essential": True,
               "portMappings": [{"containerPort": 80}]}]


def playbook(path, module, args):
    """A one-task playbook running `module` with `args`, saving its result to result_file."""
    path.write_text(json.dumps([{
        "name": f"Run {module} once", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": [
            {"name": f"Run {module}", module: args, "register": "create_once_result"},
            {"name": "Save the module result", "ansible.builtin.copy": {
                "content": "{{ create_once_result | to_nice_json }}", "dest": "{{ result_file }}", "mode": "0600"}},
        ],
    }], indent=2))
    return path


# --- what each test creates, and how the emulator's copies are counted (boto3, straight) ------------


def kms_keys_count(aws_client, _):
    kms = aws_client("kms")
    keys = [kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"] for key in kms.list_keys()["Keys"]]
    return len([key for key in keys if key["KeyManager"] == "CUSTOMER" and key["KeyState"] != "PendingDeletion"])


def rest_apis_count(aws_client, _):
    return len([api for api in aws_client("apigateway").get_rest_apis()["items"] if api["name"] == "create-once-api"])


def usage_plans_count(aws_client, _):
    return len([plan for plan in aws_client("apigateway").get_usage_plans()["items"] if plan["name"] == "create-once-plan"])


def api_keys_count(aws_client, _):
    return len([key for key in aws_client("apigateway").get_api_keys()["items"] if key["name"] == "create-once-key"])


def vpc_links_count(aws_client, _):
    return len([link for link in aws_client("apigateway").get_vpc_links()["items"] if link["name"] == "create-once-link"])


def user_pools_count(aws_client, _):
    pools = aws_client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
    return len([pool for pool in pools if pool["Name"] == "create-once-pool"])


def app_clients_count(aws_client, setup):
    clients = aws_client("cognito-idp").list_user_pool_clients(UserPoolId=setup["pool_id"], MaxResults=60)
    return len([client for client in clients["UserPoolClients"] if client["ClientName"] == "create-once-client"])


def identity_pools_count(aws_client, _):
    pools = aws_client("cognito-identity").list_identity_pools(MaxResults=60)["IdentityPools"]
    return len([pool for pool in pools if pool["IdentityPoolName"] == "create_once_identities"])


def task_definitions_count(aws_client, _):
    return len(aws_client("ecs").list_task_definitions(familyPrefix="create-once", status="ACTIVE")["taskDefinitionArns"])


def vpc_endpoints_count(aws_client, setup):
    found = aws_client("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [setup["vpc_id"]]}])
    return len([e for e in found["VpcEndpoints"] if e["State"].lower() not in ("deleted", "deleting")])


def route_table(aws_client):
    ec2 = aws_client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    return {"vpc_id": vpc_id, "table": ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]}


def user_pool(aws_client):
    return {"pool_id": aws_client("cognito-idp").create_user_pool(PoolName="create-once-parent")["UserPool"]["Id"]}


CASES = {
    # operation: (module, its arguments (a function of the setup), count of the created resources, setup)
    "CreateKey": ("kms_keys", lambda _: {"keys": [{"alias": "alias/create-once", "tags": {"Purpose": "test"}}]},
                  kms_keys_count, None),
    "CreateRestApi": ("api_gateway_rest_api", lambda _: {"name": "create-once-api", "definition": REST_API_DOCUMENT,
                                                         "stages": [{"name": "v1"}]},
                      rest_apis_count, None),
    "CreateUsagePlan": ("api_gateway_usage_plans", lambda _: {"plans": [{"name": "create-once-plan", "keys": []}]},
                        usage_plans_count, None),
    "CreateApiKey": ("api_gateway_usage_plans",
                     lambda _: {"keys": [{"name": "create-once-key", "secret_name": "create-once/api-keys/key"}]},
                     api_keys_count, None),
    "CreateVpcLink": ("api_gateway_vpc_link", lambda _: {"name": "create-once-link", "target_arns": [NLB_ARN]},
                      vpc_links_count, None),
    "CreateUserPool": ("cognito_user_pool", lambda _: {"name": "create-once-pool"}, user_pools_count, None),
    "CreateUserPoolClient": ("cognito_app_client", lambda setup: {"user_pool_id": setup["pool_id"],
                                                                  "name": "create-once-client"},
                             app_clients_count, user_pool),
    "CreateIdentityPool": ("cognito_identity_pool", lambda _: {"name": "create_once_identities"},
                           identity_pools_count, None),
    "RegisterTaskDefinition": ("ecs_task_definition", lambda _: {"family": "create-once", "cpu": "256", "memory": "512",
                                                                 "container_definitions": CONTAINERS},
                               task_definitions_count, None),
    "CreateVpcEndpoint": ("ec2_vpc_endpoints", lambda setup: {"vpc_id": setup["vpc_id"], "endpoints": [
        {"name": "create-once-s3", "service": "com.amazonaws.eu-west-1.s3", "type": "Gateway",
         "route_table_ids": [setup["table"]]}]}, vpc_endpoints_count, route_table),
}


@pytest.fixture(scope="module")
def models():
    """The AWS service models the proxy names requests with, loaded once (it takes seconds)."""
    loaded = ServiceModels()
    loaded.load()
    return loaded


@pytest.mark.parametrize("operation", CASES)
def test_a_create_whose_answer_is_lost_is_made_once(operation, fresh_emulator, aws_client, models, tmp_path):
    module, arguments, count, setup = CASES[operation]
    made = setup(aws_client) if setup else {}
    proxy = FaultProxy(fresh_emulator, seed=1, rate=1.0, kinds=("drop_after",), operations={operation}, limit=1,
                       models=models).start()
    try:
        done = run_module_playbook(dict(os.environ, **proxy.env()), playbook(tmp_path / "create_once.yml", module,
                                                                             arguments(made)), {}, tmp_path)
        stats = proxy.stats()
    finally:
        proxy.stop()

    assert done.returncode == 0, done.output[-3000:]
    assert stats["faulted"] == {"drop_after": 1}, stats  # the create was applied, its answer lost
    assert count(aws_client, made) == 1


def test_a_key_left_without_its_alias_is_finished_not_made_again(fresh_emulator, aws_client, tmp_path):
    """A run stopped between CreateKey and CreateAlias left a key that carries its alias tag only."""
    kms = aws_client("kms")
    left = kms.create_key(Tags=[{"TagKey": "KmsKeyAlias", "TagValue": "alias/create-once"}])["KeyMetadata"]["KeyId"]

    done = run_module_playbook(dict(os.environ, **fresh_emulator.env()), playbook(
        tmp_path / "kms_keys.yml", "kms_keys", {"keys": [{"alias": "alias/create-once", "enable_key_rotation": True}]}),
        {}, tmp_path)

    assert done.returncode == 0, done.output[-3000:]
    assert [key["KeyId"] for key in kms.list_keys()["Keys"]] == [left]
    aliases = {alias["AliasName"]: alias.get("TargetKeyId") for alias in kms.list_aliases()["Aliases"]}
    assert aliases["alias/create-once"] == left
    assert kms.get_key_rotation_status(KeyId=left)["KeyRotationEnabled"]
