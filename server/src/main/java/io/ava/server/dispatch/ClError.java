package io.ava.server.dispatch;

/** A call refused before it reached native code: the OpenCL error code to answer, and why. */
public final class ClError extends Exception {
    private final int code;

    public ClError(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public int code() {
        return code;
    }
}
