package io.ava.spec;

/** A spec that cannot be used: the message names the line of the YAML file. */
public class SpecException extends RuntimeException {
    public SpecException(int line, String message) {
        super("opencl.yaml line " + line + ": " + message);
    }

    public SpecException(String message, Throwable cause) {
        super(message, cause);
    }
}
