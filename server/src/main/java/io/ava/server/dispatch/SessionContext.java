package io.ava.server.dispatch;

import io.ava.proto.Push;
import io.ava.server.handles.HandleTable;

import java.nio.ByteBuffer;

/** What a call needs of its session besides its arguments. */
public interface SessionContext {
    HandleTable table();

    /**
     * The call's bulk input, waiting for it if it is still on its way; null if it never came.
     * Throws CL_OUT_OF_HOST_MEMORY when the server refused to buffer it (past the session's limits).
     */
    ByteBuffer takeBulk(long callId, int arg) throws ClError;

    /** What this session may hold (no limits unless the server sets some). */
    default Limits limits() {
        return Limits.NONE;
    }

    /** Sends something the client did not ask for: a callback or a completed transfer. */
    void push(Push push);

    /** Sends output bytes ahead of the message that names them (side channel, or chunks). */
    void sendBulk(long callId, int arg, ByteBuffer data);

    /**
     * As {@link #sendBulk}, for a buffer of {@link DirectBuffers#SHARED} that the session now owns:
     * it keeps that buffer itself while a reconnect may still need the bytes (no copy), then gives
     * it back to the pool.
     */
    default void sendPooledBulk(long callId, int arg, ByteBuffer pooled) {
        sendBulk(callId, arg, pooled);
        DirectBuffers.SHARED.release(pooled);
    }

    /** A kernel that calls printf was launched: its output is this session's. */
    void printfLaunched();

    /** The session's record log, or null when recording is off (--no-record). */
    io.ava.server.replay.RecordLog recordLog();

    /** Transfers the driver completes later (non-blocking reads, writes and maps). */
    Transfers transfers();
}
