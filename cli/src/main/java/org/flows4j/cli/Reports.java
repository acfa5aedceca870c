package org.flows4j.cli;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.flows4j.cli.plot.Plots;
import org.flows4j.flows.Flow;
import org.flows4j.io.AtomicFiles;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Tensor;

/** What the training commands share for their results: conversions, statistics, metrics.json, plots. */
final class Reports {
    private Reports() {}

    static Tensor toTensor(double[][] rows, DType dt) {
        int d = rows[0].length;
        double[] flat = new double[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * d, d);
        }
        return Tensor.of(dt, flat, rows.length, d);
    }

    static double[][] rows(Tensor t) {
        int n = t.size(0);
        int d = t.size(1);
        double[] flat = t.toDoubleArray();
        double[][] out = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    /** NLL of rows under N(0, I), the seed's baseline for standardised data. */
    static double baselineNll(double[][] x) {
        double total = 0;
        for (double[] r : x) {
            double sq = 0;
            for (double v : r) {
                sq += v * v;
            }
            total += 0.5 * sq + 0.5 * r.length * Math.log(2 * Math.PI);
        }
        return total / x.length;
    }

    static double[] mean(double[][] x) {
        double[] m = new double[x[0].length];
        for (double[] r : x) {
            for (int k = 0; k < m.length; k++) {
                m[k] += r[k];
            }
        }
        for (int k = 0; k < m.length; k++) {
            m[k] /= x.length;
        }
        return m;
    }

    static double mean(double[] v) {
        double t = 0;
        for (double x : v) {
            t += x;
        }
        return t / v.length;
    }

    /** Standard deviation with Bessel's correction, as torch.std. */
    static double[] std(double[][] x, double[] mean) {
        double[] s = new double[mean.length];
        for (double[] r : x) {
            for (int k = 0; k < s.length; k++) {
                s[k] += (r[k] - mean[k]) * (r[k] - mean[k]);
            }
        }
        for (int k = 0; k < s.length; k++) {
            s[k] = Math.sqrt(s[k] / (x.length - 1));
        }
        return s;
    }

    /** Writes {@code metrics} as pretty-printed JSON, atomically. */
    static void writeMetrics(Path file, Map<String, Object> metrics) throws IOException {
        AtomicFiles.writeString(file,
                new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(metrics));
    }

    /** Heat map of a 2-D flow's density over the bounding box of {@code data} (plus 20%), with the data on top. */
    static void writeDensity(Path file, Flow flow, double[][] data, DType dt, int threads) throws IOException {
        int n = 200;
        double[] lo = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] hi = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double[] r : data) {
            for (int k = 0; k < 2; k++) {
                lo[k] = Math.min(lo[k], r[k]);
                hi[k] = Math.max(hi[k], r[k]);
            }
        }
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            double pad0 = 0.2 * (hi[0] - lo[0]);
            double pad1 = 0.2 * (hi[1] - lo[1]);
            xs[i] = lo[0] - pad0 + (hi[0] - lo[0] + 2 * pad0) * (i + 0.5) / n;
            ys[i] = lo[1] - pad1 + (hi[1] - lo[1] + 2 * pad1) * (i + 0.5) / n;
        }
        double[] grid = new double[2 * n * n];
        for (int iy = 0; iy < n; iy++) {
            for (int ix = 0; ix < n; ix++) {
                grid[2 * (iy * n + ix)] = xs[ix];
                grid[2 * (iy * n + ix) + 1] = ys[iy];
            }
        }
        double[] logp = Evaluate.logProb(flow, Tensor.of(dt, grid, n * n, 2), threads);
        double[][] density = new double[n][n];
        for (int iy = 0; iy < n; iy++) {
            for (int ix = 0; ix < n; ix++) {
                density[iy][ix] = Math.exp(logp[iy * n + ix]);
            }
        }
        Plots.densityHeatmap(file, xs, ys, density, data, "learned density");
    }
}
