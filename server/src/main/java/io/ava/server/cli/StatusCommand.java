package io.ava.server.cli;

import io.ava.proto.AvaAdminGrpc;
import io.ava.proto.SessionStatus;
import io.ava.proto.StatusReply;
import io.ava.proto.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print a running server's sessions (objects, device memory held, bulk bytes in flight, state), its limits and its recent migrations.")
public final class StatusCommand implements Callable<Integer> {
    private static final String NAME = "status";

    @Option(names = "--server", required = true, paramLabel = "HOST:PORT", description = "the server's client port")
    String server;

    @Mixin
    ClientSecurityOptions security;

    @Override
    public Integer call() {
        ManagedChannel channel;
        try {
            channel = security.channel(server);
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("ava-server " + NAME + ": " + e.getMessage());
            return 2;
        }
        try {
            StatusReply r = AvaAdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .status(StatusRequest.getDefaultInstance());
            System.out.println("server: " + r.getServerName());
            System.out.println("sessions: " + r.getSessionsCount());
            System.out.println("live objects: " + r.getLiveObjects());
            System.out.println("device memory held: " + r.getBytesHeld());
            if (!r.getLimits().isEmpty()) {
                System.out.println("limits per session: " + r.getLimits());
            }
            for (SessionStatus s : r.getSessionsList()) {
                System.out.printf("session %s objects=%d bytes=%d inflight=%d calls=%d records=%d record_bytes=%d state=\"%s\" client=%s%n",
                        s.getSessionId(), s.getObjects(), s.getBytesHeld(), s.getInflightBytes(), s.getCalls(), s.getRecords(),
                        s.getRecordBytes(), s.getState(), s.getPeer());
            }
            System.out.println("recent migrations: " + r.getMigrationsCount());
            for (io.ava.proto.MigrationResult m : r.getMigrationsList()) {
                System.out.println("migration " + MigrateCommand.describe(m));
            }
            return 0;
        } catch (StatusRuntimeException e) {
            String refused = ClientSecurityOptions.explain(e);
            if (refused != null) {
                System.err.println("ava-server status: " + server + ": " + refused);
                return 1;
            }
            System.err.println("ava-server status: cannot reach " + server + ": " + e.getStatus().getCode()
                    + (e.getStatus().getDescription() != null ? " (" + e.getStatus().getDescription() + ")" : ""));
            return 1;
        } finally {
            channel.shutdownNow();
        }
    }
}
