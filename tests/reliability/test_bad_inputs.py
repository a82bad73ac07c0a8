"""The bad-input catalogue (bad_inputs.py) fails site.yml in the pre-flight: no mutating AWS call
(counted by the emulator), and a message naming the variable and its rule. Here one case of each
layer and kind (SAMPLE, a whole ansible-playbook run each); `./platform reliability --parts bad-input`
runs every case."""

import pytest

from emulator import launcher
from tests.playbook import run_playbook
from tests.reliability.bad_inputs import CASES, KINDS, LAYERS, SAMPLE, run_case


def test_the_catalogue_covers_every_layer_and_kind():
    assert len(CASES) >= 45
    assert len({case.id for case in CASES}) == len(CASES)
    for layer in LAYERS:
        assert sum(case.layer == layer for case in CASES) >= 4, layer
    assert {case.kind for case in CASES} == set(KINDS)


def test_the_valid_configuration_passes_the_preflight(fresh_emulator, aws_env):
    """The control: without a case's variables every check passes (and still changes nothing)."""
    launcher.reset_api_calls(fresh_emulator.url, fresh_emulator.ca_bundle)
    run = run_playbook(aws_env, "playbooks/preflight.yml")

    assert run.returncode == 0, run.output[-3000:]
    assert launcher.api_calls(fresh_emulator.url, fresh_emulator.ca_bundle)["mutating"] == 0


def test_the_sample_has_every_layer_and_kind_of_the_catalogue():
    assert {(case.layer, case.kind) for case in SAMPLE} == {(case.layer, case.kind) for case in CASES}


@pytest.mark.parametrize("case", SAMPLE, ids=[case.id for case in SAMPLE])
def test_bad_input_fails_before_any_change(fresh_emulator, aws_env, case):
    result = run_case(case, aws_env, fresh_emulator)

    assert result["rc"] != 0, result["output_tail"]
    assert result["mutating_calls"] == 0, result["output_tail"]
    said = result["message"] or f"(no failure message, rc {result['rc']}) {result['output_tail']}"
    assert result["names_variable"], f"{case.variable!r} not in the message: {said}"
    assert result["states_rule"], f"{case.rule!r} not in the message: {said}"
