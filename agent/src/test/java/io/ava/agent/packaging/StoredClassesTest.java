package io.ava.agent.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredClassesTest {
    @TempDir
    Path dir;

    @Test
    void storesTheNamedClassesAndKeepsEverythingElseAsItWas() throws Exception {
        Map<String, byte[]> content = new java.util.LinkedHashMap<>();
        content.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nPremain-Class: a.A\n".getBytes(StandardCharsets.UTF_8));
        content.put("io/ava/agent/A.class", "class bytes of A, class bytes of A".getBytes(StandardCharsets.UTF_8));
        content.put("io/ava/agent/a.txt", "a resource, a resource, a resource".getBytes(StandardCharsets.UTF_8));
        content.put("other/B.class", "class bytes of B, class bytes of B".getBytes(StandardCharsets.UTF_8));
        Path jar = dir.resolve("x.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (Map.Entry<String, byte[]> e : content.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(e.getValue());
                out.closeEntry();
            }
        }

        StoredClasses.main(new String[] {jar.toString(), "io/ava/agent/"});

        try (ZipFile z = new ZipFile(jar.toFile())) {
            List<String> names = new ArrayList<>();
            for (ZipEntry e : Collections.list(z.entries())) {
                names.add(e.getName());
                try (InputStream in = z.getInputStream(e)) {
                    assertArrayEquals(content.get(e.getName()), in.readAllBytes(), e.getName());
                }
                int expected = e.getName().equals("io/ava/agent/A.class") ? ZipEntry.STORED : ZipEntry.DEFLATED;
                assertEquals(expected, e.getMethod(), e.getName());
            }
            assertEquals(List.copyOf(content.keySet()), names, "same entries, same order (the manifest first)");
        }
    }
}
