import Foundation
import OCPP

/// The pile's local authorization list (OCPP 1.6 Local Auth List Management, §3.5, §5.15, §6.45).
struct LocalAuthList: Sendable, Equatable {
    var version = 0
    /// By id tag, upper-cased: id tags compare case-insensitively (CiString20).
    var entries: [String: V16.IdTagInfo] = [:]

    static func key(_ idTag: String) -> String { idTag.uppercased() }
}

extension SimulatedPile {
    /// The list's version as GetLocalListVersion reports it: -1 when LocalAuthListEnabled is false, 0 when empty.
    public var localListVersion: Int {
        guard configuration.bool("LocalAuthListEnabled") else { return -1 }
        return localList.entries.isEmpty ? 0 : localList.version
    }

    /// SendLocalList: Full replaces the list, Differential updates it (an entry without
    /// idTagInfo removes its tag) and must carry a newer version than the list's
    /// (VersionMismatch otherwise). More entries than SendLocalListMaxLength in one request,
    /// or a list longer than LocalAuthListMaxLength after it, is Failed and changes nothing.
    func sendLocalList(_ request: V16.SendLocalList.Request) -> V16.SendLocalList.Response {
        if let forced = scripted(V16.SendLocalList.name, V16.UpdateStatus.self) { return .init(status: forced) }
        guard configuration.bool("LocalAuthListEnabled") else { return .init(status: .NotSupported) }
        let items = request.localAuthorizationList ?? []
        let sendMax = configuration.int("SendLocalListMaxLength") ?? ConfigurationStore.sendLocalListMaxLength
        guard items.count <= sendMax else { return .init(status: .Failed) }
        var list = localList
        switch request.updateType {
        case .Full:
            list.entries = [:]
            for item in items { list.entries[LocalAuthList.key(item.idTag)] = item.idTagInfo }
        case .Differential:
            guard request.listVersion > list.version else { return .init(status: .VersionMismatch) }
            for item in items { list.entries[LocalAuthList.key(item.idTag)] = item.idTagInfo }
        }
        let maxLength = configuration.int("LocalAuthListMaxLength") ?? ConfigurationStore.localAuthListMaxLength
        guard list.entries.count <= maxLength else { return .init(status: .Failed) }
        list.version = request.listVersion
        localList = list
        return .init(status: .Accepted)
    }

    /// Whether `idTag` may start while the central system cannot be asked. With
    /// LocalAuthorizeOffline, a tag on the local list starts when its entry is Accepted and
    /// not expired. A tag not on the list starts only with AllowOfflineTxForUnknownId, or
    /// when the pile has no list to check against (empty or disabled: the simulator's
    /// offline optimism, as before there were lists).
    func offlineAuthorization(_ idTag: String) -> (start: Bool, parentIdTag: String?) {
        let listInUse = configuration.bool("LocalAuthListEnabled") && !localList.entries.isEmpty
        if listInUse, let info = localList.entries[LocalAuthList.key(idTag)] {
            guard configuration.bool("LocalAuthorizeOffline") else { return (false, nil) }
            let expired = info.expiryDate.map { context.clock.unstamp($0) <= context.clock.now() } ?? false
            return (info.status == .Accepted && !expired, info.parentIdTag)
        }
        return (!listInUse || configuration.bool("AllowOfflineTxForUnknownId"), nil)
    }
}
