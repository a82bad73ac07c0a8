"""Lost answers to creates AWS does not make idempotent: the foundation layer behind the fault proxy,
which drops the connection after the emulator made the VPC, the internet gateway, the NAT gateway's
Elastic IP and a subnet. The run converges (the role is converged again after a failure) and the
emulator holds one of each: nothing made twice, nothing orphaned.

The whole site under every fault kind at 10% is the suite's job (./platform reliability)."""

from typing import Any

import pytest

from tests.inventory import every_resource
from tests.playbook import run_playbook
from tests.reliability.fault_proxy import FaultProxy

LOST_ANSWERS = {"CreateVpc", "CreateInternetGateway", "AllocateAddress", "CreateSubnet", "CreateKey"}


@pytest.fixture
def proxy(fresh_emulator: Any):
    running = FaultProxy(fresh_emulator, seed=1, rate=1.0, kinds=("drop_after",), operations=LOST_ANSWERS,
                         limit=1).start()
    yield running
    running.stop()


def count(inventory, kind: str) -> int:
    return sum(n for identity, n in inventory.items() if identity[0] == kind)


def test_foundation_converges_with_lost_create_answers_and_makes_each_resource_once(
        proxy, aws_env, aws_client, tmp_path):
    run = run_playbook(dict(aws_env, **proxy.env()), "site.yml", "--tags", "foundation", artifacts=tmp_path)

    assert run.returncode == 0, run.output[-3000:]
    faulted = proxy.stats()["faulted_calls"]
    assert {call.split(":")[1].split()[0] for call in faulted} == LOST_ANSWERS, faulted
    inventory = every_resource(aws_client)
    assert count(inventory, "vpc") == 1
    assert count(inventory, "internet-gateway") == 1
    assert count(inventory, "elastic-ip") == 1  # local: one NAT gateway
    assert count(inventory, "nat-gateway") == 1
    assert count(inventory, "subnet") == 4
    assert max(inventory.values()) == 1, [identity for identity, n in inventory.items() if n > 1]
    assert ("kms-key", "<no alias>", "") not in inventory and not any(
        identity[:2] == ("kms-key", "<no alias>") for identity in inventory), "an orphan key"

    # Again through the proxy (its faults are spent): the outputs name the same endpoint.
    again = run_playbook(dict(aws_env, **proxy.env()), "site.yml", "--tags", "foundation", "--diff", artifacts=tmp_path)
    assert again.recap["changed"] == 0, again.output[again.output.find("Write artifacts"):][:3000]
