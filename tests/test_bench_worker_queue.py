"""The benchmark's model of waiting for a free gunicorn worker (bench/worker_queue.py), which
the latency notes of `make bench` rest on."""

from bench.worker_queue import percentile, queued_latencies, summary


def test_requests_that_find_a_free_worker_take_only_their_own_time():
    assert queued_latencies([5.0, 7.0, 5.0, 6.0], rate=100, workers=2) == [5.0, 7.0, 5.0, 6.0]


def test_requests_that_come_faster_than_the_workers_wait_for_the_first_one_free():
    # 10 ms apart, 30 ms each, 2 workers: the third waits 10 ms for the first worker,
    # the fifth 20 ms, and so on
    assert queued_latencies([30.0] * 6, rate=100, workers=2) == [30.0, 30.0, 40.0, 40.0,
                                                                  50.0, 50.0]


def test_one_slow_request_holds_up_those_behind_it_only_on_its_own_worker():
    assert queued_latencies([50.0, 5.0, 5.0, 5.0], rate=100, workers=2) == [50.0, 5.0,
                                                                             5.0, 5.0]
    assert queued_latencies([50.0, 5.0, 5.0, 5.0], rate=100, workers=1) == [50.0, 45.0,
                                                                             40.0, 35.0]


def test_percentiles_are_nearest_rank():
    assert percentile(list(range(1, 101)), 0.99) == 99
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([], 0.99) == 0.0


def test_the_summary_says_how_busy_the_workers_were():
    figures = summary([10.0] * 100, rate=50, workers=2)
    assert figures["busy"] == 0.25  # 50 a second of 10 ms each, over 2 workers
    assert figures["p99_ms"] == figures["queued_p99_ms"] == 10.0
    assert figures["requests"] == 100 and figures["workers"] == 2
