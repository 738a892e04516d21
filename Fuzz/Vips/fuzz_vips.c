/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 The DreamClean authors
 *
 * libFuzzer harness for the vips operation's arguments (Hosts/vips, compiled in): the first bytes choose an
 * input image (size, bands 1-5, any libvips band format) and maybe a mask, the rest is an option string of the
 * operation's arguments as `vips` and pyvips pass them ("task=sr scale=3 ..."). Steps, VPS iterations and the SR
 * scale are capped afterwards so that one input takes milliseconds; the model is the tiny test model. Built by
 * `make fuzz-vips` against the AddressSanitizer build of the library. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

GType dreamclean_vips_init(void);

static const char *model;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    if (VIPS_INIT((*argv)[0])) abort();
    vips_cache_set_max(0);
    dreamclean_vips_init();
    model = getenv("DREAMCLEAN_FUZZ_MODEL") ? getenv("DREAMCLEAN_FUZZ_MODEL") : "Tests/Fixtures/adm-tiny";
    return 0;
}

static const VipsBandFormat formats[] = {VIPS_FORMAT_UCHAR, VIPS_FORMAT_CHAR,  VIPS_FORMAT_USHORT, VIPS_FORMAT_SHORT,
                                         VIPS_FORMAT_UINT,  VIPS_FORMAT_INT,   VIPS_FORMAT_FLOAT,  VIPS_FORMAT_DOUBLE,
                                         VIPS_FORMAT_COMPLEX};

static void cap(VipsOperation *op, const char *name, int most) {
    int value = 0;
    g_object_get(op, name, &value, NULL);
    if (value > most) g_object_set(op, name, most, NULL);
}

/* "name=value name=value ...", each set as the vips command sets one argument from its command line (pyvips sets
 * typed values; libvips' own bracketed-string parser asserts on some malformed strings, a libvips matter). */
static int set_arguments(VipsOperation *op, const char *options) {
    gchar **pairs = g_strsplit(options, " ", 16);
    int ok = 1;
    for (int i = 0; ok && pairs[i]; i++) {
        char *equals = strchr(pairs[i], '=');
        if (!equals) continue;
        *equals = '\0';
        ok = vips_object_set_argument_from_string(VIPS_OBJECT(op), pairs[i], equals + 1) == 0;
    }
    g_strfreev(pairs);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 5) return 0;
    int width = data[0] % 24 + 1, height = data[1] % 24 + 1, bands = data[2] % 5 + 1;
    VipsBandFormat format = formats[data[3] % (sizeof formats / sizeof formats[0])];
    int with_mask = data[4] & 1;
    char *options = g_strndup((const char *)data + 5, size - 5);

    VipsImage *black = NULL, *in = NULL, *noise = NULL, *mask = NULL;
    if (vips_gaussnoise(&noise, width, height, "mean", 128.0, "sigma", 40.0, NULL) ||
        vips_bandjoin_const1(noise, &black, 0, NULL)) goto done; /* two bands of noise and zeros */
    VipsImage *joined = NULL;
    VipsImage *parts[5] = {noise, noise, noise, noise, noise};
    if (vips_bandjoin(parts, &joined, bands, NULL)) goto done;
    if (vips_cast(joined, &in, format, NULL)) { g_object_unref(joined); goto done; }
    g_object_unref(joined);
    if (with_mask && vips_moreeq_const1(noise, &mask, 160.0, NULL)) goto done;

    VipsOperation *op = vips_operation_new("dreamclean");
    if (!op) goto done;
    g_object_set(op, "in", in, NULL);
    if (mask) g_object_set(op, "mask", mask, NULL);
    if (set_arguments(op, options)) {
        g_object_set(op, "model", model, NULL);
        cap(op, "steps", 2);
        cap(op, "vps_iters", 1);
        cap(op, "scale", 4);
        VipsOperation *built = vips_cache_operation_build(op);
        if (built) {
            VipsImage *out = NULL;
            g_object_get(built, "out", &out, NULL);
            if (out) {
                size_t bytes = 0;
                void *memory = vips_image_write_to_memory(out, &bytes);
                g_free(memory);
                g_object_unref(out);
            }
            vips_object_unref_outputs(VIPS_OBJECT(built));
            g_object_unref(built);
        } else {
            vips_object_unref_outputs(VIPS_OBJECT(op));
        }
    }
    g_object_unref(op);
done:
    vips_error_clear();
    if (noise) g_object_unref(noise);
    if (black) g_object_unref(black);
    if (in) g_object_unref(in);
    if (mask) g_object_unref(mask);
    g_free(options);
    return 0;
}
