from acgan_lib.report import NotebookOutcome, markdown_table, report_markdown, show_table
from acgan_lib.results import record_results

ENVIRONMENT = {"date": "2026-12-03 12:00 UTC", "commit": "abc", "python": "3.11", "tensorflow": "2.21",
               "keras": "3.15", "cpus": 2}


def test_a_section_with_single_values_and_rows_renders_both_as_tables(tmp_path, monkeypatch):
    monkeypatch.setenv("ACGAN_REPORT_DIR", str(tmp_path))
    record_results("evaluation", {"generator": "the quick run", "hair accuracy": {"generated": 0.98, "real": 1.0},
                                  "demo score": {"generated": 85, "real": None}})
    record_results("monitor_findings", [])
    markdown = report_markdown(tmp_path, "quick", [NotebookOutcome("01_a.ipynb", "ran", 1.5),
                                                   NotebookOutcome("02_b.ipynb", "not reached")], ENVIRONMENT, 2.0)
    assert "| generator | the quick run |" in markdown
    assert "| | generated | real |" in markdown and "| hair accuracy | 0.980 | 1.000 |" in markdown
    assert "| demo score | 85 |  |" in markdown and "{'generated'" not in markdown
    assert "### The training monitor's findings (notebook 04)\n\n(none)" in markdown
    assert "**1 of 2 notebooks ran**." in markdown and "| 02_b.ipynb | not reached |  |  |  |" in markdown
    assert markdown.index("The training monitor") < markdown.index("The trained generator")


def test_a_notebook_table_is_shown_as_the_markdown_the_report_holds(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    rows = {"KID": {"generated": 0.00123, "real": 0.0}, "hair accuracy": {"generated": 0.5, "real": 1.0}}
    show_table(rows)
    (markdown,) = shown
    assert markdown.data == "\n".join(markdown_table(rows))
    assert markdown._repr_markdown_().splitlines()[2] == "| KID | 0.00123 | 0.000 |"  # small figures keep 3 digits
