/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * The libvips operation "dreamclean": a VipsOperation over libdreamclean's C API. Built as a libvips module
 * (vips-modules-8.14/dreamclean.so, loaded by vips_init) and also usable by hosts that dlopen it and call
 * dreamclean_vips_init().
 *
 *   vips dreamclean in.jpg out.png --task jpeg
 *   pyvips: image.dreamclean(task="sr", scale=2)
 *
 * Its optional arguments are the library's parameter table (dc_param_info), so they never drift from the C API. The
 * operation copies the input to memory once (the network needs the whole image), restores it when the operation is
 * built, and hands the result on as a memory image with the input's metadata (ICC profile, EXIF, XMP; the
 * resolution scaled for sr). Formats: uchar and ushort directly; uint scaled by its range; float and double as 0-1
 * for scRGB and 0-255 otherwise (libvips' convention for float sRGB); each comes back in its own format. Signed and
 * complex samples are refused. 1-4 bands, an alpha band passes through. Killing the input image
 * (vips_image_set_kill) cancels within one network evaluation.
 */
#include <dreamclean.h>
#include <gmodule.h>
#include <limits.h>
#include <string.h>
#include <vips/vips.h>

#define MAX_PARAMETERS 32
#define FIRST_PARAMETER_PRIORITY 10

typedef union {
    int integer;
    double number;
    gboolean flag;
    char *string;
} ParameterSlot;

typedef struct _VipsDreamclean {
    VipsOperation parent_instance;
    VipsImage *in;
    VipsImage *out;
    VipsImage *mask;
    char *model;
    ParameterSlot parameters[MAX_PARAMETERS];
} VipsDreamclean;

typedef VipsOperationClass VipsDreamcleanClass;

G_DEFINE_TYPE(VipsDreamclean, vips_dreamclean, VIPS_TYPE_OPERATION);

/* ---- Contexts: one per model folder, loaded on first use and kept for the life of the process ---------------- */

typedef struct LoadedModel {
    char *path; /* NULL: the default model */
    dc_context context;
    struct LoadedModel *next;
} LoadedModel;

static GMutex models_lock; /* guards the list only: a model loads outside it, so a slow load blocks no other call */
static LoadedModel *models;

static LoadedModel *find_model(const char *path) {
    LoadedModel *found = models;
    while (found && g_strcmp0(found->path, path) != 0) found = found->next;
    return found;
}

static dc_context context_for(const char *path) {
    g_mutex_lock(&models_lock);
    LoadedModel *found = find_model(path);
    g_mutex_unlock(&models_lock);
    if (found) return found->context;
    dc_context context = NULL;
    if (dc_context_new(path, &context) != DC_OK) {
        vips_error("dreamclean", "cannot load the model: %s", dc_last_error_message());
        return NULL;
    }
    g_mutex_lock(&models_lock);
    found = find_model(path); /* another thread may have loaded it meanwhile: keep the first */
    if (!found) {
        found = g_new0(LoadedModel, 1);
        found->path = g_strdup(path);
        found->context = context;
        found->next = models;
        models = found;
        context = NULL;
    }
    g_mutex_unlock(&models_lock);
    if (context) dc_context_release(context);
    return found->context;
}

/* ---- The operation --------------------------------------------------------------------------------------------- */

static int fail(const char *what) {
    vips_error("dreamclean", "%s: %s", what, dc_last_error_message());
    return -1;
}

/* Copies the arguments the caller set into the filter; unset ones keep the library's defaults. */
static int apply_parameters(VipsDreamclean *self, dc_filter filter) {
    int count = MIN(dc_param_count(), MAX_PARAMETERS);
    for (int i = 0; i < count; i++) {
        dc_param_desc info = {.struct_size = sizeof info};
        if (dc_param_info(i, &info) != DC_OK) return fail("parameter table");
        if (!vips_object_argument_isset(VIPS_OBJECT(self), info.name)) continue;
        ParameterSlot *slot = &self->parameters[i];
        dc_status status = DC_OK;
        switch (info.type) {
        case DC_PARAM_INT: status = dc_filter_set_int(filter, info.name, slot->integer); break;
        case DC_PARAM_FLOAT: status = dc_filter_set_float(filter, info.name, slot->number); break;
        case DC_PARAM_BOOL: status = dc_filter_set_bool(filter, info.name, slot->flag); break;
        case DC_PARAM_STRING: status = dc_filter_set_string(filter, info.name, slot->string); break;
        }
        if (status != DC_OK) return fail(info.name);
    }
    return 0;
}

static bool keep_going(void *user, double fraction) {
    (void)fraction;
    VipsDreamclean *self = user;
    return !vips_image_iskilled(self->in);
}

/* The input as packed samples the library reads: uchar, ushort, or float in 0-1 (*float_scale says from what range:
 * uint by its range, float and double 0-1 for scRGB and 0-255 otherwise). Signed samples have no agreed black and
 * white: refused. */
static VipsImage *library_input(VipsDreamclean *self, VipsImage *parent, dc_format *format, double *float_scale) {
    VipsImage **t = (VipsImage **)vips_object_local_array(VIPS_OBJECT(parent), 3);
    *float_scale = 1;
    switch (self->in->BandFmt) {
    case VIPS_FORMAT_UCHAR: *format = DC_FORMAT_U8; return vips_image_copy_memory(self->in);
    case VIPS_FORMAT_USHORT: *format = DC_FORMAT_U16; return vips_image_copy_memory(self->in);
    case VIPS_FORMAT_UINT: *float_scale = UINT_MAX; break;
    case VIPS_FORMAT_FLOAT: case VIPS_FORMAT_DOUBLE: *float_scale = self->in->Type == VIPS_INTERPRETATION_scRGB ? 1 : 255; break;
    default:
        vips_error("dreamclean", "%s samples are not taken: signed samples have no agreed black and white (cast to "
                   "uchar, ushort, uint or float first)", vips_enum_nick(VIPS_TYPE_BAND_FORMAT, self->in->BandFmt));
        return NULL;
    }
    *format = DC_FORMAT_F32;
    if (vips_cast(self->in, &t[0], VIPS_FORMAT_FLOAT, NULL) || vips_linear1(t[0], &t[1], 1 / *float_scale, 0, NULL))
        return NULL;
    return vips_image_copy_memory(t[1]);
}

/* The mask as one uchar band, non-zero where pixels are missing. */
static VipsImage *library_mask(VipsImage *mask, VipsImage *parent) {
    VipsImage **t = (VipsImage **)vips_object_local_array(VIPS_OBJECT(parent), 3);
    VipsImage *band = mask;
    if (mask->Bands > 1) {
        if (vips_extract_band(mask, &t[0], 0, NULL)) return NULL;
        band = t[0];
    }
    if (vips_notequal_const1(band, &t[1], 0, NULL)) return NULL; /* 255 where missing */
    return vips_image_copy_memory(t[1]);
}

static int vips_dreamclean_build(VipsObject *object) {
    VipsDreamclean *self = (VipsDreamclean *)object;
    if (VIPS_OBJECT_CLASS(vips_dreamclean_parent_class)->build(object)) return -1;
    g_object_set(self, "out", vips_image_new(), NULL);
    if (self->in->Bands < 1 || self->in->Bands > 4) {
        vips_error("dreamclean", "%d bands: expected 1-4 (gray, gray+alpha, RGB, RGBA)", self->in->Bands);
        return -1;
    }
    if (vips_check_uncoded("dreamclean", self->in) || vips_check_noncomplex("dreamclean", self->in)) return -1;

    dc_context context = context_for(self->model);
    if (!context) return -1;
    VipsObject *scope = VIPS_OBJECT(vips_image_new()); /* owns every temporary image below */
    VipsImage **t = (VipsImage **)vips_object_local_array(scope, 4);
    dc_filter filter = NULL;
    int result = -1;
    dc_format format;
    double float_scale;
    if (!(t[0] = library_input(self, VIPS_IMAGE(scope), &format, &float_scale))) goto done;
    if (self->mask && !(t[1] = library_mask(self->mask, VIPS_IMAGE(scope)))) goto done;
    if (dc_filter_new(context, &filter) != DC_OK) { fail("filter"); goto done; }
    if (apply_parameters(self, filter)) goto done;

    size_t out_width, out_height;
    if (dc_filter_get_output_size(filter, (size_t)t[0]->Xsize, (size_t)t[0]->Ysize, &out_width, &out_height) != DC_OK) {
        fail("output size");
        goto done;
    }
    if (out_width > VIPS_MAX_COORD || out_height > VIPS_MAX_COORD) {
        vips_error("dreamclean", "a %zux%zu output is too large", out_width, out_height);
        goto done;
    }
    double scale = (double)out_width / t[0]->Xsize; /* the resolution follows the size */
    t[2] = vips_image_new_memory();
    /* The input's metadata (ICC profile, EXIF, XMP...) first, then this image's own header. */
    if (vips_image_pipelinev(t[2], VIPS_DEMAND_STYLE_ANY, self->in, NULL)) goto done;
    vips_image_init_fields(t[2], (int)out_width, (int)out_height, t[0]->Bands, t[0]->BandFmt,
                           VIPS_CODING_NONE, t[0]->Type, t[0]->Xres * scale, t[0]->Yres * scale);
    if (vips_image_write_prepare(t[2])) goto done;

    size_t bands = (size_t)t[0]->Bands;
    if (dc_filter_set_image(filter, "input", VIPS_IMAGE_ADDR(t[0], 0, 0), format, (size_t)t[0]->Xsize,
                            (size_t)t[0]->Ysize, bands, 0, (size_t)VIPS_IMAGE_SIZEOF_LINE(t[0])) != DC_OK ||
        dc_filter_set_image(filter, "output", VIPS_IMAGE_ADDR(t[2], 0, 0), format, (size_t)t[2]->Xsize,
                            (size_t)t[2]->Ysize, bands, 0, (size_t)VIPS_IMAGE_SIZEOF_LINE(t[2])) != DC_OK ||
        (t[1] && dc_filter_set_image(filter, "mask", VIPS_IMAGE_ADDR(t[1], 0, 0), DC_FORMAT_U8, (size_t)t[1]->Xsize,
                                     (size_t)t[1]->Ysize, 1, 0, (size_t)VIPS_IMAGE_SIZEOF_LINE(t[1])) != DC_OK)) {
        fail("images");
        goto done;
    }
    dc_filter_set_progress(filter, keep_going, self);
    if (dc_filter_execute(filter) != DC_OK) { fail("restore"); goto done; }

    /* Back to the input's range and format. */
    VipsImage *restored = t[2];
    if (format == DC_FORMAT_F32) {
        if (vips_linear1(t[2], &t[3], float_scale, 0, NULL)) goto done;
        restored = t[3];
        if (self->in->BandFmt != VIPS_FORMAT_FLOAT) {
            VipsImage **u = (VipsImage **)vips_object_local_array(scope, 1);
            if (vips_cast(t[3], &u[0], self->in->BandFmt, NULL)) goto done;
            restored = u[0];
        }
    }
    result = vips_image_write(restored, self->out);

done:
    dc_filter_release(filter);
    g_object_unref(scope);
    return result;
}

/* A random seed (the default) must not be served from libvips' operation cache. */
static VipsOperationFlags vips_dreamclean_get_flags(VipsOperation *operation) {
    VipsOperationFlags flags = VIPS_OPERATION_CLASS(vips_dreamclean_parent_class)->get_flags(operation);
    VipsDreamclean *self = (VipsDreamclean *)operation;
    for (int i = 0; i < MIN(dc_param_count(), MAX_PARAMETERS); i++) {
        dc_param_desc info = {.struct_size = sizeof info};
        if (dc_param_info(i, &info) == DC_OK && strcmp(info.name, "seed") == 0 &&
            (!vips_object_argument_isset(VIPS_OBJECT(self), "seed") || self->parameters[i].integer < 0))
            flags |= VIPS_OPERATION_NOCACHE;
    }
    return flags;
}

/* One vips argument per library parameter, with its range, default and description. */
static void install_parameters(GObjectClass *gobject_class) {
    int count = MIN(dc_param_count(), MAX_PARAMETERS);
    for (int i = 0; i < count; i++) {
        dc_param_desc info = {.struct_size = sizeof info};
        if (dc_param_info(i, &info) != DC_OK) continue;
        int priority = FIRST_PARAMETER_PRIORITY + i;
        glong offset = G_STRUCT_OFFSET(VipsDreamclean, parameters) + (glong)(i * sizeof(ParameterSlot));
        switch (info.type) {
        case DC_PARAM_INT: /* vips arguments are C ints: the seed's range is clipped to theirs */
            VIPS_ARG_INT(gobject_class, info.name, priority, info.name, info.description, VIPS_ARGUMENT_OPTIONAL_INPUT,
                         offset, (int)MAX(info.minimum, G_MININT), (int)MIN(info.maximum, G_MAXINT),
                         (int)info.default_value);
            break;
        case DC_PARAM_FLOAT:
            VIPS_ARG_DOUBLE(gobject_class, info.name, priority, info.name, info.description,
                            VIPS_ARGUMENT_OPTIONAL_INPUT, offset, info.minimum, info.maximum, info.default_value);
            break;
        case DC_PARAM_BOOL:
            VIPS_ARG_BOOL(gobject_class, info.name, priority, info.name, info.description, VIPS_ARGUMENT_OPTIONAL_INPUT,
                          offset, info.default_value != 0);
            break;
        case DC_PARAM_STRING:
            VIPS_ARG_STRING(gobject_class, info.name, priority, info.name, info.description,
                            VIPS_ARGUMENT_OPTIONAL_INPUT, offset, info.default_string);
            break;
        }
    }
}

static void vips_dreamclean_class_init(VipsDreamcleanClass *class) {
    GObjectClass *gobject_class = G_OBJECT_CLASS(class);
    VipsObjectClass *object_class = VIPS_OBJECT_CLASS(class);
    gobject_class->set_property = vips_object_set_property;
    gobject_class->get_property = vips_object_get_property;
    object_class->nickname = "dreamclean";
    object_class->description = "restore a damaged photo with a diffusion prior (DreamClean)";
    object_class->build = vips_dreamclean_build;
    class->get_flags = vips_dreamclean_get_flags;

    VIPS_ARG_IMAGE(class, "in", 1, "Input", "Image to restore", VIPS_ARGUMENT_REQUIRED_INPUT,
                   G_STRUCT_OFFSET(VipsDreamclean, in));
    VIPS_ARG_IMAGE(class, "out", 2, "Output", "Restored image", VIPS_ARGUMENT_REQUIRED_OUTPUT,
                   G_STRUCT_OFFSET(VipsDreamclean, out));
    install_parameters(gobject_class);
    VIPS_ARG_IMAGE(class, "mask", 100, "Mask", "inpaint: non-zero where pixels are missing",
                   VIPS_ARGUMENT_OPTIONAL_INPUT, G_STRUCT_OFFSET(VipsDreamclean, mask));
    VIPS_ARG_STRING(class, "model", 101, "Model", "Model folder (default: the installed default model)",
                    VIPS_ARGUMENT_OPTIONAL_INPUT, G_STRUCT_OFFSET(VipsDreamclean, model), NULL);
}

static void vips_dreamclean_init(VipsDreamclean *self) { (void)self; }

/* ---- Entry points ---------------------------------------------------------------------------------------------- */

/* Registers the operation; for hosts that dlopen this file instead of loading it as a libvips module. */
G_MODULE_EXPORT GType dreamclean_vips_init(void) { return vips_dreamclean_get_type(); }

/* Called by libvips when it loads the module. GTypes cannot be unregistered, so the module stays loaded. */
G_MODULE_EXPORT const gchar *g_module_check_init(GModule *module) {
    g_module_make_resident(module);
    dreamclean_vips_init();
    return NULL;
}
