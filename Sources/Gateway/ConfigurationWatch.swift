import Foundation
import OCPP
import OCPPWebSocket
import SessionStore

/// How the gateway learns the few settings of a pile's configuration its rules read
/// (`PileSettings`): from the frames themselves, so no store read lies on a frame's path.
/// Only the configuration actions are parsed; every other frame costs a string compare.
extension ChargePointSession {
    static let watchedKeys: Set<String> = PileSettings.endMeasurandKeys.union(["NumberOfConnectors"])

    /// Our configuration CALL: remembered until the pile answers it.
    func noteConfigurationCall(_ tap: FrameTap) {
        if tap.action == V201.GetBaseReport.name, let payload = try? JSONParser.parse(tap.text).arrayValue?.last {
            compliance.state.settings.baseReportId = payload["requestId"]?.intValue.map { Int(clamping: $0) }
            compliance.state.settings.reportedEVSEs = nil
            return
        }
        guard tap.action == V16.ChangeConfiguration.name || tap.action == V201.SetVariables.name, let messageId = tap.messageId,
            let payload = try? JSONParser.parse(tap.text).arrayValue?.last
        else { return }
        var entries: [(key: String, value: String)] = []
        if tap.action == V16.ChangeConfiguration.name {
            if let key = payload["key"]?.stringValue, Self.watchedKeys.contains(key), let value = payload["value"]?.stringValue {
                entries.append((key, value))
            }
        } else {
            for data in (payload["setVariableData"]?.arrayValue ?? []).prefix(64) where data["component"]?["name"]?.stringValue == "SampledDataCtrlr" {
                if let key = data["variable"]?["name"]?.stringValue, Self.watchedKeys.contains(key),
                    let value = data["attributeValue"]?.stringValue
                {
                    entries.append((key, value))
                }
            }
        }
        compliance.state.settings.pending = entries.isEmpty ? nil : (messageId, entries)
    }

    /// The pile's answer to one of our configuration CALLs.
    func noteConfigurationReply(_ tap: FrameTap) {
        guard let action = tap.action,
            [V16.GetConfiguration.name, V16.ChangeConfiguration.name, V201.SetVariables.name, V201.GetVariables.name].contains(action),
            let frame = try? JSONParser.parse(tap.text).arrayValue, frame.first?.intValue == 3, let payload = frame.last
        else { return }
        var settings = compliance.state.settings
        switch action {
        case V16.GetConfiguration.name:
            for entry in (payload["configurationKey"]?.arrayValue ?? []).prefix(512) {
                if let key = entry["key"]?.stringValue, Self.watchedKeys.contains(key) { settings.apply(key: key, value: entry["value"]?.stringValue) }
            }
        case V201.GetVariables.name:
            for result in (payload["getVariableResult"]?.arrayValue ?? []).prefix(512)
            where result["attributeStatus"]?.stringValue == "Accepted" && result["component"]?["name"]?.stringValue == "SampledDataCtrlr" {
                if let key = result["variable"]?["name"]?.stringValue, Self.watchedKeys.contains(key) {
                    settings.apply(key: key, value: result["attributeValue"]?.stringValue)
                }
            }
        default:
            guard let pending = settings.pending, pending.messageId == tap.messageId else { return }
            settings.pending = nil
            let statuses =
                action == V16.ChangeConfiguration.name
                ? [payload["status"]?.stringValue]
                : (payload["setVariableResult"]?.arrayValue ?? []).map { $0["attributeStatus"]?.stringValue }
            if !statuses.isEmpty && statuses.allSatisfy({ $0 == "Accepted" || $0 == "RebootRequired" }) {
                for entry in pending.entries { settings.apply(key: entry.key, value: entry.value) }
            }
        }
        compliance.state.settings = settings
    }

    /// A page of a 2.0.1 report: TxEndedMeasurands, and the EVSEs it lists. EVSEs count only
    /// in the answer to our GetBaseReport (a GetReport may name some of them) and once its last
    /// page came, so a StatusNotification between pages is not beyond a partial count.
    func noteDeviceModel(_ variables: [DeviceVariableRecord], requestId: Int, lastPage: Bool) {
        var settings = compliance.state.settings
        for variable in variables where variable.attribute == "Actual" {
            if variable.component == "SampledDataCtrlr" && variable.variable == "TxEndedMeasurands" {
                settings.apply(key: variable.variable, value: variable.value)
            }
        }
        guard let base = settings.baseReportId, base == requestId else {
            compliance.state.settings = settings
            return
        }
        let evses = variables.filter { $0.component == "EVSE" }.compactMap(\.evseId).filter { (1...WireBounds.connectorId.upperBound).contains($0) }
        settings.reportedEVSEs = max(settings.reportedEVSEs ?? 0, evses.max() ?? 0)
        if lastPage, let count = settings.reportedEVSEs, count > 0 {
            settings.connectorCount = count
            settings.reportedEVSEs = nil
            settings.baseReportId = nil
        }
        compliance.state.settings = settings
    }
}
