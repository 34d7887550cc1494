package io.ava.spec;

/** The OpenCL object types the spec knows, each with the error code a driver gives for an invalid one. */
public enum HandleType {
    cl_platform_id(-32),
    cl_device_id(-33),
    cl_context(-34),
    cl_command_queue(-36),
    cl_mem(-38),
    cl_sampler(-41),
    cl_program(-44),
    cl_kernel(-48),
    cl_event(-58);

    private final int invalidCode;

    HandleType(int invalidCode) {
        this.invalidCode = invalidCode;
    }

    /** CL_INVALID_PLATFORM, CL_INVALID_MEM_OBJECT, ... */
    public int invalidCode() {
        return invalidCode;
    }

    /** The simple name of the JOCL class, which is also the spec word. */
    public String joclClassName() {
        return "org.jocl." + name();
    }

    public static HandleType forJoclClass(Class<?> type) {
        String simple = type.getSimpleName();
        for (HandleType t : values()) {
            if (t.name().equals(simple)) {
                return t;
            }
        }
        return null;
    }
}
