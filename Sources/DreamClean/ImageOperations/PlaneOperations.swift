// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// Full-range BT.601 luma (JPEG's Y): the one place its weights are written.
enum Luma {
    static let red: Float = 0.299
    static let green: Float = 0.587
    static let blue: Float = 0.114

    @inline(__always)
    static func of(_ r: Float, _ g: Float, _ b: Float) -> Float { red * r + green * g + blue * b }
}

/// How a window that reaches past an edge reads the image: the two conventions the library uses, named.
enum BorderReflection {
    /// d c b a | a b c d | d c b a: the edge sample repeated (scipy.ndimage "reflect", numpy "symmetric").
    case symmetric
    /// d c b | a b c d | c b a: the edge sample once (scipy.ndimage "mirror", numpy "reflect").
    case mirror

    /// The index inside 0..<count that `i` reads (reflected as often as needed; `count` at least 1).
    @inline(__always)
    func index(_ i: Int, count: Int) -> Int {
        var i = i
        switch self {
        case .symmetric:
            while i < 0 || i >= count { i = i < 0 ? -i - 1 : 2 * count - i - 1 }
        case .mirror:
            guard count > 1 else { return 0 }
            while i < 0 || i >= count { i = i < 0 ? -i : 2 * (count - 1) - i }
        }
        return i
    }
}

extension Tensor {
    /// The luma of a [1, H, W, 3] image, per pixel, on the image's own scale.
    func lumaPlane() -> [Float] {
        let pixels = shape.height * shape.width
        return [Float](unsafeUninitializedCapacity: pixels) { buffer, count in
            for p in 0..<pixels {
                let rgb = data + 3 * p
                buffer[p] = Luma.of(rgb[0], rgb[1], rgb[2])
            }
            count = pixels
        }
    }
}

/// The mean over a (2r+1) x (2r+1) window at every pixel, the image reflected `.symmetric` at its borders: two running
/// sums, one per axis.
struct BoxMean {
    let height: Int
    let width: Int
    let radius: Int

    func callAsFunction(_ values: [Float]) -> [Float] {
        var rows = [Float](repeating: 0, count: values.count)
        for y in 0..<height {
            runningMean(count: width) { values[y * width + $0] } store: { rows[y * width + $0] = $1 }
        }
        var result = [Float](repeating: 0, count: values.count)
        for x in 0..<width {
            runningMean(count: height) { rows[$0 * width + x] } store: { result[$0 * width + x] = $1 }
        }
        return result
    }

    /// One line's window means; sums in Double so that long lines do not drift.
    private func runningMean(count: Int, value: (Int) -> Float, store: (Int, Float) -> Void) {
        func reflected(_ i: Int) -> Int { BorderReflection.symmetric.index(i, count: count) }
        let size = 2 * radius + 1
        var sum = 0.0
        for i in -radius...radius { sum += Double(value(reflected(i))) }
        for i in 0..<count {
            store(i, Float(sum / Double(size)))
            sum += Double(value(reflected(i + radius + 1))) - Double(value(reflected(i - radius)))
        }
    }
}
