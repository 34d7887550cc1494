package io.ava.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PEM files for TLS tests, made at test time with the JDK's own keytool (no openssl needed): a CA,
 * and a certificate for 127.0.0.1/localhost signed by it that serves both as a server's and as a
 * client's certificate; private keys are written as PKCS#8 PEM from the PKCS#12 keystores.
 */
final class TestCerts {
    final Path ca;
    final Path cert;
    final Path key;
    /** a second CA that signed nothing we use: a client trusting only it must fail */
    final Path otherCa;

    private TestCerts(Path dir) {
        this.ca = dir.resolve("ca.pem");
        this.cert = dir.resolve("node.pem");
        this.key = dir.resolve("node.key");
        this.otherCa = dir.resolve("other-ca.pem");
    }

    static TestCerts create(Path dir) throws IOException, InterruptedException {
        if (Files.isDirectory(dir)) { // a previous run's keystores would make keytool refuse the aliases
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(dir);
        TestCerts c = new TestCerts(dir);
        String pw = "changeit";
        Path caStore = dir.resolve("ca.p12");
        Path nodeStore = dir.resolve("node.p12");
        Path otherStore = dir.resolve("other.p12");
        Path csr = dir.resolve("node.csr");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=ava test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", caStore.toString(), "-storetype", "PKCS12", "-storepass", pw);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", pw, "-file", c.ca.toString());
        keytool("-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=other CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", otherStore.toString(), "-storetype", "PKCS12", "-storepass", pw);
        keytool("-exportcert", "-rfc", "-alias", "other", "-keystore", otherStore.toString(), "-storepass", pw,
                "-file", c.otherCa.toString());
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=ava node",
                "-validity", "2", "-keystore", nodeStore.toString(), "-storetype", "PKCS12", "-storepass", pw);
        keytool("-certreq", "-alias", "node", "-keystore", nodeStore.toString(), "-storepass", pw, "-file", csr.toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-storepass", pw, "-infile", csr.toString(),
                "-outfile", c.cert.toString(), "-validity", "2", "-ext", "san=ip:127.0.0.1,dns:localhost",
                "-ext", "eku=serverAuth,clientAuth", "-ext", "ku:c=digitalSignature,keyAgreement");
        try (InputStream in = Files.newInputStream(nodeStore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, pw.toCharArray());
            byte[] pkcs8 = ks.getKey("node", pw.toCharArray()).getEncoded();
            Files.writeString(c.key, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        return c;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Paths.java().resolveSibling("keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + String.join(" ", command) + "\n" + new String(out, StandardCharsets.UTF_8));
        }
    }
}
