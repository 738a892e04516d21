// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The DreamClean authors
//
// The C ABI (Include/dreamclean.h): uniform wrappers that check every argument, forward to the Swift API, and map
// errors to a status plus a thread-local message. No algorithm lives here.

import DreamClean
import DreamCleanDiffusion
import DreamCleanKernels
import Glibc

public typealias Handle = OpaquePointer
public typealias ProgressFunction = @convention(c) (UnsafeMutableRawPointer?, Double) -> Bool

/// The version as a C string, made once and kept for the process (hosts may hold the pointer); never written after.
nonisolated(unsafe) private let versionString: UnsafePointer<CChar>? = DreamCleanVersion.string.withCString { UnsafePointer(strdup($0)) }
private let unknownVersion: StaticString = "unknown"

@_cdecl("dc_version_string")
public func dc_version_string() -> UnsafePointer<CChar> {
    versionString ?? UnsafeRawPointer(unknownVersion.utf8Start).assumingMemoryBound(to: CChar.self)
}

@_cdecl("dc_abi_version")
public func dc_abi_version() -> Int32 { Int32(DreamCleanVersion.abi) }

@_cdecl("dc_status_string")
public func dc_status_string(_ status: Int32) -> UnsafePointer<CChar> {
    let name: StaticString = Status(rawValue: status)?.name ?? "DC_ERROR_UNKNOWN_STATUS"
    return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
}

private let emptyString: StaticString = ""

@_cdecl("dc_last_error_message")
public func dc_last_error_message() -> UnsafePointer<CChar> {
    LastError.message ?? UnsafeRawPointer(emptyString.utf8Start).assumingMemoryBound(to: CChar.self)
}

// MARK: - Context

@_cdecl("dc_context_new")
public func dc_context_new(_ modelPath: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<Handle?>?) -> Int32 {
    guarded {
        guard let out else { throw APIError(.invalidArgument, "out is NULL") }
        out.pointee = nil
        let folder: String
        if let modelPath {
            folder = try string(modelPath, "model_path")
        } else {
            let located = DefaultModel.folder(relativeTo: LibraryLocation.path)
            guard let found = located.folder else {
                throw APIError(.model, "no default model found (searched \(located.searched.joined(separator: ", ")))")
            }
            folder = found
        }
        out.pointee = try Handles.register(try ContextObject(modelFolder: folder), .context)
    }
}

@_cdecl("dc_context_set_int")
public func dc_context_set_int(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ value: Int64) -> Int32 {
    guarded {
        let context = try Handles.context(handle)
        let setting = try ContextSetting(try string(name, "name"))
        switch setting {
        case .threads:
            let maximum = Int64(ThreadCapacity.maximum)
            guard (0...maximum).contains(value) else { throw APIError(.invalidArgument, "num_threads = \(value) is out of range [0, \(maximum)]") }
            try context.setThreads(Int(value))
        case .memoryLimit:
            let range = RestoreOptions.memoryLimitRange
            guard value >= range.lowerBound, value <= range.upperBound else {
                throw APIError(.invalidArgument, "max_memory_mb = \(value) is out of range [\(range.lowerBound), \(range.upperBound)]")
            }
            context.memoryLimitMB = Int(value)
        case .bf16, .int8:
            guard value == 0 || value == 1 else { throw APIError(.invalidArgument, "\(setting.rawValue) = \(value) is not 0 or 1") }
            try setting == .bf16 ? context.setPrecision(bf16: value == 1) : context.setPrecision(int8: value == 1)
        }
    }
}

@_cdecl("dc_context_get_int")
public func dc_context_get_int(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ value: UnsafeMutablePointer<Int64>?) -> Int32 {
    guarded {
        let context = try Handles.context(handle)
        let setting = try ContextSetting(try string(name, "name"))
        guard let value else { throw APIError(.invalidArgument, "value is NULL") }
        switch setting {
        case .threads: value.pointee = Int64(context.threads)
        case .memoryLimit: value.pointee = Int64(context.memoryLimitMB)
        case .bf16: value.pointee = context.precision == .bf16 ? 1 : 0
        case .int8: value.pointee = context.precision == .int8 ? 1 : 0
        }
    }
}

@_cdecl("dc_context_get_model_info")
public func dc_context_get_model_info(_ handle: Handle?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                                      _ needed: UnsafeMutablePointer<Int>?) -> Int32 {
    guarded {
        let context = try Handles.context(handle)
        guard let model = context.restorer.model else { throw APIError(.invalidOperation, "this context's network was not loaded from a model folder") }
        try copyOut(model.json, buffer, capacity, needed)
    }
}

/// The names dc_context_set_int and dc_context_get_int accept.
private enum ContextSetting: String, CaseIterable {
    case threads = "num_threads"
    case memoryLimit = "max_memory_mb"
    case bf16
    case int8

    init(_ name: String) throws {
        guard let setting = ContextSetting(rawValue: name) else {
            throw APIError(.invalidArgument, "unknown context setting '\(RestoreError.quoted(name))' (known: \(Self.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        self = setting
    }
}

@_cdecl("dc_context_release")
public func dc_context_release(_ handle: Handle?) {
    Handles.release(handle, .context)
}

// MARK: - Filter

@_cdecl("dc_filter_new")
public func dc_filter_new(_ context: Handle?, _ out: UnsafeMutablePointer<Handle?>?) -> Int32 {
    guarded {
        guard let out else { throw APIError(.invalidArgument, "out is NULL") }
        out.pointee = nil
        out.pointee = try Handles.register(FilterObject(context: try Handles.context(context)), .filter)
    }
}

@_cdecl("dc_filter_set_image")
public func dc_filter_set_image(_ handle: Handle?, _ slot: UnsafePointer<CChar>?, _ data: UnsafeMutableRawPointer?, _ format: Int32,
                                _ width: Int, _ height: Int, _ channels: Int, _ pixelStride: Int, _ rowStride: Int) -> Int32 {
    guarded {
        let filter = try Handles.filter(handle)
        let slotName = try string(slot, "slot")
        guard let data else { throw APIError(.invalidArgument, "\(slotName) data is NULL") }
        // size_t arrives as Int here; a value above Int.max shows up negative.
        for (what, value) in [("width", width), ("height", height), ("channels", channels), ("pixel_stride", pixelStride), ("row_stride", rowStride)] {
            guard value >= 0 else { throw APIError(.invalidArgument, "\(slotName) \(what) is too large") }
        }
        let pixelFormat: PixelFormat
        switch format {
        case 1: pixelFormat = .uint8
        case 2: pixelFormat = .uint16
        case 3: pixelFormat = .float32
        default: throw APIError(.invalidArgument, "format \(format) is not DC_FORMAT_U8, DC_FORMAT_U16 or DC_FORMAT_F32")
        }
        let image = ImageSlot(base: data, format: pixelFormat, width: width, height: height, channels: channels,
                              pixelStride: pixelStride, rowStride: rowStride)
        let checked = try image.buffer()  // validates sizes, strides and overflow now, not at execute
        let resolved = ImageSlot(base: data, format: pixelFormat, width: width, height: height, channels: channels,
                                 pixelStride: checked.pixelStride, rowStride: checked.rowStride)
        switch slotName {
        case "input": filter.input = resolved
        case "output": filter.output = resolved
        case "mask":
            guard channels == 1 else { throw APIError(.invalidArgument, "mask has \(channels) channels, expected 1") }
            filter.mask = resolved
        default: throw APIError(.invalidArgument, "unknown image slot '\(RestoreError.quoted(slotName))' (input, output, mask)")
        }
    }
}

/// The largest kernel `dc_filter_set_kernel` copies: a 101x101 blur (the operator's limit) has 10,201 values.
private let largestKernelCount = 101 * 101

@_cdecl("dc_filter_set_kernel")
public func dc_filter_set_kernel(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ values: UnsafePointer<Float>?, _ count: Int) -> Int32 {
    guarded {
        let filter = try Handles.filter(handle)
        let kernelName = try string(name, "name")
        guard kernelName == "blur_kernel" || kernelName == "sr_taps" else {
            throw APIError(.invalidArgument, "unknown kernel '\(RestoreError.quoted(kernelName))' (blur_kernel, sr_taps)")
        }
        // size_t arrives as Int here; a value above Int.max shows up negative.
        guard (0...largestKernelCount).contains(count) else {
            throw APIError(.invalidArgument, "\(kernelName) has \(count < 0 ? "too many" : String(count)) values (at most \(largestKernelCount))")
        }
        var copied: [Float]?
        if count > 0 {
            guard let values else { throw APIError(.invalidArgument, "\(kernelName) values are NULL") }
            copied = Array(UnsafeBufferPointer(start: values, count: count))
        }
        // The values checked now; sr_taps' count against the scale at execution, as parameters may be set in any order.
        if kernelName == "blur_kernel" {
            var options = RestoreOptions()
            options.blurKernel = copied
            try options.validate()
            filter.blurKernel = copied
        } else {
            if let copied, let problem = ResamplingDownsampling.tapsProblem(copied, scale: nil) {
                throw RestoreError.invalidOption(name: "sr_taps", value: problem, allowed: RestoreOptions.srTapsAllowed)
            }
            filter.srTaps = copied
        }
    }
}

private func setParameter(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ value: () throws -> RestoreParameter.Value) -> Int32 {
    guarded {
        let filter = try Handles.filter(handle)
        try filter.parameters.set(try string(name, "name"), try value())
    }
}

@_cdecl("dc_filter_set_int")
public func dc_filter_set_int(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ value: Int64) -> Int32 {
    setParameter(handle, name) { .int(value) }
}

@_cdecl("dc_filter_set_float")
public func dc_filter_set_float(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ value: Double) -> Int32 {
    setParameter(handle, name) { .float(value) }
}

@_cdecl("dc_filter_set_bool")
public func dc_filter_set_bool(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ value: Bool) -> Int32 {
    setParameter(handle, name) { .bool(value) }
}

@_cdecl("dc_filter_set_string")
public func dc_filter_set_string(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ value: UnsafePointer<CChar>?) -> Int32 {
    setParameter(handle, name) { .choice(try string(value, "value")) }
}

private func getParameter(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ body: (RestoreParameter.Value, String) throws -> Void) -> Int32 {
    guarded {
        let filter = try Handles.filter(handle)
        let name = try string(name, "name")
        try body(try filter.parameters.get(name), name)
    }
}

@_cdecl("dc_filter_get_int")
public func dc_filter_get_int(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    getParameter(handle, name) { value, name in
        guard let out else { throw APIError(.invalidArgument, "value is NULL") }
        guard case let .int(v) = value else { throw APIError(.invalidArgument, "\(name) is not an int parameter") }
        out.pointee = v
    }
}

@_cdecl("dc_filter_get_float")
public func dc_filter_get_float(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<Double>?) -> Int32 {
    getParameter(handle, name) { value, name in
        guard let out else { throw APIError(.invalidArgument, "value is NULL") }
        guard case let .float(v) = value else { throw APIError(.invalidArgument, "\(name) is not a float parameter") }
        out.pointee = v
    }
}

@_cdecl("dc_filter_get_bool")
public func dc_filter_get_bool(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<Bool>?) -> Int32 {
    getParameter(handle, name) { value, name in
        guard let out else { throw APIError(.invalidArgument, "value is NULL") }
        guard case let .bool(v) = value else { throw APIError(.invalidArgument, "\(name) is not a bool parameter") }
        out.pointee = v
    }
}

@_cdecl("dc_filter_get_string")
public func dc_filter_get_string(_ handle: Handle?, _ name: UnsafePointer<CChar>?, _ buffer: UnsafeMutablePointer<CChar>?,
                                 _ capacity: Int, _ needed: UnsafeMutablePointer<Int>?) -> Int32 {
    getParameter(handle, name) { value, name in
        guard case let .choice(v) = value else { throw APIError(.invalidArgument, "\(name) is not a string parameter") }
        try copyOut(v, buffer, capacity, needed)
    }
}

@_cdecl("dc_filter_set_options")
public func dc_filter_set_options(_ handle: Handle?, _ options: UnsafePointer<CChar>?) -> Int32 {
    guarded {
        let filter = try Handles.filter(handle)
        try filter.parameters.apply(options: try string(options, "options"))
    }
}

@_cdecl("dc_filter_set_progress")
public func dc_filter_set_progress(_ handle: Handle?, _ function: ProgressFunction?, _ user: UnsafeMutableRawPointer?) -> Int32 {
    guarded {
        let filter = try Handles.filter(handle)
        filter.progress = function.map { ($0, user) }
    }
}

@_cdecl("dc_filter_execute")
public func dc_filter_execute(_ handle: Handle?) -> Int32 {
    guarded {
        let filter = try Handles.filter(handle)
        try filter.executingOnce { try execute(filter) }
    }
}

@_cdecl("dc_filter_cancel")
public func dc_filter_cancel(_ handle: Handle?) -> Int32 {
    guarded { try Handles.filter(handle).cancellation.cancel() }
}

@_cdecl("dc_filter_read_input")
public func dc_filter_read_input(_ handle: Handle?, _ reading: UnsafeMutableRawPointer?) -> Int32 {
    guarded {
        let filter = try Handles.filter(handle)
        guard let reading else { throw APIError(.invalidArgument, "reading is NULL") }
        guard let input = filter.input else { throw APIError(.invalidOperation, "set the input image before reading it") }
        try ReadingDescription.write(BlindReading(of: try input.buffer(), leastRemovableNoise: filter.context.restorer.leastRemovableNoise),
                                     into: reading)
    }
}

@_cdecl("dc_filter_get_output_size")
public func dc_filter_get_output_size(_ handle: Handle?, _ inputWidth: Int, _ inputHeight: Int, _ outputWidth: UnsafeMutablePointer<Int>?,
                                      _ outputHeight: UnsafeMutablePointer<Int>?) -> Int32 {
    guarded {
        let filter = try Handles.filter(handle)
        guard let outputWidth, let outputHeight else { throw APIError(.invalidArgument, "output_width or output_height is NULL") }
        let size = try outputSize(filter, inputWidth, inputHeight)
        outputWidth.pointee = size.width
        outputHeight.pointee = size.height
    }
}

@_cdecl("dc_filter_get_plan")
public func dc_filter_get_plan(_ handle: Handle?, _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int,
                               _ needed: UnsafeMutablePointer<Int>?) -> Int32 {
    guarded {
        let filter = try Handles.filter(handle)
        guard let input = filter.input else { throw APIError(.invalidOperation, "set the input image before asking for the plan") }
        var options = try filter.restoreOptions()
        options.memoryLimitMB = options.memoryLimitMB ?? filter.context.memoryLimitMB
        let plan = try filter.context.restorer.plan(for: try input.buffer(), options: options, outputChannels: filter.output?.channels)
        try copyOut(plan.json, buffer, capacity, needed)
    }
}

@_cdecl("dc_filter_release")
public func dc_filter_release(_ handle: Handle?) {
    Handles.release(handle, .filter)
}

/// Runs a filter: its images and settings through the context's Restorer.
private func execute(_ filter: FilterObject) throws {
    defer { filter.cancellation.reset() }
    guard let input = filter.input, let output = filter.output else {
        throw APIError(.invalidOperation, "set the input and output images before executing")
    }
    var options = try filter.restoreOptions()
    options.memoryLimitMB = options.memoryLimitMB ?? filter.context.memoryLimitMB
    let progress = filter.progress
    try filter.context.restorer.restore(input: try input.buffer(), output: try output.buffer(), options: options,
                                        cancel: filter.cancellation) { fraction in
        progress.map { $0.function($0.user, fraction) } ?? true
    }
}

// MARK: - Introspection


@_cdecl("dc_param_count")
public func dc_param_count() -> Int32 { Int32(RestoreParameter.all.count) }

@_cdecl("dc_param_info")
public func dc_param_info(_ index: Int32, _ info: UnsafeMutableRawPointer?) -> Int32 {
    guarded {
        guard let info else { throw APIError(.invalidArgument, "info is NULL") }
        guard index >= 0, Int(index) < RestoreParameter.all.count else {
            throw APIError(.invalidArgument, "index \(index) is out of range [0, \(RestoreParameter.all.count))")
        }
        try ParameterDescription.write(index: Int(index), into: info)
    }
}

@_cdecl("dc_params_json")
public func dc_params_json(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int, _ needed: UnsafeMutablePointer<Int>?) -> Int32 {
    guarded { try copyOut(ParameterTable.json, buffer, capacity, needed) }
}

// MARK: - One call

@_cdecl("dc_restore")
public func dc_restore(_ context: Handle?, _ input: UnsafeRawPointer?, _ output: UnsafeMutableRawPointer?, _ format: Int32,
                       _ width: Int, _ height: Int, _ channels: Int, _ rowStride: Int, _ options: UnsafePointer<CChar>?,
                       _ progress: ProgressFunction?, _ user: UnsafeMutableRawPointer?) -> Int32 {
    guarded {
        let filter = FilterObject(context: try Handles.context(context))
        if let options { try filter.parameters.apply(options: try string(options, "options")) }
        filter.progress = progress.map { ($0, user) }
        let handle = try Handles.register(filter, .filter)
        defer { Handles.release(handle, .filter) }
        try check(dc_filter_set_image(handle, "input", UnsafeMutableRawPointer(mutating: input), format, width, height, channels, 0, rowStride))
        let size = try outputSize(filter, width, height)
        let sameSize = size.width == width && size.height == height
        try check(dc_filter_set_image(handle, "output", output, format, size.width, size.height, channels, 0, sameSize ? rowStride : 0))
        try execute(filter)
    }
}

/// The output size the filter's parameters give an input of this size (size_t arrives as Int: above Int.max is negative).
private func outputSize(_ filter: FilterObject, _ width: Int, _ height: Int) throws -> (width: Int, height: Int) {
    guard width >= 0, height >= 0 else { throw APIError(.invalidArgument, "the input size is too large") }
    guard let size = RestorationPlan.outputSize(width: width, height: height, options: filter.parameters.restoreOptions) else {
        throw APIError(.invalidArgument, "the output size of a \(width)x\(height) input overflows")
    }
    return size
}

/// Turns a status from a nested entry point back into an error (its message is already the thread's).
private func check(_ status: Int32) throws {
    guard status == Status.ok.rawValue else {
        throw APIError(Status(rawValue: status) ?? .unknown, String(cString: dc_last_error_message()))
    }
}
