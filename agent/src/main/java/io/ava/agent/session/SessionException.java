package io.ava.agent.session;

/** The session to the server is gone or could not be opened. */
public final class SessionException extends Exception {
    public SessionException(String message) {
        super(message, null, false, false);
    }
}
