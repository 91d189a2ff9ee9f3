"""The README's glossary (issue 12): every term names the notebooks that teach it, and each of them uses it,
so the list cannot drift from the course as notebooks change."""

import re

import nbformat

from acgan_lib.notebook_runner import numbered_notebooks
from acgan_lib.paths import PROJECT_ROOT

ENTRY = re.compile(r"\*\*([^*]+)\*\* \((\d\d(?:, \d\d)*)\)")


def glossary_entries() -> list[tuple[str, list[str]]]:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("\n## Glossary\n", 1)[1].split("\n## ", 1)[0]
    return [(term, numbers.split(", ")) for term, numbers in ENTRY.findall(section)]


def test_the_glossary_lists_terms_each_with_the_notebooks_that_teach_it():
    entries = glossary_entries()
    assert len(entries) >= 20
    terms = [term.lower() for term, _ in entries]
    assert len(set(terms)) == len(terms), "a term is listed twice"


def test_every_notebook_a_term_names_uses_that_term():
    texts = {path.name[:2]: " ".join(cell.source for cell in nbformat.read(path, as_version=4).cells).lower()
             for path in numbered_notebooks()}
    missing = [f"{term} ({number})" for term, numbers in glossary_entries() for number in numbers
               if term.lower() not in texts.get(number, "")]
    assert missing == []
