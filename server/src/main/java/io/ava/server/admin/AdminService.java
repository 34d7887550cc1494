package io.ava.server.admin;

import io.ava.proto.AvaAdminGrpc;
import io.ava.proto.SessionStatus;
import io.ava.proto.StatusReply;
import io.ava.proto.StatusRequest;
import io.ava.server.session.ServerSession;
import io.ava.server.session.SessionRegistry;
import io.grpc.stub.StreamObserver;

/** Answers `ava-server status`: sessions, their objects and bytes. */
public final class AdminService extends AvaAdminGrpc.AvaAdminImplBase {
    private final SessionRegistry registry;

    public AdminService(SessionRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusReply> responseObserver) {
        StatusReply.Builder reply = StatusReply.newBuilder().setServerName(registry.serverName());
        long live = 0;
        for (ServerSession s : registry.sessions()) {
            long objects = s.table().liveObjects();
            live += objects;
            SessionStatus.Builder st = SessionStatus.newBuilder().setSessionId(s.id()).setObjects(objects)
                    .setBytesHeld(s.table().bytesHeld()).setCalls(s.calls()).setPeer(s.peer());
            if (s.recordLog() != null) {
                st.setRecords(s.recordLog().size()).setRecordBytes(s.recordLog().bytes());
            }
            reply.addSessions(st);
        }
        responseObserver.onNext(reply.setLiveObjects(live).build());
        responseObserver.onCompleted();
    }
}
