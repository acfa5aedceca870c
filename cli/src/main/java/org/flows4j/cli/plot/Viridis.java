package org.flows4j.cli.plot;

/**
 * The perceptually uniform <em>viridis</em> colour map (van der Walt &amp; Smith, matplotlib's
 * default), as 33 anchor colours sampled evenly from the 256-entry reference table and joined by
 * linear interpolation in RGB. The interpolated map is within 2/255 per channel of the reference.
 *
 * <p>Dark purple ({@code #440154}) at 0, through blue and green, to yellow ({@code #FDE725}) at 1;
 * luminance rises monotonically along the map.
 */
public final class Viridis {
    private Viridis() {}

    /** Anchor colours at t = k / 32 for k = 0..32, as 0xRRGGBB. */
    private static final int[] ANCHORS = {
        0x440154, 0x470d60, 0x48186a, 0x482374, 0x472d7b, 0x453681, 0x424086, 0x3f4989,
        0x3b528b, 0x375a8d, 0x33638d, 0x2f6a8e, 0x2c728e, 0x297a8e, 0x26818e, 0x23898e,
        0x21908c, 0x1f988b, 0x1f9f88, 0x21a685, 0x28ae80, 0x31b57b, 0x3ebc74, 0x4cc26c,
        0x5dc963, 0x6ece58, 0x82d34c, 0x96d83f, 0xabdc32, 0xc0df24, 0xd5e21a, 0xeae51a,
        0xfde725,
    };

    private static final int SEGMENTS = ANCHORS.length - 1;

    /**
     * The colour for {@code t} as 0xRRGGBB (no alpha bits). {@code t} is clamped to [0, 1]; NaN maps
     * to the colour for 0.
     */
    public static int rgb(double t) {
        if (!(t > 0)) { // also catches NaN
            return ANCHORS[0];
        }
        if (t >= 1) {
            return ANCHORS[SEGMENTS];
        }
        double pos = t * SEGMENTS;
        int i = (int) pos;
        double f = pos - i;
        int a = ANCHORS[i];
        int b = ANCHORS[i + 1];
        int r = lerp((a >> 16) & 0xff, (b >> 16) & 0xff, f);
        int g = lerp((a >> 8) & 0xff, (b >> 8) & 0xff, f);
        int bl = lerp(a & 0xff, b & 0xff, f);
        return (r << 16) | (g << 8) | bl;
    }

    /** Like {@link #rgb(double)} but with an opaque alpha channel, i.e. 0xFFRRGGBB. */
    public static int argb(double t) {
        return 0xff000000 | rgb(t);
    }

    private static int lerp(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
