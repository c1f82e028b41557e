package org.lethe.conformance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the kit checks: a method by name, the bundle(s) that provide it, and the settings of its
 * runs. Immutable; each {@code with}-style call returns a new subject.
 *
 * <p>The bundle paths are only read where the container is configured (the driver side of Pax
 * Exam); the checks themselves find the method by its {@code lethe.method} name.
 */
public final class Subject {

    private final String method;
    private final List<Path> bundles;
    private final Map<String, String> shortRun;
    private final Map<String, String> longRun;
    private final long seed;

    private Subject(String method, List<Path> bundles, Map<String, String> shortRun, Map<String, String> longRun,
            long seed) {
        this.method = method;
        this.bundles = List.copyOf(bundles);
        this.shortRun = Map.copyOf(shortRun);
        this.longRun = Map.copyOf(longRun);
        this.seed = seed;
    }

    /**
     * @param name the method's {@code lethe.method} name
     * @return a subject with no bundle, whose runs use the method's defaults
     */
    public static Subject method(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a method name is required");
        }
        return new Subject(name, List.of(), Map.of(), Map.of(), 1);
    }

    /**
     * @param jar a bundle to install in the container (usually the method's own jar)
     * @return this subject with the bundle added
     */
    public Subject bundle(Path jar) {
        Objects.requireNonNull(jar, "jar");
        List<Path> more = new ArrayList<>(bundles);
        more.add(jar.toAbsolutePath().normalize());
        return new Subject(method, more, shortRun, longRun, seed);
    }

    /**
     * @param jar a bundle's file path, typically from a failsafe system property
     * @return this subject with the bundle added
     * @throws IllegalArgumentException when the path is missing (the system property is not set)
     */
    public Subject bundle(String jar) {
        if (jar == null || jar.isBlank()) {
            throw new IllegalArgumentException("no bundle path for method '" + method
                    + "': is the failsafe system property that names its jar set?");
        }
        return bundle(Path.of(jar));
    }

    /**
     * @param settings the method's settings ({@code --set key=value}) for the short runs of the run,
     *     base-model, leak and progress checks: a few steps (they run several times)
     * @return this subject with those settings
     */
    public Subject shortRun(Map<String, String> settings) {
        return new Subject(method, bundles, settings, longRun, seed);
    }

    /**
     * @param settings the method's settings for the run the cancel check cancels after its first
     *     step: long enough that it cannot end before the cancel lands (e.g. {@code steps=100000});
     *     a well-behaved method stops at once, so its length costs nothing
     * @return this subject with those settings
     */
    public Subject longRun(Map<String, String> settings) {
        return new Subject(method, bundles, shortRun, settings, seed);
    }

    /**
     * @param runSeed the seed of every run the kit makes
     * @return this subject with that seed
     */
    public Subject seed(long runSeed) {
        return new Subject(method, bundles, shortRun, longRun, runSeed);
    }

    /** @return the method's name */
    public String name() {
        return method;
    }

    /** @return the bundles to install, in order */
    public List<Path> bundles() {
        return bundles;
    }

    /** @return the settings of the short runs */
    public Map<String, String> shortRunSettings() {
        return shortRun;
    }

    /** @return the settings of the run that is cancelled */
    public Map<String, String> longRunSettings() {
        return longRun;
    }

    /** @return the runs' seed */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return "method '" + method + "' from " + bundles + ", short run " + shortRun + ", long run " + longRun;
    }
}
