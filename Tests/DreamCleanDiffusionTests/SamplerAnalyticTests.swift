// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import XCTest
import DreamCleanKernels
@testable import DreamCleanDiffusion

/// The sampler against closed forms, with Gaussian data whose ε̂ is exact (GaussianModel).
final class SamplerAnalyticTests: XCTestCase {
    let schedule = try! NoiseSchedule(kind: .linear)
    var model: GaussianModel { GaussianModel(mean: 0.1, std: 0.2, schedule: schedule) }
    let shape = TensorShape(batch: 1, height: 8, width: 8, channels: 3)

    /// Inversion then the deterministic reverse loop (no VPS) returns the input; the error is the discretization error
    /// of DDIM's first-order ODE steps, so it falls about in proportion to 1/K (measured: 0.40, 0.095, 0.026 at K = 10,
    /// 50, 200 for strength 0.5).
    func testInversionRoundTripConvergesWithSteps() throws {
        let y = try model.sample(shape, seed: 1)
        var errors: [Int: Float] = [:]
        for steps in [10, 50, 200] {
            let sampler = try DreamCleanSampler(schedule: schedule, options: .init(steps: steps, strength: 0.5, gamma: 0, vpsIterations: 0))
            var noise = GaussianNoise(seed: 0)
            errors[steps] = try sampler.run(start: y, eps: model.eps, noise: &noise).maxAbsDifference(y)
        }
        print("inversion round trip, max abs error: 10 steps \(errors[10]!), 50 steps \(errors[50]!), 200 steps \(errors[200]!)")
        XCTAssertLessThan(errors[50]!, 0.35 * errors[10]!)   // first order: 5x the steps, about 1/5 the error
        XCTAssertLessThan(errors[200]!, 0.35 * errors[50]!)  // 4x the steps, about 1/4
        XCTAssertLessThan(errors[200]!, 0.04)
    }

    /// With VPS on, every step is affine in x plus Gaussian noise, so the output's mean and variance per pixel follow
    /// from the coefficients alone; the sampler's outputs over many seeds must match them.
    func testVPSOutputStatisticsMatchTheory() throws {
        let options = DreamCleanSampler.Options(steps: 8, strength: 0.4, gamma: 0.3, vpsIterations: 1, clampPredictedX0: false)
        let sampler = try DreamCleanSampler(schedule: schedule, options: options)
        let small = TensorShape(batch: 1, height: 4, width: 4, channels: 4)
        let y = try model.sample(small, seed: 2)
        let runs = 600
        var sum = [Double](repeating: 0, count: y.count), sumSquares = sum
        for seed in 0..<runs {
            var noise = GaussianNoise(seed: UInt64(1000 + seed))
            let x = try sampler.run(start: y, eps: model.eps, noise: &noise)
            for i in 0..<x.count {
                sum[i] += Double(x.data[i])
                sumSquares[i] += Double(x.data[i]) * Double(x.data[i])
            }
        }
        // Theory: propagate (mean, variance) through the same steps written as affine maps.
        let (meanMap, variance) = theory(sampler)
        var normalizedMeanError = 0.0, empiricalVariance = 0.0
        for i in 0..<y.count {
            let empiricalMean = sum[i] / Double(runs)
            let expected = meanMap.scale * Double(y.data[i]) + meanMap.offset
            normalizedMeanError += (empiricalMean - expected) * (empiricalMean - expected) / (variance / Double(runs))
            empiricalVariance += (sumSquares[i] - Double(runs) * empiricalMean * empiricalMean) / Double(runs - 1)
        }
        normalizedMeanError /= Double(y.count)
        empiricalVariance /= Double(y.count)
        print("VPS statistics: variance \(empiricalVariance) vs theory \(variance); mean error / its std, squared: \(normalizedMeanError)")
        XCTAssertGreaterThan(variance, 1e-4, "the test needs VPS to add measurable variance")
        XCTAssertEqual(empiricalVariance, variance, accuracy: 0.08 * variance)  // estimate's std about 2 %
        XCTAssertLessThan(normalizedMeanError, 1.6)                              // expected 1, std about 0.09
    }

    /// (mean = scale·y + offset, variance) of the output, from the affine form of inversion, VPS and DDIM.
    func theory(_ sampler: DreamCleanSampler) -> (meanMap: (scale: Double, offset: Double), variance: Double) {
        var (scale, offset, variance) = (1.0, 0.0, 0.0)
        func ddim(_ t: Int, _ next: Int, epsAt: Int) {
            // x_next = √ᾱ' (x − √(1−ᾱ) ε̂)/√ᾱ + √(1−ᾱ') ε̂, with ε̂ = k (x − c)
            let (k, c) = model.coefficients(epsAt)
            let (a, b) = (schedule.alphaBar(t), schedule.alphaBar(next))
            let slope = b.squareRoot() * (1 - (1 - a).squareRoot() * k) / a.squareRoot() + (1 - b).squareRoot() * k
            let intercept = b.squareRoot() * (1 - a).squareRoot() * k * c / a.squareRoot() - (1 - b).squareRoot() * k * c
            scale *= slope
            offset = slope * offset + intercept
            variance *= slope * slope
        }
        var current = -1
        for next in sampler.timesteps {
            ddim(current, next, epsAt: max(current, 0))
            current = next
        }
        let gamma = sampler.options.gamma
        for (t, previous) in zip(sampler.timesteps, [-1] + sampler.timesteps.dropLast()).reversed() {
            let (k, c) = model.coefficients(t)
            let sigma = (1 - schedule.alphaBar(t)).squareRoot()
            let slope = 1 - gamma * sigma * k
            scale *= slope
            offset = slope * offset + gamma * sigma * k * c
            variance = slope * slope * variance + gamma * (2 - gamma) * sigma * sigma
            ddim(t, previous, epsAt: t)
        }
        return ((scale, offset), variance)
    }

    /// From a noisy image y = x0 + σ_τ n with Gaussian data N(μ, s²): one DDIM step gives Tweedie's posterior mean
    /// μ + s²/(s² + σ_τ²)·(y − μ) exactly, and more steps approach the probability-flow ODE's map
    /// μ + s/√(s² + σ_τ²)·(y − μ) (the flow carries the noisy marginal's quantiles to the data's) with first-order
    /// error (measured: 0.0075 at 25 steps, 0.0021 at 100).
    func testNoisyImageStartMatchesTweedieAndTheFlow() throws {
        let y = try model.sample(shape, seed: 6)
        let (mu, s) = (model.mean, model.std)
        var errors: [Int: Double] = [:]
        for steps in [1, 25, 100] {
            let sampler = try DreamCleanSampler(schedule: schedule, options: .init(
                steps: steps, strength: 0.1, gamma: 0, vpsIterations: 0, clampPredictedX0: false, start: .noisyImage))
            XCTAssertEqual(sampler.evaluationCount, steps)  // no inversion
            let sigma = schedule.noiseLevel(sampler.timesteps.last ?? 0)
            let gain = steps == 1 ? s * s / (s * s + sigma * sigma) : s / (s * s + sigma * sigma).squareRoot()
            var noise = GaussianNoise(seed: 0)
            let x = try sampler.run(start: y, eps: model.eps, noise: &noise)
            errors[steps] = (0..<y.count).map { abs(Double(x.data[$0]) - (mu + gain * (Double(y.data[$0]) - mu))) }.max()
        }
        print("noisy start, max abs error: Tweedie \(errors[1]!), flow 25 steps \(errors[25]!), 100 steps \(errors[100]!)")
        XCTAssertLessThan(errors[1]!, 1e-5)
        XCTAssertLessThan(errors[100]!, 0.35 * errors[25]!)  // first order: 4x the steps, about 1/4 the error
        XCTAssertLessThan(errors[100]!, 3e-3)
    }

    func testTimestepsAndEvaluationCount() throws {
        let sampler = try DreamCleanSampler(schedule: schedule, options: .init(steps: 5, strength: 0.2, gamma: 0.1, vpsIterations: 2))
        XCTAssertEqual(sampler.timesteps, [0, 50, 100, 149, 199])
        XCTAssertEqual(sampler.evaluationCount, 5 * 4)
        // More steps than timesteps below τ: duplicates are dropped.
        XCTAssertEqual(try DreamCleanSampler(schedule: schedule, options: .init(steps: 10, strength: 0.003, gamma: 0)).timesteps, [0, 1, 2])
    }

    func testProgressIsMonotoneAndEndsAtTotal() throws {
        let sampler = try DreamCleanSampler(schedule: schedule, options: .init(steps: 4, strength: 0.3, gamma: 0.2))
        var seen: [Int] = []
        var noise = GaussianNoise(seed: 3)
        _ = try sampler.run(start: try model.sample(shape, seed: 4), eps: model.eps, noise: &noise) { done, total in
            XCTAssertEqual(total, sampler.evaluationCount)
            seen.append(done)
            return true
        }
        XCTAssertEqual(seen, Array(0...sampler.evaluationCount))
    }

    func testCancelStopsWithinOneEvaluation() throws {
        let sampler = try DreamCleanSampler(schedule: schedule, options: .init(steps: 4, strength: 0.3, gamma: 0.2))
        var evaluations = 0
        let counting: NoisePredictor = { x, t in evaluations += 1; return try self.model.eps(x, t) }
        var noise = GaussianNoise(seed: 3)
        XCTAssertThrowsError(try sampler.run(start: try model.sample(shape, seed: 4), eps: counting, noise: &noise) { done, _ in done < 3 }) {
            XCTAssertEqual($0 as? DiffusionError, .cancelled)
        }
        XCTAssertEqual(evaluations, 3)
        evaluations = 0
        XCTAssertThrowsError(try sampler.run(start: try model.sample(shape, seed: 4), eps: counting, noise: &noise) { _, _ in false })
        XCTAssertEqual(evaluations, 0, "cancelled before the first evaluation")
    }

    func testSameSeedSameOutput() throws {
        let sampler = try DreamCleanSampler(schedule: schedule, options: .init(steps: 4, strength: 0.3, gamma: 0.3))
        let y = try model.sample(shape, seed: 5)
        var a = GaussianNoise(seed: 9), b = GaussianNoise(seed: 9), c = GaussianNoise(seed: 10)
        let first = try sampler.run(start: y, eps: model.eps, noise: &a)
        XCTAssertEqual(first.values, try sampler.run(start: y, eps: model.eps, noise: &b).values)
        XCTAssertNotEqual(first.values, try sampler.run(start: y, eps: model.eps, noise: &c).values)
    }

    func testInvalidOptionsAreRejected() {
        for options in [DreamCleanSampler.Options(steps: 0, strength: 0.3, gamma: 0.1), .init(steps: 10, strength: 0, gamma: 0.1),
                        .init(steps: 10, strength: 1.5, gamma: 0.1), .init(steps: 10, strength: 0.3, gamma: 1),
                        .init(steps: 10, strength: 0.3, gamma: -0.1), .init(steps: 10, strength: 0.3, gamma: 0.1, vpsIterations: -1),
                        .init(steps: 10, strength: .nan, gamma: 0.1), .init(steps: 10, strength: 0.0001, gamma: 0.1)] {
            XCTAssertThrowsError(try DreamCleanSampler(schedule: schedule, options: options), "\(options)")
        }
    }
}
