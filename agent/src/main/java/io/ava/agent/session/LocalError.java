package io.ava.agent.session;

/** A call the agent refuses before sending, with the code the native would give. */
final class LocalError extends Exception {
    final int code;

    LocalError(int code) {
        super(null, null, false, false);
        this.code = code;
    }
}
