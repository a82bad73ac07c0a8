"""The reliability suite's own logic: kill points spread over the run, the inventory comparison,
the failure it reports and the table it prints."""

from collections import Counter

from tests.inventory import compare
from tests.reliability import suite


def test_kill_points_fall_one_in_each_slice_of_the_run_and_follow_the_seed():
    points = suite.kill_points(tasks=400, trials=20, seed=1)
    assert len(points) == 20
    assert all(trial * 20 <= point < (trial + 1) * 20 or point == 2 for trial, point in enumerate(points))
    assert points == suite.kill_points(tasks=400, trials=20, seed=1)
    assert points != suite.kill_points(tasks=400, trials=20, seed=2)


def test_compare_names_duplicates_orphans_and_missing():
    clean = Counter({("vpc", "a", "10.0.0.0/16"): 1, ("sqs-queue", "q"): 1, ("kms-key", "alias/x", ""): 1})
    other = Counter({("vpc", "a", "10.0.0.0/16"): 2, ("kms-key", "<no alias>", ""): 1, ("kms-key", "alias/x", ""): 1})
    assert compare(clean, other) == {
        "duplicates": [(("vpc", "a", "10.0.0.0/16"), 1)],
        "orphans": [(("kms-key", "<no alias>", ""), 1)],
        "missing": [(("sqs-queue", "q"), 1)],
    }
    assert not any(compare(clean, clean).values())


def test_the_first_failure_names_the_task():
    output = "TASK [network : Create the subnets] ***\nok: [localhost]\nfatal: [localhost]: FAILED! =>\n    msg: boom\n"
    assert suite._first_failure(output).startswith("network : Create the subnets: ")  # pylint: disable=protected-access
    assert "boom" in suite._first_failure(output)  # pylint: disable=protected-access


def test_the_table_has_a_row_per_fault_kind_and_one_per_part(capsys):
    report = {"faults": {"by_kind": [{"kind": "throttle", "rate": 0.1, "runs": 1, "converged": 1, "faults": 90,
                                      "duplicates": 0, "orphans": 0, "missing": 0}]},
              "interruptions": {"tried": 20, "recovered": 19},
              "bad_input": {"tried": 45, "refused_before_change": 45},
              "stateful": {"tried": 5, "refused": 5, "allowed": 5},
              "load": {"records_in": 100, "stored": 99, "dead_lettered": 1, "duplicates": 0, "missing": 0}}
    suite.print_table(report)
    rows = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    for row in ("throttle 10% 1 1 90 0 0 0", "SIGKILL at a task 20 19", "catalogue 45 45", "guards 5 5 5",
                "ingestion 100 99 1 0 0"):
        assert row in rows, rows


def test_unknown_parts_and_fault_kinds_are_refused(capsys):
    for argv in (["--parts", "faults,speed"], ["--kinds", "drop_after,flood"]):
        try:
            suite.main(argv)
        except SystemExit as stop:
            assert stop.code == 2
        else:
            raise AssertionError(f"{argv} accepted")
    assert "--kinds: unknown ['flood']" in capsys.readouterr().err


def test_a_kill_reaches_processes_that_left_the_process_group():
    """ansible's task workers start their own sessions: they must die with the run."""
    import os  # pylint: disable=import-outside-toplevel
    import subprocess  # pylint: disable=import-outside-toplevel
    import time  # pylint: disable=import-outside-toplevel

    run = subprocess.Popen(["sh", "-c", "setsid sleep 60 & sleep 60"], start_new_session=True)
    for _ in range(50):
        below = suite.descendants(run.pid)
        if len(below) == 2:
            break
        time.sleep(0.1)
    assert len(below) == 2, below

    suite.kill_everything(run.pid)
    run.wait()

    time.sleep(0.2)
    alive = [pid for pid in below if os.path.exists(f"/proc/{pid}") and
             open(f"/proc/{pid}/stat", encoding="ascii").read().rsplit(")", 1)[1].split()[0] != "Z"]
    assert alive == []
