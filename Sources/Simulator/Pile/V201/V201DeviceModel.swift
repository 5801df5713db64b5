import Foundation
import OCPP

/// The station's device model (2.0.1 Part 2): components and variables that GetVariables
/// reads, SetVariables writes and GetBaseReport lists. Variables that mean the same as a
/// 1.6 configuration key (HeartbeatInterval, sampled data …) are kept there, so both
/// versions' charging and timers read one value.
struct V201DeviceModel: Sendable {
    struct Entry: Sendable {
        var component: String
        var evse: Int? = nil
        var connector: Int? = nil
        var variable: String
        var instance: String? = nil
        var value: String
        var mutability: V201.MutabilityEnum = .readWrite
        var dataType: V201.DataEnum
        /// The shared configuration key that holds the value; nil = kept here.
        var configKey: String? = nil
    }

    private(set) var entries: [Entry] = []

    init() {}

    init(profile: PileProfile, identity: String) {
        entries = [
            Entry(component: "ChargingStation", variable: "Model", value: profile.model, mutability: .readOnly, dataType: .string),
            Entry(component: "ChargingStation", variable: "VendorName", value: profile.vendor, mutability: .readOnly, dataType: .string),
            Entry(component: "ChargingStation", variable: "AvailabilityState", value: "Available", mutability: .readOnly, dataType: .optionList),
            Entry(component: "SecurityCtrlr", variable: "Identity", value: identity, mutability: .readOnly, dataType: .string),
            Entry(component: "SecurityCtrlr", variable: "BasicAuthPassword", value: "", mutability: .writeOnly, dataType: .string, configKey: SimulatedPile.passwordKey),
            Entry(component: "OCPPCommCtrlr", variable: "HeartbeatInterval", value: "", dataType: .integer, configKey: "HeartbeatInterval"),
            Entry(component: "OCPPCommCtrlr", variable: "MessageAttempts", instance: "TransactionEvent", value: "", dataType: .integer, configKey: "TransactionMessageAttempts"),
            Entry(component: "OCPPCommCtrlr", variable: "MessageAttemptInterval", instance: "TransactionEvent", value: "", dataType: .integer, configKey: "TransactionMessageRetryInterval"),
            Entry(component: "SampledDataCtrlr", variable: "TxUpdatedInterval", value: "", dataType: .integer, configKey: "MeterValueSampleInterval"),
            Entry(component: "SampledDataCtrlr", variable: "TxUpdatedMeasurands", value: "", dataType: .memberList, configKey: "MeterValuesSampledData"),
            Entry(component: "SampledDataCtrlr", variable: "TxEndedMeasurands", value: "", dataType: .memberList, configKey: "StopTxnSampledData"),
            Entry(component: "AlignedDataCtrlr", variable: "Interval", value: "", dataType: .integer, configKey: "ClockAlignedDataInterval"),
            Entry(component: "AlignedDataCtrlr", variable: "Measurands", value: "", dataType: .memberList, configKey: "MeterValuesAlignedData"),
            // 2.0.1 stations mostly trust a RequestStartTransaction (the 1.6 key defaults to true).
            Entry(component: "AuthCtrlr", variable: "AuthorizeRemoteStart", value: "false", dataType: .boolean),
            Entry(component: "TxCtrlr", variable: "TxStartPoint", value: profile.txStartPoint.joined(separator: ","), dataType: .memberList),
            Entry(component: "TxCtrlr", variable: "TxStopPoint", value: profile.txStopPoint.joined(separator: ","), dataType: .memberList),
            Entry(component: "TxCtrlr", variable: "EVConnectionTimeOut", value: "", dataType: .integer, configKey: "ConnectionTimeOut"),
            Entry(component: "TxCtrlr", variable: "StopTxOnInvalidId", value: "", dataType: .boolean, configKey: "StopTransactionOnInvalidId"),
            Entry(component: "TxCtrlr", variable: "StopTxOnEVSideDisconnect", value: "", dataType: .boolean, configKey: "StopTransactionOnEVSideDisconnect"),
            Entry(component: "DeviceDataCtrlr", variable: "ItemsPerMessage", instance: "GetReport", value: "10", mutability: .readOnly, dataType: .integer),
            Entry(component: "DeviceDataCtrlr", variable: "ItemsPerMessage", instance: "GetVariables", value: "50", mutability: .readOnly, dataType: .integer),
        ]
        for evse in 1...max(1, profile.connectors) {
            entries.append(Entry(component: "EVSE", evse: evse, variable: "AvailabilityState", value: "Available", mutability: .readOnly, dataType: .optionList))
            entries.append(Entry(component: "EVSE", evse: evse, variable: "Power", value: String(format: "%.0f", profile.maxPowerKW * 1000), mutability: .readOnly, dataType: .decimal))
            entries.append(Entry(component: "Connector", evse: evse, connector: 1, variable: "ConnectorType", value: profile.current == .dc ? "cGBT" : "sType2", mutability: .readOnly, dataType: .string))
        }
    }

    var itemsPerReport: Int { entries.first { $0.variable == "ItemsPerMessage" && $0.instance == "GetReport" }.flatMap { Int($0.value) } ?? 10 }
    var authorizeRemoteStart: Bool { entries.first { $0.variable == "AuthorizeRemoteStart" }?.value.lowercased() == "true" }
    var txStartPoints: Set<V201TxPoint> { points("TxStartPoint") }
    var txStopPoints: Set<V201TxPoint> { points("TxStopPoint") }

    private func points(_ variable: String) -> Set<V201TxPoint> {
        let value = entries.first { $0.component == "TxCtrlr" && $0.variable == variable }?.value ?? ""
        return Set(value.split(separator: ",").compactMap { V201TxPoint(rawValue: $0.trimmingCharacters(in: .whitespaces)) })
    }

    /// Components compare case-insensitively with their EVSE and connector (Part 2 §3.1).
    private func matches(_ e: Entry, _ component: V201.Component) -> Bool {
        e.component.caseInsensitiveCompare(component.name) == .orderedSame && e.evse == component.evse?.id
            && (component.evse?.connectorId == nil || e.connector == component.evse?.connectorId)
    }

    private func find(_ component: V201.Component, _ variable: V201.Variable) -> (index: Int?, knownComponent: Bool) {
        let known = entries.contains { matches($0, component) }
        let index = entries.firstIndex {
            matches($0, component) && $0.variable.caseInsensitiveCompare(variable.name) == .orderedSame && $0.instance == variable.instance
        }
        return (index, known)
    }

    func value(of entry: Entry, _ config: ConfigurationStore) -> String { entry.configKey.flatMap(config.string) ?? entry.value }

    func get(_ data: V201.GetVariableData, _ config: ConfigurationStore) -> V201.GetVariableResult {
        let (index, known) = find(data.component, data.variable)
        func result(_ status: V201.GetVariableStatusEnum, _ value: String? = nil) -> V201.GetVariableResult {
            .init(attributeStatus: status, component: data.component, variable: data.variable, attributeType: data.attributeType, attributeValue: value)
        }
        guard known else { return result(.unknownComponent) }
        guard let index else { return result(.unknownVariable) }
        guard (data.attributeType ?? .actual) == .actual else { return result(.notSupportedAttributeType) }
        if entries[index].mutability == .writeOnly { return result(.rejected) }
        return result(.accepted, value(of: entries[index], config))
    }

    mutating func set(_ data: V201.SetVariableData, _ config: inout ConfigurationStore) -> V201.SetVariableResult {
        let (index, known) = find(data.component, data.variable)
        func result(_ status: V201.SetVariableStatusEnum) -> V201.SetVariableResult {
            .init(attributeStatus: status, component: data.component, variable: data.variable, attributeType: data.attributeType)
        }
        guard known else { return result(.unknownComponent) }
        guard let index else { return result(.unknownVariable) }
        guard (data.attributeType ?? .actual) == .actual else { return result(.notSupportedAttributeType) }
        let entry = entries[index]
        guard entry.mutability != .readOnly, Self.valid(data.attributeValue, entry) else { return result(.rejected) }
        if let key = entry.configKey {
            return result(config.change(key, to: data.attributeValue) == .Accepted ? .accepted : .rejected)
        }
        entries[index].value = data.attributeValue
        return result(.accepted)
    }

    private static func valid(_ value: String, _ entry: Entry) -> Bool {
        switch entry.dataType {
        case .integer: return Int(value).map { $0 >= 0 } ?? false
        case .boolean: return ["true", "false"].contains(value.lowercased())
        case .memberList where entry.component == "TxCtrlr":
            let items = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return !items.isEmpty && items.allSatisfy { V201TxPoint(rawValue: $0) != nil }
        default: return value.count <= 2500
        }
    }

    /// GetBaseReport's rows: everything (FullInventory), what can be set (ConfigurationInventory)
    /// or the availability of the station and its EVSEs (SummaryInventory).
    func report(_ base: V201.ReportBaseEnum, _ config: ConfigurationStore) -> [V201.ReportData] {
        let rows = entries.filter { e in
            switch base {
            case .fullInventory: true
            case .configurationInventory: e.mutability != .readOnly
            case .summaryInventory: e.variable == "AvailabilityState"
            }
        }
        return rows.map { e in
            let evse = e.evse.map { V201.EVSE(id: $0, connectorId: e.connector) }
            return V201.ReportData(
                component: V201.Component(name: e.component, evse: evse), variable: V201.Variable(name: e.variable, instance: e.instance),
                variableAttribute: [V201.VariableAttribute(type: .actual, value: e.mutability == .writeOnly ? nil : value(of: e, config), mutability: e.mutability)],
                variableCharacteristics: V201.VariableCharacteristics(dataType: e.dataType, supportsMonitoring: false))
        }
    }

    /// Keeps the AvailabilityState variables in step with ChangeAvailability.
    mutating func setAvailability(evse: Int?, _ state: String) {
        for i in entries.indices where entries[i].variable == "AvailabilityState" && entries[i].evse == evse { entries[i].value = state }
    }
}
