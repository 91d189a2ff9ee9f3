"""Scratch notebooks for the tests of the runner and of sweeps."""

import nbformat


def write_notebook(path, *sources, parameters='profile_name = "quick"'):
    """A notebook with a tagged parameters cell followed by the given code cells; returns its path."""
    notebook = nbformat.v4.new_notebook()
    parameters_cell = nbformat.v4.new_code_cell(parameters)
    parameters_cell.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters_cell, *[nbformat.v4.new_code_cell(source) for source in sources]]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path
