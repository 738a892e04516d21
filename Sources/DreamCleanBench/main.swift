// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
//
// The Swift half of `make bench` (Models/bench.py runs it): loads a model folder, times forward passes at one size,
// and prints one JSON line with the timings and the process's peak resident memory.
//
//   dreamclean-bench --model FOLDER [--height 256] [--width 256] [--runs 3] [--threads 2] [--backend onednn|reference]
//                    [--pool-mib 512] [--precision f32|bf16|int8] [--batch 1] [--part unet|encode|decode] [--profile]
//
// --part times a latent (sd) model's UNet (the default), its autoencoder's encoder or its decoder; --height and
// --width are the input's size in its own units (latent positions for the UNet and the decoder, pixels for the encoder).
//
// With --profile the JSON line also holds "profile": the milliseconds of one more forward pass by op kind
// (`ProfilingBackend`), and "profile_calls": how many calls each kind made.

import DreamCleanKernels
import DreamCleanNetworks
import Foundation

struct Options {
    var model = ""
    var height = 256
    var width = 256
    var runs = 3
    var threads = 2
    var backend = "onednn"
    var poolMiB = 512
    var profile = false
    var batch = 1
    var precision = ConvolutionPrecision.f32
    var part = "unet"

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            if flag == "--profile" {
                profile = true
                continue
            }
            guard let value = rest.popFirst() else { throw BenchError.usage("\(flag) needs a value") }
            switch flag {
            case "--model": model = value
            case "--height": height = try Self.int(flag, value)
            case "--width": width = try Self.int(flag, value)
            case "--runs": runs = try Self.int(flag, value)
            case "--threads": threads = try Self.int(flag, value)
            case "--backend": backend = value
            case "--pool-mib": poolMiB = try Self.int(flag, value)
            case "--batch": batch = try Self.int(flag, value)
            case "--part":
                guard ["unet", "encode", "decode"].contains(value) else { throw BenchError.usage("--part is unet, encode or decode, not \(value)") }
                part = value
            case "--precision":
                guard let chosen = ConvolutionPrecision(rawValue: value) else { throw BenchError.usage("--precision is f32, bf16 or int8, not \(value)") }
                precision = chosen
            default: throw BenchError.usage("unknown option \(flag)")
            }
        }
        guard !model.isEmpty else { throw BenchError.usage("--model FOLDER is required") }
    }

    static func int(_ flag: String, _ value: String) throws -> Int {
        guard let n = Int(value), n > 0 else { throw BenchError.usage("\(flag) needs a positive integer, not \(value)") }
        return n
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    var description: String {
        switch self { case let .usage(message): "usage: \(message)" }
    }
}

/// Peak resident set size of this process in MiB (VmHWM).
func peakResidentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          // "VmHWM:\t  123456 kB": a tab, then spaces only while the number is under 8 digits.
          let kib = Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") else { return -1 }
    return kib / 1024
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func run() throws {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let engine: any ComputeBackend = options.backend == "reference" ? ReferenceBackend() : try DNNLBackend(threads: options.threads, poolBytes: options.poolMiB << 20)
    let profiler = options.profile ? ProfilingBackend(engine) : nil
    let backend = profiler ?? engine
    var precision = backend.setConvolutionPrecision(options.precision)
    let config = try ModelConfig.load(folder: options.model)
    // The pass to time, and the channels of its input.
    var pass: ((Tensor) throws -> Tensor)?
    var channels = config.unet.inChannels
    let timesteps = [Float](repeating: 500, count: options.batch)
    let load = try seconds {
        if options.part == "unet" {
            let net = try UNet(folder: options.model, config: config, backend: backend)
            precision = net.setConvolutionPrecision(options.precision)  // int8 needs the model's calibration
            pass = { try net($0, timesteps: timesteps) }
        } else {
            let autoencoder = try AutoencoderKL(folder: options.model, config: config, backend: backend)
            channels = options.part == "encode" ? autoencoder.config.inChannels : autoencoder.config.latentChannels
            pass = options.part == "encode" ? { try autoencoder.encode($0) } : { try autoencoder.decode($0) }
        }
    }
    guard let pass else { return }
    let loadPeak = peakResidentMiB()
    let shape = TensorShape(batch: options.batch, height: options.height, width: options.width, channels: channels)
    var generator = UInt64(12345)
    let x = try Tensor(shape: shape, nhwc: (0..<shape.checkedCount!).map { _ in
        generator = generator &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: generator) >> 40) / Float(1 << 23)
    })
    var first = 0.0
    var times: [Double] = []
    for i in 0...options.runs {
        let t = try seconds { _ = try pass(x) }
        if i == 0 { first = t } else { times.append(t) }
    }
    times.sort()
    var result: [String: Any] = [
        "load_s": load, "first_ms": first * 1e3, "ms": times.map { $0 * 1e3 }, "median_ms": times[times.count / 2] * 1e3,
        "peak_rss_mib": peakResidentMiB(), "load_peak_rss_mib": loadPeak, "threads": options.threads, "backend": backend.name,
        "precision": precision.rawValue,
    ]
    if let profiler {
        profiler.reset()
        let total = try seconds { _ = try pass(x) }
        result["profile"] = profiler.milliseconds.merging(["total": total * 1e3]) { a, _ in a }
        result["profile_calls"] = profiler.calls
    }
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("dreamclean-bench: \(error)\n".utf8))
    exit(1)
}
