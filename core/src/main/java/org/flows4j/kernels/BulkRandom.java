package org.flows4j.kernels;

/**
 * Many SplitMix64 draws at once (the generator of {@link org.flows4j.tensor.Rng}): draw k after a
 * state with counter {@code seed} and increment {@code gamma} is mix64(seed + k * gamma), so a
 * block of draws needs no sequential state and vectorises. Uniform doubles are
 * {@code (draw >>> 11) * 2^-53}; normals come in Box-Muller pairs from two uniforms
 * u1 = draw(2p + 1), u2 = draw(2p + 2): r = sqrt(-2 log u1), a = 2 pi u2,
 * (r cos a, r sin a), exactly the sequence {@code Rng.nextGaussian} produces.
 */
public interface BulkRandom {
    /**
     * Writes {@code pairs} Box-Muller pairs, rounded to float32, to out[off..off + 2 pairs) from
     * the draws after {@code seed}. Stops early, returning the number of pairs written, before a
     * pair whose u1 is 0 (the scalar generator draws u1 again there; the caller continues with it).
     */
    int gaussianPairs(long seed, long gamma, float[] out, int off, int pairs);

    /** out[off..off + n) = the uniform doubles of the n draws after {@code seed}. */
    void uniforms(long seed, long gamma, double[] out, int off, int n);

    /**
     * out[off..off + n) = -log of the uniform doubles of the n draws after {@code seed}: standard
     * exponentials, for Metropolis tests written as delta < -log u (the same decisions as
     * u < exp(-delta) except where the two roundings straddle).
     */
    void exponentials(long seed, long gamma, double[] out, int off, int n);

    /** A short name for reports: "vector" or "plain". */
    String name();

    /** Plain Java loops: the same numbers as Rng's scalar methods, bit for bit. */
    static BulkRandom plain() {
        return new PlainBulkRandom();
    }

    /**
     * The JDK Vector API version when the incubator module is present (and
     * {@code -Dflows4j.vector=false} is not set), else the plain one. Its transcendental functions
     * are the vectorised library's, so a normal can differ from the scalar one in its last bit
     * (after rounding to float32 almost never); the uniforms are identical.
     */
    static BulkRandom best() {
        if (!"false".equalsIgnoreCase(System.getProperty("flows4j.vector"))
                && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (BulkRandom) Class.forName("org.flows4j.kernels.VectorBulkRandom").getDeclaredConstructor()
                        .newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return plain();
            }
        }
        return plain();
    }

    /** SplitMix64's output function. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
