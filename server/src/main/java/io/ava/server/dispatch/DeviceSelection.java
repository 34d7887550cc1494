package io.ava.server.dispatch;

import io.ava.proto.Call;
import io.ava.proto.HandleRefs;
import io.ava.proto.Reply;
import io.ava.proto.ReplyOutputs;
import io.ava.proto.Value;
import io.ava.server.handles.HandleEntry;
import io.ava.server.handles.HandleTable;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.util.ArrayList;
import java.util.List;

/**
 * The platform and device the server offers (--platform, --device). Without either flag every
 * platform and device is offered; with them, clGetPlatformIDs and clGetDeviceIDs answer as if the
 * chosen ones were the only ones on the machine.
 */
public final class DeviceSelection {
    private final Integer platformIndex;
    private final Integer deviceIndex;
    private cl_platform_id platform;
    private cl_device_id device;

    public DeviceSelection(Integer platformIndex, Integer deviceIndex) {
        this.platformIndex = platformIndex;
        this.deviceIndex = deviceIndex;
    }

    /** Finds the chosen platform and device; a one-line error when they do not exist. */
    public String resolve() {
        int[] n = new int[1];
        if (CL.clGetPlatformIDs(0, null, n) != CL.CL_SUCCESS || n[0] == 0) {
            return "no OpenCL platform found (is an ICD such as pocl-opencl-icd installed?)";
        }
        cl_platform_id[] platforms = new cl_platform_id[n[0]];
        CL.clGetPlatformIDs(n[0], platforms, null);
        int p = platformIndex == null ? 0 : platformIndex;
        if (p < 0 || p >= platforms.length) {
            return "--platform " + p + ": there are " + platforms.length + " platforms (0.." + (platforms.length - 1) + ")";
        }
        platform = platforms[p];
        int[] dn = new int[1];
        CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, dn);
        cl_device_id[] devices = new cl_device_id[dn[0]];
        if (dn[0] > 0) {
            CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, dn[0], devices, null);
        }
        if (deviceIndex != null) {
            if (deviceIndex < 0 || deviceIndex >= devices.length) {
                return "--device " + deviceIndex + ": platform " + p + " has " + devices.length + " devices";
            }
            device = devices[deviceIndex];
        }
        return null;
    }

    /** The native pointers of every platform's root devices (those clGetDeviceIDs lists: never freed). */
    static java.util.Set<Long> rootDevicePointers() {
        java.util.Set<Long> out = new java.util.HashSet<>();
        int[] n = new int[1];
        if (CL.clGetPlatformIDs(0, null, n) != CL.CL_SUCCESS || n[0] == 0) {
            return out;
        }
        cl_platform_id[] platforms = new cl_platform_id[n[0]];
        CL.clGetPlatformIDs(n[0], platforms, null);
        for (cl_platform_id pl : platforms) {
            int[] dn = new int[1];
            if (CL.clGetDeviceIDs(pl, CL.CL_DEVICE_TYPE_ALL, 0, null, dn) != CL.CL_SUCCESS || dn[0] == 0) {
                continue;
            }
            cl_device_id[] devices = new cl_device_id[dn[0]];
            CL.clGetDeviceIDs(pl, CL.CL_DEVICE_TYPE_ALL, dn[0], devices, null);
            for (cl_device_id d : devices) {
                out.add(d.getNativePointer());
            }
        }
        return out;
    }

    /** The most global memory any offered device has (CL_DEVICE_GLOBAL_MEM_SIZE), 0 if none says. */
    public long globalMemory() {
        long most = 0;
        int[] n = new int[1];
        CL.clGetPlatformIDs(0, null, n);
        cl_platform_id[] platforms = new cl_platform_id[n[0]];
        if (n[0] > 0) {
            CL.clGetPlatformIDs(n[0], platforms, null);
        }
        for (cl_platform_id pl : platforms) {
            if (platform != null && platformIndex != null && !pl.equals(platform)) {
                continue;
            }
            int[] dn = new int[1];
            CL.clGetDeviceIDs(pl, CL.CL_DEVICE_TYPE_ALL, 0, null, dn);
            if (dn[0] == 0) {
                continue;
            }
            cl_device_id[] devices = new cl_device_id[dn[0]];
            CL.clGetDeviceIDs(pl, CL.CL_DEVICE_TYPE_ALL, dn[0], devices, null);
            for (cl_device_id d : devices) {
                if (device != null && !d.equals(device)) {
                    continue;
                }
                long[] size = new long[1];
                if (CL.clGetDeviceInfo(d, CL.CL_DEVICE_GLOBAL_MEM_SIZE, 8, org.jocl.Pointer.to(size), null) == CL.CL_SUCCESS) {
                    most = Math.max(most, size[0]);
                }
            }
        }
        return most;
    }

    public String describe() {
        String pn = info(platform);
        return pn + (device != null ? " / " + deviceName(device) : "");
    }

    boolean handles(FunctionSpec f) {
        if (platformIndex == null && deviceIndex == null) {
            return false;
        }
        return f.name().equals("clGetPlatformIDs") || (deviceIndex != null && f.name().equals("clGetDeviceIDs"));
    }

    Dispatcher.Outcome execute(FunctionSpec f, Call call, HandleTable table) throws ClError {
        List<Object> offered = new ArrayList<>();
        HandleType type;
        int entriesArg;
        int countArg;
        int numEntriesArg;
        if (f.name().equals("clGetPlatformIDs")) {
            offered.add(platform);
            type = HandleType.cl_platform_id;
            numEntriesArg = 0;
            entriesArg = 1;
            countArg = 2;
        } else {
            long pv = call.getScalars(f.slot(0));
            if (pv != 0) {
                HandleEntry e = table.lookup(pv, HandleType.cl_platform_id);
                if (e.object().getNativePointer() != platform.getNativePointer()) {
                    throw new ClError(HandleType.cl_platform_id.invalidCode(), "platform not offered by this server");
                }
            }
            long[] type0 = new long[1];
            CL.clGetDeviceInfo(device, CL.CL_DEVICE_TYPE, 8, Pointer.to(type0), null);
            long wanted = call.getScalars(f.slot(1));
            if ((wanted & type0[0]) != 0 || wanted == CL.CL_DEVICE_TYPE_ALL || wanted == CL.CL_DEVICE_TYPE_DEFAULT) {
                offered.add(device);
            }
            type = HandleType.cl_device_id;
            numEntriesArg = 2;
            entriesArg = 3;
            countArg = 4;
        }
        long numEntries = call.getScalars(f.slot(numEntriesArg));
        Value entries = call.getArgs(f.slot(entriesArg));
        Value count = call.getArgs(f.slot(countArg));
        Reply.Builder reply = Reply.newBuilder().setCallId(call.getCallId());
        if ((numEntries == 0 && !entries.getIsNull()) || (entries.getIsNull() && count.getIsNull())) {
            return new Dispatcher.Outcome(reply.setResult(Dispatcher.CL_INVALID_VALUE).build(), List.of(), true);
        }
        if (offered.isEmpty()) {
            return new Dispatcher.Outcome(reply.setResult(CL.CL_DEVICE_NOT_FOUND).build(), List.of(), true);
        }
        if (!entries.getIsNull()) {
            HandleRefs.Builder refs = HandleRefs.newBuilder();
            for (int k = 0; k < entries.getOutSize(); k++) {
                if (k < Math.min(numEntries, offered.size())) {
                    refs.addIds(table.idFor((org.jocl.NativePointerObject) offered.get(k), type, false));
                } else {
                    refs.addIds(0);
                }
                refs.addTypes(type.ordinal());
            }
            ReplyOutputs.put(reply, entriesArg, Value.newBuilder().setRefs(refs).build());
        }
        if (!count.getIsNull()) {
            ReplyOutputs.put(reply, countArg, Value.newBuilder().setScalar(offered.size()).build());
        }
        return new Dispatcher.Outcome(reply.setResult(CL.CL_SUCCESS).build(), List.of(), false);
    }

    private static String info(cl_platform_id p) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, CL.CL_PLATFORM_NAME, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetPlatformInfo(p, CL.CL_PLATFORM_NAME, b.length, Pointer.to(b), null);
        return new String(b, 0, Math.max(0, b.length - 1));
    }

    private static String deviceName(cl_device_id d) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, CL.CL_DEVICE_NAME, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, CL.CL_DEVICE_NAME, b.length, Pointer.to(b), null);
        return new String(b, 0, Math.max(0, b.length - 1));
    }
}
