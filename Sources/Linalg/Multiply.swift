// Products through BLAS level 2/3: gemm, gemv, herk (syrk for reals).

extension Transpose {
    /// Shape of op(A) for an r×c matrix A.
    @inline(__always) func apply(_ r: Int, _ c: Int) -> (Int, Int) { self == .none ? (r, c) : (c, r) }
}

extension Matrix {
    /// Leading dimension as BLAS wants it (≥ 1 even for empty matrices).
    @inline(__always) var ld: Int32 { Int32(Swift.max(1, rows)) }

    /// C ← α·op(A)·op(B) + β·C in place (gemm), without allocating.
    public mutating func multiplyAdd(_ a: Matrix, _ opA: Transpose = .none, _ b: Matrix, _ opB: Transpose = .none,
                                     alpha: Element = .one, beta: Element = .zero) {
        let (m, k) = opA.apply(a.rows, a.columns), (kb, n) = opB.apply(b.rows, b.columns)
        precondition(k == kb && m == rows && n == columns,
                     "gemm: op(A) \(m)×\(k) · op(B) \(kb)×\(n) into C \(rows)×\(columns)")
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in elements.indices { elements[i] = beta * elements[i] }
            return
        }
        let ldc = ld
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                elements.withUnsafeMutableBufferPointer { pc in
                    Element.blasGemm(opA, opB, Int32(m), Int32(n), Int32(k), alpha, pa.baseAddress!, a.ld,
                                     pb.baseAddress!, b.ld, beta, pc.baseAddress!, ldc)
                }
            }
        }
    }

    /// op(A)·op(B) (gemm).
    public static func product(_ a: Matrix, _ opA: Transpose = .none, _ b: Matrix, _ opB: Transpose = .none) -> Matrix {
        let (m, _) = opA.apply(a.rows, a.columns), (_, n) = opB.apply(b.rows, b.columns)
        var c = Matrix(rows: m, columns: n)
        c.multiplyAdd(a, opA, b, opB)
        return c
    }

    public static func * (a: Matrix, b: Matrix) -> Matrix { product(a, .none, b, .none) }

    /// y ← α·op(A)·x + β·y in place (gemv).
    public func multiplyAdd(_ op: Transpose = .none, _ x: [Element], into y: inout [Element],
                            alpha: Element = .one, beta: Element = .zero) {
        let (m, n) = op.apply(rows, columns)
        precondition(x.count == n && y.count == m, "gemv: op(A) \(m)×\(n) · x[\(x.count)] into y[\(y.count)]")
        if m == 0 { return }
        if n == 0 {
            for i in y.indices { y[i] = beta * y[i] }
            return
        }
        elements.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    Element.blasGemv(op, Int32(rows), Int32(columns), alpha, pa.baseAddress!, ld,
                                     px.baseAddress!, 1, beta, py.baseAddress!, 1)
                }
            }
        }
    }

    /// op(A)·x (gemv).
    public func multiply(_ x: [Element], _ op: Transpose = .none) -> [Element] {
        var y = [Element](repeating: .zero, count: op.apply(rows, columns).0)
        multiplyAdd(op, x, into: &y)
        return y
    }

    /// C ← α·op(A)·op(A)ᴴ + β·C (herk; syrk for reals) with `op` = `.none` (A·Aᴴ) or `.adjoint`
    /// (Aᴴ·A). The result is Hermitian; both triangles are written.
    public mutating func addGram(_ a: Matrix, _ op: Transpose = .none,
                                 alpha: Element.RealPart = 1, beta: Element.RealPart = 0) {
        precondition(op != .transpose || !Element.isComplex, "herk: use .none or .adjoint")
        let (n, k) = op.apply(a.rows, a.columns)
        precondition(rows == n && columns == n, "herk: op(A) \(n)×\(k) into C \(rows)×\(columns)")
        if n == 0 { return }
        if k == 0 {
            for i in elements.indices { elements[i] = Element(real: beta) * elements[i] }
            return
        }
        let ldc = ld
        a.elements.withUnsafeBufferPointer { pa in
            elements.withUnsafeMutableBufferPointer { pc in
                Element.blasHerk(op == .none ? .none : .adjoint, Int32(n), Int32(k), alpha,
                                 pa.baseAddress!, a.ld, beta, pc.baseAddress!, ldc)
            }
        }
        mirrorLowerToUpper()
    }

    /// op(A)·op(A)ᴴ (herk): A·Aᴴ for `.none`, Aᴴ·A for `.adjoint`.
    public static func gram(_ a: Matrix, _ op: Transpose = .none) -> Matrix {
        let n = op.apply(a.rows, a.columns).0
        var c = Matrix(rows: n, columns: n)
        c.addGram(a, op)
        return c
    }

    /// Copies the conjugate of the strict lower triangle into the upper one (LAPACK/BLAS Hermitian
    /// routines write only one triangle).
    mutating func mirrorLowerToUpper() {
        let n = rows
        elements.withUnsafeMutableBufferPointer { p in
            for j in 0..<n { for i in (j + 1)..<n { p[j + i * n] = p[i + j * n].conjugate } }
        }
    }
}
