package org.lethe.bench;

/** Baseline process: the bare JVM. Prints one line and exits. */
public final class Noop {

    private Noop() {
    }

    /** Prints {@code READY}. */
    public static void main(String[] args) {
        System.out.println("READY");
    }
}
