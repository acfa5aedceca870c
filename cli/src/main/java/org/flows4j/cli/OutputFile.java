package org.flows4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A single output file of a command: checked before any work, written atomically after. */
final class OutputFile {
    private OutputFile() {}

    /** Fails early if {@code file} cannot be an output file (a directory, or under a file). */
    static Path check(Path file, String option) {
        if (Files.isDirectory(file)) {
            throw new UserError("cannot write to " + option + " " + file + ": it is a directory, not a file");
        }
        Path parent = file.toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException | SecurityException e) {
            throw new UserError("cannot write to " + option + " " + file + ": " + OutputDirectory.reason(e));
        }
        return file;
    }

    /** Something that writes one output file. */
    @FunctionalInterface
    interface Write {
        void run() throws IOException;
    }

    /** Runs {@code write}, turning a failure into a one-line {@link UserError}. */
    static void write(Path file, Write write) {
        try {
            write.run();
        } catch (IOException e) {
            throw new UserError("cannot write " + file + ": " + OutputDirectory.reason(e));
        }
    }
}
