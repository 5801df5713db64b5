import Foundation
import OCPP

/// The pile's OCPP 1.6 configuration keys: what GetConfiguration reports and
/// ChangeConfiguration changes, with the spec's access rules and value checks.
public struct ConfigurationStore: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case integer, boolean, measurandList, text }

    struct Key: Sendable, Equatable {
        var value: String
        let kind: Kind
        let readonly: Bool
        /// Write-only (AuthorizationKey): never reported by GetConfiguration.
        let writeOnly: Bool
    }

    private var keys: [String: Key]
    private let order: [String]

    public init(profile: PileProfile) {
        var entries: [(String, String, Kind, Bool, Bool)] = [
            ("HeartbeatInterval", String(profile.heartbeatInterval), .integer, false, false),
            ("MeterValueSampleInterval", String(profile.meterValueSampleInterval), .integer, false, false),
            ("MeterValuesSampledData", profile.measurands.joined(separator: ","), .measurandList, false, false),
            ("ClockAlignedDataInterval", String(profile.clockAlignedDataInterval), .integer, false, false),
            ("MeterValuesAlignedData", "Energy.Active.Import.Register", .measurandList, false, false),
            ("StopTxnSampledData", profile.stopTxnMeasurands.joined(separator: ","), .measurandList, false, false),
            ("StopTxnAlignedData", "", .measurandList, false, false),
            ("AuthorizeRemoteTxRequests", "true", .boolean, false, false),
            ("LocalPreAuthorize", "false", .boolean, false, false),
            ("StopTransactionOnEVSideDisconnect", "true", .boolean, false, false),
            ("StopTransactionOnInvalidId", "true", .boolean, false, false),
            ("TransactionMessageAttempts", "3", .integer, false, false),
            ("TransactionMessageRetryInterval", "30", .integer, false, false),
            ("WebSocketPingInterval", "0", .integer, false, false),
            ("ConnectionTimeOut", "120", .integer, false, false),
            ("ResetRetries", "1", .integer, false, false),
            ("NumberOfConnectors", String(profile.connectors), .integer, true, false),
            ("SupportedFeatureProfiles", profile.supportedFeatureProfiles, .text, true, false),
            ("AuthorizationKey", "", .text, false, true),
            ("LocalAuthorizeOffline", "true", .boolean, false, false),
            ("AllowOfflineTxForUnknownId", "false", .boolean, false, false),
        ]
        let features = Set(profile.featureProfiles)
        if features.contains(.Reservation) {
            entries.append(("ReserveConnectorZeroSupported", profile.reserveConnectorZero ? "true" : "false", .boolean, true, false))
        }
        if features.contains(.LocalAuthListManagement) {
            entries += [
                ("LocalAuthListEnabled", "true", .boolean, false, false),
                ("LocalAuthListMaxLength", String(Self.localAuthListMaxLength), .integer, true, false),
                ("SendLocalListMaxLength", String(Self.sendLocalListMaxLength), .integer, true, false),
            ]
        }
        if features.contains(.SmartCharging) {
            entries += [
                ("ChargeProfileMaxStackLevel", String(Self.maxStackLevel), .integer, true, false),
                ("ChargingScheduleAllowedChargingRateUnit", profile.current == .ac ? "Current,Power" : "Power,Current", .text, true, false),
                ("ChargingScheduleMaxPeriods", String(Self.maxSchedulePeriods), .integer, true, false),
                ("MaxChargingProfilesInstalled", String(Self.maxProfilesInstalled), .integer, true, false),
            ]
        }
        keys = Dictionary(uniqueKeysWithValues: entries.map { ($0.0, Key(value: $0.1, kind: $0.2, readonly: $0.3, writeOnly: $0.4)) })
        order = entries.map(\.0)
    }

    static let localAuthListMaxLength = 1000
    static let sendLocalListMaxLength = 250
    static let maxStackLevel = 10
    static let maxSchedulePeriods = 48
    static let maxProfilesInstalled = 20

    public func string(_ key: String) -> String? { keys[key]?.value }
    public func int(_ key: String) -> Int? { keys[key].flatMap { Int($0.value) } }
    public func bool(_ key: String) -> Bool { keys[key]?.value.lowercased() == "true" }
    public func list(_ key: String) -> [String] {
        (keys[key]?.value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Key names are CiString50Type, so they compare case-insensitively (OCPP 1.6 CiString).
    private func canonical(_ name: String) -> String {
        if keys[name] != nil { return name }
        return order.first { $0.caseInsensitiveCompare(name) == .orderedSame } ?? name
    }

    /// GetConfiguration: the requested keys (all when nil), and the names we do not know.
    public func get(_ requested: [String]?) -> V16.GetConfiguration.Response {
        let names = requested?.map(canonical) ?? order
        var known: [V16.KeyValue] = []
        var unknown: [String] = []
        for (index, name) in names.enumerated() {
            guard let key = keys[name], !key.writeOnly || requested != nil else {
                if keys[name] == nil { unknown.append(requested?[index] ?? name) }
                continue
            }
            known.append(V16.KeyValue(key: name, readonly: key.readonly, value: key.writeOnly ? nil : key.value))
        }
        return .init(configurationKey: known.isEmpty ? nil : known, unknownKey: unknown.isEmpty ? nil : unknown)
    }

    /// ChangeConfiguration, with the spec's answers: NotSupported for unknown keys, Rejected
    /// for read-only keys and for values of the wrong kind (e.g. a measurand we do not sample).
    public mutating func change(_ name: String, to value: String) -> V16.ConfigurationStatus {
        let name = canonical(name)
        guard var key = keys[name] else { return .NotSupported }
        guard !key.readonly else { return .Rejected }
        switch key.kind {
        case .integer:
            guard let number = Int(value), number >= 0 else { return .Rejected }
        case .boolean:
            guard ["true", "false"].contains(value.lowercased()) else { return .Rejected }
        case .measurandList:
            let items = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard items.allSatisfy({ V16.Measurand(rawValue: $0) != nil }) else { return .Rejected }
        case .text:
            break
        }
        // Writing an unchanged value would copy storage that piles of a model share.
        guard key.value != value else { return .Accepted }
        key.value = value
        keys[name] = key
        return .Accepted
    }
}
