package org.flows4j.fused;

/**
 * Orders rows by one of their columns, the order {@link FusedNet#forward} needs: by value as the
 * floats order (-0 before +0, NaN by its bits at either end), ties by row index. A stable radix sort of
 * the values' order-preserving 32-bit keys, a byte at a time (passes in which all rows share the
 * byte skipped): linear in the rows, where a comparison sort of a batch of 250 was the largest part
 * of ordering it. Holds its buffers; not thread-safe.
 */
public final class RowOrder {
    private int[] keys = new int[0];
    private int[] keysOut = new int[0];
    private int[] rowsOut = new int[0];
    private final int[] counts = new int[4 * 256];

    /**
     * perm[0..n) = the rows [0, n) ordered by column {@code col}.
     */
    public void argsort(float[][] rows, int col, int n, int[] perm) {
        if (keys.length < n) {
            keys = new int[n];
            keysOut = new int[n];
            rowsOut = new int[n];
        }
        int[] k = keys;
        int[] c = counts;
        java.util.Arrays.fill(c, 0);
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(rows[i][col]);
            // signed order of the floats, then flipped to unsigned order
            int key = (bits ^ ((bits >> 31) & 0x7fffffff)) ^ 0x80000000;
            k[i] = key;
            perm[i] = i;
            c[key & 0xff]++;
            c[256 + ((key >>> 8) & 0xff)]++;
            c[512 + ((key >>> 16) & 0xff)]++;
            c[768 + (key >>> 24)]++;
        }
        int[] kIn = k;
        int[] rIn = perm;
        int[] kOut = keysOut;
        int[] rOut = rowsOut;
        for (int pass = 0; pass < 4; pass++) {
            int base = pass * 256;
            int shift = pass * 8;
            if (n == 0 || c[base + ((kIn[0] >>> shift) & 0xff)] == n) {
                continue; // every row has this byte: the order stays
            }
            int sum = 0;
            for (int d = 0; d < 256; d++) {
                int cnt = c[base + d];
                c[base + d] = sum;
                sum += cnt;
            }
            for (int i = 0; i < n; i++) {
                int key = kIn[i];
                int at = c[base + ((key >>> shift) & 0xff)]++;
                kOut[at] = key;
                rOut[at] = rIn[i];
            }
            int[] t = kIn;
            kIn = kOut;
            kOut = t;
            t = rIn;
            rIn = rOut;
            rOut = t;
        }
        if (rIn != perm) {
            System.arraycopy(rIn, 0, perm, 0, n);
        }
    }
}
