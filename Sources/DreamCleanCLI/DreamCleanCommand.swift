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
        subcommands: [Restore.self, Plan.self, Info.self])

    /// The schema's flags become `--parameter name=value` before ArgumentParser sees them (`ParameterFlags`).
    static func main() {
        main(ParameterFlags.rewrite(Array(CommandLine.arguments.dropFirst())))
    }
}

struct ModelOptions: ParsableArguments {
    @Option(help: "Model folder (config.json + model.safetensors); default: $DREAMCLEAN_MODEL or the installed default model.")
    var model: String?

    @Option(help: "Compute threads (0: one per core that other processes leave idle; at most \(ThreadCapacity.maximum)).")
    var threads: Int = 0

    @Flag(help: "Convolutions in f32 where the CPU would run them in bfloat16 (AVX-512 BF16 or AMX).")
    var f32 = false

    @Flag(help: "Convolutions in int8 where the model ships an int8 calibration and the CPU has AVX-512 VNNI (else as without it).")
    var int8 = false

    /// What the convolutions compute in: bf16 unless a flag says otherwise (each falls back where the CPU lacks it).
    var precision: ConvolutionPrecision { int8 ? .int8 : f32 ? .f32 : .bf16 }

    func validate() throws {
        guard !(f32 && int8) else { throw ValidationError("--f32 and --int8 exclude each other") }
        guard (0...ThreadCapacity.maximum).contains(threads) else {
            throw ValidationError("--threads \(threads) is out of range [0, \(ThreadCapacity.maximum)]")
        }
    }

    func load() throws -> (Restorer, String) {
        let located = model.map { ($0, [$0]) } ?? DefaultModel.folder()
        guard let folder = located.0 else {
            throw CLIError(Exit.noModel, "no default model found (searched \(located.1.joined(separator: ", "))); pass --model")
        }
        return (try loadRestorer(threads: threads, folder: folder), folder)
    }

    /// The model on `threads` compute threads (a batch worker's share), from `folder` or where `load` finds it.
    func loadRestorer(threads: Int, folder: String? = nil) throws -> Restorer {
        guard let folder = folder ?? (model ?? DefaultModel.folder().folder) else { return try load().0 }
        do {
            return try Restorer(modelFolder: folder, threads: threads, convolutions: precision)
        } catch {
            throw CLIError(Exit.noModel, "cannot load the model: \(error)")
        }
    }
}

/// The restoration parameters and the mask, as `restore` and `plan` take them.
struct RestorationArguments: ParsableArguments {
    @Option(name: .customLong("parameter"), help: .hidden) var parameters: [String] = []
    @Option(help: "inpaint: mask image of the input's size, white where pixels are missing.") var mask: String?
    @Option(help: "deblur: the blur kernel instead of --blur-sigma, a text file of n x n numbers (n odd, at most 101), row by row.")
    var blurKernel: String?
    @Option(help: "sr: the downsampling filter instead of --sr-kernel, a text file of symmetric 1-D taps in high-resolution pixels, applied along both axes (an even count for an even scale, odd for odd).")
    var srTaps: String?

    /// The options the flags and kernel files give, checked against the schema (exit 64 with its message when one is
    /// off; 66 for a kernel file that cannot be read), before any image is read.
    func options() throws -> RestoreOptions {
        var values = RestoreParameterValues()
        do {
            for item in parameters { try values.apply(options: item) }
        } catch {
            throw CLIError(Exit.usage, "\(error)")
        }
        var options = values.restoreOptions
        options.blurKernel = try blurKernel.map { try Self.numbers(in: $0, for: "--blur-kernel") }
        options.srTaps = try srTaps.map { try Self.numbers(in: $0, for: "--sr-taps") }
        do {
            try options.validate()
        } catch {
            throw CLIError(Exit.usage, "\(error)")
        }
        return options
    }

    /// The numbers of a kernel file, separated by spaces, tabs, newlines or commas.
    private static func numbers(in path: String, for flag: String) throws -> [Float] {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20, let text = String(data: data, encoding: .utf8) else {
            throw CLIError(Exit.noInput, "\(flag) \(path): cannot read it as a text file of at most 1 MiB")
        }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "," })
        return try words.map { word in
            guard let value = Float(word), value.isFinite else {
                throw CLIError(Exit.usage, "\(flag) \(path): '\(RestoreError.quoted(String(word)))' is not a finite number")
            }
            return value
        }
    }

    /// The mask's weights for an image (none without --mask).
    func maskWeights(for image: LoadedImage) throws -> [Float]? {
        try mask.map { try LoadedImage(path: $0).maskWeights(width: image.width, height: image.height) }
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore IN into OUT, or many images into --out-dir (an output is replaced only once it is complete).",
        discussion: """
            Batch mode (--out-dir): the paths are image files and folders (walked recursively; symbolic links to \
            folders are not followed); each output keeps its path relative to the folder it came from, with the suffix \
            of --format. Outputs that exist are skipped unless --overwrite, so a rerun resumes. Without --seed each \
            file's seed is derived from its relative path (reproducible). A file that fails is reported and the batch \
            goes on; the exit status is 65 when any failed, 130 when interrupted. --manifest writes one JSON line per \
            file (input, output, status, seed, what blind read, seconds, error).

            """ + ParameterFlags.help)

    @Argument(help: "IN OUT, or with --out-dir: input images and folders.") var paths: [String]
    @OptionGroup var restoration: RestorationArguments
    @Option(name: .customLong("out-dir"), help: "Batch mode: write the restored images under this folder.") var outDir: String?
    @Option(help: "Batch mode: output suffix (png, jpg, tif, webp) or 'same' (the input's).") var format = "png"
    @Flag(help: "Batch mode: restore files whose output exists (they are skipped otherwise).") var overwrite = false
    @Option(help: "Batch mode: a JSON-lines record of every file.") var manifest: String?
    @Option(help: "Batch mode: files restored at once, each with its own model and --threads / jobs threads.") var jobs = 1
    @Flag(help: "No progress bar, no line on what blind mode read from the image, no warnings.") var quiet = false
    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        if outDir == nil, paths.count != 2 { throw ValidationError("give IN and OUT, or input paths with --out-dir DIR") }
        if outDir != nil, paths.isEmpty { throw ValidationError("give at least one input with --out-dir") }
        guard (1...64).contains(jobs) else { throw ValidationError("--jobs \(jobs) is out of range [1, 64]") }
        guard ["png", "jpg", "tif", "webp", "same"].contains(format) else {
            throw ValidationError("--format \(format) is not png, jpg, tif, webp or same")
        }
    }

    func run() throws { try CLIError.reporting(restore) }

    func restore() throws {
        let options = try restoration.options()
        Interrupt.install()
        guard dcio_init() == 0 else { throw CLIError(Exit.noInput, String(cString: dcio_last_error())) }
        if let outDir {
            try Batch(restore: self, options: options, outDir: outDir).run()
            return
        }
        let (restorer, _) = try modelOptions.load()
        let bar = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) == 1)
        defer { bar.finish() }
        _ = try FileRestoration(restorer: restorer, options: options, mask: restoration).run(
            input: paths[0], output: paths[1], progress: { _ = bar.update($0) }) { plan in
            guard !quiet else { return }
            if options.task == .blind, let reading = plan.blindReading { writeStandardError("dreamclean: blind: \(reading.summary)\n") }
            for warning in plan.warnings { writeStandardError("dreamclean: warning: \(warning)\n") }
        }
    }
}

/// One image file restored into another: loaded, checked against the memory plan, restored, saved atomically. Every
/// failure is a CLIError with its exit code; OUT is never left half-written.
struct FileRestoration {
    let restorer: Restorer
    let options: RestoreOptions
    let mask: RestorationArguments

    /// Returns what blind mode read, if it read; `progress` sees the fraction done; `planned` the plan before
    /// sampling; Ctrl-C cancels.
    func run(input: String, output: String, seed: UInt64? = nil, progress: @escaping (Double) -> Void = { _ in },
             planned: @escaping (RestorationPlan) -> Void = { _ in }) throws -> BlindReading? {
        let image = try LoadedImage(path: input)
        var options = options
        options.mask = try mask.maskWeights(for: image)
        if options.seed == nil { options.seed = seed }
        var read: BlindReading?
        let result: PixelMemory
        let size: (width: Int, height: Int)
        do {
            // The request checked against the memory plan, and the output allocated so that a failure is an error:
            // an x16 upscale of a large photo asks for many gigabytes before any work.
            try restorer.checkFits(inputWidth: image.width, inputHeight: image.height, inputChannels: image.bands,
                                   outputChannels: image.bands, format: .float32, options: options)
            guard let outputSize = RestorationPlan.outputSize(width: image.width, height: image.height, options: options),
                  let memory = PixelMemory(count: outputSize.width.multipliedReportingOverflow(by: outputSize.height * image.bands)) else {
                throw RestoreError.outOfMemory("no memory for the output image")
            }
            (result, size) = (memory, outputSize)
            let inBuffer = try ImageBuffer(base: image.pixels.base, width: image.width, height: image.height, channels: image.bands,
                                           format: .float32)
            let outBuffer = try ImageBuffer(base: result.base, width: size.width, height: size.height, channels: image.bands, format: .float32)
            try restorer.restore(input: inBuffer, output: outBuffer, options: options, cancel: Interrupt.token, progress: { fraction in
                progress(fraction)
                return !Interrupt.requested.load(ordering: .relaxed)
            }, planned: { read = $0.blindReading; planned($0) })
        } catch RestoreError.cancelled {
            throw CLIError(Exit.cancelled, "cancelled; \(output) left as it was")
        } catch let error as CLIError {
            throw error
        } catch {  // the library's refusals, and the layers below: an allocation that failed, a kernel error
            throw CLIError(Exit.badImage, "\(error)")
        }
        guard dcio_save(output, result.base.assumingMemoryBound(to: Float.self), Int32(size.width), Int32(size.height),
                        Int32(image.bands), image.source.handle) == 0 else {
            throw CLIError(Exit.cannotWrite, "\(output): \(String(cString: dcio_last_error()))")
        }
        return read
    }
}

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what restore would do with IN (the reading and the resolved plan), without restoring.",
        discussion: ParameterFlags.help)

    @Argument(help: "Input image (any format libvips reads).") var input: String
    @OptionGroup var restoration: RestorationArguments
    @Flag(help: "The plan as JSON (as dc_filter_get_plan gives it).") var json = false
    @OptionGroup var modelOptions: ModelOptions

    func run() throws { try CLIError.reporting(plan) }

    func plan() throws {
        var options = try restoration.options()
        guard dcio_init() == 0 else { throw CLIError(Exit.noInput, String(cString: dcio_last_error())) }
        let image = try LoadedImage(path: input)
        options.mask = try restoration.maskWeights(for: image)
        let (restorer, _) = try modelOptions.load()
        let plan: RestorationPlan
        do {
            if let latent = try restorer.latentPlan(width: image.width, height: image.height, options: options) {
                return print(json ? latent.json : latent.summary)
            }
            let buffer = try ImageBuffer(base: image.pixels.base, width: image.width, height: image.height, channels: image.bands,
                                         format: .float32)
            plan = try restorer.plan(for: buffer, options: options)
        } catch {
            throw CLIError(Exit.badImage, "\(error)")
        }
        print(json ? plan.json : plan.summary)
    }
}

/// The schema's parameters as flags: `--noise-sigma 25` (or `--noise-sigma=25`; a bool alone means true) for
/// `noise_sigma`. They are rewritten to `--parameter noise_sigma=25` before parsing, checked by the schema as the C
/// API's options strings are, and listed in the help from the schema.
enum ParameterFlags {
    static func flag(_ parameter: RestoreParameter) -> String {
        "--" + String(parameter.name.map { $0 == "_" ? "-" : $0 })
    }

    static func rewrite(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {  // what follows is positional
                result += arguments[(index - 1)...]
                break
            }
            let (name, inline) = split(argument)
            guard let parameter = RestoreParameter.all.first(where: { flag($0) == name }) else {
                result.append(argument)
                continue
            }
            var value = inline
            if value == nil {
                if parameter.kind == .bool {
                    value = "true"
                } else if index < arguments.count {
                    value = arguments[index]
                    index += 1
                }
            }
            result += ["--parameter", "\(parameter.name)=\(value ?? "")"]
        }
        return result
    }

    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    /// The parameters for `--help`, each with its range or choices and its default, from the schema.
    static let help: String = {
        let lines = RestoreParameter.all.map { p -> String in
            let value = p.kind == .bool ? "" : p.kind == .choice ? " <\(p.choices.joined(separator: "|"))>" : " <\(p.kind.rawValue)>"
            return "  \(flag(p))\(value)\n        \(p.summary)"
        }
        return "Restoration parameters (the C API's dc_param_info table):\n" + lines.joined(separator: "\n")
    }()
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the version, the model (name, licence and terms, training data and steps) and the tasks.")
    @OptionGroup var modelOptions: ModelOptions
    @Flag(help: "The model as JSON (the C API's dc_context_get_model_info).") var json = false

    func run() throws { try CLIError.reporting(info) }

    private func info() throws {
        if !json {  // what needs no model first: a diagnostic still says which version failed to load one
            print("dreamclean \(DreamCleanVersion.string)")
            print("tasks: \(RestoreTask.allCases.map(\.rawValue).joined(separator: ", "))")
            print("presets: \(RestorePreset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let model = try modelOptions.load().0.model
        print(json ? model?.json ?? "null" : model?.summary ?? "model: built in code")
    }
}

struct CLIError: Error {
    let code: Int32
    let message: String
    init(_ code: Int32, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Runs a command's body; its CLIError becomes the message on standard error and the exit code.
    static func reporting(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as CLIError {
            writeStandardError("dreamclean: \(error.message)\n")
            throw ExitCode(error.code)
        }
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

/// What a file's output keeps of it (sample format, metadata: `dcio_source`), released with the image.
final class ImageSource {
    let handle: OpaquePointer?
    init(_ handle: OpaquePointer?) { self.handle = handle }
    deinit { dcio_release(handle) }
}

/// An image file decoded to interleaved float samples in [0, 1] (the sample formats taken, the metadata kept: the
/// policy in `dreamclean_image_io.h`).
struct LoadedImage {
    /// The largest image the CLI decodes (2^31 pixels, 32 GiB of RGBA floats): a header declaring more is refused
    /// before anything is allocated.
    static let maximumPixels: Int64 = 1 << 31

    let pixels: PixelMemory
    let width: Int, height: Int, bands: Int
    let source: ImageSource

    init(path: String) throws {
        var data: UnsafeMutablePointer<Float>?
        var (w, h, b): (Int32, Int32, Int32) = (0, 0, 0)
        var handle: OpaquePointer?
        guard dcio_load(path, Self.maximumPixels, &data, &w, &h, &b, &handle) == 0, let data else {
            throw CLIError(FileManager.default.isReadableFile(atPath: path) ? Exit.badImage : Exit.noInput,
                           "\(path): \(String(cString: dcio_last_error()))")
        }
        pixels = PixelMemory(adopting: UnsafeMutableRawPointer(data))
        source = ImageSource(handle)
        (width, height, bands) = (Int(w), Int(h), Int(b))
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

    /// Erases the bar so that a line can be written in its place (the next update draws it again).
    func clearLine() {
        guard enabled, last >= 0 else { return }
        writeStandardError("\r\u{1B}[K")
        last = -1
    }
}

/// Unbuffered, like C's stderr, which Swift 6 cannot name (a global C variable is shared mutable state).
func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
}

/// Ctrl-C or SIGTERM during a restoration: stop within one network tile and exit 130 without touching OUT.
///
/// The two signals are blocked in every thread (the compute threads inherit the mask) and taken by a thread of their
/// own with sigwait. A handler that ran on a compute thread landed inside oneDNN's JIT kernels, which keep data below
/// the stack pointer, and corrupted it: about 1 in 6 interrupts in the first seconds ended in heap corruption
/// ("corrupted size vs. prev_size", a huge allocation) instead of exit 130.
enum Interrupt {
    static let requested = Atomic<Bool>(false)
    /// Set with `requested`: the restorer polls it before every tile of a network evaluation, so a signal takes effect
    /// within one tile (the progress callback alone waits for a whole evaluation, minutes on a large photo).
    static let token = CancellationToken()

    /// Before any other thread starts (libvips, OpenMP, the thread check).
    static func install() {
        requested.store(false, ordering: .relaxed)
        token.reset()
        var signals = Self.signals
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        var thread = pthread_t()
        guard pthread_create(&thread, nil, { _ in
            var signals = Interrupt.signals
            var number: Int32 = 0
            while sigwait(&signals, &number) == 0 {
                Interrupt.requested.store(true, ordering: .relaxed)
                Interrupt.token.cancel()
            }
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
