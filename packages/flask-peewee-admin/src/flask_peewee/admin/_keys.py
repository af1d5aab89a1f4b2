"""Primary keys sent by a browser (URLs, ``id`` checkboxes, form fields), converted before any query.

A value the key column cannot hold (``abc`` for an integer key, an integer past 64 bits, a
malformed UUID) matches no row instead of reaching the database driver, which would raise.
The conversion is utils' :func:`~flask_peewee.utils.internal.parse_key`, the same the REST API uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import peewee
from wtforms.validators import ValidationError

from flask_peewee.admin._i18n import gettext
from flask_peewee.utils import ConversionError
from flask_peewee.utils.internal import parse_key

if TYPE_CHECKING:
    # The mixin's hosts are wtf-peewee's query fields (untyped): the type checker sees one as its base.
    from wtfpeewee.fields import SelectQueryField as _QueryFieldHost
else:
    _QueryFieldHost = object

__all__ = ["KeyedQueryFieldMixin", "parse_keys"]


def parse_keys(model: type[peewee.Model], raws: Iterable[Any]) -> list[Any]:
    """The values of ``raws`` that can be keys of ``model``, converted; the others are left out."""
    keys = []
    for raw in raws:
        try:
            keys.append(parse_key(model, raw))
        except ConversionError:
            continue
    return keys


class KeyedQueryFieldMixin(_QueryFieldHost):
    """For wtf-peewee's query fields: a submitted key is converted before it is looked up."""

    model: type[peewee.Model]

    def get_model(self, pk: Any) -> peewee.Model | None:
        try:
            pk = parse_key(self.model, pk)
        except ConversionError:
            return None
        return super().get_model(pk)

    def pre_validate(self, form: Any) -> None:
        # A field filter may hand the submitted text back as the data: check it before it is queried.
        data = self.data
        if data is not None and not isinstance(data, self.model):
            try:
                parse_key(self.model, data)
            except ConversionError:
                raise ValidationError(gettext("Not a valid choice.")) from None
        super().pre_validate(form)
