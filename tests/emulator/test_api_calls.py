"""The emulator counts the AWS API calls it serves by service and operation (emulator/api_calls.py)."""

import io
from collections.abc import Callable
from typing import Any

import pytest

from emulator import launcher
from emulator.api_calls import ServiceModels, best_route, is_mutating, route

AwsClient = Callable[..., Any]
SIGNED_BY = ("AWS4-HMAC-SHA256 Credential=testing/20250101/eu-west-1/{}/aws4_request, "
             "SignedHeaders=host, Signature=0")


def counts(emulator: launcher.Emulator) -> dict[tuple[str, str], tuple[int, bool]]:
    calls = launcher.api_calls(emulator.url, emulator.ca_bundle)["calls"]
    return {(c["service"], c["operation"]): (c["count"], c["mutating"]) for c in calls}


def test_counts_calls_of_every_protocol_by_service_and_operation(
        fresh_emulator: launcher.Emulator, aws_client: AwsClient) -> None:
    emulator = fresh_emulator
    launcher.reset_api_calls(emulator.url, emulator.ca_bundle)

    ec2 = aws_client("ec2")  # ec2 protocol
    ec2.create_vpc(CidrBlock="10.0.0.0/16")
    ec2.describe_vpcs()
    ec2.describe_vpcs()
    aws_client("sts").get_caller_identity()  # query
    iam = aws_client("iam")
    iam.create_role(RoleName="counted", AssumeRolePolicyDocument="{}")
    iam.get_role(RoleName="counted")
    dynamodb = aws_client("dynamodb")  # json
    dynamodb.create_table(TableName="counted", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    dynamodb.describe_table(TableName="counted")
    sqs = aws_client("sqs")
    sqs.create_queue(QueueName="counted")
    sqs.get_queue_url(QueueName="counted")
    s3 = aws_client("s3")  # rest-xml, path-style, with subresources
    s3.create_bucket(Bucket="counted", CreateBucketConfiguration={"LocationConstraint": emulator.region})
    s3.put_bucket_tagging(Bucket="counted", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    s3.get_bucket_tagging(Bucket="counted")
    s3.head_bucket(Bucket="counted")
    s3.put_object(Bucket="counted", Key="a/b/c.txt", Body=b"x")
    s3.get_object(Bucket="counted", Key="a/b/c.txt")["Body"].read()
    aws_client("lambda").list_functions()  # rest-json
    apigateway = aws_client("apigateway")
    apigateway.create_rest_api(name="counted")
    apigateway.get_rest_apis()
    aws_client("eks").list_clusters()
    logs = aws_client("logs")
    logs.create_log_group(logGroupName="counted")
    logs.describe_log_groups()
    aws_client("kinesis").list_streams()
    aws_client("cloudwatch").describe_alarms()  # signing name "monitoring"

    assert counts(emulator) == {
        ("ec2", "CreateVpc"): (1, True),
        ("ec2", "DescribeVpcs"): (2, False),
        ("sts", "GetCallerIdentity"): (1, False),
        ("iam", "CreateRole"): (1, True),
        ("iam", "GetRole"): (1, False),
        ("dynamodb", "CreateTable"): (1, True),
        ("dynamodb", "DescribeTable"): (1, False),
        ("sqs", "CreateQueue"): (1, True),
        ("sqs", "GetQueueUrl"): (1, False),
        ("s3", "CreateBucket"): (1, True),
        ("s3", "PutBucketTagging"): (1, True),
        ("s3", "GetBucketTagging"): (1, False),
        ("s3", "HeadBucket"): (1, False),
        ("s3", "PutObject"): (1, True),
        ("s3", "GetObject"): (1, False),
        ("lambda", "ListFunctions"): (1, False),
        ("apigateway", "CreateRestApi"): (1, True),
        ("apigateway", "GetRestApis"): (1, False),
        ("eks", "ListClusters"): (1, False),
        ("logs", "CreateLogGroup"): (1, True),
        ("logs", "DescribeLogGroups"): (1, False),
        ("kinesis", "ListStreams"): (1, False),
        ("cloudwatch", "DescribeAlarms"): (1, False),
    }
    summary = launcher.api_calls(emulator.url, emulator.ca_bundle)
    assert (summary["total"], summary["mutating"], summary["read"]) == (24, 9, 15)
    assert all(call["seconds"] > 0 for call in summary["calls"])
    # The emulator's state shows the calls went through to moto.
    assert dynamodb.describe_table(TableName="counted")["Table"]["TableName"] == "counted"
    assert s3.get_bucket_tagging(Bucket="counted")["TagSet"] == [{"Key": "k", "Value": "v"}]


def test_reset_zeroes_the_counts_and_moto_api_calls_are_not_counted(
        emulator: launcher.Emulator, aws_client: AwsClient) -> None:
    aws_client("sts").get_caller_identity()
    assert counts(emulator)[("sts", "GetCallerIdentity")][0] >= 1

    launcher.reset_api_calls(emulator.url, emulator.ca_bundle)
    launcher.reset(emulator.url, emulator.ca_bundle)  # /moto-api/reset
    assert launcher.is_healthy(emulator.url, emulator.ca_bundle)  # GET /moto-api/

    assert launcher.api_calls(emulator.url, emulator.ca_bundle) == {
        "calls": [], "total": 0, "mutating": 0, "read": 0}


# --- without a server: the REST path matcher and request identification -----------------


def request(method: str, uri: str, signing_name: str, **environ: Any) -> dict[str, Any]:
    path, _, query = uri.partition("?")
    return {"REQUEST_METHOD": method, "RAW_URI": uri, "PATH_INFO": path, "QUERY_STRING": query,
            "HTTP_AUTHORIZATION": SIGNED_BY.format(signing_name), **environ}


def match(routes: list, method: str, uri: str) -> str | None:
    path, _, query = uri.partition("?")
    found = best_route(routes, method, path, {key: [""] for key in query.split("&") if key}, {})
    return found[1].operation if found else None


def test_greedy_parameter_takes_the_rest_of_the_path_and_plain_ones_one_segment() -> None:
    routes = [route("GetObject", {"method": "GET", "requestUri": "/{Bucket}/{Key+}"}, {}),
              route("ListObjects", {"method": "GET", "requestUri": "/{Bucket}"}, {})]

    assert match(routes, "GET", "/bucket/a/b/c.txt") == "GetObject"
    assert match(routes, "GET", "/bucket") == "ListObjects"
    assert match(routes, "GET", "/bucket/") == "ListObjects"
    assert match(routes, "PUT", "/bucket") is None


def test_most_specific_route_wins() -> None:
    routes = [route("GetResource", {"method": "GET", "requestUri": "/restapis/{id}/resources/{rid}"}, {}),
              route("GetAny", {"method": "GET", "requestUri": "/restapis/{id}/{kind}/{rid}"}, {}),
              route("GetTagging", {"method": "GET", "requestUri": "/{Bucket}?tagging"}, {}),
              route("ListObjects", {"method": "GET", "requestUri": "/{Bucket}"}, {}),
              route("UploadPart", {"method": "PUT", "requestUri": "/{Bucket}/{Key+}"},
                    {"required": ["Bucket", "Key", "PartNumber"],
                     "members": {"PartNumber": {"location": "querystring", "locationName": "partNumber"}}}),
              route("PutObject", {"method": "PUT", "requestUri": "/{Bucket}/{Key+}?x-id=PutObject"}, {})]

    assert match(routes, "GET", "/restapis/a1/resources/r1") == "GetResource"
    assert match(routes, "GET", "/restapis/a1/stages/r1") == "GetAny"
    assert match(routes, "GET", "/bucket?tagging") == "GetTagging"
    assert match(routes, "GET", "/bucket?prefix") == "ListObjects"
    assert match(routes, "PUT", "/bucket/key?partNumber") == "UploadPart"
    assert match(routes, "PUT", "/bucket/key") == "PutObject"  # botocore never sends x-id


@pytest.fixture(scope="module")
def models() -> ServiceModels:
    return ServiceModels()


@pytest.mark.parametrize(("method", "uri", "headers", "operation"), [
    ("GET", "/bucket?tagging", {}, "GetBucketTagging"),
    ("PUT", "/bucket?versioning", {}, "PutBucketVersioning"),
    ("GET", "/bucket?list-type=2&prefix=a", {}, "ListObjectsV2"),
    ("GET", "/bucket?prefix=a", {}, "ListObjects"),
    ("POST", "/bucket/a/b.txt?uploads", {}, "CreateMultipartUpload"),
    ("GET", "/bucket/a/b.txt?tagging", {}, "GetObjectTagging"),
    ("GET", "/bucket/a/b.txt", {}, "GetObject"),
    ("PUT", "/bucket/a/b.txt", {}, "PutObject"),
    ("PUT", "/bucket/a/b.txt", {"HTTP_X_AMZ_COPY_SOURCE": "other/key"}, "CopyObject"),
    ("HEAD", "/bucket", {}, "HeadBucket"),
])
def test_s3_subresources_name_the_operation(models: ServiceModels, method: str, uri: str,
                                             headers: dict, operation: str) -> None:
    assert models.identify(request(method, uri, "s3", **headers)) == ("s3", operation)


def test_other_protocols_and_unknown_requests(models: ServiceModels) -> None:
    body = b"Action=GetRole&Version=2010-05-08&RoleName=r"
    form = request("POST", "/", "iam", CONTENT_TYPE="application/x-www-form-urlencoded",
                   CONTENT_LENGTH=str(len(body)), **{"wsgi.input": io.BytesIO(body)})
    assert models.identify(form) == ("iam", "GetRole")
    assert form["wsgi.input"].read() == body  # put back for moto

    alarms = request("POST", "/", "monitoring",
                     HTTP_X_AMZ_TARGET="GraniteServiceVersion20100801.DescribeAlarms")
    assert models.identify(alarms) == ("cloudwatch", "DescribeAlarms")
    streams = request("POST", "/", "dynamodb", HTTP_X_AMZ_TARGET="DynamoDBStreams_20120810.ListStreams")
    assert models.identify(streams) == ("dynamodbstreams", "ListStreams")
    v2 = request("POST", "/", "elasticloadbalancing",
                 QUERY_STRING="Action=DescribeLoadBalancers&Version=2015-12-01")
    assert models.identify(v2) == ("elbv2", "DescribeLoadBalancers")
    tags = request("GET", "/tags/arn%3Aaws%3Aapigateway%3Aeu-west-1%3A%3A%2Frestapis%2Fa1", "apigateway")
    assert models.identify(tags) == ("apigateway", "GetTags")

    unknown = models.identify(request("DELETE", "/2015-03-31/nonsense/x", "lambda"))
    assert unknown == ("lambda", "UNKNOWN DELETE /2015-03-31/{}/{}")
    assert is_mutating(unknown[1])
    assert not is_mutating("UNKNOWN GET /{}")
    assert not is_mutating("DescribeVpcs") and is_mutating("CreateVpc")
