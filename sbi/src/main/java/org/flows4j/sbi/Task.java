package org.flows4j.sbi;

import org.flows4j.tensor.Rng;

/**
 * One sbibm benchmark task: prior, simulator, and the published NPE C2ST at 10^3, 10^4 and 10^5
 * simulations (mean over the benchmark's 10 observations).
 */
public record Task(String name, Prior prior, Simulator simulator, double[] publishedNpe, ExactPosterior exact) {

    /** An exact posterior sampler, for the tasks that have one. */
    @FunctionalInterface
    public interface ExactPosterior {
        double[][] sample(int n, double[] xObserved, Rng rng);
    }

    public int thetaDim() {
        return prior.dim();
    }

    public int xDim() {
        return simulator.xDim();
    }

    /** The published NPE C2ST for this budget, or NaN when the benchmark has none (budgets 10^3, 10^4, 10^5). */
    public double publishedNpe(int budget) {
        return switch (budget) {
            case 1_000 -> publishedNpe[0];
            case 10_000 -> publishedNpe[1];
            case 100_000 -> publishedNpe[2];
            default -> Double.NaN;
        };
    }
}
