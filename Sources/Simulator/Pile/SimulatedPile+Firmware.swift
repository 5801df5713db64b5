import Foundation
import NIOCore
import OCPP
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A firmware update or an upload the pile is working on (1.6 Firmware Management, §5.19,
/// §5.6, and the security extension's GetLog).
struct FirmwareWork {
    var firmware: V16.FirmwareStatus = .Idle
    var diagnostics: V16.DiagnosticsStatus = .Idle
    /// Bumped by each UpdateFirmware: a newer request replaces the one under way.
    var firmwareGeneration = 0
    /// A 2.0.1 or signed update's requestId, echoed by its status notifications.
    var requestId: Int?
    /// A 1.6 signed update (security extension): its statuses go as SignedFirmwareStatusNotification,
    /// with SignatureVerified after the download.
    var signed = false
}

extension SimulatedPile {
    /// How long an installation takes, simulated seconds.
    static let installSeconds = 5.0
    /// The retry interval when the request names none, simulated seconds.
    static let defaultRetryInterval = 30.0

    /// The firmware version a file installs: the last `-`-separated part of its name that
    /// starts with a digit, without the extension (`nio-640-2.1.0.bin` → `2.1.0`); else the
    /// file's first line when it reads `version: X` (or `version=X`); else nil.
    public static func firmwareVersion(fileName: String, contents: [UInt8]) -> String? {
        var stem = fileName
        for suffix in [".tar.gz", ".tgz", ".bin", ".img", ".zip", ".fw", ".hex", ".gz", ".tar"] where stem.lowercased().hasSuffix(suffix) {
            stem = String(stem.dropLast(suffix.count))
            break
        }
        if let part = stem.split(separator: "-").last(where: { $0.first?.isNumber == true }), part.count <= 50 {
            return String(part)
        }
        let firstLine = contents.prefix(200).split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let trimmed = firstLine.trimmingCharacters(in: .whitespacesAndNewlines)
        for prefix in ["version:", "version="] where trimmed.lowercased().hasPrefix(prefix) {
            let value = trimmed.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            if (1...50).contains(value.count), value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 }) { return value }
        }
        return nil
    }

    /// UpdateFirmware: answered at once; at `retrieveDate` (the pile's clock) the pile
    /// downloads `location` over HTTP, Downloading → Downloaded → Installing → Installed,
    /// then reboots and boots with the new version. `retries` attempts in all (at least
    /// one), `retryInterval` apart (default 30 s). `setOutcome("UpdateFirmware",
    /// "DownloadFailed" | "InstallationFailed")` makes that step fail.
    func updateFirmware(_ request: V16.UpdateFirmware.Request) -> V16.UpdateFirmware.Response {
        firmwareWork.requestId = nil
        firmwareWork.signed = false
        scheduleFirmware(request.location, retrieve: request.retrieveDate, retries: request.retries, retryInterval: request.retryInterval)
        return .init()
    }

    /// SignedUpdateFirmware (1.6 security extension): the same walk with SignatureVerified
    /// after the download, each step a SignedFirmwareStatusNotification with the requestId.
    /// `setOutcome("SignedUpdateFirmware", "InvalidSignature")` fails the check; an empty
    /// certificate or signature is answered Rejected.
    func signedUpdateFirmware(_ request: V16.SignedUpdateFirmware.Request) -> V16.SignedUpdateFirmware.Response {
        guard !request.firmware.signingCertificate.isEmpty, !request.firmware.signature.isEmpty else { return .init(status: .Rejected) }
        let replacing = firmwareWork.firmware != .Idle && firmwareWork.firmware != .Installed
        firmwareWork.requestId = request.requestId
        firmwareWork.signed = true
        scheduleFirmware(request.firmware.location, retrieve: request.firmware.retrieveDateTime, retries: request.retries, retryInterval: request.retryInterval)
        return .init(status: replacing ? .AcceptedCanceled : .Accepted)
    }

    /// 2.0.1 UpdateFirmware (L01): the same walk, each FirmwareStatusNotification with the requestId.
    func updateFirmware201(_ request: V201.UpdateFirmware.Request) -> V201.UpdateFirmware.Response {
        let replacing = firmwareWork.firmware != .Idle && firmwareWork.firmware != .Installed
        firmwareWork.requestId = request.requestId
        scheduleFirmware(
            request.firmware.location, retrieve: request.firmware.retrieveDateTime, retries: request.retries, retryInterval: request.retryInterval)
        return .init(status: replacing ? .acceptedCanceled : .accepted)
    }

    private func scheduleFirmware(_ location: String, retrieve: Date, retries: Int?, retryInterval: Int?) {
        firmwareWork.firmwareGeneration += 1
        let generation = firmwareWork.firmwareGeneration
        let wait = context.clock.unstamp(retrieve).timeIntervalSince(context.clock.now())
        let attempts = max(1, min(retries ?? 1, 100))
        let interval = Double(min(max(retryInterval ?? Int(Self.defaultRetryInterval), 0), 86_400))
        after(context.clock.wallDelay(max(wait, 0))) { pile in
            pile.downloadFirmware(location, attempt: 1, of: attempts, interval: interval, generation: generation)
        }
    }

    func firmwareStatus(_ status: V16.FirmwareStatus) {
        firmwareWork.firmware = status
        if firmwareWork.signed && !speaks201 {
            signedFirmwareStatus(V16.FirmwareStatusEnum(rawValue: status.rawValue) ?? .Idle)
            return
        }
        if speaks201 {
            // Every 1.6 firmware word is a 2.0.1 one too.
            let word = V201.FirmwareStatusEnum(rawValue: status.rawValue) ?? .idle
            let request = V201.FirmwareStatusNotification.Request(status: word, requestId: status == .Idle ? nil : firmwareWork.requestId)
            send(V201.FirmwareStatusNotification.name, V201.FirmwareStatusNotification.encode(request))
            return
        }
        send(V16.FirmwareStatusNotification.name, V16.FirmwareStatusNotification.encode(V16.FirmwareStatusNotification.Request(status: status)))
    }

    private func signedFirmwareStatus(_ status: V16.FirmwareStatusEnum) {
        let request = V16.SignedFirmwareStatusNotification.Request(status: status, requestId: status == .Idle ? nil : firmwareWork.requestId)
        send(V16.SignedFirmwareStatusNotification.name, V16.SignedFirmwareStatusNotification.encode(request))
    }

    func diagnosticsStatus(_ status: V16.DiagnosticsStatus) {
        firmwareWork.diagnostics = status
        send(V16.DiagnosticsStatusNotification.name, V16.DiagnosticsStatusNotification.encode(V16.DiagnosticsStatusNotification.Request(status: status)))
    }

    private func downloadFirmware(_ location: String, attempt: Int, of attempts: Int, interval: Double, generation: Int) {
        guard generation == firmwareWork.firmwareGeneration else { return }
        firmwareStatus(.Downloading)
        let forced = scripted(V16.UpdateFirmware.name, V16.FirmwareStatus.self)
        fetch(location, failing: forced == .DownloadFailed) { pile, result in
            guard generation == pile.firmwareWork.firmwareGeneration else { return }
            switch result {
            case .success(let bytes):
                pile.firmwareStatus(.Downloaded)
                if pile.firmwareWork.signed {
                    guard pile.outcomes[V16.SignedUpdateFirmware.name] != V16.FirmwareStatusEnum.InvalidSignature.rawValue else {
                        pile.signedFirmwareStatus(.InvalidSignature)
                        pile.firmwareWork.firmware = .Idle
                        return
                    }
                    pile.signedFirmwareStatus(.SignatureVerified)
                }
                let name = URL(string: location)?.lastPathComponent ?? location
                let version = Self.firmwareVersion(fileName: name, contents: bytes)
                pile.after(.milliseconds(10)) { $0.install(version: version, generation: generation) }
            case .failure:
                if attempt < attempts {
                    pile.after(pile.context.clock.wallDelay(interval)) {
                        $0.downloadFirmware(location, attempt: attempt + 1, of: attempts, interval: interval, generation: generation)
                    }
                } else {
                    pile.firmwareStatus(.DownloadFailed)
                }
            }
        }
    }

    /// Installs once no transaction runs (checked every 5 simulated seconds), then reboots.
    private func install(version: String?, generation: Int) {
        guard generation == firmwareWork.firmwareGeneration else { return }
        guard connectors.allSatisfy({ $0.transaction == nil }) else {
            after(context.clock.wallDelay(5)) { $0.install(version: version, generation: generation) }
            return
        }
        firmwareStatus(.Installing)
        after(context.clock.wallDelay(Self.installSeconds)) { pile in
            guard generation == pile.firmwareWork.firmwareGeneration else { return }
            if pile.scripted(V16.UpdateFirmware.name, V16.FirmwareStatus.self) == .InstallationFailed {
                pile.firmwareStatus(.InstallationFailed)
                return
            }
            pile.firmwareStatus(.Installed)
            if let version { pile.profile.firmware = version }
            pile.firmwareWork.firmware = .Idle
            // Let the notification go out before the socket closes.
            pile.after(.milliseconds(200)) { $0.reboot() }
        }
    }

    /// GetDiagnostics: answers with the file name, then uploads a generated text file to
    /// `location` (HTTP POST, multipart/form-data), Uploading → Uploaded, or UploadFailed
    /// after `retries` attempts (or with `setOutcome("GetDiagnostics", "UploadFailed")`).
    func getDiagnostics(_ request: V16.GetDiagnostics.Request) -> V16.GetDiagnostics.Response {
        let fileName = "\(Self.safeName(identity))-diagnostics-\(Int(context.clock.now().timeIntervalSince1970)).txt"
        let attempts = max(1, min(request.retries ?? 1, 100))
        let interval = Double(min(max(request.retryInterval ?? Int(Self.defaultRetryInterval), 0), 86_400))
        let failing = scripted(V16.GetDiagnostics.name, V16.DiagnosticsStatus.self) == .UploadFailed
        let contents = diagnosticsReport(from: request.startTime, to: request.stopTime)
        after(.milliseconds(1)) { pile in
            pile.upload(contents, as: fileName, to: request.location, attempt: 1, of: attempts, interval: interval, failing: failing) { pile, status in
                switch status {
                case .uploading: pile.diagnosticsStatus(.Uploading)
                case .uploaded: pile.diagnosticsStatus(.Uploaded)
                case .failed: pile.diagnosticsStatus(.UploadFailed)
                }
            }
        }
        return .init(fileName: fileName)
    }

    /// GetLog (security extension): Accepted with the file name, then the same upload,
    /// reported by LogStatusNotification with the requestId (Uploading → Uploaded, or UploadFailure).
    func getLog(_ request: V16.GetLog.Request) -> V16.GetLog.Response {
        if let forced = scripted(V16.GetLog.name, V16.LogStatusEnum.self), forced == .Rejected { return .init(status: .Rejected) }
        let failing = outcomes[V16.LogStatusNotification.name] == V16.UploadLogStatusEnum.UploadFailure.rawValue
        let fileName = uploadLog(
            request.logType.rawValue, requestId: request.requestId, retries: request.retries, retryInterval: request.retryInterval,
            from: request.log.oldestTimestamp, to: request.log.latestTimestamp, location: request.log.remoteLocation, failing: failing
        ) { pile, status in
            let word: V16.UploadLogStatusEnum =
                switch status {
                case .uploading: .Uploading
                case .uploaded: .Uploaded
                case .failed: .UploadFailure
                }
            pile.send(V16.LogStatusNotification.name, V16.LogStatusNotification.encode(V16.LogStatusNotification.Request(status: word, requestId: request.requestId)))
        }
        return .init(status: .Accepted, filename: fileName)
    }

    /// 2.0.1 GetLog (N01): the same upload, reported by LogStatusNotification with the requestId.
    func getLog201(_ request: V201.GetLog.Request) -> V201.GetLog.Response {
        if outcomes[V201.GetLog.name] == "Rejected" { return .init(status: .rejected) }
        let failing = outcomes[V201.LogStatusNotification.name] == V201.UploadLogStatusEnum.uploadFailure.rawValue
        let fileName = uploadLog(
            request.logType.rawValue, requestId: request.requestId, retries: request.retries, retryInterval: request.retryInterval,
            from: request.log.oldestTimestamp, to: request.log.latestTimestamp, location: request.log.remoteLocation, failing: failing
        ) { pile, status in
            let word: V201.UploadLogStatusEnum =
                switch status {
                case .uploading: .uploading
                case .uploaded: .uploaded
                case .failed: .uploadFailure
                }
            pile.send(V201.LogStatusNotification.name, V201.LogStatusNotification.encode(V201.LogStatusNotification.Request(status: word, requestId: request.requestId)))
        }
        return .init(status: .accepted, filename: fileName)
    }

    /// A GetLog of either version: the file's name at once, its upload soon after, each
    /// step reported in the version's words by `report`.
    private func uploadLog(
        _ logType: String, requestId: Int, retries: Int?, retryInterval: Int?, from oldest: Date?, to latest: Date?, location: String, failing: Bool,
        report: @escaping (SimulatedPile, UploadStep) -> Void
    ) -> String {
        let fileName = "\(Self.safeName(identity))-\(logType)-\(requestId).txt"
        let attempts = max(1, min(retries ?? 1, 100))
        let interval = Double(min(max(retryInterval ?? Int(Self.defaultRetryInterval), 0), 86_400))
        let contents = diagnosticsReport(from: oldest, to: latest, log: logType)
        after(.milliseconds(1)) { pile in
            pile.upload(contents, as: fileName, to: location, attempt: 1, of: attempts, interval: interval, failing: failing, report: report)
        }
        return fileName
    }

    enum UploadStep { case uploading, uploaded, failed }

    private func upload(
        _ contents: [UInt8], as fileName: String, to location: String, attempt: Int, of attempts: Int, interval: Double, failing: Bool,
        report: @escaping (SimulatedPile, UploadStep) -> Void
    ) {
        if attempt == 1 { report(self, .uploading) }
        send(contents, as: fileName, to: location, failing: failing) { pile, ok in
            if ok {
                report(pile, .uploaded)
            } else if attempt < attempts {
                pile.after(pile.context.clock.wallDelay(interval)) {
                    $0.upload(contents, as: fileName, to: location, attempt: attempt + 1, of: attempts, interval: interval, failing: failing, report: report)
                }
            } else {
                report(pile, .failed)
            }
        }
    }

    /// What the pile uploads: a text report of itself.
    func diagnosticsReport(from start: Date?, to stop: Date?, log: String = "DiagnosticsLog") -> [UInt8] {
        var lines = [
            "PileGate simulated pile \(identity): \(log)",
            "vendor: \(profile.vendor)", "model: \(profile.model)", "firmware: \(profile.firmware)",
            "time: \(OCPPTimestamp.format(context.clock.now()))",
            "from: \(start.map(OCPPTimestamp.format) ?? "-")", "to: \(stop.map(OCPPTimestamp.format) ?? "-")",
        ]
        for c in connectors {
            lines.append("connector \(c.id): \(c.machine.status.rawValue), register \(Int(exactly: c.registerWh.rounded()) ?? 0) Wh, transaction \(c.transaction.flatMap { $0.id }.map { String($0) } ?? "-")")
        }
        return Array((lines.joined(separator: "\n") + "\n").utf8)
    }

    static func safeName(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(60).map { $0.isASCII && CharacterSet.alphanumerics.contains($0) || $0 == "-" ? $0 : "_" }))
    }

    // MARK: HTTP

    /// GETs `location` (http or https); the answer comes back on the pile's loop.
    private func fetch(_ location: String, failing: Bool, then: @escaping (SimulatedPile, Result<[UInt8], FirmwareTransferError>) -> Void) {
        let bound = NIOLoopBound((self, then), eventLoop: eventLoop)
        let loop = eventLoop
        Task {
            let result = await SimulatedPile.download(location, failing: failing)
            loop.execute {
                let (pile, then) = bound.value
                then(pile, result)
            }
        }
    }

    static func download(_ location: String, failing: Bool) async -> Result<[UInt8], FirmwareTransferError> {
        if failing { return .failure(FirmwareTransferError(description: "download failure configured (setOutcome)")) }
        do {
            return .success(try await transfer(location, method: "GET", body: nil, contentType: nil))
        } catch {
            return .failure(FirmwareTransferError(description: "\(error)"))
        }
    }

    /// POSTs `contents` as the one file part of multipart/form-data to `location`.
    private func send(_ contents: [UInt8], as fileName: String, to location: String, failing: Bool, then: @escaping (SimulatedPile, Bool) -> Void) {
        let bound = NIOLoopBound((self, then), eventLoop: eventLoop)
        let loop = eventLoop
        let boundary = "pilegate-\(UInt64.random(in: 0...UInt64.max))"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: text/plain\r\n\r\n".utf8)
        body += contents
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        let payload = body
        Task {
            let ok = await SimulatedPile.post(location, body: payload, boundary: boundary, failing: failing)
            loop.execute {
                let (pile, then) = bound.value
                then(pile, ok)
            }
        }
    }

    static func post(_ location: String, body: [UInt8], boundary: String, failing: Bool) async -> Bool {
        if failing { return false }
        do {
            _ = try await transfer(location, method: "POST", body: body, contentType: "multipart/form-data; boundary=\(boundary)")
            return true
        } catch {
            return false
        }
    }

    /// One HTTP exchange; a status outside 2xx is an error. Bodies up to 64 MiB.
    static func transfer(_ location: String, method: String, body: [UInt8]?, contentType: String?) async throws -> [UInt8] {
        guard let url = URL(string: location), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme) else {
            throw FirmwareTransferError(description: "\(location.prefix(100)) is not an http(s) URL (the simulator speaks no FTP)")
        }
        var request = URLRequest(url: url, timeoutInterval: 60)
        request.httpMethod = method
        if let body { request.httpBody = Data(body) }
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw FirmwareTransferError(description: "HTTP \(status) from \(location.prefix(100))") }
        guard data.count <= 64 << 20 else { throw FirmwareTransferError(description: "the file is larger than 64 MiB") }
        return Array(data)
    }
}

struct FirmwareTransferError: Error, CustomStringConvertible {
    let description: String
}
