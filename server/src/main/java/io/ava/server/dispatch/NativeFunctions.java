package io.ava.server.dispatch;

import io.ava.spec.FunctionSpec;
import io.ava.spec.Spec;
import org.jocl.CL;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * The real JOCL natives, found once per spec entry. The server calls the private natives the
 * agent intercepts, so both sides see exactly the same arguments.
 */
public final class NativeFunctions {
    private final MethodHandle[] handles;
    /**
     * Program builds, one at a time in this process: PoCL's kernel cache is not safe for concurrent
     * builds (sixteen sessions building at once made one fail with "unable to rename temporary
     * .../kcache/tempfile_*.preproc.cl"). Built programs come from the cache, so the wait is short.
     */
    private final boolean[] builds;
    /** Calls that touch JOCL's unlocked context-callback map (see {@link JoclContextMap}). */
    private final boolean[] contextMap;
    private static final Object BUILD_LOCK = new Object();

    /** A build with a notify callback is not repeated: the client would hear of it more than once. */
    private static boolean hasCallback(Object[] args) {
        for (Object a : args) {
            if (a instanceof org.jocl.BuildProgramFunction) {
                return true;
            }
        }
        return false;
    }

    private static boolean isBuildFailure(Object result) {
        return result instanceof Integer code
                && (code == org.jocl.CL.CL_BUILD_PROGRAM_FAILURE || code == org.jocl.CL.CL_COMPILE_PROGRAM_FAILURE);
    }
    private final Class<?>[][] parameterTypes;
    private final String[] names;
    /** TRACE (ava.log.level=TRACE): each native call as it starts, so a crash in the driver names its call */
    private static final org.slf4j.Logger TRACE = org.slf4j.LoggerFactory.getLogger("io.ava.server.native");

    public NativeFunctions(Spec spec) {
        Map<String, Method> natives = new HashMap<>();
        for (Method m : CL.class.getDeclaredMethods()) {
            if (Modifier.isNative(m.getModifiers())) {
                natives.put(m.getName(), m);
            }
        }
        MethodHandles.Lookup lookup;
        try {
            lookup = MethodHandles.privateLookupIn(CL.class, MethodHandles.lookup());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot reach JOCL's natives", e);
        }
        int n = spec.functions().size();
        handles = new MethodHandle[n];
        parameterTypes = new Class<?>[n][];
        names = new String[n];
        builds = new boolean[spec.functions().size()];
        contextMap = new boolean[spec.functions().size()];
        for (FunctionSpec f : spec.functions()) {
            names[f.index()] = f.name();
            builds[f.index()] = java.util.Set.of("clBuildProgram", "clCompileProgram", "clLinkProgram").contains(f.name());
            contextMap[f.index()] = JoclContextMap.FUNCTIONS.contains(f.name());
            Method m = natives.get(f.nativeName());
            if (m == null || !f.isSupported()) {
                continue;
            }
            if (m.getParameterCount() != f.args().size()) {
                throw new IllegalStateException(f.name() + ": spec has " + f.args().size()
                        + " arguments, JOCL's native has " + m.getParameterCount());
            }
            try {
                MethodHandle mh = lookup.unreflect(m);
                handles[f.index()] = mh.asType(mh.type().generic()).asSpreader(Object[].class, m.getParameterCount());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot reach " + m, e);
            }
            parameterTypes[f.index()] = m.getParameterTypes();
        }
    }

    public Class<?>[] parameterTypes(int function) {
        return parameterTypes[function];
    }

    public boolean has(int function) {
        return handles[function] != null;
    }

    public Object invoke(int function, Object[] args) {
        if (TRACE.isTraceEnabled()) {
            io.ava.server.logging.Events.trace(TRACE, "native-call").addKeyValue("function", names[function])
                    .addKeyValue("args", describe(args)).log();
        }
        try {
            if (builds[function]) {
                synchronized (BUILD_LOCK) {
                    Object r = handles[function].invokeExact(args);
                    // another process building into the same PoCL kernel cache can make a build fail
                    // ("unable to rename temporary .../kcache/tempfile_*"): a failed build is tried again,
                    // and a program that really does not build fails the same way each time
                    for (int retry = 0; retry < 2 && isBuildFailure(r) && !hasCallback(args); retry++) {
                        r = handles[function].invokeExact(args);
                    }
                    return r;
                }
            }
            if (contextMap[function]) {
                synchronized (JoclContextMap.LOCK) {
                    return handles[function].invokeExact(args);
                }
            }
            return handles[function].invokeExact(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Arguments in short: objects by pointer, arrays by length and first elements. */
    private static String describe(Object[] args) {
        StringBuilder b = new StringBuilder("[");
        for (Object a : args) {
            if (b.length() > 1) {
                b.append(", ");
            }
            if (a != null && a.getClass().isArray()) {
                int n = java.lang.reflect.Array.getLength(a);
                b.append(a.getClass().getComponentType().getSimpleName()).append('[').append(n).append("]{");
                for (int i = 0; i < Math.min(n, 4); i++) {
                    b.append(i > 0 ? "," : "").append(java.lang.reflect.Array.get(a, i));
                }
                b.append(n > 4 ? ",...}" : "}");
            } else if (a instanceof java.nio.ByteBuffer bb) {
                b.append("ByteBuffer(").append(bb.remaining()).append(')');
            } else {
                b.append(a);
            }
        }
        return b.append(']').toString();
    }
}
