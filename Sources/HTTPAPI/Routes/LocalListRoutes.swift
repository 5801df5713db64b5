import Foundation
import Gateway
import NIOHTTP1
import OCPP
import OCPPWebSocket
import SessionStore

/// `/api/chargepoints/{id}/local-list…`: the gateway's local authorization list for a pile
/// (docs/api.md#local-lists).
enum LocalListRoutes {
    /// GET: the stored list (or the one the accounts would make, version 0), its version, what
    /// the pile last accepted and said.
    static func show(_ gateway: Gateway, chargePointId: String) async throws -> HTTPResponse {
        do {
            return .json(view(try await gateway.localList(chargePointId)))
        } catch {
            throw apiError(error)
        }
    }

    /// PUT `{"entries": [{"idTag", "idTagInfo": {"status", "expiryDate"?, "parentIdTag"?}}]}` (`"source": "explicit"` may come
    /// with them) or `{"source": "accounts"}`.
    static func put(_ request: HTTPRequest, _ gateway: Gateway, chargePointId: String) async throws -> HTTPResponse {
        let body = try request.jsonObject()
        var entries: [LocalListEntry]?
        switch (body["source"], body["entries"]) {
        case (.string("accounts"), nil):
            entries = nil
        case (nil, .array(let items)), (.string("explicit"), .array(let items)):
            entries = try items.enumerated().map { index, item throws(APIError) in try entry(item, index: index) }
        default:
            throw APIError(
                .badRequest, "invalid_request",
                "the body needs \"entries\" (an array of {\"idTag\", \"idTagInfo\": {\"status\", \"expiryDate\"?, \"parentIdTag\"?}}) or \"source\": \"accounts\" without entries")
        }
        do {
            let (list, sync) = try await gateway.setLocalList(chargePointId, entries: entries, issuedBy: request.issuedBy)
            var answer = view(list).objectValue ?? JSONObject()
            answer["sync"] = sync.map(syncView) ?? .null
            return .json(.object(answer))
        } catch {
            throw apiError(error)
        }
    }

    /// POST …/sync, body optional `{"updateType": "Full" | "Differential"}`.
    static func sync(_ request: HTTPRequest, _ gateway: Gateway, chargePointId: String) async throws -> HTTPResponse {
        var updateType: LocalListSend.UpdateType?
        if !request.body.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) {
            let body = try request.jsonObject()
            if let value = body["updateType"] {
                guard let text = value.stringValue, let parsed = LocalListSend.UpdateType(rawValue: text) else {
                    throw APIError(.badRequest, "invalid_request", "updateType must be Full or Differential")
                }
                updateType = parsed
            }
            if let extra = body.keys.first(where: { $0 != "updateType" }) {
                throw APIError(.badRequest, "invalid_request", "unknown field \(extra); the body is {\"updateType\": \"Full\" | \"Differential\"} or empty")
            }
        }
        do {
            return .json(syncView(try await gateway.syncLocalList(chargePointId, updateType: updateType, issuedBy: request.issuedBy)))
        } catch {
            throw apiError(error)
        }
    }

    /// GET …/version: asks the pile (GetLocalListVersion) and answers its word, `{"ocppVersion", "listVersion"}`.
    static func pileVersion(_ request: HTTPRequest, _ gateway: Gateway, chargePointId: String) async throws -> HTTPResponse {
        let version = await gateway.commandVersion(chargePointId)
        do {
            let answer = try await gateway.command(chargePointId, action: "GetLocalListVersion", payload: .object(JSONObject()), issuedBy: request.issuedBy)
            let number = (version == .v16 ? answer["listVersion"] : answer["versionNumber"]) ?? .null
            return .json(["ocppVersion": .string(version.label), "listVersion": number])
        } catch {
            throw APIError(error)
        }
    }

    static func entry(_ item: JSON, index: Int) throws(APIError) -> LocalListEntry {
        guard let idTag = item["idTag"]?.stringValue else {
            throw APIError(.badRequest, "invalid_request", "entries[\(index)].idTag must be a string")
        }
        guard let info = item["idTagInfo"] else { return LocalListEntry(idTag: idTag, status: "Accepted") }
        guard let status = info["status"]?.stringValue else {
            throw APIError(.badRequest, "invalid_request", "entries[\(index)].idTagInfo.status must be a string (Accepted, Blocked, Expired, Invalid …)")
        }
        var expiry: Date?
        if let value = info["expiryDate"], value != .null {
            guard let text = value.stringValue, let parsed = OCPPTimestamp.parse(text)?.date else {
                throw APIError(.badRequest, "invalid_request", "entries[\(index)].idTagInfo.expiryDate must be an RFC 3339 time")
            }
            expiry = parsed
        }
        var parent: String?
        if let value = info["parentIdTag"], value != .null {
            guard let text = value.stringValue else {
                throw APIError(.badRequest, "invalid_request", "entries[\(index)].idTagInfo.parentIdTag must be a string")
            }
            parent = text
        }
        return LocalListEntry(idTag: idTag, status: status, expiryDate: expiry, parentIdTag: parent)
    }

    static func entriesView(_ entries: [LocalListEntry]) -> JSON {
        .array(
            entries.map { e in
                var info = JSONObject()
                info["status"] = .string(e.status)
                if let expiry = e.expiryDate { info["expiryDate"] = .string(OCPPTimestamp.format(expiry)) }
                if let parent = e.parentIdTag { info["parentIdTag"] = .string(parent) }
                return ["idTag": .string(e.idTag), "idTagInfo": .object(info)]
            })
    }

    static func view(_ list: LocalListRecord) -> JSON {
        func time(_ date: Date?) -> JSON { date.map { .string(OCPPTimestamp.format($0)) } ?? .null }
        func int(_ n: Int?) -> JSON { n.map { .integer(Int64($0)) } ?? .null }
        var o = JSONObject()
        o["chargePointId"] = .string(list.chargePointId)
        o["version"] = .integer(Int64(list.version))
        o["source"] = .string(list.source.rawValue)
        o["entries"] = entriesView(list.entries)
        o["updatedAt"] = time(list.updatedAt)
        o["inSync"] = .bool(list.inSync)
        o["acceptedVersion"] = int(list.acceptedVersion)
        o["lastSent"] =
            list.lastSentUpdateType.map { type in
                ["updateType": .string(type), "version": int(list.lastSentVersion), "at": time(list.lastSentAt)]
            } ?? .null
        o["lastAnswer"] = list.lastAnswer.map { ["status": .string($0), "at": time(list.lastAnswerAt)] } ?? .null
        o["pileVersion"] = list.pileVersion.map { ["listVersion": .integer(Int64($0)), "at": time(list.pileVersionAt)] } ?? .null
        o["notSupported"] = .bool(list.notSupported)
        o["maxLength"] = int(list.maxLength)
        o["maxPerSend"] = int(list.maxPerSend)
        return .object(o)
    }

    static func syncView(_ report: LocalListSyncReport) -> JSON {
        [
            "pileVersionBefore": report.pileVersionBefore.map { .integer(Int64($0)) } ?? .null,
            "upToDate": .bool(report.upToDate),
            "sent": .array(
                report.sent.map {
                    ["updateType": .string($0.updateType), "version": .integer(Int64($0.version)), "entries": .integer(Int64($0.entries)), "answer": .string($0.answer)]
                }),
            "list": view(report.list),
        ]
    }

    static func apiError(_ error: LocalListFailure) -> APIError {
        switch error {
        case .invalid(let why): APIError(.badRequest, "invalid_request", why)
        case .tooLong(let entries, let maxLength):
            APIError(.conflict, "list_too_long", error.description, details: ["entries": .integer(Int64(entries)), "maxLength": .integer(Int64(maxLength))])
        case .syncInProgress: APIError(.conflict, "sync_in_progress", error.description)
        case .command(let failure): APIError(failure)
        case .storeUnavailable: APIError(.serviceUnavailable, "store_unavailable", error.description)
        }
    }
}

extension APIRoute {
    static let localList = APIRoute(
        .GET, "/api/chargepoints/{id}/local-list", "localList",
        "The gateway's local authorization list for the pile: entries, version, what the pile last accepted and said.",
        access: .read, parameters: [.chargePointId], replies: [.ok("The list", .one("LocalList"))] + Reply.fails(503)
    ) { call in try await LocalListRoutes.show(call.gateway, chargePointId: call["id"]) }

    static let setLocalList = APIRoute(
        .PUT, "/api/chargepoints/{id}/local-list", "setLocalList",
        """
        Sets the pile's list: explicit entries, or built from the accounts and id tags the gateway knows. A change takes the next \
        version; with localList.push: auto a connected pile is sent it.
        """,
        access: .write, parameters: [.chargePointId], body: .json("LocalListChange"),
        replies: [.ok("The list, and the sync when one was made", .one("LocalListSet"))] + Reply.fails(400, 409, 502, 503, 504)
    ) { call in try await LocalListRoutes.put(call.request, call.gateway, chargePointId: call["id"]) }

    static let syncLocalList = APIRoute(
        .POST, "/api/chargepoints/{id}/local-list/sync", "syncLocalList",
        """
        Sends the pile its list now: GetLocalListVersion, then SendLocalList Full or Differential (in parts when the pile takes \
        fewer entries per message).
        """,
        access: .write, parameters: [.chargePointId], body: .json("LocalListSyncRequest", required: false),
        replies: [.ok("What was sent and the pile's answers", .one("LocalListSync"))] + Reply.fails(400, 409, 502, 503, 504)
    ) { call in try await LocalListRoutes.sync(call.request, call.gateway, chargePointId: call["id"]) }

    static let pileLocalListVersion = APIRoute(
        .GET, "/api/chargepoints/{id}/local-list/version", "pileLocalListVersion",
        "Asks the pile for its list's version (GetLocalListVersion); needs the token.",
        access: .asksThePile, parameters: [.chargePointId], replies: [.ok("The pile's word", .one("PileListVersion"))] + Reply.fails(404, 409, 502, 503, 504)
    ) { call in try await LocalListRoutes.pileVersion(call.request, call.gateway, chargePointId: call["id"]) }

    static let localLists: [APIRoute] = [localList, setLocalList, syncLocalList, pileLocalListVersion]
}
