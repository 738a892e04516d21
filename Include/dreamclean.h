/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * dreamclean.h: restore damaged photos with a diffusion prior, from C.
 *
 * Threading contract
 *   - A dc_context holds a model (weights, compute threads, caches). Create one per model and share it between
 *     threads; executions on one context run one at a time.
 *   - A dc_filter is one job's settings and images. Use it from one thread at a time; dc_filter_cancel may be
 *     called from any thread and takes effect within one network evaluation.
 *   - Handles are numbers issued once, never reused: a handle kept after its release (or racing its release on
 *     another thread) is DC_ERROR_INVALID_ARGUMENT and never acts on a newer object. A release while another thread
 *     is inside a call with the same handle is safe: the object goes when that call returns.
 *   - Callbacks run on the thread that called dc_filter_execute (or dc_restore), never after it returns. From a
 *     callback, executing the same filter, or any filter of the same context, or changing that context's
 *     num_threads, fails with DC_ERROR_INVALID_OPERATION (it would wait for itself); other contexts may be used.
 *   - A model is checked whole at load: only regular files are opened (a FIFO is refused, not waited on), the weights
 *     file is a name inside the model folder, every weight and config number is finite and the schedule usable. A
 *     result that is not finite anyway is DC_ERROR_MODEL with the output untouched.
 *   - dc_last_error_message() is per thread: it explains the last failed call made by the calling thread.
 *   - Asynchronous signal handlers must not run on a thread while it is inside the library: its compute kernels
 *     (oneDNN's JIT code) keep data below the stack pointer, which a handler overwrites. Block such signals in the
 *     threads that call the library (its compute threads inherit their mask) and take them on a thread of your own
 *     (sigwait), as the CLI does.
 *   - The library never prints, never exits or aborts, and on any error or cancellation leaves the output image
 *     untouched (it is written only once the whole result is ready).
 */
#ifndef DREAMCLEAN_H
#define DREAMCLEAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions -------------------------------------------------------------------------------------------------- */

#define DC_VERSION_MAJOR 0 /* incompatible API changes */
#define DC_VERSION_MINOR 2 /* added features */
#define DC_VERSION_PATCH 0 /* fixes */
#define DC_ABI_VERSION 1   /* bumped whenever a compiled host must be rebuilt; equals the soname's number + 1 */

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *dc_version_string(void);
/* The library's ABI version; a host compiled against DC_ABI_VERSION should refuse a different one. */
int dc_abi_version(void);

/* ---- Status and errors ----------------------------------------------------------------------------------------- */

typedef enum {
    DC_OK = 0,                   /* success */
    DC_ERROR_UNKNOWN = 1,        /* an unexpected internal failure */
    DC_ERROR_INVALID_ARGUMENT = 2, /* a NULL, released or wrong handle, a bad size, stride, name or value */
    DC_ERROR_INVALID_OPERATION = 3, /* a call that is not allowed now (e.g. execute without images) */
    DC_ERROR_OUT_OF_MEMORY = 4,  /* an allocation failed or the job would not fit */
    DC_ERROR_UNSUPPORTED = 5,    /* a valid request this build or model cannot serve */
    DC_ERROR_CANCELLED = 6,      /* dc_filter_cancel or a progress callback stopped the job */
    DC_ERROR_IO = 7,             /* a file could not be read */
    DC_ERROR_MODEL = 8           /* the model file or its config is missing, corrupt or inconsistent */
} dc_status;

/* A constant name for a status code, e.g. "DC_ERROR_CANCELLED". */
const char *dc_status_string(dc_status status);
/* The message of the calling thread's last failure ("" if none); valid until this thread's next dc_* call. */
const char *dc_last_error_message(void);

/* ---- Objects --------------------------------------------------------------------------------------------------- */

typedef struct dc_context_s *dc_context; /* a loaded model and its compute resources */
typedef struct dc_filter_s *dc_filter;   /* one restoration job */

/* Sample formats: DC_FORMAT_U8 0..255, DC_FORMAT_U16 0..65535, DC_FORMAT_F32 0..1 (clamped; NaN rejected), samples
 * sRGB-encoded (or in the image's own colour space, as stored; the library applies no transfer function except the
 * mix parameter's linear-light blend). Other formats are the host's to map: the CLI, the vips and GEGL operations and
 * the Python package scale 32-bit unsigned samples by their range, take float as 0..1, and refuse signed samples (the
 * README's "Sample formats and metadata"). */
typedef enum {
    DC_FORMAT_U8 = 1,  /* unsigned 8-bit samples */
    DC_FORMAT_U16 = 2, /* unsigned 16-bit samples, native byte order */
    DC_FORMAT_F32 = 3  /* 32-bit float samples in [0, 1] */
} dc_format;

/* Progress: the fraction of network evaluations done, 0 to 1. Return false to cancel. */
typedef bool (*dc_progress_fn)(void *user, double fraction);

/* Loads a model folder (config.json + model.safetensors); NULL loads the default model ($DREAMCLEAN_MODEL, else the
 * one `make install` put under PREFIX/share/dreamclean/models/default). */
dc_status dc_context_new(const char *model_path, dc_context *out);
/* Context settings: "num_threads" (0, the default = one per core that other processes leave idle, re-read as the
 * work runs, so that a busy neighbour does not stall the compute threads at every barrier; N = always N; at most 256;
 * the weights loaded at creation are kept, the folder is not read again, results do not change; the threads are tried
 * first, so a count the process cannot start is DC_ERROR_OUT_OF_MEMORY, not an exit). A host that runs several
 * executions at once, on several contexts, gives each num_threads = cores / executions: the automatic count treats
 * this process's own threads as its own work, not as a neighbour's; "max_memory_mb"
 * (16 to 2^30, default 2048): what one execution may hold besides its input, output and mask images. Larger images are
 * restored in overlapping bands (the layout, and so the result, may change slightly with this limit); an execution
 * that cannot fit fails with DC_ERROR_OUT_OF_MEMORY before any work. A filter's "max_memory_mb" parameter (0: this
 * setting) overrides it for that filter's jobs; "bf16" (1 or 0): convolutions in bfloat16 with f32 accumulation,
 * the default where the CPU multiplies bf16 natively (AVX-512 BF16 or AMX): 1.5x per network pass, within 0.01 dB
 * of f32 on every crop row of the project's quality table and 0.02 dB on 8 whole real photos (docs/performance.md), though the same seed then gives a
 * slightly different image (about 0.2 of an 8-bit level on average) than on a CPU without it. 0 computes in f32; 1
 * where the CPU lacks bf16 is accepted and stays f32, and the setting reads back 0; "int8" (0, the default, or 1):
 * convolutions in 8-bit integers (inputs quantized with the ranges the model's calibration gives, weights per output
 * channel, int32 sums) where the model ships an int8 calibration (config.json "int8") and the CPU has AVX-512 VNNI;
 * the convolutions the calibration leaves out, and all of them elsewhere, compute as "bf16" says, and the setting then
 * reads back 0 (with int8 on, "bf16" reads back 0 too). For the bundled model about 2x f32 and 1.3x bf16 per network
 * pass, within 0.04 dB of f32 on every row of the project's quality table, crops and 100 whole real photos
 * (docs/performance.md). */
dc_status dc_context_set_int(dc_context context, const char *name, int64_t value);
/* Reads a context setting. */
dc_status dc_context_get_int(dc_context context, const char *name, int64_t *value);
/* What the context's model is, as its config.json states it, as JSON into buffer (capacity bytes, NUL-terminated;
 * *needed gets the size required): name, folder, license, terms, training_data, training_steps (null when not
 * stated), source, architecture ("adm", "ddpm", or "sd": a Stable Diffusion latent model), parameters, weights_sha256,
 * card (the model card's path, or null), tasks (the tasks it restores: a latent model refuses sr, deblur, inpaint and
 * colorize with DC_ERROR_UNSUPPORTED), int8_convolutions (how many convolutions the model's int8 calibration covers, 0
 * when it ships none: see the "int8" setting) and presets ({"source": "library" or "config.json", "rows": the model's own
 * sampler settings by task, which fill what a job leaves unset}). A field the config does not state reads "not stated
 * in config.json". Hosts show it where users pick or install a model. */
dc_status dc_context_get_model_info(dc_context context, char *buffer, size_t capacity, size_t *needed);
/* Releases a context (NULL is allowed); filters made from it keep its model alive until they are released. */
void dc_context_release(dc_context context);

/* Creates a job on a context, with every parameter at its default. */
dc_status dc_filter_new(dc_context context, dc_filter *out);
/* Sets an image slot: "input", "output" (may equal input) or "mask" (1 channel, non-zero = missing). Width, height
 * and 1-4 channels (gray, gray+alpha, RGB, RGBA); pixel_stride and row_stride in bytes, 0 meaning packed (a stride
 * of 0 never means "repeat": a broadcast or negative-stride array is the host's to copy). The memory
 * must stay valid until the filter executes or the slot is set again. The output's channels may differ from the
 * input's: colour is averaged to gray or gray repeated, and an output alpha with no input alpha is opaque, so every
 * output sample is written. */
dc_status dc_filter_set_image(dc_filter filter, const char *slot, void *data, dc_format format, size_t width,
                              size_t height, size_t channels, size_t pixel_stride, size_t row_stride);
/* Sets a kernel, copied (count floats; NULL and 0 remove it): "blur_kernel", task=deblur's own blur instead of
 * blur_sigma (an odd square, row-major, at most 101x101, normalized to sum 1); "sr_taps", task=sr's own downsampling
 * filter instead of sr_kernel (symmetric 1-D taps in high-resolution pixels, applied along both axes, normalized,
 * at most 1024, their count of the scale's parity: even for scale 2 or 4). The values are checked here, sr_taps'
 * count against the scale at execution: a bad kernel is DC_ERROR_INVALID_ARGUMENT with the reason. */
dc_status dc_filter_set_kernel(dc_filter filter, const char *name, const float *values, size_t count);
/* Typed parameter setters; an unknown name or a value out of range is DC_ERROR_INVALID_ARGUMENT. */
dc_status dc_filter_set_int(dc_filter filter, const char *name, int64_t value);
/* Sets a float parameter. */
dc_status dc_filter_set_float(dc_filter filter, const char *name, double value);
/* Sets a boolean parameter. */
dc_status dc_filter_set_bool(dc_filter filter, const char *name, bool value);
/* Sets a string parameter (task, preset). */
dc_status dc_filter_set_string(dc_filter filter, const char *name, const char *value);
/* Typed getters. */
dc_status dc_filter_get_int(dc_filter filter, const char *name, int64_t *value);
/* Reads a float parameter. */
dc_status dc_filter_get_float(dc_filter filter, const char *name, double *value);
/* Reads a boolean parameter. */
dc_status dc_filter_get_bool(dc_filter filter, const char *name, bool *value);
/* Reads a string parameter into buffer (capacity bytes, NUL-terminated); *needed gets the size required. */
dc_status dc_filter_get_string(dc_filter filter, const char *name, char *buffer, size_t capacity, size_t *needed);
/* Sets several parameters from "name=value:name=value" (e.g. "task=sr:scale=4:seed=7"); all or nothing. */
dc_status dc_filter_set_options(dc_filter filter, const char *options);
/* Installs a progress callback (NULL removes it). */
dc_status dc_filter_set_progress(dc_filter filter, dc_progress_fn function, void *user);
/* Runs the job; blocks until done, failed or cancelled. */
dc_status dc_filter_execute(dc_filter filter);
/* Asks a running (or the next) execution to stop; safe from any thread. */
dc_status dc_filter_cancel(dc_filter filter);
/* Releases a filter (NULL is allowed). */
void dc_filter_release(dc_filter filter);
/* The output size the filter's parameters give an input of in_width x in_height: the same, or `scale` times it for
 * task=sr. The one place a host learns it; an overflowing size is DC_ERROR_INVALID_ARGUMENT. */
dc_status dc_filter_get_output_size(dc_filter filter, size_t in_width, size_t in_height, size_t *out_width,
                                    size_t *out_height);

/* ---- What blind restoration reads ------------------------------------------------------------------------------- */

typedef struct {
    size_t struct_size; /* set by the caller to sizeof(dc_reading); fields past it are not written */
    double noise_sigma; /* the noise read, in 0-255 units */
    int jpeg_step;      /* the luma's JPEG DC quantization step; 0 when the image shows no JPEG blocks */
    int jpeg_quality;   /* the libjpeg quality whose standard table has that step (a guide); 0 when none */
    double blur_sigma;  /* the Gaussian sigma in pixels that task=blind deblurs with; 0 when none (a JPEG, or sharp) */
    double camera_noise_sigma; /* a camera's colour noise read (0-255, per pixel), which task=blind restores as
                                * noise_model=camera does; 0 when none (or camera_noise is off) */
} dc_reading;

/* Reads the filter's input image as task=blind does before restoring it (noise, JPEG blocks, blur, a camera's colour
 * noise; with the blind extras at their defaults: dc_filter_get_plan follows the filter's switches) and restores
 * nothing: for a host to show what blind mode will do (the CLI prints it). About a second per 10 megapixels. */
dc_status dc_filter_read_input(dc_filter filter, dc_reading *reading);
/* What dc_filter_execute would do with the input set (the reading above, then the resolved plan: per layer the
 * problem, filters and sampler runs with their steps and strengths; the output size; bands, tiles and memory), as
 * JSON into buffer (capacity bytes, NUL-terminated; *needed gets the size required). Restores nothing; reads the
 * image as dc_filter_read_input does. A request that cannot fit max_memory_mb is DC_ERROR_OUT_OF_MEMORY. */
dc_status dc_filter_get_plan(dc_filter filter, char *buffer, size_t capacity, size_t *needed);

/* ---- Parameter introspection ----------------------------------------------------------------------------------- */

typedef enum {
    DC_PARAM_INT = 1,    /* dc_filter_set_int */
    DC_PARAM_FLOAT = 2,  /* dc_filter_set_float */
    DC_PARAM_BOOL = 3,   /* dc_filter_set_bool */
    DC_PARAM_STRING = 4  /* dc_filter_set_string, one of `choices` */
} dc_param_type;

typedef struct {
    size_t struct_size;         /* set by the caller to sizeof(dc_param_desc); fields past it are not written */
    const char *name;           /* e.g. "strength" */
    dc_param_type type;         /* which setter takes it */
    const char *description;    /* one line for a dialog or --help: what it does, its range, what the default means */
    double minimum;             /* numeric range (inclusive), the "left to the library" value (e.g. -1) included */
    double maximum;
    double default_value;       /* numeric default (the "left to the library" value where there is one) */
    const char *default_string; /* string default, or "" */
    const char *choices;        /* for strings: comma-separated allowed values, else "" */
} dc_param_desc;

/* How many parameters a filter has. */
int dc_param_count(void);
/* Describes parameter `index` (0 <= index < dc_param_count()). The strings are static. */
dc_status dc_param_info(int index, dc_param_desc *info);
/* The same list as JSON (name, type, description, help, unit, default, minimum, maximum, exclusive_minimum, unset
 * and unset_meaning, constraint, choices) into buffer (capacity bytes, NUL-terminated); *needed gets the size required. */
dc_status dc_params_json(char *buffer, size_t capacity, size_t *needed);

/* ---- One call ---------------------------------------------------------------------------------------------------- */

/* Restores `in` into `out` (the size dc_filter_get_output_size gives; may be the same memory), packed pixels
 * with rows `row_stride` bytes apart (0 = packed), with settings from an options string (NULL = defaults). */
dc_status dc_restore(dc_context context, const void *in, void *out, dc_format format, size_t width, size_t height,
                     size_t channels, size_t row_stride, const char *options, dc_progress_fn progress, void *user);

#ifdef __cplusplus
}
#endif

#endif /* DREAMCLEAN_H */
