package io.ava.agent.jit;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps HotSpot's C2 compiler off the agent's own code (its classes, the spec, the protocol
 * messages and the shaded libraries, all under {@code io/ava/} but for the program's packages),
 * so C1 alone compiles it.
 *
 * <p>Why: under the agent, C2 spent 0.9 s of CPU on a dwt2d client (7,200 launches), 170 ms of
 * it on {@code RemoteCalls.invoke} alone, against 0.08 s in the native run. With OpenCL on the
 * CPU, that CPU is taken from the kernels. C1's code for these paths is nearly as fast: the calls
 * mostly wait on the wire.
 *
 * <p>How: HotSpot takes compiler directives at run time only through its diagnostic command
 * {@code Compiler.directives_add}, whose one public Java route is the platform MBean server
 * (230 ms to start on this machine). This calls the JDK's own implementation of that command
 * directly, after opening its packages to the agent with {@link Instrumentation#redefineModule};
 * about 10 ms. Where any of that is missing (another JVM or JDK), the agent goes on with the
 * JVM's defaults and says why in {@link #install}'s result.
 */
public final class AgentCodeDirectives {
    /** The agent's packages; not {@code io/ava/*}, which would take in a program of ours (ava-bench). */
    static final String DIRECTIVES = "[{match: [\"io/ava/agent/*.*\", \"io/ava/proto/*.*\", \"io/ava/spec/*.*\","
            + " \"io/ava/shaded/*.*\"], c2: {Exclude: true}}]";

    private AgentCodeDirectives() {
    }

    /** Adds {@link #DIRECTIVES} to this JVM; null when it took, else why not (one line). */
    public static String install(Instrumentation inst) {
        Optional<Module> management = ModuleLayer.boot().findModule("java.management");
        Optional<Module> extension = ModuleLayer.boot().findModule("jdk.management");
        if (management.isEmpty() || extension.isEmpty()) {
            return "the JVM has no java.management or jdk.management module";
        }
        Path file = null;
        try {
            Module self = AgentCodeDirectives.class.getModule();
            inst.redefineModule(management.get(), Set.of(), Map.of(), Map.of("sun.management", Set.of(self)), Set.of(), Map.of());
            inst.redefineModule(extension.get(), Set.of(), Map.of(),
                    Map.of("com.sun.management.internal", Set.of(self)), Set.of(), Map.of());
            // its static initializer loads libmanagement_ext, where the command's native half lives
            Class.forName("com.sun.management.internal.PlatformMBeanProviderImpl");
            Method vmManagement = Class.forName("sun.management.ManagementFactoryHelper").getDeclaredMethod("getVMManagement");
            vmManagement.setAccessible(true);
            Class<?> impl = Class.forName("com.sun.management.internal.DiagnosticCommandImpl");
            Constructor<?> create = impl.getDeclaredConstructor(Class.forName("sun.management.VMManagement"));
            create.setAccessible(true);
            Object commands = create.newInstance(vmManagement.invoke(null));
            Method execute = impl.getDeclaredMethod("executeDiagnosticCommand", String.class);
            execute.setAccessible(true);
            file = Files.createTempFile("ava-jit-", ".json");
            Files.writeString(file, DIRECTIVES, StandardCharsets.UTF_8);
            String out = String.valueOf(execute.invoke(commands, "Compiler.directives_add " + file));
            return out.contains("1 compiler directives added") ? null : "Compiler.directives_add said: " + out.strip().replace('\n', ' ');
        } catch (ReflectiveOperationException | RuntimeException | LinkageError | java.io.IOException e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException && e.getCause() != null ? e.getCause() : e;
            return cause.getClass().getSimpleName() + ": " + cause.getMessage();
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file); // HotSpot parsed it while adding
                } catch (java.io.IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }
}
