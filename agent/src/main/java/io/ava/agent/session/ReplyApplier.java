package io.ava.agent.session;

import com.google.protobuf.ByteString;
import io.ava.agent.marshal.HostMemory;
import io.ava.agent.marshal.Jocl;
import io.ava.proto.HandleRefs;
import io.ava.proto.KernelMeta;
import io.ava.proto.Reply;
import io.ava.proto.ReplyOutputs;
import io.ava.proto.Value;
import io.ava.spec.ArgSpec;
import io.ava.spec.FunctionSpec;
import io.ava.spec.HandleType;
import io.ava.spec.HostExtent;
import io.ava.spec.Role;
import org.jocl.BuildProgramFunction;
import org.jocl.NativePointerObject;
import org.jocl.Pointer;
import org.jocl.cl_program;

import java.util.Iterator;
import java.util.Map;

/**
 * Applies a reply to the intercepted call: the value the native returns, and everything it
 * writes: errcode_ret, sizes, output handles (filled into the application's own objects), host
 * memory, image formats; and keeps the agent's view of its objects up to date.
 */
final class ReplyApplier {
    static final int CL_SUCCESS = 0;

    private final ClientObjects objects;
    private final Map<Long, Long> imageElementSizes;

    ReplyApplier(ClientObjects objects, Map<Long, Long> imageElementSizes) {
        this.objects = objects;
        this.imageElementSizes = imageElementSizes;
    }

    void applyPredicted(FunctionSpec f, Object[] args, long[] eventIds) {
        for (int i = 0; i < args.length; i++) {
            if (f.arg(i).role() == Role.out_event && args[i] != null) {
                Jocl.setId((NativePointerObject) args[i], eventIds[i]);
                objects.created(eventIds[i], HandleType.cl_event, contextOfQueue(args[0]), 0);
            }
        }
        if (f.name().equals("clSetKernelArg")) {
            objects.argSet(Jocl.id((NativePointerObject) args[0]), (Integer) args[1]);
        }
    }

    Object apply(FunctionSpec f, Object[] args, Reply reply, HostMemory.Region[] outRegions, long[] eventIds) {
        if (!reply.getExceptionClass().isEmpty()) {
            throw JoclExceptions.rethrow(reply.getExceptionClass(), reply.getExceptionMessage());
        }
        int code;
        Object result;
        if (f.returns() == FunctionSpec.Returns.handle) {
            code = reply.getErrcode();
            result = null;
            long id = reply.getResult();
            if (!reply.getNullObject()) {
                result = Jocl.newHandle(f.allocates(), id);
            }
            if (id != 0) {
                if (f.name().startsWith("clCreateImage")) {
                    imageElementSizes.put(id, HostExtent.elementSize(ArgEncoder.formatOf(args[2])));
                }
                objects.created(id, f.allocates(), contextFor(f, args, id), memSize(f, args));
                if (f.allocates() == HandleType.cl_kernel && reply.getKernelsCount() > 0) {
                    objects.kernelMeta(id, reply.getKernels(0));
                }
            }
            for (int i = 0; i < args.length; i++) {
                if (f.arg(i).role() == Role.errcode_ret && args[i] != null) {
                    ((int[]) args[i])[0] = code;
                }
            }
        } else if (f.returns() == FunctionSpec.Returns.mapped) {
            code = reply.getErrcode();
            result = null; // the caller returns the shadow when the map succeeded
            for (int i = 0; i < args.length; i++) {
                if (f.arg(i).role() == Role.errcode_ret && args[i] != null) {
                    ((int[]) args[i])[0] = code;
                }
            }
            Value returned = ReplyOutputs.get(reply, args.length);
            if (returned != null && returned.hasData() && outRegions[args.length] != null) {
                outRegions[args.length].write(0, returned.getData());
            }
        } else {
            code = (int) reply.getResult();
            result = code;
        }
        if (code == CL_SUCCESS) {
            if (f.deallocates() != null) {
                objects.applied(Jocl.id((NativePointerObject) args[0]), f.deallocates().handleType(), false);
            } else if (f.retains() != null) {
                objects.applied(Jocl.id((NativePointerObject) args[0]), f.retains().handleType(), true);
            } else if (f.name().equals("clSetKernelArg") || f.name().equals("clSetKernelArgSVMPointer")) {
                objects.argSet(Jocl.id((NativePointerObject) args[0]), (Integer) args[1]);
            }
        }
        Iterator<KernelMeta> kernelMetas = reply.getKernelsList().iterator();
        for (int i = 0; i < args.length; i++) {
            ArgSpec a = f.arg(i);
            Object arg = args[i];
            if (arg == null) {
                continue;
            }
            Value v = ReplyOutputs.get(reply, i);
            switch (a.role()) {
                case out_event:
                    if (code == CL_SUCCESS) {
                        Jocl.setId((NativePointerObject) arg, eventIds[i]);
                        objects.created(eventIds[i], HandleType.cl_event, contextOfQueue(args[0]), 0);
                    }
                    break;
                case out_handles:
                    if (v != null && v.hasRefs()) {
                        Object[] array = (Object[]) arg;
                        boolean owned = a.handleType() == HandleType.cl_kernel;
                        long context = owned ? objects.contextOf(Jocl.id((NativePointerObject) args[0]), HandleType.cl_program) : 0;
                        for (int k = 0; k < array.length && k < v.getRefs().getIdsCount(); k++) {
                            long id = v.getRefs().getIds(k);
                            if (id == 0) {
                                continue;
                            }
                            array[k] = fill((NativePointerObject) array[k], a.handleType(), id);
                            if (owned) {
                                objects.created(id, HandleType.cl_kernel, context, 0);
                                if (kernelMetas.hasNext()) {
                                    objects.kernelMeta(id, kernelMetas.next());
                                }
                            } else {
                                objects.reported(id, a.handleType(), false);
                            }
                        }
                    }
                    break;
                case out:
                    if (v != null) {
                        writeOut((Pointer) arg, v, outRegions[i]);
                    }
                    break;
                case out_scalar:
                    if (v != null) {
                        if (arg instanceof int[]) {
                            ((int[]) arg)[0] = (int) v.getScalar();
                        } else {
                            ((long[]) arg)[0] = v.getScalar();
                        }
                    }
                    break;
                case size_ret:
                    if (v != null) {
                        ((long[]) arg)[0] = v.getScalar();
                    }
                    break;
                case out_image_formats:
                    if (v != null) {
                        Object[] out = (Object[]) arg;
                        for (int k = 0; k < out.length && 2 * k + 1 < v.getLongs().getValuesCount(); k++) {
                            org.jocl.cl_image_format fmt = out[k] != null ? (org.jocl.cl_image_format) out[k] : new org.jocl.cl_image_format();
                            fmt.image_channel_order = (int) v.getLongs().getValues(2 * k);
                            fmt.image_channel_data_type = (int) v.getLongs().getValues(2 * k + 1);
                            out[k] = fmt;
                        }
                    }
                    break;
                case inout:
                case svm_ptr:
                    if (v != null && v.hasData() && outRegions[i] != null) {
                        outRegions[i].write(0, v.getData());
                    }
                    break;
                case out_ints:
                    if (v != null) {
                        int[] out = (int[]) arg;
                        for (int k = 0; k < out.length && k < v.getLongs().getValuesCount(); k++) {
                            out[k] = (int) v.getLongs().getValues(k);
                        }
                    }
                    break;
                default:
                    break;
            }
        }
        if (f.name().equals("clBuildProgram") && args[4] != null) {
            // the build ran to completion on the server: tell the application, as a driver would
            ((BuildProgramFunction) args[4]).function((cl_program) args[0], args[5]);
        }
        return result;
    }

    private void writeOut(Pointer p, Value v, HostMemory.Region region) {
        if (v.hasRefs()) {
            HandleRefs refs = v.getRefs();
            HandleType[] types = HandleType.values();
            if (Jocl.pointsToObjects(p)) {
                NativePointerObject[] targets = Jocl.pointers(p);
                for (int k = 0; k < targets.length && k < refs.getIdsCount(); k++) {
                    HandleType t = types[refs.getTypes(k)];
                    targets[k] = fill(targets[k], t, refs.getIds(k));
                    objects.reported(refs.getIds(k), t, false);
                }
            } else if (region != null) {
                for (int k = 0; k < refs.getIdsCount() && (k + 1) * 8L <= region.available(); k++) {
                    region.writeLong(k * 8L, refs.getIds(k));
                    objects.reported(refs.getIds(k), types[refs.getTypes(k)], false);
                }
            }
        } else if (v.hasBlobs()) {
            NativePointerObject[] targets = Jocl.pointsToObjects(p) ? Jocl.pointers(p) : new NativePointerObject[0];
            for (int k = 0; k < targets.length && k < v.getBlobs().getValuesCount(); k++) {
                if (targets[k] instanceof Pointer) {
                    HostMemory.Region r = HostMemory.resolve((Pointer) targets[k]);
                    ByteString blob = v.getBlobs().getValues(k);
                    if (r != null && r.available() >= blob.size()) {
                        r.write(0, blob);
                    }
                }
            }
        } else if (v.hasLongs() && region != null) {
            for (int k = 0; k < v.getLongs().getValuesCount() && (k + 1) * 8L <= region.available(); k++) {
                region.writeLong(k * 8L, v.getLongs().getValues(k));
            }
        } else if (v.hasData() && region != null) {
            // an info answer larger than the application's array: natively it overruns the array, here it is cut
            ByteString data = v.getData();
            region.write(0, data.size() > region.available() ? data.substring(0, (int) Math.max(0, region.available())) : data);
        }
        // bulk_size: the chunks were written into the region as they arrived
    }

    /** Writes an id into the application's object, or makes the object where the array slot is empty. */
    private static NativePointerObject fill(NativePointerObject target, HandleType type, long id) {
        if (target == null) {
            return Jocl.newHandle(type, id);
        }
        Jocl.setId(target, id);
        return target;
    }

    private long contextFor(FunctionSpec f, Object[] args, long newId) {
        if (f.allocates() == HandleType.cl_context) {
            return newId;
        }
        if (args.length > 0 && args[0] instanceof NativePointerObject) {
            NativePointerObject first = (NativePointerObject) args[0];
            HandleType t = HandleType.forJoclClass(first.getClass());
            if (t == HandleType.cl_context) {
                return Jocl.id(first);
            }
            if (t != null) {
                return objects.contextOf(Jocl.id(first), t);
            }
        }
        return 0;
    }

    /** Bytes of a buffer the call creates, for the local checks of later transfers. */
    private static long memSize(FunctionSpec f, Object[] args) {
        switch (f.name()) {
            case "clCreateBuffer":
                return (Long) args[2];
            case "clCreateSubBuffer2":
                return ((org.jocl.cl_buffer_region) args[3]).size;
            case "clCreateSubBuffer": {
                HostMemory.Region r = HostMemory.resolve((Pointer) args[3]);
                return r == null || r.available() < 16 ? 0 : r.read(8, 8).asReadOnlyByteBuffer().order(java.nio.ByteOrder.nativeOrder()).getLong();
            }
            default:
                return 0;
        }
    }

    private long contextOfQueue(Object queue) {
        return queue == null ? 0 : objects.contextOf(Jocl.id((NativePointerObject) queue), HandleType.cl_command_queue);
    }
}
