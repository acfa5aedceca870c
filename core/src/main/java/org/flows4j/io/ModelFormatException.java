package org.flows4j.io;

import java.io.IOException;

/**
 * A model or checkpoint file that flows4j cannot use: missing, unreadable, truncated, corrupted,
 * or describing a model that does not fit its tensors. The message says what is wrong in one line.
 * Every failure of {@link SafeTensors#read}, {@link FlowFiles#load}, {@link TorchImport#load} and
 * {@link Checkpoints#read} is reported as this one type.
 */
public final class ModelFormatException extends IOException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
