"""Every refusal code has words in every language, and no refusal is raised as a bare English sentence.

The catalogue is keyed by code (msgctxt) and English template (msgid): rewording a template or adding a
code without a Dutch entry fails here, not silently on a Dutch page.
"""

from __future__ import annotations

import ast
import pickle
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from protocol.errors import InvalidEvidence, ProtocolError
from protocol.messages import REQUIRED, STEP_REQUIRES, TOO_LONG, Template, Text
from web.messages import TEMPLATES, as_dict, render

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "web" / "translations")
    app.config["BABEL_DEFAULT_LOCALE"] = "nl"
    Babel(app)
    with app.test_request_context("/"):
        yield app


def sample(template: Template) -> Text:
    return template(**{name: f"<{name}>" for name in PLACEHOLDER.findall(template.english)})


def test_codes_and_sentences_are_unique() -> None:
    codes = [t.code for t in TEMPLATES]
    assert len(codes) == len(set(codes)), [c for c in codes if codes.count(c) > 1]
    sentences = [t.english for t in TEMPLATES]  # one msgid per sentence keeps the .po free of look-alike entries
    assert len(sentences) == len(set(sentences)), [s for s in sentences if sentences.count(s) > 1]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.code)
def test_every_code_has_dutch_that_formats(app: Flask, template: Template) -> None:
    text = sample(template)
    english = str(text)
    assert "%(" not in english  # every parameter was filled in
    dutch = render(text, language="nl")
    assert dutch != english, f"{template.code} has no Dutch translation"
    assert "%(" not in dutch
    assert render(text, language="en") == english  # English needs no catalogue entry


def test_parameters_are_rendered_in_the_same_language(app: Flask) -> None:
    from notifications.messages import FILE_REFUSED, FILE_UTF16

    nested = FILE_REFUSED(reason=FILE_UTF16())
    assert nested == "the file was refused: the file is UTF-16; save it as CSV UTF-8 or as CSV (Windows)"
    assert render(nested, language="nl") == (
        "Het bestand is geweigerd: Het bestand is UTF-16. Sla het op als CSV UTF-8 of als CSV (Windows)."
    )
    assert nested.as_dict() == {
        "code": "persons-file.refused",
        "params": {"reason": {"code": "persons-file.utf16", "params": {}}},
    }


def test_a_text_is_its_english_sentence_and_remembers_its_code(app: Flask) -> None:
    text = STEP_REQUIRES(step="notify", blockers="assess, suspend")
    assert text == "step notify requires assess, suspend to be completed or waived first"
    assert isinstance(text, str)
    assert as_dict(text) == {"code": "step.requires", "params": {"step": "notify", "blockers": "assess, suspend"}}
    assert as_dict("a plain sentence") is None
    assert render("a plain sentence", language="nl") == "a plain sentence"  # a definition's own reason
    again = pickle.loads(pickle.dumps(text))
    assert isinstance(again, Text)
    assert (again, again.code) == (text, text.code)
    with force_locale("nl"):
        assert render(text) == "Stap notify kan pas als assess, suspend is afgerond of overgeslagen."


def test_render_words_the_parameters(app: Flask) -> None:
    titles = {"notify": "Melden", "assess": "Beoordelen"}
    words = lambda name, value: titles.get(value, value) if name == "step" else value  # noqa: E731
    assert render(STEP_REQUIRES(step="notify", blockers="assess"), language="nl", words=words) == (
        "Stap Melden kan pas als assess is afgerond of overgeslagen."
    )


def test_field_errors_keep_their_codes_through_the_error() -> None:
    error = InvalidEvidence("x", errors={"name": [REQUIRED()], "title": [TOO_LONG(limit=5)]})
    assert error.errors == {"name": ["required"], "title": ["at most 5 characters"]}
    assert [as_dict(m) for m in error.errors["title"]] == [{"code": "field.too-long", "params": {"limit": 5}}]


def _refusal_classes() -> set[str]:
    import notifications.errors
    import protocol.errors
    import protocol.permissions

    names = set()
    for module in (protocol.errors, protocol.permissions, notifications.errors):
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, ProtocolError):
                names.add(name)
    return names


def _sentence_raises() -> Iterator[str]:
    refusals = _refusal_classes()
    for package in ("protocol", "notifications", "web", "cli", "workers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
                    continue
                func = node.exc.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in refusals and node.exc.args and isinstance(node.exc.args[0], ast.Constant | ast.JoinedStr):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}"


def test_no_refusal_is_raised_as_a_bare_sentence() -> None:
    """A refusal carries a code: `raise NotFound("no such thing")` would reach a Dutch page in English."""
    assert list(_sentence_raises()) == []


def test_templates_are_declared_only_in_the_message_modules() -> None:
    """The catalogue test walks TEMPLATES: a Template made elsewhere would escape it."""
    allowed = {ROOT / "protocol" / "messages.py", ROOT / "notifications" / "messages.py"}
    allowed.add(ROOT / "notifications" / "model.py")  # its own refusal, re-exported by notifications.messages
    found = []
    for package in ("protocol", "notifications", "web", "cli", "workers"):
        for path in (ROOT / package).rglob("*.py"):
            if path not in allowed and re.search(r"\bTemplate\(\s*\"", path.read_text(encoding="utf-8")):
                found.append(str(path.relative_to(ROOT)))
    assert found == []
