/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * A GIMP 2.10 plug-in: Filters > Enhance > DreamClean... restores the active drawable (within the selection) with
 * libdreamclean and the default model, as one undo step, with progress in GIMP's status bar.
 *
 *   make gimp-plugin            # builds .build/gimp/dreamclean-gimp against libgimp2.0-dev
 *   make install-gimp           # copies it into GIMP's plug-in folder (gimptool-2.0 --install-admin-bin)
 *
 * The tasks and presets are the library's (dc_param_info), the tasks limited to those whose output keeps the
 * layer's size (dc_filter_get_output_size): today blind, denoise, jpeg, deblur, inpaint, which restores the selected
 * pixels (the selection is the mask), and colorize. Scripts call it as plug-in-dreamclean with the task and preset
 * by name, the seed and (optionally) the mix. The dialog shows the model's name, licence and terms.
 */
#include <dreamclean.h>
#include <libgimp/gimp.h>
#include <json-glib/json-glib.h>
#include <libgimp/gimpui.h>
#include <string.h>

#define PROCEDURE "plug-in-dreamclean"
#define BINARY "dreamclean-gimp"

/* A string parameter's choices, as the library lists them. */
typedef struct {
    gchar **names; /* NULL-terminated; kept for the process */
    int count;
    int preferred; /* the library's default */
} Choices;

typedef struct {
    gchar task[32];
    gchar preset[32];
    gint seed;    /* -1: random */
    gdouble mix;  /* the library's "mix": how much of the restoration, blended in linear light */
} Settings;

static Settings settings = {"", "", -1, 1.0};

static void query(void);
static void run(const gchar *name, gint nparams, const GimpParam *param, gint *nreturn_vals, GimpParam **return_vals);

const GimpPlugInInfo PLUG_IN_INFO = {NULL, NULL, query, run};

MAIN()

static void query(void) {
    static const GimpParamDef arguments[] = {
        {GIMP_PDB_INT32, "run-mode", "The run mode { RUN-INTERACTIVE (0), RUN-NONINTERACTIVE (1) }"},
        {GIMP_PDB_IMAGE, "image", "Input image"},
        {GIMP_PDB_DRAWABLE, "drawable", "Drawable to restore"},
        {GIMP_PDB_STRING, "task", "A task of the library that keeps the size: blind, denoise, jpeg, deblur, colorize or inpaint "
                                  "(the selection is the hole)"},
        {GIMP_PDB_STRING, "preset", "A preset of the library: fast, balanced, quality or paper"},
        {GIMP_PDB_INT32, "seed", "Random seed, -1 for a new one"},
        {GIMP_PDB_FLOAT, "mix", "0-1: how much of the restoration the layer gets, blended with it in linear light "
                                "(1: all of it)"},
    };
    gimp_install_procedure(PROCEDURE, "Restore a damaged photo with a diffusion prior",
                           "Removes noise, JPEG blocks and blur, fills holes or colorizes, with DreamClean's default "
                           "model. Works within the selection, as one undo step.",
                           "The DreamClean authors", "MIT", "2026", "_DreamClean...", "RGB*, GRAY*", GIMP_PLUGIN,
                           G_N_ELEMENTS(arguments), 0, arguments, NULL);
    gimp_plugin_menu_register(PROCEDURE, "<Image>/Filters/Enhance");
}

static int index_of(const char *value, const Choices *choices) {
    for (int i = 0; value && i < choices->count; i++)
        if (strcmp(value, choices->names[i]) == 0) return i;
    return -1;
}

/* The choices dc_param_info gives parameter `name`; `keep` (when given) filters them. */
static Choices library_choices(const char *name, gboolean (*keep)(dc_filter, const char *), dc_filter filter) {
    Choices result = {g_new0(gchar *, 1), 0, 0};
    dc_param_desc info = {.struct_size = sizeof info};
    for (int i = 0; i < dc_param_count(); i++) {
        if (dc_param_info(i, &info) != DC_OK || strcmp(info.name, name) != 0) continue;
        gchar **all = g_strsplit(info.choices, ",", -1);
        result.names = g_new0(gchar *, g_strv_length(all) + 1);
        for (int k = 0; all[k]; k++) {
            if (keep && !keep(filter, all[k])) continue;
            if (strcmp(all[k], info.default_string) == 0) result.preferred = result.count;
            result.names[result.count++] = g_strdup(all[k]);
        }
        g_strfreev(all);
    }
    return result;
}

/* The layer is restored in place: a task is offered when its output keeps the input's size. */
static gboolean keeps_size(dc_filter filter, const char *task) {
    size_t width = 0, height = 0;
    return dc_filter_set_string(filter, "task", task) == DC_OK &&
           dc_filter_get_output_size(filter, 64, 64, &width, &height) == DC_OK && width == 64 && height == 64;
}

static Choices tasks, presets;

/* The lists, from a filter on `context`; FALSE when the library refused. */
static gboolean load_choices(dc_context context) {
    dc_filter filter = NULL;
    if (dc_filter_new(context, &filter) != DC_OK) return FALSE;
    tasks = library_choices("task", keeps_size, filter);
    presets = library_choices("preset", NULL, NULL);
    dc_filter_release(filter);
    if (index_of(settings.task, &tasks) < 0) g_strlcpy(settings.task, tasks.count ? tasks.names[tasks.preferred] : "", sizeof settings.task);
    if (index_of(settings.preset, &presets) < 0)
        g_strlcpy(settings.preset, presets.count ? presets.names[presets.preferred] : "", sizeof settings.preset);
    return tasks.count > 0 && presets.count > 0;
}

static bool report_progress(void *user, double fraction) {
    (void)user;
    gimp_progress_update(fraction);
    return true;
}

/* "Model: NAME (LICENSE)" and its terms, from dc_context_get_model_info; NULL when the library gives none. */
static gchar *model_label(dc_context context) {
    size_t size = 0;
    if (dc_context_get_model_info(context, NULL, 0, &size) != DC_OK) return NULL;
    gchar *json = g_malloc(size);
    gchar *label = NULL;
    if (dc_context_get_model_info(context, json, size, &size) == DC_OK) {
        JsonParser *parser = json_parser_new();
        if (json_parser_load_from_data(parser, json, -1, NULL)) {
            JsonObject *info = json_node_get_object(json_parser_get_root(parser));
            label = g_strdup_printf("Model: %s (%s)\n%s", json_object_get_string_member(info, "name"),
                                    json_object_get_string_member(info, "license"),
                                    json_object_get_string_member(info, "terms"));
        }
        g_object_unref(parser);
    }
    g_free(json);
    return label;
}

/* A dialog with the task, the preset, the seed, the mix and the model's terms; FALSE when cancelled. */
static gboolean ask(dc_context context) {
    gimp_ui_init(BINARY, FALSE);
    GtkWidget *dialog = gimp_dialog_new("DreamClean", BINARY, NULL, 0, gimp_standard_help_func, PROCEDURE,
                                        "_Cancel", GTK_RESPONSE_CANCEL, "_OK", GTK_RESPONSE_OK, NULL);
    GtkWidget *table = gtk_table_new(5, 2, FALSE);
    gtk_container_set_border_width(GTK_CONTAINER(table), 12);
    gtk_table_set_row_spacings(GTK_TABLE(table), 6);
    gtk_table_set_col_spacings(GTK_TABLE(table), 6);
    gtk_box_pack_start(GTK_BOX(gtk_dialog_get_content_area(GTK_DIALOG(dialog))), table, TRUE, TRUE, 0);

    GtkWidget *task = gtk_combo_box_text_new();
    for (int i = 0; i < tasks.count; i++) gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(task), tasks.names[i]);
    gtk_combo_box_set_active(GTK_COMBO_BOX(task), index_of(settings.task, &tasks));
    gimp_table_attach_aligned(GTK_TABLE(table), 0, 0, "_Task:", 0.0, 0.5, task, 1, FALSE);

    GtkWidget *preset = gtk_combo_box_text_new();
    for (int i = 0; i < presets.count; i++) gtk_combo_box_text_append_text(GTK_COMBO_BOX_TEXT(preset), presets.names[i]);
    gtk_combo_box_set_active(GTK_COMBO_BOX(preset), index_of(settings.preset, &presets));
    gimp_table_attach_aligned(GTK_TABLE(table), 0, 1, "_Preset:", 0.0, 0.5, preset, 1, FALSE);

    GtkWidget *seed = gtk_spin_button_new_with_range(-1, G_MAXINT, 1);
    gtk_spin_button_set_value(GTK_SPIN_BUTTON(seed), settings.seed);
    gimp_table_attach_aligned(GTK_TABLE(table), 0, 2, "_Seed (-1 random):", 0.0, 0.5, seed, 1, FALSE);

    GtkWidget *mix = gtk_spin_button_new_with_range(0, 100, 5);
    gtk_spin_button_set_value(GTK_SPIN_BUTTON(mix), settings.mix * 100);
    gimp_table_attach_aligned(GTK_TABLE(table), 0, 3, "_Mix (% of the result):", 0.0, 0.5, mix, 1, FALSE);

    gchar *about = model_label(context);
    if (about) {
        GtkWidget *label = gtk_label_new(about);
        gtk_label_set_line_wrap(GTK_LABEL(label), TRUE);
        gtk_misc_set_alignment(GTK_MISC(label), 0.0, 0.5);
        gtk_table_attach(GTK_TABLE(table), label, 0, 2, 4, 5, GTK_FILL, GTK_FILL, 0, 6);
        g_free(about);
    }

    gtk_widget_show_all(dialog);
    gboolean ok = gimp_dialog_run(GIMP_DIALOG(dialog)) == GTK_RESPONSE_OK;
    if (ok) {
        g_strlcpy(settings.task, tasks.names[MAX(gtk_combo_box_get_active(GTK_COMBO_BOX(task)), 0)], sizeof settings.task);
        g_strlcpy(settings.preset, presets.names[MAX(gtk_combo_box_get_active(GTK_COMBO_BOX(preset)), 0)],
                  sizeof settings.preset);
        settings.seed = gtk_spin_button_get_value_as_int(GTK_SPIN_BUTTON(seed));
        settings.mix = gtk_spin_button_get_value(GTK_SPIN_BUTTON(mix)) / 100;
    }
    gtk_widget_destroy(dialog);
    return ok;
}

/* Restores the drawable's selected rectangle; the message of a failure goes to *error. */
static GimpPDBStatusType restore(dc_context context, gint32 image, gint32 drawable, gchar **error) {
    gint x, y, width, height;
    if (!gimp_drawable_mask_intersect(drawable, &x, &y, &width, &height)) return GIMP_PDB_SUCCESS; /* empty */
    gboolean inpaint = strcmp(settings.task, "inpaint") == 0;
    if (inpaint) { /* the whole drawable: the network needs the surroundings of the hole */
        x = y = 0;
        width = gimp_drawable_width(drawable);
        height = gimp_drawable_height(drawable);
    }
    gboolean alpha = gimp_drawable_has_alpha(drawable);
    const Babl *format = gimp_drawable_is_rgb(drawable) ? babl_format(alpha ? "R'G'B'A u8" : "R'G'B' u8")
                                                        : babl_format(alpha ? "Y'A u8" : "Y' u8");
    size_t channels = (size_t)babl_format_get_n_components(format);
    GeglRectangle area = {x, y, width, height};
    guchar *pixels = g_try_malloc((gsize)width * (gsize)height * channels);
    guchar *mask = inpaint ? g_try_malloc((gsize)width * (gsize)height) : NULL;
    if (!pixels || (inpaint && !mask)) {
        g_free(pixels);
        g_free(mask);
        *error = g_strdup("out of memory");
        return GIMP_PDB_EXECUTION_ERROR;
    }
    GeglBuffer *source = gimp_drawable_get_buffer(drawable);
    gegl_buffer_get(source, &area, 1.0, format, pixels, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
    g_object_unref(source);
    if (inpaint) { /* the selection, in the drawable's coordinates, is what is missing */
        gint offset_x, offset_y;
        gimp_drawable_offsets(drawable, &offset_x, &offset_y);
        GeglRectangle in_image = {offset_x, offset_y, width, height};
        GeglBuffer *selection = gimp_drawable_get_buffer(gimp_image_get_selection(image));
        gegl_buffer_get(selection, &in_image, 1.0, babl_format("Y u8"), mask, GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
        g_object_unref(selection);
    }

    dc_filter filter = NULL;
    dc_status status = dc_filter_new(context, &filter);
    if (status == DC_OK) status = dc_filter_set_string(filter, "task", settings.task);
    if (status == DC_OK) status = dc_filter_set_string(filter, "preset", settings.preset);
    if (status == DC_OK) status = dc_filter_set_int(filter, "seed", settings.seed);
    if (status == DC_OK) status = dc_filter_set_float(filter, "mix", settings.mix);
    if (status == DC_OK)
        status = dc_filter_set_image(filter, "input", pixels, DC_FORMAT_U8, (size_t)width, (size_t)height, channels, 0, 0);
    if (status == DC_OK)
        status = dc_filter_set_image(filter, "output", pixels, DC_FORMAT_U8, (size_t)width, (size_t)height, channels, 0, 0);
    if (status == DC_OK && mask)
        status = dc_filter_set_image(filter, "mask", mask, DC_FORMAT_U8, (size_t)width, (size_t)height, 1, 0, 0);
    if (status == DC_OK) status = dc_filter_set_progress(filter, report_progress, NULL);
    if (status == DC_OK) {
        gimp_progress_init("DreamClean");
        status = dc_filter_execute(filter);
    }
    if (status == DC_OK) { /* through the shadow buffer, so that the selection's edge blends and undo works */
        GeglBuffer *shadow = gimp_drawable_get_shadow_buffer(drawable);
        gegl_buffer_set(shadow, &area, 0, format, pixels, GEGL_AUTO_ROWSTRIDE);
        gegl_buffer_flush(shadow);
        g_object_unref(shadow);
        gimp_drawable_merge_shadow(drawable, TRUE);
        gimp_drawable_update(drawable, x, y, width, height);
    } else {
        *error = g_strdup_printf("DreamClean: %s", dc_last_error_message());
    }
    dc_filter_release(filter);
    g_free(pixels);
    g_free(mask);
    return status == DC_OK ? GIMP_PDB_SUCCESS : GIMP_PDB_EXECUTION_ERROR;
}

static void run(const gchar *name, gint nparams, const GimpParam *param, gint *nreturn_vals, GimpParam **return_vals) {
    static GimpParam values[2];
    (void)name;
    *nreturn_vals = 1;
    *return_vals = values;
    values[0].type = GIMP_PDB_STATUS;
    values[0].data.d_status = GIMP_PDB_SUCCESS;
    gegl_init(NULL, NULL);

    GimpRunMode mode = (GimpRunMode)param[0].data.d_int32;
    gint32 image = param[1].data.d_image;
    gint32 drawable = param[2].data.d_drawable;
    gimp_get_data(PROCEDURE, &settings);
    settings.task[sizeof settings.task - 1] = settings.preset[sizeof settings.preset - 1] = '\0';
    dc_context context = NULL;
    if (dc_context_new(NULL, &context) != DC_OK || !load_choices(context)) {
        *nreturn_vals = 2;
        values[0].data.d_status = GIMP_PDB_EXECUTION_ERROR;
        values[1].type = GIMP_PDB_STRING;
        values[1].data.d_string = g_strdup_printf("DreamClean: %s", dc_last_error_message());
        dc_context_release(context);
        return;
    }
    if (mode == GIMP_RUN_INTERACTIVE && !ask(context)) {
        values[0].data.d_status = GIMP_PDB_CANCEL;
        dc_context_release(context);
        return;
    }
    if (mode == GIMP_RUN_NONINTERACTIVE) {
        const char *task = nparams >= 4 ? param[3].data.d_string : tasks.names[tasks.preferred];
        const char *preset = nparams >= 5 ? param[4].data.d_string : presets.names[presets.preferred];
        if (index_of(task, &tasks) < 0 || index_of(preset, &presets) < 0) {
            values[0].data.d_status = GIMP_PDB_CALLING_ERROR;
            dc_context_release(context);
            return;
        }
        g_strlcpy(settings.task, task, sizeof settings.task);
        g_strlcpy(settings.preset, preset, sizeof settings.preset);
        settings.seed = nparams >= 6 ? param[5].data.d_int32 : -1;
        settings.mix = nparams >= 7 ? param[6].data.d_float : 1.0;
    }

    gchar *error = NULL;
    gimp_image_undo_group_start(image);
    GimpPDBStatusType status = restore(context, image, drawable, &error);
    gimp_image_undo_group_end(image);
    dc_context_release(context);
    values[0].data.d_status = status;
    if (error) {
        *nreturn_vals = 2;
        values[1].type = GIMP_PDB_STRING;
        values[1].data.d_string = error; /* GIMP copies it; freed with the process */
    }
    if (status == GIMP_PDB_SUCCESS) {
        if (mode != GIMP_RUN_NONINTERACTIVE) gimp_displays_flush();
        if (mode == GIMP_RUN_INTERACTIVE) gimp_set_data(PROCEDURE, &settings, sizeof settings);
    }
}
