package org.flows4j.cli;

import java.util.Locale;
import org.flows4j.flows.Flow;
import org.flows4j.flows.Maf;
import org.flows4j.flows.NeuralSplineFlow;
import org.flows4j.flows.RealNvp;
import org.flows4j.tensor.DType;
import org.flows4j.tensor.Rng;
import org.flows4j.train.LearningRateSchedule;
import picocli.CommandLine.Option;

/** The flow and training options that every training command shares (a picocli mixin). */
final class FlowOptions {
    /** The flows that --flow names; the fused fast training path applies to realnvp only. */
    enum Kind {
        REALNVP("realnvp", false), NSF("nsf", true), MAF("maf", false), MAF_NSF("maf-nsf", true);

        final String cliName;
        final boolean spline;

        Kind(String cliName, boolean spline) {
            this.cliName = cliName;
            this.spline = spline;
        }

        static String names() {
            return java.util.Arrays.stream(values()).map(k -> k.cliName).collect(java.util.stream.Collectors.joining(", "));
        }
    }

    static final int DEFAULT_BINS = 8;

    @Option(names = "--flow", paramLabel = "KIND",
            description = "realnvp (coupling, fused fast path), nsf (coupling spline), maf (masked autoregressive) "
                    + "or maf-nsf (autoregressive spline); the last three train on autodiff, slower (default: ${DEFAULT-VALUE})")
    String flow = "realnvp";

    @Option(names = "--bins", paramLabel = "K", description = "spline bins, nsf and maf-nsf only (default: " + DEFAULT_BINS + ")")
    Integer bins;

    @Option(names = "--tail-bound", paramLabel = "B",
            description = "the splines act on [-B, B], linear outside; nsf and maf-nsf only (default: the builder's, 5 for nsf, 3 for maf-nsf)")
    Double tailBound;

    @Option(names = "--layers", description = "coupling or autoregressive layers (default: ${DEFAULT-VALUE})")
    int layers = 6;

    @Option(names = "--hidden", description = "hidden width of each coupling network (default: ${DEFAULT-VALUE})")
    int hidden = 64;

    @Option(names = "--steps", description = "training steps (default: ${DEFAULT-VALUE})")
    int steps = 2000;

    @Option(names = "--batch", description = "minibatch size (default: ${DEFAULT-VALUE})")
    int batch = 256;

    @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double lr = 1e-3;

    @Option(names = "--lr-schedule", paramLabel = "S",
            description = "constant (the seed's) or cosine (anneals to 0 over the run) (default: ${DEFAULT-VALUE})")
    String lrSchedule = "constant";

    /** Options whose learning rate anneals by default (fit's; moons keeps the seed's constant rate). */
    static FlowOptions annealed() {
        FlowOptions o = new FlowOptions();
        o.lrSchedule = "cosine";
        return o;
    }

    @Option(names = "--seed", description = "seed of initialisation, minibatches and sampling (default: ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--log-every", description = "print the NLL table every N steps (default: ${DEFAULT-VALUE})")
    int logEvery = 200;

    @Option(names = "--dtype", description = "float32 or float64 (default: ${DEFAULT-VALUE})")
    String dtype = "float32";

    @Option(names = "--threads", description = "threads for sampling and density evaluation (default: all cores, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    /** The parsed --lr-schedule; a one-line error for an unknown name. */
    LearningRateSchedule schedule() {
        try {
            return LearningRateSchedule.parse(lrSchedule);
        } catch (IllegalArgumentException e) {
            throw new UserError("--lr-schedule: " + e.getMessage());
        }
    }

    /** Fails with a one-line {@link UserError} on the first bad value. */
    void validate() {
        validate(true);
    }

    /**
     * As {@link #validate()}; {@code flowKnown} false skips the check that --bins and --tail-bound
     * go with a spline flow (a resumed run takes its flow from the checkpoint, checked after).
     */
    void validate(boolean flowKnown) {
        UserError.require(layers >= 1, "--layers must be >= 1, got " + layers);
        UserError.require(hidden >= 1, "--hidden must be >= 1, got " + hidden);
        UserError.require(steps >= 1, "--steps must be >= 1, got " + steps);
        UserError.require(batch >= 1, "--batch must be >= 1, got " + batch);
        UserError.require(lr > 0 && Double.isFinite(lr), "--lr must be a positive number, got " + lr);
        schedule();
        UserError.require(logEvery >= 1, "--log-every must be >= 1, got " + logEvery);
        UserError.require(threads >= 1, "--threads must be >= 1, got " + threads);
        dtype();
        Kind kind = kind();
        UserError.require(!flowKnown || kind.spline || (bins == null && tailBound == null),
                "--bins and --tail-bound apply only to the spline flows (nsf, maf-nsf), not --flow " + kind.cliName);
        UserError.require(bins == null || bins >= 1, "--bins must be >= 1, got " + bins);
        UserError.require(tailBound == null || (tailBound > 0 && Double.isFinite(tailBound)),
                "--tail-bound must be a positive number, got " + tailBound);
    }

    Kind kind() {
        for (Kind k : Kind.values()) {
            if (k.cliName.equals(flow.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new UserError("--flow must be one of " + Kind.names() + ", got " + flow);
    }

    int bins() {
        return bins == null ? DEFAULT_BINS : bins;
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

    /**
     * The flow these options name, on {@code dim} coordinates: the one place the commands build a
     * flow. With the defaults it is the seed's RealNVP, built exactly as before.
     */
    Flow build(int dim, Rng rng) {
        DType dt = dtype();
        return switch (kind()) {
            case REALNVP -> RealNvp.builder().dim(dim).layers(layers).hidden(hidden).dtype(dt).build(rng);
            case NSF -> {
                NeuralSplineFlow b = NeuralSplineFlow.builder().dim(dim).layers(layers).hidden(hidden).bins(bins())
                        .dtype(dt);
                yield (tailBound == null ? b : b.tailBound(tailBound)).build(rng);
            }
            case MAF -> Maf.builder().dim(dim).layers(layers).hidden(hidden).dtype(dt).build(rng);
            case MAF_NSF -> {
                Maf b = Maf.nsf().dim(dim).layers(layers).hidden(hidden).bins(bins()).dtype(dt);
                yield (tailBound == null ? b : b.tailBound(tailBound)).build(rng);
            }
        };
    }

    /** The flow settings for metrics.json and checkpoints: kind, and bins / tail bound for splines. */
    void putFlowConfig(java.util.Map<String, Object> config) {
        Kind kind = kind();
        config.put("flow", kind.cliName);
        if (kind.spline) {
            config.put("bins", bins());
            if (tailBound != null) {
                config.put("tail_bound", tailBound);
            }
        }
    }
}
