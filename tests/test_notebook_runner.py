import nbformat
import pytest
from notebook_files import write_notebook

from acgan_lib import notebook_runner
from acgan_lib.cli import main
from acgan_lib.notebook_runner import NotebookFailed, run_notebooks
from acgan_lib.run_records import read_run_info


def printed_text(executed_notebook) -> str:
    """Everything an executed notebook's cells printed."""
    cells = nbformat.read(executed_notebook, as_version=4).cells
    return "".join(output.get("text", "") for cell in cells for output in cell.get("outputs", []))


def test_only_numbered_notebooks_in_reading_order(tmp_path):
    for name in ("02_b.ipynb", "01_a.ipynb", "scratch.ipynb", "10_c.ipynb"):
        write_notebook(tmp_path / name)
    assert [path.name for path in notebook_runner.numbered_notebooks(tmp_path)] == [
        "01_a.ipynb", "02_b.ipynb", "10_c.ipynb"]


@pytest.mark.slow
def test_runner_injects_the_profile_and_stops_at_the_failing_notebook(tmp_path):
    notebooks, out = tmp_path / "notebooks", tmp_path / "report"
    notebooks.mkdir()
    write_notebook(notebooks / "01_ok.ipynb", "print('running', profile_name)")
    write_notebook(notebooks / "02_broken.ipynb", "x = 1", "raise ValueError('the cell says no')")
    write_notebook(notebooks / "03_never.ipynb", "print('unreachable')")
    with pytest.raises(NotebookFailed) as failure:
        run_notebooks("smoke", out, notebooks, progress=False)
    message = str(failure.value)
    assert "02_broken.ipynb failed in cell 3 " in message and "the cell says no" in message
    executed = nbformat.read(out / "01_ok.ipynb", as_version=4)
    assert "running smoke" in "".join(output.get("text", "") for output in executed.cells[-1].outputs)
    assert not (out / "03_never.ipynb").exists()
    report = (out / "REPORT.md").read_text()
    assert "**1 of 3 notebooks ran**; 1 failed." in report
    assert "| 02_broken.ipynb | failed |" in report and "| 03_never.ipynb | not reached |" in report
    assert "**02_broken.ipynb failed.** 02_broken.ipynb failed in cell 3" in report
    assert "[02_broken.html](02_broken.html)" in report and (out / "02_broken.html").exists()
    assert "the cell says no" in (out / "index.html").read_text()


@pytest.mark.slow
def test_keep_going_runs_the_rest_and_the_report_names_the_failure(tmp_path, capsys):
    notebooks, out = tmp_path / "notebooks", tmp_path / "report"
    notebooks.mkdir()
    write_notebook(notebooks / "01_broken.ipynb", "raise ValueError('the cell says no')")
    write_notebook(notebooks / "02_ok.ipynb", "from acgan_lib.results import record_results",
                   "record_results('scores', {'first': {'hair': 0.5, 'eyes': 0.25}, 'second': {'hair': 1.0}})",
                   "import matplotlib.pyplot as plt\nfrom acgan_lib import viz\n"
                   "viz.save_figure(plt.figure(), '02_empty', 'An empty figure | with a bar')")
    assert main(["notebooks", "--profile", "smoke", "--out", str(out), "--notebooks-dir", str(notebooks),
                 "--keep-going"]) == 1
    assert "01_broken.ipynb failed in cell 2" in capsys.readouterr().err
    report = (out / "REPORT.md").read_text()
    assert "| 01_broken.ipynb | failed |" in report and "| 02_ok.ipynb | ran |" in report
    assert "| first | 0.500 | 0.250 |" in report and "| second | 1.000 |  |" in report  # recorded results
    assert "![An empty figure | with a bar](figures/02_empty.png)" in report
    page = (out / "index.html").read_text()
    assert "<table>" in page and 'src="figures/02_empty.png"' in page


def test_bad_profile_fails_before_any_notebook_runs(tmp_path, capsys):
    assert main(["notebooks", "--profile", "quick", "--out", str(tmp_path), "--notebooks-dir",
                 str(tmp_path / "missing")]) == 2
    assert "no numbered notebooks" in capsys.readouterr().err
    with pytest.raises(ValueError, match="valid profiles"):
        run_notebooks("large", tmp_path)


def test_strip_outputs_keeps_only_checked_cells():
    notebook = nbformat.v4.new_notebook()
    checked = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)", execution_count=3)
    checked.outputs = [nbformat.v4.new_output("stream", text="1\n")]
    plain = nbformat.v4.new_code_cell("print(2)", execution_count=4)
    plain.outputs = [nbformat.v4.new_output("stream", text="2\n")]
    notebook.cells = [checked, plain]
    assert notebook_runner.unexpected_outputs(notebook) == [1]
    stripped = notebook_runner.strip_outputs(notebook)
    assert stripped.cells[0].outputs[0]["text"] == "1\n" and stripped.cells[1].outputs == []
    assert [cell.execution_count for cell in stripped.cells] == [1, None]
    assert notebook_runner.unexpected_outputs(stripped) == []


@pytest.mark.slow
def test_runner_executes_every_real_notebook_in_the_smoke_profile(tmp_path, monkeypatch):
    monkeypatch.delenv("ACGAN_PROFILE")  # the runner's injected profile_name must be what takes effect
    results = run_notebooks("smoke", tmp_path, progress=False)
    names = [path.name for path in notebook_runner.numbered_notebooks()]
    assert [result.name for result in results] == names
    for name in names:  # and nothing from TensorFlow's C++ start-up in any of them
        text = printed_text(tmp_path / name)
        assert "profile: smoke," in text and "E0000 " not in text and "I0000 " not in text, name
    report = (tmp_path / "REPORT.md").read_text()
    assert f"**{len(names)} of {len(names)} notebooks ran**." in report
    for heading in ("## Notebooks", "## Results", "### Training (notebook 04)",
                    "### The training monitor's findings (notebook 04)", "### The trained generator, judged (notebook 06)",
                    "### Failure analysis (notebook 05)", "## Figures"):
        assert heading in report, heading
    assert "| hair accuracy |" in report and "| seed recipe |" in report  # 06's table and 05's experiments
    assert "*05_seed_path: The seed's path on faces" in report  # figures carry their captions
    for name in names:  # every notebook exported to HTML, its progress bars in their final state
        page = (tmp_path / name).with_suffix(".html").read_text()
        assert "profile: smoke," in page and " 0%|" not in page
    # Notebook 04 trains the profile into the report folder and 06 judges that generator; 07 draws with the
    # shipped 64 px one, whatever the profile.
    assert read_run_info(tmp_path / "runs" / "smoke")["status"] == "finished"
    assert "the smoke run notebook 04 trained" in printed_text(tmp_path / "06_evaluation.ipynb")
    assert "the shipped generator `pretrained-medium`" in printed_text(tmp_path / "07_playground.ipynb")
    assert list((tmp_path / "figures").glob("01_*.png")) and "![" in report


@pytest.mark.slow
def test_a_notebook_run_with_an_unknown_parameter_says_so(tmp_path):
    import papermill
    from papermill.exceptions import PapermillExecutionError

    write_notebook(tmp_path / "01_setup.ipynb", "from acgan_lib.notebook_setup import setup_notebook\n"
                   "profile = setup_notebook(profile_name)")
    with pytest.raises(PapermillExecutionError, match="unknown notebook parameter 'sed'.*profile_name \\(str\\)"):
        papermill.execute_notebook(str(tmp_path / "01_setup.ipynb"), str(tmp_path / "out.ipynb"),
                                   parameters={"sed": 3}, progress_bar=False)
