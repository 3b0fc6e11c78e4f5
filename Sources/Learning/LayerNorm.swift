import Linalg

extension Tape {
    /// LayerNorm over the last axis (models.md §0.1): x̂ = (x − μ)/sqrt(σ² + eps), y = γ ⊙ x̂ + β,
    /// σ² biased. x [..., n], γ, β [n].
    /// Backward (models.md §6): g = G ⊙ γ, dx = (g − mean(g) − x̂·mean(g ⊙ x̂))/sqrt(σ² + eps),
    /// dγ = Σ_rows G ⊙ x̂, dβ = Σ_rows G.
    public func layerNorm(_ x: Variable, gamma: Variable, beta: Variable, eps: T = T(1) / 100_000) -> Variable {
        let X = value(x), gammaValues = value(gamma).values, betaValues = value(beta).values
        let n = X.lastDimension, rows = X.rows
        precondition(gammaValues.count == n && betaValues.count == n, "layerNorm: γ, β need \(n) entries")
        let workers = threads(forWork: 8 * X.count)
        var rstd = [T](repeating: 0, count: rows)
        var y = [T](repeating: 0, count: X.count)
        let xhat: [T] = X.values.withUnsafeBufferPointer { xs in gammaValues.withUnsafeBufferPointer { gp in
            betaValues.withUnsafeBufferPointer { bp in y.withUnsafeMutableBufferPointer { yp in rstd.withUnsafeMutableBufferPointer { sp in
                uninitializedArray(X.count) { h in
                  parallelChunks(rows, threads: workers, minimumPerThread: 64) { block in
                    for r in block {
                        let o = r * n
                        var mu: T = 0
                        for j in 0..<n { mu += xs[o + j] }
                        mu /= T(n)
                        var variance: T = 0
                        for j in 0..<n { let d = xs[o + j] - mu; variance += d * d }
                        variance /= T(n)
                        let s = 1 / T.sqrt(variance + eps)
                        sp[r] = s
                        for j in 0..<n {
                            let v = (xs[o + j] - mu) * s
                            h[o + j] = v
                            yp[o + j] = gp[j] * v + bp[j]
                        }
                    }
                  }
                }
            } } }
        } }
        return record(Tensor(shape: X.shape, values: y), inputs: [x, gamma, beta]) { tape, g in
            tape.accumulate(x) { dx in
                g.withUnsafeBufferPointer { g in xhat.withUnsafeBufferPointer { h in gammaValues.withUnsafeBufferPointer { gp in
                  parallelChunks(rows, threads: workers, minimumPerThread: 64) { block in
                    for r in block {
                        let o = r * n
                        var meanG: T = 0, meanGX: T = 0
                        for j in 0..<n {
                            let gj = g[o + j] * gp[j]
                            meanG += gj
                            meanGX += gj * h[o + j]
                        }
                        meanG /= T(n); meanGX /= T(n)
                        let s = rstd[r]
                        for j in 0..<n { dx[o + j] += (g[o + j] * gp[j] - meanG - h[o + j] * meanGX) * s }
                    }
                  }
                } } }
            }
            g.withUnsafeBufferPointer { gp in xhat.withUnsafeBufferPointer { hp in
                let (g0, h0) = (gp.baseAddress!, hp.baseAddress!)
                tape.accumulate(gamma) { dg in for r in 0..<rows { let o = r * n; for j in 0..<n { dg[j] += g0[o + j] * h0[o + j] } } }
                tape.accumulate(beta) { db in for r in 0..<rows { let o = r * n; for j in 0..<n { db[j] += g0[o + j] } } }
            } }
        }
    }
}
