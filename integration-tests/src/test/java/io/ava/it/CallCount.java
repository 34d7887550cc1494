package io.ava.it;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The agent's "Final call count = N [(M answered by the agent)]" line: what the servers must have run. */
final class CallCount {
    static final Pattern LINE = Pattern.compile("Final call count = (\\d+)(?: \\((\\d+) answered by the agent\\))?");

    private CallCount() {
    }

    /** Calls that went to a server (N - M), or -1 without the line. */
    static long sentToServers(String stderr) {
        Matcher m = LINE.matcher(stderr);
        if (!m.find()) {
            return -1;
        }
        return Long.parseLong(m.group(1)) - (m.group(2) == null ? 0 : Long.parseLong(m.group(2)));
    }
}
