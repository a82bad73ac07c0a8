"""iam_component_roles reads every role of a task in two paginated calls: the paging and the merge of
GetAccountAuthorizationDetails with ListRoles, on stubbed responses (the emulator answers in one page)."""

import importlib.util
import json
from pathlib import Path
from urllib.parse import quote

import botocore.session
from botocore.stub import Stubber

MODULE = Path(__file__).resolve().parents[2] / "library" / "iam_component_roles.py"
spec = importlib.util.spec_from_file_location("iam_component_roles", MODULE)
roles = importlib.util.module_from_spec(spec)
spec.loader.exec_module(roles)

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}
ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def detail(name, **extra):
    return {"RoleName": name, "Arn": f"arn:aws:iam::123456789012:role/{name}", "Path": "/", "RoleId": f"AROAEXAMPLE{name:0>8}",
            "CreateDate": "2026-01-01T00:00:00Z", "AssumeRolePolicyDocument": quote(json.dumps(TRUST)), **extra}


def summary(name, **extra):
    return {"RoleName": name, "Arn": f"arn:aws:iam::123456789012:role/{name}", "Path": "/", "RoleId": f"AROAEXAMPLE{name:0>8}",
            "CreateDate": "2026-01-01T00:00:00Z", **extra}


def test_bulk_read_follows_every_page_and_takes_description_from_list_roles():
    client = botocore.session.get_session().create_client("iam", region_name="us-east-1",
                                                          aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("get_account_authorization_details",
                          {"RoleDetailList": [detail("other"), detail("a", Tags=[{"Key": "Layer", "Value": "api"}])],
                           "IsTruncated": True, "Marker": "page2"},
                          {"Filter": ["Role"], "MaxItems": 1000})
        stub.add_response("get_account_authorization_details",
                          {"RoleDetailList": [detail(
                              "b", RolePolicyList=[{"PolicyName": "access", "PolicyDocument": quote(json.dumps(ACCESS))}],
                              AttachedManagedPolicies=[{"PolicyName": "RO", "PolicyArn": "arn:aws:iam::aws:policy/RO"}],
                              PermissionsBoundary={"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                                   "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/PB"},
                              InstanceProfileList=[{"InstanceProfileName": "ip", "InstanceProfileId": "AIPAEXAMPLE00001",
                                                    "Arn": "arn:aws:iam::123456789012:instance-profile/ip", "Path": "/",
                                                    "CreateDate": "2026-01-01T00:00:00Z", "Roles": []}])],
                           "IsTruncated": False},
                          {"Filter": ["Role"], "MaxItems": 1000, "Marker": "page2"})
        stub.add_response("list_roles",
                          {"Roles": [summary("a", Description="role a", MaxSessionDuration=7200), summary("b"), summary("other")],
                           "IsTruncated": False},
                          {"MaxItems": 1000})
        views = roles.read_roles_in_bulk(client, ["a", "b", "missing"])
        stub.assert_no_pending_responses()

    assert sorted(views) == ["a", "b"]  # "other" is not declared, "missing" does not exist
    assert views["a"]["trust"] == TRUST
    assert (views["a"]["description"], views["a"]["max_session_duration"]) == ("role a", 7200)
    assert views["a"]["tags"] == {"Layer": "api"}
    assert (views["a"]["inline"], views["a"]["managed"], views["a"]["boundary"]) == ({}, [], "")
    assert (views["b"]["description"], views["b"]["max_session_duration"]) == ("", 3600)
    assert views["b"]["inline"] == {"access": ACCESS}
    assert views["b"]["managed"] == ["arn:aws:iam::aws:policy/RO"]
    assert views["b"]["boundary"] == "arn:aws:iam::aws:policy/PB"
    assert views["b"]["instance_profiles"] == ["ip"]
