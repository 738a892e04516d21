// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import ArgumentParser
import DreamClean
import DreamCleanDiffusion
import DreamCleanKernels
import DreamCleanImageIO
import Glibc
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Exit codes (sysexits.h): what went wrong, for scripts.
enum Exit {
    static let usage: Int32 = 64        // bad arguments
    static let badImage: Int32 = 65     // the input is not a usable image
    static let noInput: Int32 = 66      // the input cannot be read
    static let noModel: Int32 = 69      // no usable model
    static let cannotWrite: Int32 = 73  // the output cannot be written
    static let cancelled: Int32 = 130
}

@main
struct DreamCleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dreamclean",
        abstract: "Restore damaged photos with a diffusion prior (DreamClean, ICLR 2024).",
        version: DreamCleanVersion.string,
        subcommands: [Restore.self, Info.self])
}

struct ModelOptions: ParsableArguments {
    @Option(help: "Model folder (config.json + model.safetensors); default: $DREAMCLEAN_MODEL or the installed default model.")
    var model: String?

    @Option(help: "Compute threads (0: one per core; at most \(ThreadCapacity.maximum)).")
    var threads: Int = 0

    func validate() throws {
        guard (0...ThreadCapacity.maximum).contains(threads) else {
            throw ValidationError("--threads \(threads) is out of range [0, \(ThreadCapacity.maximum)]")
        }
    }

    func load() throws -> (Restorer, String) {
        let located = model.map { ($0, [$0]) } ?? DefaultModel.folder()
        guard let folder = located.0 else {
            throw CLIError(Exit.noModel, "no default model found (searched \(located.1.joined(separator: ", "))); pass --model")
        }
        do {
            return (try Restorer(modelFolder: folder, threads: threads), folder)
        } catch {
            throw CLIError(Exit.noModel, "cannot load the model: \(error)")
        }
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Restore IN into OUT (OUT is replaced only once the result is complete).")

    @Argument(help: "Input image (any format libvips reads).") var input: String
    @Argument(help: "Output image; the format follows the suffix (.png, .jpg, .tif, .webp).") var output: String
    @Option(help: "blind, denoise, jpeg, sr, deblur, inpaint, colorize.") var task = "blind"
    @Option(help: "fast, balanced or quality.") var preset = "balanced"
    @Option(help: "inversion or noisy: DDIM inversion, or the image taken as noisy; default: the preset's.") var start: String?
    @Option(help: "Depth in (0, 1]; default: the preset's, from the image's noise level for blind, denoise and jpeg.") var strength: Double?
    @Option(help: "VPS step gamma in [0, 1).") var gamma: Double?
    @Option(help: "DDIM steps each way.") var steps: Int?
    @Option(name: .customLong("vps-iters"), help: "VPS corrections per step.") var vpsIterations: Int?
    @Option(help: "Random seed; -1 draws one.") var seed: Int = -1
    @Option(help: "sr: upscaling factor.") var scale: Int = 2
    @Option(name: .customLong("noise-sigma"), help: "denoise, deblur: noise standard deviation in 0-255 units (default: estimated; deblur: at least 3).") var noiseSigma: Double?
    @Option(name: .customLong("blur-sigma"), help: "deblur: Gaussian blur standard deviation in pixels.") var blurSigma: Double = 1.6
    @Option(help: "inpaint: mask image of the input's size, white where pixels are missing.") var mask: String?
    @Option(name: .customLong("tile-size"), help: "Largest network tile side in pixels.") var tileSize: Int = 512
    @Option(name: .customLong("max-memory-mb"), help: "Memory the restoration may hold besides the images, in MiB (larger images go in bands).")
    var maxMemoryMB = RestoreOptions.defaultMemoryLimitMB
    @Flag(help: "No progress bar, and no line on what blind mode read from the image.") var quiet = false
    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        do {
            try restore()
        } catch let error as CLIError {
            writeStandardError("dreamclean: \(error.message)\n")
            throw ExitCode(error.code)
        }
    }

    func restore() throws {
        guard let task = RestoreTask(rawValue: task) else { throw CLIError(Exit.usage, "unknown task '\(task)'") }
        guard let preset = RestorePreset(rawValue: preset) else { throw CLIError(Exit.usage, "unknown preset '\(preset)'") }
        var options = RestoreOptions(task: task, preset: preset)
        if let start {
            guard let mode = DreamCleanSampler.Start(rawValue: start) else { throw CLIError(Exit.usage, "unknown start '\(start)' (inversion, noisy)") }
            options.start = mode
        }
        options.strength = strength
        options.gamma = gamma
        options.steps = steps
        options.vpsIterations = vpsIterations
        options.seed = seed < 0 ? nil : UInt64(seed)
        options.scale = scale
        options.noiseSigma = noiseSigma.map { $0 / 255 }
        options.blurSigma = blurSigma
        options.tileSize = tileSize
        options.memoryLimitMB = maxMemoryMB
        Interrupt.install()
        guard dcio_init() == 0 else { throw CLIError(Exit.noInput, String(cString: dcio_last_error())) }
        let image = try LoadedImage(path: input)
        if let mask { options.mask = try LoadedImage(path: mask).maskWeights(width: image.width, height: image.height) }
        let (restorer, _) = try modelOptions.load()
        let outScale = task == .sr ? scale : 1
        let bar = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) == 1)
        let result: PixelMemory
        do {
            // The request checked against the memory plan, and the output allocated so that a failure is an error:
            // an x16 upscale of a large photo asks for many gigabytes before any work.
            try restorer.checkFits(inputWidth: image.width, inputHeight: image.height, inputChannels: image.bands,
                                   outputChannels: image.bands, format: .float32, options: options)
            let (outWidth, outHeight) = (image.width * outScale, image.height * outScale)  // checkFits bounds both
            guard let memory = PixelMemory(count: outWidth.multipliedReportingOverflow(by: outHeight * image.bands)) else {
                throw RestoreError.outOfMemory("no memory for the \(outWidth)x\(outHeight) output image")
            }
            result = memory
            let inBuffer = try ImageBuffer(base: image.pixels.base, width: image.width, height: image.height, channels: image.bands,
                                           format: .float32)
            let outBuffer = try ImageBuffer(base: result.base, width: outWidth, height: outHeight, channels: image.bands, format: .float32)
            let report: (BlindReading) -> Void = { reading in
                if task == .blind, !quiet { writeStandardError("dreamclean: blind: \(reading.summary)\n") }
            }
            try restorer.restore(input: inBuffer, output: outBuffer, options: options, progress: { fraction in
                _ = bar.update(fraction)
                return !Interrupt.requested.load(ordering: .relaxed)
            }, reading: report)
        } catch RestoreError.cancelled {
            bar.finish()
            throw CLIError(Exit.cancelled, "cancelled; \(output) left as it was")
        } catch let error as RestoreError {
            bar.finish()
            throw CLIError(Exit.badImage, "\(error)")
        } catch let error as CLIError {
            throw error
        } catch {  // the layers below: an allocation that failed, a kernel error
            bar.finish()
            throw CLIError(Exit.badImage, "\(error)")
        }
        bar.finish()
        guard dcio_save(output, result.base.assumingMemoryBound(to: Float.self), Int32(image.width * outScale),
                        Int32(image.height * outScale), Int32(image.bands), image.bits == 8 ? 8 : 16) == 0 else {
            throw CLIError(Exit.cannotWrite, "\(output): \(String(cString: dcio_last_error()))")
        }
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version, the model and the restoration parameters.")
    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        print("dreamclean \(DreamCleanVersion.string)")
        let located = modelOptions.model.map { ($0, [$0]) } ?? DefaultModel.folder()
        if let folder = located.0, let config = try? String(contentsOfFile: URL(fileURLWithPath: folder).appendingPathComponent("config.json").path, encoding: .utf8) {
            print("model: \(folder)")
            print(String(config.reversed().drop(while: \.isWhitespace).reversed()))
        } else {
            print("model: none found (searched \(located.1.joined(separator: ", ")))")
        }
        print("tasks: \(RestoreTask.allCases.map(\.rawValue).joined(separator: ", "))")
        print("presets: \(RestorePreset.allCases.map(\.rawValue).joined(separator: ", "))")
    }
}

struct CLIError: Error {
    let code: Int32
    let message: String
    init(_ code: Int32, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// Float samples the CLI owns, allocated so that a failure is nil and not a trap (a Swift array aborts the process).
final class PixelMemory {
    let base: UnsafeMutableRawPointer

    /// `count` zeroed floats; nil when the count overflowed or the memory is not there.
    init?(count: (partialValue: Int, overflow: Bool)) {
        guard !count.overflow, count.partialValue > 0, let memory = calloc(count.partialValue, MemoryLayout<Float>.stride) else { return nil }
        base = memory
    }

    /// Takes over memory from malloc (libvips' decoded image).
    init(adopting memory: UnsafeMutableRawPointer) { base = memory }

    subscript(index: Int) -> Float { base.load(fromByteOffset: index * MemoryLayout<Float>.stride, as: Float.self) }

    deinit { free(base) }
}

/// An image file decoded to interleaved float samples in [0, 1].
struct LoadedImage {
    /// The largest image the CLI decodes (2^31 pixels, 32 GiB of RGBA floats): a header declaring more is refused
    /// before anything is allocated.
    static let maximumPixels: Int64 = 1 << 31

    let pixels: PixelMemory
    let width: Int, height: Int, bands: Int, bits: Int

    init(path: String) throws {
        var data: UnsafeMutablePointer<Float>?
        var (w, h, b, bits): (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)
        guard dcio_load(path, Self.maximumPixels, &data, &w, &h, &b, &bits) == 0, let data else {
            throw CLIError(FileManager.default.isReadableFile(atPath: path) ? Exit.badImage : Exit.noInput,
                           "\(path): \(String(cString: dcio_last_error()))")
        }
        pixels = PixelMemory(adopting: UnsafeMutableRawPointer(data))
        (width, height, bands, self.bits) = (Int(w), Int(h), Int(b), Int(bits))
    }

    /// Inpainting weights from a mask image: 1 (known) where the mask is dark, 0 (missing) where it is light.
    func maskWeights(width expectedWidth: Int, height expectedHeight: Int) throws -> [Float] {
        guard width == expectedWidth, height == expectedHeight else {
            throw CLIError(Exit.usage, "mask is \(width)x\(height), the image \(expectedWidth)x\(expectedHeight)")
        }
        return (0..<width * height).map { pixels[$0 * bands] < 0.5 ? 1 : 0 }
    }
}

/// A one-line progress bar on standard error, for terminals only.
final class ProgressBar {
    let enabled: Bool
    private var last = -1

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ fraction: Double) -> Bool {
        guard enabled else { return true }
        let percent = Int(fraction * 100)
        if percent != last {
            last = percent
            let filled = percent * 30 / 100
            writeStandardError("\r[\(String(repeating: "#", count: filled))\(String(repeating: " ", count: 30 - filled))] \(percent)%")
        }
        return true
    }

    func finish() {
        if enabled && last >= 0 { writeStandardError("\n") }
    }
}

/// Unbuffered, like C's stderr, which Swift 6 cannot name (a global C variable is shared mutable state).
func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
}

/// Ctrl-C or SIGTERM during a restoration: stop at the next network evaluation and exit 130 without touching OUT.
///
/// The two signals are blocked in every thread (the compute threads inherit the mask) and taken by a thread of their
/// own with sigwait. A handler that ran on a compute thread landed inside oneDNN's JIT kernels, which keep data below
/// the stack pointer, and corrupted it: about 1 in 6 interrupts in the first seconds ended in heap corruption
/// ("corrupted size vs. prev_size", a huge allocation) instead of exit 130.
enum Interrupt {
    static let requested = Atomic<Bool>(false)

    /// Before any other thread starts (libvips, OpenMP, the thread check).
    static func install() {
        requested.store(false, ordering: .relaxed)
        var signals = Self.signals
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        var thread = pthread_t()
        guard pthread_create(&thread, nil, { _ in
            var signals = Interrupt.signals
            var number: Int32 = 0
            while sigwait(&signals, &number) == 0 { Interrupt.requested.store(true, ordering: .relaxed) }
            return nil
        }, nil) == 0 else { return }
        pthread_detach(thread)
    }

    private static var signals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }
}
