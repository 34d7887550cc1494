package io.ava.server.migration;

import io.ava.proto.Call;
import io.ava.proto.Push;
import io.ava.proto.Value;
import io.ava.server.dispatch.SessionContext;
import io.ava.server.dispatch.Transfers;
import io.ava.server.handles.HandleTable;
import io.ava.server.replay.RecordLog;
import io.ava.server.session.ServerSession;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The session a replayed call runs in: the handed-over session's table and log, but nothing goes
 * to a client (there is none yet). Bulk inputs of recorded calls are not kept in the log; zeros
 * stand in, since the object's contents are written afterwards from the source's bytes.
 */
final class ReplayContext implements SessionContext {
    private final ServerSession session;
    private Call current;

    ReplayContext(ServerSession session) {
        this.session = session;
    }

    void current(Call call) {
        this.current = call;
    }

    @Override
    public HandleTable table() {
        return session.table();
    }

    @Override
    public ByteBuffer takeBulk(long callId, int arg) {
        for (Value v : current.getArgsList()) {
            if (v.hasBulkSize() && v.getBulkSize() <= Integer.MAX_VALUE) {
                // the argument asked for is the one with a bulk size; calls carry at most one
                return ByteBuffer.allocateDirect((int) v.getBulkSize()).order(ByteOrder.nativeOrder());
            }
        }
        return null;
    }

    @Override
    public void push(Push push) {
        // callbacks of replayed builds: the client saw them when the calls first ran
    }

    @Override
    public void sendBulk(long callId, int arg, ByteBuffer data) {
    }

    @Override
    public void printfLaunched() {
    }

    @Override
    public RecordLog recordLog() {
        return session.recordLog();
    }

    @Override
    public Transfers transfers() {
        return session.transfers();
    }
}
