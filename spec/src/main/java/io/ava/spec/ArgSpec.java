package io.ava.spec;

/** One argument of a spec function: its role, handle type and size or count. */
public final class ArgSpec {
    private final int index;
    private final String name;
    private final Role role;
    private final HandleType handleType;
    private final SizeExpr size;
    private final boolean nullable;
    private final HostExtent extent;

    ArgSpec(int index, String name, Role role, HandleType handleType, SizeExpr size, boolean nullable) {
        this(index, name, role, handleType, size, nullable, null);
    }

    ArgSpec(int index, String name, Role role, HandleType handleType, SizeExpr size, boolean nullable, HostExtent extent) {
        this.extent = extent;
        this.index = index;
        this.name = name;
        this.role = role;
        this.handleType = handleType;
        this.size = size;
        this.nullable = nullable;
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public Role role() {
        return role;
    }

    /** The handle type for handle roles, null otherwise. */
    public HandleType handleType() {
        return handleType;
    }

    /** Size in bytes (buffers) or count in elements (arrays); null where the role has none. */
    public SizeExpr size() {
        return size;
    }

    /** For host memory of rectangles and images: how its size is computed (instead of {@link #size}). */
    public HostExtent extent() {
        return extent;
    }

    /** Whether a null handle is passed on to the driver rather than refused. */
    public boolean nullable() {
        return nullable;
    }

    @Override
    public String toString() {
        return name + ": " + role + (handleType != null ? " " + handleType : "") + (size != null ? " [" + size + "]" : "");
    }
}
