package io.ava.spec;

/** The spec's async word: never, always, or while a boolean argument is false ("!blocking_read"). */
public final class AsyncRule {
    public static final AsyncRule NEVER = new AsyncRule(false, -1);
    public static final AsyncRule ALWAYS = new AsyncRule(true, -1);

    private final boolean always;
    private final int unlessArg;

    private AsyncRule(boolean always, int unlessArg) {
        this.always = always;
        this.unlessArg = unlessArg;
    }

    /** The rule with these fields: the constants for never and always. */
    static AsyncRule of(boolean always, int unlessArg) {
        return always ? ALWAYS : unlessArg < 0 ? NEVER : unless(unlessArg);
    }

    boolean always() {
        return always;
    }

    int unlessArg() {
        return unlessArg;
    }

    static AsyncRule unless(int argIndex) {
        return new AsyncRule(false, argIndex);
    }

    /** @param args the call's arguments as the native received them */
    public boolean test(Object[] args) {
        if (always) {
            return true;
        }
        if (unlessArg < 0) {
            return false;
        }
        Object v = args[unlessArg];
        return v instanceof Boolean && !((Boolean) v);
    }

    public boolean possible() {
        return always || unlessArg >= 0;
    }
}
