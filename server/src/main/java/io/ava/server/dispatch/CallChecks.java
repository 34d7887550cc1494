package io.ava.server.dispatch;

import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.spec.ArgSpec;
import io.ava.spec.FunctionSpec;
import io.ava.spec.SizeExpr;

import static io.ava.server.dispatch.Dispatcher.CL_INVALID_VALUE;

/** Checks across arguments that keep transfers inside their buffers and allocations, before native code. */
final class CallChecks {
    private CallChecks() {
    }

    /** Copies, fills and maps of shared virtual memory stay inside the allocation. */
    static void checkSvmRange(FunctionSpec f, ArgSpec a, HandleTable.SvmAllocation alloc, long off,
                                      SizeExpr.Args scalars) throws ClError {
        long size;
        switch (f.name()) {
            case "clEnqueueSVMMemcpy":
                size = scalars.scalar(4);
                break;
            case "clEnqueueSVMMemFill":
                size = a.index() == 1 ? scalars.scalar(4) : scalars.scalar(3);
                break;
            case "clEnqueueSVMMap":
                size = scalars.scalar(4);
                break;
            default:
                return;
        }
        if (size < 0 || off + size > alloc.size()) {
            throw new ClError(CL_INVALID_VALUE, a.name() + ": " + size + " bytes at offset " + off
                    + " is outside the " + alloc.size() + "-byte allocation");
        }
    }

    /** Reads and writes must stay inside the buffer: checked here, not left to the driver. */
    static void checkTransfer(FunctionSpec f, ArgSpec a, Object[] args, HandleEntry[] entries, long size) throws ClError {
        if (f.name().equals("clEnqueueReadBuffer")) {
            HandleEntry mem = entries[1];
            long offset = (Long) args[3];
            if (offset < 0 || size < 0 || offset + size > mem.size() || offset + size < 0) {
                throw new ClError(CL_INVALID_VALUE, "read of " + size + " bytes at " + offset + " is outside the "
                        + mem.size() + "-byte buffer");
            }
        }
    }

    static void checkCrossArguments(FunctionSpec f, Object[] args, HandleEntry[] entries, SizeExpr.Args scalars) throws ClError {
        switch (f.name()) {
            case "clEnqueueNDRangeKernel": {
                // PoCL divides the global size by each local one (a program built for uniform work-groups):
                // a zero is a SIGFPE that kills the server; the spec's answer is CL_INVALID_WORK_GROUP_SIZE
                long dims = ((Number) args[2]).longValue();
                if (args[5] instanceof long[] local) {
                    for (int d = 0; d < Math.min(dims, local.length); d++) {
                        if (local[d] == 0) {
                            throw new ClError(-54, "local_work_size[" + d + "] is 0");
                        }
                    }
                }
                break;
            }
            case "clCreateProgramWithSource": {
                // the driver reads lengths[k] bytes of each string: never more than JOCL's copy of it holds
                String why = sourceLengthsOutside((String[]) args[2], (long[]) args[3], ((Number) args[1]).longValue());
                if (why != null) {
                    throw new ClError(CL_INVALID_VALUE, why);
                }
                break;
            }
            case "clEnqueueWriteBuffer": {
                long offset = (Long) args[3];
                long cb = (Long) args[4];
                if (offset < 0 || cb < 0 || offset + cb > entries[1].size() || offset + cb < 0) {
                    throw new ClError(CL_INVALID_VALUE, "write of " + cb + " bytes at " + offset + " is outside the "
                            + entries[1].size() + "-byte buffer");
                }
                break;
            }
            case "clEnqueueCopyBuffer": {
                long so = (Long) args[3];
                long d = (Long) args[4];
                long cb = (Long) args[5];
                if (so < 0 || d < 0 || cb < 0 || so + cb > entries[1].size() || d + cb > entries[2].size()
                        || so + cb < 0 || d + cb < 0) {
                    throw new ClError(CL_INVALID_VALUE, "copy of " + cb + " bytes is outside a buffer");
                }
                break;
            }
            case "clCompileProgram":
                // PoCL dereferences the names without checking them (a crash, not an error)
                if ((Integer) args[4] > 0 && (args[6] == null || ((String[]) args[6]).length < (Integer) args[4])) {
                    throw new ClError(CL_INVALID_VALUE, "header_include_names must name every input header");
                }
                break;
            case "clEnqueueReadImage":
            case "clEnqueueWriteImage":
                ImageBounds.check(entries[1], (long[]) args[3], (long[]) args[4]);
                break;
            case "clEnqueueFillImage":
                ImageBounds.check(entries[1], (long[]) args[3], (long[]) args[4]);
                break;
            case "clEnqueueCopyImage":
                ImageBounds.check(entries[1], (long[]) args[3], (long[]) args[5]);
                ImageBounds.check(entries[2], (long[]) args[4], (long[]) args[5]);
                break;
            case "clEnqueueCopyImageToBuffer":
                ImageBounds.check(entries[1], (long[]) args[3], (long[]) args[4]);
                break;
            case "clEnqueueCopyBufferToImage":
                ImageBounds.check(entries[2], (long[]) args[4], (long[]) args[5]);
                break;
            case "clEnqueueMapImage":
                ImageBounds.check(entries[1], (long[]) args[4], (long[]) args[5]);
                break;
            case "clEnqueueFillBuffer": {
                long offset = (Long) args[4];
                long size = (Long) args[5];
                if (offset < 0 || size < 0 || offset + size > entries[1].size() || offset + size < 0) {
                    throw new ClError(CL_INVALID_VALUE, "fill of " + size + " bytes at " + offset + " is outside the buffer");
                }
                break;
            }
            default:
                break;
        }
    }

    /** Why the source lengths overrun their strings (as JOCL hands them over: modified UTF-8), or null. */
    static String sourceLengthsOutside(String[] strings, long[] lengths, long count) {
        if (strings == null || count <= 0 || count > strings.length) {
            return "strings: " + (strings == null ? "null" : strings.length + " strings") + " for a count of " + count;
        }
        if (lengths == null) {
            return null;
        }
        for (int k = 0; k < count && k < strings.length; k++) {
            if (k >= lengths.length) {
                return "lengths: " + lengths.length + " entries for " + count + " strings";
            }
            long have = modifiedUtf8Length(strings[k]);
            if (lengths[k] < 0 || lengths[k] > have) {
                return "lengths[" + k + "] = " + lengths[k] + " but the string has " + have + " bytes";
            }
        }
        return null;
    }

    static long modifiedUtf8Length(String s) {
        if (s == null) {
            return 0;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c != 0 && c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        return n;
    }
}
