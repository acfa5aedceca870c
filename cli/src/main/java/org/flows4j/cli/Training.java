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
        try (Progress progress = Progress.start(w, "training", updates - start)) {
            return MaximumLikelihood.train(flow, data, new MaximumLikelihood.Config(updates, o.batch, o.lr, o.schedule()), batchRng,
                    (step, loss) -> {
                        if (step % o.logEvery == 0 || step == lastRow) {
                            progress.println(String.format(Locale.ROOT, "%6d %9.4f", step, loss));
                        }
                        progress.step(String.format(Locale.ROOT, "NLL %.4f", loss));
                    }, resume, checkpointing);
        } catch (MaximumLikelihood.DivergedException | MaximumLikelihood.CheckpointException e) {
            throw new UserError(e.getMessage());
        }
    }
}
