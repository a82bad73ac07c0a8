"""The reliability suite: the whole site under faults and interruptions, bad input, stateful guards and
load, with a table of the results. `./platform reliability` runs it; from the repository root:

    python -m tests.reliability.suite [--parts faults,interruptions,bad-input,stateful,load]
        [--kinds throttle,error,slow,drop,drop_after,mixed] [--rate 0.1] [--seed 1] [--runs 1]
        [--trials 20] [--events 100000] [--jobs 1]

- faults: a clean converge of the `local` site on a fresh emulator gives the reference inventory
  (tests/inventory.py every_resource: every resource by name, tagged or not). Then, for each fault
  kind of the fault proxy (tests/reliability/fault_proxy.py) and for all kinds mixed, `site.yml`
  on a fresh emulator behind the proxy at the rate: converged (one run, rc 0), and its inventory
  against the reference: duplicates, orphans, missing.
- interruptions: `ansible-playbook site.yml` on a fresh emulator, killed (SIGKILL, the process
  group and every process below it, task workers included) when it starts its N-th task of the
  layers (the pre-flight's checks not counted), N drawn with the seed in each of `trials` equal
  slices of the run, so every layer gets some; then
  `site.yml` again: recovered when that run converges and the inventory equals the reference.
- bad-input: the catalogue (tests/reliability/bad_inputs.py): each refused before any mutating
  call, counted by the emulator, naming the variable and the rule.
- stateful: the guards of tests/reliability/stateful.py, refused without their variable.
- load: tests/reliability/load.py with --events events, 1% malformed.

Prints the table and writes artifacts/reliability/report.json (and each run's log beside it).
Figures take a while: about two minutes per converge on a 2-core machine.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.inventory import compare, every_resource
from tests.local_site import REPO_ROOT, LocalSite
from tests.playbook import rescued
from tests.reliability.fault_proxy import KINDS, FaultProxy

PARTS = ("faults", "interruptions", "bad-input", "stateful", "load")
OUT = REPO_ROOT / "artifacts" / "reliability"
FIRST_LAYER_PLAY = "PLAY [Foundation layer"  # interruptions are drawn from here on: every layer, not the checks


def _first_failure(output: str) -> str:
    """The task that failed and the start of its message, for the report."""
    lines = output.splitlines()
    task = ""
    for number, line in enumerate(lines):
        if line.startswith("TASK ["):
            task = line.split("[", 1)[1].rsplit("]", 1)[0]
        elif line.startswith("fatal:"):
            detail = " ".join(part.strip() for part in lines[number + 1:number + 4])
            return f"{task}: {detail}"[:300]
    return output.strip().splitlines()[-1][:300] if output.strip() else ""


def _inventory(site: LocalSite) -> Counter:
    return every_resource(site.client)


def _as_text(identities: list) -> list[str]:
    return [f"{' / '.join(identity)} (x{count})" for identity, count in identities]


def clean_reference(workdir: Path) -> dict:
    """A clean converge: the inventory every other run must end with, and how many tasks it starts."""
    site = LocalSite(workdir / "clean")
    try:
        started = time.monotonic()
        proc = site.run("site.yml")
        (workdir / "clean.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            sys.exit(f"the clean converge failed: {_first_failure(proc.stdout + proc.stderr)}")
        if rescued(proc.stdout):
            sys.exit("the clean converge needed a second pass of a role: see clean.log")
        return {"inventory": _inventory(site), "tasks": layer_tasks(proc.stdout),
                "seconds": round(time.monotonic() - started, 1)}
    finally:
        site.close()


def fault_run(workdir: Path, kinds: tuple[str, ...], rate: float, seed: int, reference: Counter) -> dict:
    label = "mixed" if len(kinds) > 1 else kinds[0]
    site = LocalSite(workdir / f"fault-{label}-{seed}")
    proxy = FaultProxy(site.emulator, seed=seed, rate=rate, kinds=kinds).start()
    try:
        started = time.monotonic()
        proc = site.run("site.yml", env=proxy.env())
        seconds = round(time.monotonic() - started, 1)
        (workdir / f"fault-{label}-{seed}.log").write_text(proc.stdout + proc.stderr)
        stats = proxy.stats()
    finally:
        proxy.stop()
    try:
        difference = compare(reference, _inventory(site))
    finally:
        site.close()
    return {"kind": label, "rate": rate, "seed": seed, "converged": proc.returncode == 0, "seconds": seconds,
            "failure": "" if proc.returncode == 0 else _first_failure(proc.stdout + proc.stderr),
            "requests": stats["requests"], "faults": sum(stats["faulted"].values()),
            "faults_on_mutating_calls": sum(stats["faulted_mutating"].values()),
            "duplicates": _as_text(difference["duplicates"]), "orphans": _as_text(difference["orphans"]),
            "missing": _as_text(difference["missing"])}


def descendants(pid: int) -> list[int]:
    """Every process below pid (from /proc), children first."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def kill_everything(pid: int) -> None:
    """SIGKILL pid's process group and every process below it, in whatever session: ansible's task
    workers start their own sessions, so a kill of the group alone leaves them running (what the
    end of a CI job or a lost machine does not)."""
    below = descendants(pid)
    os.killpg(pid, signal.SIGKILL)
    for child in below:
        try:
            os.killpg(os.getpgid(child), signal.SIGKILL)
        except ProcessLookupError:
            pass


def interruption_trial(workdir: Path, trial: int, kill_at: int, reference: Counter) -> dict:
    """Kill a fresh converge when it starts task number kill_at, then converge again."""
    site = LocalSite(workdir / f"interrupt-{trial}")
    try:
        process = subprocess.Popen(site.command("site.yml"), cwd=REPO_ROOT, env=site.env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        tasks, killed_in, in_layers = 0, "", False
        for line in process.stdout:
            in_layers = in_layers or line.startswith(FIRST_LAYER_PLAY)
            if in_layers and line.startswith("TASK ["):
                tasks += 1
                if tasks == kill_at:
                    killed_in = line.split("[", 1)[1].rsplit("]", 1)[0]
                    time.sleep(random.Random(trial).uniform(0, 1.5))  # somewhere inside the task
                    kill_everything(process.pid)
                    break
        process.wait()
        process.stdout.close()
        proc = site.run("site.yml")
        (workdir / f"interrupt-{trial}.log").write_text(proc.stdout + proc.stderr)
        difference = compare(reference, _inventory(site))
    finally:
        site.close()
    converged = proc.returncode == 0
    equal = not any(difference.values())
    return {"trial": trial, "killed_at_task": kill_at, "killed_in": killed_in, "converged": converged,
            "inventory_equal": equal, "recovered": converged and equal,
            "failure": "" if converged else _first_failure(proc.stdout + proc.stderr),
            "duplicates": _as_text(difference["duplicates"]), "orphans": _as_text(difference["orphans"]),
            "missing": _as_text(difference["missing"])}


def layer_tasks(output: str) -> int:
    """Tasks a run starts from the first layer on (the pre-flight's checks before it change nothing)."""
    start = output.find(FIRST_LAYER_PLAY)
    return output[start:].count("\nTASK [") if start >= 0 else 0


def kill_points(tasks: int, trials: int, seed: int) -> list[int]:
    """One task number per trial, one in each of `trials` equal slices of the run (every layer)."""
    draw = random.Random(seed)
    return [max(2, int((trial + draw.random()) * tasks / trials)) for trial in range(trials)]


def _side_by_side(jobs: int, runs: list):
    """Each run's result, in order, with `jobs` runs at a time (each on its own fresh site)."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        yield from pool.map(lambda run: run(), runs)


def print_table(report: dict) -> None:
    rows = [("fault kind", "rate", "runs", "converged", "faults injected", "duplicates", "orphans", "missing")]
    for kind in report.get("faults", {}).get("by_kind", []):
        rows.append((kind["kind"], f"{kind['rate']:.0%}", kind["runs"], kind["converged"], kind["faults"],
                     kind["duplicates"], kind["orphans"], kind["missing"]))
    if len(rows) > 1:
        _print_rows(rows)
    if "interruptions" in report:
        part = report["interruptions"]
        _print_rows([("interruptions", "tried", "recovered"), ("SIGKILL at a task", part["tried"], part["recovered"])])
    if "bad_input" in report:
        part = report["bad_input"]
        _print_rows([("bad inputs", "tried", "refused before any change"),
                     ("catalogue", part["tried"], part["refused_before_change"])])
    if "stateful" in report:
        part = report["stateful"]
        _print_rows([("stateful guards", "tried", "refused without allowance", "done with allowance"),
                     ("guards", part["tried"], part["refused"], part["allowed"])])
    if "load" in report:
        part = report["load"]
        _print_rows([("load", "records in", "stored", "dead-lettered", "duplicates", "missing"),
                     ("ingestion", part["records_in"], part["stored"], part["dead_lettered"], part["duplicates"],
                      part["missing"])])


def _print_rows(rows: list[tuple]) -> None:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    print()
    for number, row in enumerate(rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))


FAULT_RUNS = (*KINDS, "mixed")  # each kind alone, then all kinds mixed


def run_faults(workdir: Path, reference: Counter, rate: float, seed: int, runs: int, jobs: int,
               labels: tuple[str, ...] = FAULT_RUNS) -> dict:
    plan = [(KINDS if label == "mixed" else (label,), seed + run) for label in labels for run in range(runs)]
    results = []
    for result in _side_by_side(jobs, [lambda k=kinds, s=run_seed: fault_run(workdir, k, rate, s, reference)
                                       for kinds, run_seed in plan]):
        print(f"  faults {result['kind']:<10} seed {result['seed']}: "
              f"{'converged' if result['converged'] else 'FAILED ' + result['failure']} in {result['seconds']} s, "
              f"{result['faults']} faults, {len(result['duplicates'])} duplicated, {len(result['orphans'])} orphaned,"
              f" {len(result['missing'])} missing", flush=True)
        results.append(result)
    by_kind = []
    for label in labels:
        mine = [r for r in results if r["kind"] == label]
        by_kind.append({"kind": label, "rate": rate, "runs": len(mine),
                        "converged": sum(r["converged"] for r in mine), "faults": sum(r["faults"] for r in mine),
                        "duplicates": sum(len(r["duplicates"]) for r in mine),
                        "orphans": sum(len(r["orphans"]) for r in mine),
                        "missing": sum(len(r["missing"]) for r in mine)})
    return {"by_kind": by_kind, "runs": results}


def run_interruptions(workdir: Path, reference: dict, trials: int, seed: int, jobs: int) -> dict:
    results = []
    points = kill_points(reference["tasks"], trials, seed)
    for result in _side_by_side(jobs, [lambda t=trial, k=kill_at: interruption_trial(workdir, t, k, reference["inventory"])
                                       for trial, kill_at in enumerate(points)]):
        trial = result["trial"]
        print(f"  interruption {trial}: killed at task {result['killed_at_task']} ({result['killed_in']}): "
              f"{'recovered' if result['recovered'] else 'NOT recovered ' + result['failure']}"
              f"{' ' + str(result['duplicates'] + result['orphans'] + result['missing']) if not result['inventory_equal'] else ''}",
              flush=True)
        results.append(result)
    return {"tried": len(results), "recovered": sum(r["recovered"] for r in results), "trials": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./platform reliability", description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of: {', '.join(PARTS)}")
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1, help="fault runs per kind (seeds seed, seed+1, ...)")
    parser.add_argument("--kinds", default=",".join(FAULT_RUNS), help=f"fault runs, of: {', '.join(FAULT_RUNS)}")
    parser.add_argument("--trials", type=int, default=20, help="interruption trials")
    parser.add_argument("--events", type=int, default=100_000, help="events of the load part")
    parser.add_argument("--jobs", type=int, default=1, help="fault runs and trials side by side (a site each)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    if set(parts) - set(PARTS):
        parser.error(f"--parts: unknown {sorted(set(parts) - set(PARTS))}; known: {', '.join(PARTS)}")

    kinds = tuple(kind.strip() for kind in args.kinds.split(",") if kind.strip())
    if not kinds or set(kinds) - set(FAULT_RUNS):
        parser.error(f"--kinds: unknown {sorted(set(kinds) - set(FAULT_RUNS))}; known: {', '.join(FAULT_RUNS)}")

    args.out.mkdir(parents=True, exist_ok=True)
    report: dict = {"seed": args.seed, "rate": args.rate}

    def save() -> None:  # after each part: a long run that is stopped keeps what it measured
        (args.out / "report.json").write_text(json.dumps(report, indent=2, default=list) + "\n")

    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        workdir = Path(tmp)
        if "bad-input" in parts or "stateful" in parts or "load" in parts:
            site = LocalSite(workdir / "checks")
            try:
                if "bad-input" in parts:
                    from tests.reliability import bad_inputs  # pylint: disable=import-outside-toplevel
                    rows = bad_inputs.run_catalogue(site.env, site.emulator)
                    for row in rows:
                        row["refused_before_change"] = (row["rc"] != 0 and row["mutating_calls"] == 0
                                                        and row["names_variable"] and row["states_rule"])
                        row.pop("output_tail", None)
                    report["bad_input"] = {"tried": len(rows), "refused_before_change": sum(
                        r["refused_before_change"] for r in rows), "cases": rows}
                    print(f"  bad inputs: {report['bad_input']['refused_before_change']} of {len(rows)} refused "
                          "before any change", flush=True)
                    save()
                if "stateful" in parts:
                    from tests.reliability import stateful  # pylint: disable=import-outside-toplevel
                    rows = stateful.check_all(site.env, site.emulator)
                    report["stateful"] = {"tried": len(rows),
                                          "refused": sum(r["refused_without_allowance"] for r in rows),
                                          "allowed": sum(r["done_with_allowance"] for r in rows), "guards": rows}
                    print(f"  stateful guards: {report['stateful']}", flush=True)
                    save()
                if "load" in parts:
                    from tests.reliability import load  # pylint: disable=import-outside-toplevel
                    report["load"] = load.run_load(site.emulator, events=args.events, malformed_ratio=0.01,
                                                   seed=args.seed)
                    print(f"  load: {report['load']}", flush=True)
                    save()
            finally:
                site.close()
        if {"faults", "interruptions"} & set(parts):
            print("clean converge (the reference inventory) ...", flush=True)
            reference = clean_reference(workdir)
            report["reference"] = {"resources": sum(reference["inventory"].values()), "tasks": reference["tasks"],
                                   "seconds": reference["seconds"]}
            if "faults" in parts:
                report["faults"] = run_faults(workdir, reference["inventory"], args.rate, args.seed, args.runs,
                                              args.jobs, kinds)
                save()
            if "interruptions" in parts:
                report["interruptions"] = run_interruptions(workdir, reference, args.trials, args.seed, args.jobs)
                save()
        for log in workdir.glob("*.log"):
            (args.out / log.name).write_text(log.read_text())
    save()
    print_table(report)
    print(f"\nreport: {(args.out / 'report.json').relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
