/**
 * Boltzmann generators and stochastic normalizing flows: training from data (J_ML) and from the
 * energy (J_KL) in any mix, path importance weights, effective sample sizes, reweighted estimates
 * and free-energy profiles, and the paper's double-well benchmark.
 *
 * <pre>{@code
 * BoltzmannGenerator bg = DoubleWellBenchmark.build(Method.RNVP_MC, Settings.paper(), new Rng(1));
 * SnfTrainer.train(bg, data, new SnfTrainer.Config(
 *         List.of(SnfTrainer.Phase.ml(300), new SnfTrainer.Phase(300, 0.5, 0.5)), 128, 5e-3), new Rng(2), null);
 * BoltzmannGenerator.SampleArrays s = bg.sampleArrays(100_000, 100_000, new Rng(3));
 * double meanX1 = ImportanceWeights.mean(s.logWeights(), s.column(0));     // asymptotically unbiased
 * double ess = ImportanceWeights.kishFraction(s.logWeights());
 * FreeEnergyProfile f = FreeEnergyProfile.of(s.column(0), s.logWeights(), 30, -2.5, 2.5);
 * }</pre>
 *
 * Path weights follow the paper: log w(z -> x) = -u_X(x) + u_Z(z) + sum_t dS_t, where the dS_t
 * are the log-dets of deterministic layers and the backward/forward log ratios of stochastic ones.
 */
package org.flows4j.snf;
