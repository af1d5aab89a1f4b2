"""The translation helpers without Flask-Babel on the app: English text, English plurals, lazy text."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from markupsafe import escape

from flask_peewee.utils.internal import LazyText, TranslationDomain, babel_active, current_language, html_language

pytestmark = pytest.mark.backends("sqlite")


def test_english_text_and_plurals(app: Flask, tmp_path: Path) -> None:
    domain = TranslationDomain(str(tmp_path / "pkg" / "__init__.py"), "flask_peewee_test")
    assert domain.directories == [str((tmp_path / "pkg" / "translations").resolve())]
    with app.test_request_context():
        assert not babel_active()
        assert current_language() == "en"
        assert html_language() == "en"
        assert domain.gettext("Save") == "Save"
        assert domain.gettext("50%% off") == "50%% off"  # no variables: never %-formatted
        assert domain.gettext("Hello %(name)s", name="Ann") == "Hello Ann"
        assert domain.ngettext("%(num)d row", "%(num)d rows", 1) == "1 row"
        assert domain.ngettext("%(num)d row", "%(num)d rows", 0) == "0 rows"
        assert domain.pgettext("audit action", "add") == "add"
    assert domain.gettext("outside any app") == "outside any app"


def test_lazy_text_is_translated_when_shown(app: Flask, tmp_path: Path) -> None:
    domain = TranslationDomain(str(tmp_path / "__init__.py"), "flask_peewee_test")
    label = domain.lazy_gettext("<Name> %(n)s", n=1)
    assert isinstance(label, LazyText)
    with app.test_request_context():
        assert str(label) == "<Name> 1"
        assert str(escape(label)) == "&lt;Name&gt; 1"  # escaped like any text
        assert label == "<Name> 1"
        assert label + "!" == "<Name> 1!"
        assert len(label) == 8
        assert label.upper() == "<NAME> 1"
    assert repr(label) == "LazyText('<Name> %(n)s')"
