import Foundation
import OCPP
import Yams

/// A mistake in a YAML file, located for a person to fix: `fleet.yaml:12: unknown key "powr"`.
public struct YAMLConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// Strict YAML decoding for configuration and profiles: unknown keys are errors, not
/// silently ignored, and every error names the file and line; a value an enum does not
/// have is named with the values it does (`EnumAwareDecoding`).
public enum YAMLConfig {
    public static func load<T: Codable>(_ type: T.Type, fromFile path: String) throws(YAMLConfigError) -> T {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw YAMLConfigError(file: path, line: nil, message: "cannot read the file: \(error.localizedDescription)")
        }
        return try decode(type, from: text, file: path)
    }

    public static func decode<T: Codable>(_ type: T.Type, from text: String, file: String) throws(YAMLConfigError) -> T {
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw YAMLConfigError(file: file, line: nil, message: "the file is empty")
            }
            node = composed
        } catch let error as YAMLConfigError {
            throw error
        } catch let error as YamlError {
            throw YAMLConfigError(file: file, line: error.line, message: "not valid YAML: \(error.shortDescription)")
        } catch {
            throw YAMLConfigError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
        let value: T
        do {
            value = try YAMLDecoder().decode(EnumAwareDecoding.Root<T>.self, from: node).value
        } catch let error as DecodingError {
            throw describe(error, in: node, file: file)
        } catch {
            throw YAMLConfigError(file: file, line: nil, message: "\(error)")
        }
        // Keys the type knows are the keys it writes back; any other key in the input is a typo.
        if let known = try? JSONValueEncoder().encode(value) {
            try checkUnknownKeys(node, known: known, path: [], file: file)
        }
        return value
    }

    private static func checkUnknownKeys(_ node: Node, known: JSON, path: [String], file: String) throws(YAMLConfigError) {
        switch (node, known) {
        case (.mapping(let mapping), .object(let object)):
            for (keyNode, valueNode) in mapping {
                let key = keyNode.string ?? "?"
                guard let knownValue = object[key] else {
                    if valueNode.null != nil { continue }  // `key: ~` decodes to nil and is written back as absent.
                    let where_ = path.isEmpty ? "" : " in \(path.joined(separator: "."))"
                    let choices = object.keys.sorted().joined(separator: ", ")
                    throw YAMLConfigError(
                        file: file, line: keyNode.mark.map { $0.line },
                        message: "unknown key \"\(key)\"\(where_) (known here: \(choices))")
                }
                try checkUnknownKeys(valueNode, known: knownValue, path: path + [key], file: file)
            }
        case (.sequence(let sequence), .array(let items)):
            for (index, (element, knownElement)) in zip(sequence, items).enumerated() {
                try checkUnknownKeys(element, known: knownElement, path: path + ["[\(index)]"], file: file)
            }
        default:
            break
        }
    }

    private static func describe(_ error: DecodingError, in root: Node, file: String) -> YAMLConfigError {
        let (path, message): ([any CodingKey], String)
        switch error {
        case .keyNotFound(let key, let context):
            (path, message) = (context.codingPath, "missing required key \"\(key.stringValue)\"")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            (path, message) = (context.codingPath, context.debugDescription)
        @unknown default:
            (path, message) = ([], "\(error)")
        }
        var node: Node? = root
        var line = root.mark?.line
        for key in path {
            if let index = key.intValue, case .sequence(let sequence)? = node, index < sequence.count {
                node = sequence[index]
            } else {
                node = node?[key.stringValue]
            }
            if let mark = node?.mark { line = mark.line }
        }
        // `steps[1].waitStatus.status`: indexes stick to their list's key.
        let location = path.reduce(into: "") { text, key in
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return YAMLConfigError(file: file, line: line, message: location.isEmpty ? message : "\(location): \(message)")
    }
}

extension YamlError {
    var line: Int? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    var shortDescription: String {
        switch self {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: "\(self)"
        }
    }
}
