package org.flows4j.cli;

import java.util.Locale;
import org.flows4j.flows.Flow;
import org.flows4j.flows.RealNvp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import picocli.CommandLine.Option;

/** The flow and training options that every training command shares (a picocli mixin). */
final class FlowOptions {
    @Option(names = "--layers", description = "coupling layers (default: ${DEFAULT-VALUE})")
    int layers = 6;

    @Option(names = "--hidden", description = "hidden width of each coupling network (default: ${DEFAULT-VALUE})")
    int hidden = 64;

    @Option(names = "--steps", description = "training steps (default: ${DEFAULT-VALUE})")
    int steps = 2000;

    @Option(names = "--batch", description = "minibatch size (default: ${DEFAULT-VALUE})")
    int batch = 256;

    @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double lr = 1e-3;

    @Option(names = "--seed", description = "seed of initialisation, minibatches and sampling (default: ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--log-every", description = "print the NLL table every N steps (default: ${DEFAULT-VALUE})")
    int logEvery = 200;

    @Option(names = "--dtype", description = "float32 or float64 (default: ${DEFAULT-VALUE})")
    String dtype = "float32";

    @Option(names = "--threads", description = "threads for sampling and density evaluation (default: all cores, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    /** Fails with a one-line {@link UserError} on the first bad value. */
    void validate() {
        UserError.require(layers >= 1, "--layers must be >= 1, got " + layers);
        UserError.require(hidden >= 1, "--hidden must be >= 1, got " + hidden);
        UserError.require(steps >= 1, "--steps must be >= 1, got " + steps);
        UserError.require(batch >= 1, "--batch must be >= 1, got " + batch);
        UserError.require(lr > 0 && Double.isFinite(lr), "--lr must be a positive number, got " + lr);
        UserError.require(logEvery >= 1, "--log-every must be >= 1, got " + logEvery);
        UserError.require(threads >= 1, "--threads must be >= 1, got " + threads);
        dtype();
    }

    DType dtype() {
        return parseDType(dtype);
    }

    static DType parseDType(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "float32", "f32" -> DType.FLOAT32;
            case "float64", "f64" -> DType.FLOAT64;
            default -> throw new UserError("--dtype must be float32 or float64, got " + s);
        };
    }

    static String dtypeName(DType dt) {
        return dt.name().toLowerCase(Locale.ROOT);
    }

    /** The seed's RealNVP with these options, on {@code dim} coordinates. */
    Flow build(int dim, Rng rng) {
        return RealNvp.builder().dim(dim).layers(layers).hidden(hidden).dtype(dtype()).build(rng);
    }
}
