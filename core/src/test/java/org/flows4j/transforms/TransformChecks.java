package org.flows4j.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.flows4j.flows.FlowTestSupport;
import org.flows4j.nn.Module;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;

/** Property checks shared by the transform and flow tests. */
public final class TransformChecks {
    private TransformChecks() {}

    /** Adds N(0, scale^2) noise to every parameter, in place (so no layer sits at its identity init). */
    public static void perturb(Module m, Rng rng, double scale) {
        for (Tensor p : m.parameters()) {
            float[] f = p.rawFloats();
            double[] d = p.rawDoubles();
            for (int i = 0; i < p.numel(); i++) {
                double e = scale * rng.nextGaussian();
                if (f != null) {
                    f[i] += (float) e;
                } else {
                    d[i] += e;
                }
            }
        }
    }

    /** Multiplies every parameter by {@code factor}, in place. */
    public static void scale(Module m, double factor) {
        for (Tensor p : m.parameters()) {
            for (int i = 0; i < p.numel(); i++) {
                if (p.rawFloats() != null) {
                    p.rawFloats()[i] *= (float) factor;
                } else {
                    p.rawDoubles()[i] *= factor;
                }
            }
        }
    }

    /** Standard normal points times {@code scale}. */
    public static Tensor points(Rng rng, int n, int dim, DType dtype, double scale) {
        return Tensor.randn(rng, dtype, n, dim).mul(scale);
    }

    /** Points whose magnitudes spread log-uniformly over [1e-2, maxAbs], random signs. */
    public static Tensor farPoints(Rng rng, int n, int dim, DType dtype, double maxAbs) {
        double[] v = new double[n * dim];
        double logMax = Math.log10(maxAbs);
        for (int i = 0; i < v.length; i++) {
            double mag = Math.pow(10, -2 + (logMax + 2) * rng.nextDouble());
            v[i] = rng.nextDouble() < 0.5 ? -mag : mag;
        }
        // make sure the extremes themselves are there
        v[0] = maxAbs;
        if (v.length > 1) {
            v[1] = -maxAbs;
        }
        return Tensor.of(dtype, v, n, dim);
    }

    public static Tensor context(Rng rng, int n, int contextDim, DType dtype) {
        return contextDim == 0 ? null : Tensor.randn(rng, dtype, n, contextDim);
    }

    /**
     * forward then inverse (and inverse then forward) give back the input within
     * {@code tol * max(1, |x|)}, and the two log-dets cancel.
     */
    public static void assertRoundTrip(String what, Transform t, Tensor x, Tensor ctx, double tol) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Transform.Result f = t.forward(x, ctx);
            Transform.Result back = t.inverse(f.y(), ctx);
            assertClose(what + " inverse(forward(x))", back.y().toDoubleArray(), x.toDoubleArray(), tol);
            assertCancel(what + " forward/inverse log-dets", f.logAbsDet(), back.logAbsDet(), tol);
            Transform.Result i = t.inverse(x, ctx);
            Transform.Result fwd = t.forward(i.y(), ctx);
            assertClose(what + " forward(inverse(x))", fwd.y().toDoubleArray(), x.toDoubleArray(), tol);
            assertCancel(what + " inverse/forward log-dets", i.logAbsDet(), fwd.logAbsDet(), tol);
            assertThat(f.logAbsDet().shape()).as(what + " log-det shape").containsExactly(x.size(0));
        }
    }

    /** Copies every parameter value of {@code from} into the same-shaped parameters of {@code to}. */
    public static void copyParameters(org.flows4j.nn.Module from, org.flows4j.nn.Module to) {
        List<Tensor> a = from.parameters();
        List<Tensor> b = to.parameters();
        assertThat(b).hasSameSizeAs(a);
        for (int k = 0; k < a.size(); k++) {
            double[] v = a.get(k).toDoubleArray();
            Tensor p = b.get(k);
            assertThat(p.numel()).isEqualTo(v.length);
            for (int i = 0; i < v.length; i++) {
                if (p.rawFloats() != null) {
                    p.rawFloats()[i] = (float) v[i];
                } else {
                    p.rawDoubles()[i] = v[i];
                }
            }
        }
    }

    /**
     * Float32 round trips (both orders) of {@code t32}, against what the float64 twin {@code t64}
     * (same parameter values) says is achievable: the error must be below
     * {@code tol * max(1, |x|) + 16 e}, where e is how far the exact (float64) second map takes the
     * float32 intermediate result from x. For well-conditioned layers e is ~1e-7 and this is a
     * plain 1e-5 check; where a layer is nearly flat (a spline's slope can be 1e-4 or less), float32
     * rounding of the intermediate alone moves x by e, whatever the implementation (the factor
     * allows for the same effect on the coordinates an autoregressive inverse computes first).
     */
    public static void assertRoundTripFloat32(String what, Transform t32, Transform t64, Tensor x, Tensor ctx,
            double tol) {
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            Tensor ctx64 = ctx == null ? null : ctx.to(DType.FLOAT64);
            for (boolean forwardFirst : new boolean[] {true, false}) {
                Tensor mid = forwardFirst ? t32.forward(x, ctx).y() : t32.inverse(x, ctx).y();
                Tensor back = forwardFirst ? t32.inverse(mid, ctx).y() : t32.forward(mid, ctx).y();
                Tensor mid64 = mid.to(DType.FLOAT64);
                Tensor ref = forwardFirst ? t64.inverse(mid64, ctx64).y() : t64.forward(mid64, ctx64).y();
                double[] xv = x.toDoubleArray();
                double[] bv = back.toDoubleArray();
                double[] rv = ref.toDoubleArray();
                for (int i = 0; i < xv.length; i++) {
                    double achievable = Math.abs(rv[i] - xv[i]);
                    double err = Math.abs(bv[i] - xv[i]);
                    assertThat(err <= tol * Math.max(1, Math.abs(xv[i])) + 16 * achievable)
                            .as("%s %s [%d]: %s vs %s (error %s; exact map of the rounded intermediate: %s)", what,
                                    forwardFirst ? "inverse(forward(x))" : "forward(inverse(x))", i, bv[i], xv[i], err,
                                    achievable)
                            .isTrue();
                }
            }
        }
    }

    private static void assertCancel(String what, Tensor a, Tensor b, double tol) {
        double[] u = a.toDoubleArray();
        double[] v = b.toDoubleArray();
        for (int i = 0; i < u.length; i++) {
            assertThat(Double.isFinite(u[i]) && Double.isFinite(v[i])).as(what + " finite").isTrue();
            assertThat(u[i] + v[i]).as("%s [%d]: %s + %s", what, i, u[i], v[i])
                    .isCloseTo(0.0, Offset.offset(100 * tol * Math.max(1, Math.abs(u[i]))));
        }
    }

    public static void assertClose(String what, double[] actual, double[] expected, double tol) {
        assertThat(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            assertThat(err <= tol * Math.max(1, Math.abs(expected[i])))
                    .as("%s [%d]: %s vs %s (error %s)", what, i, actual[i], expected[i], err).isTrue();
        }
    }

    /**
     * log|det J| of forward and inverse at each row equals the log-det of the autodiff Jacobian
     * (float64), within {@code tol * max(1, |expected|)} plus what the reference itself cannot
     * resolve: its Jacobian's entries carry float64 rounding from the autodiff chain through every
     * layer, which log|det J| amplifies by {@link FlowTestSupport#logAbsDetCondition}. A transform's
     * own log-det is a sum of per-layer terms and has no such amplification. The case that needs it:
     * a composite's inverse at |x| ~ 3600 where J's entries are O(1..24) but det J ~ 4e-9 (condition
     * ~9e8, so one ulp in the entries moves the reference by ~1e-7); there the composite's log-det
     * equals the sum of its layers' Jacobian log-dets to 1e-10, while the whole-Jacobian reference
     * moved by 7e-8 between JDK 17 and 25 because Math.tanh's results changed in the last ulp (an
     * x86_64 intrinsic since JDK 24). 16 ulps per entry is a margin for the roundings of the chain
     * rule through eight layers (that point needs 1.04 on JDK 25, 0.71 on JDK 17); at a
     * well-conditioned point it adds about 1e-14.
     */
    public static void assertLogDetMatchesJacobian(String what, Transform t, Tensor x, Tensor ctx, double tol) {
        int n = x.size(0);
        int d = x.size(1);
        double[] all = x.toDoubleArray();
        for (int r = 0; r < n; r++) {
            double[] p = new double[d];
            System.arraycopy(all, r * d, p, 0, d);
            Tensor c = ctx == null ? null : ctx.slice(0, r, r + 1);
            for (boolean inverse : new boolean[] {false, true}) {
                Tensor row = Tensor.of(p, 1, d);
                double ld = (inverse ? t.inverse(row, c) : t.forward(row, c)).logAbsDet().item();
                double[][] jac = FlowTestSupport.jacobian(t, p, inverse, c);
                double expected = FlowTestSupport.logAbsDet(jac);
                double unresolved = 16 * Math.ulp(1.0) * FlowTestSupport.logAbsDetCondition(jac);
                assertThat(ld).as("%s log|det J| (inverse=%s) at %s", what, inverse, java.util.Arrays.toString(p))
                        .isCloseTo(expected, Offset.offset(tol * Math.max(1, Math.abs(expected)) + unresolved));
            }
        }
    }

    /**
     * Forward and inverse on {@code x} give finite outputs and log-dets, and finite gradients of
     * sum(y) + sum(log-det) with respect to the inputs and every parameter.
     */
    public static void assertFinite(String what, Transform t, Tensor x, Tensor ctx) {
        for (boolean inverse : new boolean[] {false, true}) {
            Tensor in = x.copy().requireGrad();
            Transform.Result r = inverse ? t.inverse(in, ctx) : t.forward(in, ctx);
            assertThat(r.y().allFinite()).as("%s outputs finite (inverse=%s)", what, inverse).isTrue();
            assertThat(r.logAbsDet().allFinite()).as("%s log-dets finite (inverse=%s)", what, inverse).isTrue();
            List<Tensor> wrt = new ArrayList<>(t.parameters());
            wrt.add(in);
            Tensor loss = r.y().sum().add(r.logAbsDet().sum());
            List<Tensor> grads = Autograd.grad(loss, wrt);
            for (int k = 0; k < grads.size(); k++) {
                assertThat(grads.get(k).allFinite()).as("%s gradient %d finite (inverse=%s)", what, k, inverse).isTrue();
            }
        }
    }
}
