package org.flows4j.cli;

/** A problem with what the user asked for: reported as one line, exit code 2. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    /** Throws a UserError with {@code message} unless {@code ok}. */
    static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }
}
