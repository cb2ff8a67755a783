"""The benchmark's summary: every target of a run as ``(target, measured, met)``,
whichever benchmark measured it, in one table (benchmarks/bench_bulk.py)."""

import importlib.util
from argparse import Namespace
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_bulk.py"
SPEC = importlib.util.spec_from_file_location("bench_bulk", BENCH)
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

ARGS = Namespace(latency_ms=150, batch=100, k=4)


def result(seconds, requests, notes=0, **extra):
    """A case's result: its last outcome at ``seconds``, its last note at ``notes``
    (0: the queue wrote none)."""
    return {
        "seconds": max(seconds, notes),
        "outcome_s": seconds,
        "notes_s": notes,
        "requests": requests,
        "outcomes": {"queued": 1},
        "peak_rss_mb": 150,
        "queries": 100,
        **extra,
    }


def test_each_target_is_a_target_its_measure_and_whether_it_is_met():
    checks = bench.targets(
        {
            # floor 3.75 s: 1.47x to the last outcome (the notes come after)
            ("same", 10000): result(5.5, 100, notes=12.0),
            # 2.03x from the click; 1.49x after Odoo's composer's click (2.0 s)
            ("native", 10000): result(7.6, 100, wizard_s=2.0),
            ("perso", 1000): result(60.5, 1000),  # floor 37.5 s: 1.61x, over 60 s
        },
        ARGS,
    )
    assert all(len(check) == 3 for check in checks)
    by_target = {target: (measured, met) for target, measured, met in checks}
    assert by_target["same text 10,000: last outcome within 1.5x its floor"] == (
        "1.47x (5.5 s, floor 3.75 s; last note 12.0 s)",
        True,
    )
    native = "Odoo composer (bridge) 10,000: last outcome within 2x its floor"
    assert by_target[native] == ("2.03x (7.6 s, floor 3.75 s)", False)
    after = (
        "Odoo composer (bridge) 10,000: after Odoo's composer's click, last outcome "
        "within 2x its floor"
    )
    assert by_target[after] == ("1.49x (5.6 s; the click 2.0 s)", True)
    perso = "personalised 1,000: last outcome within 1.5x its floor"
    assert by_target[perso][1] is False
    assert by_target["personalised 1,000: last outcome under 60 s"] == ("60.5 s", False)


def test_a_case_that_did_not_run_is_a_missed_target():
    assert bench.targets({("same", 100000): None}, ARGS) == [
        ("same text 100,000: runs", "failed", False)
    ]


def test_the_summary_prints_every_target_of_every_benchmark_met_or_missed(capsys):
    checks = bench.targets({("same", 10000): result(5.5, 100)}, ARGS)
    # another benchmark's targets (the click's) join the same summary
    checks.append(("click on 100,000 records: under 2 s", "3.1 s", False))
    bench.print_summary("Targets:", checks)
    out = capsys.readouterr().out
    assert "| same text 10,000: last outcome within 1.5x its floor | 1.47x" in out
    assert "| click on 100,000 records: under 2 s | 3.1 s | MISSED |" in out
    assert out.rstrip().endswith("2 of 3 met")


@pytest.mark.parametrize(
    ("outcomes", "ok"),
    [({"queued": 1000}, True), ({"queued": 999, "sending": 1}, False)],
)
def test_the_smoke_checks_have_the_same_shape(outcomes, ok):
    res = result(1, 10, outcomes=outcomes, accepted=1000, accepted_twice=0)
    res["retried"] = 3
    checks = bench.smoke_checks({("same", 1000): res})
    assert all(len(check) == 3 for check in checks)
    assert all(met for _target, _measured, met in checks) is ok
