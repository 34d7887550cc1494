package io.ava.server.dispatch;

import com.google.protobuf.ByteString;
import io.ava.proto.Call;
import io.ava.proto.Reply;
import io.ava.proto.ReplyOutputs;
import io.ava.proto.Value;
import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_kernel;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every program is built with {@code -cl-kernel-arg-info}, so the server always knows which kernel arguments
 * are objects. PoCL reports argument info only when the options were NULL or named the flag; without it the
 * server could not tell raw bytes meant for a buffer argument (which the driver follows as a pointer: a SIGSEGV
 * that kills every session) from a by-value {@code long}, and the agent could not check clSetKernelArg locally.
 *
 * <p>What the client sees stays what the driver would have said: clGetKernelArgInfo on such a program answers
 * CL_KERNEL_ARG_INFO_NOT_AVAILABLE, and CL_PROGRAM_BUILD_OPTIONS the options the client gave.
 */
final class KernelArgInfoOption {
    static final String FLAG = "-cl-kernel-arg-info";
    private static final int CL_KERNEL_ARG_INFO_NOT_AVAILABLE = -19;
    private static final int CL_PROGRAM_BUILD_OPTIONS = 0x1182;

    /** Programs (native pointers) built with the flag added, and the options their client gave. */
    private final Map<Long, String> added = new ConcurrentHashMap<>();

    static boolean builds(FunctionSpec f) {
        return switch (f.name()) {
            case "clBuildProgram", "clCompileProgram", "clLinkProgram" -> true;
            default -> false;
        };
    }

    /**
     * Before a build, compile or link ({@code args[3]} holds the options): the options the client gave if the
     * flag was added, else null.
     */
    static String addFlag(Object[] args) {
        String options = (String) args[3];
        if (options == null || Arrays.asList(options.trim().split("\\s+")).contains(FLAG)) {
            return null; // the driver gives argument info already
        }
        args[3] = options.isBlank() ? FLAG : options + " " + FLAG;
        return options;
    }

    /** After the driver built {@code program}: {@code clientOptions} from {@link #addFlag} (null: not added). */
    void built(long program, String clientOptions) {
        if (clientOptions == null) {
            added.remove(program);
        } else {
            added.put(program, clientOptions);
        }
    }

    /** The answer the driver would give without the added flag, or null when the driver answers itself. */
    Dispatcher.Outcome answer(FunctionSpec f, Call call, HandleTable table) {
        if (added.isEmpty()) {
            return null;
        }
        if (f.name().equals("clGetKernelArgInfo")) {
            HandleEntry k = table.find(call.getScalars(f.slot(0)));
            if (k == null || k.type() != HandleType.cl_kernel || !added.containsKey(programOf((cl_kernel) k.object()))) {
                return null;
            }
            int[] args = new int[1];
            if (CL.clGetKernelInfo((cl_kernel) k.object(), CL.CL_KERNEL_NUM_ARGS, 4, Pointer.to(args), null) != CL.CL_SUCCESS
                    || call.getScalars(f.slot(1)) < 0 || call.getScalars(f.slot(1)) >= args[0]) {
                return null; // CL_INVALID_ARG_INDEX comes first: the driver says so
            }
            return Dispatcher.Outcome.answered(Reply.newBuilder().setCallId(call.getCallId()).setResult(CL_KERNEL_ARG_INFO_NOT_AVAILABLE));
        }
        if (f.name().equals("clGetProgramBuildInfo") && call.getScalars(f.slot(2)) == CL_PROGRAM_BUILD_OPTIONS) {
            HandleEntry p = table.find(call.getScalars(f.slot(0)));
            String options = p == null || p.type() != HandleType.cl_program ? null : added.get(p.object().getNativePointer());
            long deviceId = call.getScalars(f.slot(1));
            HandleEntry d = deviceId == 0 ? null : table.find(deviceId);
            if (options == null || d == null || d.type() != HandleType.cl_device_id) {
                return null;
            }
            byte[] text = (options + "\0").getBytes(StandardCharsets.UTF_8);
            Reply.Builder reply = Reply.newBuilder().setCallId(call.getCallId());
            if (!call.getArgs(f.slot(4)).getIsNull()) {
                if (call.getScalars(f.slot(3)) < text.length) {
                    return Dispatcher.Outcome.answered(reply.setResult(Dispatcher.CL_INVALID_VALUE));
                }
                ReplyOutputs.put(reply, 4, Value.newBuilder().setData(ByteString.copyFrom(text)).build());
            }
            if (!call.getArgs(f.slot(5)).getIsNull()) {
                ReplyOutputs.put(reply, 5, Value.newBuilder().setScalar(text.length).build());
            }
            return Dispatcher.Outcome.answered(reply.setResult(Dispatcher.CL_SUCCESS));
        }
        return null;
    }

    private static long programOf(cl_kernel kernel) {
        long[] program = new long[1];
        return CL.clGetKernelInfo(kernel, CL.CL_KERNEL_PROGRAM, 8, Pointer.to(program), null) == CL.CL_SUCCESS ? program[0] : 0;
    }

}
