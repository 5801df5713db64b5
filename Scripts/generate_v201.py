#!/usr/bin/env python3
"""Generates the typed OCPP 2.0.1 messages in Sources/OCPP/V201 from the official JSON schemas.

The schemas are the 128 files (64 actions x Request/Response) the OCA publishes with
OCPP 2.0.1; the Python `ocpp` package we install for the interop tests ships them
(`pip install -r Tests/Interop/requirements.txt`). They are read at generation time and
not copied into the repository; the generated Swift is committed.

Usage (from the repository root):

    python3 Scripts/generate_v201.py                 # (re)writes Sources/OCPP/V201/*.swift
    python3 Scripts/generate_v201.py --check         # exit 1 if the committed files differ
    python3 Scripts/generate_v201.py --list          # blocks and actions as a Markdown table (docs)
    python3 Scripts/generate_v201.py --schemas DIR   # read the schemas from DIR instead

Exit status: 0 done / up to date, 1 files out of date (--check), 2 bad schemas or a naming
clash, 3 no schemas found (the `ocpp` package is not installed and no --schemas given).
The output depends only on the schemas and this script, so a rerun is a no-op.

What comes out, per functional block (one file each, as Part 2 of the spec groups its use
cases; the table ACTIONS below assigns every action to its block and its sender):

- every action as `public enum X: OCPPAction` in `extension V201`, with `name`,
  `version = .v201`, `initiator`, and nested `Request` / `Response` structs that conform to
  `OCPPPayload` and carry a `static let schema` built from the JSON schema;
- every data type (`...Type` in `definitions`) as a struct named by the schema's `javaType`
  (fields and memberwise init: required fields first, then optional ones, `customData` last)
  (`IdTokenType` -> `IdToken`), except where that is also an action's name
  (`ClearChargingProfileType` keeps its spec name);
- every enumeration (`...EnumType`) as a `String` enum named by its `javaType`
  (`IdTokenEnumType` -> `IdTokenEnum`); raw values are the spec's spellings, case names are
  lowerCamel (`"EVConnected"` -> `evConnected`, `"L1-N"` -> `l1N`, see swift_case()).

A type used by one block lives in that block's file; a type several blocks use goes to
CommonDataTypes.swift / CommonEnums.swift. Same-named definitions are identical in every
schema file apart from their descriptions (checked here; a difference stops the run).

Mapping of JSON Schema to Swift and `Schema`:
  string (maxLength)      String      .string(maxLength:)
  string, date-time       Date        .dateTime          (OCPPTimestamp reads and writes it)
  integer (min/max)       Int         .integer(minimum:maximum:)
  number (minimum)        Double      .number(minimum:)
  boolean                 Bool        .boolean
  array (min/maxItems)    [T]         .array(of:minItems:maxItems:)
  enum                    XEnum       .enumeration(XEnum.self)
  object                  struct      X.schema, additionalProperties: false
  CustomDataType          JSON        V201.customDataSchema (vendorId + any other members)
  no type (DataTransfer)  JSON        .any
`default` values are informative only and are not applied.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "Sources" / "OCPP" / "V201"

CS = "chargePoint"  # sent by the charging station (or a local controller)
CSMS = "centralSystem"  # sent by the CSMS
EITHER = "either"

# Functional blocks in the order of Part 2 of the spec, with the file each one goes to.
BLOCKS = {
    "A": "Security",
    "B": "Provisioning",
    "C": "Authorization",
    "D": "LocalAuthorizationList",
    "E": "Transactions",
    "F": "RemoteControl",
    "G": "Availability",
    "H": "Reservation",
    "I": "TariffAndCost",
    "J": "MeterValues",
    "K": "SmartCharging",
    "L": "FirmwareManagement",
    "M": "ISO15118CertificateManagement",
    "N": "Diagnostics",
    "O": "DisplayMessage",
    "P": "DataTransfer",
}

# action: (functional block, sender, one-line summary for the doc comment).
# Blocks follow the use cases of Part 2 (e.g. Heartbeat is G02, GetTransactionStatus E14,
# ClearCache C11, the certificate messages of A02/A03 are Security, the rest of the
# certificate handling is M). Senders follow the message direction in Part 2 / Part 4;
# PublishFirmware and UnpublishFirmware go from the CSMS to a local controller, which
# answers with PublishFirmwareStatusNotification like a station would.
ACTIONS = {
    "CertificateSigned": ("A", CSMS, "Delivers the certificate the CSMS had signed after a SignCertificate request."),
    "SecurityEventNotification": ("A", CS, "Reports a security event (a failed firmware signature, a reset, a certificate problem)."),
    "SignCertificate": ("A", CS, "Sends a certificate signing request (CSR) for the station's own or its V2G certificate."),
    "BootNotification": ("B", CS, "Sent after power-on or a reboot; until Accepted the station sends nothing else. `interval` is the heartbeat period when Accepted, the wait before retrying otherwise."),
    "GetBaseReport": ("B", CSMS, "Asks for a base report of the device model; the station sends it in NotifyReport messages."),
    "GetReport": ("B", CSMS, "Asks for a report of selected components and variables, sent in NotifyReport messages."),
    "GetVariables": ("B", CSMS, "Reads variables of the device model (2.0.1's GetConfiguration)."),
    "NotifyReport": ("B", CS, "One part of a report asked for with GetBaseReport or GetReport; `tbc` says more parts follow."),
    "Reset": ("B", CSMS, "Restarts the station or one EVSE, at once or when its transactions have ended (OnIdle)."),
    "SetNetworkProfile": ("B", CSMS, "Stores a connection profile (CSMS URL, security profile, APN, VPN) in a configuration slot."),
    "SetVariables": ("B", CSMS, "Writes variables of the device model (2.0.1's ChangeConfiguration)."),
    "Authorize": ("C", CS, "Asks whether an id token may charge; may carry ISO 15118 certificate data to check."),
    "ClearCache": ("C", CSMS, "Clears the station's authorization cache."),
    "GetLocalListVersion": ("D", CSMS, "Asks for the version number of the station's local authorization list."),
    "SendLocalList": ("D", CSMS, "Replaces or updates the station's local authorization list."),
    "GetTransactionStatus": ("E", CSMS, "Asks whether a transaction is still ongoing and whether messages about it are still queued."),
    "TransactionEvent": ("E", CS, "A transaction Started, was Updated or Ended, with meter values and the id token; queued while offline and numbered by `seqNo`."),
    "RequestStartTransaction": ("F", CSMS, "Starts a transaction remotely (e.g. after a QR scan); `remoteStartId` ties the later TransactionEvent to it."),
    "RequestStopTransaction": ("F", CSMS, "Stops an ongoing transaction remotely, by transaction id."),
    "TriggerMessage": ("F", CSMS, "Asks the station to send a message now (BootNotification, StatusNotification, MeterValues ...)."),
    "UnlockConnector": ("F", CSMS, "Releases a connector's cable lock, e.g. when a driver cannot unplug."),
    "ChangeAvailability": ("G", CSMS, "Makes the station, an EVSE or a connector Operative or Inoperative; an ongoing transaction may defer it (Scheduled)."),
    "Heartbeat": ("G", CS, "Tells the CSMS the station is alive and synchronises its clock."),
    "StatusNotification": ("G", CS, "A connector's status changed (Available, Occupied, Reserved, Unavailable, Faulted)."),
    "CancelReservation": ("H", CSMS, "Cancels a reservation by id."),
    "ReservationStatusUpdate": ("H", CS, "A reservation expired or was removed without being used."),
    "ReserveNow": ("H", CSMS, "Reserves an EVSE (or any EVSE with a connector type) for an id token until an expiry time."),
    "CostUpdated": ("I", CSMS, "Tells the station the running cost of a transaction, to show the driver."),
    "MeterValues": ("J", CS, "Readings outside a transaction's events (a transaction's readings go in TransactionEvent)."),
    "ClearChargingProfile": ("K", CSMS, "Removes charging profiles by id, or by EVSE, purpose and stack level."),
    "ClearedChargingLimit": ("K", CS, "An external charging limit (from an EMS or the grid operator) was lifted."),
    "GetChargingProfiles": ("K", CSMS, "Asks for installed charging profiles; they come in ReportChargingProfiles messages."),
    "GetCompositeSchedule": ("K", CSMS, "Asks for the schedule all profiles on an EVSE add up to over a duration."),
    "NotifyChargingLimit": ("K", CS, "An external system set a charging limit on the station."),
    "NotifyEVChargingNeeds": ("K", CS, "The EV's charging needs from ISO 15118 (energy, limits, departure time)."),
    "NotifyEVChargingSchedule": ("K", CS, "The charging schedule the EV chose in ISO 15118 negotiation."),
    "ReportChargingProfiles": ("K", CS, "One part of the answer to GetChargingProfiles; `tbc` says more parts follow."),
    "SetChargingProfile": ("K", CSMS, "Installs a charging profile (limits over time) on an EVSE or the whole station."),
    "FirmwareStatusNotification": ("L", CS, "Progress of a firmware update: downloading, installing, installed or what failed."),
    "PublishFirmware": ("L", CSMS, "Asks a local controller to publish a firmware image to its stations."),
    "PublishFirmwareStatusNotification": ("L", CS, "Progress of a PublishFirmware request at a local controller."),
    "UnpublishFirmware": ("L", CSMS, "Asks a local controller to stop publishing a firmware image."),
    "UpdateFirmware": ("L", CSMS, "Asks the station to download and install signed firmware."),
    "DeleteCertificate": ("M", CSMS, "Removes an installed certificate, named by its hash data."),
    "Get15118EVCertificate": ("M", CS, "Relays an EV's ISO 15118 certificate installation or update request (EXI) to the CSMS."),
    "GetCertificateStatus": ("M", CS, "Asks the CSMS for the OCSP status of a certificate."),
    "GetInstalledCertificateIds": ("M", CSMS, "Asks which certificates of the given kinds are installed."),
    "InstallCertificate": ("M", CSMS, "Installs a root certificate on the station."),
    "ClearVariableMonitoring": ("N", CSMS, "Removes variable monitors by id."),
    "CustomerInformation": ("N", CSMS, "Asks for (and may clear) what the station keeps about a customer; sent in NotifyCustomerInformation."),
    "GetLog": ("N", CSMS, "Asks the station to upload a diagnostics or security log to a URL."),
    "GetMonitoringReport": ("N", CSMS, "Asks for a report of the installed monitors, sent in NotifyMonitoringReport messages."),
    "LogStatusNotification": ("N", CS, "Progress of a log upload asked for with GetLog."),
    "NotifyCustomerInformation": ("N", CS, "One part of the answer to CustomerInformation; `tbc` says more parts follow."),
    "NotifyEvent": ("N", CS, "Events of device-model variables: alerts, faults, monitors that fired."),
    "NotifyMonitoringReport": ("N", CS, "One part of the answer to GetMonitoringReport; `tbc` says more parts follow."),
    "SetMonitoringBase": ("N", CSMS, "Activates a base set of monitors (All, FactoryDefault, HardWiredOnly)."),
    "SetMonitoringLevel": ("N", CSMS, "Sets the severity up to which monitor events are reported."),
    "SetVariableMonitoring": ("N", CSMS, "Installs monitors on variables (thresholds, deltas, periodic)."),
    "ClearDisplayMessage": ("O", CSMS, "Removes a display message by id."),
    "GetDisplayMessages": ("O", CSMS, "Asks for the configured display messages, sent in NotifyDisplayMessages messages."),
    "NotifyDisplayMessages": ("O", CS, "One part of the answer to GetDisplayMessages; `tbc` says more parts follow."),
    "SetDisplayMessage": ("O", CSMS, "Shows a message on the station's display, with priority, state and time window."),
    "DataTransfer": ("P", EITHER, "Vendor-specific exchange, sent by either side; `data` is any JSON."),
}

# Case names the general rule would get wrong or make a trap of.
CASE_NAME_OVERRIDES = {
    "SoC": "soc",
    "IKEv2": "ikev2",
    # `none` would read as Optional.none wherever the enum is optional.
    "NONE": "noAuthentication",
}

SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
    "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
    "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer",
    "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where",
    "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try",
}
# Names the generated code itself uses; a data type of that name would shadow them.
RESERVED_TYPE_NAMES = {"String", "Int", "Double", "Bool", "Date", "JSON", "Schema", "Request", "Response", "V201"}


class GenerationError(Exception):
    pass


def locate_schemas(explicit: str | None, version: str = "v201", script: str = "generate_v201") -> Path:
    """The schema folder of `version` ("v16", "v201") in the installed `ocpp` package, or `explicit`."""
    if explicit:
        return Path(explicit)
    try:
        import ocpp  # noqa: PLC0415 (only needed to find the files)
    except ImportError:
        print(
            f"{script}: the Python `ocpp` package is not installed "
            "(pip install -r Tests/Interop/requirements.txt), and no --schemas DIR was given",
            file=sys.stderr,
        )
        sys.exit(3)
    return Path(os.path.dirname(ocpp.__file__)) / version / "schemas"


# MARK: Reading the schemas


@dataclass
class Definition:
    name: str  # spec name, e.g. IdTokenType
    body: dict
    files: list[str] = field(default_factory=list)
    descriptions: list[str | None] = field(default_factory=list)

    @property
    def description(self) -> str | None:
        """A shared type's descriptions vary with the message they were written for; the one
        most files use is the general one (ties: the first file's)."""
        known = [d for d in self.descriptions if d]
        return max(known, key=known.count) if known else None

    @property
    def is_enum(self) -> bool:
        return "enum" in self.body

    @property
    def is_custom_data(self) -> bool:
        return self.name == "CustomDataType"


def load(schema_dir: Path):
    files = sorted(schema_dir.glob("*.json"))
    if not files:
        print(f"generate_v201: no schemas in {schema_dir}", file=sys.stderr)
        sys.exit(3)
    messages: dict[str, dict[str, dict]] = {}
    definitions: dict[str, Definition] = {}
    for path in files:
        match = re.fullmatch(r"(\w+?)(Request|Response)\.json", path.name)
        if not match:
            raise GenerationError(f"unexpected schema file {path.name}")
        action, kind = match.groups()
        schema = json.loads(path.read_text(encoding="utf-8"))
        messages.setdefault(action, {})[kind] = schema
        for name, body in schema.get("definitions", {}).items():
            known = definitions.get(name)
            if known is None:
                definitions[name] = Definition(name, body, [path.name], [body.get("description")])
                continue
            if strip_descriptions(known.body) != strip_descriptions(body):
                raise GenerationError(f"{name} differs between {known.files[0]} and {path.name}")
            known.files.append(path.name)
            known.descriptions.append(body.get("description"))
    missing = set(ACTIONS) ^ set(messages)
    if missing:
        raise GenerationError(f"actions in the schemas and in ACTIONS differ: {sorted(missing)}")
    for action, kinds in messages.items():
        if set(kinds) != {"Request", "Response"}:
            raise GenerationError(f"{action} lacks a Request or Response schema")
    return messages, definitions


def strip_descriptions(node):
    if isinstance(node, dict):
        return {k: strip_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [strip_descriptions(v) for v in node]
    return node


def ref_name(prop: dict) -> str | None:
    ref = prop.get("$ref")
    if ref is None:
        return None
    prefix = "#/definitions/"
    if not ref.startswith(prefix):
        raise GenerationError(f"unsupported $ref {ref}")
    return ref[len(prefix):]


def referenced(node: dict) -> set[str]:
    """Definition names an object's properties refer to, directly or through arrays."""
    names = set()
    for prop in node.get("properties", {}).values():
        target = prop.get("items", prop) if prop.get("type") == "array" else prop
        name = ref_name(target)
        if name:
            names.add(name)
    return names


# MARK: Names


def swift_type_name(definition: Definition) -> str:
    name = definition.body.get("javaType") or re.sub(r"Type$", "", definition.name)
    if name in ACTIONS:
        name = definition.name  # ClearChargingProfileType: the action has the short name
    if name in RESERVED_TYPE_NAMES:
        raise GenerationError(f"{definition.name} would be named {name}, which the generated code uses")
    return name


def swift_case(raw: str) -> str:
    """lowerCamel case name for a raw value: "EVConnected" -> evConnected, "L1-N" -> l1N,
    "Energy.Active.Import.Register" -> energyActiveImportRegister, "s309-1P-16A" -> s309_1P_16A."""
    if raw in CASE_NAME_OVERRIDES:
        return CASE_NAME_OVERRIDES[raw]
    tokens = [t for t in re.split(r"[^A-Za-z0-9]+", raw) if t]
    if not tokens:
        raise GenerationError(f"enum value {raw!r} has no letters or digits")
    name = lower_first_word(tokens[0])
    for token in tokens[1:]:
        # Keep digit runs of neighbouring tokens apart: "sCEE-7-7" -> sCEE_7_7.
        if name[-1].isdigit() and token[0].isdigit():
            name += "_"
        name += token[0].upper() + token[1:]
    if name[0].isdigit():
        name = "_" + name
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def lower_first_word(token: str) -> str:
    if token[0].islower():
        return token  # eMAID, cCCS1, sType2 keep their spelling
    if all(c.isupper() or c.isdigit() for c in token):
        return token.lower()  # AUTO, SHA256, ISO14443, OCPP20
    run = 0
    while run < len(token) and (token[run].isupper() or token[run].isdigit()):
        run += 1
    if run == 1:
        return token[0].lower() + token[1:]  # Central -> central
    # An acronym before a word: EVConnected -> evConnected, CSMSRootCertificate -> csmsRootCertificate.
    return token[: run - 1].lower() + token[run - 1:]


def swift_identifier(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise GenerationError(f"property name {name!r} is not a Swift identifier")
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def doc_line(text: str | None, limit: int) -> str | None:
    """The schema's description as one line of at most `limit` characters: the
    data-dictionary name and URN lines dropped, entities and cross-references resolved,
    the first sentence kept, a long one cut at a word."""
    if not text:
        return None
    text = re.sub(r"<<[^,>]*,\s*([^>]*)>>", r"\1", html.unescape(text))
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    urn = [i for i, line in enumerate(lines) if line.startswith("urn:")]
    if urn:
        lines = lines[urn[-1] + 1:]
    paragraph = []
    for line in lines:
        if not line:
            if paragraph:
                break
            continue
        paragraph.append(line)
    sentence = " ".join(paragraph).strip()
    if not sentence:
        return None
    match = re.search(r"(?<!e\.g)(?<!i\.e)(?<!etc)\.\s+(?=[A-Z])", sentence)
    if match and match.start() >= 20:
        sentence = sentence[: match.start() + 1]
    sentence = re.sub(r"\s+", " ", sentence)
    if len(sentence) > limit:
        cut = sentence[: limit - 2].rsplit(" ", 1)[0].rstrip(",;:(")
        sentence = cut + " …"
    return sentence


def doc_lines(indent: str, text: str | None) -> list[str]:
    """A schema description as one `///` line that fits the line length."""
    line = doc_line(text, LINE - len(indent) - 4)
    return [f"{indent}/// {line}"] if line else []


def summary_lines(indent: str, text: str) -> list[str]:
    """A hand-written summary from ACTIONS, wrapped over as many `///` lines as it needs."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if len(indent) + 4 + len(candidate) > LINE and current:
            lines.append(f"{indent}/// {current}")
            current = word
        else:
            current = candidate
    lines.append(f"{indent}/// {current}")
    return lines


# MARK: Swift for one property


class Model:
    def __init__(self, messages, definitions):
        self.messages = messages
        self.definitions = definitions
        self.names = {name: swift_type_name(d) for name, d in definitions.items() if not d.is_custom_data}
        clashes = [n for n in set(self.names.values()) if list(self.names.values()).count(n) > 1]
        if clashes:
            raise GenerationError(f"type names used twice: {sorted(clashes)}")

    def swift_type(self, prop: dict, where: str) -> str:
        name = ref_name(prop)
        if name:
            if name == "CustomDataType":
                return "JSON"
            return self.names[name]
        if prop.get("type") is None:
            return "JSON"
        return scalar_swift_type(prop, where, lambda items: self.swift_type(items, where))

    def schema_expr(self, prop: dict, where: str) -> str:
        known = {"description", "type", "$ref", "maxLength", "format", "minimum", "maximum", "items", "minItems",
                 "maxItems", "additionalItems", "default"}
        unknown = set(prop) - known
        if unknown:
            raise GenerationError(f"{where}: schema keywords not handled: {sorted(unknown)}")
        name = ref_name(prop)
        if name:
            if name == "CustomDataType":
                return "V201.customDataSchema"
            definition = self.definitions[name]
            if definition.is_enum:
                return f".enumeration({self.names[name]}.self)"
            return f"{self.names[name]}.schema"
        if prop.get("type") is None:
            return ".any"
        return scalar_schema_expr(prop, where, lambda items: self.schema_expr(items, where + "[]"))


# Shared with Scripts/generate_v16.py: a property that is not a named type (a `$ref`, an enum, an object).


def scalar_swift_type(prop: dict, where: str, item_type) -> str:
    """The Swift type of a string, integer, number, boolean or array property; `item_type(items)`
    gives an array's element type."""
    kind = prop.get("type")
    if kind == "string":
        return "Date" if prop.get("format") == "date-time" else "String"
    if kind == "integer":
        return "Int"
    if kind == "number":
        return "Double"
    if kind == "boolean":
        return "Bool"
    if kind == "array":
        return f"[{item_type(prop['items'])}]"
    raise GenerationError(f"{where}: unsupported type {kind!r}")


def scalar_schema_expr(prop: dict, where: str, item_expr, plain_string_formats: frozenset[str] = frozenset()) -> str:
    """The `Schema` of such a property; `item_expr(items)` gives an array's item schema. A string
    `format` other than date-time is an error unless listed in `plain_string_formats` (then the
    value is checked as a plain string)."""
    kind = prop.get("type")
    if kind == "string":
        if prop.get("format") == "date-time":
            return ".dateTime"
        if "format" in prop and prop["format"] not in plain_string_formats:
            raise GenerationError(f"{where}: string format {prop['format']!r} not handled")
        return f".string(maxLength: {prop['maxLength']})" if "maxLength" in prop else ".string()"
    if kind == "integer":
        args = [f"{k}: {int(prop[k])}" for k in ("minimum", "maximum") if k in prop]
        for k in ("minimum", "maximum"):
            if k in prop and int(prop[k]) != prop[k]:
                raise GenerationError(f"{where}: fractional integer bound {prop[k]}")
        return f".integer({', '.join(args)})"
    if kind == "number":
        if "maximum" in prop:
            raise GenerationError(f"{where}: number maximum needs Schema.number(maximum:)")
        return f".number(minimum: {float(prop['minimum'])})" if "minimum" in prop else ".number()"
    if kind == "boolean":
        return ".boolean"
    if kind == "array":
        items = prop["items"]
        if not isinstance(items, dict):
            raise GenerationError(f"{where}: tuple arrays not handled")
        args = [f"of: {item_expr(items)}"]
        if prop.get("minItems", 0):
            args.append(f"minItems: {prop['minItems']}")
        if "maxItems" in prop:
            args.append(f"maxItems: {prop['maxItems']}")
        return f".array({', '.join(args)})"
    raise GenerationError(f"{where}: unsupported type {kind!r}")


@dataclass
class Field:
    name: str
    swift_type: str
    schema: str
    required: bool
    doc: str | None

    @property
    def declared_type(self) -> str:
        return self.swift_type if self.required else self.swift_type + "?"


def fields_of(model: Model, node: dict, where: str) -> list[Field]:
    if node.get("type") != "object":
        raise GenerationError(f"{where}: not an object")
    if node.get("additionalProperties") is not False:
        raise GenerationError(f"{where}: open objects other than CustomDataType are not handled")
    required = node.get("required", [])
    props = node.get("properties", {})
    for name in required:
        if name not in props:
            raise GenerationError(f"{where}: required {name} is not a property")
    out = []
    for name, prop in props.items():
        out.append(Field(
            name=name,
            swift_type=model.swift_type(prop, f"{where}.{name}"),
            schema=model.schema_expr(prop, f"{where}.{name}"),
            required=name in required,
            doc=prop.get("description"),
        ))
    # Required fields first, then optional ones (each in schema order), so a call names what
    # it must before what it may; customData, first in every schema, goes last, out of the way.
    return sorted(out, key=lambda f: (f.name == "customData", not f.required))


# MARK: Writing Swift

LINE = 120


def wrap_call(indent: str, head: str, parts: list[str], tail: str) -> list[str]:
    """`head(a, b, c)tail` on one line, or with the arguments packed on continuation lines."""
    one = f"{indent}{head}{', '.join(parts)}{tail}"
    if len(one) <= LINE:
        return [one]
    lines = [f"{indent}{head}"]
    inner = indent + "    "
    current = ""
    for part in parts:
        candidate = f"{current}, {part}" if current else part
        if len(inner) + len(candidate) + 1 > LINE and current:
            lines.append(f"{inner}{current},")
            current = part
        else:
            current = candidate
    lines.append(f"{inner}{current}")
    closing = tail.lstrip(")")
    lines.append(f"{indent}){closing}")
    return lines


def struct_body(fields: list[Field], indent: str) -> list[str]:
    out = []
    for f in fields:
        out += doc_lines(indent, f.doc)
        out.append(f"{indent}public var {swift_identifier(f.name)}: {f.declared_type}")
    if fields:
        out.append("")
    params = [f"{swift_identifier(f.name)}: {f.declared_type}{'' if f.required else ' = nil'}" for f in fields]
    if params:
        out += wrap_call(indent, "public init(", params, ") {")
        for f in fields:
            ident = swift_identifier(f.name)
            out.append(f"{indent}    self.{ident} = {ident}")
        out.append(f"{indent}}}")
    else:
        out.append(f"{indent}public init() {{}}")
    out.append("")
    if fields:
        out.append(f"{indent}public static let schema: Schema = .object(")
        for i, f in enumerate(fields):
            rule = "required" if f.required else "optional"
            end = ")" if i == len(fields) - 1 else ","
            line = f"{indent}    {rule}(\"{f.name}\", {f.schema}){end}"
            if len(line) <= LINE:
                out.append(line)
            else:
                out += [f"{indent}    {rule}(", f"{indent}        \"{f.name}\", {f.schema}){end}"]
    else:
        out.append(f"{indent}public static let schema: Schema = .emptyObject")
    return out


def enum_lines(model: Model, definition: Definition, indent: str) -> list[str]:
    name = model.names[definition.name]
    out = []
    out += doc_lines(indent, definition.description)
    out.append(f"{indent}public enum {name}: String, Codable, Sendable, CaseIterable {{")
    seen = {}
    for raw in definition.body["enum"]:
        case = swift_case(raw)
        if case in seen:
            raise GenerationError(f"{definition.name}: {raw!r} and {seen[case]!r} both become {case}")
        seen[case] = raw
        if raw == "NONE":
            out.append(f"{indent}    /// \"NONE\" on the wire; not `none`, which would read as `Optional.none`.")
        out.append(f"{indent}    case {case}" + ("" if case == raw else f" = \"{raw}\""))
    out.append(f"{indent}}}")
    return out


def data_type_lines(model: Model, definition: Definition, indent: str) -> list[str]:
    name = model.names[definition.name]
    out = []
    out += doc_lines(indent, definition.description)
    out.append(f"{indent}public struct {name}: Codable, Sendable, Equatable {{")
    out += struct_body(fields_of(model, definition.body, definition.name), indent + "    ")
    out.append(f"{indent}}}")
    return out


def action_lines(model: Model, action: str, indent: str) -> list[str]:
    _, initiator, summary = ACTIONS[action]
    payloads = []
    for kind in ("Request", "Response"):
        schema = model.messages[action][kind]
        payloads.append((kind, doc_lines(indent + "    ", schema.get("description")), fields_of(model, schema, f"{action}{kind}")))
    return action_block(indent, action, "v201", initiator, summary, payloads)


def action_block(indent: str, action: str, version: str, initiator: str, summary: str, payloads) -> list[str]:
    """`enum Action: OCPPAction` with its name, version, sender and nested payload structs;
    `payloads` holds (kind, doc comment lines, fields) for Request and Response.
    Shared with Scripts/generate_v16.py."""
    out = summary_lines(indent, summary) + [f"{indent}public enum {action}: OCPPAction {{"]
    inner = indent + "    "
    out += [
        f"{inner}public static let name = \"{action}\"",
        f"{inner}public static let version = OCPPVersion.{version}",
        f"{inner}public static let initiator = Initiator.{initiator}",
    ]
    for kind, doc, fields in payloads:
        out.append("")
        out += doc
        out.append(f"{inner}public struct {kind}: OCPPPayload, Equatable {{")
        out += struct_body(fields, inner + "    ")
        out.append(f"{inner}}}")
    out.append(f"{indent}}}")
    return out


HEADER = """\
// Generated by Scripts/generate_v201.py from the OCPP 2.0.1 JSON schemas ({comment}).
// Do not edit: change the script and rerun it (python3 Scripts/generate_v201.py).
"""


def file_text(comment: str, intro: list[str], sections: list[tuple[str | None, list[list[str]]]], uses_date: bool) -> str:
    lines = [HEADER.format(comment=comment).rstrip("\n")]
    lines += intro
    if uses_date:
        lines += ["", "import struct Foundation.Date"]
    for title, items in sections:
        if not items:
            continue
        lines.append("")
        if title:
            lines += [f"// MARK: {title}", ""]
        lines.append("extension V201 {")
        for i, item in enumerate(items):
            if i:
                lines.append("")
            lines += item
        lines.append("}")
    return "\n".join(lines) + "\n"


def generate(model: Model) -> dict[str, str]:
    comment = next(iter(next(iter(model.messages.values())).values())).get("comment", "OCPP 2.0.1")
    # Which blocks use each definition, through any chain of references.
    usage: dict[str, set[str]] = {name: set() for name in model.definitions}
    for action, kinds in model.messages.items():
        block = ACTIONS[action][0]
        pending = [n for schema in kinds.values() for n in referenced(schema)]
        seen = set()
        while pending:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            usage[name].add(block)
            pending += referenced(model.definitions[name].body)
    home = {}
    for name, blocks in usage.items():
        if model.definitions[name].is_custom_data:
            continue
        home[name] = next(iter(blocks)) if len(blocks) == 1 else None

    files: dict[str, str] = {}

    def sorted_defs(names):
        return sorted(names, key=lambda n: model.names[n])

    def uses_date(texts):
        return any("Date" in re.findall(r"\b\w+\b", line) for text in texts for line in text)

    for letter, block in BLOCKS.items():
        actions = sorted(a for a, spec in ACTIONS.items() if spec[0] == letter)
        own = [n for n, h in home.items() if h == letter]
        structs = [data_type_lines(model, model.definitions[n], "    ") for n in sorted_defs(n for n in own if not model.definitions[n].is_enum)]
        enums = [enum_lines(model, model.definitions[n], "    ") for n in sorted_defs(n for n in own if model.definitions[n].is_enum)]
        acts = [action_lines(model, a, "    ") for a in actions]
        intro = ["//"] + [line.replace("///", "//", 1) for line in summary_lines("", f"Functional block {letter}, {block}: " + ", ".join(actions) + ".")]
        files[f"{block}.swift"] = file_text(
            comment, intro,
            [(None, acts), ("Data types only this block uses", structs), ("Enumerations only this block uses", enums)],
            uses_date(acts + structs))

    shared = [n for n, h in home.items() if h is None]
    structs = [data_type_lines(model, model.definitions[n], "    ") for n in sorted_defs(n for n in shared if not model.definitions[n].is_enum)]
    enums = [enum_lines(model, model.definitions[n], "    ") for n in sorted_defs(n for n in shared if model.definitions[n].is_enum)]
    files["CommonDataTypes.swift"] = file_text(
        comment, ["//", "// Data types that messages of several functional blocks use."], [(None, structs)], uses_date(structs))
    files["CommonEnums.swift"] = file_text(
        comment, ["//", "// Enumerations that messages of several functional blocks use."], [(None, enums)], False)

    catalog = ["    /// Every 2.0.1 action, by functional block.", "    public static let catalog = ActionCatalog(version: .v201, ["]
    for letter, block in BLOCKS.items():
        actions = sorted(a for a, spec in ACTIONS.items() if spec[0] == letter)
        catalog.append(f"        // {letter} {block}")
        catalog += wrap_list("        ", [f"{a}.self" for a in actions])
    catalog.append("    ])")
    custom = [
        "    /// `customData`, the vendor extension object every 2.0.1 type may carry: a `vendorId`",
        "    /// and any other members. Typed payloads keep it as `JSON`, so it passes through unchanged.",
        "    public static let customDataSchema: Schema = .object(",
        "        [required(\"vendorId\", .string(maxLength: 255))], additionalProperties: true)",
    ]
    intro = [
        "",
        "/// OCPP 2.0.1 (JSON): messages by functional block, typed from the official schemas.",
        "public enum V201 {}",
    ]
    files["V201.swift"] = file_text(comment, intro, [(None, [catalog, custom])], False)
    return files


def wrap_list(indent: str, items: list[str]) -> list[str]:
    lines, current = [], ""
    for item in items:
        candidate = f"{current} {item}," if current else f"{item},"
        if len(indent) + len(candidate) > LINE and current:
            lines.append(indent + current)
            current = f"{item},"
        else:
            current = candidate
    if current:
        lines.append(indent + current)
    return lines


def markdown_table() -> str:
    """One row per functional block: the actions each side sends (DataTransfer: both)."""
    rows = ["| block | file | sent by the station | sent by the CSMS |", "|---|---|---|---|"]
    for letter, block in BLOCKS.items():
        def sent(*by):
            return ", ".join(sorted(a for a, spec in ACTIONS.items() if spec[0] == letter and spec[1] in by)) or "–"
        rows.append(f"| {letter} {block} | `V201/{block}.swift` | {sent(CS, EITHER)} | {sent(CSMS, EITHER)} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schemas", help="directory with the 128 OCPP 2.0.1 schema files")
    parser.add_argument("--check", action="store_true", help="compare with the committed files; write nothing")
    parser.add_argument("--list", action="store_true", help="print blocks and actions as a Markdown table")
    args = parser.parse_args()
    if args.list:
        print(markdown_table())
        return 0
    schema_dir = locate_schemas(args.schemas)
    try:
        model = Model(*load(schema_dir))
        files = generate(model)
    except GenerationError as error:
        print(f"generate_v201: {error}", file=sys.stderr)
        return 2
    return sync_files(OUT_DIR, files, "generate_v201", args.check, schema_dir)


def sync_files(out_dir: Path, files: dict[str, str], script: str, check: bool, schema_dir: Path) -> int:
    """Writes `files` into `out_dir`, or with `check` only compares them; a file this script
    wrote before (it starts with the script's header) and no longer makes is removed or
    reported. Hand-written files in the same folder are left alone."""
    relative = out_dir.relative_to(ROOT)
    existing = {p.name for p in out_dir.glob("*.swift") if p.read_text(encoding="utf-8").startswith(f"// Generated by Scripts/{script}.py")}
    stale = sorted(existing - set(files))
    changed = sorted(name for name, text in files.items()
                     if not (out_dir / name).exists() or (out_dir / name).read_text(encoding="utf-8") != text)
    if check:
        if changed or stale:
            for name in changed:
                print(f"out of date: {relative}/{name}", file=sys.stderr)
            for name in stale:
                print(f"not generated (remove it): {relative}/{name}", file=sys.stderr)
            print(f"rerun: python3 Scripts/{script}.py", file=sys.stderr)
            return 1
        print(f"{script}: {len(files)} files up to date ({schema_dir})")
        return 0
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in changed:
        (out_dir / name).write_text(files[name], encoding="utf-8")
    for name in stale:
        (out_dir / name).unlink()
    print(f"{script}: wrote {len(changed)} of {len(files)} files, removed {len(stale)} ({schema_dir})")
    return 0

if __name__ == "__main__":
    sys.exit(main())
