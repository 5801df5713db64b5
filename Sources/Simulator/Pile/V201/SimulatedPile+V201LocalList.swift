import Foundation
import OCPP

/// The 2.0.1 station's local authorization list (D01 SendLocalList, D02
/// GetLocalListVersion), kept in the same list as the 1.6 pile's: Full replaces it,
/// Differential updates it (an entry without idTokenInfo removes its token) and must carry a
/// newer version; more entries than the station takes in one message, or a list longer than
/// it holds, is Failed and changes nothing. Statuses 1.6 lacks are kept as Invalid.
extension SimulatedPile {
    func localListVersion201() -> V201.GetLocalListVersion.Response {
        .init(versionNumber: localList.entries.isEmpty ? 0 : localList.version)
    }

    func sendLocalList201(_ request: V201.SendLocalList.Request) -> V201.SendLocalList.Response {
        if let forced = scripted(V201.SendLocalList.name, V201.SendLocalListStatusEnum.self) { return .init(status: forced) }
        let items = request.localAuthorizationList ?? []
        guard items.count <= ConfigurationStore.sendLocalListMaxLength else { return .init(status: .failed) }
        var list = localList
        switch request.updateType {
        case .full:
            list.entries = [:]
        case .differential:
            guard request.versionNumber > list.version else { return .init(status: .versionMismatch) }
        }
        for item in items {
            list.entries[LocalAuthList.key(item.idToken.idToken)] = item.idTokenInfo.map { info in
                V16.IdTagInfo(
                    status: V16.AuthorizationStatus(rawValue: info.status.rawValue) ?? .Invalid, expiryDate: info.cacheExpiryDateTime,
                    parentIdTag: info.groupIdToken?.idToken)
            }
        }
        guard list.entries.count <= ConfigurationStore.localAuthListMaxLength else { return .init(status: .failed) }
        list.version = request.versionNumber
        localList = list
        return .init(status: .accepted)
    }
}
