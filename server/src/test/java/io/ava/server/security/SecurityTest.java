package io.ava.server.security;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecurityTest {
    @Test
    void tokenFileIsTrimmedAndChecked() throws Exception {
        Path f = Files.createTempFile("ava-token", "");
        try {
            Files.writeString(f, "\n  s3cret \n");
            Security s = Security.load(f, null, null, null);
            assertTrue(s.hasToken());
            assertFalse(s.tls());
            assertEquals("token", s.describe());
            AuthInterceptor i = s.interceptor("client");
            assertNull(i.check("Bearer s3cret"));
            assertEquals("wrong token", i.check("Bearer s3cre"));
            assertEquals("wrong token", i.check("Bearer s3cret "));
            assertEquals("missing token", i.check(null));
            assertTrue(i.check("s3cret").startsWith("malformed"));
            Files.writeString(f, "  \n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Security.load(f, null, null, null));
            assertEquals("the token file " + f + " is empty", e.getMessage());
        } finally {
            Files.delete(f);
        }
        assertThrows(IllegalArgumentException.class, () -> Security.load(Path.of("/nonexistent/ava-token"), null, null, null));
    }

    @Test
    void nothingGivenIsOpen() {
        Security s = Security.load(null, null, null, null);
        assertTrue(s.isOpen());
        assertEquals("unauthenticated", s.describe());
        assertEquals(0, s.clientInterceptors().length);
    }
}
