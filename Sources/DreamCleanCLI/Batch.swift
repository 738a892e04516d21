// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors

import DreamClean
import DreamCleanImageIO
import Glibc
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `dreamclean restore IN... --out-dir DIR`: many images, resumable, one model per worker, a manifest line per file.
struct Batch {
    let restore: Restore
    let options: RestoreOptions
    let outDir: String

    /// One file of the batch and where it goes.
    struct Item {
        let input: String
        /// The path the output's name comes from (relative to the folder it was found in).
        let relative: String
        var output: String
        /// Decided before any work: ignored (not an image suffix, a link to a folder) or refused (an output clash).
        var verdict: (status: String, message: String)?
    }

    /// Suffixes taken from folders (case-insensitive); files named on the command line are always tried.
    static let imageSuffixes: Set<String> = ["png", "jpg", "jpeg", "tif", "tiff", "webp", "pgm", "ppm", "pnm", "gif", "bmp",
                                             "heic", "heif", "avif", "jxl", "exr", "fits", "hdr"]

    func run() throws {
        var collected = try collect()
        markClashes(&collected)
        let items = collected
        let manifest = try Manifest(path: restore.manifest)
        let cores = max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
        let workers = min(restore.jobs, max(items.count, 1))
        // Workers x threads stays within the cores: each worker gets its share unless --threads asks for fewer. One
        // worker keeps the automatic count (0: the cores other processes leave idle).
        let share = max(cores / workers, 1)
        let threads = restore.modelOptions.threads == 0 ? (workers == 1 ? 0 : share) : min(restore.modelOptions.threads, share)
        let state = BatchState(count: items.count, workers: workers, quiet: restore.quiet)
        // The model is loaded once up front (a model that does not load stops the batch, exit 69); worker 0 keeps
        // it, the others load their own.
        let first = try restore.modelOptions.loadRestorer(threads: threads)
        let work = { @Sendable (worker: Int) in
            var restorer: Restorer? = worker == 0 ? first : nil
            while !Interrupt.requested.load(ordering: .relaxed), let index = state.next() {
                let item = items[index]
                let record = self.process(item, restorer: &restorer, threads: threads) { state.progress(worker: worker, $0) }
                manifest.write(record)
                state.finished(record, worker: worker)
            }
        }
        try Workers.run(count: workers, work)
        state.finish()
        let failed = state.failed.load(ordering: .relaxed), done = state.done.load(ordering: .relaxed)
        if Interrupt.requested.load(ordering: .relaxed) {
            throw CLIError(Exit.cancelled, "interrupted after \(done) of \(items.count) files; finished outputs are kept")
        }
        if failed > 0 { throw CLIError(Exit.badImage, "\(failed) of \(items.count) files failed" + (restore.manifest.map { " (see \($0))" } ?? "")) }
    }

    /// One file: skipped, restored, or failed with its message (the batch goes on either way).
    private func process(_ item: Item, restorer: inout Restorer?, threads: Int,
                         progress: @escaping (Double) -> Void) -> Manifest.Record {
        var record = Manifest.Record(input: item.input, output: item.output)
        if let verdict = item.verdict {
            (record.status, record.error) = (verdict.status, verdict.message)
            return record
        }
        if !restore.overwrite, FileManager.default.fileExists(atPath: item.output) {
            record.status = "skipped"
            record.error = "the output exists (--overwrite replaces it)"
            return record
        }
        let start = Date()
        do {
            if restorer == nil { restorer = try restore.modelOptions.loadRestorer(threads: threads) }
            guard let restorer else { throw CLIError(Exit.noModel, "no model") }
            try Self.makeFolders(URL(fileURLWithPath: item.output).deletingLastPathComponent().path)
            record.seed = options.seed ?? Self.seed(for: item.relative)
            let reading = try FileRestoration(restorer: restorer, options: options, mask: restore.restoration)
                .run(input: item.input, output: item.output, seed: record.seed, progress: progress)
            record.status = "restored"
            record.reading = reading?.summary
        } catch let error as CLIError {
            record.status = error.code == Exit.cancelled ? "cancelled" : "failed"
            record.error = error.message
        } catch {
            record.status = "failed"
            record.error = "\(error)"
        }
        record.seconds = Date().timeIntervalSince(start)
        return record
    }

    /// `mkdir -p`, with the system's reason when a part cannot be made (a file in the way, no permission).
    static func makeFolders(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            var status = stat()
            if stat(prefix, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { continue }
            guard mkdir(prefix, 0o755) == 0 || errno == EEXIST else {
                throw CLIError(Exit.cannotWrite, "cannot create the folder \(prefix): \(String(cString: strerror(errno)))")
            }
            guard stat(prefix, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
                throw CLIError(Exit.cannotWrite, "cannot create the folder \(prefix): a file of that name is in the way")
            }
        }
    }

    /// A file's seed when none is given: FNV-1a of its relative path, within 2^53 (the schema's seed range).
    static func seed(for relative: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in relative.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash & RestoreOptions.largestSeed
    }

    /// The files the paths name, folders walked in name order.
    private func collect() throws -> [Item] {
        var items: [Item] = []
        for path in restore.paths {
            var status = stat()
            guard stat(path, &status) == 0 else {
                items.append(Item(input: path, relative: path, output: "", verdict: ("failed", "cannot read \(path): \(String(cString: strerror(errno)))")))
                continue
            }
            if status.st_mode & S_IFMT == S_IFDIR {
                walk(path, relativeTo: "", into: &items)
            } else if status.st_mode & S_IFMT != S_IFREG {
                items.append(Item(input: path, relative: path, output: "", verdict: ("failed", "not a regular file (a pipe or a device is never read)")))
            } else {
                let name = URL(fileURLWithPath: path).lastPathComponent
                items.append(Item(input: path, relative: name, output: outputPath(for: name)))
            }
        }
        return items
    }

    /// Every entry below `folder`: images, other files (ignored), links to folders (ignored, so that a loop of links
    /// cannot recurse), subfolders walked.
    private func walk(_ folder: String, relativeTo prefix: String, into items: inout [Item]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        for name in names {
            let path = folder + "/" + name, relative = prefix.isEmpty ? name : prefix + "/" + name
            var link = stat(), target = stat()
            guard lstat(path, &link) == 0 else { continue }
            let followed = stat(path, &target) == 0
            let isFolder = followed && target.st_mode & S_IFMT == S_IFDIR
            if isFolder && link.st_mode & S_IFMT == S_IFLNK {
                items.append(Item(input: path, relative: relative, output: "", verdict: ("ignored", "a symbolic link to a folder (not followed)")))
            } else if isFolder {
                walk(path, relativeTo: relative, into: &items)
            } else if !followed || target.st_mode & S_IFMT != S_IFREG {
                items.append(Item(input: path, relative: relative, output: "",
                                  verdict: ("ignored", followed ? "not a regular file" : "a broken symbolic link")))
            } else if Self.imageSuffixes.contains(URL(fileURLWithPath: name).pathExtension.lowercased()) {
                items.append(Item(input: path, relative: relative, output: outputPath(for: relative)))
            } else {
                items.append(Item(input: path, relative: relative, output: "", verdict: ("ignored", "not an image suffix")))
            }
        }
    }

    private func outputPath(for relative: String) -> String {
        let url = URL(fileURLWithPath: relative)
        let suffix = restore.format == "same" ? url.pathExtension : restore.format
        let stem = url.pathExtension.isEmpty ? relative : String(relative.dropLast(url.pathExtension.count + 1))
        return outDir + "/" + stem + "." + (suffix.isEmpty ? "png" : suffix)
    }

    /// Two inputs that would write one output: the first keeps it, the later ones fail before any work.
    private func markClashes(_ items: inout [Item]) {
        var owners: [String: String] = [:]
        for index in items.indices where items[index].verdict == nil {
            if let first = owners[items[index].output] {
                items[index].verdict = ("failed", "\(first) writes the same output")
            } else {
                owners[items[index].output] = items[index].input
            }
        }
    }
}

/// The workers only read a batch (its command-line values and the item list, fixed before they start).
extension Batch: @unchecked Sendable {}

/// The batch's counters and its progress: a line per file, and on a terminal a bar over the files, each counted by
/// the fraction of its network evaluations done. Shared by the workers.
final class BatchState: Sendable {
    let count: Int
    let quiet: Bool
    let taken = Atomic<Int>(0)
    let done = Atomic<Int>(0)
    let failed = Atomic<Int>(0)

    private struct Display {
        var fractions: [Double]
        let bar: ProgressBar
    }

    private let display: Mutex<Display>

    init(count: Int, workers: Int, quiet: Bool) {
        self.count = count
        self.quiet = quiet
        display = Mutex(Display(fractions: Array(repeating: 0, count: workers),
                                bar: ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) == 1)))
    }

    func next() -> Int? {
        let index = taken.add(1, ordering: .relaxed).oldValue
        return index < count ? index : nil
    }

    func progress(worker: Int, _ fraction: Double) {
        display.withLock { shown in
            shown.fractions[worker] = fraction
            redraw(shown)
        }
    }

    func finished(_ record: Manifest.Record, worker: Int) {
        let done = self.done.add(1, ordering: .relaxed).newValue
        if record.status == "failed" { failed.add(1, ordering: .relaxed) }
        display.withLock { shown in
            shown.fractions[worker] = 0
            if !quiet || record.status == "failed" {  // failures are told even with --quiet
                let note = record.status == "failed" ? ": \(record.error ?? "")" : ""
                shown.bar.clearLine()
                writeStandardError("dreamclean: [\(done)/\(count)] \(record.status) \(record.input)\(note)\n")
            }
            redraw(shown)
        }
    }

    func finish() { display.withLock { $0.bar.finish() } }

    private func redraw(_ shown: Display) {
        _ = shown.bar.update((Double(done.load(ordering: .relaxed)) + shown.fractions.reduce(0, +)) / Double(max(count, 1)))
    }
}

/// The JSON-lines manifest, appended and flushed a line per file, so that an interrupted batch says where it stopped.
final class Manifest: Sendable {
    struct Record {
        let input: String
        let output: String
        var status = "failed"
        var seed: UInt64?
        var reading: String?
        var seconds: Double?
        var error: String?

        var json: String {
            JSONText.object([
                ("input", JSONText.quoted(input)), ("output", JSONText.quoted(output)), ("status", JSONText.quoted(status)),
                ("seed", seed.map { "\($0)" } ?? "null"), ("reading", reading.map(JSONText.quoted) ?? "null"),
                ("seconds", seconds.map(JSONText.number) ?? "null"), ("error", error.map(JSONText.quoted) ?? "null"),
            ])
        }
    }

    private let descriptor: Mutex<Int32>

    init(path: String?) throws {
        var descriptor: Int32 = -1
        if let path {
            descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw CLIError(Exit.cannotWrite, "\(path): \(String(cString: strerror(errno)))") }
        }
        self.descriptor = Mutex(descriptor)
    }

    func write(_ record: Record) {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            var line = record.json + "\n"
            line.withUTF8 { bytes in _ = Glibc.write(fd, bytes.baseAddress, bytes.count) }
        }
    }

    deinit { descriptor.withLock { fd in if fd >= 0 { close(fd) } } }
}

/// `count` threads running `body(index)`, joined; signals stay blocked in them (they inherit the mask).
enum Workers {
    static func run(count: Int, _ body: @escaping @Sendable (Int) -> Void) throws {
        guard count > 1 else { return body(0) }
        final class Start: @unchecked Sendable {
            let body: @Sendable (Int) -> Void
            let index: Int
            init(_ body: @escaping @Sendable (Int) -> Void, _ index: Int) { (self.body, self.index) = (body, index) }
        }
        var threads: [pthread_t] = []
        for index in 0..<count {
            var thread = pthread_t()
            let start = Unmanaged.passRetained(Start(body, index)).toOpaque()
            guard pthread_create(&thread, nil, { raw in
                guard let raw else { return nil }
                let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
                start.body(start.index)
                return nil
            }, start) == 0 else {
                Unmanaged<Start>.fromOpaque(start).release()
                threads.forEach { pthread_join($0, nil) }
                throw CLIError(Exit.usage, "cannot start \(count) worker threads")
            }
            threads.append(thread)
        }
        threads.forEach { pthread_join($0, nil) }
    }
}
