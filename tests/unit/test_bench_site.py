"""The site benchmark's arithmetic (benchmarks/site.py) and the run_timings callback's file."""

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_site", REPO / "benchmarks" / "site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_bench()


def test_arn_types_group_resources_by_service_and_kind():
    assert bench.arn_type("arn:aws:elasticloadbalancing:eu-west-1:123:loadbalancer/app/x/1") == \
        "elasticloadbalancing:loadbalancer"
    assert bench.arn_type("arn:aws:apigateway:eu-west-1::/restapis/abc") == "apigateway:/restapis"
    assert bench.arn_type("arn:aws:eks:eu-west-1:123:nodegroup/c/general/uuid") == "eks:nodegroup"
    assert bench.arn_type("arn:aws:sqs:eu-west-1:123:orders") == "sqs:orders"


def test_serial_sum_and_floor_follow_the_latency_table():
    counts = Counter(eks_cluster=1, eks_nodegroup=2, eks_addon=3, nat_gateway=1, dax_cluster=1)
    table = {d["key"]: d for d in bench.latency_fix.delays()}
    minutes = {k: table[k]["aws_minutes"] for k in counts}
    result = bench.serial_and_floor(counts, scale=2.0)
    assert result["serial_seconds"] == round(2.0 * sum(minutes[k] * n for k, n in counts.items()), 1)
    # The floor: the cluster, then the slower of what waits for it; the rest runs side by side.
    slowest_child = max(("eks_nodegroup", "eks_addon"), key=lambda k: minutes[k])
    longest = max(minutes["eks_cluster"] + minutes[slowest_child], minutes["nat_gateway"], minutes["dax_cluster"])
    assert result["floor_seconds"] == round(2.0 * longest, 1)
    assert result["floor_chain"][0] == "eks_cluster"


def test_task_figures_split_run_and_skipped_and_rank_the_slowest():
    tasks = [{"role": "network", "task": f"network : t{i}", "outcome": "skipped" if i % 3 == 0 else "ok", "seconds": i / 10}
             for i in range(12)] + [{"role": "", "task": "Gathering", "outcome": "changed", "seconds": 0.05}]
    figures = bench.task_figures(tasks)
    assert figures["tasks_run"] == 9 and figures["tasks_skipped"] == 4 and figures["tasks_changed"] == 1
    assert [t["task"] for t in figures["slowest_tasks"][:2]] == ["network : t11", "network : t10"]
    assert len(figures["slowest_tasks"]) == 10
    assert set(figures["seconds_by_role"]) == {"network", "(playbook)"}


def test_call_figures_split_mutating_and_read():
    report = {"calls": [{"service": "ec2", "operation": "DescribeVpcs", "mutating": False, "count": 5, "seconds": 1},
                        {"service": "ec2", "operation": "CreateVpc", "mutating": True, "count": 1, "seconds": 1},
                        {"service": "s3", "operation": "HeadBucket", "mutating": False, "count": 2, "seconds": 1}]}
    figures = bench.call_figures(report)
    assert (figures["api_calls"], figures["mutating_calls"], figures["read_calls"]) == (8, 1, 7)
    assert figures["calls_by_service"] == {"ec2": {"mutating": 1, "read": 5}, "s3": {"mutating": 0, "read": 2}}


def test_run_timings_writes_every_task_with_its_role_and_outcome(tmp_path):
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - {name: one, ansible.builtin.debug: {msg: hi}}\n"
        "    - {name: two, ansible.builtin.debug: {msg: hi}, when: false}\n"
        "    - {name: three, ansible.builtin.set_fact: {x: 1}, changed_when: true}\n")
    timings = tmp_path / "timings.json"
    ansible = Path(sys.executable).with_name("ansible-playbook")
    env = {"PATH": str(Path(sys.executable).parent), "PLATFORM_TIMINGS_FILE": str(timings),
           "ANSIBLE_CONFIG": str(REPO / "ansible.cfg")}
    proc = subprocess.run([str(ansible), "-i", "localhost,", "-c", "local", str(playbook)], cwd=REPO, env=env,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tasks = json.loads(timings.read_text())["tasks"]
    assert [(t["task"], t["outcome"]) for t in tasks] == [("one", "ok"), ("two", "skipped"), ("three", "changed")]
    assert all(t["seconds"] >= 0 and t["host"] == "localhost" for t in tasks)
