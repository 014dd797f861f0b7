"""The README's benchmark section, written from the results (bench/readme.py)."""

from bench import readme, report
from tests.bench.test_report import results


def latest():
    figures = results()
    figures |= {
        "commit": "0123456789abcdef", "date": "2026-12-01T12:00:00+00:00",
        "machine": {"cpus": 2},
        "settings": figures["settings"] | {"database": "Postgres", "cache": "Redis",
                                           "web_workers": 2, "load_tool": "wrk", "seconds": 8},
    }  # fmt: skip
    figures["targets"] = report.target_dicts(report.targets(figures))
    return figures


def test_the_section_names_its_date_commit_and_set_up_and_holds_both_tables():
    text = readme.section(latest())
    assert text.startswith(readme.START)
    assert text.endswith(readme.END)
    assert "2026-12-01T12:00:00+00:00, commit `0123456789`, 10,000 entries" in text
    assert "Postgres + Redis" in text
    assert "| `/journal/?q=mercy` | 0.25 |" in text
    assert "| /names/ at 16 connections | 0.65× | ≥ 0.6× | met |" in text


def test_it_replaces_only_the_marked_section():
    before = f"# Title\n\nintro\n\n{readme.START}\nold table\n{readme.END}\n\n## Next\n"
    after = readme.replace_section(before, f"{readme.START}\nnew\n{readme.END}")
    assert after == f"# Title\n\nintro\n\n{readme.START}\nnew\n{readme.END}\n\n## Next\n"


def test_a_readme_without_the_section_gets_one_at_the_end():
    after = readme.replace_section("# Title\n", f"{readme.START}\nnew\n{readme.END}")
    assert after == f"# Title\n\n## Benchmark\n\n{readme.START}\nnew\n{readme.END}\n"
