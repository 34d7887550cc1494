package io.ava.bench.workloads;

/**
 * A 64-bit FNV-1a style hash over the device's result. Floats are hashed by their bits, so the
 * checksum of a float result is the same for every run on the same device and driver (what a
 * native versus remote comparison needs), and may differ on another device that rounds
 * differently; verification, not the checksum, decides whether a result is right.
 */
public final class Checksum {
  private static final long PRIME = 0x100000001b3L;
  private long hash = 0xcbf29ce484222325L;

  public Checksum add(int value) {
    hash = (hash ^ (value & 0xffffffffL)) * PRIME;
    hash ^= hash >>> 29; // spread high bits into the low ones before the next multiply
    return this;
  }

  public Checksum add(int[] values) {
    add(values.length);
    for (int v : values) {
      add(v);
    }
    return this;
  }

  public Checksum add(float[] values) {
    add(values.length);
    for (float v : values) {
      add(Float.floatToIntBits(v));
    }
    return this;
  }

  public long value() {
    return hash;
  }
}
