package org.flows4j.bench;

import java.util.Locale;
import org.flows4j.data.Moons;
import org.flows4j.data.Standardization;
import org.flows4j.flows.Flow;
import org.flows4j.flows.RealNvp;
import org.flows4j.fused.FusedCouplingFlow;
import org.flows4j.kernels.RowGemm;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.train.MaximumLikelihood;

/**
 * The workload of ../shared/bench/moons_torch.py in flows4j: the seed's RealNVP on two moons,
 * steps + 1 Adam updates of batch 256, then sampling 100000 points and their log-density, each
 * timed the same way; prints one JSON line with the same keys. Sampling and density run as
 * {@code flows4j sample} and {@code density} run them: a 2-d flow's networks through their exact
 * piecewise-linear forms ({@code piecewise: true}); the same two jobs through the matrix products
 * follow (products_*), so that both paths are on record.
 *
 * <p>Usage: MoonsBench [--threads N] [--steps N] [--seed S] [--kernel best|plain]. Training runs on
 * one thread (a 256-row step is too small to split profitably); sampling and density use N.
 */
public final class MoonsBench {
    private MoonsBench() {}

    public static void main(String[] args) {
        int threads = Runtime.getRuntime().availableProcessors();
        int steps = 2000;
        long seed = 0;
        String kernel = "best";
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--kernel" -> kernel = v;
                default -> {
                    System.err.println("MoonsBench: unknown argument " + args[i]);
                    System.exit(2);
                }
            }
            i++;
        }
        if (kernel.equals("plain")) {
            System.setProperty("flows4j.vector", "false");
        }
        double[][] raw = Moons.make(2000, 0.05, 0);
        double[][] x = Standardization.fit(raw).apply(raw);
        double[] flat = new double[x.length * 2];
        for (int i = 0; i < x.length; i++) {
            flat[2 * i] = x[i][0];
            flat[2 * i + 1] = x[i][1];
        }
        Tensor data = Tensor.of(DType.FLOAT32, flat, x.length, 2);
        Rng master = new Rng(seed);
        Flow flow = RealNvp.builder().build(master.split());
        MaximumLikelihood.Result r = MaximumLikelihood.train(flow, data,
                new MaximumLikelihood.Config(steps + 1, 256, 1e-3), master.split(), null);
        double finalNll = MaximumLikelihood.nll(flow, data);
        FusedCouplingFlow fused = FusedCouplingFlow.of(flow).orElseThrow();
        long t1 = System.nanoTime();
        Flow.Samples samples = fused.sample(100_000, master.split(), threads);
        double sampleS = (System.nanoTime() - t1) / 1e9;
        long t2 = System.nanoTime();
        float[] lp = fused.logProb(samples.samples(), threads);
        double densityS = (System.nanoTime() - t2) / 1e9;
        // the same two jobs through the matrix products (the path of flows the piecewise forms do not cover)
        FusedCouplingFlow products = fused.withoutPiecewise();
        long t3 = System.nanoTime();
        Flow.Samples viaProducts = products.sample(100_000, master.split(), threads);
        double productsSampleS = (System.nanoTime() - t3) / 1e9;
        long t4 = System.nanoTime();
        products.logProb(viaProducts.samples(), threads);
        double productsDensityS = (System.nanoTime() - t4) / 1e9;
        double check = 0;
        for (float v : lp) {
            check += v;
        }
        System.out.printf(Locale.ROOT,
                "{\"threads\": %d, \"steps\": %d, \"final_nll\": %.4f, \"train_s\": %.3f, \"steps_per_s\": %.1f, "
                        + "\"sample_100k_s\": %.4f, \"logprob_100k_s\": %.4f, \"piecewise\": %b, "
                        + "\"products_sample_100k_s\": %.4f, \"products_logprob_100k_s\": %.4f, "
                        + "\"kernel\": \"%s\", \"mean_logprob\": %.4f, \"java\": \"%s\"}%n",
                threads, steps, finalNll, r.seconds(), r.stepsPerSecond(), sampleS, densityS, fused.usesPiecewise(),
                productsSampleS, productsDensityS, RowGemm.best().name(), check / lp.length,
                System.getProperty("java.version"));
    }
}
