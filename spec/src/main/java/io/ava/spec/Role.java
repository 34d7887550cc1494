package io.ava.spec;

/** What one argument of a JOCL native is, as far as remoting is concerned. */
public enum Role {
    /** int, long or boolean passed by value */
    scalar(false, false),
    /** a JOCL object: its id travels */
    handle(true, false),
    /** an array of JOCL objects, read by the call */
    handles(true, true),
    /** an array of JOCL objects the call fills (clGetPlatformIDs) */
    out_handles(true, true),
    /** the cl_event an enqueue fills, or null */
    out_event(false, false),
    /** host memory the call reads: size in bytes */
    in(false, true),
    /** host memory the call writes: size in bytes */
    out(false, true),
    /** a long[] the call reads (offsets, regions, work sizes): count in elements */
    longs(false, true),
    /** a single int[] or long[] element the call writes (num_platforms, old_properties) */
    out_scalar(false, false),
    /** the int[] errcode_ret of a creating call */
    errcode_ret(false, false),
    /** the long[] param_value_size_ret of an info query */
    size_ret(false, false),
    /** a String */
    string(false, false),
    /** a String[] with count */
    strings(false, true),
    /** byte[][] program binaries (lengths come from the arrays themselves) */
    binaries(false, true),
    /** an int[] the call writes: count in elements */
    out_ints(false, true),
    /** a cl_context_properties / cl_queue_properties list; platform values are handles */
    properties(false, false),
    /** host memory the call reads and writes (rectangle reads: the gaps between rows must survive) */
    inout(false, true),
    /** a cl_image_format, or an array of them (clCreateImage2D takes one in an array) */
    image_format(false, false),
    /** a cl_image_desc */
    image_desc(false, false),
    /** a cl_image_format[] the call fills: count in elements */
    out_image_formats(false, true),
    /** a Pointer into shared virtual memory (clSVMAlloc's result, or a pointer into it) */
    svm_ptr(false, false),
    /** a Pointer[] of shared virtual memory pointers: count in elements */
    svm_ptrs(false, true),
    /** kernel exec info: bytes, or (CL_KERNEL_EXEC_INFO_SVM_PTRS) pointers into shared virtual memory */
    exec_info(false, true),
    /** a cl_buffer_region (origin and size) */
    buffer_region(false, false),
    /** a ByteBuffer that a map call returned, given back to unmap it */
    mapped(false, false),
    /** a callback function object; never leaves the client */
    callback(false, false),
    /** user data for a callback; never leaves the client */
    user_data(false, false);

    private final boolean needsType;
    private final boolean needsSize;

    Role(boolean needsType, boolean needsSize) {
        this.needsType = needsType;
        this.needsSize = needsSize;
    }

    public boolean needsType() {
        return needsType;
    }

    /** Whether the spec must give a size or count expression in brackets. */
    public boolean needsSize() {
        return needsSize;
    }
}
