/**
 * Energies u(x) (in units of kT) that define unnormalised densities exp(-u): the targets of
 * Boltzmann generators and stochastic normalizing flows.
 *
 * <p>An {@link org.flows4j.energy.Energy} is a tensor function from a batch [n, dim] to [n], so a
 * Java lambda is enough and its gradient (and the gradient of that gradient) comes from autodiff:
 *
 * <pre>{@code
 * Energy ring = x -> x.square().sum(1, false).sqrt().sub(2.0).square().mul(8.0);   // any dimension
 * Tensor force = ring.force(x, false);                                               // -du/dx
 * Energy u = Energy.standardNormal(2).interpolate(DoubleWell.paper(2), 0.5);        // u_lambda
 * }</pre>
 *
 * Built in: {@link org.flows4j.energy.DoubleWell} (the paper's double well in any dimension, with
 * an analytic gradient), {@link org.flows4j.energy.GaussianMixtureEnergy} (normalised, with an
 * exact sampler), {@link org.flows4j.energy.InterpolatedEnergy}.
 */
package org.flows4j.energy;
