package org.flows4j.tensor;

import java.util.Arrays;

/** Reductions, broadcasting and its adjoint, with backward rules. */
final class Reduce {
    private Reduce() {}

    static Tensor sumAll(Tensor x) {
        Tensor out = Tensor.alloc(x.dtype(), new int[0]);
        if (x.f != null) {
            double s = 0;
            for (float v : x.f) {
                s += v;
            }
            out.f[0] = (float) s;
        } else {
            double s = 0;
            for (double v : x.d) {
                s += v;
            }
            out.d[0] = s;
        }
        int[] shape = x.shape;
        return Autograd.record(out, "sum", g -> new Tensor[] {broadcastTo(g, shape)}, x);
    }

    /** Sum along one axis: the input viewed as [outer, n, inner]. */
    static Tensor sum(Tensor x, int axis, boolean keepDim) {
        int a = Shapes.normAxis(axis, x.shape.length);
        int[] keepShape = x.shape.clone();
        keepShape[a] = 1;
        int outer = 1;
        for (int i = 0; i < a; i++) {
            outer *= x.shape[i];
        }
        int n = x.shape[a];
        int inner = 1;
        for (int i = a + 1; i < x.shape.length; i++) {
            inner *= x.shape[i];
        }
        Tensor out = Tensor.alloc(x.dtype(), keepDim ? keepShape : dropAxis(x.shape, a));
        if (x.f != null) {
            float[] src = x.f;
            float[] dst = out.f;
            if (inner == 1) {
                for (int o = 0; o < outer; o++) {
                    double s = 0;
                    int base = o * n;
                    for (int k = 0; k < n; k++) {
                        s += src[base + k];
                    }
                    dst[o] = (float) s;
                }
            } else {
                double[] acc = new double[inner];
                for (int o = 0; o < outer; o++) {
                    Arrays.fill(acc, 0.0);
                    for (int k = 0; k < n; k++) {
                        int base = (o * n + k) * inner;
                        for (int i = 0; i < inner; i++) {
                            acc[i] += src[base + i];
                        }
                    }
                    for (int i = 0; i < inner; i++) {
                        dst[o * inner + i] = (float) acc[i];
                    }
                }
            }
        } else {
            double[] src = x.d;
            double[] dst = out.d;
            for (int o = 0; o < outer; o++) {
                for (int k = 0; k < n; k++) {
                    int base = (o * n + k) * inner;
                    for (int i = 0; i < inner; i++) {
                        dst[o * inner + i] += src[base + i];
                    }
                }
            }
        }
        int[] inShape = x.shape;
        return Autograd.record(out, "sum_axis",
                g -> new Tensor[] {broadcastTo(g.reshape(keepShape), inShape)}, x);
    }

    /** Maximum along one axis; the gradient flows to the first maximal element. */
    static Tensor max(Tensor x, int axis, boolean keepDim) {
        int a = Shapes.normAxis(axis, x.shape.length);
        int[] keepShape = x.shape.clone();
        keepShape[a] = 1;
        int outer = 1;
        for (int i = 0; i < a; i++) {
            outer *= x.shape[i];
        }
        int n = x.shape[a];
        if (n == 0) {
            throw new IllegalArgumentException("max along an empty axis");
        }
        int inner = 1;
        for (int i = a + 1; i < x.shape.length; i++) {
            inner *= x.shape[i];
        }
        Tensor out = Tensor.alloc(x.dtype(), keepDim ? keepShape : dropAxis(x.shape, a));
        Tensor onehot = Tensor.alloc(x.dtype(), x.shape);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = o * n * inner + i;
                double bv = x.getFlat(best);
                for (int k = 1; k < n; k++) {
                    int idx = (o * n + k) * inner + i;
                    double v = x.getFlat(idx);
                    if (v > bv || (Double.isNaN(v) && !Double.isNaN(bv))) {
                        bv = v;
                        best = idx;
                    }
                }
                if (out.f != null) {
                    out.f[o * inner + i] = (float) bv;
                    onehot.f[best] = 1f;
                } else {
                    out.d[o * inner + i] = bv;
                    onehot.d[best] = 1.0;
                }
            }
        }
        int[] inShape = x.shape;
        return Autograd.record(out, "max_axis",
                g -> new Tensor[] {broadcastTo(g.reshape(keepShape), inShape).mul(onehot)}, x);
    }

    private static int[] dropAxis(int[] shape, int a) {
        int[] r = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != a) {
                r[j++] = shape[i];
            }
        }
        return r;
    }

    /** Broadcasts {@code x} to {@code target} (materialised); backward sums back. */
    static Tensor broadcastTo(Tensor x, int[] target) {
        if (Arrays.equals(x.shape, target)) {
            return x;
        }
        int[] check = Shapes.broadcast(x.shape, target);
        if (!Arrays.equals(check, target)) {
            throw new IllegalArgumentException("cannot broadcast " + Shapes.str(x.shape) + " to " + Shapes.str(target));
        }
        Tensor out = Tensor.alloc(x.dtype(), target);
        int n = out.numel();
        if (x.numel() == 1) {
            if (out.f != null) {
                Arrays.fill(out.f, x.f[0]);
            } else {
                Arrays.fill(out.d, x.d[0]);
            }
        } else {
            int[] off = Elementwise.offsets(x.shape, target);
            if (out.f != null) {
                for (int i = 0; i < n; i++) {
                    out.f[i] = x.f[off[i]];
                }
            } else {
                for (int i = 0; i < n; i++) {
                    out.d[i] = x.d[off[i]];
                }
            }
        }
        int[] inShape = x.shape;
        return Autograd.record(out, "broadcast", g -> new Tensor[] {sumTo(g, inShape)}, x);
    }

    /** Sums {@code x} down to {@code target}, the shape it was broadcast from; backward broadcasts. */
    static Tensor sumTo(Tensor x, int[] target) {
        if (Arrays.equals(x.shape, target)) {
            return x;
        }
        int[] check = Shapes.broadcast(target, x.shape);
        if (!Arrays.equals(check, x.shape)) {
            throw new IllegalArgumentException("cannot sum " + Shapes.str(x.shape) + " down to " + Shapes.str(target));
        }
        Tensor out = Tensor.alloc(x.dtype(), target.clone());
        int n = x.numel();
        int m = out.numel();
        if (m == 1) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += x.getFlat(i);
            }
            if (out.f != null) {
                out.f[0] = (float) s;
            } else {
                out.d[0] = s;
            }
        } else {
            double[] acc = new double[m];
            boolean suffix = target.length <= x.shape.length && Arrays.equals(target,
                    Arrays.copyOfRange(x.shape, x.shape.length - target.length, x.shape.length));
            if (suffix) {
                if (x.f != null) {
                    for (int i = 0; i < n; i++) {
                        acc[i % m] += x.f[i];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        acc[i % m] += x.d[i];
                    }
                }
            } else {
                int[] off = Elementwise.offsets(target, x.shape);
                for (int i = 0; i < n; i++) {
                    acc[off[i]] += x.getFlat(i);
                }
            }
            for (int i = 0; i < m; i++) {
                if (out.f != null) {
                    out.f[i] = (float) acc[i];
                } else {
                    out.d[i] = acc[i];
                }
            }
        }
        int[] inShape = x.shape;
        return Autograd.record(out, "sum_to", g -> new Tensor[] {broadcastTo(g, inShape)}, x);
    }
}
