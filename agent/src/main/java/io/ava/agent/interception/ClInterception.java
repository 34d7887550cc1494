package io.ava.agent.interception;

import io.ava.spec.FunctionSpec;
import io.ava.spec.Spec;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.implementation.MethodCall;
import net.bytebuddy.implementation.StubMethod;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import net.bytebuddy.matcher.ElementMatchers;

import java.lang.reflect.Method;

/**
 * Rewrites org.jocl.CL as it loads: loadNativeLibrary does nothing, and every native becomes a
 * call into {@link NativeBridge}. JOCL's Java code around the natives (exceptions, errcode_ret,
 * build logs, argument checks) stays as it is.
 */
public final class ClInterception {
    private static final Method INVOKE;
    private static final Method REFUSE;
    private static final Method REFUSE_OBJECT;
    private static final Method INIT;
    private static final Method IGNORE;
    private static final Method ALLOCATE_ALIGNED;
    private static final Method FREE_ALIGNED;
    private static final Method KEEP_UNTIL_DONE;

    static {
        try {
            INVOKE = NativeBridge.class.getMethod("invoke", int.class, Object[].class);
            REFUSE = NativeBridge.class.getMethod("refuse", String.class, String.class, Object[].class);
            REFUSE_OBJECT = NativeBridge.class.getMethod("refuseObject", String.class, String.class, Object[].class);
            INIT = NativeBridge.class.getMethod("initNativeLibrary", String.class);
            IGNORE = NativeBridge.class.getMethod("ignore", Object[].class);
            ALLOCATE_ALIGNED = NativeBridge.class.getMethod("allocateAligned", int.class, int.class, Object.class);
            FREE_ALIGNED = NativeBridge.class.getMethod("freeAligned", Object.class);
            KEEP_UNTIL_DONE = NativeBridge.class.getMethod("scheduleReferenceRelease", Object.class, Object.class, boolean.class);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static final String CL_CLASS = "org.jocl.CL";

    private ClInterception() {
    }

    /**
     * Rewrites {@code classFile}, the bytes of org.jocl.CL; other JOCL classes it names are read
     * through {@code loader} (null: the system class loader) without being loaded.
     */
    static byte[] rewrite(byte[] classFile, ClassLoader loader, Spec spec) {
        ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(CL_CLASS, classFile),
                loader == null ? ClassFileLocator.ForClassLoader.ofSystemLoader() : ClassFileLocator.ForClassLoader.of(loader));
        TypeDescription type = TypePool.Default.of(locator).describe(CL_CLASS).resolve();
        return rewrite(new ByteBuddy().redefine(type, locator), type, spec).make().getBytes();
    }

    private static DynamicType.Builder<?> rewrite(DynamicType.Builder<?> builder, TypeDescription type, Spec spec) {
        builder = builder.method(ElementMatchers.named("loadNativeLibrary")).intercept(StubMethod.INSTANCE);
        // JOCL's keep-alive thread per non-blocking transfer would make a remote clWaitForEvents each
        builder = builder.method(ElementMatchers.named("scheduleReferenceRelease").and(ElementMatchers.takesArguments(3)))
                .intercept(MethodCall.invoke(KEEP_UNTIL_DONE).withAllArguments()
                        .withAssigner(Assigner.DEFAULT, Assigner.Typing.DYNAMIC));
        for (MethodDescription.InDefinedShape m : type.getDeclaredMethods()) {
            if (!m.isNative()) {
                continue;
            }
            builder = builder.method(ElementMatchers.is(m)).intercept(implementation(m, spec));
        }
        return builder;
    }

    private static Implementation implementation(MethodDescription m, Spec spec) {
        String name = m.getName();
        if (name.equals("initNativeLibrary")) {
            return MethodCall.invoke(INIT).withAllArguments();
        }
        if (name.equals("allocateAlignedNative")) {
            return MethodCall.invoke(ALLOCATE_ALIGNED).withAllArguments();
        }
        if (name.equals("freeAlignedNative")) {
            return MethodCall.invoke(FREE_ALIGNED).withAllArguments();
        }
        if (name.equals("setLogLevelNative")) {
            return MethodCall.invoke(IGNORE).withArgumentArray();
        }
        FunctionSpec f = spec.forNative(name);
        boolean returnsObject = !m.getReturnType().isPrimitive();
        if (f == null || !f.isSupported()) {
            String function = name.endsWith("Native") ? name.substring(0, name.length() - "Native".length()) : name;
            String reason = f == null ? "this version of ava does not remote it yet" : f.unsupported();
            return MethodCall.invoke(returnsObject ? REFUSE_OBJECT : REFUSE).with(function, reason).withArgumentArray()
                    .withAssigner(Assigner.DEFAULT, Assigner.Typing.DYNAMIC);
        }
        return MethodCall.invoke(INVOKE).with(f.index()).withArgumentArray()
                .withAssigner(Assigner.DEFAULT, Assigner.Typing.DYNAMIC);
    }
}
