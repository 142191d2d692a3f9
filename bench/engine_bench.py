"""The rule engine against the hand-written floor, on 10,000 generated answer sets."""

from __future__ import annotations

import cProfile
import dataclasses
import pstats
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from screening.engine import GATE, Result, evaluate
from screening.rulebook import Rulebook
from screening.rulebook.predicates import compile_predicate

from . import handwritten
from .answersets import answer_sets

#: Fixed, so that the same seed gives the same answer sets and outcomes on any day.
SCREENING_DAY = date(2026, 11, 26)

Sets = list[tuple[dict[str, Any], date]]


def restricted(rulebook: Rulebook, conditions: tuple[str, ...]) -> Rulebook:
    """The rule book with only `conditions` (questions unchanged, so answers stay valid)."""
    missing = set(conditions) - set(rulebook.conditions)
    if missing:
        raise ValueError(f"the rule book has no condition {sorted(missing)}")
    return dataclasses.replace(rulebook, conditions={
        cid: condition for cid, condition in rulebook.conditions.items() if cid in conditions})


def _decisions(result) -> tuple[str, bool, tuple[str, ...]]:
    return result.outcome, result.urgent, tuple(finding.rule for finding in result.findings)


def check_floor(subset: Rulebook, sets: Sets) -> int:
    """The floor must make the engine's decisions on every answer set; returns how many."""
    wrong = []
    for answers, on in sets:
        expected = _decisions(evaluate(subset, answers, on))
        got = handwritten.screen(answers, on)
        if got != expected:
            wrong.append((answers, on, expected, got))
    if wrong:
        answers, on, expected, got = wrong[0]
        shown = {qid: value for qid, value in answers.items() if value != "no"}
        raise AssertionError(
            f"bench/handwritten.py disagrees with the engine on {len(wrong)} of {len(sets)} "
            f"answer sets (has a rule file changed?). First: on {on}, answers {shown}: "
            f"engine {expected}, hand-written {got}")
    return len(sets)


def window_tests(rulebook: Rulebook, sets: Sets) -> dict:
    """Every `within`/`older_than` test in the rule book: answer sets where it holds / not."""
    counts = {}
    for rule in rulebook.rules:
        for leaf in _leaves(rule.when_data):
            if "within" in leaf or "older_than" in leaf:
                test = compile_predicate(leaf, rulebook.questions, parameters=rulebook.parameters)
                results = Counter(test(answers, on) for answers, on in sets
                                  if answers.get(rulebook.questions[leaf["q"]].condition) in GATE
                                  and answers.get(leaf["q"]))
                counts[f"{rule.id}: {leaf['q']}"] = {"true": results[True],
                                                     "false": results[False]}
    one_way = [name for name, count in counts.items() if not (count["true"] and count["false"])]
    return {"tests": len(counts), "one_way": one_way, "counts": counts}


def _leaves(tree: Any):
    if isinstance(tree, dict):
        if "q" in tree:
            yield tree
        else:
            for value in tree.values():
                yield from _leaves(value)
    elif isinstance(tree, list):
        for item in tree:
            yield from _leaves(item)


# Each timed loop has the same shape: a direct call per answer set, nothing else.

def _loop_floor(sets: Sets) -> None:
    screen = handwritten.screen
    for answers, on in sets:
        screen(answers, on)


def _loop_engine(rulebook: Rulebook, sets: Sets) -> None:
    for answers, on in sets:
        evaluate(rulebook, answers, on)


def _timings(loops: dict[str, Callable[[Sets], None]], sets: Sets, repeats: int,
             chunks: int) -> dict[str, float]:
    """Seconds each loop needs for all of `sets`, as free of the machine's noise as we can.

    The answer sets are cut into `chunks` slices; every repeat times every contender on
    every slice, interleaved, and a contender's time is the sum over slices of its fastest
    repeat. Short slices make it likely that each one was timed at least once while
    nothing else ran, and interleaving treats every contender alike.
    """
    size = -(-len(sets) // chunks)
    slices = [sets[start:start + size] for start in range(0, len(sets), size)]
    best = {name: [float("inf")] * len(slices) for name in loops}
    for loop in loops.values():
        loop(sets)  # warm
    for _ in range(repeats):
        for index, chunk in enumerate(slices):
            for name, loop in loops.items():
                started = time.perf_counter()
                loop(chunk)
                best[name][index] = min(best[name][index], time.perf_counter() - started)
    return {name: sum(times) for name, times in best.items()}


def run(rulebook: Rulebook, count: int = 10_000, seed: int = 7, repeats: int = 7,
        chunks: int = 20) -> dict:
    started = time.perf_counter()
    sets = answer_sets(rulebook, count, seed, SCREENING_DAY)
    generated_in = time.perf_counter() - started
    subset = restricted(rulebook, handwritten.CONDITIONS)
    agreed = check_floor(subset, sets)

    loops = {
        "floor": lambda chunk: _loop_floor(chunk),
        "engine_subset": lambda chunk: _loop_engine(subset, chunk),
        "engine_full": lambda chunk: _loop_engine(rulebook, chunk),
    }
    spent = _timings(loops, sets, repeats, chunks)
    rates = {name: {"per_second": count / total, "us_per_screening": total / count * 1e6}
             for name, total in spent.items()}

    results = [evaluate(rulebook, answers, on) for answers, on in sets]
    subset_results = [evaluate(subset, answers, on) for answers, on in sets]
    gated = [sum(answers.get(cid) in GATE for cid in rulebook.conditions)
             for answers, _on in sets]
    return {
        "answer_sets": count, "seed": seed, "screening_day": SCREENING_DAY.isoformat(),
        "generated_in_s": generated_in, "repeats": repeats, "chunks": chunks,
        "timing": f"sum over {chunks} slices of the fastest of {repeats} interleaved repeats",
        "conditions_subset": list(handwritten.CONDITIONS),
        "rules_subset": sum(len(condition.rules) for condition in subset.conditions.values()),
        "conditions_full": len(rulebook.conditions), "rules_full": len(rulebook.rules),
        "agreement": f"{agreed}/{count} answer sets: same outcome, urgent flag and rule ids",
        "rates": rates,
        "ratio_subset_to_floor": rates["floor"]["per_second"]
        / rates["engine_subset"]["per_second"],
        "mix": {
            "clients_with_no_condition": sum(1 for n in gated if n == 0) / count,
            "clients_with_conditions": Counter(min(n, 4) for n in gated if n),
            "outcomes_full": Counter(result.outcome for result in results),
            "urgent_full": sum(result.urgent for result in results),
            "subset_rules_fired": Counter(finding.rule for result in subset_results
                                          for finding in result.findings),
        },
        "time_windows": window_tests(rulebook, sets),
        "breakdown": breakdown(rulebook, subset, sets),
        "profile": profile(subset, sets),
    }


def breakdown(rulebook: Rulebook, subset: Rulebook, sets: Sets) -> dict:
    """Microseconds per screening for clients with none of the 7 conditions, and the rest."""
    healthy = [item for item in sets
               if all(item[0].get(cid) not in GATE for cid in handwritten.CONDITIONS)]
    others = [item for item in sets
              if any(item[0].get(cid) in GATE for cid in handwritten.CONDITIONS)]
    loops = {"floor": _loop_floor, "engine": lambda chunk: _loop_engine(subset, chunk)}
    healthy_s = _timings(loops, healthy, repeats=5, chunks=10)
    others_s = _timings(loops, others, repeats=5, chunks=10)
    on = SCREENING_DAY
    construct = _timings({"result": lambda chunk: [
        Result(outcome="clear", urgent=False, findings=(), rulebook_version="", screened_on=on)
        for _ in chunk]}, healthy, repeats=5, chunks=10)["result"]
    return {
        "healthy_share": len(healthy) / len(sets),
        "floor_us": {"no_condition": healthy_s["floor"] / len(healthy) * 1e6,
                     "some_condition": others_s["floor"] / len(others) * 1e6},
        "engine_subset_us": {"no_condition": healthy_s["engine"] / len(healthy) * 1e6,
                             "some_condition": others_s["engine"] / len(others) * 1e6},
        "result_object_us": construct / len(healthy) * 1e6,
    }


def profile(subset: Rulebook, sets: Sets, top: int = 8) -> list[dict]:
    """Where the engine's time goes on the 7-condition rule book (cProfile, own time)."""
    profiler = cProfile.Profile()
    profiler.enable()
    _loop_engine(subset, sets)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt or 1.0
    rows = []
    for (file, line, name), (_cc, calls, own, cumulative, _callers) in stats.stats.items():
        if file.endswith("engine_bench.py") or "_lsprof" in name:
            continue
        where = name if file == "~" else f"{file.rsplit('/', 2)[-1]}:{line} {name}"
        rows.append({"function": where, "calls": calls, "own_share": own / total,
                     "cumulative_share": cumulative / total})
    rows.sort(key=lambda row: -row["own_share"])
    return rows[:top]
