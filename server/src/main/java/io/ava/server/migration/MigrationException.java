package io.ava.server.migration;

/** Why a migration stopped, in one line: the source keeps serving the session. */
public final class MigrationException extends Exception {
    public MigrationException(String message) {
        super(message);
    }
}
