package io.ava.agent.interception;

import io.ava.spec.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Hands the JVM the rewritten org.jocl.CL when the program loads it. The rewrite is made ahead,
 * on the agent's start-up thread, for the copy of CL.class the system class loader sees, so the
 * program's start is not held up: the one shipped in the jar ({@link PrebuiltRewrite}) when that
 * is the JOCL build the agent was made for, Byte Buddy's otherwise. A CL from elsewhere (another
 * loader, another JOCL build) is rewritten on the spot.
 */
public final class JoclTransformer implements ClassFileTransformer {
    private static final String CL_INTERNAL = ClInterception.CL_CLASS.replace('.', '/');

    /** What the start-up thread made: CL.class before and after (null: not found). */
    private record Prepared(byte[] original, byte[] rewritten) {
    }

    private final CompletableFuture<Prepared> prepared = new CompletableFuture<>();
    private volatile CompletableFuture<Spec> spec;

    /**
     * Rewrites the system class loader's CL.class ahead. {@code spec} is only waited for when
     * Byte Buddy has to make the rewrite.
     */
    public void prepare(CompletableFuture<Spec> spec) {
        this.spec = spec;
        try {
            byte[] original = systemCopy();
            byte[] rewritten = null;
            if (original != null) {
                rewritten = PrebuiltRewrite.lookup(original);
                if (rewritten == null) {
                    rewritten = ClInterception.rewrite(original, null, spec.join());
                }
            }
            prepared.complete(new Prepared(original, rewritten));
        } catch (RuntimeException | IOException | LinkageError e) {
            prepared.completeExceptionally(e);
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefining,
            ProtectionDomain domain, byte[] classFile) {
        if (redefining != null || !CL_INTERNAL.equals(className)) {
            return null;
        }
        try {
            Prepared p = prepared.join();
            if (p.original() != null && Arrays.equals(p.original(), classFile)) {
                return p.rewritten();
            }
            return ClInterception.rewrite(classFile, loader, spec.join());
        } catch (RuntimeException | LinkageError e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            // the JVM drops a transformer's exception silently and would load JOCL's own natives
            System.err.println("ava: cannot intercept org.jocl.CL (" + cause
                    + "); OpenCL calls will NOT be remoted");
            cause.printStackTrace();
            return null;
        }
    }

    private static byte[] systemCopy() throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(CL_INTERNAL + ".class")) {
            return in == null ? null : in.readAllBytes();
        }
    }
}
