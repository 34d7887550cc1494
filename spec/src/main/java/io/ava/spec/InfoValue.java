package io.ava.spec;

/** How the value of an info query must be translated between native pointers and client ids. */
public final class InfoValue {
    public enum Kind {
        /** an array of handles of one type */
        handles,
        /** a cl_context_properties list whose CL_CONTEXT_PLATFORM values are handles */
        context_properties,
        /** CL_PROGRAM_BINARIES: an array of pointers to host buffers */
        binaries
    }

    private final Kind kind;
    private final HandleType handleType;

    InfoValue(Kind kind, HandleType handleType) {
        this.kind = kind;
        this.handleType = handleType;
    }

    public Kind kind() {
        return kind;
    }

    public HandleType handleType() {
        return handleType;
    }
}
