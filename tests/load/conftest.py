"""The load tests' figures, printed at the end of the run (they pass or fail on their own)."""

from tests.load.harness import SUMMARIES


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    summaries = config.stash.get(SUMMARIES, [])
    if summaries:
        terminalreporter.ensure_newline()
        terminalreporter.section("load test")
        for line in summaries:
            terminalreporter.write_line(line)
