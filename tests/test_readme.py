"""The README's headline numbers are the stored notebooks' computed values, not typed-in copies.

Each number in the README's "The notebooks" section is followed by ``<!-- key/path -->``, the path of
the value a notebook recorded (``helpers.report``). The number must equal that value rounded to the
digits shown, give or take the value's tolerance in ``tests/tolerances.yaml`` (so that a re-stored
notebook from another machine does not make the README wrong).
"""

import re

import pytest
from recorded_values import ROOT, flatten, load_tolerances, rule_for, stored_records

TAGGED = re.compile(r"(\d[\d,]*(?:\.\d+)?)(%?)<!-- ([^>]+?) -->")


def notebooks_section() -> str:
    text = (ROOT / "README.md").read_text()
    return text[text.index("## The notebooks"):text.index("## Changing things")]


@pytest.fixture(scope="module")
def stored() -> dict:
    values = {}
    for notebook in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        for key, record in stored_records(notebook).items():
            values.update(flatten(record, key))
    return values


def test_the_readme_quotes_recorded_values():
    assert len(TAGGED.findall(notebooks_section())) >= 10


@pytest.mark.parametrize("shown, percent, path", TAGGED.findall(notebooks_section()))
def test_each_quoted_number_matches_its_recorded_value(shown, percent, path, stored):
    assert path in stored, f"README quotes {path}, which no stored notebook records"
    value = stored[path] * (100 if percent else 1)
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    rule = rule_for(path, load_tolerances())
    allowed = 0.5 * 10**-decimals + max(rule.abs, rule.rel * abs(value)) * (100 if percent else 1)
    assert abs(float(shown.replace(",", "")) - value) <= allowed + 1e-12, (
        f"README says {shown}{percent} for {path}; the notebook computed {value}")


def test_no_untagged_decimal_in_the_notebooks_section():
    """A decimal number without a tag is typed by hand; the original study's figures are quoted as such."""
    untagged = re.sub(TAGGED, "", notebooks_section())
    allowed = {"0.322", "0.256", "0.849", "0.847"}  # the original study's published figures
    found = set(re.findall(r"(?<![\w.])\d+\.\d+", untagged)) - allowed
    assert not found, f"untagged numbers in the README: {sorted(found)}"
