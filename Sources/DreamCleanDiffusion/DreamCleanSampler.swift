// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamCleanKernels

/// The network as the sampler sees it: ε̂(x_t, t) for x_t of any shape it accepts.
public typealias NoisePredictor = (_ x: Tensor, _ t: Int) throws -> Tensor

/// Called after each network evaluation with (evaluations done, total); returning false cancels the run.
public typealias EvaluationMonitor = (_ done: Int, _ total: Int) -> Bool

/// DreamClean's sampling loop: deterministic DDIM inversion of the degraded image to depth τ = strength·T (or the image
/// taken as already noisy at τ, `Start`), then back to t = 0, with M Variance Preserving Sampling corrections before
/// each DDIM step.
///
/// This implementation matches: Xiao et al., "DreamClean", ICLR 2024, Eq. 9 (VPS:
/// `x ← x − γ·sqrt(1−ᾱ_t)·ε̂(x, t) + sqrt(γ(2−γ))·sqrt(1−ᾱ_t)·z`), Song et al. 2021 (DDIM, η = 0, and its inversion),
/// and for known operators Wang et al. 2023 (DDNM range-null projection of the predicted x0; DDNM+ for noisy
/// measurements), following `shared/docs/dreamclean-method.md`.
///
/// Limitations: the DDNM+ noise-aware step scales the whole correction by one λ_t and takes the injected variance out of
/// the whole image (exact for denoising, A = I; an approximation where A has a null space).
public struct DreamCleanSampler: Sendable {
    /// How the run reaches depth τ.
    public enum Start: String, Sendable, Equatable, CaseIterable {
        /// Deterministic DDIM inversion of the start image (the paper's loop: the image is taken as clean).
        case inversion
        /// The start image taken as x0 + σ_τ·noise: x_τ = sqrt(ᾱ_τ)·start, no inversion. Exact for an image with white
        /// Gaussian noise of level σ_τ (x_τ then has the forward marginal, and none of its noise is inverted as
        /// content); for the smooth starts of the operator tasks (bicubic, the hole fill, gray) the network reads the
        /// missing detail as that noise and puts detail back, which measured better than inverting them.
        case noisyImage = "noisy"
    }

    public struct Options: Sendable, Equatable {
        /// K: DDIM steps, each way.
        public var steps: Int
        /// τ = round(strength · T) − 1: how deep the inversion goes.
        public var strength: Double
        /// γ of the VPS step, in [0, 1); 0 turns VPS off.
        public var gamma: Double
        /// M: VPS corrections before each DDIM step.
        public var vpsIterations: Int
        /// Clamp each predicted x0, and the result, to [-1, 1] (the paper's loop does on pixels; a latent space has no
        /// such range).
        public var clampPredictedX0: Bool
        /// How the run reaches τ.
        public var start: Start

        public init(steps: Int, strength: Double, gamma: Double, vpsIterations: Int = 1, clampPredictedX0: Bool = true,
                    start: Start = .inversion) {
            self.steps = steps
            self.strength = strength
            self.gamma = gamma
            self.vpsIterations = vpsIterations
            self.clampPredictedX0 = clampPredictedX0
            self.start = start
        }
    }

    public let schedule: NoiseSchedule
    public let options: Options
    /// The K timesteps, ascending over [0, τ].
    public let timesteps: [Int]

    public init(schedule: NoiseSchedule, options: Options) throws {
        guard (1...1000).contains(options.steps) else { throw DiffusionError.invalidOption("steps", "\(options.steps)", "1...1000") }
        guard options.strength > 0, options.strength <= 1 else {
            throw DiffusionError.invalidOption("strength", "\(options.strength)", "(0, 1]")
        }
        guard options.gamma >= 0, options.gamma < 1 else { throw DiffusionError.invalidOption("gamma", "\(options.gamma)", "[0, 1)") }
        guard (0...10).contains(options.vpsIterations) else {
            throw DiffusionError.invalidOption("vps_iters", "\(options.vpsIterations)", "0...10")
        }
        let tau = Int((options.strength * Double(schedule.timesteps)).rounded()) - 1
        guard tau >= 0 else { throw DiffusionError.invalidOption("strength", "\(options.strength)", "at least 1/T") }
        var sequence: [Int] = []
        for i in 0..<options.steps {
            let t = options.steps == 1 ? tau : Int((Double(i) * Double(tau) / Double(options.steps - 1)).rounded())
            if sequence.last != t { sequence.append(t) }
        }
        self.schedule = schedule
        self.options = options
        self.timesteps = sequence
    }

    /// Network evaluations of one `run`: K for the inversion (none from a noisy image), K·(M + 1) back.
    public var evaluationCount: Int {
        timesteps.count * (options.vpsIterations + (options.start == .inversion ? 2 : 1))
    }

    /// Restores from `start` (the degraded image, or A⁺(y) with a known operator; see `Options.start`); `measurement`
    /// and `y` enable the DDNM consistency step. The result is clamped to [-1, 1] when `clampPredictedX0` is set.
    public func run(start: Tensor, eps: NoisePredictor, measurement: (any MeasurementOperator)? = nil, y: Tensor? = nil,
                    noise: inout GaussianNoise, monitor: EvaluationMonitor? = nil) throws -> Tensor {
        var counter = EvaluationCounter(total: evaluationCount, monitor: monitor)
        let counted: NoisePredictor = { x, t in
            let e = try eps(x, t)
            try TensorMath.requireSameShape("noise prediction", x, e)
            try counter.tick()
            return e
        }
        try counter.check()
        var x = switch options.start {
        case .inversion: try invert(start, eps: counted)
        case .noisyImage: try TensorMath.scaled(start, schedule.alphaBar(timesteps.last ?? 0).squareRoot())
        }
        let previous = [-1] + timesteps.dropLast()
        for (t, tPrevious) in zip(timesteps, previous).reversed() {
            for _ in 0..<options.vpsIterations {
                x = try vpsCorrection(x, t: t, eps: counted, noise: &noise)
            }
            x = try ddimStep(x, from: t, to: tPrevious, eps: counted, measurement: measurement, y: y)
        }
        return options.clampPredictedX0 ? TensorMath.clampUnit(x) : x
    }

    /// Deterministic DDIM inversion (η = 0) from t = −1 up through `timesteps`.
    public func invert(_ start: Tensor, eps: NoisePredictor) throws -> Tensor {
        var x = start
        var current = -1
        for next in timesteps {
            let e = try eps(x, max(current, 0))
            let (a, aNext) = (schedule.alphaBar(current), schedule.alphaBar(next))
            let x0 = try TensorMath.combine(x, 1 / a.squareRoot(), e, -((1 - a) / a).squareRoot())
            x = try TensorMath.combine(x0, aNext.squareRoot(), e, (1 - aNext).squareRoot())
            current = next
        }
        return x
    }

    /// One VPS correction (Eq. 9) at timestep t with fresh noise z.
    public func vpsCorrection(_ x: Tensor, t: Int, eps: NoisePredictor, noise: inout GaussianNoise) throws -> Tensor {
        let gamma = options.gamma
        let sigma = (1 - schedule.alphaBar(t)).squareRoot()
        let e = try eps(x, t)
        let z = try noise.tensor(x.shape)
        return try TensorMath.combine(x, 1, e, -gamma * sigma, z, (gamma * (2 - gamma)).squareRoot() * sigma)
    }

    /// One deterministic DDIM step t -> tPrevious (−1 gives the clean estimate), with the DDNM(+) projection of the
    /// predicted x0 when a measurement is given.
    public func ddimStep(_ x: Tensor, from t: Int, to tPrevious: Int, eps: NoisePredictor,
                         measurement: (any MeasurementOperator)? = nil, y: Tensor? = nil) throws -> Tensor {
        let e = try eps(x, t)
        let (a, aPrevious) = (schedule.alphaBar(t), schedule.alphaBar(tPrevious))
        var x0 = try TensorMath.combine(x, 1 / a.squareRoot(), e, -((1 - a) / a).squareRoot())
        if options.clampPredictedX0 { TensorMath.clampUnit(x0) }
        var noiseScale = (1 - aPrevious).squareRoot()
        if let measurement, let y {
            // DDNM+: damp the correction where the measurement is noisier than step tPrevious can absorb, and take the
            // variance it injects out of the ε̂ term so that x_{t−1} keeps its noise level.
            let (projected, injectedVariance) = try measurement.noisyProjection(x0, onto: y, noiseLevel: schedule.noiseLevel(tPrevious))
            x0 = projected
            let injected = aPrevious * injectedVariance
            noiseScale = max(0, 1 - aPrevious - injected).squareRoot()
        }
        return try TensorMath.combine(x0, aPrevious.squareRoot(), e, noiseScale)
    }
}

/// Counts network evaluations, reports them, and turns a monitor's "stop" into `DiffusionError.cancelled`.
struct EvaluationCounter {
    let total: Int
    let monitor: EvaluationMonitor?
    private(set) var done = 0

    init(total: Int, monitor: EvaluationMonitor?) {
        self.total = total
        self.monitor = monitor
    }

    /// Checks before any work whether the caller already cancelled.
    func check() throws {
        if let monitor, !monitor(done, total) { throw DiffusionError.cancelled }
    }

    mutating func tick() throws {
        done += 1
        if let monitor, !monitor(done, total) { throw DiffusionError.cancelled }
    }
}
