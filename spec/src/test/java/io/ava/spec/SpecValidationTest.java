package io.ava.spec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A broken spec is rejected with the line it is broken on. */
class SpecValidationTest {
    private static String fn(String body) {
        return "version: 1\nfunctions:\n  clFoo:\n" + body;
    }

    private static void rejects(String yaml, int line, String fragment) {
        SpecException e = assertThrows(SpecException.class, () -> Spec.parse(yaml));
        assertTrue(e.getMessage().startsWith("opencl.yaml line " + line + ":"), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void unknownRole() {
        rejects(fn("    args:\n      - a: scalar\n      - b: banana\n"), 6, "unknown role 'banana'");
    }

    @Test
    void sizeExpressionNamingMissingArgument() {
        rejects(fn("    args:\n      - n: scalar\n      - p: out [cb]\n"), 6, "names 'cb'");
    }

    @Test
    void unknownFunctionWord() {
        rejects(fn("    args:\n      - a: scalar\n    asynch: true\n"), 6, "unknown word 'asynch'");
    }

    @Test
    void unknownHandleType() {
        rejects(fn("    args:\n      - a: handle cl_banana\n"), 5, "unknown handle type 'cl_banana'");
    }

    @Test
    void bufferWithoutSize() {
        rejects(fn("    args:\n      - a: in\n"), 5, "needs a size");
    }

    @Test
    void deallocatesMustNameAHandle() {
        rejects(fn("    args:\n      - a: scalar\n    deallocates: a\n"), 6, "not a handle");
    }

    @Test
    void sizeExpressionsEvaluateOverArguments() {
        Spec s = Spec.parse(fn("    args:\n      - n: scalar\n      - m: scalar\n      - p: out [4 * n + m]\n"));
        SizeExpr e = s.function(0).arg(2).size();
        assertEquals(4 * 3 + 5, e.eval(i -> i == 0 ? 3 : 5));
        assertEquals(-1, e.eval(i -> -2), "a negative count is invalid, not wrapped");
    }

    @Test
    void bundledSpecLoads() {
        Spec s = Spec.bundled();
        assertTrue(s.functions().size() > 40);
        assertEquals(64, s.digest().length());
    }
}
