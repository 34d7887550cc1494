package io.ava.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * A size or count over the other arguments: a sum of products of argument names
 * and integer literals ("cb", "num_events_in_wait_list", "4 * count + 8").
 * Names are resolved to argument positions once, when the spec is loaded.
 */
public final class SizeExpr {
    /** Gives the integer value of the argument at a position. */
    @FunctionalInterface
    public interface Args {
        long scalar(int argIndex);
    }

    private final String text;
    /** terms[i][j]: a factor; >= 0 is an argument index, < 0 encodes the literal -(v+1) */
    private final long[][] terms;

    private SizeExpr(String text, long[][] terms) {
        this.text = text;
        this.terms = terms;
    }

    static SizeExpr of(String text, long[][] terms) {
        return new SizeExpr(text, terms);
    }

    long[][] terms() {
        return terms;
    }

    public static SizeExpr parse(String text, List<String> argNames, int line) {
        List<long[]> sums = new ArrayList<>();
        for (String term : text.split("\\+")) {
            String[] factors = term.split("\\*");
            long[] encoded = new long[factors.length];
            for (int i = 0; i < factors.length; i++) {
                String f = factors[i].trim();
                if (f.isEmpty()) {
                    throw new SpecException(line, "malformed size expression '" + text + "'");
                }
                if (Character.isDigit(f.charAt(0))) {
                    try {
                        encoded[i] = -(Long.decode(f) + 1);
                    } catch (NumberFormatException e) {
                        throw new SpecException(line, "bad number '" + f + "' in size expression '" + text + "'");
                    }
                } else {
                    int index = argNames.indexOf(f);
                    if (index < 0) {
                        throw new SpecException(line, "size expression '" + text + "' names '" + f
                                + "', which is not an argument (arguments: " + argNames + ")");
                    }
                    encoded[i] = index;
                }
            }
            sums.add(encoded);
        }
        return new SizeExpr(text.trim(), sums.toArray(new long[0][]));
    }

    /** Evaluates the expression; a negative argument value makes the whole result negative (invalid). */
    public long eval(Args args) {
        long total = 0;
        for (long[] term : terms) {
            long product = 1;
            for (long f : term) {
                long v = f >= 0 ? args.scalar((int) f) : -(f + 1);
                if (v < 0) {
                    return -1;
                }
                product = multiplyCapped(product, v);
            }
            total = Math.min(Long.MAX_VALUE / 2, total + product);
        }
        return total;
    }

    /** The argument positions the expression reads. */
    public List<Integer> argIndexes() {
        List<Integer> out = new ArrayList<>();
        for (long[] term : terms) {
            for (long f : term) {
                if (f >= 0) {
                    out.add((int) f);
                }
            }
        }
        return out;
    }

    private static long multiplyCapped(long a, long b) {
        long r = a * b;
        if (a != 0 && (r / a != b || r < 0)) {
            return Long.MAX_VALUE / 2;
        }
        return r;
    }

    @Override
    public String toString() {
        return text;
    }
}
