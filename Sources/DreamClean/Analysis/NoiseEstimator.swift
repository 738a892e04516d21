// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// Estimates the standard deviation of white Gaussian noise in an image: the median absolute value of the finest
/// diagonal Haar wavelet coefficients divided by 0.6745 (Donoho & Johnstone 1994). Image structure barely reaches
/// those coefficients, so the estimate tracks the noise; it reads JPEG blocking and blur as little noise. Fine texture
/// (fur, foliage) reaches them too, and alone read as noise of 3-9/255 on clean 64-256 px development crops; in colour
/// it is mostly the same in the three channels, while white noise is independent in each, so a colour image's reading
/// is held to twice what the differences between its channels read (`chromaSigma`). Noise cut at black and white
/// reads low where it is cut (white noise of 50/255 read 41-45), so each channel is read on its mid-tone blocks.
enum NoiseEstimator {
    /// σ of the noise of a whole host image's colour channels (or its alpha) on the [-1, 1] scale, read in place: the
    /// mean of the per-channel estimates. (Estimating on the channel mean would read independent per-channel noise as
    /// σ/√3.)
    static func sigma(of image: ImageBuffer, alpha: Bool = false) -> Double {
        let channels = alpha ? image.channels - 1..<image.channels : 0..<image.colorChannels
        var coefficients: [Float] = []
        let total = channels.reduce(0.0) { sum, channel in
            let value = { (y: Int, x: Int) in min(max(image.sample(x, y, channel), 0), 1) * 2 - 1 }
            let first = sigma(height: image.height, width: image.width, coefficients: &coefficients, value: value) ?? 0
            let margin = Float(clippingMargin * first)
            let midTone = { (y: Int, x: Int) in
                abs(value(y, x) + value(y, x + 1) + value(y + 1, x) + value(y + 1, x + 1)) / 4 <= 1 - margin
            }
            let midTones = sigma(height: image.height, width: image.width, coefficients: &coefficients, including: midTone, value: value) ?? first
            return sum + min(midTones, clippingRaise * first)
        }
        let whole = total / Double(channels.count)
        guard !alpha, image.colorChannels == 3, let chroma = chromaSigma(of: image, coefficients: &coefficients) else { return whole }
        return min(whole, chromaBound * chroma)
    }

    /// White noise reads within 0.9-1.05 of its level from the channel differences on the development crops (5-25/255);
    /// clean crops read 0-0.7/255 there (3.5 and 8.9 on a face and a mandrill's coloured fur), against 0.7-9 whole.
    /// Twice the channels' reading keeps white noise's reading (texture raises it by less than that) and the camera
    /// model's (its colour matrix mixes the channels' noise: 0.55-0.75 of the whole reading), and a clean photo's
    /// reading falls below the least noise the model removes.
    static let chromaBound = 2.0

    /// A channel is read on the 2x2 blocks whose mean lies at least this many times a first reading (on every block)
    /// inside black and white, where clipping hardly cuts the noise, unless fewer than 16 do. A block's mean and its
    /// diagonal coefficient are independent for Gaussian noise (orthogonal combinations of its pixels), so choosing
    /// blocks by their means does not bias the reading; choosing blocks with no clipped value did (41-45/255 again).
    /// Noise of 50/255 reads 49.7-52.4 this way on the development crops.
    static let clippingMargin = 2.0
    /// The mid-tone reading is held to this many times the first: where the rest of a photo is clipped its mid-tones
    /// can be its texture (a photo at twice its contrast, half of it at 255, under noise of 10/255 read 18.5 there, and
    /// blind mode left it worse). Clipped noise of 50/255 reads 12-14 % low on every block; 1.15 measured 0.17 dB
    /// below 1.25 at noise 50 (blind, `make quality`'s 12 crops).
    static let clippingRaise = 1.25

    /// The per-channel σ read from the differences R - G, G - B and B - R, each divided by √2 (the difference of two
    /// independent noises of σ has σ√2), averaged; over the 2x2 blocks whose channels differ at all and none of whose
    /// values is clipped (at 0 or 1 the noise is cut, and where one channel is cut the others' texture shows in the
    /// differences: a photo at twice its contrast read 6/255 there), and nil when fewer than 16 blocks are left (a gray
    /// image kept in colour, whose noise is the same in every channel, or a saturated one). `scale` 2 or 4 reads it
    /// that many times coarser, as `coarseSigma` does, where a camera's colour noise, spread over neighbouring pixels
    /// by demosaicing, shows (`CameraNoiseReading`).
    static func chromaSigma(of image: ImageBuffer, scale: Int = 1) -> Double? {
        var coefficients: [Float] = []
        return chromaSigma(of: image, coefficients: &coefficients, scale: scale)
    }

    private static func chromaSigma(of image: ImageBuffer, coefficients: inout [Float], scale: Int = 1) -> Double? {
        guard image.colorChannels == 3, scale >= 1 else { return nil }
        let pixel = { (x: Int, y: Int, c: Int) in min(max(image.sample(x, y, c), 0), 1) * 2 - 1 }
        // A block of the coarse grid covers (2 scale)^2 pixels: each of them is checked for clipping.
        let readable = { (y: Int, x: Int) -> Bool in
            var colored = false
            for yy in scale * y..<scale * (y + 2) {
                for xx in scale * x..<scale * (x + 2) {
                    let r = pixel(xx, yy, 0), g = pixel(xx, yy, 1), b = pixel(xx, yy, 2)
                    if abs(r) >= 1 || abs(g) >= 1 || abs(b) >= 1 { return false }
                    colored = colored || r != g || g != b
                }
            }
            return colored
        }
        // Which 2x2 blocks of the grid are read, decided once for the three differences.
        let (height, width) = (image.height / scale, image.width / scale)
        let blocksAcross = width / 2
        var readableBlocks = [Bool](repeating: false, count: (height / 2) * blocksAcross)
        for by in 0..<height / 2 {
            for bx in 0..<blocksAcross { readableBlocks[by * blocksAcross + bx] = readable(2 * by, 2 * bx) }
        }
        var total = 0.0
        for (a, b) in [(0, 1), (1, 2), (2, 0)] {
            let difference = { (y: Int, x: Int) in blockMean(scale, y, x) { xx, yy in pixel(xx, yy, a) - pixel(xx, yy, b) } }
            guard let pair = sigma(height: height, width: width, coefficients: &coefficients,
                                   including: { y, x in readableBlocks[(y / 2) * blocksAcross + x / 2] }, value: difference) else { return nil }
            total += pair / 2.0.squareRoot()
        }
        return Double(scale) * total / 3
    }

    /// The same estimate `scale` (2 or 4) times coarser, in the same units: the image averaged over scale x scale
    /// blocks, read as above and multiplied by the scale (white noise averaged over n² pixels has 1/n of its σ, so
    /// white noise reads about `sigma` here too). Noise that demosaicing and in-camera processing spread over
    /// neighbouring pixels, as a camera's is, has little power at the finest scale and reads several times higher one
    /// scale coarser; fine image texture reads higher there too, and higher again a scale further, where a camera's
    /// noise has faded.
    static func coarseSigma(of image: ImageBuffer, alpha: Bool = false, scale: Int = 2) -> Double {
        var coefficients: [Float] = []
        let channels = alpha ? image.channels - 1..<image.channels : 0..<image.colorChannels
        let total = channels.reduce(0.0) { sum, channel in
            let value = { (xx: Int, yy: Int) in min(max(image.sample(xx, yy, channel), 0), 1) * 2 - 1 }
            return sum + Double(scale) * (sigma(height: image.height / scale, width: image.width / scale, coefficients: &coefficients) { y, x in
                blockMean(scale, y, x, value)
            } ?? 0)
        }
        return total / Double(channels.count)
    }

    /// The mean of `value(x, y)` over the scale x scale pixels of coarse block (y, x).
    private static func blockMean(_ scale: Int, _ y: Int, _ x: Int, _ value: (Int, Int) -> Float) -> Float {
        var sum: Float = 0
        for yy in scale * y..<scale * (y + 1) {
            for xx in scale * x..<scale * (x + 1) { sum += value(xx, yy) }
        }
        return sum / Float(scale * scale)
    }

    /// Bytes the estimates hold for an image of `pixels` pixels (one coefficient and one readable flag per 2x2 block).
    static func workingBytes(pixels: Int) -> Int { pixels / 4 * (MemoryLayout<Float>.stride + MemoryLayout<Bool>.stride) }

    /// The estimate over the 2x2 blocks (top-left corner y, x) that `including` accepts, or nil when fewer than
    /// `leastBlocks` are (an image under 2x2 has none). `coefficients` is scratch space, reused across channels.
    private static func sigma(height h: Int, width w: Int, coefficients: inout [Float], including: (Int, Int) -> Bool = { _, _ in true },
                              value: (Int, Int) -> Float) -> Double? {
        coefficients.removeAll(keepingCapacity: true)
        coefficients.reserveCapacity((h / 2) * (w / 2))
        for y in stride(from: 0, to: h - 1, by: 2) {
            for x in stride(from: 0, to: w - 1, by: 2) where including(y, x) {
                coefficients.append(abs(value(y, x) - value(y, x + 1) - value(y + 1, x) + value(y + 1, x + 1)) / 2)
            }
        }
        guard coefficients.count >= leastBlocks || (coefficients.count > 0 && (h / 2) * (w / 2) < leastBlocks) else { return nil }
        return coefficients.selectKthSmallest(coefficients.count / 2).map { Double($0) / 0.6745 }
    }

    /// The fewest blocks a reading is taken from, unless the image has fewer.
    private static let leastBlocks = 16
}
