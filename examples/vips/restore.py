# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The DreamClean authors
"""pyvips pipelines with the dreamclean operation: python3 restore.py IN OUT_FOLDER"""
import os
import sys

import pyvips


def restore(path, folder):
    os.makedirs(folder, exist_ok=True)
    image = pyvips.Image.new_from_file(path)

    # Upscale twice with super-resolution and save a thumbnail-sized JPEG of it.
    larger = image.dreamclean(task="sr", scale=2, preset="fast", seed=1)
    larger.write_to_file(os.path.join(folder, "sr.jpg"), Q=90)

    # Fill a hole: the mask is non-zero where pixels are missing.
    hole = pyvips.Image.black(image.width, image.height).draw_rect(255, image.width // 4, image.height // 4,
                                                                   image.width // 4, image.height // 4, fill=True)
    filled = image.dreamclean(task="inpaint", mask=hole, preset="fast", seed=1)
    filled.write_to_file(os.path.join(folder, "inpainted.png"))

    # Known noise level, 16-bit in and out.
    deep = image.colourspace("rgb16" if image.bands >= 3 else "grey16")
    deep.dreamclean(task="denoise", noise_sigma=25, preset="fast", seed=1).write_to_file(os.path.join(folder, "denoised16.png"))
    return larger, filled


if __name__ == "__main__":
    restore(sys.argv[1], sys.argv[2])
