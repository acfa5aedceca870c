package org.flows4j.tensor;

import java.util.Arrays;

/** Elementwise ops with NumPy broadcasting, and their backward rules. */
final class Elementwise {
    private Elementwise() {}

    enum Bin { ADD, SUB, MUL, DIV, MAX, MIN }

    enum Un { NEG, EXP, LOG, TANH, SIGMOID, SOFTPLUS, RELU, SQRT, SQUARE, ABS, SIN, COS }

    enum Cmp { GT, GE, LT, LE }

    // ------------------------------------------------------------------ binary

    static Tensor binary(Tensor a, Tensor b, Bin op) {
        Tensor.sameDType(a, b, op.name().toLowerCase());
        int[] outShape = Arrays.equals(a.shape, b.shape) ? a.shape : Shapes.broadcast(a.shape, b.shape);
        Tensor out = Tensor.alloc(a.dtype(), outShape);
        int n = out.numel();
        if (n > 0) {
            if (a.numel() == n && b.numel() == n) {
                run(op, a, 0, 1, b, 0, 1, out, 0, n);
            } else if (b.numel() == 1 && a.numel() == n) {
                run(op, a, 0, 1, b, 0, 0, out, 0, n);
            } else if (a.numel() == 1 && b.numel() == n) {
                run(op, a, 0, 0, b, 0, 1, out, 0, n);
            } else if (a.numel() == n && isSuffix(b.shape, outShape)) {
                int m = b.numel();
                for (int off = 0; off < n; off += m) {
                    run(op, a, off, 1, b, 0, 1, out, off, m);
                }
            } else if (b.numel() == n && isSuffix(a.shape, outShape)) {
                int m = a.numel();
                for (int off = 0; off < n; off += m) {
                    run(op, a, 0, 1, b, off, 1, out, off, m);
                }
            } else {
                int[] ia = offsets(a.shape, outShape);
                int[] ib = offsets(b.shape, outShape);
                for (int i = 0; i < n; i++) {
                    run(op, a, ia[i], 0, b, ib[i], 0, out, i, 1);
                }
            }
        }
        if (!a.requiresGrad && !b.requiresGrad) {
            return out;
        }
        final Tensor result = out;
        return Autograd.record(out, op.name(), g -> binaryBackward(op, a, b, result, g), a, b);
    }

    private static Tensor[] binaryBackward(Bin op, Tensor a, Tensor b, Tensor out, Tensor g) {
        Tensor ga = null;
        Tensor gb = null;
        switch (op) {
            case ADD:
                ga = g;
                gb = g;
                break;
            case SUB:
                ga = g;
                gb = b.requiresGrad ? g.neg() : null;
                break;
            case MUL:
                ga = a.requiresGrad ? g.mul(b) : null;
                gb = b.requiresGrad ? g.mul(a) : null;
                break;
            case DIV:
                ga = a.requiresGrad ? g.div(b) : null;
                gb = b.requiresGrad ? g.mul(a).div(b.square()).neg() : null;
                break;
            case MAX:
                ga = a.requiresGrad ? g.mul(compare(a, b, Cmp.GE)) : null;
                gb = b.requiresGrad ? g.mul(compare(a, b, Cmp.LT)) : null;
                break;
            case MIN:
                ga = a.requiresGrad ? g.mul(compare(a, b, Cmp.LE)) : null;
                gb = b.requiresGrad ? g.mul(compare(a, b, Cmp.GT)) : null;
                break;
            default:
                throw new AssertionError(op);
        }
        return new Tensor[] {
            a.requiresGrad && ga != null ? Reduce.sumTo(ga, a.shape) : null,
            b.requiresGrad && gb != null ? Reduce.sumTo(gb, b.shape) : null
        };
    }

    private static boolean isSuffix(int[] small, int[] big) {
        if (small.length > big.length) {
            return false;
        }
        int off = big.length - small.length;
        for (int i = 0; i < small.length; i++) {
            if (small[i] != big[off + i]) {
                return false;
            }
        }
        return true;
    }

    /** For each flat index of {@code outShape}, the flat index into a tensor of {@code inShape} broadcast to it. */
    static int[] offsets(int[] inShape, int[] outShape) {
        int n = Shapes.numel(outShape);
        int[] st = Shapes.broadcastStrides(inShape, outShape);
        int r = outShape.length;
        int[] idx = new int[r];
        int[] res = new int[n];
        int off = 0;
        for (int i = 0; i < n; i++) {
            res[i] = off;
            for (int ax = r - 1; ax >= 0; ax--) {
                idx[ax]++;
                off += st[ax];
                if (idx[ax] < outShape[ax]) {
                    break;
                }
                off -= st[ax] * idx[ax];
                idx[ax] = 0;
            }
        }
        return res;
    }

    private static void run(Bin op, Tensor a, int ao, int as, Tensor b, int bo, int bs, Tensor o, int oo, int len) {
        if (o.f != null) {
            runF(op, a.f, ao, as, b.f, bo, bs, o.f, oo, len);
        } else {
            runD(op, a.d, ao, as, b.d, bo, bs, o.d, oo, len);
        }
    }

    private static void runF(Bin op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int len) {
        if (as == 1 && bs == 1) {
            switch (op) {
                case ADD: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] + b[bo + i]; return;
                case SUB: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] - b[bo + i]; return;
                case MUL: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] * b[bo + i]; return;
                case DIV: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] / b[bo + i]; return;
                default: break;
            }
        } else if (as == 1 && bs == 0) {
            float c = b[bo];
            switch (op) {
                case ADD: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] + c; return;
                case SUB: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] - c; return;
                case MUL: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] * c; return;
                case DIV: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] / c; return;
                default: break;
            }
        }
        for (int i = 0; i < len; i++) {
            o[oo + i] = (float) apply(op, a[ao + i * as], b[bo + i * bs]);
        }
    }

    private static void runD(Bin op, double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int len) {
        if (as == 1 && bs == 1) {
            switch (op) {
                case ADD: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] + b[bo + i]; return;
                case SUB: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] - b[bo + i]; return;
                case MUL: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] * b[bo + i]; return;
                case DIV: for (int i = 0; i < len; i++) o[oo + i] = a[ao + i] / b[bo + i]; return;
                default: break;
            }
        }
        for (int i = 0; i < len; i++) {
            o[oo + i] = apply(op, a[ao + i * as], b[bo + i * bs]);
        }
    }

    private static double apply(Bin op, double x, double y) {
        switch (op) {
            case ADD: return x + y;
            case SUB: return x - y;
            case MUL: return x * y;
            case DIV: return x / y;
            case MAX: return x >= y || Double.isNaN(x) ? x : y;
            case MIN: return x <= y || Double.isNaN(x) ? x : y;
            default: throw new AssertionError(op);
        }
    }

    // ------------------------------------------------------------------ comparisons and where

    static Tensor compare(Tensor a, Tensor b, Cmp cmp) {
        Tensor.sameDType(a, b, cmp.name().toLowerCase());
        int[] outShape = Arrays.equals(a.shape, b.shape) ? a.shape : Shapes.broadcast(a.shape, b.shape);
        int n = Shapes.numel(outShape);
        int[] ia = a.numel() == n ? null : offsets(a.shape, outShape);
        int[] ib = b.numel() == n ? null : offsets(b.shape, outShape);
        Tensor out = Tensor.alloc(a.dtype(), outShape);
        for (int i = 0; i < n; i++) {
            double x = a.getFlat(ia == null ? i : ia[i]);
            double y = b.getFlat(ib == null ? i : ib[i]);
            boolean r;
            switch (cmp) {
                case GT: r = x > y; break;
                case GE: r = x >= y; break;
                case LT: r = x < y; break;
                case LE: r = x <= y; break;
                default: throw new AssertionError(cmp);
            }
            if (out.f != null) {
                out.f[i] = r ? 1f : 0f;
            } else {
                out.d[i] = r ? 1.0 : 0.0;
            }
        }
        return out;
    }

    static Tensor where(Tensor cond, Tensor a, Tensor b) {
        Tensor.sameDType(a, b, "where");
        int[] outShape = Shapes.broadcast(Shapes.broadcast(cond.shape, a.shape), b.shape);
        int n = Shapes.numel(outShape);
        int[] ic = offsets(cond.shape, outShape);
        int[] ia = offsets(a.shape, outShape);
        int[] ib = offsets(b.shape, outShape);
        Tensor out = Tensor.alloc(a.dtype(), outShape);
        for (int i = 0; i < n; i++) {
            boolean c = cond.getFlat(ic[i]) != 0.0;
            if (out.f != null) {
                out.f[i] = c ? a.f[ia[i]] : b.f[ib[i]];
            } else {
                out.d[i] = c ? a.d[ia[i]] : b.d[ib[i]];
            }
        }
        if (!a.requiresGrad && !b.requiresGrad) {
            return out;
        }
        Tensor c = cond.detach();
        return Autograd.record(out, "where", g -> {
            Tensor zero = Tensor.zeros(g.dtype());
            return new Tensor[] {null,
                a.requiresGrad ? Reduce.sumTo(where(c, g, zero), a.shape) : null,
                b.requiresGrad ? Reduce.sumTo(where(c, zero, g), b.shape) : null};
        }, null, a, b);
    }

    // ------------------------------------------------------------------ unary

    static Tensor unary(Tensor x, Un op) {
        Tensor out = Tensor.alloc(x.dtype(), x.shape);
        if (x.f != null) {
            unaryF(op, x.f, out.f);
        } else {
            unaryD(op, x.d, out.d);
        }
        if (!x.requiresGrad) {
            return out;
        }
        final Tensor y = out;
        return Autograd.record(out, op.name(), g -> new Tensor[] {unaryBackward(op, x, y, g)}, x);
    }

    private static Tensor unaryBackward(Un op, Tensor x, Tensor yValue, Tensor g) {
        // The stored output has no graph; when the gradient itself must be differentiable
        // (create-graph mode) rules that reuse the output recompute it as a recorded op.
        Tensor y = Autograd.isGradEnabled() && x.requiresGrad ? unary(x, op) : yValue;
        switch (op) {
            case NEG: return g.neg();
            case EXP: return g.mul(y);
            case LOG: return g.div(x);
            case TANH: return g.mul(y.square().rsub(1.0));
            case SIGMOID: return g.mul(y.mul(y.rsub(1.0)));
            case SOFTPLUS: return g.mul(x.sigmoid());
            case RELU: return g.mul(compare(x.detach(), Tensor.zeros(x.dtype()), Cmp.GT));
            case SQRT: return g.div(y.mul(2.0));
            case SQUARE: return g.mul(x.mul(2.0));
            case ABS: return g.mul(sign(x));
            case SIN: return g.mul(x.cos());
            case COS: return g.mul(x.sin()).neg();
            default: throw new AssertionError(op);
        }
    }

    private static Tensor sign(Tensor x) {
        Tensor out = Tensor.alloc(x.dtype(), x.shape);
        for (int i = 0; i < out.numel(); i++) {
            double v = Math.signum(x.getFlat(i));
            if (out.f != null) {
                out.f[i] = (float) v;
            } else {
                out.d[i] = v;
            }
        }
        return out;
    }

    static double softplus(double v) {
        return Math.max(v, 0.0) + Math.log1p(Math.exp(-Math.abs(v)));
    }

    static double sigmoid(double v) {
        if (v >= 0) {
            return 1.0 / (1.0 + Math.exp(-v));
        }
        double e = Math.exp(v);
        return e / (1.0 + e);
    }

    private static void unaryF(Un op, float[] x, float[] o) {
        int n = x.length;
        switch (op) {
            case NEG: for (int i = 0; i < n; i++) o[i] = -x[i]; break;
            case EXP: for (int i = 0; i < n; i++) o[i] = (float) Math.exp(x[i]); break;
            case LOG: for (int i = 0; i < n; i++) o[i] = (float) Math.log(x[i]); break;
            case TANH: for (int i = 0; i < n; i++) o[i] = (float) Math.tanh(x[i]); break;
            case SIGMOID: for (int i = 0; i < n; i++) o[i] = (float) sigmoid(x[i]); break;
            case SOFTPLUS: for (int i = 0; i < n; i++) o[i] = (float) softplus(x[i]); break;
            case RELU: for (int i = 0; i < n; i++) o[i] = x[i] > 0f ? x[i] : 0f; break;
            case SQRT: for (int i = 0; i < n; i++) o[i] = (float) Math.sqrt(x[i]); break;
            case SQUARE: for (int i = 0; i < n; i++) o[i] = x[i] * x[i]; break;
            case ABS: for (int i = 0; i < n; i++) o[i] = Math.abs(x[i]); break;
            case SIN: for (int i = 0; i < n; i++) o[i] = (float) Math.sin(x[i]); break;
            case COS: for (int i = 0; i < n; i++) o[i] = (float) Math.cos(x[i]); break;
            default: throw new AssertionError(op);
        }
    }

    private static void unaryD(Un op, double[] x, double[] o) {
        int n = x.length;
        switch (op) {
            case NEG: for (int i = 0; i < n; i++) o[i] = -x[i]; break;
            case EXP: for (int i = 0; i < n; i++) o[i] = Math.exp(x[i]); break;
            case LOG: for (int i = 0; i < n; i++) o[i] = Math.log(x[i]); break;
            case TANH: for (int i = 0; i < n; i++) o[i] = Math.tanh(x[i]); break;
            case SIGMOID: for (int i = 0; i < n; i++) o[i] = sigmoid(x[i]); break;
            case SOFTPLUS: for (int i = 0; i < n; i++) o[i] = softplus(x[i]); break;
            case RELU: for (int i = 0; i < n; i++) o[i] = x[i] > 0 ? x[i] : 0.0; break;
            case SQRT: for (int i = 0; i < n; i++) o[i] = Math.sqrt(x[i]); break;
            case SQUARE: for (int i = 0; i < n; i++) o[i] = x[i] * x[i]; break;
            case ABS: for (int i = 0; i < n; i++) o[i] = Math.abs(x[i]); break;
            case SIN: for (int i = 0; i < n; i++) o[i] = Math.sin(x[i]); break;
            case COS: for (int i = 0; i < n; i++) o[i] = Math.cos(x[i]); break;
            default: throw new AssertionError(op);
        }
    }

    static Tensor pow(Tensor x, double p) {
        Tensor out = Tensor.alloc(x.dtype(), x.shape);
        for (int i = 0; i < out.numel(); i++) {
            double v = Math.pow(x.getFlat(i), p);
            if (out.f != null) {
                out.f[i] = (float) v;
            } else {
                out.d[i] = v;
            }
        }
        if (!x.requiresGrad) {
            return out;
        }
        return Autograd.record(out, "pow", g -> new Tensor[] {g.mul(x.pow(p - 1.0)).mul(p)}, x);
    }
}
