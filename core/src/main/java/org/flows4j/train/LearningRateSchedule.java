package org.flows4j.train;

import java.util.Locale;

/** How the learning rate changes over a run of {@code steps} updates: a factor on the base rate. */
public enum LearningRateSchedule {
    /** The base rate throughout (the seed's). */
    CONSTANT,
    /**
     * Cosine annealing to zero (Loshchilov and Hutter 2017, one cycle, no restarts): factor
     * {@code (1 + cos(pi * step / steps)) / 2}, 1 at the first step and close to 0 at the last.
     */
    COSINE;

    /** The factor on the base rate for update {@code step} (from 0) of {@code steps}. */
    public double factor(int step, int steps) {
        if (this == CONSTANT) {
            return 1;
        }
        return 0.5 * (1 + Math.cos(Math.PI * step / steps));
    }

    /** The lower-case name used on the command line and in files. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #cliName()}; a clear message for anything else. */
    public static LearningRateSchedule parse(String s) {
        for (LearningRateSchedule v : values()) {
            if (v.cliName().equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown learning-rate schedule '" + s + "' (constant or cosine)");
    }
}
