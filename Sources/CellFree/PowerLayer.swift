import Linalg

/// The max-min power layer (ours, not in the papers): UL and DL powers a model of positions computes
/// from its clusters instead of regressing them. The closed-form max-min powers (papers.md §3.2 with
/// per-UE caps P̄_UL, §3.3 with per-AP budgets) for the MR statistics of Corollary 5.6 (no Monte Carlo
/// draws) of the path loss at `layout`'s positions without shadowing, on clusters D. It solves the
/// interference-coupled fixed point that sets each UE's power by the weakest UE, which per-UE power
/// heads do not compute. UL powers [mW] (the bottleneck UE at P̄_UL), DL powers ρ [mW] (the most
/// loaded AP at P̄_DL) under the MR statistics' own duality portions.
/// Measured (docs/models.md §1.9): scored with the MMSE combining of the labels its powers fall far below
/// the MMSE optimum, since MR's optimum turns down UEs whose interference MMSE suppresses anyway.
public func maxMinPowerLayer(_ layout: Layout, params: NetworkParameters, clusters D: ClusterMatrix) throws -> (uplink: [Double], downlink: [Double]) {
    let setup = try NetworkSetup.pathLossOnly(params, layout: layout)
    var unused = RandomStream(seed: 0, name: "power-layer")   // `statisticsOnly` draws nothing
    let labels = try powerLabels(setup, clusters: D, method: .statisticsOnly, using: &unused)
    return (labels.uplinkPowers, labels.downlinkPowersPerAP)
}
