package io.ava.agent.interception;

import io.ava.agent.session.RemoteCalls;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The static entry points the rewritten org.jocl.CL calls instead of its natives. Kept tiny:
 * the work is in {@link RemoteCalls}.
 */
public final class NativeBridge {
    private static final int CL_INVALID_OPERATION = -59;
    private static volatile RemoteCalls calls;
    private static final java.util.concurrent.CompletableFuture<RemoteCalls> READY =
            new java.util.concurrent.CompletableFuture<>();
    private static final Set<String> warned = ConcurrentHashMap.newKeySet();

    private NativeBridge() {
    }

    public static void install(RemoteCalls remoteCalls) {
        calls = remoteCalls;
        READY.complete(remoteCalls);
    }

    /** The agent could not start: remoted calls fail with this cause instead of waiting. */
    public static void failed(Throwable cause) {
        READY.completeExceptionally(cause);
    }

    /** The calls object; the first calls may wait for the agent's start-up thread to install it. */
    private static RemoteCalls calls() {
        RemoteCalls c = calls;
        if (c != null) {
            return c;
        }
        try {
            return READY.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException("ava: the agent failed to start: " + e.getCause(), e.getCause());
        }
    }

    /** A remoted native: {@code function} is its number in the spec. */
    public static Object invoke(int function, Object[] args) {
        return calls().invoke(function, args);
    }

    /** CL.scheduleReferenceRelease, after a non-blocking transfer: see {@link RemoteCalls#keepUntilDone}. */
    public static void scheduleReferenceRelease(Object event, Object hostMemory, boolean applicationEvent) {
        calls().keepUntilDone((org.jocl.cl_event) event, hostMemory, applicationEvent);
    }

    /** A native ava refuses or does not remote: one line per function, then the OpenCL error. */
    public static Object refuse(String function, String reason, Object[] args) {
        if (warned.add(function)) {
            System.err.println("ava: " + function + " is refused: " + reason);
        }
        if (args.length > 0 && args[args.length - 1] instanceof int[]) {
            int[] errcode = (int[]) args[args.length - 1];
            if (errcode.length > 0) {
                errcode[0] = CL_INVALID_OPERATION;
            }
        }
        return CL_INVALID_OPERATION;
    }

    /** The same for natives that return an object: null, as a failing native does. */
    public static Object refuseObject(String function, String reason, Object[] args) {
        refuse(function, reason, args);
        return null;
    }

    /** JOCL's own library hooks, which have nothing to do remotely. */
    public static boolean initNativeLibrary(String ignored) {
        return true;
    }

    /**
     * CL.allocateAligned: host memory, nothing OpenCL about it, so it is made here. Invalid
     * arguments (not a power of two, not positive) give null as the native does.
     */
    public static java.nio.ByteBuffer allocateAligned(int size, int alignment, Object pointer) {
        if (size <= 0 || alignment <= 0 || Integer.bitCount(alignment) != 1) {
            return null;
        }
        java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocateDirect(size + alignment);
        java.nio.ByteBuffer aligned = raw.alignedSlice(alignment);
        aligned.limit(size);
        return aligned.slice();
    }

    /** The direct buffers of allocateAligned are freed by the garbage collector. */
    public static void freeAligned(Object pointer) {
    }

    public static void ignore(Object[] ignored) {
        // setLogLevel: the client has no native library to configure
    }
}
