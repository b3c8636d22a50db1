"""A tool's input schema as an HTML form, and the submitted form back as validated arguments.

Each top-level property becomes one labelled field: text (with pattern and length), number,
checkbox, a select for enums, one-per-line text for string lists, and JSON text for anything
richer. The browser checks what HTML can express; the server checks the arguments against
the whole JSON Schema (jsonschema) and reports each problem next to its field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, best_match

__all__ = ["Field", "FormErrors", "fields_of", "parse_form"]

_MAX_REF_DEPTH = 20


@dataclass(frozen=True, slots=True)
class Field:
    """One form field for one tool argument."""

    name: str
    kind: str  # text | number | integer | checkbox | select | lines | json
    label: str
    description: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    default: Any = None
    nullable: bool = False

    @property
    def input_id(self) -> str:
        """The HTML id of the field's control."""
        return f"arg-{self.name}"

    def shown(self, value: Any) -> str:
        """A value as the control shows it."""
        if value is None:
            return ""
        if self.kind == "lines" and isinstance(value, list):
            return "\n".join(str(v) for v in value)
        if self.kind == "json":
            return value if isinstance(value, str) else json.dumps(value, indent=2)
        return str(value)


@dataclass(slots=True)
class FormErrors(Exception):
    """The submission did not validate: messages by field name ("" for the whole form)."""

    messages: dict[str, list[str]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        """One more problem with one field."""
        self.messages.setdefault(name, []).append(message)


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    """Follow local $refs (#/$defs/X) so the field sees the real schema."""
    current: Mapping[str, Any] = schema
    for _ in range(_MAX_REF_DEPTH):
        ref = current.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            break
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part) if isinstance(target, Mapping) else None
        if not isinstance(target, Mapping):
            break
        merged = {k: v for k, v in current.items() if k != "$ref"}
        current = {**target, **merged}
    return dict(current)


def _unwrap_optional(
    schema: dict[str, Any], root: Mapping[str, Any]
) -> tuple[dict[str, Any], bool]:
    """`X | None` (anyOf with null) -> (X, nullable)."""
    options = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(options, list):
        real = [_resolve(o, root) for o in options if o.get("type") != "null"]
        if len(real) == 1 and len(real) < len(options):
            inner = {**real[0], **{k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}}
            return inner, True
    kind = schema.get("type")
    if isinstance(kind, list) and "null" in kind:
        others = [k for k in kind if k != "null"]
        if len(others) == 1:
            return {**schema, "type": others[0]}, True
    return schema, False


def _label(name: str, schema: Mapping[str, Any]) -> str:
    title = schema.get("title")
    if isinstance(title, str) and title and title.replace(" ", "_").lower() != name.lower():
        return title
    return name.replace("_", " ").capitalize()


def _field(name: str, raw: Mapping[str, Any], required: bool, root: Mapping[str, Any]) -> Field:
    schema, nullable = _unwrap_optional(_resolve(raw, root), root)
    kind = schema.get("type")
    enum = schema.get("enum")
    common: dict[str, Any] = {
        "name": name,
        "label": _label(name, schema),
        "description": str(schema.get("description") or ""),
        "required": required,
        "default": schema.get("default"),
        "nullable": nullable,
    }
    if isinstance(enum, list) and enum and all(isinstance(e, str) for e in enum):
        return Field(kind="select", choices=tuple(enum), **common)
    if "const" in schema and isinstance(schema["const"], str):
        return Field(kind="select", choices=(schema["const"],), **common)
    if kind == "string":
        return Field(
            kind="text",
            pattern=schema.get("pattern"),
            min_length=schema.get("minLength"),
            max_length=schema.get("maxLength"),
            **common,
        )
    if kind in ("integer", "number"):
        return Field(
            kind=str(kind),
            minimum=schema.get("minimum", schema.get("exclusiveMinimum")),
            maximum=schema.get("maximum", schema.get("exclusiveMaximum")),
            **common,
        )
    if kind == "boolean":
        return Field(kind="checkbox", **common)
    if kind == "array":
        items = _resolve(schema.get("items") or {}, root)
        if items.get("type") == "string" and not items.get("enum"):
            return Field(
                kind="lines",
                pattern=items.get("pattern"),
                min_length=schema.get("minItems"),
                max_length=schema.get("maxItems"),
                **common,
            )
    return Field(kind="json", **common)


def fields_of(schema: Mapping[str, Any]) -> list[Field]:
    """The form fields of a tool's input schema, required ones first."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return []
    required = set(schema.get("required") or ())
    built = [
        _field(name, prop if isinstance(prop, Mapping) else {}, name in required, schema)
        for name, prop in properties.items()
    ]
    return sorted(built, key=lambda f: not f.required)


def _convert(fld: Field, raw: str, errors: FormErrors) -> Any:
    text = raw.strip()
    if fld.kind in ("integer", "number"):
        try:
            number = float(text)
        except ValueError:
            errors.add(fld.name, "must be a number")
            return raw
        if fld.kind == "integer":
            if not number.is_integer():
                errors.add(fld.name, "must be a whole number")
                return raw
            return int(number)
        return number
    if fld.kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if fld.kind == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            errors.add(fld.name, f"is not valid JSON ({exc.msg} at line {exc.lineno})")
            return raw
    return raw if fld.kind == "text" else text


def parse_form(schema: Mapping[str, Any], form: Mapping[str, str]) -> dict[str, Any]:
    """Arguments from a submitted form, validated against the schema; FormErrors if not."""
    errors = FormErrors()
    arguments: dict[str, Any] = {}
    for fld in fields_of(schema):
        key = f"arg.{fld.name}"
        if fld.kind == "checkbox":
            if form.get(key) is not None or fld.required:
                arguments[fld.name] = form.get(key) is not None
            errors.values[fld.name] = form.get(key) is not None
            continue
        raw = form.get(key, "")
        errors.values[fld.name] = raw
        if raw.strip() == "":
            if fld.required:
                errors.add(fld.name, "is required")
            continue  # left empty: the tool's default applies
        value = _convert(fld, raw, errors)
        if fld.name not in errors.messages:
            arguments[fld.name] = value
    if not errors.messages:
        try:
            validator = Draft202012Validator(dict(schema))
            problems = sorted(validator.iter_errors(arguments), key=lambda e: list(e.path))
        except SchemaError:
            problems = []  # a schema we cannot read: the server still validates
        for problem in problems:
            name = str(problem.path[0]) if problem.path else ""
            if not name and problem.validator == "required":
                missing = problem.message.split("'")[1] if "'" in problem.message else ""
                errors.add(missing, "is required")
                continue
            if problem.validator in ("anyOf", "oneOf") and problem.context:
                # `X | None`: the reason is the one of the non-null alternative.
                real = [c for c in problem.context if c.validator_value != "null"]
                problem = best_match(real or problem.context) or problem
            errors.add(name, _message(problem.validator, problem.message))
    if errors.messages:
        raise errors
    return arguments


def _message(validator: Any, message: str) -> str:
    if validator == "pattern":
        return "does not have the expected format"
    if validator == "enum":
        return "is not one of the allowed values"
    return message[:300]
