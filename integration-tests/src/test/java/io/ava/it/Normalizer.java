package io.ava.it;

import java.util.regex.Pattern;

/**
 * What may legitimately differ between a native and a remote run, and nothing more. The scenarios avoid printing
 * handles and timings, so this only covers a JOCL object printed by accident ({@code cl_mem[0x7f...]}: native
 * pointers versus ava ids) and line endings.
 */
final class Normalizer {

    private static final Pattern JOCL_OBJECT = Pattern.compile("\\b(cl_[a-z_]+|Pointer)\\[0x[0-9a-fA-F]+\\]");

    private Normalizer() {
    }

    static String normalize(String output) {
        String s = output.replace("\r\n", "\n");
        return JOCL_OBJECT.matcher(s).replaceAll("$1[0x<handle>]");
    }
}
