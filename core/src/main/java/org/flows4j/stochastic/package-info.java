/**
 * Stochastic flow layers (Wu, Koehler and Noe, "Stochastic Normalizing Flows", NeurIPS 2020):
 * Markov kernels that are ordinary {@link org.flows4j.transforms.Transform}s. Their log-det slot
 * holds dS, the log ratio of backward to forward transition densities of the path they took, so a
 * {@link org.flows4j.transforms.Composite} mixing them with couplings sums to the path weight.
 *
 * <ul>
 *   <li>{@link org.flows4j.stochastic.MetropolisMC}: random-walk Metropolis, dS = u(end) - u(start);
 *       optionally a trainable step size.</li>
 *   <li>{@link org.flows4j.stochastic.OverdampedLangevin}: Euler-Maruyama Brownian dynamics,
 *       dS = (|w|^2 - |w~|^2)/2 with the backward noise w~; optionally differentiated through the
 *       force (gradients of gradients).</li>
 *   <li>{@link org.flows4j.stochastic.UnderdampedLangevin}: Langevin dynamics on (positions,
 *       velocities).</li>
 * </ul>
 *
 * <pre>{@code
 * Energy prior = Energy.standardNormal(2);
 * Energy target = DoubleWell.paper(2);
 * Rng rng = new Rng(0);
 * MetropolisMC mc = MetropolisMC.builder(prior.interpolate(target, 0.5)).steps(20).stepSize(0.25).build(rng.split());
 * Transform.Result r = mc.inverse(z);   // r.y(): moved points, r.logAbsDet(): dS per point
 * }</pre>
 *
 * Each layer draws from its own {@link org.flows4j.tensor.Rng}, given at construction (or
 * replaced with {@link org.flows4j.stochastic.StochasticLayers#reseed}), so runs are reproducible.
 */
package org.flows4j.stochastic;
