"""The form field macro ties labels, hints and errors to their input (WCAG 1.3.1, 3.3.1)."""

from __future__ import annotations

from flask import Flask, render_template_string

TEMPLATE = """{% from "macros/forms.html" import field %}{{ field("severity", "Ernst", type="number",
value="9", errors={"severity": ["must be at most 4"]}, hint="1 tot en met 4", required=True) }}"""


def test_a_field_with_an_error_and_a_hint(app: Flask) -> None:
    with app.test_request_context("/"):
        html = render_template_string(TEMPLATE)
    assert '<label for="severity">Ernst</label>' in html
    assert '<p class="hint" id="severity-hint">1 tot en met 4</p>' in html
    assert '<p class="field-error" id="severity-error">must be at most 4</p>' in html
    assert 'aria-describedby="severity-hint severity-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="9"' in html


def test_a_field_without_problems_claims_none(app: Flask) -> None:
    with app.test_request_context("/"):
        html = render_template_string('{% from "macros/forms.html" import field %}{{ field("title", "Titel") }}')
    assert "aria-invalid" not in html
    assert "aria-describedby" not in html
