"""The fault proxy answers as AWS does when it throttles, fails or drops a connection, draws its
faults from its seed, and a drop after the create leaves the create made (the emulator's state)."""

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from tests.reliability.fault_proxy import FaultProxy

# (service, a read call, the throttling code that service's protocol answers with, its HTTP status)
READS = [
    ("sqs", lambda c: c.list_queues(), "ThrottlingException", 400),  # json
    ("iam", lambda c: c.list_roles(), "Throttling", 400),  # query
    ("ec2", lambda c: c.describe_vpcs(), "RequestLimitExceeded", 503),  # ec2
    ("lambda", lambda c: c.list_functions(), "TooManyRequestsException", 429),  # rest-json
    ("s3", lambda c: c.list_buckets(), "SlowDown", 503),  # rest-xml
    ("cloudwatch", lambda c: c.describe_alarms(), "ThrottlingException", 400),  # rpc-v2-cbor or query
]


@pytest.fixture
def proxied(fresh_emulator: Any):
    proxies = []

    def client(service: str, retries: int = 0, **proxy_args: Any):
        proxy = FaultProxy(fresh_emulator, **proxy_args).start()
        proxies.append(proxy)
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                region_name=fresh_emulator.region)
        config = Config(retries={"total_max_attempts": retries + 1, "mode": "standard"}, read_timeout=10)
        return session.client(service, endpoint_url=proxy.url, verify=str(fresh_emulator.ca_bundle),
                              config=config), proxy

    yield client
    for proxy in proxies:
        proxy.stop()


@pytest.mark.parametrize("service, read, code, status", READS, ids=[r[0] for r in READS])
def test_throttle_answers_in_the_services_protocol(proxied, service, read, code, status):
    client, proxy = proxied(service, seed=1, rate=1.0, kinds=("throttle",))
    with pytest.raises(ClientError) as raised:
        read(client)
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert proxy.stats()["faulted"] == {"throttle": 1}


@pytest.mark.parametrize("service, read, code, status", READS, ids=[r[0] for r in READS])
def test_server_errors_are_500_or_503(proxied, service, read, code, status):
    client, _ = proxied(service, seed=3, rate=1.0, kinds=("error",))
    with pytest.raises(ClientError) as raised:
        read(client)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] in (500, 503)


def test_botocore_retries_through_throttling_and_errors(proxied):
    client, proxy = proxied("sqs", retries=9, seed=7, rate=0.5, kinds=("throttle", "error", "drop"))
    for number in range(10):
        client.create_queue(QueueName=f"proxy-retry-{number}")
    assert proxy.stats()["faulted"], "some requests were faulted"
    assert len(client.list_queues(QueueNamePrefix="proxy-retry-")["QueueUrls"]) == 10


def test_drop_before_the_emulator_makes_nothing(proxied, aws_client):
    client, _ = proxied("sqs", seed=1, rate=1.0, kinds=("drop",))
    with pytest.raises(ConnectionClosedError):
        client.create_queue(QueueName="proxy-dropped")
    assert "QueueUrls" not in aws_client("sqs").list_queues(QueueNamePrefix="proxy-dropped")


def test_drop_after_the_create_leaves_it_made(proxied, aws_client):
    client, _ = proxied("ec2", seed=1, rate=1.0, kinds=("drop_after",))
    with pytest.raises(ConnectionClosedError):
        client.create_vpc(CidrBlock="10.77.0.0/16")
    vpcs = aws_client("ec2").describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.77.0.0/16"]}])["Vpcs"]
    assert len(vpcs) == 1


def test_the_seed_fixes_which_requests_are_faulted(fresh_emulator):
    def sequence(seed):
        proxy = FaultProxy(fresh_emulator, seed=seed, rate=0.3)
        drawn = [proxy.draw()[0] for _ in range(200)]
        proxy.stop()
        return drawn

    assert sequence(5) == sequence(5)
    assert sequence(5) != sequence(6)
    drawn = sequence(5)
    assert 30 <= sum(kind is not None for kind in drawn) <= 90  # about 30% of 200
    assert {kind for kind in drawn if kind} == {"throttle", "error", "slow", "drop", "drop_after"}


def test_targeted_faults_hit_only_the_named_operation_and_stop_at_the_limit(proxied, aws_client):
    client, proxy = proxied("sqs", seed=1, rate=1.0, kinds=("drop_after",), operations={"CreateQueue"}, limit=1)
    client.list_queues()  # not faulted
    with pytest.raises(ConnectionClosedError):
        client.create_queue(QueueName="proxy-target-1")
    client.create_queue(QueueName="proxy-target-2")  # the limit is reached
    assert proxy.stats()["faulted_calls"] == {"sqs:CreateQueue drop_after": 1}
    assert len(aws_client("sqs").list_queues(QueueNamePrefix="proxy-target-")["QueueUrls"]) == 2


def test_the_emulators_own_endpoints_are_never_faulted(fresh_emulator):
    proxy = FaultProxy(fresh_emulator, seed=1, rate=1.0, kinds=("drop",)).start()
    try:
        from emulator import launcher  # pylint: disable=import-outside-toplevel

        assert "total" in launcher.api_calls(proxy.url, fresh_emulator.ca_bundle)
        assert proxy.stats()["faulted"] == {}
    finally:
        proxy.stop()


def test_bad_settings_are_refused(fresh_emulator):
    with pytest.raises(ValueError, match="kinds"):
        FaultProxy(fresh_emulator, seed=1, rate=0.1, kinds=("flood",))
    with pytest.raises(ValueError, match="rate"):
        FaultProxy(fresh_emulator, seed=1, rate=1.5)
