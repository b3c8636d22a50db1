"""Results read from one Catalyst Center record: each field from the record's camelCase key.

A field of an `ApiRecord` is read from its validation alias: the camelCase of its name
unless it names another key (`validation_alias="platformId"`), or keys to try in turn
(`AliasChoices`: the first truthy value, as `first or second` reads). The field's type
reads the value leniently: an absent, null or malformed value reads as null (`Text`,
`Integer`, `Timestamp`), "" (`Key`) or False (`Flag`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, Self

from pydantic import AliasChoices, AliasGenerator, BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel
from pydantic.fields import FieldInfo

from .common import as_int, as_str, iso_time

__all__ = ["ApiRecord", "Flag", "Integer", "Key", "Text", "Timestamp"]


def _as_key(value: Any) -> str:
    return str(value or "")


Text = Annotated[str | None, BeforeValidator(as_str)]
"""A string, null when absent or empty."""
Integer = Annotated[int | None, BeforeValidator(as_int)]
"""An integer sent as a number or a numeric string, else null."""
Timestamp = Annotated[str | None, BeforeValidator(iso_time)]
"""Epoch milliseconds, shown as ISO 8601 UTC; null when absent."""
Key = Annotated[str, BeforeValidator(_as_key)]
"""An id or a name that is always there: "" when the record lacks it."""
Flag = Annotated[bool, BeforeValidator(bool)]
"""True when the record's value is truthy."""


def _keys(field: FieldInfo) -> tuple[str, ...]:
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return tuple(choice for choice in alias.choices if isinstance(choice, str))
    return (alias,) if isinstance(alias, str) else ()


@cache
def _plan(model: type[BaseModel]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each field of `model` with the record keys it is read from (worked out once a class)."""
    return tuple((name, _keys(field)) for name, field in model.model_fields.items())


def _value(raw: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    """The value of the field's key; of several, `first or second or ...` (None if none)."""
    if len(keys) == 1:
        return raw.get(keys[0])
    values = [raw.get(key) for key in keys]
    return next((value for value in values if value), values[-1] if values else None)


class ApiRecord(BaseModel):
    """A result made of one API record's keys, plus the fields `computed` from the record."""

    model_config = ConfigDict(
        alias_generator=AliasGenerator(validation_alias=to_camel), validate_by_name=True
    )

    @classmethod
    def computed(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The fields worked out from the record rather than read from one key (none here)."""
        return {}

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Self:
        """From an API record (a missing key reads as null, not as an error)."""
        computed = cls.computed(raw)
        read = {name: _value(raw, keys) for name, keys in _plan(cls) if name not in computed}
        return cls.model_validate({**read, **computed}, by_alias=False, by_name=True)
