import Foundation
import Yams

/// Decoding through Yams with one addition: a `String`-backed `CaseIterable` enum that is
/// given a value it does not have says which values it takes, instead of Swift's
/// "Cannot initialize Status from invalid String value X". Every container is wrapped, so
/// this holds at any depth, for every enum of every file the loaders read, without the
/// enums knowing about YAML. The enum decodes itself first (custom spellings it accepts
/// stay accepted); only its failure is reworded.
enum EnumAwareDecoding {
    /// The root of a document: `YAMLDecoder().decode(Root<T>.self, from: node).value`.
    struct Root<T: Decodable>: Decodable {
        let value: T
        init(from decoder: any Decoder) throws { value = try EnumAwareDecoding.decode(T.self, from: decoder) }
    }

    /// `T` from `decoder`: an enum by its own `init(from:)`, anything else through wrapped containers.
    static func decode<T: Decodable>(_ type: T.Type, from decoder: any Decoder) throws -> T {
        guard let allowed = allowedValues(of: T.self) else { return try T(from: Wrapper(base: decoder)) }
        do {
            return try T(from: decoder)
        } catch DecodingError.dataCorrupted(let context) {
            let given = (try? decoder.singleValueContainer().decode(String.self)).map { "\"\($0)\"" } ?? "the value"
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: context.codingPath, debugDescription: "\(given) is not allowed here; allowed: \(allowed.joined(separator: ", "))"))
        }
    }

    /// The raw values of a `String`-backed `CaseIterable` enum, in declaration order; nil for other types.
    static func allowedValues(of type: Any.Type) -> [String]? {
        guard let iterable = type as? any CaseIterable.Type, type is any RawRepresentable.Type else { return nil }
        return rawValues(iterable)
    }

    private static func rawValues<E: CaseIterable>(_: E.Type) -> [String]? {
        let values = E.allCases.compactMap { value -> String? in
            guard let representable = value as? any RawRepresentable else { return nil }
            return representable.rawValue as? String
        }
        return values.isEmpty ? nil : values
    }

    /// Scalars Yams builds itself (strings, numbers, dates, URLs …): left to Yams.
    static func isScalar(_ type: Any.Type) -> Bool { type is any ScalarConstructible.Type }

    struct Wrapper: Decoder {
        let base: any Decoder
        var codingPath: [any CodingKey] { base.codingPath }
        var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(Keyed(base: try base.container(keyedBy: type)))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { Unkeyed(base: try base.unkeyedContainer()) }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            Single(decoder: base, base: try base.singleValueContainer())
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let base: KeyedDecodingContainer<Key>
        var codingPath: [any CodingKey] { base.codingPath }
        var allKeys: [Key] { base.allKeys }

        func contains(_ key: Key) -> Bool { base.contains(key) }
        func decodeNil(forKey key: Key) throws -> Bool { try base.decodeNil(forKey: key) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try base.decode(type, forKey: key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try base.decode(type, forKey: key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try base.decode(type, forKey: key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try base.decode(type, forKey: key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try base.decode(type, forKey: key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try base.decode(type, forKey: key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try base.decode(type, forKey: key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try base.decode(type, forKey: key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try base.decode(type, forKey: key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try base.decode(type, forKey: key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try base.decode(type, forKey: key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try base.decode(type, forKey: key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try base.decode(type, forKey: key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try base.decode(type, forKey: key) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            // A missing or null value gets Yams's own error ("missing required key" …).
            guard !isScalar(T.self), base.contains(key), try !base.decodeNil(forKey: key) else { return try base.decode(type, forKey: key) }
            return try EnumAwareDecoding.decode(type, from: try base.superDecoder(forKey: key))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            KeyedDecodingContainer(Keyed<NestedKey>(base: try base.nestedContainer(keyedBy: type, forKey: key)))
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            Unkeyed(base: try base.nestedUnkeyedContainer(forKey: key))
        }

        func superDecoder() throws -> any Decoder { Wrapper(base: try base.superDecoder()) }
        func superDecoder(forKey key: Key) throws -> any Decoder { Wrapper(base: try base.superDecoder(forKey: key)) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        var base: any UnkeyedDecodingContainer
        var codingPath: [any CodingKey] { base.codingPath }
        var count: Int? { base.count }
        var isAtEnd: Bool { base.isAtEnd }
        var currentIndex: Int { base.currentIndex }

        mutating func decodeNil() throws -> Bool { try base.decodeNil() }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
        mutating func decode(_ type: String.Type) throws -> String { try base.decode(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            guard !isScalar(T.self), !isAtEnd else { return try base.decode(type) }
            // The element's own decoder (this moves to the next element, as decoding it would).
            return try EnumAwareDecoding.decode(type, from: try base.superDecoder())
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            KeyedDecodingContainer(Keyed<NestedKey>(base: try base.nestedContainer(keyedBy: type)))
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { Unkeyed(base: try base.nestedUnkeyedContainer()) }
        mutating func superDecoder() throws -> any Decoder { Wrapper(base: try base.superDecoder()) }
    }

    struct Single: SingleValueDecodingContainer {
        let decoder: any Decoder
        let base: any SingleValueDecodingContainer
        var codingPath: [any CodingKey] { base.codingPath }

        func decodeNil() -> Bool { base.decodeNil() }
        func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
        func decode(_ type: String.Type) throws -> String { try base.decode(type) }
        func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
        func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
        func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            guard !isScalar(T.self) else { return try base.decode(type) }
            return try EnumAwareDecoding.decode(type, from: decoder)
        }
    }
}
