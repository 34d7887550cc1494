package io.ava.server.dispatch;

import com.google.protobuf.ByteString;
import io.ava.proto.Call;
import io.ava.proto.LongList;
import io.ava.proto.Reply;
import io.ava.proto.ReplyOutputs;
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
        long platform = ReplyOutputs.get(platforms, 1).getRefs().getIds(0);
        Reply devices = run(t, Call.newBuilder().setCallId(2).setFunction(index("clGetDeviceIDs"))
                .addScalars(platform).addScalars(-1L).addScalars(1)
                .addArgs(Value.newBuilder().setOutSize(1)).addArgs(Value.newBuilder().setIsNull(true)).build());
        long device = ReplyOutputs.get(devices, 3).getRefs().getIds(0);
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

    // ---------------------------------------------------------------- crashes the bad-input fuzz found

    private static long callIds = 100;

    /** A call from its arguments in spec order: Long for packed scalars and handles, Value for the rest. */
    private static Call call(String function, long newId, Object... args) {
        FunctionSpec f = spec.forNative(function + "Native");
        Call.Builder c = Call.newBuilder().setCallId(callIds++).setFunction(f.index()).setNewId(newId);
        for (int i = 0; i < args.length; i++) {
            if (f.isPacked(i)) {
                c.addScalars((Long) args[i]);
            } else {
                c.addArgs((Value) args[i]);
            }
        }
        return c.build();
    }

    private static Value nul() {
        return Value.newBuilder().setIsNull(true).build();
    }

    private static Value bytes(byte[] b) {
        return Value.newBuilder().setData(ByteString.copyFrom(b)).build();
    }

    /** Context 10, queue 11, buffer 12, a program built with {@code options} (20) and its kernel k (21). */
    private static long[] sessionWithKernel(Session t, String options) {
        long[] ids = sessionWithBuffer(t);
        long device = t.table.all(io.ava.spec.HandleType.cl_device_id).get(0).id();
        Reply program = run(t, call("clCreateProgramWithSource", 20, ids[0], 1L,
                Value.newBuilder().setTexts(io.ava.proto.TextList.newBuilder().addValues(
                        "kernel void k(global int* a, long n) { if (n > 0) a[0] = 1; }")).build(), nul(), nul()));
        assertEquals(0, program.getErrcode());
        Value opts = options == null ? nul() : Value.newBuilder().setText(options).build();
        Reply built = run(t, call("clBuildProgram", 0, 20L, 1L,
                Value.newBuilder().setLongs(LongList.newBuilder().addValues(device)).build(), opts, nul(), nul()));
        assertEquals(0, built.getResult(), () -> "build: " + built);
        Reply kernel = run(t, call("clCreateKernel", 21, 20L, Value.newBuilder().setText("k").build(), nul()));
        assertEquals(0, kernel.getErrcode());
        return new long[]{ids[0], ids[1], ids[2], 20, 21, device};
    }

    @Test
    void rawBytesForABufferArgumentAreRefusedWhateverTheBuildOptions() {
        for (String options : new String[]{"", "-cl-std=CL1.2", null, "-cl-kernel-arg-info"}) {
            Session t = new Session();
            long[] ids = sessionWithKernel(t, options);
            byte[] pointerLike = {0x40, 0x12, 0x34, 0x56, 0x78, 0x7f, 0, 0};
            Reply raw = run(t, call("clSetKernelArg", 0, ids[4], 0L, 8L, bytes(pointerLike)));
            assertEquals(-38, raw.getResult(), "CL_INVALID_MEM_OBJECT with options " + options + ": " + raw);
            Value kernelRef = Value.newBuilder().setRefs(io.ava.proto.HandleRefs.newBuilder().addIds(ids[4])
                    .addTypes(io.ava.spec.HandleType.cl_kernel.ordinal())).build();
            assertEquals(-38, run(t, call("clSetKernelArg", 0, ids[4], 0L, 8L, kernelRef)).getResult(), "a kernel is no buffer");
            Value noRefs = Value.newBuilder().setRefs(io.ava.proto.HandleRefs.newBuilder()).build();
            assertEquals(-30, run(t, call("clSetKernelArg", 0, ids[4], 0L, 8L, noRefs)).getResult(), "8 bytes, no handle");
            Value buffer = Value.newBuilder().setRefs(io.ava.proto.HandleRefs.newBuilder().addIds(ids[2])
                    .addTypes(io.ava.spec.HandleType.cl_mem.ordinal())).build();
            assertEquals(0, run(t, call("clSetKernelArg", 0, ids[4], 0L, 8L, buffer)).getResult());
            assertEquals(0, run(t, call("clSetKernelArg", 0, ids[4], 1L, 8L, bytes(pointerLike))).getResult(),
                    "a long takes any 8 bytes");
        }
    }

    @Test
    void argumentInfoAndBuildOptionsAnswerAsIfNoFlagWasAdded() {
        Session t = new Session();
        long[] ids = sessionWithKernel(t, "-cl-std=CL1.2");
        Reply info = run(t, call("clGetKernelArgInfo", 0, ids[4], 0L, (long) org.jocl.CL.CL_KERNEL_ARG_ADDRESS_QUALIFIER, 4L,
                Value.newBuilder().setOutSize(4).build(), nul()));
        assertEquals(-19, info.getResult(), "CL_KERNEL_ARG_INFO_NOT_AVAILABLE, as PoCL answers without the flag");
        Reply badIndex = run(t, call("clGetKernelArgInfo", 0, ids[4], 7L, (long) org.jocl.CL.CL_KERNEL_ARG_ADDRESS_QUALIFIER, 4L,
                Value.newBuilder().setOutSize(4).build(), nul()));
        assertEquals(-49, badIndex.getResult(), "CL_INVALID_ARG_INDEX comes first");
        Reply options = run(t, call("clGetProgramBuildInfo", 0, ids[3], ids[5], (long) org.jocl.CL.CL_PROGRAM_BUILD_OPTIONS, 64L,
                Value.newBuilder().setOutSize(64).build(), Value.newBuilder().setOutSize(1).build()));
        assertEquals(0, options.getResult());
        assertEquals("-cl-std=CL1.2\0", ReplyOutputs.get(options, 4).getData().toStringUtf8());
        assertEquals(14, ReplyOutputs.get(options, 5).getScalar());

        Session asked = new Session();
        long[] withFlag = sessionWithKernel(asked, "-cl-kernel-arg-info");
        assertEquals(0, run(asked, call("clGetKernelArgInfo", 0, withFlag[4], 0L, (long) org.jocl.CL.CL_KERNEL_ARG_ADDRESS_QUALIFIER,
                4L, Value.newBuilder().setOutSize(4).build(), nul())).getResult());
    }

    @Test
    void aNullDeviceInABuildListIsInvalidDevice() {
        Session t = new Session();
        long[] ids = sessionWithKernel(t, "");
        Reply built = run(t, call("clBuildProgram", 0, ids[3], 1L,
                Value.newBuilder().setLongs(LongList.newBuilder().addValues(0)).build(), Value.newBuilder().setText("").build(),
                nul(), nul()));
        assertEquals(-33, built.getResult(), "CL_INVALID_DEVICE: " + built);
    }

    @Test
    void binariesShorterThanTheirLengthsAreRefused() {
        Session t = new Session();
        long[] ids = sessionWithBuffer(t);
        long device = t.table.all(io.ava.spec.HandleType.cl_device_id).get(0).id();
        Value devices = Value.newBuilder().setLongs(LongList.newBuilder().addValues(device)).build();
        Value noBinaries = Value.newBuilder().setBlobs(io.ava.proto.BlobList.newBuilder()).build();
        Value lengths = Value.newBuilder().setLongs(LongList.newBuilder().addValues(1L << 40)).build();
        Reply none = run(t, call("clCreateProgramWithBinary", 30, ids[0], 1L, devices, lengths, noBinaries,
                Value.newBuilder().setOutSize(1).build(), nul()));
        assertEquals(-30, none.getErrcode(), "no binary for the device: " + none);
        Value oneByte = Value.newBuilder().setBlobs(io.ava.proto.BlobList.newBuilder().addValues(ByteString.copyFrom(new byte[1]))).build();
        Reply tooLong = run(t, call("clCreateProgramWithBinary", 31, ids[0], 1L, devices, lengths, oneByte,
                Value.newBuilder().setOutSize(1).build(), nul()));
        assertEquals(-30, tooLong.getErrcode(), "a length past the binary's end: " + tooLong);
        Reply nullBinaries = run(t, call("clCreateProgramWithBinary", 32, ids[0], 1L, devices, lengths, nul(),
                Value.newBuilder().setOutSize(1).build(), nul()));
        assertEquals(-30, nullBinaries.getErrcode(), "no binaries at all: " + nullBinaries);
    }

    @Test
    void aLastReleaseIsClaimedOnceAndUnnamesTheObjectAtOnce() throws Exception {
        Session t = new Session();
        long[] ids = sessionWithBuffer(t);
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            // two calls on different threads release the client's only reference: exactly one may pass
            java.util.concurrent.CyclicBarrier both = new java.util.concurrent.CyclicBarrier(2);
            java.util.List<java.util.concurrent.Future<HandleTable.Release>> claims = new java.util.ArrayList<>();
            for (int k = 0; k < 2; k++) {
                long arrival = k;
                claims.add(two.submit(() -> {
                    HandleTable.running(arrival);
                    try {
                        io.ava.server.handles.HandleEntry e = t.table.find(ids[2]);
                        both.await();
                        HandleTable.Release r = e == null ? HandleTable.Release.REFUSED : t.table.claimRelease(e);
                        if (r != HandleTable.Release.REFUSED) {
                            t.table.released(e); // the driver's answer: success (as Bookkeeping records it)
                        }
                        return r;
                    } finally {
                        both.await(); // both claims made before either call is done
                        HandleTable.callDone(); // the held-back release reaches the driver here, once
                    }
                }));
            }
            java.util.List<HandleTable.Release> got = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<HandleTable.Release> f : claims) {
                got.add(f.get(10, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(1, got.stream().filter(r -> r != HandleTable.Release.REFUSED).count(), "claims: " + got);
            assertTrue(got.contains(HandleTable.Release.DEFERRED), "the other call used it: the release waited: " + got);
            assertEquals(null, t.table.find(ids[2]), "released");

            // a release made now unnames the buffer before the driver frees it
            Session u = new Session();
            long[] mine = sessionWithBuffer(u);
            HandleTable.running(10);
            io.ava.server.handles.HandleEntry e = u.table.find(mine[2]);
            assertEquals(HandleTable.Release.NATIVE, u.table.claimRelease(e));
            assertEquals(null, two.submit(() -> {
                HandleTable.running(11);
                try {
                    return u.table.find(mine[2]);
                } finally {
                    HandleTable.callDone();
                }
            }).get(10, java.util.concurrent.TimeUnit.SECONDS), "another thread cannot resolve a buffer being released");
            HandleTable.callDone(); // the release never ran: the buffer is the client's again
            assertEquals(e, u.table.find(mine[2]));
        } finally {
            two.shutdownNow();
        }
    }
}
