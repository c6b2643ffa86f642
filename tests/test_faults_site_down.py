"""A site down for one run, then back: live refreshes over loopback sites, in a world of their own (no readers,
tests/fault_world.py), so this module and the rest of the fault suite run on different test workers."""
import pytest

from helpers.fault_world import (LOOP_MEMBERS, Site, check_results, network_args, network_history, open_world, refresh,
                         site_routes, tail)


@pytest.fixture(scope="module")
def world(tmp_path_factory, refreshed_data_dir):
    with open_world(tmp_path_factory.mktemp("site-down"), refreshed_data_dir, readers=False, loop_sites=True) as w:
        yield w


def test_a_site_down_for_one_run_then_back_loses_no_members(world):
    live = ["--live", *network_args(sorted(LOOP_MEMBERS))]
    first = refresh(world, *live)
    assert first.returncode == 0, tail(first)
    expected = {n: [(m, True, None) for m in sorted(names)] for n, names in LOOP_MEMBERS.items()}
    for network_id in LOOP_MEMBERS:
        assert network_history(world, network_id) == (expected[network_id], 0)

    # run 2: one site refuses connections, one answers 503 to every try, the third is fine
    port = world.sites["loop-refused"].port
    world.sites["loop-refused"].__exit__(None, None, None)
    world.site_mode["loop-5xx"] = "5xx"
    down = refresh(world, *live)
    assert down.returncode == 3, tail(down)  # a failing network does not fail the run: it is exit code 3
    summary = {line.split()[0]: line for line in down.stdout.splitlines() if line.startswith("loop-")}
    assert "fetch_failed" in summary["loop-refused"] and "fetch_failed" in summary["loop-5xx"]
    assert summary["loop-ok"].split()[1] in ("ok", "unchanged")
    assert "loop-refused: fetching" in down.stdout and "connection_error" in down.stdout
    assert "loop-5xx: fetching" in down.stdout and "retries_exhausted" in down.stdout
    checks = check_results(world, world.refreshes[-1][0])
    assert checks["scraped_loop_refused"][0] is False and checks["scraped_loop_5xx"][0] is False
    assert checks["scraped_loop_ok"][0] is True
    assert checks["scraped_loop_refused"][1]["status"] == "fetch_failed"
    assert any("connection_error" in e for e in checks["scraped_loop_refused"][1]["errors"])
    assert any("retries_exhausted" in e for e in checks["scraped_loop_5xx"][1]["errors"])
    for network_id in LOOP_MEMBERS:  # nobody "left": spells stay open, no departures counted
        assert network_history(world, network_id) == (expected[network_id], 0)

    # run 3: both back
    world.sites["loop-refused"] = Site(site_routes(world.site_mode, "loop-refused"), port=port).__enter__()
    world.site_mode["loop-5xx"] = "up"
    back = refresh(world, *live)
    assert back.returncode == 0, tail(back)
    summary = {line.split()[0]: line for line in back.stdout.splitlines() if line.startswith("loop-")}
    assert all(summary[n].split()[1] in ("ok", "unchanged") for n in LOOP_MEMBERS), summary
    checks = check_results(world, world.refreshes[-1][0])
    assert all(checks[f"scraped_{n.replace('-', '_')}"][0] for n in LOOP_MEMBERS)
    for network_id in LOOP_MEMBERS:
        assert network_history(world, network_id) == (expected[network_id], 0)
    world.figures["site_down"] = [line.strip() for line in down.stdout.splitlines()
                                  if line.startswith("loop-") or "! loop-" in line]
