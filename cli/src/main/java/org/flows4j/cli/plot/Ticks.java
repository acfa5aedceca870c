package org.flows4j.cli.plot;

import java.util.Locale;

/** "Nice" axis tick positions (1, 2, 5 times a power of ten) and their labels. */
final class Ticks {
    private Ticks() {}

    /** The tick step and the ticks that fall inside [lo, hi]. */
    record Scale(double step, double[] values) {
        String label(double v) {
            return format(v, step);
        }
    }

    /** Roughly {@code target} nicely spaced ticks covering [lo, hi] (both finite, lo &lt; hi). */
    static Scale nice(double lo, double hi, int target) {
        if (!(hi > lo) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            return new Scale(1, Double.isFinite(lo) ? new double[] {lo} : new double[0]);
        }
        double step = niceStep((hi - lo) / Math.max(1, target));
        double eps = step * 1e-9;
        long first = (long) Math.ceil((lo - eps) / step);
        long last = (long) Math.floor((hi + eps) / step);
        int n = (int) Math.max(0, Math.min(1000, last - first + 1));
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            double v = (first + i) * step;
            values[i] = Math.abs(v) < eps ? 0.0 : v;
        }
        return new Scale(step, values);
    }

    static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double norm = raw / mag;
        double nice;
        if (norm < 1.5) {
            nice = 1;
        } else if (norm < 3) {
            nice = 2;
        } else if (norm < 7) {
            nice = 5;
        } else {
            nice = 10;
        }
        return nice * mag;
    }

    /** Formats a tick value with as many decimals as the step needs. */
    static String format(double v, double step) {
        if (v == 0) {
            return "0";
        }
        double abs = Math.abs(v);
        if (step < 1e-4 || abs >= 1e6) {
            String s = String.format(Locale.ROOT, "%.2e", v);
            // 1.50e-04 -> 1.5e-4
            int e = s.indexOf('e');
            String mant = s.substring(0, e);
            String exp = s.substring(e + 1);
            if (mant.contains(".")) {
                mant = mant.replaceAll("0+$", "").replaceAll("\\.$", "");
            }
            int expVal = Integer.parseInt(exp);
            return mant + "e" + expVal;
        }
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
