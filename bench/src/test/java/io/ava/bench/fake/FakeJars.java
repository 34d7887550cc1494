package io.ava.bench.fake;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Builds tiny jars from test classes. */
public final class FakeJars {
  private FakeJars() {}

  public static Path serverJar(Path dir) throws IOException {
    return jar(dir.resolve("fake-server.jar"), FakeServer.class, Attributes.Name.MAIN_CLASS);
  }

  public static Path noopAgentJar(Path dir) throws IOException {
    return jar(dir.resolve("noop-agent.jar"), NoopAgent.class, new Attributes.Name("Premain-Class"));
  }

  private static Path jar(Path file, Class<?> cls, Attributes.Name attr) throws IOException {
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    mf.getMainAttributes().put(attr, cls.getName());
    String entry = cls.getName().replace('.', '/') + ".class";
    try (OutputStream os = Files.newOutputStream(file);
        JarOutputStream jar = new JarOutputStream(os, mf);
        InputStream in = cls.getClassLoader().getResourceAsStream(entry)) {
      jar.putNextEntry(new JarEntry(entry));
      in.transferTo(jar);
      jar.closeEntry();
    }
    return file;
  }
}
