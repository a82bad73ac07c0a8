"""playbooks/tasks/converge_role.yml: a role that failed is converged again, up to
platform_converge_passes passes; the toolkit's own refusals and anything in check mode are not.

A throwaway role counts its passes in a file and fails until a given pass, the way a role
fails after a lost answer and passes once it finds what the lost request made.
"""

import os
from pathlib import Path

import pytest

from tests.playbook import REPO_ROOT, rescued, run_playbook

ROLE_TASKS = """\
- name: Count this pass
  ansible.builtin.shell: echo pass >> {{ counter }} && wc -l < {{ counter }}
  register: pass_count
  changed_when: false
  check_mode: false

- name: Fail like a create whose answer was lost, until the pass that finds it
  ansible.builtin.command: "false"
  changed_when: false
  check_mode: false
  when: fails_how == 'lost answer' and pass_count.stdout | int < succeeds_on_pass | int

- name: Refuse, the way a role's own check refuses bad input
  ansible.builtin.assert:
    that: false
    fail_msg: flaky_setting must be a number
  when: fails_how == 'refusal'
"""

PLAYBOOK = """\
- name: Converge the flaky role
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Converge each role of the layer
      ansible.builtin.include_tasks: {converge_role}
      loop: [flaky]
      loop_control:
        loop_var: platform_layer_role
"""


@pytest.fixture
def converge(tmp_path: Path):
    tasks = tmp_path / "roles" / "flaky" / "tasks"
    tasks.mkdir(parents=True)
    (tasks / "main.yml").write_text(ROLE_TASKS)
    playbook = tmp_path / "layer.yml"
    playbook.write_text(PLAYBOOK.format(converge_role=REPO_ROOT / "playbooks" / "tasks" / "converge_role.yml"))
    counter = tmp_path / "passes"

    def run(fails_how: str, succeeds_on_pass: int = 1, *args: str):
        env = dict(os.environ, ANSIBLE_ROLES_PATH=str(tmp_path / "roles"))
        result = run_playbook(env, str(playbook), "-e", f"counter={counter}", "-e", f"fails_how='{fails_how}'",
                              "-e", f"succeeds_on_pass={succeeds_on_pass}", "-e", "platform_converge_passes=3",
                              *args, inventory="localhost,")
        passes = len(counter.read_text().splitlines()) if counter.exists() else 0
        return result, passes

    return run


def test_a_role_that_fails_once_is_converged_again_and_the_run_passes(converge):
    result, passes = converge("lost answer", succeeds_on_pass=2)

    assert result.returncode == 0, result.output[-3000:]
    assert passes == 2
    assert rescued(result.output) == 1


def test_a_role_that_keeps_failing_stops_after_the_last_pass_and_says_so(converge):
    result, passes = converge("lost answer", succeeds_on_pass=99)

    assert result.returncode != 0
    assert passes == 3
    assert "flaky failed 3 times" in result.output


def test_a_refusal_is_not_tried_again(converge):
    result, passes = converge("refusal")

    assert result.returncode != 0
    assert passes == 1
    assert "flaky_setting must be a number" in result.output


def test_check_mode_is_not_tried_again(converge):
    result, passes = converge("lost answer", 99, "--check")

    assert result.returncode != 0
    assert passes == 1
