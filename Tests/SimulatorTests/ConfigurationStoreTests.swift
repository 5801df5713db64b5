import OCPP
import XCTest
import YAMLConfig

@testable import Simulator

final class ConfigurationStoreTests: XCTestCase {
    private func store(_ id: String = "teld-120") throws -> ConfigurationStore { ConfigurationStore(profile: try pile(id)) }

    // MARK: GetConfiguration

    func testGetConfigurationWithoutKeysReportsEveryReadableKeyFromTheProfile() throws {
        let profile = try pile("teld-120")
        let response = try store().get(nil)
        XCTAssertNil(response.unknownKey)
        let keys = try XCTUnwrap(response.configurationKey)
        let byName = Dictionary(uniqueKeysWithValues: keys.map { ($0.key, $0) })
        XCTAssertEqual(byName.count, keys.count, "no key twice")
        XCTAssertEqual(byName["HeartbeatInterval"], V16.KeyValue(key: "HeartbeatInterval", readonly: false, value: String(profile.heartbeatInterval)))
        XCTAssertEqual(byName["MeterValueSampleInterval"]?.value, String(profile.meterValueSampleInterval))
        XCTAssertEqual(byName["MeterValuesSampledData"]?.value, profile.measurands.joined(separator: ","))
        XCTAssertEqual(byName["StopTxnSampledData"]?.value, profile.stopTxnMeasurands.joined(separator: ","))
        XCTAssertEqual(byName["NumberOfConnectors"], V16.KeyValue(key: "NumberOfConnectors", readonly: true, value: "2"))
        XCTAssertEqual(byName["SupportedFeatureProfiles"]?.readonly, true)
        for required in ["ConnectionTimeOut", "TransactionMessageAttempts", "TransactionMessageRetryInterval", "StopTransactionOnInvalidId"] {
            XCTAssertNotNil(byName[required], required)
        }
    }

    func testAuthorizationKeyIsNeverReportedWhenAskingForAll() throws {
        var store = try store()
        XCTAssertFalse(try XCTUnwrap(store.get(nil).configurationKey).contains { $0.key == "AuthorizationKey" })
        XCTAssertEqual(store.change("AuthorizationKey", to: "0123456789abcdef0123456789abcdef"), .Accepted)
        let all = try XCTUnwrap(store.get(nil).configurationKey)
        XCTAssertFalse(all.contains { $0.key == "AuthorizationKey" })
        XCTAssertFalse(all.contains { $0.value == "0123456789abcdef0123456789abcdef" })
        // Asked for by name it is known, but its value is never disclosed.
        let named = store.get(["AuthorizationKey"])
        XCTAssertNil(named.unknownKey)
        XCTAssertEqual(named.configurationKey, [V16.KeyValue(key: "AuthorizationKey", readonly: false, value: nil)])
    }

    func testGetConfigurationForSomeKeysReportsThoseInTheOrderAsked() throws {
        let response = try store().get(["NumberOfConnectors", "HeartbeatInterval"])
        XCTAssertNil(response.unknownKey)
        XCTAssertEqual(
            response.configurationKey,
            [V16.KeyValue(key: "NumberOfConnectors", readonly: true, value: "2"), V16.KeyValue(key: "HeartbeatInterval", readonly: false, value: "180")])
    }

    func testGetConfigurationListsUnknownKeysSeparately() throws {
        let mixed = try store().get(["HeartbeatInterval", "NoSuchKey", "ConnectionTimeOut"])
        XCTAssertEqual(mixed.configurationKey?.map(\.key), ["HeartbeatInterval", "ConnectionTimeOut"])
        XCTAssertEqual(mixed.unknownKey, ["NoSuchKey"])
        let onlyUnknown = try store().get(["NoSuchKey"])
        XCTAssertNil(onlyUnknown.configurationKey)
        XCTAssertEqual(onlyUnknown.unknownKey, ["NoSuchKey"])
    }

    // MARK: ChangeConfiguration

    func testChangeConfigurationAcceptsAValidValueAndKeepsIt() throws {
        var store = try store()
        XCTAssertEqual(store.change("HeartbeatInterval", to: "60"), .Accepted)
        XCTAssertEqual(store.int("HeartbeatInterval"), 60)
        XCTAssertEqual(store.get(["HeartbeatInterval"]).configurationKey?.first?.value, "60")
        XCTAssertEqual(store.change("MeterValuesSampledData", to: "Energy.Active.Import.Register, Voltage"), .Accepted)
        XCTAssertEqual(store.list("MeterValuesSampledData"), ["Energy.Active.Import.Register", "Voltage"])
        XCTAssertEqual(store.change("StopTxnAlignedData", to: ""), .Accepted)
        XCTAssertEqual(store.change("LocalPreAuthorize", to: "true"), .Accepted)
        XCTAssertTrue(store.bool("LocalPreAuthorize"))
    }

    func testChangeConfigurationRejectsReadOnlyNumberOfConnectors() throws {
        var store = try store()
        XCTAssertEqual(store.change("NumberOfConnectors", to: "4"), .Rejected)
        XCTAssertEqual(store.int("NumberOfConnectors"), 2)
        XCTAssertEqual(store.change("SupportedFeatureProfiles", to: "Core"), .Rejected)
    }

    func testChangeConfigurationRejectsANonIntegerHeartbeatInterval() throws {
        var store = try store()
        for bad in ["abc", "1.5", "-5", "", "60s"] {
            XCTAssertEqual(store.change("HeartbeatInterval", to: bad), .Rejected, "\"\(bad)\"")
        }
        XCTAssertEqual(store.int("HeartbeatInterval"), 180, "a rejected value leaves the old one")
    }

    func testChangeConfigurationRejectsAnUnknownMeasurand() throws {
        var store = try store()
        let before = store.list("MeterValuesSampledData")
        XCTAssertEqual(store.change("MeterValuesSampledData", to: "Energy.Active.Import.Register,Bogus.Measurand"), .Rejected)
        XCTAssertEqual(store.change("MeterValuesSampledData", to: "energy.active.import.register"), .Rejected)
        XCTAssertEqual(store.list("MeterValuesSampledData"), before)
    }

    func testChangeConfigurationRejectsANonBooleanForABooleanKey() throws {
        var store = try store()
        XCTAssertEqual(store.change("StopTransactionOnInvalidId", to: "yes"), .Rejected)
    }

    func testChangeConfigurationOfAnUnknownKeyIsNotSupported() throws {
        var store = try store()
        XCTAssertEqual(store.change("NoSuchKey", to: "1"), .NotSupported)
        XCTAssertNil(store.string("NoSuchKey"))
    }

    func testKeyNamesAreCaseInsensitiveCiStrings() throws {
        var store = try store()
        XCTAssertEqual(store.change("heartbeatinterval", to: "60"), .Accepted)
        XCTAssertEqual(store.int("HeartbeatInterval"), 60)
        XCTAssertEqual(store.change("NUMBEROFCONNECTORS", to: "4"), .Rejected)
        let response = store.get(["HEARTBEATINTERVAL", "nosuchkey"])
        XCTAssertEqual(response.configurationKey, [V16.KeyValue(key: "HeartbeatInterval", readonly: false, value: "60")])
        XCTAssertEqual(response.unknownKey, ["nosuchkey"])
    }
}

/// `featureProfiles` in a pile's YAML: what SupportedFeatureProfiles reports, and which keys exist.
final class FeatureProfilesConfigurationTests: XCTestCase {
    private let yaml = """
        id: depot-22
        network: Depot
        vendor: Acme
        model: AC22
        current: ac
        maxPowerKW: 22
        maxCurrentA: 32
        maxVoltageV: 400
        featureProfiles: [Core, SmartCharging]
        reserveConnectorZero: true
        """

    func testAProfilesFeatureProfilesAreReportedAndOnlyTheirKeysExist() throws {
        let profile = try YAMLConfig.decode(PileProfile.self, from: yaml, file: "depot-22.yaml")
        XCTAssertEqual(profile.featureProfiles, [.Core, .SmartCharging])
        let store = ConfigurationStore(profile: profile)
        XCTAssertEqual(store.string("SupportedFeatureProfiles"), "Core,SmartCharging")
        XCTAssertNotNil(store.string("ChargeProfileMaxStackLevel"))
        XCTAssertNil(store.string("LocalAuthListEnabled"), "no local list keys without LocalAuthListManagement")
        XCTAssertNil(store.string("ReserveConnectorZeroSupported"), "no reservation keys without Reservation")
    }

    func testTheDefaultPlaysEveryProfileTheSimulatorPlays() throws {
        var profile = try YAMLConfig.decode(PileProfile.self, from: yaml, file: "depot-22.yaml")
        profile.featureProfiles = FeatureProfile.defaults
        let store = ConfigurationStore(profile: profile)
        XCTAssertEqual(store.string("SupportedFeatureProfiles"), "Core,FirmwareManagement,RemoteTrigger,Reservation,LocalAuthListManagement,SmartCharging")
        XCTAssertEqual(store.string("ReserveConnectorZeroSupported"), "true")
        XCTAssertEqual(store.string("LocalAuthListEnabled"), "true")
        XCTAssertEqual(store.string("LocalAuthListMaxLength"), "1000")
        XCTAssertEqual(store.string("SendLocalListMaxLength"), "250")
    }

    func testAFeatureProfileThatDoesNotExistIsAnError() {
        XCTAssertThrowsError(try YAMLConfig.decode(PileProfile.self, from: yaml.replacingOccurrences(of: "SmartCharging]", with: "Smart]"), file: "x.yaml"))
    }
}
