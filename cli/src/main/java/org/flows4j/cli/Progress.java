package org.flows4j.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Prints report lines, and shows a progress bar on stderr while long work runs, but only when the
 * output is a terminal (a progress bar in a log file is noise).
 */
final class Progress implements AutoCloseable {
    private final PrintWriter out;
    private final ProgressBar bar;

    private Progress(PrintWriter out, ProgressBar bar) {
        this.out = out;
        this.bar = bar;
    }

    static Progress start(PrintWriter out, String task, long max) {
        ProgressBar bar = null;
        if (System.console() != null && System.getenv("FLOWS4J_NO_PROGRESS") == null) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(200).continuousUpdate().build();
        }
        return new Progress(out, bar);
    }

    void step(String extra) {
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(extra);
        }
    }

    /** A report line; clears the bar's line first so the two do not mix. */
    void println(String line) {
        if (bar != null) {
            System.err.print("\r\033[2K");
            System.err.flush();
        }
        out.println(line);
        out.flush();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
