"""The stored notebooks follow the suite's conventions (DESIGN.md): no outputs but checked ones, a
parameters cell of plain literals, an opening that says what the reader will learn, a closing summary
with exercises."""

import ast

import nbformat
import pytest

from acgan_lib.notebook_runner import CHECK_MARKER, numbered_notebooks, unexpected_outputs

NOTEBOOKS = numbered_notebooks()


def test_there_are_notebooks():
    assert NOTEBOOKS, "no numbered notebooks found in notebooks/"


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.name)
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_no_outputs_but_checked_ones(notebook):
    assert unexpected_outputs(notebook) == []
    for cell in notebook.cells:
        if cell.cell_type == "code" and CHECK_MARKER in cell.source:
            assert cell.outputs, f"checked cell without a stored output:\n{cell.source}"
        elif cell.cell_type == "code":
            assert cell.execution_count is None


def test_parameters_cell_holds_plain_literals(notebook):
    tagged = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    statements = ast.parse(tagged[0].source).body
    assert statements and all(
        isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
        for statement in statements
    ), "the parameters cell may only assign literals (papermill's rule)"
    assert "profile_name" in tagged[0].source


def test_opens_with_what_the_reader_will_learn_and_ends_with_summary_exercises_and_questionnaire(notebook):
    first, last = notebook.cells[0], notebook.cells[-1]
    assert first.cell_type == "markdown" and "you will learn" in first.source.lower()
    assert last.cell_type == "markdown"
    closing = last.source.lower()
    assert "summary" in closing and "exercises" in closing and "questionnaire" in closing
    assert closing.index("summary") < closing.index("exercises") < closing.index("questionnaire")


def test_says_once_near_the_top_what_the_smoke_profile_shows(notebook):
    """Under smoke, models are tiny and barely trained: grey samples are expected, and the reader is told so
    before the first figure, not left to think the notebook is broken."""
    opening = " ".join(cell.source for cell in notebook.cells[:4] if cell.cell_type == "markdown").lower()
    assert "smoke" in opening and "grey" in opening


def test_acgan_lib_is_imported_before_tensorflow(notebook):
    """Importing acgan_lib first silences TensorFlow's C++ start-up lines (acgan_lib/_quiet_tensorflow.py);
    a notebook that imports TensorFlow or Keras first shows them in JupyterLab."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                top = name.split(".")[0]
                if top == "acgan_lib":
                    return
                assert top not in ("tensorflow", "keras"), f"{name} is imported before acgan_lib"
