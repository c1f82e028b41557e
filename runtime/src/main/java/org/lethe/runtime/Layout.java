package org.lethe.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folders of a Lethe home. {@code data/} and {@code deploy/} may live elsewhere (system
 * properties {@value #DATA_PROPERTY} and {@value #DEPLOY_PROPERTY}), so that a rebuilt distribution
 * keeps its models, runs and dropped-in bundles.
 *
 * @param home the distribution folder
 * @param bundles infrastructure bundles, installed and started at every start
 * @param deploy hot-deploy folder watched by FileInstall
 * @param etc configuration: framework and system properties, and configurations watched by FileInstall
 * @param data engine cache, models, runs, logs, the Felix cache and the lock file
 */
public record Layout(Path home, Path bundles, Path deploy, Path etc, Path data) {

    /** System property: the Lethe home folder. */
    public static final String HOME_PROPERTY = "lethe.home";

    /** System property: the data folder (default {@code <home>/data}). */
    public static final String DATA_PROPERTY = "lethe.data";

    /** System property: the deploy folder (default {@code <home>/deploy}). */
    public static final String DEPLOY_PROPERTY = "lethe.deploy";

    /** The standard layout of a home folder, with the data and deploy overrides applied. */
    public static Layout of(Path home, String dataOverride, String deployOverride) {
        Path root = home.toAbsolutePath().normalize();
        return new Layout(root, root.resolve("bundle"),
                deployOverride == null || deployOverride.isBlank() ? root.resolve("deploy") : Path.of(deployOverride).toAbsolutePath().normalize(),
                root.resolve("etc"),
                dataOverride == null || dataOverride.isBlank() ? root.resolve("data") : Path.of(dataOverride).toAbsolutePath().normalize());
    }

    /** The layout named by the system properties; the home defaults to the working directory. */
    public static Layout fromSystemProperties() {
        return of(Path.of(System.getProperty(HOME_PROPERTY, ".")), System.getProperty(DATA_PROPERTY),
                System.getProperty(DEPLOY_PROPERTY));
    }

    /** Fails with {@link ExitStatus#INVALID_INPUT} unless this is a Lethe home; creates deploy and data. */
    public void check() throws LauncherException {
        if (!Files.isDirectory(bundles)) {
            throw new LauncherException(ExitStatus.INVALID_INPUT, home + " is not a Lethe home: it has no bundle/ folder"
                    + " (set " + HOME_PROPERTY + ", or run bin/lethe from a distribution)");
        }
        try {
            Files.createDirectories(deploy);
            Files.createDirectories(data);
            Files.createDirectories(etc);
        } catch (java.io.IOException e) {
            throw new LauncherException(ExitStatus.INVALID_INPUT, "cannot create " + e.getMessage());
        }
    }

    /** @return the log file */
    public Path logFile() {
        return data.resolve("log").resolve("lethe.log");
    }

    /** @return this container's own Felix cache */
    public Path felixCache() {
        return data.resolve("cache").resolve("felix");
    }

    /** @return DJL's engine cache, never the user's home */
    public Path engineCache() {
        return data.resolve("engine");
    }
}
