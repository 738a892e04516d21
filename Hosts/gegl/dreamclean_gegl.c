/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * "dreamclean:restore", a GEGL operation over libdreamclean's C API: the GEGL module that GIMP 2.10's GEGL Operation
 * dialog lists and GIMP 3 loads as a filter, and that the gegl command runs headless.
 *
 *   gegl photo.jpg -o restored.png -- dreamclean:restore task=denoise seed=1
 *
 * Its properties are the library's parameter table (dc_param_info, choices as enums so that GIMP shows lists), plus
 * "model" (a model folder) and the read-only "error". The input pad is the image, the optional "aux" pad the
 * inpainting mask (non-zero where pixels are missing). The network needs the whole image: the whole input is
 * required for any output, and the whole output is computed and cached at once. Formats: 8-bit and 16-bit images are
 * restored in their own depth, everything else as float; gray stays gray, alpha passes through (process_alpha
 * restores it), the image's colour space is kept. The model is loaded once per operation instance and kept until
 * "model" changes. Progress goes out through GEGL's progress signal; a change of any property while it runs (GEGL
 * abandoning the result) or the operation's disposal cancels within one network evaluation (GEGL 0.4 has no
 * cancellation call of its own). On a failure the output is the input unchanged (for sr, transparent), and the message
 * goes to the "error" property and, unless the host cancelled, to GLib's warning log (GEGL 0.4 has no error path for
 * operations beyond process() returning FALSE).
 */
#include <dreamclean.h>
#include <gegl-plugin.h>
#include <operation/gegl-operation-composer.h>
#include <stdio.h>
#include <string.h>

#define MAX_PARAMETERS 32

typedef union {
    gint integer;
    gdouble number;
    gboolean flag;
    gint choice; /* an index into the parameter's choices */
} ParameterSlot;

typedef struct {
    GeglOperationComposer parent_instance;
    ParameterSlot parameters[MAX_PARAMETERS];
    gchar *model;
    gchar *error;

    GMutex lock;             /* guards everything below */
    dc_context context;      /* the model, loaded on first use */
    gchar *context_model;    /* the folder it came from (NULL: the default model) */
    dc_filter running;       /* the job in progress, for cancellation */
    dc_format sample_format; /* what prepare() chose for the pads */
} DreamcleanRestore;

typedef struct {
    GeglOperationComposerClass parent_class;
} DreamcleanRestoreClass;

GType dreamclean_restore_get_type(void);
G_DEFINE_DYNAMIC_TYPE(DreamcleanRestore, dreamclean_restore, GEGL_TYPE_OPERATION_COMPOSER)

/* ---- The library's parameters as GObject properties --------------------------------------------------------- */

enum { PROP_0, PROP_MODEL, PROP_ERROR, FIRST_PARAMETER_PROP };

/* Per parameter, what class_init learned from dc_param_info (kept for the process: GTypes are never unloaded). */
typedef struct {
    dc_param_desc info;
    gchar **choices;    /* DC_PARAM_STRING: the choice names */
    GType enum_type;    /* DC_PARAM_STRING: the enum that lists them */
    gint default_index; /* DC_PARAM_STRING: the default's index */
} Parameter;

static Parameter parameters[MAX_PARAMETERS];
static int parameter_count;

/* GParamSpec names take '-' where the library writes '_' (GLib canonical form); both spellings are accepted. */
static GParamSpec *parameter_spec(GTypeModule *module, int index) {
    Parameter *p = &parameters[index];
    const dc_param_desc *info = &p->info;
    const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_NICK | G_PARAM_STATIC_BLURB;
    switch (info->type) {
    case DC_PARAM_INT: /* GEGL's property parsers take C ints: the seed's range is clipped to theirs */
        return g_param_spec_int(info->name, info->name, info->description, (gint)MAX(info->minimum, G_MININT),
                                (gint)MIN(info->maximum, G_MAXINT), (gint)info->default_value, flags);
    case DC_PARAM_FLOAT:
        return g_param_spec_double(info->name, info->name, info->description, info->minimum, info->maximum,
                                   info->default_value, flags);
    case DC_PARAM_BOOL:
        return g_param_spec_boolean(info->name, info->name, info->description, info->default_value != 0, flags);
    case DC_PARAM_STRING: {
        p->choices = g_strsplit(info->choices, ",", -1);
        guint count = g_strv_length(p->choices);
        GEnumValue *values = g_new0(GEnumValue, count + 1); /* kept: the enum type refers to it */
        for (guint k = 0; k < count; k++) {
            values[k] = (GEnumValue){(gint)k, p->choices[k], p->choices[k]};
            if (strcmp(p->choices[k], info->default_string) == 0) p->default_index = (gint)k;
        }
        gchar *type_name = g_strdup_printf("DreamcleanRestore_%s", info->name);
        p->enum_type = g_type_module_register_enum(module, type_name, values);
        g_free(type_name);
        return g_param_spec_enum(info->name, info->name, info->description, p->enum_type, p->default_index, flags);
    }
    }
    return NULL;
}

static void set_property(GObject *object, guint id, const GValue *value, GParamSpec *spec) {
    DreamcleanRestore *self = (DreamcleanRestore *)object;
    g_mutex_lock(&self->lock);
    if (self->running) dc_filter_cancel(self->running); /* GEGL recomputes: the running result is abandoned */
    g_mutex_unlock(&self->lock);
    if (id == PROP_MODEL) {
        g_free(self->model);
        self->model = g_value_dup_string(value);
        return;
    }
    int index = (int)id - FIRST_PARAMETER_PROP;
    if (index < 0 || index >= parameter_count) { G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, spec); return; }
    ParameterSlot *slot = &self->parameters[index];
    switch (parameters[index].info.type) {
    case DC_PARAM_INT: slot->integer = g_value_get_int(value); break;
    case DC_PARAM_FLOAT: slot->number = g_value_get_double(value); break;
    case DC_PARAM_BOOL: slot->flag = g_value_get_boolean(value); break;
    case DC_PARAM_STRING: slot->choice = g_value_get_enum(value); break;
    }
}

static void get_property(GObject *object, guint id, GValue *value, GParamSpec *spec) {
    DreamcleanRestore *self = (DreamcleanRestore *)object;
    if (id == PROP_MODEL) { g_value_set_string(value, self->model); return; }
    if (id == PROP_ERROR) { g_value_set_string(value, self->error); return; }
    int index = (int)id - FIRST_PARAMETER_PROP;
    if (index < 0 || index >= parameter_count) { G_OBJECT_WARN_INVALID_PROPERTY_ID(object, id, spec); return; }
    ParameterSlot *slot = &self->parameters[index];
    switch (parameters[index].info.type) {
    case DC_PARAM_INT: g_value_set_int(value, slot->integer); break;
    case DC_PARAM_FLOAT: g_value_set_double(value, slot->number); break;
    case DC_PARAM_BOOL: g_value_set_boolean(value, slot->flag); break;
    case DC_PARAM_STRING: g_value_set_enum(value, slot->choice); break;
    }
}

/* ---- The model and the filter ---------------------------------------------------------------------------------- */

static void report(DreamcleanRestore *self, const char *what) {
    g_free(self->error);
    self->error = g_strdup_printf("dreamclean:restore: %s: %s", what, dc_last_error_message());
    g_warning("%s", self->error);
}

/* The instance's context, loaded on first use or when "model" changed; NULL (reported) when it cannot load. */
static dc_context context_of(DreamcleanRestore *self) {
    g_mutex_lock(&self->lock);
    if (self->context && g_strcmp0(self->context_model, self->model) != 0) {
        dc_context_release(self->context);
        self->context = NULL;
    }
    if (!self->context) {
        if (dc_context_new(self->model, &self->context) == DC_OK) {
            g_free(self->context_model);
            self->context_model = g_strdup(self->model);
        } else {
            self->context = NULL;
            report(self, "cannot load the model");
        }
    }
    dc_context context = self->context;
    g_mutex_unlock(&self->lock);
    return context;
}

/* A filter with every parameter that differs from the library's default; NULL (reported) on a refusal. */
static dc_filter configured_filter(DreamcleanRestore *self) {
    dc_context context = context_of(self);
    dc_filter filter = NULL;
    if (!context || dc_filter_new(context, &filter) != DC_OK) {
        if (context) report(self, "filter");
        return NULL;
    }
    for (int i = 0; i < parameter_count; i++) {
        const dc_param_desc *info = &parameters[i].info;
        const ParameterSlot *slot = &self->parameters[i];
        dc_status status = DC_OK;
        switch (info->type) {
        case DC_PARAM_INT:
            if (slot->integer != (gint)info->default_value) status = dc_filter_set_int(filter, info->name, slot->integer);
            break;
        case DC_PARAM_FLOAT:
            if (slot->number != info->default_value) status = dc_filter_set_float(filter, info->name, slot->number);
            break;
        case DC_PARAM_BOOL:
            if (slot->flag != (info->default_value != 0)) status = dc_filter_set_bool(filter, info->name, slot->flag);
            break;
        case DC_PARAM_STRING:
            if (slot->choice != parameters[i].default_index)
                status = dc_filter_set_string(filter, info->name, parameters[i].choices[slot->choice]);
            break;
        }
        if (status != DC_OK) {
            report(self, info->name);
            dc_filter_release(filter);
            return NULL;
        }
    }
    return filter;
}

/* ---- Regions: the whole image in, the whole image out ---------------------------------------------------------- */

static GeglRectangle input_extent(GeglOperation *operation) {
    const GeglRectangle *in = gegl_operation_source_get_bounding_box(operation, "input");
    return in ? *in : (GeglRectangle){0, 0, 0, 0};
}

/* The input's extent, scaled as the library says the output is (sr); the input's when the library cannot tell. */
static GeglRectangle get_bounding_box(GeglOperation *operation) {
    DreamcleanRestore *self = (DreamcleanRestore *)operation;
    GeglRectangle in = input_extent(operation);
    if (in.width <= 0 || in.height <= 0) return in;
    dc_filter filter = configured_filter(self);
    size_t width = 0, height = 0;
    gboolean sized = filter && dc_filter_get_output_size(filter, (size_t)in.width, (size_t)in.height, &width, &height) == DC_OK &&
                     width <= G_MAXINT / 2 && height <= G_MAXINT / 2;
    dc_filter_release(filter);
    if (!sized) return in;
    return (GeglRectangle){in.x * (gint)(width / (size_t)in.width), in.y * (gint)(height / (size_t)in.height), (gint)width,
                           (gint)height};
}

static GeglRectangle get_required_for_output(GeglOperation *operation, const gchar *pad, const GeglRectangle *roi) {
    (void)pad, (void)roi;
    return input_extent(operation);
}

static GeglRectangle get_invalidated_by_change(GeglOperation *operation, const gchar *pad, const GeglRectangle *roi) {
    (void)pad, (void)roi;
    return gegl_operation_get_bounding_box(operation);
}

static GeglRectangle get_cached_region(GeglOperation *operation, const GeglRectangle *roi) {
    (void)roi;
    return gegl_operation_get_bounding_box(operation);
}

/* ---- Formats ----------------------------------------------------------------------------------------------------- */

/* The pads' format for this source: its depth where the library takes it (u8, u16), float otherwise; gray or
 * colour, alpha or not, as the source; the source's colour space. */
static const Babl *library_format(const Babl *source, dc_format *format) {
    if (!source) source = babl_format("R'G'B'A float");
    gboolean alpha = babl_format_has_alpha(source);
    gboolean gray = babl_format_get_n_components(source) - (alpha ? 1 : 0) == 1;
    const Babl *type = babl_format_get_type(source, 0);
    const char *depth = "float";
    *format = DC_FORMAT_F32;
    if (type == babl_type("u8")) { depth = "u8"; *format = DC_FORMAT_U8; }
    if (type == babl_type("u16")) { depth = "u16"; *format = DC_FORMAT_U16; }
    char name[32];
    snprintf(name, sizeof name, "%s %s", gray ? (alpha ? "Y'A" : "Y'") : (alpha ? "R'G'B'A" : "R'G'B'"), depth);
    return babl_format_with_space(name, source);
}

static void prepare(GeglOperation *operation) {
    DreamcleanRestore *self = (DreamcleanRestore *)operation;
    dc_format format;
    const Babl *pads = library_format(gegl_operation_get_source_format(operation, "input"), &format);
    g_mutex_lock(&self->lock);
    self->sample_format = format;
    g_mutex_unlock(&self->lock);
    gegl_operation_set_format(operation, "input", pads);
    gegl_operation_set_format(operation, "output", pads);
    gegl_operation_set_format(operation, "aux", babl_format("Y u8"));
}

/* ---- Processing ------------------------------------------------------------------------------------------------- */

static bool progress(void *user, double fraction) {
    gegl_operation_progress(GEGL_OPERATION(user), fraction, "DreamClean");
    return true; /* cancellation comes through dc_filter_cancel */
}

/* Restores `in` (the whole input) into `pixels_out`; FALSE (reported) on a failure. */
static gboolean restore(DreamcleanRestore *self, dc_filter filter, const Babl *format, GeglBuffer *input, GeglBuffer *aux,
                        const GeglRectangle *in, void *pixels_out, const GeglRectangle *out) {
    size_t bpp = (size_t)babl_format_get_bytes_per_pixel(format);
    size_t channels = (size_t)babl_format_get_n_components(format);
    guchar *pixels_in = g_try_malloc((size_t)in->width * (size_t)in->height * bpp);
    guchar *mask = aux ? g_try_malloc((size_t)in->width * (size_t)in->height) : NULL;
    gboolean ok = FALSE;
    if (!pixels_in || (aux && !mask)) {
        g_free(self->error);
        self->error = g_strdup("dreamclean:restore: out of memory for the image");
        g_warning("%s", self->error);
        goto done;
    }
    gegl_buffer_get(input, in, 1.0, format, pixels_in, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
    if (aux) gegl_buffer_get(aux, in, 1.0, babl_format("Y u8"), mask, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
    dc_format samples = self->sample_format;
    if (dc_filter_set_image(filter, "input", pixels_in, samples, (size_t)in->width, (size_t)in->height, channels, 0, 0) != DC_OK ||
        dc_filter_set_image(filter, "output", pixels_out, samples, (size_t)out->width, (size_t)out->height, channels, 0, 0) != DC_OK ||
        (mask && dc_filter_set_image(filter, "mask", mask, DC_FORMAT_U8, (size_t)in->width, (size_t)in->height, 1, 0, 0) != DC_OK) ||
        dc_filter_set_progress(filter, progress, self) != DC_OK) {
        report(self, "images");
        goto done;
    }
    g_mutex_lock(&self->lock);
    self->running = filter;
    g_mutex_unlock(&self->lock);
    dc_status status = dc_filter_execute(filter);
    g_mutex_lock(&self->lock);
    self->running = NULL;
    g_mutex_unlock(&self->lock);
    if (status == DC_ERROR_CANCELLED) { /* the host's own doing: said in "error", not warned about */
        g_free(self->error);
        self->error = g_strdup("dreamclean:restore: cancelled (a property changed, or the operation went away)");
    } else if (status != DC_OK) {
        report(self, "restore");
    }
    ok = status == DC_OK;
done:
    g_free(pixels_in);
    g_free(mask);
    return ok;
}

static gboolean process(GeglOperation *operation, GeglBuffer *input, GeglBuffer *aux, GeglBuffer *output,
                        const GeglRectangle *result, gint level) {
    (void)result, (void)level;
    DreamcleanRestore *self = (DreamcleanRestore *)operation;
    GeglRectangle in = input_extent(operation);
    GeglRectangle out = gegl_operation_get_bounding_box(operation);
    const Babl *format = gegl_operation_get_format(operation, "output");
    if (in.width <= 0 || in.height <= 0) return TRUE;
    g_clear_pointer(&self->error, g_free);

    dc_filter filter = configured_filter(self);
    size_t bytes = (size_t)out.width * (size_t)out.height * (size_t)babl_format_get_bytes_per_pixel(format);
    guchar *pixels = filter ? g_try_malloc(bytes) : NULL;
    gboolean ok = pixels && restore(self, filter, format, input, aux, &in, pixels, &out);
    if (filter && !pixels) {
        self->error = g_strdup("dreamclean:restore: out of memory for the output");
        g_warning("%s", self->error);
    }
    if (ok) {
        gegl_buffer_set(output, &out, 0, format, pixels, GEGL_AUTO_ROWSTRIDE);
    } else if (out.width == in.width && out.height == in.height) {
        gegl_buffer_copy(input, &in, GEGL_ABYSS_NONE, output, &out); /* the image as it came */
    }
    dc_filter_release(filter);
    g_free(pixels);
    return ok;
}

/* ---- The type ---------------------------------------------------------------------------------------------------- */

static void dreamclean_restore_init(DreamcleanRestore *self) { g_mutex_init(&self->lock); }

static void dispose(GObject *object) {
    DreamcleanRestore *self = (DreamcleanRestore *)object;
    g_mutex_lock(&self->lock);
    if (self->running) dc_filter_cancel(self->running);
    g_mutex_unlock(&self->lock);
    G_OBJECT_CLASS(dreamclean_restore_parent_class)->dispose(object);
}

static void finalize(GObject *object) {
    DreamcleanRestore *self = (DreamcleanRestore *)object;
    dc_context_release(self->context);
    g_free(self->context_model);
    g_free(self->model);
    g_free(self->error);
    g_mutex_clear(&self->lock);
    G_OBJECT_CLASS(dreamclean_restore_parent_class)->finalize(object);
}

static GTypeModule *registering_module;

static void dreamclean_restore_class_init(DreamcleanRestoreClass *class) {
    GObjectClass *object_class = G_OBJECT_CLASS(class);
    GeglOperationClass *operation_class = GEGL_OPERATION_CLASS(class);
    GeglOperationComposerClass *composer_class = GEGL_OPERATION_COMPOSER_CLASS(class);
    object_class->set_property = set_property;
    object_class->get_property = get_property;
    object_class->dispose = dispose;
    object_class->finalize = finalize;

    g_object_class_install_property(object_class, PROP_MODEL,
        g_param_spec_string("model", "Model", "Model folder (config.json + model.safetensors); empty: the default model",
                            NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS));
    g_object_class_install_property(object_class, PROP_ERROR,
        g_param_spec_string("error", "Error", "Why the last processing failed (NULL: it did not)", NULL,
                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
    parameter_count = MIN(dc_param_count(), MAX_PARAMETERS);
    for (int i = 0; i < parameter_count; i++) {
        parameters[i].info.struct_size = sizeof parameters[i].info;
        if (dc_param_info(i, &parameters[i].info) != DC_OK) continue;
        GParamSpec *spec = parameter_spec(registering_module, i);
        if (spec) g_object_class_install_property(object_class, (guint)(FIRST_PARAMETER_PROP + i), spec);
    }

    operation_class->prepare = prepare;
    operation_class->get_bounding_box = get_bounding_box;
    operation_class->get_required_for_output = get_required_for_output;
    operation_class->get_invalidated_by_change = get_invalidated_by_change;
    operation_class->get_cached_region = get_cached_region;
    operation_class->threaded = FALSE; /* one call for the whole image */
    composer_class->process = process;
    gegl_operation_class_set_keys(operation_class,
        "name", "dreamclean:restore",
        "title", "DreamClean restore",
        "categories", "enhance:noise-reduction",
        "description", "Restore a damaged photo (noise, JPEG blocks, blur, low resolution, holes, lost colour) with a "
                       "diffusion prior (DreamClean, ICLR 2024). The aux input is the inpainting mask.",
        NULL);
}

static void dreamclean_restore_class_finalize(DreamcleanRestoreClass *class) { (void)class; }

/* ---- The module's entry points ----------------------------------------------------------------------------------- */

static const GeglModuleInfo module_info = {GEGL_MODULE_ABI_VERSION};

G_MODULE_EXPORT const GeglModuleInfo *gegl_module_query(GTypeModule *module) {
    (void)module;
    return &module_info;
}

G_MODULE_EXPORT gboolean gegl_module_register(GTypeModule *module) {
    registering_module = module;
    dreamclean_restore_register_type(module);
    return TRUE;
}
