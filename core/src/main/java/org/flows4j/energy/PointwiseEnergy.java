package org.flows4j.energy;

/**
 * An energy that can also be evaluated one point at a time on plain arrays, with its gradient:
 * what fused samplers and trainers ({@code org.flows4j.snf.PointwiseSnf}) call in their inner loops
 * instead of building tensors. Both methods must agree with {@link #energy} and
 * {@link #gradient(org.flows4j.tensor.Tensor)}.
 */
public interface PointwiseEnergy extends Energy {
    /** u at the point {@code x} (length {@link #dim()}). */
    double energyAt(float[] x);

    /** u at {@code x}; writes du/dx into {@code grad} (length {@link #dim()}). */
    double gradientAt(float[] x, double[] grad);
}
