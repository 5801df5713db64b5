import Crypto
import CryptoExtras
import Foundation

/// A pile's Basic-auth password as the gateway keeps it: a salted scrypt hash, never the
/// password. Encoded `$scrypt$ln=12,r=8,p=1$SALT$KEY[$HEXKEY]` (base64), so the cost can be
/// raised for new hashes while old ones still verify.
///
/// 1.6 sets `AuthorizationKey` as hex digits, and piles differ in what they then send: the
/// digits, or the bytes they stand for (docs/ocpp-notes.md, pitfall 13). A hex password
/// therefore keeps a second key, of its decoded bytes, under the same salt: one scrypt per
/// login checks both.
public struct PasswordHash: Sendable, Equatable, CustomStringConvertible {
    public let logCost: Int
    public let blockSize: Int
    public let parallelism: Int
    let salt: [UInt8]
    let key: SymmetricKey
    let hexKey: SymmetricKey?

    /// 2^12: pile passwords are machine to machine (the gateway's own are 160 random bits),
    /// and every first login after a restart pays one hash (docs/benchmarks.md).
    public static let defaultLogCost = 12
    static let keyBytes = 32

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case weakPassword(String)
        public var description: String {
            switch self {
            case .malformed(let why): "not a PileGate password hash: \(why)"
            case .weakPassword(let why): why
            }
        }
    }

    /// Hashes `password` with a fresh random salt. `logCost` is log2 of scrypt's N (10–20).
    public init(password: String, logCost: Int = PasswordHash.defaultLogCost) throws {
        guard (10...20).contains(logCost) else { throw Failure.malformed("cost ln=\(logCost) is outside 10–20") }
        try Self.check(password)
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &generator) }
        self.logCost = logCost
        blockSize = 8
        parallelism = 1
        self.salt = salt
        key = try Self.derive(Array(password.utf8), salt: salt, logCost: logCost, blockSize: 8, parallelism: 1)
        hexKey = try Self.hexBytes(password).map { try Self.derive($0, salt: salt, logCost: logCost, blockSize: 8, parallelism: 1) }
    }

    /// Parses a stored hash; throws on anything else (a plain password included).
    public init(encoded: String) throws {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5 || parts.count == 6, parts[0].isEmpty, parts[1] == "scrypt" else {
            throw Failure.malformed("expected $scrypt$ln=…,r=…,p=…$salt$key")
        }
        var params: [String: Int] = [:]
        for pair in parts[2].split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let value = Int(kv[1]) else { throw Failure.malformed("bad parameter \(pair)") }
            params[String(kv[0])] = value
        }
        guard let ln = params["ln"], (10...20).contains(ln), let r = params["r"], (1...32).contains(r),
            let p = params["p"], (1...16).contains(p)
        else { throw Failure.malformed("parameters ln 10–20, r 1–32, p 1–16 expected") }
        guard let salt = Data(base64Encoded: parts[3]), salt.count >= 8,
            let key = Data(base64Encoded: parts[4]), key.count == Self.keyBytes
        else { throw Failure.malformed("salt or key is not base64 of the right length") }
        var hexKey: SymmetricKey?
        if parts.count == 6 {
            guard let hex = Data(base64Encoded: parts[5]), hex.count == Self.keyBytes else { throw Failure.malformed("bad second key") }
            hexKey = SymmetricKey(data: hex)
        }
        logCost = ln
        blockSize = r
        parallelism = p
        self.salt = Array(salt)
        self.key = SymmetricKey(data: key)
        self.hexKey = hexKey
    }

    public var description: String {
        let key = self.key.withUnsafeBytes { Data($0).base64EncodedString() }
        let hex = hexKey.map { k in "$" + k.withUnsafeBytes { Data($0).base64EncodedString() } } ?? ""
        return "$scrypt$ln=\(logCost),r=\(blockSize),p=\(parallelism)$\(Data(salt).base64EncodedString())$\(key)\(hex)"
    }

    /// Whether `presented` (the password bytes of a Basic header) is this password; the
    /// keys are compared in constant time (SymmetricKey's `==`). Slow by design: call it
    /// off the event loops.
    public func verify(_ presented: [UInt8]) -> Bool {
        guard presented.count <= 256,
            let derived = try? Self.derive(presented, salt: salt, logCost: logCost, blockSize: blockSize, parallelism: parallelism)
        else { return false }
        let direct = derived == key
        let viaHex = hexKey.map { derived == $0 } ?? false
        return direct || viaHex
    }

    /// The OCPP rule for both versions: 16–40 printable ASCII characters (1.6 sets 32–40
    /// hex digits; 2.0.1's passwordString is at least 16).
    public static func check(_ password: String) throws {
        guard (16...40).contains(password.utf8.count) else {
            throw Failure.weakPassword("a pile password has 16 to 40 characters (this one has \(password.utf8.count))")
        }
        guard password.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw Failure.weakPassword("a pile password is printable ASCII without spaces")
        }
    }

    /// A new password a pile of either version takes: 40 hex digits (20 random bytes).
    public static func generatePassword() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<20).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func derive(_ password: [UInt8], salt: [UInt8], logCost: Int, blockSize: Int, parallelism: Int) throws -> SymmetricKey {
        try KDF.Scrypt.deriveKey(
            from: password, salt: salt, outputByteCount: keyBytes, rounds: 1 << logCost, blockSize: blockSize,
            parallelism: parallelism, maxMemory: 256 << 20)
    }

    /// The bytes an even run of 32–40 hex digits stands for.
    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard (32...40).contains(digits.count), digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var i = 0
        while i + 1 < digits.count {
            guard let high = nibble(digits[i]), let low = nibble(digits[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        return bytes
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A password that passed `PasswordHash.verify` once, kept in memory only as an HMAC
/// under a per-process random key: the pile's next logins (reconnects) are checked against
/// it in constant time without paying scrypt again.
public struct VerifiedPassword: Sendable {
    private let mac: HashedAuthenticationCode<SHA256>
    private static let key = SymmetricKey(size: .bits256)

    public init(_ password: [UInt8]) {
        mac = HMAC<SHA256>.authenticationCode(for: password, using: Self.key)
    }

    public func matches(_ presented: [UInt8]) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: presented, using: Self.key)
    }
}

/// SHA-256 as lowercase hex: the checksum of the files the gateway serves and receives.
public enum SHA256Hex {
    public static func of(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
