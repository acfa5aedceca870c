package org.flows4j.io;

import java.io.IOException;

/**
 * A data file (CSV or .npy) that flows4j cannot use: missing, empty, ragged, not numbers, not
 * finite, or of an unsupported layout. The one-line message names the file and, for text, the line.
 */
public final class DataFileException extends IOException {
    public DataFileException(String message) {
        super(message);
    }

    public DataFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
