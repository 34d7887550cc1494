package io.ava.server.dispatch;

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
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * clEnqueueMapImage without JOCL's native map: JOCL 2.0.5 and 2.0.6 size the returned buffer
 * from an array they have already freed, so the buffer's capacity is garbage (natively too).
 * The server maps an image by reading the region into host memory with tightly packed pitches,
 * as a driver may choose, and unmaps it by writing the region back. The only visible difference:
 * the map's and unmap's events report CL_COMMAND_READ_IMAGE / CL_COMMAND_WRITE_IMAGE.
 */
final class ImageMaps {
    private static final long CL_MAP_WRITE = 1 << 1;
    private static final long CL_MAP_WRITE_INVALIDATE_REGION = 1 << 2;

    private ImageMaps() {
    }

    static boolean isImageMap(HandleTable table, long mapId) {
        return table.imageMapping(mapId) != null;
    }

    /**
     * The image's own pitches (what the driver reports for a map into its storage), the pitch
     * to read with (0 for images without layers) and the host bytes the region takes.
     * The agent computes the same from clGetImageInfo, so it can shadow the map before any byte arrives.
     */
    static long[] layout(cl_mem image, long[] region) {
        long[] elem = new long[1];
        long[] row = new long[1];
        long[] slice = new long[1];
        int[] type = new int[1];
        CL.clGetImageInfo(image, CL.CL_IMAGE_ELEMENT_SIZE, 8, Pointer.to(elem), null);
        CL.clGetImageInfo(image, CL.CL_IMAGE_ROW_PITCH, 8, Pointer.to(row), null);
        CL.clGetImageInfo(image, CL.CL_IMAGE_SLICE_PITCH, 8, Pointer.to(slice), null);
        CL.clGetMemObjectInfo(image, CL.CL_MEM_TYPE, 4, Pointer.to(type), null);
        boolean layered = type[0] == CL.CL_MEM_OBJECT_IMAGE3D || type[0] == CL.CL_MEM_OBJECT_IMAGE2D_ARRAY
                || type[0] == CL.CL_MEM_OBJECT_IMAGE1D_ARRAY;
        long size = (region[2] - 1) * slice[0] + (region[1] - 1) * row[0] + region[0] * elem[0];
        return new long[]{row[0], slice[0], size, layered ? slice[0] : 0};
    }

    static Dispatcher.Outcome map(FunctionSpec f, Call call, Object[] args, HandleEntry[] entries, cl_event event,
                                  boolean ownEvent, SessionContext ctx, Dispatcher d) throws ClError {
        cl_command_queue queue = (cl_command_queue) args[0];
        cl_mem image = (cl_mem) args[1];
        boolean blocking = (Boolean) args[2];
        long flags = (Long) args[3];
        long[] origin = (long[]) args[4];
        long[] region = (long[]) args[5];
        Reply.Builder reply = Reply.newBuilder().setCallId(call.getCallId());
        if (image == null || region == null || origin == null) {
            return refused(reply, HandleType.cl_mem.invalidCode(), args, event, ownEvent);
        }
        long[] layout = layout(image, region);
        if (layout[2] <= 0 || layout[2] > Integer.MAX_VALUE) {
            return refused(reply, Dispatcher.CL_INVALID_VALUE, args, event, ownEvent);
        }
        ByteBuffer memory = DirectBuffers.SHARED.acquire((int) layout[2]);
        boolean invalidate = (flags & CL_MAP_WRITE_INVALIDATE_REGION) != 0;
        cl_event ev = event != null ? event : new cl_event();
        int rc;
        if (invalidate) {
            rc = CL.clEnqueueMarkerWithWaitList(queue, (Integer) args[8], (cl_event[]) args[9], ev);
            if (rc == CL.CL_SUCCESS && blocking) {
                CL.clWaitForEvents(1, new cl_event[]{ev});
            }
        } else {
            rc = CL.clEnqueueReadImage(queue, image, blocking, origin, region, layout[0], layout[3], Pointer.to(memory),
                    (Integer) args[8], (cl_event[]) args[9], ev);
        }
        reply.setErrcode(rc).setNullObject(rc != CL.CL_SUCCESS);
        if (rc != CL.CL_SUCCESS) {
            if (event == null && ev.getNativePointer() != 0) {
                CL.clReleaseEvent(ev);
            }
            DirectBuffers.SHARED.release(memory);
            return new Dispatcher.Outcome(reply.build(), List.of(), true);
        }
        HandleTable table = ctx.table();
        table.mapped(call.getCallId(), memory);
        table.imageMapped(call.getCallId(), new HandleTable.ImageMapping(image, origin.clone(), region.clone(), layout[0], layout[3]));
        ReplyOutputs.put(reply, 6, Value.newBuilder().setScalar(layout[0]).build());
        ReplyOutputs.put(reply, 7, Value.newBuilder().setScalar(layout[1]).build());
        if (event != null && !ownEvent) {
            table.bind(call.getArgs(f.slot(10)).getScalar(), HandleType.cl_event, event, 0, null);
        }
        List<Dispatcher.BulkOut> bulk = new ArrayList<>();
        int slot = f.args().size();
        if (!blocking && !invalidate) {
            ctx.transfers().track(call.getCallId(), slot, memory, true, ev, event == null || ownEvent, false);
        } else {
            if (!invalidate) {
                ReplyOutputs.put(reply, slot, Dispatcher.outValue(f, null, memory, args, slot, table, bulk));
            }
            if (event == null || ownEvent) {
                CL.clReleaseEvent(ev);
            }
        }
        return new Dispatcher.Outcome(reply.build(), bulk, false);
    }

    static Dispatcher.Outcome unmap(FunctionSpec f, Call call, Object[] args, long mapId, SessionContext ctx, Dispatcher d) {
        HandleTable table = ctx.table();
        HandleTable.ImageMapping m = table.imageMapping(mapId);
        ByteBuffer memory = table.mapping(mapId);
        boolean writes = call.getArgs(f.slot(2)).getLongs().getValuesCount() > 1 && call.getArgs(f.slot(2)).getLongs().getValues(1) != 0;
        cl_command_queue queue = (cl_command_queue) args[0];
        cl_event event = (cl_event) args[5];
        cl_event ev = event != null ? event : new cl_event();
        int rc = writes
                ? CL.clEnqueueWriteImage(queue, m.image(), false, m.origin(), m.region(), m.rowPitch(), m.slicePitch(),
                Pointer.to(memory), (Integer) args[3], (cl_event[]) args[4], ev)
                : CL.clEnqueueMarkerWithWaitList(queue, (Integer) args[3], (cl_event[]) args[4], ev);
        Reply.Builder reply = Reply.newBuilder().setCallId(call.getCallId()).setResult(rc);
        if (rc == CL.CL_SUCCESS) {
            table.imageUnmapped(mapId);
            if (event != null) {
                table.bind(call.getArgs(f.slot(5)).getScalar(), HandleType.cl_event, event, 0, null);
            }
            // the write reads the host memory until it completes: keep it until then
            ctx.transfers().track(call.getCallId(), -1, memory, false, ev, event == null, true);
        } else if (event == null && ev.getNativePointer() != 0) {
            CL.clReleaseEvent(ev);
        }
        return new Dispatcher.Outcome(reply.build(), List.of(), rc != CL.CL_SUCCESS);
    }

    private static Dispatcher.Outcome refused(Reply.Builder reply, int code, Object[] args, cl_event event, boolean own) {
        return new Dispatcher.Outcome(reply.setErrcode(code).setNullObject(true).build(), List.of(), true);
    }
}
