#!/usr/bin/env python3
"""Generates the typed OCPP 1.6 messages of the profiles beyond Core and Remote Trigger
(Sources/OCPP/V16/*Profile.swift, SecurityExtension.swift)
from the official OCPP 1.6 JSON schemas.

The schemas are the ones the OCA publishes with OCPP 1.6 (edition 2) and with the
"Improved security for OCPP 1.6-J" whitepaper; the Python `ocpp` package we install for the
interop tests ships both sets in `ocpp/v16/schemas` (`X.json` is the request, `XResponse.json`
the response). They are read at generation time and not copied into the repository; the
generated Swift is committed. Core and Remote Trigger stay hand-written (Core.swift,
CoreCommands.swift, RemoteTrigger.swift, DataTypes.swift, Enums.swift);
Tests/OCPPTests/V16SchemaConformanceTests.swift compares every 1.6 type, hand-written or
generated, with its schema file.

Usage (from the repository root):

    python3 Scripts/generate_v16.py                  # (re)writes the generated Sources/OCPP/V16 files
    python3 Scripts/generate_v16.py --check          # exit 1 if the committed files differ
    python3 Scripts/generate_v16.py --schemas DIR    # read the schemas from DIR instead
    python3 Scripts/generate_v16.py --print-schemas  # print the schema folder (for the tests)

Exit status as Scripts/generate_v201.py: 0 done / up to date, 1 files out of date (--check),
2 bad schemas or a naming clash, 3 no schemas found.

What comes out is in the style of the hand-written 1.6 files: every action as
`public enum X: OCPPAction` in `extension V16` with `name`, `version = .v16`, `initiator`
and nested `Request` / `Response` structs (`OCPPPayload`, fields in schema order, optionals
defaulting to nil, a `static let schema` in the Schema DSL); enumerations as `String` enums
whose cases are spelled as the wire values (`.Accepted`).

Names: the 1.6 schemas declare their objects and enumerations inline and unnamed. An inline
node equal to one the hand-written files already type (EXISTING, located in a Core schema)
becomes that type (`idTagInfo` -> `IdTagInfo`, `csChargingProfiles` -> `ChargingProfile`);
any other one is named by INLINE_NAMES, after the 1.6 spec's own type names (`UpdateType`,
`AuthorizationData`, `ReservationStatus` ...). The whitepaper's schemas name theirs in
`definitions`; those keep that name less its `Type` suffix, as the 2.0.1 generator does
(`CertificateHashDataType` -> `CertificateHashData`, `LogEnumType` -> `LogEnum`), unless
they equal an EXISTING type (`TriggerMessageStatusEnumType` -> `TriggerMessageStatus`).

Mapping of JSON Schema to Swift and `Schema` (as in generate_v201.py, plus):
  string, format uri      String      .string()     (1.6's anyURI; not checked beyond being a string)
  integer                 Int         .integer()    (1.6 schemas bound no integer; neither do we)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_v201 import (  # noqa: E402 (the shared half of the generator)
    LINE,
    ROOT,
    SWIFT_KEYWORDS,
    Field,
    GenerationError,
    action_block,
    locate_schemas,
    ref_name,
    scalar_schema_expr,
    scalar_swift_type,
    strip_descriptions,
    struct_body,
    summary_lines,
    swift_case,
    sync_files,
)

OUT_DIR = ROOT / "Sources" / "OCPP" / "V16"
SCRIPT = "generate_v16"

CP = "chargePoint"
CS = "centralSystem"

# Generated files: file name, the comment that opens it, and its actions with their
# sender and a one-line summary for the doc comment (the spec's behaviour, in short).
PROFILES = {
    "LocalAuthListManagementProfile.swift": ("Local Auth List Management profile.", {
        "GetLocalListVersion": (CS, "Asks for the version number of the pile's local authorization list (0: empty, -1: not supported)."),
        "SendLocalList": (CS, "Replaces (Full) or updates (Differential) the pile's local authorization list; an entry without idTagInfo is removed by a Differential update."),
    }),
    "ReservationProfile.swift": ("Reservation profile.", {
        "CancelReservation": (CS, "Cancels a reservation by id."),
        "ReserveNow": (CS, "Reserves a connector (0: any connector of the pile) for an id tag until `expiryDate`; a new reservation with the same id replaces the old one."),
    }),
    "SmartChargingProfile.swift": ("Smart Charging profile.", {
        "ClearChargingProfile": (CS, "Removes charging profiles: by id, or by connector, purpose and stack level (all that match); no field clears every profile."),
        "GetCompositeSchedule": (CS, "Asks for the schedule all profiles on a connector (0: the grid connection) add up to over `duration` seconds."),
        "SetChargingProfile": (CS, "Installs a charging profile on a connector (0: the whole pile, for ChargePointMaxProfile or TxDefaultProfile)."),
    }),
    "FirmwareManagementProfile.swift": ("Firmware Management profile.", {
        "DiagnosticsStatusNotification": (CP, "Progress of a diagnostics upload asked for with GetDiagnostics."),
        "FirmwareStatusNotification": (CP, "Progress of a firmware update asked for with UpdateFirmware."),
        "GetDiagnostics": (CS, "Asks the pile to upload a diagnostics file to `location`; the reply names the file, if there is one."),
        "UpdateFirmware": (CS, "Asks the pile to download firmware from `location` after `retrieveDate` and install it."),
    }),
    "SecurityExtension.swift": ("Improved security for OCPP 1.6-J (the OCA whitepaper's messages, same schemas as its JSON files).", {
        "CertificateSigned": (CS, "Delivers the certificate chain the central system had signed after a SignCertificate request."),
        "DeleteCertificate": (CS, "Removes an installed root certificate, named by its hash data."),
        "ExtendedTriggerMessage": (CS, "TriggerMessage with the security extension's messages (LogStatusNotification, SignChargePointCertificate)."),
        "GetInstalledCertificateIds": (CS, "Asks for the hash data of the installed root certificates of one kind."),
        "GetLog": (CS, "Asks the pile to upload its diagnostics or security log to a URL (the secure GetDiagnostics)."),
        "InstallCertificate": (CS, "Installs a root certificate (central system or manufacturer) on the pile."),
        "LogStatusNotification": (CP, "Progress of a log upload asked for with GetLog, tied to it by `requestId`."),
        "SecurityEventNotification": (CP, "Reports a security event; `type` is one of the whitepaper's security event names, free text on the wire."),
        "SignCertificate": (CP, "Sends a certificate signing request (CSR, PEM) for the pile's own client certificate."),
        "SignedFirmwareStatusNotification": (CP, "Progress of a signed firmware update, tied to it by `requestId`."),
        "SignedUpdateFirmware": (CS, "Asks the pile to download, verify (signature, signing certificate) and install firmware."),
    }),
}

# Types the hand-written 1.6 files already have, with where their node is in a Core schema
# (file, path of property names). A node of a new schema equal to one of these is that type.
EXISTING = {
    "IdTagInfo": ("AuthorizeResponse.json", ["idTagInfo"]),
    "AuthorizationStatus": ("AuthorizeResponse.json", ["idTagInfo", "status"]),
    "ChargingProfile": ("RemoteStartTransaction.json", ["chargingProfile"]),
    "ChargingSchedule": ("RemoteStartTransaction.json", ["chargingProfile", "chargingSchedule"]),
    "ChargingProfilePurposeType": ("RemoteStartTransaction.json", ["chargingProfile", "chargingProfilePurpose"]),
    "ChargingRateUnitType": ("RemoteStartTransaction.json", ["chargingProfile", "chargingSchedule", "chargingRateUnit"]),
    "TriggerMessageStatus": ("TriggerMessageResponse.json", ["status"]),
}

# Names of the inline objects and enumerations of the new 1.6 schemas, keyed by
# "Action.Request|Response.property[.property ...]" (an array's items go by the array's name).
INLINE_NAMES = {
    "SendLocalList.Request.localAuthorizationList": "AuthorizationData",
    "SendLocalList.Request.updateType": "UpdateType",
    "SendLocalList.Response.status": "UpdateStatus",
    "ReserveNow.Response.status": "ReservationStatus",
    "CancelReservation.Response.status": "CancelReservationStatus",
    "SetChargingProfile.Response.status": "ChargingProfileStatus",
    "ClearChargingProfile.Response.status": "ClearChargingProfileStatus",
    "GetCompositeSchedule.Response.status": "GetCompositeScheduleStatus",
    "FirmwareStatusNotification.Request.status": "FirmwareStatus",
    "DiagnosticsStatusNotification.Request.status": "DiagnosticsStatus",
}

# One-line doc comments for generated types and fields, where the name alone does not say it.
DOCS = {
    "AuthorizationData": "One entry of a local authorization list; without `idTagInfo` (in a Differential update) it removes the tag.",
    "LogParameters": "Where to upload a log, and which time span of it.",
    "Firmware": "A signed firmware image: where to get it, when to install it, and how to verify it.",
    "CertificateHashData": "Names a certificate by hashes of its issuer's name and key and by its serial number.",
    "SendLocalList.Request.listVersion": "The list's version after this update.",
    "GetCompositeSchedule.Request.duration": "Length of the requested schedule, in seconds.",
    "GetDiagnostics.Request.location": "Where to upload the diagnostics file (a URI; the schema's `format: uri` is checked as a string only).",
    "GetDiagnostics.Response.fileName": "The file the pile will upload; absent when it has none.",
    "UpdateFirmware.Request.location": "Where to download the firmware (a URI; the schema's `format: uri` is checked as a string only).",
}


# MARK: Reading the schemas


def load(schema_dir: Path) -> dict[str, dict[str, dict]]:
    """The new actions' request and response schemas, each with its `$ref`s resolved."""
    messages = {}
    for _, (_, actions) in PROFILES.items():
        for action in actions:
            messages[action] = {}
            for kind, suffix in (("Request", ""), ("Response", "Response")):
                path = schema_dir / f"{action}{suffix}.json"
                if not path.exists():
                    print(f"{SCRIPT}: no {path.name} in {schema_dir}", file=sys.stderr)
                    sys.exit(3)
                schema = json.loads(path.read_text(encoding="utf-8"))
                messages[action][kind] = schema
    return messages


def node_at(schema: dict, path: list[str]) -> dict:
    node = schema
    for name in path:
        node = node["properties"][name]
        if node.get("type") == "array":
            node = node["items"]
    return node


def normalized(node: dict) -> dict:
    """A node compared for sameness: descriptions and `javaType` do not count."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("description", "javaType")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(strip_descriptions(node))


class Model:
    def __init__(self, schema_dir: Path, messages: dict[str, dict[str, dict]]):
        self.messages = messages
        self.existing = []  # (normalized node, Swift name)
        for name, (file, path) in EXISTING.items():
            schema = json.loads((schema_dir / file).read_text(encoding="utf-8"))
            self.existing.append((normalized(node_at(schema, path)), name))
        # Generated types: Swift name -> (kind "enum"/"struct", node, file, where).
        self.types: dict[str, tuple[str, dict, str, str]] = {}
        self.file_of_action = {a: f for f, (_, actions) in PROFILES.items() for a in actions}
        self.named_paths: set[str] = set()
        taken = hand_written_type_names()
        for action, kinds in messages.items():
            for kind, schema in kinds.items():
                self.collect(schema, schema, f"{action}.{kind}", self.file_of_action[action], top=True)
        clashes = sorted(set(self.types) & taken)
        if clashes:
            raise GenerationError(f"generated type names the hand-written files already use: {clashes}")
        unused = sorted(set(INLINE_NAMES) - self.named_paths)
        if unused:
            raise GenerationError(f"INLINE_NAMES entries no schema has: {unused}")

    def resolve(self, root: dict, node: dict) -> tuple[dict, str | None]:
        """The node a `$ref` points to, and the definition's name."""
        name = ref_name(node)
        if name is None:
            return node, None
        try:
            return root["definitions"][name], name
        except KeyError:
            raise GenerationError(f"unresolved $ref {node['$ref']}") from None

    def existing_name(self, node: dict) -> str | None:
        key = normalized(node)
        return next((name for known, name in self.existing if known == key), None)

    def type_name(self, root: dict, node: dict, where: str) -> str | None:
        """The Swift type of an object or enum node (None for a scalar)."""
        target, definition = self.resolve(root, node)
        if target.get("type") == "array":
            return None
        if target.get("type") != "object" and "enum" not in target:
            return None
        known = self.existing_name(target)
        if known:
            return known
        if definition:
            return re.sub(r"Type$", "", definition)
        if where in INLINE_NAMES:
            self.named_paths.add(where)
            return INLINE_NAMES[where]
        raise GenerationError(f"{where}: an inline type with no name (add it to INLINE_NAMES)")

    def collect(self, root: dict, node: dict, where: str, file: str, top: bool = False):
        if not top:
            name = self.type_name(root, node, where)
            if name is None or self.existing_name(self.resolve(root, node)[0]):
                return
            target = self.resolve(root, node)[0]
            kind = "enum" if "enum" in target else "struct"
            known = self.types.get(name)
            if known:
                if normalized(known[1]) != normalized(target):
                    raise GenerationError(f"{name} differs between {known[3]} and {where}")
                if known[2] != file:
                    raise GenerationError(f"{name} is used by {known[2]} and {file}; give it a common home")
                return
            self.types[name] = (kind, target, file, where)
            if kind == "enum":
                return
            node = target
        for prop_name, prop in node.get("properties", {}).items():
            prop_where = f"{where}.{prop_name}"
            target = self.resolve(root, prop)[0]
            if target.get("type") == "array":
                self.collect(root, target["items"], prop_where, file)
            else:
                self.collect(root, prop, prop_where, file)

    # Swift for one property.

    def swift_type(self, root: dict, prop: dict, where: str) -> str:
        name = self.type_name(root, prop, where)
        if name:
            return name
        return scalar_swift_type(self.resolve(root, prop)[0], where, lambda items: self.swift_type(root, items, where))

    def schema_expr(self, root: dict, prop: dict, where: str) -> str:
        target, _ = self.resolve(root, prop)
        name = self.type_name(root, prop, where)
        if name:
            return f".enumeration({name}.self)" if "enum" in target else f"{name}.schema"
        # The 1.6 schemas bound no integer and no number; `multipleOf` is only in the charging
        # schedule, which the hand-written ChargingSchedule types.
        known = {"type", "maxLength", "format", "items", "minItems", "maxItems", "additionalItems"}
        unknown = set(target) - known
        if unknown:
            raise GenerationError(f"{where}: schema keywords not handled: {sorted(unknown)}")
        if target.get("additionalItems", False) is not False:
            raise GenerationError(f"{where}: additionalItems not handled")
        return scalar_schema_expr(
            target, where, lambda items: self.schema_expr(root, items, where), plain_string_formats=frozenset({"uri"}))

    def fields(self, root: dict, node: dict, where: str) -> list[Field]:
        if node.get("type") != "object" or node.get("additionalProperties") is not False:
            raise GenerationError(f"{where}: not a closed object")
        required = node.get("required", [])
        props = node.get("properties", {})
        for name in required:
            if name not in props:
                raise GenerationError(f"{where}: required {name} is not a property")
        out = []
        for name, prop in props.items():
            target = self.resolve(root, prop)[0]
            doc = DOCS.get(f"{where}.{name}")
            if target.get("format") == "uri" and doc is None:
                doc = "A URI (the schema's `format: uri`; checked as a string only)."
            out.append(Field(
                name=name,
                swift_type=self.swift_type(root, prop, f"{where}.{name}"),
                schema=self.schema_expr(root, prop, f"{where}.{name}"),
                required=name in required,
                doc=doc,
            ))
        return out  # schema order, as the hand-written 1.6 files have them


def hand_written_type_names() -> set[str]:
    names = set()
    for path in OUT_DIR.glob("*.swift"):
        text = path.read_text(encoding="utf-8")
        if text.startswith(f"// Generated by Scripts/{SCRIPT}.py"):
            continue
        names |= set(re.findall(r"public (?:struct|enum) (\w+)", text))
    return names


# MARK: Writing Swift


def doc(indent: str, text: str | None) -> list[str]:
    return summary_lines(indent, text) if text else []


def case_name(raw: str) -> str:
    """The wire value itself where it is an identifier (`.Accepted`), as in Enums.swift."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", raw) and raw not in SWIFT_KEYWORDS:
        return raw
    return swift_case(raw)


def enum_lines(name: str, node: dict, indent: str) -> list[str]:
    cases = []
    for raw in node["enum"]:
        case = case_name(raw)
        cases.append(case if case == raw else f"{case} = \"{raw}\"")
    if len(set(c.split(" ")[0] for c in cases)) != len(cases):
        raise GenerationError(f"{name}: two values become the same case")
    head = f"{indent}public enum {name}: String, Codable, Sendable, CaseIterable {{"
    one = f"{head} case {', '.join(cases)} }}"
    out = doc(indent, DOCS.get(name))
    if len(one) <= LINE:
        return out + [one]
    body, current = [], []
    for case in cases:
        if current and len(f"{indent}    case {', '.join(current + [case])}") > LINE:
            body.append(f"{indent}    case {', '.join(current)}")
            current = []
        current.append(case)
    body.append(f"{indent}    case {', '.join(current)}")
    return out + [head] + body + [f"{indent}}}"]


def struct_lines(model: Model, name: str, indent: str) -> list[str]:
    _, node, _, where = model.types[name]
    root = model.messages[where.split(".")[0]][where.split(".")[1]]
    out = doc(indent, DOCS.get(name))
    out.append(f"{indent}public struct {name}: Codable, Sendable, Equatable {{")
    out += struct_body(model.fields(root, node, where), indent + "    ")
    out.append(f"{indent}}}")
    return out


def action_lines(model: Model, action: str, initiator: str, summary: str, indent: str) -> list[str]:
    payloads = []
    for kind in ("Request", "Response"):
        schema = model.messages[action][kind]
        payloads.append((kind, [], model.fields(schema, schema, f"{action}.{kind}")))
    return action_block(indent, action, "v16", initiator, summary, payloads)


HEADER = """\
// Generated by Scripts/generate_v16.py from the OCPP 1.6 JSON schemas.
// Do not edit: change the script and rerun it (python3 Scripts/generate_v16.py).
"""


def generate(model: Model) -> dict[str, str]:
    files = {}
    for file, (comment, actions) in PROFILES.items():
        parts = [action_lines(model, a, actions[a][0], actions[a][1], "    ") for a in sorted(actions)]
        own = sorted(n for n, t in model.types.items() if t[2] == file)
        parts += [struct_lines(model, n, "    ") for n in own if model.types[n][0] == "struct"]
        parts += [enum_lines(n, model.types[n][1], "    ") for n in own if model.types[n][0] == "enum"]
        lines = HEADER.rstrip("\n").split("\n")
        lines.append("//")
        lines += [line.replace("///", "//", 1) for line in summary_lines("", f"{comment} Actions: {', '.join(sorted(actions))}.")]
        if any("Date" in re.findall(r"\b\w+\b", line) for part in parts for line in part):
            lines += ["", "import struct Foundation.Date"]
        lines += ["", "extension V16 {"]
        for i, part in enumerate(parts):
            if i:
                lines.append("")
            lines += part
        lines.append("}")
        files[file] = "\n".join(lines) + "\n"
    return files


def check_file_names(files: dict[str, str]):
    """SwiftPM wants the file names of one module unique (V201 has a Reservation.swift too)."""
    others = {p.name for p in (ROOT / "Sources" / "OCPP").rglob("*.swift")
              if not (p.parent == OUT_DIR and p.read_text(encoding="utf-8").startswith(f"// Generated by Scripts/{SCRIPT}.py"))}
    clashes = sorted(set(files) & others)
    if clashes:
        raise GenerationError(f"the OCPP module already has files named {clashes}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schemas", help="directory with the OCPP 1.6 schema files")
    parser.add_argument("--check", action="store_true", help="compare with the committed files; write nothing")
    parser.add_argument("--print-schemas", action="store_true", help="print the schema folder and exit")
    args = parser.parse_args()
    schema_dir = locate_schemas(args.schemas, version="v16", script=SCRIPT)
    if args.print_schemas:
        if not schema_dir.is_dir():
            print(f"{SCRIPT}: no folder {schema_dir}", file=sys.stderr)
            return 3
        print(schema_dir)
        return 0
    try:
        model = Model(schema_dir, load(schema_dir))
        files = generate(model)
        check_file_names(files)
    except GenerationError as error:
        print(f"{SCRIPT}: {error}", file=sys.stderr)
        return 2
    return sync_files(OUT_DIR, files, SCRIPT, args.check, schema_dir)


if __name__ == "__main__":
    sys.exit(main())
