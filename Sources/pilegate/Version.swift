/// The one place the version is written: `pilegate --version`, `serve`'s start line.
enum PileGateVersion {
    static let current = "0.9.0"
}
