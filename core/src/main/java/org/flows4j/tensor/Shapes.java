package org.flows4j.tensor;

import java.util.Arrays;

/** Helpers on shapes ({@code int[]}, row-major, outermost axis first). */
final class Shapes {
    private Shapes() {}

    static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= s;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tensor too large: shape " + Arrays.toString(shape));
            }
        }
        return (int) n;
    }

    /** Row-major strides of a contiguous tensor of this shape. */
    static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return st;
    }

    /** NumPy broadcasting of two shapes. */
    static int[] broadcast(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast together");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides with which to read a tensor of shape {@code in} as if broadcast to {@code out}:
     * broadcast axes get stride 0.
     */
    static int[] broadcastStrides(int[] in, int[] out) {
        int[] st = strides(in);
        int[] res = new int[out.length];
        int off = out.length - in.length;
        for (int i = 0; i < out.length; i++) {
            if (i < off || in[i - off] == 1) {
                res[i] = 0;
            } else {
                res[i] = st[i - off];
            }
        }
        return res;
    }

    static int normAxis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        }
        return a;
    }

    static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
