package org.flows4j.kernels;

/** Plain Java loops of {@link NetKernel}: runs everywhere. */
final class PlainNetKernel implements NetKernel {
    @Override
    public String name() {
        return "plain";
    }

    @Override
    public void addScaled(float s, float[] x, double[] acc, int m) {
        double sd = s;
        for (int o = 0; o < m; o++) {
            acc[o] += sd * x[o];
        }
    }

    @Override
    public int switches(float[] before, float[] after, int m, int[] out) {
        int c = 0;
        for (int o = 0; o < m; o++) {
            out[c] = o;
            c += (before[o] > 0) != (after[o] > 0) ? 1 : 0;
        }
        return c;
    }

    @Override
    public void scaledRowsAndSums(float[] g, float[] v, float[][] mask, float[][] dst, int r0, int r1, int m, float[] sx) {
        java.util.Arrays.fill(sx, 0, m, 0f);
        for (int r = r0; r < r1; r++) {
            float gr = g[r];
            float[] mr = mask[r];
            float[] dr = dst[r];
            for (int o = 0; o < m; o++) {
                dr[o] = mr[o] > 0 ? gr * v[o] : 0f;
                sx[o] += mr[o] * gr;
            }
        }
    }

    @Override
    public void toFloats(double[] src, float[] dst, int m) {
        for (int o = 0; o < m; o++) {
            dst[o] = (float) src[o];
        }
    }

    @Override
    public void affineRelu(float[] x, float[] a, float[] b, float[][] h, int r0, int r1, int m) {
        for (int r = r0; r < r1; r++) {
            float xr = x[r];
            float[] hr = h[r];
            for (int o = 0; o < m; o++) {
                // max, not a conditional: the JIT vectorises it (the same value but for NaN, which it keeps)
                hr[o] = Math.max(a[o] * xr + b[o], 0f);
            }
        }
    }

    @Override
    public void columnSums(float[][] g, float[] x, int r0, int r1, float[] sx, float[] s1, int m) {
        java.util.Arrays.fill(sx, 0, m, 0f);
        java.util.Arrays.fill(s1, 0, m, 0f);
        for (int r = r0; r < r1; r++) {
            float[] gr = g[r];
            float xr = x[r];
            for (int o = 0; o < m; o++) {
                sx[o] += gr[o] * xr;
                s1[o] += gr[o];
            }
        }
    }

    @Override
    public void columnSum(float[][] g, int n, float[] out, int m) {
        java.util.Arrays.fill(out, 0, m, 0f);
        for (int r = 0; r < n; r++) {
            float[] gr = g[r];
            for (int o = 0; o < m; o++) {
                out[o] += gr[o];
            }
        }
    }

    @Override
    public void unitGradient(float w, float b, float[] ahi, float[] alo, float[] bhi, float[] blo, float[] col,
            float[] dst, float[] scratch, float[] out, int m) {
        float sw0 = 0;
        float sw1 = 0;
        float sb0 = 0;
        float sb1 = 0;
        int o = 0;
        for (; o + 2 <= m; o += 2) {
            float x0 = ahi[o] - alo[o];
            float y0 = bhi[o] - blo[o];
            float x1 = ahi[o + 1] - alo[o + 1];
            float y1 = bhi[o + 1] - blo[o + 1];
            dst[o] = w * x0 + b * y0;
            dst[o + 1] = w * x1 + b * y1;
            sw0 += col[o] * x0;
            sb0 += col[o] * y0;
            sw1 += col[o + 1] * x1;
            sb1 += col[o + 1] * y1;
        }
        for (; o < m; o++) {
            float x0 = ahi[o] - alo[o];
            float y0 = bhi[o] - blo[o];
            dst[o] = w * x0 + b * y0;
            sw0 += col[o] * x0;
            sb0 += col[o] * y0;
        }
        out[0] = sw0 + sw1;
        out[1] = sb0 + sb1;
    }
}
