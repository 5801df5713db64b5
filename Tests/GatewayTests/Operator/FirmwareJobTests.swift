import Foundation
import Gateway
import HTTPAPI
import NIOHTTP1
import OCPP
import OCPPWebSocket
import PileSecurity
import SessionStore
import Simulator
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Firmware served by the gateway, diagnostics uploaded to it, and the jobs that track both,
/// against the simulated 1.6 pile over loopback (the pile downloads and uploads over HTTP).
final class FirmwareJobTests: SimulationTestCase {
    /// A raw request to the harness's API, in-process.
    func raw(
        _ harness: GatewayHarness, _ method: HTTPMethod, _ uri: String, body: [UInt8] = [], contentType: String? = nil,
        token: String? = GatewayHarness.apiToken
    ) async -> (status: Int, body: [UInt8], json: JSON, headers: HTTPHeaders) {
        var request = HTTPRequest(method: method, uri: uri, body: body)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        let response = await harness.http.respond(to: request)
        let text = String(decoding: response.body, as: UTF8.self)
        return (Int(response.status.code), response.body, (try? JSONParser.parse(text)) ?? .string(text), response.headers)
    }

    /// Polls GET /api/jobs/{id} until `condition` holds (bounded); returns the last view.
    func waitForJob(_ harness: GatewayHarness, _ id: Int64, timeout: TimeInterval = 15, _ condition: (JSON) -> Bool) async throws -> JSON {
        var last: JSON = .null
        _ = try await harness.eventually(timeout) {
            last = await harness.api("GET", "/api/jobs/\(id)").json
            return condition(last)
        }
        return last
    }

    func pileStatuses(_ job: JSON) -> [String] {
        (job[path: "history"]?.arrayValue ?? []).filter { $0[path: "source"] == "pile" }.compactMap { $0[path: "status"]?.stringValue }
    }

    func testFirmwareUploadedToTheGatewayIsDownloadedInstalledAndBootedByThePile() async throws {
        try await withHarness { harness in
            let id = "NIO-FW-1"
            let pile = try await startPile(harness, identity: id, speed: 20)
            let image = Array("version: ignored\n".utf8) + (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let uploaded = await raw(harness, .POST, "/api/firmware?name=nio-640-2.1.0.bin", body: image, contentType: "application/octet-stream")
            XCTAssertEqual(uploaded.status, 201, String(decoding: uploaded.body, as: UTF8.self))
            XCTAssertEqual(uploaded.json[path: "size"]?.intValue, Int64(image.count))
            XCTAssertEqual(uploaded.json[path: "sha256"]?.stringValue, SHA256Hex.of(image))
            let url = try XCTUnwrap(uploaded.json[path: "url"]?.stringValue)
            XCTAssertEqual(url, "http://127.0.0.1:\(harness.port)/files/firmware/nio-640-2.1.0.bin")
            // Piles fetch it without a token.
            let served = await raw(harness, .GET, "/files/firmware/nio-640-2.1.0.bin", token: nil)
            XCTAssertEqual(served.status, 200)
            XCTAssertEqual(served.body, image)
            let again = await raw(harness, .POST, "/api/firmware?name=nio-640-2.1.0.bin", body: [1, 2, 3])
            XCTAssertEqual(again.status, 409)
            XCTAssertEqual(again.json[path: "error.code"], "firmware_exists")

            let started = await harness.api("POST", "/api/chargepoints/\(id)/firmware-update", json: ["fileName": "nio-640-2.1.0.bin"])
            XCTAssertEqual(started.status, 201, started.text)
            // Accepted, or already running when the pile's Downloading came first.
            XCTAssertTrue(["accepted", "running"].contains(started.json[path: "status"]?.stringValue ?? ""), started.text)
            let gatewaySteps = (started.json[path: "history"]?.arrayValue ?? []).filter { $0[path: "source"] == "gateway" }.compactMap { $0[path: "status"]?.stringValue }
            XCTAssertEqual(gatewaySteps, ["Requested", "Accepted"], started.text)
            XCTAssertEqual(started.json[path: "request.location"]?.stringValue, url)
            let job = try XCTUnwrap(started.json[path: "id"]?.intValue)
            let done = try await waitForJob(harness, job) { $0[path: "status"] == "succeeded" }
            XCTAssertEqual(pileStatuses(done), ["Downloading", "Downloaded", "Installing", "Installed"], done.text)
            XCTAssertEqual(done[path: "pileStatus"], "Installed")
            // The pile reboots and boots with the version the file name carries.
            let rebooted = try await harness.eventually(15) {
                try await harness.store.chargePoint(id: id)?.chargePoint.firmwareVersion == "2.1.0"
            }
            XCTAssertTrue(rebooted, "the pile did not boot with firmware 2.1.0")
            let version = try await pile.run { $0.profile.firmware }
            XCTAssertEqual(version, "2.1.0")
            // The command is in the pile's history; the job is listed under the pile.
            let history = await harness.api("GET", "/api/chargepoints/\(id)/commands")
            XCTAssertTrue(history.json.arrayValue?.contains { $0[path: "action"] == "UpdateFirmware" } ?? false, history.text)
            let jobs = await harness.api("GET", "/api/chargepoints/\(id)/jobs?kind=firmware")
            XCTAssertEqual(jobs.json.arrayValue?.compactMap { $0[path: "id"]?.intValue }, [job])
            pile.stop()
        }
    }

    func testA201StationUpdatesFirmwareAndUploadsItsLogUnderTheJobsRequestId() async throws {
        try await withHarness { harness in
            let id = "NIO-FW-201"
            let pile = try await startPile(harness, "nio-640-v201", identity: id, speed: 20)
            let stored = await raw(harness, .POST, "/api/firmware?name=nio-640-v201-5.0.2.bin", body: [9, 8, 7])
            XCTAssertEqual(stored.status, 201)
            let started = await harness.api("POST", "/api/chargepoints/\(id)/firmware-update", json: ["fileName": "nio-640-v201-5.0.2.bin"])
            XCTAssertEqual(started.status, 201, started.text)
            let job = try XCTUnwrap(started.json[path: "id"]?.intValue)
            XCTAssertEqual(started.json[path: "request.requestId"]?.intValue, job)
            let done = try await waitForJob(harness, job) { $0[path: "status"] == "succeeded" }
            XCTAssertEqual(pileStatuses(done), ["Downloading", "Downloaded", "Installing", "Installed"], done.text)
            let rebooted = try await harness.eventually(15) {
                try await harness.store.chargePoint(id: id)?.chargePoint.firmwareVersion == "5.0.2"
            }
            XCTAssertTrue(rebooted, "the station did not boot with firmware 5.0.2")

            let diagnostics = await harness.api("POST", "/api/chargepoints/\(id)/diagnostics", json: [:])
            XCTAssertEqual(diagnostics.status, 201, diagnostics.text)
            XCTAssertEqual(diagnostics.json[path: "action"], "GetLog")
            XCTAssertEqual(diagnostics.json[path: "request.logType"], "DiagnosticsLog")
            let log = try XCTUnwrap(diagnostics.json[path: "id"]?.intValue)
            let uploaded = try await waitForJob(harness, log) { $0[path: "status"] == "succeeded" && ($0[path: "uploads"]?.arrayValue?.count ?? 0) == 1 }
            XCTAssertEqual(pileStatuses(uploaded), ["Uploading", "Uploaded"], uploaded.text)
            XCTAssertEqual(uploaded[path: "kind"], "diagnostics")
            pile.stop()
        }
    }

    func testAConfiguredDownloadFailureIsRetriedAndEndsTheJobFailed() async throws {
        try await withHarness { harness in
            let id = "NIO-FW-FAIL"
            let pile = try await startPile(harness, identity: id, speed: 20)
            pile.execute { $0.setOutcome("UpdateFirmware", "DownloadFailed") }
            let stored = await raw(harness, .POST, "/api/firmware?name=nio-640-9.9.9.bin", body: [1, 2, 3, 4])
            XCTAssertEqual(stored.status, 201)
            let started = await harness.api(
                "POST", "/api/chargepoints/\(id)/firmware-update", json: ["fileName": "nio-640-9.9.9.bin", "retries": 2, "retryInterval": 1])
            XCTAssertEqual(started.status, 201, started.text)
            let job = try XCTUnwrap(started.json[path: "id"]?.intValue)
            let done = try await waitForJob(harness, job) { $0[path: "status"] == "failed" }
            XCTAssertEqual(pileStatuses(done), ["Downloading", "Downloading", "DownloadFailed"], done.text)
            let version = try await pile.run { $0.profile.firmware }
            XCTAssertNotEqual(version, "9.9.9")
            pile.stop()
        }
    }

    func testSignedFirmwareGoesAsSignedUpdateFirmwareAndIsVerifiedBeforeItIsInstalled() async throws {
        try await withHarness { harness in
            let id = "NIO-FW-SIGNED"
            let pile = try await startPile(harness, identity: id, speed: 20)
            let first = await raw(harness, .POST, "/api/firmware?name=nio-640-3.0.0.bin", body: [9, 8, 7])
            XCTAssertEqual(first.status, 201)
            let signing: JSON = ["fileName": "nio-640-3.0.0.bin", "signingCertificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "signature": "c2lnbmVk"]
            let started = await harness.api("POST", "/api/chargepoints/\(id)/firmware-update", json: signing)
            XCTAssertEqual(started.status, 201, started.text)
            XCTAssertEqual(started.json[path: "action"], "SignedUpdateFirmware")
            let job = try XCTUnwrap(started.json[path: "id"]?.intValue)
            XCTAssertEqual(started.json[path: "request.requestId"]?.intValue, job, "the job id is the requestId the pile echoes")
            XCTAssertEqual(started.json[path: "request.firmware.signature"], "c2lnbmVk")
            let done = try await waitForJob(harness, job) { $0[path: "status"] == "succeeded" }
            XCTAssertEqual(pileStatuses(done), ["Downloading", "Downloaded", "SignatureVerified", "Installing", "Installed"], done.text)
            let rebooted = try await harness.eventually(15) { try await harness.store.chargePoint(id: id)?.chargePoint.firmwareVersion == "3.0.0" }
            XCTAssertTrue(rebooted, "the pile did not boot with firmware 3.0.0")

            // A signature the pile cannot verify ends the job failed, on the old firmware.
            pile.execute { $0.setOutcome("SignedUpdateFirmware", "InvalidSignature") }
            let second = await raw(harness, .POST, "/api/firmware?name=nio-640-3.1.0.bin", body: [1])
            XCTAssertEqual(second.status, 201)
            _ = try await harness.eventually(15) { harness.gateway.peer(id) != nil }
            let forged: JSON = ["fileName": "nio-640-3.1.0.bin", "signingCertificate": signing["signingCertificate"] ?? "", "signature": "Zm9yZ2Vk"]
            let refused = await harness.api("POST", "/api/chargepoints/\(id)/firmware-update", json: forged)
            XCTAssertEqual(refused.status, 201, refused.text)
            let failed = try await waitForJob(harness, try XCTUnwrap(refused.json[path: "id"]?.intValue)) { $0[path: "status"] == "failed" }
            XCTAssertEqual(pileStatuses(failed), ["Downloading", "Downloaded", "InvalidSignature"], failed.text)
            let kept = try await pile.run { $0.profile.firmware }
            XCTAssertEqual(kept, "3.0.0")

            let half = await harness.api("POST", "/api/chargepoints/\(id)/firmware-update", json: ["fileName": "nio-640-3.1.0.bin", "signature": "eA=="])
            XCTAssertEqual(half.status, 400)
            XCTAssertEqual(half.errorCode, "invalid_request")
            pile.stop()
        }
    }

    func testDiagnosticsAreUploadedToTheGatewayStoredAndDownloadable() async throws {
        try await withHarness { harness in
            let id = "NIO-DIAG-1"
            let pile = try await startPile(harness, identity: id, speed: 20)
            let started = await harness.api("POST", "/api/chargepoints/\(id)/diagnostics", json: [:])
            XCTAssertEqual(started.status, 201, started.text)
            let job = try XCTUnwrap(started.json[path: "id"]?.intValue)
            XCTAssertEqual(started.json[path: "request.location"]?.stringValue, "http://127.0.0.1:\(harness.port)/files/uploads/\(job)/")
            let fileName = try XCTUnwrap(started.json[path: "fileName"]?.stringValue, started.text)
            let done = try await waitForJob(harness, job) { $0[path: "status"] == "succeeded" && ($0[path: "uploads"]?.arrayValue?.count ?? 0) == 1 }
            XCTAssertEqual(pileStatuses(done), ["Uploading", "Uploaded"], done.text)
            XCTAssertEqual(done[path: "uploads.0.name"]?.stringValue, fileName)
            let uploadId = try XCTUnwrap(done[path: "uploads.0.id"]?.intValue)
            let file = await raw(harness, .GET, "/api/uploads/\(uploadId)")
            XCTAssertEqual(file.status, 200)
            let text = String(decoding: file.body, as: UTF8.self)
            XCTAssertTrue(text.contains("PileGate simulated pile \(id)"), text)
            XCTAssertEqual(done[path: "uploads.0.size"]?.intValue, Int64(file.body.count))
            pile.stop()
        }
    }

    func testAPileWithoutFirmwareManagementAnswersNotSupported() async throws {
        try await withHarness { harness in
            let id = "NIO-NOFW"
            let pile = try await startPile(harness, identity: id) { $0.featureProfiles = [.Core, .RemoteTrigger] }
            let started = await harness.api("POST", "/api/chargepoints/\(id)/diagnostics", json: [:])
            XCTAssertEqual(started.status, 502, started.text)
            XCTAssertEqual(started.json[path: "error.details.ocppErrorCode"], "NotSupported")
            let jobs = await harness.api("GET", "/api/chargepoints/\(id)/jobs")
            XCTAssertEqual(jobs.json[path: "0.status"], "failed", jobs.text)
            XCTAssertEqual(jobs.json[path: "0.answer"], "pile_error", jobs.text)
            pile.stop()
        }
    }

    func testUploadsAreRefusedPreciselyAndNamesCannotTraverse() async throws {
        var configuration = GatewayConfiguration()
        configuration.files.maxFileBytes = 1000
        try await withHarness(configuration) { harness in
            for name in ["../escape.bin", ".hidden", "a/b.bin", "x%2F..%2Fy", String(repeating: "a", count: 129), "bad name.bin"] {
                let answer = await raw(harness, .POST, "/api/firmware?name=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name)", body: [1])
                XCTAssertEqual(answer.status, 400, name)
                XCTAssertEqual(answer.json[path: "error.code"], "invalid_file_name", name)
            }
            let served = await raw(harness, .GET, "/files/firmware/..%2F..%2Fgateway.sqlite", token: nil)
            XCTAssertEqual(served.status, 400)
            let missing = await raw(harness, .GET, "/files/firmware/none.bin", token: nil)
            XCTAssertEqual(missing.status, 404)
            XCTAssertEqual(missing.json[path: "error.code"], "file_not_found")
            let big = await raw(harness, .POST, "/api/firmware?name=big.bin", body: [UInt8](repeating: 1, count: 1001))
            XCTAssertEqual(big.status, 413)
            XCTAssertEqual(big.json[path: "error.code"], "file_too_large")
            let unauthorized = await raw(harness, .POST, "/api/firmware?name=ok.bin", body: [1], token: nil)
            XCTAssertEqual(unauthorized.status, 401)
            let unknownJob = await raw(harness, .PUT, "/files/uploads/999/diag.txt", body: [1], token: nil)
            XCTAssertEqual(unknownJob.status, 404)
            XCTAssertEqual(unknownJob.json[path: "error.code"], "job_not_found")
            let badJob = await raw(harness, .POST, "/files/uploads/abc/", body: [1], token: nil)
            XCTAssertEqual(badJob.status, 400)
            XCTAssertEqual(badJob.json[path: "error.code"], "invalid_job_id")
            let noFile = await harness.api("POST", "/api/chargepoints/CP-X/firmware-update", json: ["fileName": "none.bin"])
            XCTAssertEqual(noFile.status, 404)
            XCTAssertEqual(noFile.errorCode, "firmware_not_found")
            let both = await harness.api("POST", "/api/chargepoints/CP-X/firmware-update", json: ["fileName": "a.bin", "location": "http://127.0.0.1/x"])
            XCTAssertEqual(both.status, 400)
            let retries = await harness.api("POST", "/api/chargepoints/CP-X/firmware-update", json: ["location": "http://127.0.0.1/x", "retries": 1000])
            XCTAssertEqual(retries.status, 400)
            let misspelt = await harness.api("POST", "/api/chargepoints/CP-X/firmware-update", json: ["filename": "a.bin"])
            XCTAssertEqual(misspelt.status, 400)
            XCTAssertTrue(misspelt.text.contains("unknown field"), misspelt.text)
            let logType = await harness.api("POST", "/api/chargepoints/CP-X/logs", json: ["logType": "KernelLog"])
            XCTAssertEqual(logType.status, 400)
            let window = await harness.api("POST", "/api/chargepoints/CP-X/diagnostics", json: ["startTime": "2026-02-01T00:00:00Z", "stopTime": "2026-01-01T00:00:00Z"])
            XCTAssertEqual(window.status, 400)
            let ftp = await harness.api("POST", "/api/chargepoints/CP-X/firmware-update", json: ["location": "file:///etc/passwd"])
            XCTAssertEqual(ftp.status, 400)
            let zero = await harness.api("GET", "/api/jobs/0")
            XCTAssertEqual(zero.status, 400)
            let unknown = await harness.api("GET", "/api/jobs/77")
            XCTAssertEqual(unknown.status, 404)
            let noUpload = await harness.api("GET", "/api/uploads/77")
            XCTAssertEqual(noUpload.status, 404)

            // A job whose pile is offline still gets a record (failed); it takes uploads only when it started.
            let offline = await harness.api("POST", "/api/chargepoints/CP-OFF/diagnostics", json: [:])
            XCTAssertEqual(offline.status, 409)
            let listed = await harness.api("GET", "/api/chargepoints/CP-OFF/jobs")
            let job = try XCTUnwrap(listed.json[path: "0.id"]?.intValue, listed.text)
            let refused = await raw(harness, .POST, "/files/uploads/\(job)/", body: [1], token: nil)
            XCTAssertEqual(refused.status, 409)
            XCTAssertEqual(refused.json[path: "error.code"], "job_not_uploading")
        }
    }

    func testAMultipartUploadKeepsTheFilePartAndOversizeIsRefused() async throws {
        var configuration = GatewayConfiguration()
        configuration.files.maxFileBytes = 1000
        try await withHarness(configuration) { harness in
            let id = "NIO-DIAG-MP"
            let pile = try await startPile(harness, identity: id, speed: 20)
            try await pile.run { $0.setOutcome("GetDiagnostics", "UploadFailed") }  // the pile itself uploads nothing (applied before the command)
            let started = await harness.api("POST", "/api/chargepoints/\(id)/diagnostics", json: ["startTime": "2026-01-01T00:00:00Z"])
            XCTAssertEqual(started.status, 201, started.text)
            let job = try XCTUnwrap(started.json[path: "id"]?.intValue)
            let failed = try await waitForJob(harness, job) { $0[path: "status"] == "failed" }
            XCTAssertEqual(pileStatuses(failed), ["Uploading", "UploadFailed"], failed.text)
            let content = Array("line one\r\nline two --not-a-boundary\r\n".utf8)
            let body = Array("--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/diag.log\"\r\nContent-Type: text/plain\r\n\r\n".utf8)
                + content + Array("\r\n--XyZ--\r\n".utf8)
            let posted = await raw(harness, .POST, "/files/uploads/\(job)/", body: body, contentType: "multipart/form-data; boundary=\"XyZ\"", token: nil)
            XCTAssertEqual(posted.status, 201, String(decoding: posted.body, as: UTF8.self))
            XCTAssertEqual(posted.json[path: "name"], "diag.log")
            let uploadId = try XCTUnwrap(posted.json[path: "id"]?.intValue)
            let file = await raw(harness, .GET, "/api/uploads/\(uploadId)")
            XCTAssertEqual(file.body, content)
            let noBoundary = await raw(harness, .POST, "/files/uploads/\(job)/", body: body, contentType: "multipart/form-data", token: nil)
            XCTAssertEqual(noBoundary.json[path: "error.code"], "invalid_multipart")
            let big = await raw(harness, .PUT, "/files/uploads/\(job)/big.txt", body: [UInt8](repeating: 65, count: 1001), token: nil)
            XCTAssertEqual(big.status, 413)
            let empty = await raw(harness, .PUT, "/files/uploads/\(job)/empty.txt", token: nil)
            XCTAssertEqual(empty.json[path: "error.code"], "empty_file")
            pile.stop()
        }
    }

    func testTheHTTPLayerTakesLargeBodiesOnlyOnFileRoutes() async throws {
        try await withHarness { harness in
            // 2 MiB: above the 1 MiB API limit, within the 64 MiB of the file routes.
            let body = [UInt8](repeating: 0x41, count: 2 << 20)
            var request = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(harness.port)/api/firmware?name=two-mib.bin")))
            request.httpMethod = "POST"
            request.setValue("Bearer \(GatewayHarness.apiToken)", forHTTPHeaderField: "Authorization")
            request.httpBody = Data(body)
            let (data, response) = try await URLSession.shared.data(for: request)
            XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 201, String(decoding: data, as: UTF8.self))
            var scan = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(harness.port)/api/scan")))
            scan.httpMethod = "POST"
            scan.httpBody = Data(body)
            let (refusal, refused) = try await URLSession.shared.data(for: scan)
            XCTAssertEqual((refused as? HTTPURLResponse)?.statusCode, 413, String(decoding: refusal, as: UTF8.self))
        }
    }

    func testTheVersionComesFromTheFileNameElseTheFirstLine() {
        XCTAssertEqual(SimulatedPile.firmwareVersion(fileName: "nio-640-2.1.0.bin", contents: []), "2.1.0")
        XCTAssertEqual(SimulatedPile.firmwareVersion(fileName: "teld-3.4.tar.gz", contents: []), "3.4")
        XCTAssertEqual(SimulatedPile.firmwareVersion(fileName: "image.bin", contents: Array("version: 7.0.1\nrest".utf8)), "7.0.1")
        XCTAssertNil(SimulatedPile.firmwareVersion(fileName: "image.bin", contents: [0xFF, 0x00]))
    }
}
