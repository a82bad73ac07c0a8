import pytest
from ansible.errors import AnsibleFilterError

from filter_plugins.ecs_services import FARGATE_MEMORY, ecs_container_definition, ecs_request_count_label, ecs_service_errors

COMPONENTS = [{"name": "ecs-payments-execution", "access": [
    {"type": "secret", "name": "p/payments/db", "level": "read"},
    {"type": "ecr_repository", "name": "p/payments", "level": "pull"}]}]
GOOD = {"name": "payments", "image_tag": "1.0.0", "cpu": 256, "memory": 512, "container_port": 8080,
        "min_count": 1, "max_count": 2, "secrets": [{"name": "DB_PASSWORD", "secret": "p/payments/db"}]}


def errors(**changes):
    return ecs_service_errors([dict(GOOD, **changes)], COMPONENTS, "p")


def test_a_good_service_has_no_errors():
    assert errors() == []


@pytest.mark.parametrize("cpu,memory", [(256, 512), (256, 2048), (512, 4096), (1024, 8192), (2048, 16384),
                                        (4096, 30720), (8192, 16384), (8192, 61440), (16384, 122880), ("1024", "3072")])
def test_every_fargate_pair_is_accepted(cpu, memory):
    assert errors(cpu=cpu, memory=memory) == []


@pytest.mark.parametrize("cpu,memory", [(256, 4096), (256, 1536), (512, 512), (1024, 9216), (4096, 31744),
                                        (8192, 18432), (16384, 36864), (128, 512), (3072, 8192)])
def test_pairs_fargate_does_not_offer_are_refused(cpu, memory):
    found = errors(cpu=cpu, memory=memory)
    assert len(found) == 1 and (".memory: Fargate offers" in found[0] or ".cpu: Fargate CPU units" in found[0])


def test_the_table_matches_the_documented_ranges():
    assert {cpu: (mem[0], mem[-1]) for cpu, mem in FARGATE_MEMORY.items()} == {
        256: (512, 2048), 512: (1024, 4096), 1024: (2048, 8192), 2048: (4096, 16384), 4096: (8192, 30720),
        8192: (16384, 61440), 16384: (32768, 122880)}


@pytest.mark.parametrize("port", [0, 65536, -1, "http", None])
def test_ports_outside_the_tcp_range_are_refused(port):
    assert errors(container_port=port) == [f"ecs_services[payments].container_port: a TCP port is 1-65535, got {port}"]


def test_min_above_max_and_desired_outside_are_refused():
    assert errors(min_count=3, max_count=2) == ["ecs_services[payments].min_count: must not exceed max_count (2), got 3"]
    assert "desired_count: between min_count and max_count (1-2)" in errors(desired_count=5)[0]


def test_unknown_secret_references_are_refused():
    found = errors(secrets=[{"name": "X", "secret": "p/orders/db"}])
    assert found == ["ecs_services[payments].secrets[0].secret: unknown secret reference: the execution role component "
                     "'ecs-payments-execution' may read only ['p/payments/db'], got p/orders/db"]
    assert "no platform component named 'ecs-payments-execution'" in ecs_service_errors([GOOD], [], "p")[0]


def test_duplicate_names_and_listener_ports_are_refused():
    found = ecs_service_errors([GOOD, dict(GOOD)], COMPONENTS, "p")
    assert any("names must be unique" in e for e in found) and any("own load balancer listener port" in e for e in found)


def test_long_names_would_break_the_target_group_name():
    assert "at most 32 characters" in ecs_service_errors([dict(GOOD, name="a" * 30)], COMPONENTS, "prefix")[0]


def test_container_definition_uses_full_secret_arns_and_awslogs():
    arn = "arn:aws:secretsmanager:eu-west-1:1:secret:p/payments/db-AbC"
    service = dict(GOOD, secrets=[{"name": "DB", "secret": "p/payments/db", "key": "password"}],
                   environment={"B": 2, "A": "x"}, user="1000")
    definition = ecs_container_definition(service, "img:1", "/ecs/p/payments", "eu-west-1", {"p/payments/db": arn})
    assert definition["secrets"] == [{"name": "DB", "valueFrom": arn + ":password::"}]
    assert definition["environment"] == [{"name": "A", "value": "x"}, {"name": "B", "value": "2"}]
    assert definition["logConfiguration"]["options"]["awslogs-group"] == "/ecs/p/payments"
    assert definition["readonlyRootFilesystem"] is True and definition["user"] == "1000"
    assert definition["healthCheck"]["command"] == ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1"]
    assert "healthCheck" not in ecs_container_definition(dict(GOOD, health_check_command=[], secrets=[]), "i", "g", "r", {})


def test_requests_per_target_must_be_above_zero():
    for bad in (0, -5, "many", True):
        errors = ecs_service_errors([dict(GOOD, requests_per_target=bad)], COMPONENTS, "prefix")
        assert errors == [f"ecs_services[{GOOD['name']}].requests_per_target: requests per task per minute, "
                          f"more than 0, got {bad}"], errors
    assert ecs_service_errors([dict(GOOD, requests_per_target=0.5)], COMPONENTS, "prefix") == []


def test_request_count_label_joins_the_alb_and_target_group_arn_ends():
    alb = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/p-services-alb/50dc6c495c0c9188"
    group = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/p-payments/943f017f100becff"
    assert ecs_request_count_label(alb, group) == (
        "app/p-services-alb/50dc6c495c0c9188/targetgroup/p-payments/943f017f100becff")
    assert ecs_request_count_label(alb.replace("arn:aws:", "arn:aws-cn:"), group).startswith("app/p-services-alb/")


def test_request_count_label_refuses_what_is_not_an_alb_and_a_target_group():
    nlb = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/p-services/50dc6c495c0c9188"
    group = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/p-payments/943f017f100becff"
    with pytest.raises(AnsibleFilterError, match="not an Application Load Balancer ARN"):
        ecs_request_count_label(nlb, group)
    with pytest.raises(AnsibleFilterError, match="not a target group ARN"):
        ecs_request_count_label(nlb.replace("/net/", "/app/"), "")
