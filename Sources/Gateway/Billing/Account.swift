import Foundation

/// A driver's account in the car maker's app: the id tag its sessions run under, an
/// optional VIN for plug-and-charge, the group its discounts come from, and whether it
/// may charge at all.
public struct Account: Codable, Sendable, Equatable {
    public var id: String
    public var idTag: String
    public var vin: String?
    /// Discount group, e.g. `xiaomi` for the car maker's launch discount.
    public var group: String?
    public var blocked: Bool = false
    public var expires: Date?

    public init(id: String, idTag: String, vin: String? = nil, group: String? = nil, blocked: Bool = false, expires: Date? = nil) {
        self.id = id
        self.idTag = idTag
        self.vin = vin
        self.group = group
        self.blocked = blocked
        self.expires = expires
    }

    enum CodingKeys: String, CodingKey { case id, idTag, vin, group, blocked, expires }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        idTag = try c.decode(String.self, forKey: .idTag)
        vin = try c.decodeIfPresent(String.self, forKey: .vin)
        group = try c.decodeIfPresent(String.self, forKey: .group)
        blocked = try c.decodeIfPresent(Bool.self, forKey: .blocked) ?? false
        expires = try c.decodeIfPresent(Date.self, forKey: .expires)
    }
}
