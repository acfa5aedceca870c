package org.flows4j.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.flows4j.flows.Flow;
import org.flows4j.tensor.Rng;
import org.flows4j.tensor.Tensor;
import org.flows4j.train.MaximumLikelihood;
import org.flows4j.train.TrainingState;

/** Runs maximum-likelihood training with the step / NLL table and a progress bar. */
final class Training {
    private Training() {}

    /** Prints the table's header. */
    static void printHeader(PrintWriter w) {
        w.printf(Locale.ROOT, "%6s %9s%n%6s %9s%n", "step", "NLL", "-".repeat(6), "-".repeat(9));
    }

    /**
     * Trains {@code flow} for {@code updates} steps (continuing from {@code resume} if not null),
     * printing the batch NLL every {@code logEvery} steps and at step {@code lastRow}.
     */
    static MaximumLikelihood.Result run(PrintWriter w, Flow flow, Tensor data, FlowOptions o, int updates, int lastRow,
            Rng batchRng, TrainingState resume, MaximumLikelihood.Checkpointing checkpointing) {
        int start = resume == null ? 0 : resume.step();
        return withTable(w, o, updates - start, lastRow, listener -> MaximumLikelihood.train(flow, data,
                config(o, updates), batchRng, listener, resume, checkpointing));
    }

    /** As above, from the start, with the minibatch rows from {@code batches}. */
    static MaximumLikelihood.Result run(PrintWriter w, Flow flow, Tensor data, FlowOptions o, int updates, int lastRow,
            MaximumLikelihood.BatchIndices batches) {
        return withTable(w, o, updates, lastRow, listener -> MaximumLikelihood.train(flow, data, config(o, updates),
                batches, listener));
    }

    private static MaximumLikelihood.Config config(FlowOptions o, int updates) {
        return new MaximumLikelihood.Config(updates, o.batch, o.lr, o.schedule());
    }

    private static MaximumLikelihood.Result withTable(PrintWriter w, FlowOptions o, int remaining, int lastRow,
            java.util.function.Function<MaximumLikelihood.Listener, MaximumLikelihood.Result> training) {
        try (Progress progress = Progress.start(w, "training", remaining)) {
            return training.apply((step, loss) -> {
                if (step % o.logEvery == 0 || step == lastRow) {
                    progress.println(String.format(Locale.ROOT, "%6d %9.4f", step, loss));
                }
                progress.step(String.format(Locale.ROOT, "NLL %.4f", loss));
            });
        } catch (MaximumLikelihood.DivergedException | MaximumLikelihood.CheckpointException e) {
            throw new UserError(e.getMessage());
        }
    }
}
