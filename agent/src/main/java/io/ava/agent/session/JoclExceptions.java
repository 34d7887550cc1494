package io.ava.agent.session;

/** Rethrows on the client the exception JOCL's native threw on the server for the same arguments. */
final class JoclExceptions {
    private JoclExceptions() {
    }

    static RuntimeException rethrow(String className, String message) {
        switch (className) {
            case "java.lang.NullPointerException":
                return new NullPointerException(message);
            case "java.lang.IllegalArgumentException":
                return new IllegalArgumentException(message);
            case "java.lang.IndexOutOfBoundsException":
                return new IndexOutOfBoundsException(message);
            case "java.lang.ArrayIndexOutOfBoundsException":
                return new ArrayIndexOutOfBoundsException(message);
            case "java.lang.UnsupportedOperationException":
                return new UnsupportedOperationException(message);
            case "org.jocl.CLException":
                return new org.jocl.CLException(message);
            default:
                return new IllegalStateException(className + ": " + message);
        }
    }
}
