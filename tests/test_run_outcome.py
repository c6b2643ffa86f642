"""The exit code and closing line of a refresh, from its summary rows and what it published."""
from warehouse.run_outcome import outcome


def _rows(**statuses):
    return [{"network_id": n, "status": s} for n, s in statuses.items()]


def test_each_outcome_has_its_code_and_says_so_on_the_last_line(tmp_path):
    published = tmp_path / "published"
    clean = outcome("r1", _rows(a="ok", b="unchanged"), True, True, published)
    partial = outcome("r2", _rows(a="ok", b="drift_blocked", c="fetch_failed"), True, True, published)
    nothing = outcome("r3", _rows(b="contract_failed"), True, False, published)
    failed = outcome("r4", _rows(a="ok"), False, False, published)
    after = outcome("r5", _rows(a="ok"), False, True, published)
    assert [code for code, _ in (clean, partial, nothing, failed, after)] == [0, 3, 4, 4, 1]
    assert clean[1].startswith("run r1 succeeded") and clean[1].endswith("(exit 0)")
    assert "2 of 3 networks failed or were held back" in partial[1] and "b, c" in partial[1]
    assert "nothing to publish" in nothing[1] and "(1: b)" in nothing[1] and "nothing was published before" in nothing[1]
    published.mkdir()
    (published / "manifest.json").write_text("{}", encoding="utf-8")
    assert "the previous publication under" in outcome("r3", _rows(b="parse_failed"), True, False, published)[1]
    assert "untouched" in failed[1] and "failed after publishing" in after[1]
