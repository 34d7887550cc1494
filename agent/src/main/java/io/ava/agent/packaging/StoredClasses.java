package io.ava.agent.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Build step (after the shade plugin): rewrites the agent jar with the classes a client loads on every
 * start stored, not deflated. Each class the JVM loads from a jar is inflated first; a direct-port
 * client loads several hundred of ours and protobuf's, and inflating them cost 30-45 ms of CPU per
 * program start here, on the threads that open the session. The rest (gRPC, Netty and their native
 * libraries, loaded only on the gRPC transport) stays deflated: storing everything would make the jar
 * 70 MB instead of 26.
 *
 * <p>Usage: {@code StoredClasses JAR PREFIX...}; classes whose names start with a PREFIX are stored.
 */
public final class StoredClasses {
    private StoredClasses() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: StoredClasses JAR PREFIX...");
        }
        Path jar = Path.of(args[0]);
        List<String> prefixes = List.of(args).subList(1, args.length);
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        int stored = 0;
        long storedBytes = 0;
        try (ZipFile in = new ZipFile(jar.toFile()); ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
            Enumeration<? extends ZipEntry> entries = in.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                byte[] data;
                try (InputStream s = in.getInputStream(e)) {
                    data = s.readAllBytes();
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                if (stores(e.getName(), prefixes)) {
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    copy.setMethod(ZipEntry.STORED);
                    copy.setSize(data.length);
                    copy.setCompressedSize(data.length);
                    copy.setCrc(crc.getValue());
                    stored++;
                    storedBytes += data.length;
                }
                out.putNextEntry(copy);
                out.write(data);
                out.closeEntry();
            }
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("stored classes: " + stored + " (" + storedBytes + " bytes) uncompressed in " + jar);
    }

    static boolean stores(String name, List<String> prefixes) {
        if (!name.endsWith(".class")) {
            return false;
        }
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
