/// A profile file compiled into the binary, so an installed `pilegate` has its profiles
/// wherever it runs (a SwiftPM resource bundle would have to travel beside the executable,
/// and on Linux `Bundle.module` falls back to the build folder, or stops the program, when
/// it does not). `path` is relative to `Simulators/`, e.g. `vehicles/su7-max.yaml`; the
/// generated `Builtin*.swift` files hold the texts, kept equal to `Simulators/` by
/// `BuiltinProfilesTests`.
public struct BuiltinFile: Sendable, Equatable {
    public let path: String
    public let text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// The name errors show for this file: `built-in:vehicles/su7-max.yaml`.
    public var displayName: String { "built-in:\(path)" }
}
