package org.flows4j.flows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.flows4j.distributions.DiagonalNormal;
import org.flows4j.distributions.GaussianMixture;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.EmbeddedContext;
import org.flows4j.transforms.Inverse;
import org.flows4j.transforms.LuLinear;
import org.flows4j.transforms.MaskedAutoregressive;
import org.flows4j.transforms.Permutation;
import org.flows4j.transforms.TransformChecks;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The flow builders (NSF, MAF, MAF-NSF, IAF, SNF RealNVP): whole flows, with and without context. */
class FlowFamilyTest {

    /** (dim, contextDim, embedding width, dtype) -> builder configured small. */
    record Kind(String name, int minDim, Builder builder) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    interface Builder {
        Flow build(int dim, int ctx, int embed, DType dt, Rng rng);
    }

    static List<Kind> kinds() {
        List<Kind> ks = new ArrayList<>();
        ks.add(new Kind("NSF alternating", 2, (d, c, e, t, r) -> NeuralSplineFlow.builder().dim(d).layers(3).hidden(12)
                .bins(5).tailBound(2.5).contextDim(c).contextEmbedding(e).dtype(t).build(r)));
        ks.add(new Kind("NSF random permutations", 2, (d, c, e, t, r) -> NeuralSplineFlow.builder().dim(d).layers(3)
                .hidden(12).mixing(NeuralSplineFlow.Mixing.RANDOM_PERMUTATION).contextDim(c).contextEmbedding(e).dtype(t)
                .build(r)));
        ks.add(new Kind("NSF LU", 2, (d, c, e, t, r) -> NeuralSplineFlow.builder().dim(d).layers(3).hidden(12)
                .mixing(NeuralSplineFlow.Mixing.LU).contextDim(c).contextEmbedding(e).dtype(t).build(r)));
        ks.add(new Kind("MAF", 1, (d, c, e, t, r) -> Maf.builder().dim(d).layers(3).hidden(12).contextDim(c)
                .contextEmbedding(e).dtype(t).build(r)));
        ks.add(new Kind("MAF-NSF", 1, (d, c, e, t, r) -> Maf.nsf().dim(d).layers(3).hidden(12).bins(6).contextDim(c)
                .contextEmbedding(e).dtype(t).build(r)));
        ks.add(new Kind("IAF", 1, (d, c, e, t, r) -> Maf.builder().dim(d).layers(2).hidden(12).inverse(true)
                .order(Maf.Order.RANDOM).contextDim(c).contextEmbedding(e).dtype(t).build(r)));
        ks.add(new Kind("SNF RealNVP", 2, (d, c, e, t, r) -> SnfRealNvp.builder().dim(d).layers(4).hidden(12)
                .alphaPerDimension(d % 2 == 0).contextDim(c).dtype(t).build(r)));
        return ks;
    }

    static Stream<Arguments> kindsAndSeeds() {
        List<Arguments> out = new ArrayList<>();
        for (Kind k : kinds()) {
            for (long s = 0; s < 2; s++) {
                out.add(Arguments.of(k, s));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("kindsAndSeeds")
    void roundTripLogDetsAndSamplingWithAndWithoutContext(Kind k, long seed) {
        Rng rng = new Rng(100 + seed);
        int dim = seed == 0 ? 16 : k.minDim() + rng.nextInt(4);
        for (int ctx : new int[] {0, 3}) {
            int embed = ctx > 0 && !k.name().startsWith("SNF") && seed == 1 ? 2 : 0;
            String what = k.name() + " D=" + dim + " context=" + ctx + " embedding=" + embed;
            Flow flow = k.builder().build(dim, ctx, embed, DType.FLOAT64, new Rng(seed));
            TransformChecks.perturb(flow, rng, 0.03);
            assertThat(flow.dim()).isEqualTo(dim);
            Tensor x = TransformChecks.points(rng, 16, dim, DType.FLOAT64, 1.5);
            Tensor c = TransformChecks.context(rng, 16, ctx, DType.FLOAT64);
            TransformChecks.assertRoundTrip(what, flow.transform(), x, c, 1e-10);
            TransformChecks.assertLogDetMatchesJacobian(what, flow.transform(), x.slice(0, 0, 2),
                    c == null ? null : c.slice(0, 0, 2), 1e-8);
            Flow.Samples s = flow.sampleWithLogProb(16, new Rng(seed), c);
            double[] direct = flow.logProb(s.samples(), c).toDoubleArray();
            assertThat(s.logProb().toDoubleArray()).as(what + " sampling log-probs").containsExactly(direct, Offset.offset(1e-8));
            Tensor far = TransformChecks.farPoints(rng, 8, dim, DType.FLOAT64, 1e4);
            Tensor lp = flow.logProb(far, TransformChecks.context(rng, 8, ctx, DType.FLOAT64));
            assertThat(lp.allFinite()).as(what + " far log-probs").isTrue();
            List<Tensor> g = Autograd.grad(lp.mean(), flow.parameters());
            for (Tensor gi : g) {
                assertThat(gi.allFinite()).as(what + " far gradients").isTrue();
            }
            if (ctx > 0) {
                assertThatThrownBy(() -> flow.logProb(x, null)).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    static double gridIntegral(Flow flow, double lo, double hi, int n) {
        double h = (hi - lo) / n;
        double[] pts = new double[n * n * 2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                pts[2 * (i * n + j)] = lo + (i + 0.5) * h;
                pts[2 * (i * n + j) + 1] = lo + (j + 0.5) * h;
            }
        }
        try (Autograd.Scope ignored = Autograd.noGrad()) {
            return flow.logProb(Tensor.of(pts, n * n, 2)).exp().sum().item() * h * h;
        }
    }

    @Test
    void densitiesIntegrateToOneIn2D() {
        Rng rng = new Rng(9);
        Flow nsf = NeuralSplineFlow.builder().layers(3).hidden(16).bins(6).dtype(DType.FLOAT64).build(rng);
        TransformChecks.perturb(nsf, rng, 0.1);
        assertThat(gridIntegral(nsf, -9, 9, 300)).as("NSF").isCloseTo(1.0, Offset.offset(3e-3));
        Flow mafNsf = Maf.nsf().dim(2).layers(2).hidden(16).dtype(DType.FLOAT64)
                .base(new GaussianMixture(3, 2, rng, DType.FLOAT64)).build(rng);
        assertThat(gridIntegral(mafNsf, -10, 10, 300)).as("MAF-NSF on a mixture base").isCloseTo(1.0, Offset.offset(3e-3));
    }

    @Test
    void trainableBaseParametersComeFirst() {
        DiagonalNormal base = new DiagonalNormal(3, DType.FLOAT32);
        Flow flow = Maf.builder().dim(3).layers(2).hidden(8).base(base).build(new Rng(1));
        assertThat(flow.parameters().get(0)).isSameAs(base.loc());
        assertThat(flow.parameters().get(1)).isSameAs(base.logScale());
    }

    @Test
    void defaultArchitectures() {
        Flow nsf = NeuralSplineFlow.builder().build(new Rng(0));
        List<?> parts = ((Composite) nsf.transform()).parts();
        assertThat(parts).hasSize(6);
        // each coupling: 2-64-64-(23*2) MLP: (2*64+64) + (64*64+64) + (64*46+46)
        assertThat(nsf.parameterCount()).isEqualTo(6L * (192 + 4160 + 2990));
        org.flows4j.transforms.Coupling first = (org.flows4j.transforms.Coupling) parts.get(0);
        org.flows4j.transforms.RationalQuadraticSpline spline =
                (org.flows4j.transforms.RationalQuadraticSpline) first.transformer();
        assertThat(spline.bins()).isEqualTo(8);
        assertThat(spline.tailBound()).isEqualTo(5.0);
        Flow maf = Maf.builder().dim(3).build(new Rng(0));
        List<?> mafParts = ((Composite) maf.transform()).parts();
        assertThat(mafParts).hasSize(9);
        assertThat(mafParts.get(0)).isInstanceOf(MaskedAutoregressive.class);
        assertThat(((Permutation) mafParts.get(1)).permutation()).containsExactly(2, 1, 0);
        Flow iaf = Maf.builder().dim(3).layers(1).inverse(true).build(new Rng(0));
        assertThat(((Composite) iaf.transform()).parts().get(0)).isInstanceOf(Inverse.class);
        Flow lu = NeuralSplineFlow.builder().dim(3).layers(2).mixing(NeuralSplineFlow.Mixing.LU).build(new Rng(0));
        assertThat(((Composite) lu.transform()).parts().get(1)).isInstanceOf(LuLinear.class);
        Flow emb = Maf.builder().dim(2).contextDim(5).contextEmbedding(4).build(new Rng(0));
        assertThat(emb.transform()).isInstanceOf(EmbeddedContext.class);
        Flow snf = SnfRealNvp.builder().build(new Rng(0));
        // six couplings, 2-64-64-4 MLP each plus one alpha
        assertThat(snf.parameterCount()).isEqualTo(6L * (192 + 4160 + 260 + 1));
    }

    @Test
    void sameSeedSameFlow() {
        BiFunction<Long, Integer, double[]> sample = (seed, n) -> NeuralSplineFlow.builder().layers(2).hidden(8)
                .build(new Rng(seed)).sample(n, new Rng(3)).toDoubleArray();
        assertThat(sample.apply(5L, 10)).containsExactly(sample.apply(5L, 10));
        assertThat(sample.apply(5L, 10)).isNotEqualTo(sample.apply(6L, 10));
    }

    @Test
    void badConfigurationIsRefused() {
        assertThatThrownBy(() -> NeuralSplineFlow.builder().dim(1).build(new Rng(0))).hasMessageContaining("dimension");
        assertThatThrownBy(() -> NeuralSplineFlow.builder().bins(1).build(new Rng(0))).hasMessageContaining("bins");
        assertThatThrownBy(() -> NeuralSplineFlow.builder().tailBound(-1).build(new Rng(0))).hasMessageContaining("tail");
        assertThatThrownBy(() -> Maf.builder().layers(0).build(new Rng(0))).hasMessageContaining("layers");
        assertThatThrownBy(() -> Maf.builder().hidden(0).build(new Rng(0))).hasMessageContaining("hidden");
        assertThatThrownBy(() -> Maf.builder().contextEmbedding(3).build(new Rng(0))).hasMessageContaining("context");
        assertThatThrownBy(() -> SnfRealNvp.builder().dim(1).build(new Rng(0))).hasMessageContaining("dimension");
    }
}
