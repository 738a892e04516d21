/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * dreamclean:restore from a C host (what GIMP does through GEGL's API): progress comes through the node's "progress"
 * signal and rises to 1; a property changed while the operation runs (a host redrawing a preview whose slider moved,
 * from the progress handler as GIMP's main loop would) cancels it, the output is the input unchanged and "error"
 * says why; the aux pad's mask makes inpainting change the masked pixels only.
 *   test_gegl_host IMAGE.png          (GEGL_PATH must reach the module and GEGL's own operations)
 */
#include <gegl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(condition, ...)                                                                                          \
    do {                                                                                                               \
        if (!(condition)) {                                                                                            \
            failures++;                                                                                                \
            fprintf(stderr, "gegl host: " __VA_ARGS__);                                                                \
            fputc('\n', stderr);                                                                                       \
        }                                                                                                              \
    } while (0)

typedef struct {
    GeglNode *restore;
    int calls;
    double last;
    gboolean rising;
    gboolean change_seed; /* at the first call, as a host whose user moved a slider */
} Progress;

static void on_progress(GeglNode *node, gdouble fraction, gpointer user) {
    (void)node;
    Progress *p = user;
    if (fraction < p->last) p->rising = FALSE;
    p->last = fraction;
    if (p->calls++ == 0 && p->change_seed) gegl_node_set(p->restore, "seed", 7, NULL);
}

/* The value of enum property `name` called `nick` (the library's choice names are the enum's nicks). */
static gint choice(GeglNode *node, const char *name, const char *nick) {
    GParamSpec *spec = gegl_node_find_property(node, name);
    GEnumValue *value = spec && G_IS_PARAM_SPEC_ENUM(spec)
                            ? g_enum_get_value_by_nick(G_PARAM_SPEC_ENUM(spec)->enum_class, nick) : NULL;
    if (!value) { fprintf(stderr, "gegl host: no %s %s\n", name, nick); exit(1); }
    return value->value;
}

/* The restored image as R'G'B' u8, width x height; g_free it. */
static guchar *render(GeglNode *node, GeglRectangle *extent) {
    *extent = gegl_node_get_bounding_box(node);
    guchar *pixels = g_malloc((gsize)extent->width * (gsize)extent->height * 3);
    gegl_node_blit(node, 1.0, extent, babl_format("R'G'B' u8"), pixels, GEGL_AUTO_ROWSTRIDE, GEGL_BLIT_DEFAULT);
    return pixels;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: test_gegl_host IMAGE.png\n"); return 2; }
    gegl_init(&argc, &argv);
    GeglNode *graph = gegl_node_new();
    GeglNode *load = gegl_node_new_child(graph, "operation", "gegl:load", "path", argv[1], NULL);
    GeglRectangle extent;
    guchar *original = render(load, &extent);
    size_t bytes = (size_t)extent.width * (size_t)extent.height * 3;

    /* Progress, and a full run. */
    GeglNode *restore = gegl_node_new_child(graph, "operation", "dreamclean:restore", NULL);
    gegl_node_set(restore, "task", choice(restore, "task", "denoise"), "preset", choice(restore, "preset", "fast"),
                  "seed", 1, "noise-sigma", 25.0, NULL);
    gegl_node_link(load, restore);
    Progress progress = {restore, 0, 0, TRUE, FALSE};
    g_signal_connect(restore, "progress", G_CALLBACK(on_progress), &progress);
    GeglRectangle out;
    guchar *restored = render(restore, &out);
    CHECK(progress.calls > 1 && progress.rising && progress.last == 1.0, "progress: %d calls, rising %d, last %g",
          progress.calls, progress.rising, progress.last);
    CHECK(memcmp(restored, original, bytes) != 0, "denoising changed nothing");
    int progress_signals = progress.calls;
    gchar *error = NULL;
    gegl_node_get(restore, "error", &error, NULL);
    CHECK(error == NULL, "a run that worked has error %s", error);
    g_free(restored);

    /* A property changed during the run cancels it: the input comes out, and error says so. */
    progress = (Progress){restore, 0, 0, TRUE, TRUE};
    gegl_node_set(restore, "seed", 2, NULL);
    restored = render(restore, &out);
    gegl_node_get(restore, "error", &error, NULL);
    CHECK(error && strstr(error, "cancelled"), "a property changed while running did not cancel: %s", error);
    CHECK(memcmp(restored, original, bytes) == 0, "a cancelled run changed the image");
    g_free(error);
    g_free(restored);

    /* The aux pad's mask: a 12x10 hole at (16, 12) is filled; the rest stays as it was. */
    GeglColor *white = gegl_color_new("white");
    GeglNode *hole = gegl_node_new_child(graph, "operation", "gegl:color", "value", white, NULL);
    GeglNode *crop = gegl_node_new_child(graph, "operation", "gegl:crop", "x", 16.0, "y", 12.0, "width", 12.0,
                                         "height", 10.0, NULL);
    gegl_node_link(hole, crop);
    GeglNode *inpaint = gegl_node_new_child(graph, "operation", "dreamclean:restore", NULL);
    gegl_node_set(inpaint, "task", choice(inpaint, "task", "inpaint"), "preset", choice(inpaint, "preset", "fast"),
                  "seed", 1, NULL);
    gegl_node_link(load, inpaint);
    gegl_node_connect_to(crop, "output", inpaint, "aux");
    restored = render(inpaint, &out);
    int changed_inside = 0, changed_outside = 0;
    for (int y = 0; y < extent.height; y++) {
        for (int x = 0; x < extent.width; x++) {
            size_t at = ((size_t)y * (size_t)extent.width + (size_t)x) * 3;
            gboolean inside = x >= 16 && x < 28 && y >= 12 && y < 22;
            if (memcmp(restored + at, original + at, 3) != 0) *(inside ? &changed_inside : &changed_outside) += 1;
        }
    }
    CHECK(changed_inside > 60 && changed_outside == 0, "inpainting changed %d pixels in the hole, %d outside",
          changed_inside, changed_outside);
    g_free(restored);
    g_object_unref(white);

    g_free(original);
    g_object_unref(graph);
    gegl_exit();
    if (failures) return 1;
    printf("gegl host: progress rose to 1 over %d signals; a property changed mid-run cancelled it and left the input; "
           "the aux mask's hole was filled, %d pixels changed inside and none outside\n", progress_signals, changed_inside);
    return 0;
}
