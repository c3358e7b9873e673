#!/usr/bin/env python3
"""Validate CDEvents against the official CDEvents v0.5.1 JSON schemas.

Usage:
    hack/validate-cdevents.py [FILE ...]     # each FILE holds a JSON array of CDEvents (or one CDEvent)
    ... | hack/validate-cdevents.py          # a JSON array of CDEvents on stdin

The schemas are read from $PACER_SHARED_DIR/specs/cdevents/0.5.1 (default: <repo>/../shared). Every schema
(schemas/*.json, schemas/links/*.json, custom/schema.json) is registered under its `$id`, because the `$ref`s
(`links/embeddedlinksarray`, ...) resolve against `$id`, not the file path. Validation uses JSON Schema
Draft 2020-12 with format assertion on (`date-time`, `uri`, `uri-reference`).

The schema is chosen by `context.type`: dev.cdevents.<subject>.<predicate>.<version> -> schemas/<subject><predicate>.json
(the schema's `type` enum then checks the version); dev.cdeventsx.* -> custom/schema.json.

Output: one line per invalid event (`event[i] <type>: <path>: <message>`); exit 1 if any event is invalid,
else prints "N valid" and exits 0. Exit 2 for usage problems (unreadable input, missing schemas).

Needs: jsonschema >= 4.18 and referencing; rfc3339-validator for date-time. `uri`/`uri-reference` are checked
by rfc3987 when installed, else by the RFC 3986 grammar below (the same rules as Pacer's Swift validator).
"""

import json
import os
import re
import sys
from pathlib import Path

try:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError as exc:  # pragma: no cover - environment problem
    print(f"validate-cdevents: needs the Python packages jsonschema and referencing ({exc})", file=sys.stderr)
    sys.exit(2)

SPEC_VERSION = "0.5.1"

# RFC 3986 (ASCII) grammar, used when rfc3987 is not installed.
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_SEGMENT = rf"{_PCHAR}*"
_SEGMENT_NZ = rf"{_PCHAR}+"
_SEGMENT_NZ_NC = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}@]|{_PCT})+"
_SCHEME = r"[A-Za-z][A-Za-z0-9+\-.]*"
_USERINFO = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_IP_LITERAL = rf"\[[0-9A-Fa-f:.v{_UNRESERVED}{_SUB_DELIMS}]+\]"
_REG_NAME = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*"
_AUTHORITY = rf"(?:{_USERINFO}@)?(?:{_IP_LITERAL}|{_REG_NAME})(?::[0-9]*)?"
_PATH_ABEMPTY = rf"(?:/{_SEGMENT})*"
_PATH_ABSOLUTE = rf"/(?:{_SEGMENT_NZ}(?:/{_SEGMENT})*)?"
_PATH_ROOTLESS = rf"{_SEGMENT_NZ}(?:/{_SEGMENT})*"
_PATH_NOSCHEME = rf"{_SEGMENT_NZ_NC}(?:/{_SEGMENT})*"
_QUERY = rf"(?:{_PCHAR}|[/?])*"
_HIER_PART = rf"(?://{_AUTHORITY}{_PATH_ABEMPTY}|{_PATH_ABSOLUTE}|{_PATH_ROOTLESS}|)"
_RELATIVE_PART = rf"(?://{_AUTHORITY}{_PATH_ABEMPTY}|{_PATH_ABSOLUTE}|{_PATH_NOSCHEME}|)"
URI_RE = re.compile(rf"{_SCHEME}:{_HIER_PART}(?:\?{_QUERY})?(?:#{_QUERY})?")
RELATIVE_REF_RE = re.compile(rf"{_RELATIVE_PART}(?:\?{_QUERY})?(?:#{_QUERY})?")


def is_uri(value):
    return not isinstance(value, str) or URI_RE.fullmatch(value) is not None


def is_uri_reference(value):
    if not isinstance(value, str):
        return True
    return URI_RE.fullmatch(value) is not None or RELATIVE_REF_RE.fullmatch(value) is not None


def format_checker():
    checker = jsonschema.FormatChecker(formats=())
    base = jsonschema.Draft202012Validator.FORMAT_CHECKER
    for name, (func, raises) in base.checkers.items():
        checker.checkers[name] = (func, raises)
    if "date-time" not in checker.checkers:
        print("validate-cdevents: rfc3339-validator is not installed: date-time cannot be checked", file=sys.stderr)
        sys.exit(2)
    if "uri" not in checker.checkers:
        checker.checks("uri")(is_uri)
    if "uri-reference" not in checker.checkers:
        checker.checks("uri-reference")(is_uri_reference)
    return checker


def shared_dir():
    env = os.environ.get("PACER_SHARED_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared"


def load_schemas(spec_dir):
    files = sorted((spec_dir / "schemas").glob("*.json")) + sorted((spec_dir / "schemas" / "links").glob("*.json"))
    files.append(spec_dir / "custom" / "schema.json")
    by_type = {}
    resources = []
    for path in files:
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012)))
        if path.parent.name == "schemas":
            by_type[path.stem] = schema
    custom = json.loads((spec_dir / "custom" / "schema.json").read_text())
    return Registry().with_resources(resources), by_type, custom


def schema_for(event, by_type, custom):
    """The schema for an event, or an error text when its type names none."""
    ctype = event.get("context", {}).get("type") if isinstance(event.get("context"), dict) else None
    if not isinstance(ctype, str):
        return None, "context.type: missing or not a string, cannot choose a schema"
    if ctype.startswith("dev.cdeventsx."):
        return custom, None
    parts = ctype.split(".")
    if len(parts) != 7 or parts[:2] != ["dev", "cdevents"]:
        return None, f"context.type: {ctype!r} is not dev.cdevents.<subject>.<predicate>.<M.m.p>"
    schema = by_type.get(parts[2] + parts[3])
    if schema is None:
        return None, f"context.type: no CDEvents {SPEC_VERSION} schema for {parts[2]}.{parts[3]}"
    return schema, None


def error_path(error):
    parts = []
    for item in error.absolute_path:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    path = "".join(parts)
    if error.validator == "required":
        # "'artifactId' is a required property": point at the missing member itself.
        match = re.match(r"'([^']+)' is a required property", error.message)
        if match:
            path = (path + "." if path else "") + match.group(1)
    return path or "(event)"


def read_events(args):
    sources = [(name, Path(name).read_text()) for name in args] if args else [("stdin", sys.stdin.read())]
    events = []
    for name, text in sources:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            print(f"validate-cdevents: {name}: not JSON: {exc}", file=sys.stderr)
            sys.exit(2)
        events.extend(data if isinstance(data, list) else [data])
    return events


def main(argv):
    spec_dir = shared_dir() / "specs" / "cdevents" / SPEC_VERSION
    if not (spec_dir / "schemas").is_dir():
        print(f"validate-cdevents: no CDEvents schemas at {spec_dir} (set PACER_SHARED_DIR)", file=sys.stderr)
        return 2
    registry, by_type, custom = load_schemas(spec_dir)
    checker = format_checker()
    try:
        events = read_events(argv[1:])
    except OSError as exc:
        print(f"validate-cdevents: {exc}", file=sys.stderr)
        return 2
    invalid = 0
    for index, event in enumerate(events):
        label = f"event[{index}]"
        if not isinstance(event, dict):
            print(f"{label}: (event): not a JSON object")
            invalid += 1
            continue
        label += f" {event.get('context', {}).get('type', '?') if isinstance(event.get('context'), dict) else '?'}"
        schema, problem = schema_for(event, by_type, custom)
        if problem:
            print(f"{label}: {problem}")
            invalid += 1
            continue
        validator = jsonschema.Draft202012Validator(schema, registry=registry, format_checker=checker)
        errors = sorted(validator.iter_errors(event), key=lambda e: (list(map(str, e.absolute_path)), e.message))
        if errors:
            invalid += 1
            more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
            print(f"{label}: {error_path(errors[0])}: {errors[0].message}{more}")
    if invalid:
        print(f"{invalid} of {len(events)} invalid", file=sys.stderr)
        return 1
    print(f"{len(events)} valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
