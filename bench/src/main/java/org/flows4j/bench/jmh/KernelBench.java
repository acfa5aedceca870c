package org.flows4j.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.flows4j.flows.Flow;
import org.flows4j.flows.RealNvp;
import org.flows4j.fused.FusedCouplingFlow;
import org.flows4j.kernels.RowGemm;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot kernels of the seed's workload: the matrix products of a 2-64-64-4 conditioner on a
 * 256-row batch, and a whole fused coupling-flow training step and density pass.
 * Run: java --add-modules jdk.incubator.vector -cp bench/target/flows4j-bench.jar org.openjdk.jmh.Main KernelBench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBench {
    @Param({"vector", "plain"})
    public String kernel;

    private RowGemm gemm;
    private float[][] h256x64;
    private float[][] w64x64;
    private float[][] out256x64;
    private float[][] w4x64;
    private float[][] out256x4;
    private float[][] dw64x64;
    private FusedCouplingFlow.Step step;
    private FusedCouplingFlow fused;
    private Tensor batch;
    private Tensor points;

    private static float[][] random(SplittableRandom r, int n, int m) {
        float[][] a = new float[n][m];
        for (float[] row : a) {
            for (int j = 0; j < m; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return a;
    }

    @Setup
    public void setup() {
        gemm = kernel.equals("plain") ? RowGemm.plain() : RowGemm.best();
        SplittableRandom r = new SplittableRandom(1);
        h256x64 = random(r, 256, 64);
        w64x64 = random(r, 64, 64);
        out256x64 = new float[256][64];
        w4x64 = random(r, 4, 64);
        out256x4 = new float[256][4];
        dw64x64 = new float[64][64];
        Flow flow = RealNvp.builder().build(new Rng(0));
        fused = FusedCouplingFlow.of(flow, gemm).orElseThrow();
        step = fused.newStep();
        batch = Tensor.randn(new Rng(2), DType.FLOAT32, 256, 2);
        points = Tensor.randn(new Rng(3), DType.FLOAT32, 4096, 2);
    }

    /** Hidden layer forward: [256,64] x [64,64]. */
    @Benchmark
    public float[][] hiddenForward() {
        gemm.gemm(false, h256x64, w64x64, null, false, out256x64, 0, 256, 64, 64);
        return out256x64;
    }

    /** Hidden layer weight gradient: [64,256] x [256,64] (A read transposed). */
    @Benchmark
    public float[][] hiddenWeightGradient() {
        gemm.gemm(true, h256x64, h256x64, null, false, dw64x64, 0, 64, 256, 64);
        return dw64x64;
    }

    /** Output layer forward: [256,64] x [64,4] as dot products. */
    @Benchmark
    public float[][] outputForward() {
        gemm.dots(h256x64, w4x64, null, false, out256x4, 0, 256, 64, 4);
        return out256x4;
    }

    /** One training step of the seed's six-layer RealNVP: forward, backward, all gradients. */
    @Benchmark
    public double couplingTrainingStep() {
        return step.compute(batch);
    }

    /** Log-density of 4096 points through the six layers, one thread (includes its buffers' setup). */
    @Benchmark
    public float[] couplingLogProb4096() {
        return fused.logProb(points, 1);
    }
}
