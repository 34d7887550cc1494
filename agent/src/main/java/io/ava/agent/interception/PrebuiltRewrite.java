package io.ava.agent.interception;

import io.ava.spec.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The rewrite of the JOCL build this agent is compiled against, made at build time (Maven runs
 * {@link #main} after compiling) and shipped in the jar. Byte Buddy then only runs in a program
 * that brings another JOCL build: the rewrite costs about half a second of CPU at start-up, on
 * the same cores as the program and, with PoCL, its kernels.
 */
public final class PrebuiltRewrite {
    static final String REWRITTEN = "jocl-CL.rewritten";
    static final String DIGEST = "jocl-CL.sha256";

    private PrebuiltRewrite() {
    }

    /** Build step: {@code args[0]} is the folder of this class in the build's output. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        ClassLoader loader = PrebuiltRewrite.class.getClassLoader();
        byte[] original;
        try (InputStream in = loader.getResourceAsStream("org/jocl/CL.class")) {
            if (in == null) {
                throw new IOException("org/jocl/CL.class is not on the build's class path");
            }
            original = in.readAllBytes();
        }
        byte[] rewritten = ClInterception.rewrite(original, loader, Spec.bundled());
        Files.createDirectories(dir);
        Files.write(dir.resolve(REWRITTEN), rewritten);
        Files.writeString(dir.resolve(DIGEST), sha256(original));
        System.out.println("prebuilt rewrite of org.jocl.CL: " + original.length + " -> " + rewritten.length
                + " bytes in " + dir);
    }

    /** The shipped rewrite of {@code original}, or null when it was made for another CL.class. */
    static byte[] lookup(byte[] original) throws IOException {
        try (InputStream digest = PrebuiltRewrite.class.getResourceAsStream(DIGEST);
             InputStream rewritten = PrebuiltRewrite.class.getResourceAsStream(REWRITTEN)) {
            if (digest == null || rewritten == null) {
                return null;
            }
            String expected = new String(digest.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            return expected.equals(sha256(original)) ? rewritten.readAllBytes() : null;
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }
}
