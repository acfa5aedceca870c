package org.flows4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.flows4j.distributions.DiagonalNormal;
import org.flows4j.distributions.GaussianMixture;
import org.flows4j.distributions.StandardNormal;
import org.flows4j.flows.Flow;
import org.flows4j.flows.Maf;
import org.flows4j.flows.NeuralSplineFlow;
import org.flows4j.flows.SnfRealNvp;
import org.flows4j.tensor.Autograd;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.transforms.ActNorm;
import org.flows4j.transforms.Composite;
import org.flows4j.transforms.LuLinear;
import org.flows4j.transforms.Permutation;
import org.flows4j.transforms.Transform;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every flow the library's builders make saves and loads with the same log-densities, bit for bit. */
class FlowFamiliesFileTest {
    @TempDir
    Path dir;

    record Case(String name, Function<DType, Flow> build, int contextDim) {}

    static List<Case> cases() {
        return List.of(
                new Case("NSF alternating", dt -> NeuralSplineFlow.builder().dim(3).layers(3).hidden(8).dtype(dt)
                        .build(new Rng(1)), 0),
                new Case("NSF random permutations, mixture base", dt -> NeuralSplineFlow.builder().dim(3).layers(2)
                        .hidden(8).bins(5).tailBound(4).minimums(1e-3, 2e-3, 3e-3)
                        .mixing(NeuralSplineFlow.Mixing.RANDOM_PERMUTATION)
                        .base(new GaussianMixture(3, 3, new Rng(9), dt)).dtype(dt).build(new Rng(2)), 0),
                new Case("NSF LU with context embedding", dt -> NeuralSplineFlow.builder().dim(2).layers(2).hidden(8)
                        .mixing(NeuralSplineFlow.Mixing.LU).contextDim(3).contextEmbedding(4).dtype(dt)
                        .build(new Rng(3)), 3),
                new Case("MAF affine, diagonal base", dt -> Maf.builder().dim(4).layers(3).hidden(12)
                        .base(new DiagonalNormal(4, dt)).dtype(dt).build(new Rng(4)), 0),
                new Case("MAF spline, random order, context", dt -> Maf.nsf().dim(3).layers(2).hidden(9)
                        .order(Maf.Order.RANDOM).contextDim(2).dtype(dt).build(new Rng(5)), 2),
                new Case("IAF", dt -> Maf.builder().dim(3).layers(2).hidden(7).inverse(true).dtype(dt)
                        .build(new Rng(6)), 0),
                new Case("SNF RealNVP (scaled tanh, per dimension)", dt -> SnfRealNvp.builder().dim(2).layers(3)
                        .hidden(8).alphaPerDimension(true).dtype(dt).build(new Rng(7)), 0),
                new Case("SNF RealNVP (scaled tanh, per layer)", dt -> SnfRealNvp.builder().dim(3).layers(2)
                        .hidden(8).dtype(dt).build(new Rng(8)), 0),
                new Case("ActNorm + LU + permutation", dt -> new Flow(new StandardNormal(3), new Composite(List.of(
                        initialized(new ActNorm(3, dt)), new LuLinear(3, new Rng(10), dt), Permutation.reverse(3),
                        new ActNorm(3, dt))), dt), 0));
    }

    static Transform initialized(ActNorm a) {
        a.initialize(Tensor.randn(new Rng(1), a.logScale().dtype(), 10, a.dim()).mul(3).add(1));
        return a;
    }

    /** Nudge every parameter so that nothing is at its default (loading must restore each value). */
    static Flow perturbed(Flow f) {
        Rng rng = new Rng(42);
        for (Tensor p : f.parameters()) {
            for (int i = 0; i < p.numel(); i++) {
                double v = 0.1 * rng.nextGaussian();
                if (p.rawFloats() != null) {
                    p.rawFloats()[i] += (float) v;
                } else {
                    p.rawDoubles()[i] += v;
                }
            }
        }
        return f;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyBuiltFlowRoundTripsBitForBit(DType dt) throws IOException {
        for (Case c : cases()) {
            Flow f = perturbed(c.build().apply(dt));
            Path file = dir.resolve("f.safetensors");
            FlowFiles.save(file, f);
            Flow back = FlowFiles.load(file).flow();
            assertThat(back.parameterCount()).as(c.name()).isEqualTo(f.parameterCount());
            Tensor x = Tensor.randn(new Rng(3), dt, 64, f.dim()).mul(2);
            Tensor ctx = c.contextDim() == 0 ? null : Tensor.randn(new Rng(4), dt, 64, c.contextDim());
            try (Autograd.Scope ignored = Autograd.noGrad()) {
                assertThat(back.logProb(x, ctx).toDoubleArray()).as(c.name()).isEqualTo(f.logProb(x, ctx).toDoubleArray());
                assertThat(back.sample(64, new Rng(5), ctx).toDoubleArray()).as(c.name())
                        .isEqualTo(f.sample(64, new Rng(5), ctx).toDoubleArray());
            }
            Path again = dir.resolve("again.safetensors");
            FlowFiles.save(again, back);
            assertThat(Files.readAllBytes(again)).as(c.name()).isEqualTo(Files.readAllBytes(file));
        }
    }

    @Test
    void actNormRemembersWhetherItWasInitialised() throws IOException {
        Flow f = new Flow(new StandardNormal(2), new Composite(List.of(new ActNorm(2, DType.FLOAT64),
                initialized(new ActNorm(2, DType.FLOAT64)))), DType.FLOAT64);
        Path file = dir.resolve("a.safetensors");
        FlowFiles.save(file, f);
        List<Transform> parts = ((Composite) FlowFiles.load(file).flow().transform()).parts();
        assertThat(((ActNorm) parts.get(0)).isInitialized()).isFalse();
        assertThat(((ActNorm) parts.get(1)).isInitialized()).isTrue();
    }

    @Test
    void corruptedFamiliesFailOnlyWithModelFormatException() throws IOException {
        Rng rng = new Rng(5);
        for (Case c : cases()) {
            Path file = dir.resolve("f.safetensors");
            FlowFiles.save(file, c.build().apply(DType.FLOAT32));
            byte[] ok = Files.readAllBytes(file);
            int headerEnd = 8 + (int) java.nio.ByteBuffer.wrap(ok, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            for (int i = 0; i < 150; i++) {
                byte[] b = ok.clone();
                for (int tries = 0; tries < 100; tries++) {
                    // mostly digits of the description: sizes, masks, permutations, bins, offsets
                    int at = 8 + rng.nextInt(headerEnd - 8);
                    if (b[at] >= '0' && b[at] <= '9' || tries == 99) {
                        b[at] = (byte) (i % 5 == 0 ? rng.nextInt(256) : '0' + rng.nextInt(10));
                        break;
                    }
                }
                Path bad = Files.write(dir.resolve("bad.safetensors"), b);
                try {
                    FlowFiles.load(bad);
                } catch (ModelFormatException e) {
                    assertThat(e.getMessage()).doesNotContain("\n");
                } catch (Throwable t) {
                    throw new AssertionError(c.name() + ", mutation " + i + " escaped as " + t, t);
                }
            }
        }
    }

    @Test
    void unknownLayersAreRefusedOnSave() {
        Flow f = new Flow(new StandardNormal(2), new Composite(List.of(Permutation.reverse(2),
                new org.flows4j.transforms.Transform() {
                    public int dim() {
                        return 2;
                    }

                    public Result forward(Tensor x, Tensor context) {
                        return new Result(x, Tensor.zeros(x.dtype(), x.size(0)));
                    }

                    public Result inverse(Tensor y, Tensor context) {
                        return forward(y, context);
                    }
                })), DType.FLOAT32);
        assertThatThrownBy(() -> FlowFiles.save(dir.resolve("x"), f, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not support it yet");
    }
}
