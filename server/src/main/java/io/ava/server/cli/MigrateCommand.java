package io.ava.server.cli;

import io.ava.proto.AvaAdminGrpc;
import io.ava.proto.MigrateReply;
import io.ava.proto.MigrateRequest;
import io.ava.proto.MigrationResult;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Move running sessions from a server to a peer (its --migrate-listen port).",
                "The programs carry on against the peer; on any failure they carry on where they were.",
                "Prints one line per session: ok with the time it took and its breakdown, or why it failed."})
public final class MigrateCommand implements Callable<Integer> {
    private static final String NAME = "migrate";

    @Option(names = "--server", required = true, paramLabel = "HOST:PORT", description = "the source server's client port")
    String server;

    @Option(names = "--to", paramLabel = "HOST:PORT",
            description = "the peer's migration port (default: the source's --migrate-to)")
    String to;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    static final class Which {
        @Option(names = "--session", paramLabel = "ID", description = "the session to move (see `ava-server status`)")
        String session;

        @Option(names = "--all", description = "move every session")
        boolean all;
    }

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
            MigrateReply r = AvaAdminGrpc.newBlockingStub(channel).withDeadlineAfter(15, TimeUnit.MINUTES)
                    .migrate(MigrateRequest.newBuilder().setAll(which.all).setSessionId(which.all ? "" : which.session)
                            .setTo(to == null ? "" : to).build());
            boolean allOk = true;
            for (MigrationResult m : r.getResultsList()) {
                System.out.println(describe(m));
                allOk &= m.getOk();
            }
            if (r.getResultsCount() == 0) {
                System.out.println("no sessions to migrate");
            }
            return allOk ? 0 : 1;
        } catch (StatusRuntimeException e) {
            String why = e.getStatus().getDescription() != null ? e.getStatus().getDescription() : e.getStatus().getCode().toString();
            String refused = ClientSecurityOptions.explain(e);
            System.err.println("ava-server migrate: " + (refused != null ? server + ": " + refused
                    : e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE ? "cannot reach " + server + ": " + why : why));
            return 1;
        } finally {
            channel.shutdownNow();
        }
    }

    static String describe(MigrationResult m) {
        return m.getOk()
                ? "session " + m.getSessionId() + " -> " + m.getTo() + ": ok in " + m.getMillis() + " ms " + m.getJson()
                : "session " + m.getSessionId() + " -> " + m.getTo() + ": failed: " + m.getMessage();
    }
}
