package org.flows4j.transforms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.flows4j.nn.Activation;
import org.flows4j.nn.Mlp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties every transform must have, on random layers in random dimensions 1 to 16 (2 to 16
 * for couplings), with and without a context: round trips (float64 below 1e-10; float32 below
 * 1e-5 on tame layers, and below 1e-5 plus what float32 rounding of the intermediate costs even an
 * exact map on wild ones, see {@link TransformChecks#assertRoundTripFloat32}), log|det J| equal to the log-determinant of the autodiff Jacobian, and finite outputs,
 * log-dets and gradients for inputs up to |x| = 1e4.
 */
class TransformPropertyTest {

    /** Builds a layer of the given dimension, context width and dtype. */
    @FunctionalInterface
    interface Factory {
        Transform make(Rng rng, int dim, int contextDim, DType dtype);
    }

    /**
     * @param farRoundTrip whether round trips are also checked at |x| up to 1e4: only for layers
     *     that stay well conditioned there. A spline whose conditioner sees inputs of 1e4 gets
     *     extreme parameters, with slopes down to ~1e-10, so x is only determined to rounding / slope;
     *     such layers are checked for finite outputs, log-dets and gradients at those inputs.
     */
    record Case(String name, int minDim, boolean farRoundTrip, Factory factory) {
        /** Composites amplify float32 errors made inside them; their parts are checked one by one. */
        boolean conditioningBound() {
            return !name.startsWith("composite");
        }

        /**
         * Sequential passes in the autoregressive direction: each of the D passes re-evaluates the
         * conditioner in float32 on inputs carrying the previous passes' rounding, an error the
         * float64 map of the rounded intermediate does not see, so the float32 bound on the random
         * layer grows with D (the tame layer is still held to 1e-5).
         */
        int sequentialPasses(int dim) {
            return name.contains("MAF") || name.contains("IAF") ? dim : 1;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final int HIDDEN = 12;

    static Coupling coupling(Rng rng, int dim, int ctx, DType dt, ElementwiseTransformer tr) {
        double[] mask = randomMask(rng, dim);
        Mlp net = new Mlp(new int[] {dim + ctx, HIDDEN, HIDDEN, tr.paramsPerDim() * dim}, Activation.RELU, rng, dt);
        return new Coupling(mask, new MlpConditioner(net, ctx), tr, dt);
    }

    /** Any mask with at least one kept and one transformed coordinate. */
    static double[] randomMask(Rng rng, int dim) {
        double[] m = new double[dim];
        int ones = 0;
        for (int i = 0; i < dim; i++) {
            m[i] = rng.nextInt(2);
            ones += (int) m[i];
        }
        if (ones == 0) {
            m[rng.nextInt(dim)] = 1;
        } else if (ones == dim) {
            m[rng.nextInt(dim)] = 0;
        }
        return m;
    }

    static MaskedAutoregressive maf(Rng rng, int dim, int ctx, DType dt, ElementwiseTransformer tr) {
        int hiddenLayers = rng.nextInt(3);
        int[] hidden = new int[hiddenLayers];
        java.util.Arrays.fill(hidden, HIDDEN);
        return new MaskedAutoregressive(new MadeConditioner(dim, ctx, hidden, tr.paramsPerDim(), Activation.RELU, rng, dt),
                tr);
    }

    static RationalQuadraticSpline spline(Rng rng) {
        return new RationalQuadraticSpline(2 + rng.nextInt(10), 1 + 3 * rng.nextDouble());
    }

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        cs.add(new Case("coupling affine", 2, true, (r, d, c, t) -> coupling(r, d, c, t, AffineTransformer.tanhScaled())));
        cs.add(new Case("coupling additive", 2, true, (r, d, c, t) -> coupling(r, d, c, t, new AdditiveTransformer())));
        cs.add(new Case("coupling spline", 2, false, (r, d, c, t) -> coupling(r, d, c, t, spline(r))));
        cs.add(new Case("coupling SNF scaled tanh (per layer)", 2, true,
                (r, d, c, t) -> coupling(r, d, c, t, ScaledTanhAffineTransformer.perLayer(t))));
        cs.add(new Case("coupling SNF scaled tanh (per dimension)", 2, true,
                (r, d, c, t) -> coupling(r, d, c, t, ScaledTanhAffineTransformer.perDimension(d, t))));
        cs.add(new Case("MAF affine", 1, true, (r, d, c, t) -> maf(r, d, c, t, AffineTransformer.tanhScaled())));
        cs.add(new Case("MAF spline", 1, false, (r, d, c, t) -> maf(r, d, c, t, spline(r))));
        cs.add(new Case("IAF affine", 1, true, (r, d, c, t) -> new Inverse(maf(r, d, c, t, AffineTransformer.tanhScaled()))));
        cs.add(new Case("IAF spline", 1, false, (r, d, c, t) -> new Inverse(maf(r, d, c, t, spline(r)))));
        cs.add(new Case("random permutation", 1, true, (r, d, c, t) -> Permutation.random(d, r)));
        cs.add(new Case("reverse permutation", 1, true, (r, d, c, t) -> Permutation.reverse(d)));
        cs.add(new Case("LU linear", 1, true, (r, d, c, t) -> new LuLinear(d, r, t)));
        cs.add(new Case("ActNorm", 1, true, (r, d, c, t) -> new ActNorm(d, t)));
        cs.add(new Case("composite of everything", 2, false, (r, d, c, t) -> new Composite(List.of(
                new ActNorm(d, t), coupling(r, d, c, t, spline(r)), new LuLinear(d, r, t), Permutation.random(d, r),
                maf(r, d, c, t, AffineTransformer.tanhScaled()), Permutation.reverse(d),
                new Inverse(maf(r, d, c, t, spline(r))), coupling(r, d, c, t, ScaledTanhAffineTransformer.perLayer(t))))));
        cs.add(new Case("embedded context (spline MAF)", 1, false, (r, d, c, t) -> c == 0
                ? maf(r, d, 0, t, spline(r))
                : new EmbeddedContext(maf(r, d, 3, t, spline(r)), new Mlp(new int[] {c, HIDDEN, 3}, Activation.TANH, r, t))));
        return cs;
    }

    /** Every case, three times: seeds pick the dimension (one of them 16), the context and the layer. */
    static Stream<Arguments> casesAndSeeds() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : cases()) {
            for (int s = 0; s < 3; s++) {
                out.add(Arguments.of(c, (long) s));
            }
        }
        return out.stream();
    }

    static int dimFor(Case c, long seed, Rng rng) {
        if (seed == 0) {
            return 16;
        }
        if (seed == 1) {
            return c.minDim();
        }
        return c.minDim() + rng.nextInt(16 - c.minDim() + 1);
    }

    /** A layer in float64 and the same layer's construction in float32 (same seed). */
    static Transform build(Case c, long seed, int dim, int ctx, DType dt) {
        Rng rng = new Rng(1000 * seed + 7);
        Transform t = c.factory().make(rng, dim, ctx, dt);
        TransformChecks.perturb(t, rng, 0.03);
        return t;
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("casesAndSeeds")
    void roundTripsAndLogDetsWithAndWithoutContext(Case c, long seed) {
        Rng rng = new Rng(seed * 31 + c.name().hashCode());
        int dim = dimFor(c, seed, rng);
        for (int ctx : new int[] {0, 1 + rng.nextInt(4)}) {
            String what = c.name() + " D=" + dim + " context=" + ctx;
            // float64: round trip to 1e-10, log-det = autodiff Jacobian
            Transform t64 = build(c, seed, dim, ctx, DType.FLOAT64);
            assertThat(t64.dim()).isEqualTo(dim);
            Tensor x = TransformChecks.points(rng, 32, dim, DType.FLOAT64, 1.5);
            Tensor cx = TransformChecks.context(rng, 32, ctx, DType.FLOAT64);
            TransformChecks.assertRoundTrip(what + " float64", t64, x, cx, 1e-10);
            Tensor far = TransformChecks.farPoints(rng, 16, dim, DType.FLOAT64, 1e4);
            if (c.farRoundTrip()) {
                TransformChecks.assertRoundTrip(what + " float64 far", t64, far, TransformChecks.context(rng, 16, ctx,
                        DType.FLOAT64), 1e-10);
            }
            int jacPoints = dim > 8 ? 2 : 4;
            TransformChecks.assertLogDetMatchesJacobian(what, t64, x.slice(0, 0, jacPoints),
                    cx == null ? null : cx.slice(0, 0, jacPoints), 1e-8);
            TransformChecks.assertLogDetMatchesJacobian(what + " far", t64, far.slice(0, 0, 2),
                    ctx == 0 ? null : Tensor.randn(rng, DType.FLOAT64, 2, ctx), 1e-8);
            TransformChecks.assertFinite(what + " float64 far", t64, far, TransformChecks.context(rng, 16, ctx,
                    DType.FLOAT64));

            // float32: round trip below 1e-5 on a tame layer (parameters halved: networks' outputs
            // shrink ~8x, splines are not too flat); on the random layer, below 1e-5 plus what float32
            // rounding costs an exact map; finite everywhere
            Transform t32 = build(c, seed, dim, ctx, DType.FLOAT32);
            Tensor x32 = TransformChecks.points(rng, 32, dim, DType.FLOAT32, 1.5);
            Tensor c32 = TransformChecks.context(rng, 32, ctx, DType.FLOAT32);
            if (c.conditioningBound()) {
                TransformChecks.copyParameters(t32, t64);
                TransformChecks.assertRoundTripFloat32(what + " float32", t32, t64, x32, c32,
                        1e-5 * c.sequentialPasses(dim));
            }
            Transform tame = build(c, seed, dim, ctx, DType.FLOAT32);
            TransformChecks.scale(tame, 0.5);
            // a composite's errors add up over its parts: 1e-5 per two of its eight layers
            TransformChecks.assertRoundTrip(what + " float32 tame", tame, x32, c32, c.conditioningBound() ? 1e-5 : 4e-5);
            Tensor far32 = TransformChecks.farPoints(rng, 16, dim, DType.FLOAT32, 1e4);
            TransformChecks.assertFinite(what + " float32 far", t32, far32, TransformChecks.context(rng, 16, ctx,
                    DType.FLOAT32));
        }
    }
}
