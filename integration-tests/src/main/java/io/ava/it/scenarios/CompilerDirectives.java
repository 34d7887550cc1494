package io.ava.it.scenarios;

import static io.ava.it.scenarios.Support.*;
import static org.jocl.CL.*;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * Prints the JVM's compiler directives (Compiler.directives_print) once the agent, if any, has had
 * the chance to add its own: with {@code expect-agent} it waits up to 10 s for them, with
 * {@code expect-none} it waits 2 s and prints what is there. AgentJitTest reads the line.
 */
public class CompilerDirectives {

    public static void main(String[] args) throws Exception {
        boolean expectAgent = args.length > 0 && args[0].equals("expect-agent");
        int[] n = new int[1];
        clGetPlatformIDs(0, null, n); // the agent is up by now; its directives follow on its start-up thread
        long deadline = System.nanoTime() + (expectAgent ? 10_000_000_000L : 2_000_000_000L);
        String printed = directives();
        while (System.nanoTime() < deadline && !(expectAgent && printed.contains("io/ava/agent/"))) {
            Thread.sleep(100);
            printed = directives();
        }
        out("directives: " + printed.replaceAll("\\s+", " ").trim());
        check("platforms", n[0] > 0);
        finish("CompilerDirectives");
    }

    private static String directives() throws Exception {
        return String.valueOf(ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()}));
    }
}
