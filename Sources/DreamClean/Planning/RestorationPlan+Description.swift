// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

/// A plan for people (`dreamclean plan`) and for programs (`dc_filter_get_plan`, JSON); noise levels in 0-255 units.
extension RestorationPlan {
    /// Bands the image is restored in, and the network's largest tile side.
    public var bandCount: Int { memory.bands.count }
    public var tileSize: Int { memory.tileSize }
    /// What the plan expects the library to hold at most, in bytes (besides the activation cache and the images).
    public var requiredBytes: Int { memory.requiredBytes }

    public var summary: String {
        var lines = ["task \(task.rawValue), preset \(preset.rawValue): \(outputWidth)x\(outputHeight) output"]
        if let blindReading { lines.append("read: \(blindReading.summary)") }
        lines.append("colour: " + Self.describe(color))
        if let alpha { lines.append("alpha: " + Self.describe(alpha)) }
        if mix < 1 { lines.append("blend: \(DecimalText.fixed(mix, digits: 3)) of the restoration with the input, in linear light") }
        lines.append("memory: \(bandCount) band\(bandCount == 1 ? "" : "s"), tiles up to \(tileSize) px overlapping by \(tileOverlap), "
            + "about \((requiredBytes + (1 << 20) - 1) >> 20) MiB besides the images")
        lines += warnings.map { "warning: " + $0 }
        return lines.joined(separator: "\n")
    }

    public var json: String {
        JSONText.object([
            ("task", JSONText.quoted(task.rawValue)), ("preset", JSONText.quoted(preset.rawValue)),
            ("output_width", "\(outputWidth)"), ("output_height", "\(outputHeight)"),
            ("reading", blindReading.map(Self.json) ?? "null"),
            ("color", Self.json(color)), ("alpha", alpha.map(Self.json) ?? "null"), ("mix", JSONText.number(mix)),
            ("bands", "\(bandCount)"), ("tile_size", "\(tileSize)"), ("tile_overlap", "\(tileOverlap)"),
            ("required_bytes", "\(requiredBytes)"), ("warnings", "[" + warnings.map(JSONText.quoted).joined(separator: ", ") + "]"),
        ])
    }

    static func describe(_ layer: Layer) -> String {
        var parts = layer.measurementLayer.map { ["measurement first: " + describe($0.layer)] } ?? []
        parts += [layer.problem.summary, "from noise \(DecimalText.fixed(NoiseScale.pixels(fromModel: layer.noiseLevel)))/255"]
        if layer.unclips { parts.append("clipped values drawn back") }
        if layer.subsampling > 1 { parts.append("on the \(layer.subsampling * layer.subsampling) stride-\(layer.subsampling) sub-images apart") }
        if layer.chromaRadiusBefore > 0 { parts.append("chroma filter radius \(layer.chromaRadiusBefore) before") }
        parts.append(describe(layer.run))
        if let busy = layer.busyRun { parts.append("busy regions: " + describe(busy)) }
        if layer.chromaRadiusAfter > 0 { parts.append("chroma filter radius \(layer.chromaRadiusAfter) after") }
        return parts.joined(separator: "; ")
    }

    private static func describe(_ run: SamplerRun) -> String {
        guard run.strength > 0 else { return "left as it is (less noise than one step removes)" }
        return "\(run.steps) step\(run.steps == 1 ? "" : "s") from strength \(DecimalText.fixed(run.strength, digits: 3)) (\(run.start.rawValue) start)"
            + (run.vpsIterations > 0 ? ", VPS gamma \(DecimalText.fixed(run.gamma)) x\(run.vpsIterations)" : "")
            + (run.flipEnsemble ? ", mirror ensemble" : "")
    }

    private static func json(_ reading: BlindReading) -> String {
        JSONText.object([
            ("summary", JSONText.quoted(reading.summary)), ("noise_sigma", JSONText.number(reading.noiseSigma)),
            ("coarse_noise_sigma", JSONText.number(reading.coarseNoiseSigma)),
            ("camera", reading.camera.map(json) ?? "null"),
            ("camera_noise_sigma", reading.cameraNoiseSigma.map(JSONText.number) ?? "null"),
            ("jpeg_step", reading.jpegStep.map { "\($0)" } ?? "null"), ("jpeg_quality", reading.jpegQuality.map { "\($0)" } ?? "null"),
            ("blur_sigma", reading.blurSigma.map(JSONText.number) ?? "null"),
        ])
    }

    private static func json(_ camera: CameraNoiseReading) -> String {
        JSONText.object([
            ("chroma_noise_sigma", JSONText.number(camera.chromaSigma)),
            ("coarse_chroma_noise_sigma", JSONText.number(camera.coarseChromaSigma)),
            ("coarser_chroma_noise_sigma", JSONText.number(camera.coarserChromaSigma)),
            ("coarse_noise_sigma", JSONText.number(camera.coarseSigma)), ("coarser_noise_sigma", JSONText.number(camera.coarserSigma)),
            ("level", camera.level.map(JSONText.number) ?? "null"),
        ])
    }

    private static func json(_ layer: Layer) -> String {
        JSONText.object([
            ("problem", JSONText.quoted(layer.problem.summary)),
            ("noise_sigma", JSONText.number(NoiseScale.pixels(fromModel: layer.noiseLevel))), ("subsampling", "\(layer.subsampling)"),
            ("unclips", "\(layer.unclips)"),
            ("chroma_radius_before", "\(layer.chromaRadiusBefore)"), ("chroma_radius_after", "\(layer.chromaRadiusAfter)"),
            ("runs", "[" + ([layer.run] + (layer.busyRun.map { [$0] } ?? [])).map(json).joined(separator: ", ") + "]"),
            ("measurement_layer", layer.measurementLayer.map { json($0.layer) } ?? "null"),
        ])
    }

    private static func json(_ run: SamplerRun) -> String {
        JSONText.object([
            ("steps", "\(run.steps)"), ("strength", JSONText.number(run.strength)), ("gamma", JSONText.number(run.gamma)),
            ("vps_iters", "\(run.vpsIterations)"), ("start", JSONText.quoted(run.start.rawValue)),
            ("mirror_ensemble", "\(run.flipEnsemble)"),
        ])
    }
}

extension RestorationPlan.Problem {
    /// One phrase: the operator and the start it implies.
    public var summary: String {
        switch self {
        case .none: "no operator (the image is the start)"
        case .identity(let noise): "A = I with noise \(DecimalText.fixed(NoiseScale.pixels(fromModel: noise)))/255"
        case .downsampling(let scale, let filter, let noise):
            "\(filter.name) downsampling x\(scale) with noise \(noiseText(noise)) (bicubic start)"
        case .blur(.gaussian(let sigma), let noise):
            "Gaussian blur sigma \(DecimalText.fixed(sigma, digits: 2)) px with noise \(DecimalText.fixed(NoiseScale.pixels(fromModel: noise)))/255"
        case .blur(.given(let kernel), let noise):
            "a \(Int(Double(kernel.count).squareRoot()))-tap kernel with noise \(DecimalText.fixed(NoiseScale.pixels(fromModel: noise)))/255"
        case .mask(_, let noise): "the mask's known pixels with noise \(noiseText(noise)) (holes filled for the start)"
        case .grayscale(let weights, let noise): "grayscale (\(weights.rawValue)) with noise \(noiseText(noise)) (gray start)"
        }
    }

    private func noiseText(_ noise: Double) -> String { "\(DecimalText.fixed(NoiseScale.pixels(fromModel: noise)))/255" }
}
