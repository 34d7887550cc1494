package io.ava.agent.session;

import java.util.ArrayList;
import java.util.List;

/**
 * Lines JOCL's native library prints through C's stdout. C buffers stdout fully when it is not a
 * terminal, so natively such lines appear when the process exits, after everything Java printed;
 * on a terminal they appear at once. The agent reproduces both.
 */
final class NativeStdout {
    private static final List<String> pending = new ArrayList<>();
    private static boolean hooked;

    private NativeStdout() {
    }

    static synchronized void println(String line) {
        if (System.console() != null) {
            System.out.println(line);
            return;
        }
        pending.add(line);
        if (!hooked) {
            hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(NativeStdout::flush, "ava-native-stdout"));
        }
    }

    private static synchronized void flush() {
        for (String line : pending) {
            System.out.println(line);
        }
        System.out.flush();
    }
}
