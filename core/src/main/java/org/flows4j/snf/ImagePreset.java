package org.flows4j.snf;

import java.util.Locale;
import org.flows4j.energy.ImageDensity;

/**
 * The three pictures of the paper's Fig. 3 with the reference's settings (SNF.md, Benchmark 2):
 * the dog (labrador.jpg, rows 10..710 and columns 240..940, sigma 3, mean (350, 350), 100 pixels
 * per unit, box +-3.5), the smiley (smiley.jpg centred in a 1000 x 1000 white canvas, sigma 3,
 * mean (500, 500), 200 per unit, box +-2.5) and the text (vision_test.jpg, sigma 2, mean
 * (350, 300), 100 per unit). All with white cutoff 225 and background weight 0.01.
 */
public enum ImagePreset {
    LABRADOR("labrador", "labrador.jpg", new ImageDensity.Preparation(new int[] {10, 710, 240, 940}, null, 225, 3, 0.01),
            350, 350, 100, "dog"),
    SMILEY("smiley", "smiley.jpg", new ImageDensity.Preparation(null, new int[] {1000, 1000}, 225, 3, 0.01), 500, 500, 200),
    TEXT("text", "vision_test.jpg", new ImageDensity.Preparation(null, null, 225, 2, 0.01), 350, 300, 100, "vision_test",
            "vision");

    private final String label;
    private final String fileName;
    private final ImageDensity.Preparation preparation;
    private final double meanX;
    private final double meanY;
    private final double scale;
    private final String[] aliases;

    ImagePreset(String label, String fileName, ImageDensity.Preparation preparation, double meanX, double meanY,
            double scale, String... aliases) {
        this.label = label;
        this.fileName = fileName;
        this.preparation = preparation;
        this.meanX = meanX;
        this.meanY = meanY;
        this.scale = scale;
        this.aliases = aliases;
    }

    public String label() {
        return label;
    }

    /** The picture's file name in the paper's repository (and ../shared/images). */
    public String fileName() {
        return fileName;
    }

    public ImageDensity.Preparation preparation() {
        return preparation;
    }

    public double meanX() {
        return meanX;
    }

    public double meanY() {
        return meanY;
    }

    /** Pixels per unit, on both axes. */
    public double scale() {
        return scale;
    }

    /** The preset called {@code name} (label, alias or file name, case-insensitive), or null. */
    public static ImagePreset find(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (ImagePreset p : values()) {
            if (p.label.equals(n) || p.fileName.equals(n)) {
                return p;
            }
            for (String a : p.aliases) {
                if (a.equals(n)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** The labels and aliases, for messages. */
    public static String names() {
        StringBuilder b = new StringBuilder();
        for (ImagePreset p : values()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(p.label);
            for (String a : p.aliases) {
                b.append('/').append(a);
            }
        }
        return b.toString();
    }
}
