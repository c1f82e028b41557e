package org.lethe.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Baseline process: the Felix framework with no bundles, started the way the launcher starts it
 * (clean cache on first init), then stopped. Prints {@code READY} once the framework is active.
 */
public final class BareFelix {

    private BareFelix() {
    }

    /** @param args the framework's storage folder */
    public static void main(String[] args) throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, args[0]);
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        Framework framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        framework.init();
        framework.start();
        System.out.println("READY");
        System.out.flush();
        framework.stop();
        framework.waitForStop(30_000);
    }
}
