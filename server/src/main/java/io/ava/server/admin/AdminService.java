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
    private final io.ava.server.migration.Migrations migrations;

    public AdminService(SessionRegistry registry, io.ava.server.migration.Migrations migrations) {
        this.registry = registry;
        this.migrations = migrations;
    }

    /** Runs on the migrations' own threads; the answer comes when all of them have finished or failed. */
    @Override
    public void migrate(io.ava.proto.MigrateRequest request, StreamObserver<io.ava.proto.MigrateReply> responseObserver) {
        String session = request.getAll() || request.getSessionId().isEmpty() ? null : request.getSessionId();
        migrations.migrate(session, request.getTo()).whenComplete((results, error) -> {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                responseObserver.onError(io.grpc.Status.FAILED_PRECONDITION.withDescription(cause.getMessage()).asRuntimeException());
                return;
            }
            responseObserver.onNext(io.ava.proto.MigrateReply.newBuilder().addAllResults(results).build());
            responseObserver.onCompleted();
        });
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusReply> responseObserver) {
        StatusReply.Builder reply = StatusReply.newBuilder().setServerName(registry.serverName());
        long live = 0;
        long bytes = 0;
        for (ServerSession s : registry.sessions()) {
            long objects = s.table().liveObjects();
            long held = s.table().bytesHeld();
            live += objects;
            bytes += held;
            SessionStatus.Builder st = SessionStatus.newBuilder().setSessionId(s.id()).setObjects(objects)
                    .setBytesHeld(held).setCalls(s.calls()).setPeer(s.peer()).setState(s.state())
                    .setInflightBytes(s.inflightBytes());
            if (s.recordLog() != null) {
                st.setRecords(s.recordLog().size()).setRecordBytes(s.recordLog().bytes());
            }
            reply.addSessions(st);
        }
        reply.addAllMigrations(migrations.log().recent());
        responseObserver.onNext(reply.setLiveObjects(live).setBytesHeld(bytes).setLimits(registry.limits().toString()).build());
        responseObserver.onCompleted();
    }
}
