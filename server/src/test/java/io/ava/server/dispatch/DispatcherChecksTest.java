package io.ava.server.dispatch;

import com.google.protobuf.ByteString;
import io.ava.proto.Call;
import io.ava.proto.LongList;
import io.ava.proto.Reply;
import io.ava.proto.Value;
import io.ava.server.handles.HandleTable;
import io.ava.spec.FunctionSpec;
import io.ava.spec.Spec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad calls are answered with OpenCL error codes before anything reaches native code. Runs the
 * real dispatcher on the real PoCL device: a check that failed would crash this JVM.
 */
class DispatcherChecksTest {
    private static Spec spec;
    private static Dispatcher dispatcher;
    /** A session with no client behind it: pushes and bulk output are dropped. */
    private static final class Session implements SessionContext {
        final HandleTable table = new HandleTable();
        final Transfers transfers = new Transfers(this);

        public HandleTable table() {
            return table;
        }

        public java.nio.ByteBuffer takeBulk(long callId, int arg) {
            return null;
        }

        public void push(io.ava.proto.Push push) {
        }

        public void sendBulk(long callId, int arg, java.nio.ByteBuffer data) {
        }

        public Transfers transfers() {
            return transfers;
        }

        public void printfLaunched() {
        }

        final io.ava.server.replay.RecordLog log = new io.ava.server.replay.RecordLog();

        public io.ava.server.replay.RecordLog recordLog() {
            return log;
        }
    }

    @BeforeAll
    static void setUp() {
        spec = Spec.bundled();
        DeviceSelection selection = new DeviceSelection(null, null);
        assertEquals(null, selection.resolve(), "PoCL must be installed (./test.sh installs it)");
        dispatcher = new Dispatcher(spec, new NativeFunctions(spec), selection);
    }

    private static int index(String name) {
        return spec.forNative(name + "Native").index();
    }

    private static Reply run(Session t, Call c) {
        return dispatcher.execute(c, t).reply;
    }

    /** Builds a session with one context, queue and 64-byte buffer; returns the buffer's id. */
    private static long[] sessionWithBuffer(Session t) {
        Reply platforms = run(t, Call.newBuilder().setCallId(1).setFunction(index("clGetPlatformIDs"))
                .addScalars(1).addArgs(Value.newBuilder().setOutSize(1)).addArgs(Value.newBuilder().setIsNull(true)).build());
        long platform = platforms.getOutputsMap().get(1).getRefs().getIds(0);
        Reply devices = run(t, Call.newBuilder().setCallId(2).setFunction(index("clGetDeviceIDs"))
                .addScalars(platform).addScalars(-1L).addScalars(1)
                .addArgs(Value.newBuilder().setOutSize(1)).addArgs(Value.newBuilder().setIsNull(true)).build());
        long device = devices.getOutputsMap().get(3).getRefs().getIds(0);
        Reply ctx = run(t, Call.newBuilder().setCallId(3).setFunction(index("clCreateContext")).setNewId(10)
                .addArgs(Value.newBuilder().setIsNull(true)).addScalars(1)
                .addArgs(Value.newBuilder().setLongs(LongList.newBuilder().addValues(device)))
                .addArgs(Value.newBuilder().setIsNull(true)).addArgs(Value.newBuilder().setIsNull(true))
                .addArgs(Value.newBuilder().setIsNull(true)).build());
        assertEquals(0, ctx.getErrcode());
        Reply q = run(t, Call.newBuilder().setCallId(4).setFunction(index("clCreateCommandQueue")).setNewId(11)
                .addScalars(10).addScalars(device).addScalars(0).addArgs(Value.newBuilder().setIsNull(true)).build());
        assertEquals(0, q.getErrcode());
        Reply mem = run(t, Call.newBuilder().setCallId(5).setFunction(index("clCreateBuffer")).setNewId(12)
                .addScalars(10).addScalars(1).addScalars(64)
                .addArgs(Value.newBuilder().setIsNull(true)).addArgs(Value.newBuilder().setIsNull(true)).build());
        assertEquals(0, mem.getErrcode());
        return new long[]{10, 11, 12};
    }

    private static Call read(long queue, long mem, long offset, long cb, long clientCapacity) {
        return Call.newBuilder().setCallId(9).setFunction(index("clEnqueueReadBuffer"))
                .addScalars(queue).addScalars(mem).addScalars(1).addScalars(offset).addScalars(cb)
                .addArgs(Value.newBuilder().setOutSize(clientCapacity)).addScalars(0)
                .addArgs(Value.newBuilder().setIsNull(true)).addArgs(Value.newBuilder().setIsNull(true)).build();
    }

    @Test
    void readPastTheEndOfABufferIsInvalidValue() {
        Session t = new Session();
        long[] ids = sessionWithBuffer(t);
        assertEquals(-30, run(t, read(ids[1], ids[2], 32, 64, 64)).getResult());
        assertEquals(-30, run(t, read(ids[1], ids[2], -8, 8, 8)).getResult());
        assertEquals(-30, run(t, read(ids[1], ids[2], 0, 64, 16)).getResult(), "client memory too small");
        assertEquals(0, run(t, read(ids[1], ids[2], 0, 64, 64)).getResult());
    }

    @Test
    void unknownAndMistypedHandlesGetTheirTypesInvalidCode() {
        Session t = new Session();
        long[] ids = sessionWithBuffer(t);
        assertEquals(-38, run(t, read(ids[1], 999, 0, 4, 4)).getResult(), "CL_INVALID_MEM_OBJECT");
        assertEquals(-36, run(t, read(ids[2], ids[2], 0, 4, 4)).getResult(), "a buffer is not a queue");
        Session other = new Session();
        assertEquals(-36, run(other, read(ids[1], ids[2], 0, 4, 4)).getResult(), "ids are scoped to their session");
    }

    @Test
    void malformedCallsAreRefused() {
        Session t = new Session();
        Reply unknown = run(t, Call.newBuilder().setCallId(1).setFunction(100_000).build());
        assertEquals(-59, unknown.getResult());
        assertTrue(unknown.getMessage().contains("unknown function"));
        Reply shortCall = run(t, Call.newBuilder().setCallId(2).setFunction(index("clEnqueueReadBuffer")).addScalars(1).build());
        assertEquals(-30, shortCall.getResult());
        FunctionSpec gl = spec.forNative("clCreateFromGLBufferNative");
        Reply refused = run(t, Call.newBuilder().setCallId(3).setFunction(gl.index()).build());
        assertEquals(-59, refused.getResult());
        assertTrue(refused.getMessage().contains("OpenGL"));
    }

    @Test
    void shortInputDataIsRefused() {
        Session t = new Session();
        long[] ids = sessionWithBuffer(t);
        Call write = Call.newBuilder().setCallId(9).setFunction(index("clEnqueueWriteBuffer"))
                .addScalars(ids[1]).addScalars(ids[2]).addScalars(1).addScalars(0).addScalars(64)
                .addArgs(Value.newBuilder().setData(ByteString.copyFrom(new byte[8]))).addScalars(0)
                .addArgs(Value.newBuilder().setIsNull(true)).addArgs(Value.newBuilder().setIsNull(true)).build();
        assertEquals(-30, run(t, write).getResult());
    }

    @Test
    void anIdAlreadyInUseCannotBeBoundAgain() {
        Session t = new Session();
        long[] ids = sessionWithBuffer(t);
        Reply again = run(t, Call.newBuilder().setCallId(7).setFunction(index("clCreateBuffer")).setNewId(ids[2])
                .addScalars(ids[0]).addScalars(1).addScalars(64)
                .addArgs(Value.newBuilder().setIsNull(true)).addArgs(Value.newBuilder().setIsNull(true)).build());
        assertEquals(-30, again.getErrcode());
        assertTrue(again.getNullObject(), "a refused creation returns no object, as the driver's failure does");
        assertEquals(0, again.getResult());
        assertTrue(again.getMessage().contains("already in use"));
    }
}
