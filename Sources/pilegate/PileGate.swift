import ArgumentParser

@main
struct PileGate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pilegate",
        abstract: "PileGate: an OCPP gateway, pile simulator and compatibility lab for EV charging networks.",
        version: PileGateVersion.current,
        subcommands: [Serve.self, Relay.self, Sim.self, Demo.self, Run.self, Record.self, Call.self, Certs.self, PasswordHashCommand.self])
}
