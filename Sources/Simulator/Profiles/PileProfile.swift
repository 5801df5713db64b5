import EVModel
import OCPP

/// A pile model as a network deploys it: identity, electrical limits, OCPP settings and
/// the deviations from the spec it is known for. One YAML file per model in
/// `Simulators/piles/`. Figures carry their source tag in the YAML comments.
public struct PileProfile: Codable, Sendable, Equatable {
    /// Stable id used by fleets and scenarios, e.g. `nio-640`.
    public var id: String
    public var network: String
    public var vendor: String
    public var model: String
    public var firmware: String = "1.0.0"
    public var ocppVersion: OCPPVersion = .v16
    public var current: CurrentKind
    /// Guns (connectors) on the pile, numbered 1...n.
    public var connectors: Int = 1
    /// Most power one gun delivers, kW.
    public var maxPowerKW: Double
    /// Power the whole pile (or cabinet) can deliver at once, shared between guns; nil = guns × maxPowerKW.
    public var sharedPowerKW: Double?
    public var maxCurrentA: Double
    public var maxVoltageV: Double
    /// Lowest pack voltage the pile can charge (an 800 V-only pile: 800); 0 = no floor.
    public var minVoltageV: Double = 0
    /// Identity template: `{network}`, `{n}` (zero-padded serial) and `{station}` are replaced.
    public var identityPattern: String = "{network}-{n}"
    public var heartbeatInterval: Int = 300
    public var meterValueSampleInterval: Int = 60
    public var clockAlignedDataInterval: Int = 0
    /// Measurands in MeterValues (MeterValuesSampledData).
    public var measurands: [String] = ["Energy.Active.Import.Register", "Power.Active.Import", "Current.Import", "Voltage", "SoC"]
    /// Measurands in StopTransaction.transactionData (StopTxnSampledData).
    public var stopTxnMeasurands: [String] = ["Energy.Active.Import.Register"]
    /// The pile starts a transaction from the vehicle's VIN (plug and charge).
    public var plugAndCharge: Bool = false
    /// Seconds the pile takes to answer the gateway's calls.
    public var replyDelay: Double = 0
    public var quirks: [Quirk] = []
    /// 2.0.1 only: TxCtrlr.TxStartPoint, what opens a transaction (E01). Default as most
    /// stations ship: when the power path closes (plugged in and authorized).
    public var txStartPoint: [String] = ["PowerPathClosed"]
    /// 2.0.1 only: TxCtrlr.TxStopPoint, what ends it: the cable leaving or the authorization ending.
    public var txStopPoint: [String] = ["EVConnected", "Authorized"]
    /// 2.0.1 only: the deviations of the station's TransactionEvents (docs/quirks.md).
    public var v201Quirks: [V201Quirk] = []
    /// 1.6 only: the feature profiles the pile plays, reported as `SupportedFeatureProfiles`.
    /// An action of a profile not listed is answered CALLERROR NotSupported. Core is always
    /// played (1.6 makes it mandatory). FirmwareManagement may be listed, but the simulator
    /// does not play it yet: listing it only changes the reported key.
    public var featureProfiles: [FeatureProfile] = FeatureProfile.defaults
    /// 1.6 only: ReserveConnectorZeroSupported, whether ReserveNow may name connector 0.
    public var reserveConnectorZero: Bool = false
    /// 1.6 only: whether the pile implements the security whitepaper's certificate messages
    /// (ExtendedTriggerMessage, CertificateSigned, Install/GetInstalled/DeleteCertificate);
    /// without it they are answered NotSupported, as by the many 1.6 piles that lack it.
    /// 2.0.1 stations always play them (block A and M).
    public var securityExtension: Bool = false

    public typealias CurrentKind = EVModel.CurrentKind

    /// `SupportedFeatureProfiles`: Core first, then the others as listed, once each.
    public var supportedFeatureProfiles: String {
        var seen: Set<FeatureProfile> = [.Core]
        return ([FeatureProfile.Core] + featureProfiles.filter { seen.insert($0).inserted }).map(\.rawValue).joined(separator: ",")
    }

    public var totalPowerKW: Double { sharedPowerKW ?? maxPowerKW * Double(connectors) }
}

// Decoding with defaults: a profile file only needs the required keys (synthesized
// Decodable would demand every key). Encoding stays synthesized under the same keys, so
// YAMLConfig's unknown-key check sees every property. Defaults live once, on the
// properties: the memberwise init applies them, then present keys override them.
extension PileProfile {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, network, vendor, model, firmware, ocppVersion, current, connectors, maxPowerKW, sharedPowerKW
        case maxCurrentA, maxVoltageV, minVoltageV, identityPattern, heartbeatInterval, meterValueSampleInterval
        case clockAlignedDataInterval, measurands, stopTxnMeasurands, plugAndCharge, replyDelay, quirks
        case txStartPoint, txStopPoint, v201Quirks, featureProfiles, reserveConnectorZero, securityExtension
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            network: try c.decode(String.self, forKey: .network),
            vendor: try c.decode(String.self, forKey: .vendor),
            model: try c.decode(String.self, forKey: .model),
            current: try c.decode(CurrentKind.self, forKey: .current),
            maxPowerKW: try c.decode(Double.self, forKey: .maxPowerKW),
            maxCurrentA: try c.decode(Double.self, forKey: .maxCurrentA),
            maxVoltageV: try c.decode(Double.self, forKey: .maxVoltageV))
        firmware = try c.decodeIfPresent(String.self, forKey: .firmware) ?? firmware
        minVoltageV = try c.decodeIfPresent(Double.self, forKey: .minVoltageV) ?? minVoltageV
        ocppVersion = try c.decodeIfPresent(OCPPVersion.self, forKey: .ocppVersion) ?? ocppVersion
        connectors = try c.decodeIfPresent(Int.self, forKey: .connectors) ?? connectors
        sharedPowerKW = try c.decodeIfPresent(Double.self, forKey: .sharedPowerKW)
        identityPattern = try c.decodeIfPresent(String.self, forKey: .identityPattern) ?? identityPattern
        heartbeatInterval = try c.decodeIfPresent(Int.self, forKey: .heartbeatInterval) ?? heartbeatInterval
        meterValueSampleInterval = try c.decodeIfPresent(Int.self, forKey: .meterValueSampleInterval) ?? meterValueSampleInterval
        clockAlignedDataInterval = try c.decodeIfPresent(Int.self, forKey: .clockAlignedDataInterval) ?? clockAlignedDataInterval
        measurands = try c.decodeIfPresent([String].self, forKey: .measurands) ?? measurands
        stopTxnMeasurands = try c.decodeIfPresent([String].self, forKey: .stopTxnMeasurands) ?? stopTxnMeasurands
        plugAndCharge = try c.decodeIfPresent(Bool.self, forKey: .plugAndCharge) ?? plugAndCharge
        replyDelay = try c.decodeIfPresent(Double.self, forKey: .replyDelay) ?? replyDelay
        quirks = try c.decodeIfPresent([Quirk].self, forKey: .quirks) ?? quirks
        txStartPoint = try c.decodeIfPresent([String].self, forKey: .txStartPoint) ?? txStartPoint
        txStopPoint = try c.decodeIfPresent([String].self, forKey: .txStopPoint) ?? txStopPoint
        v201Quirks = try c.decodeIfPresent([V201Quirk].self, forKey: .v201Quirks) ?? v201Quirks
        featureProfiles = try c.decodeIfPresent([FeatureProfile].self, forKey: .featureProfiles) ?? featureProfiles
        reserveConnectorZero = try c.decodeIfPresent(Bool.self, forKey: .reserveConnectorZero) ?? reserveConnectorZero
        securityExtension = try c.decodeIfPresent(Bool.self, forKey: .securityExtension) ?? securityExtension
    }
}

/// An OCPP 1.6 feature profile, spelled as `SupportedFeatureProfiles` spells it.
public enum FeatureProfile: String, Codable, Sendable, CaseIterable {
    case Core, FirmwareManagement, LocalAuthListManagement, Reservation, SmartCharging, RemoteTrigger

    /// What a pile plays unless its profile says otherwise: everything the simulator plays.
    public static let defaults: [FeatureProfile] = [.Core, .FirmwareManagement, .RemoteTrigger, .Reservation, .LocalAuthListManagement, .SmartCharging]

    /// The profile a CS→CP 1.6 action belongs to, for the ones a pile may not play.
    public static func of(action: String) -> FeatureProfile? {
        switch action {
        case "ReserveNow", "CancelReservation": .Reservation
        case "SendLocalList", "GetLocalListVersion": .LocalAuthListManagement
        case "SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule": .SmartCharging
        case "TriggerMessage": .RemoteTrigger
        // GetLog (security extension) uploads like GetDiagnostics: played with Firmware Management.
        case "GetDiagnostics", "UpdateFirmware", "SignedUpdateFirmware", "GetLog": .FirmwareManagement
        default: nil
        }
    }
}

/// A pile model's electrical limits are what the charging physics needs.
extension PileProfile: PileElectrics {}
