/// One charging pile's claim on its site's power, as the allocator sees it (kW throughout).
public struct PileDemand: Sendable, Equatable {
    /// The most the pile (gun) can deliver.
    public var maxKW: Double
    /// Power guaranteed to this session (`floors`); 0 for none.
    public var floorKW: Double
    /// The least worth giving a charging car when the limit allows (6 A-equivalent).
    public var minimumKW: Double
    /// What the car takes when it takes clearly less than it was given (tapering); nil:
    /// as much as it is given, up to `maxKW`.
    public var wantsKW: Double?
    /// Set for a pile that does not follow its limit (rejected it, or draws above it for
    /// longer than the tolerance): the power it draws, counted as taken whatever it is asked.
    public var uncontrolledKW: Double?

    public init(maxKW: Double, floorKW: Double = 0, minimumKW: Double = 0, wantsKW: Double? = nil, uncontrolledKW: Double? = nil) {
        self.maxKW = maxKW
        self.floorKW = floorKW
        self.minimumKW = minimumKW
        self.wantsKW = wantsKW
        self.uncontrolledKW = uncontrolledKW
    }
}

/// Shares a site's power between its charging piles; pure, no I/O, O(n) per bisection step.
///
/// The rule, in order (docs/load-management.md):
/// 1. Piles that do not follow their limit keep what they draw (capped at their maximum);
///    the rest is shared among the others.
/// 2. Floors first; when the floors alone exceed what is left, each is scaled down in
///    proportion and nobody gets more.
/// 3. Then everyone up to its minimum (6 A-equivalent, never above its maximum); when the
///    minimums do not fit, they are filled to one common level.
/// 4. Then one common level for all (equal share), each capped at what it takes (a
///    tapering car) or its maximum: what one does not take goes to the others.
/// 5. Power still left over is shared the same way up to the piles' maxima, so a tapering
///    car may take more again without waiting for the next re-balance.
///
/// The sum of the limits given to the piles that follow them never exceeds the limit
/// less what the others draw; limits are rounded down to whole watts.
public enum LoadAllocator {
    /// Each pile's limit, kW, in the order of `piles`.
    public static func allocate(limitKW: Double, _ piles: [PileDemand]) -> [Double] {
        func clean(_ x: Double) -> Double { x.isFinite ? max(0, x) : 0 }
        let limit = clean(limitKW)
        var out = [Double](repeating: 0, count: piles.count)
        var controlled: [Int] = []
        var taken = 0.0
        for (i, p) in piles.enumerated() {
            if let drawn = p.uncontrolledKW {
                out[i] = min(clean(p.maxKW), clean(drawn))
                taken += out[i]
            } else {
                controlled.append(i)
            }
        }
        guard !controlled.isEmpty else { return out.map(watts) }
        let available = max(0, limit - taken)
        let maxima = controlled.map { clean(piles[$0].maxKW) }
        let floors = controlled.enumerated().map { k, i in min(clean(piles[i].floorKW), maxima[k]) }
        let floorSum = floors.reduce(0, +)
        var levels: [Double]
        if floorSum >= available {
            // Floors alone do not fit: scaled down in proportion.
            let scale = floorSum > 0 ? available / floorSum : 0
            levels = floors.map { $0 * scale }
        } else {
            let minimums = controlled.enumerated().map { k, i in min(maxima[k], max(floors[k], clean(piles[i].minimumKW))) }
            if minimums.reduce(0, +) >= available {
                levels = fill(available, low: floors, high: minimums)
            } else {
                let wanted = controlled.enumerated().map { k, i in max(minimums[k], min(maxima[k], piles[i].wantsKW.map(clean) ?? maxima[k])) }
                levels = fill(available, low: minimums, high: wanted)
                if levels.reduce(0, +) < available { levels = fill(available, low: levels, high: maxima) }
            }
        }
        for (k, i) in controlled.enumerated() { out[i] = levels[k] }
        return out.map(watts)
    }

    /// Rounded down to a whole watt, so rounding never lifts a sum above its limit.
    static func watts(_ kW: Double) -> Double { (kW * 1000).rounded(.down) / 1000 }

    /// Water-filling: each `max(low, min(level, high))` for the highest common level whose
    /// sum stays within `total`. Needs `sum(low) <= total`; 64 bisection steps, no more.
    static func fill(_ total: Double, low: [Double], high: [Double]) -> [Double] {
        let highs = zip(low, high).map { max($0, $1) }
        if highs.reduce(0, +) <= total { return highs }
        func sum(_ level: Double) -> Double { zip(low, highs).reduce(0) { $0 + max($1.0, min(level, $1.1)) } }
        var lo = 0.0
        var hi = highs.max() ?? 0
        for _ in 0..<64 {
            let mid = (lo + hi) / 2
            if sum(mid) <= total { lo = mid } else { hi = mid }
        }
        return zip(low, highs).map { max($0.0, min(lo, $0.1)) }
    }
}
