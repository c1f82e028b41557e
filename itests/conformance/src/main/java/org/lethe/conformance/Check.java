package org.lethe.conformance;

/**
 * The checks of the kit. Each failure message starts with {@code [label] method '<name>': }.
 */
public enum Check {

    /**
     * The component activates (its service is registered and its component configuration is ACTIVE
     * once used) and describes itself: the registry's descriptor has a modality, a paper, the data
     * roles it needs, its bundle, and a configuration schema whose settings each have a default and
     * a description.
     */
    ACTIVATION("activation"),

    /**
     * The bundle is a leaf (DESIGN §2 rule 1): it exports nothing, requires no bundle, has no dynamic
     * imports, and imports only {@code org.lethe.api.*}, {@code ai.djl.*}, Guava and OSGi packages.
     */
    LEAF("leaf"),

    /**
     * Its configuration round-trips: the schema's PID is the component's configuration PID, the
     * schema agrees with Metatype, the defaults validate; values written through ConfigAdmin reach the
     * component, and, read back as strings, plan a run with exactly those values.
     */
    CONFIG("config"),

    /** It runs on an untrained tiny model and commits a new, changed version whose parent is the base. */
    RUN("run"),

    /** Cancelled after its first reported step, it does at most one further step and commits nothing. */
    CANCEL("cancel"),

    /** The base model's files (every one, by SHA-256) are the same after a run as before it. */
    BASE_UNCHANGED("base-unchanged"),

    /** After a run, exactly as many NDArrays (and bytes) are open in the engine as before it. */
    NO_LEAK("no-leak"),

    /** A run reports its steps through the run context (monotone, up to its planned total). */
    PROGRESS("progress");

    private final String label;

    Check(String label) {
        this.label = label;
    }

    /** @return the short name that starts every failure message of this check, e.g. {@code no-leak} */
    public String label() {
        return label;
    }
}
