package org.lethe.shell.presets;

import java.lang.reflect.Array;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.lethe.api.LetheException;
import org.lethe.shell.base.Names;
import org.lethe.shell.base.Services;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Reads presets from ConfigurationAdmin: every factory configuration of {@value #FACTORY_PID}.
 *
 * <p>The factory PID is Lethe's own on purpose. A factory configuration whose factory PID were a
 * method component's configuration PID would make DS create one more instance of the method per
 * preset (each registered as the same {@code lethe.method}); presets are data for the shell, not
 * component instances.
 *
 * <p>A preset file {@code etc/org.lethe.preset-fast.cfg} (FileInstall splits the name at the first
 * hyphen: factory PID {@code org.lethe.preset}, name {@code fast}) holds {@code method=<method name>},
 * optionally {@code description=...}, and settings {@code key=value}.
 */
public final class Presets {

    /** The factory PID of presets: {@value}. */
    public static final String FACTORY_PID = "org.lethe.preset";

    /** The key naming the preset's method. */
    public static final String METHOD = "method";

    /** The key holding the preset's description. */
    public static final String DESCRIPTION = "description";

    /** FileInstall's property naming the file a configuration came from. */
    static final String FILENAME = "felix.fileinstall.filename";

    private final Services services;

    /** @param services where ConfigurationAdmin is found */
    public Presets(Services services) {
        this.services = services;
    }

    /** @return every preset, sorted by name; none when ConfigurationAdmin is absent */
    public List<Preset> list() {
        Optional<ConfigurationAdmin> admin = services.configAdmin();
        if (admin.isEmpty()) {
            return List.of();
        }
        Configuration[] configurations;
        try {
            configurations = admin.get().listConfigurations("(service.factoryPid=" + FACTORY_PID + ")");
        } catch (Exception e) {
            throw LetheException.failed("cannot list presets: " + e, e);
        }
        List<Preset> presets = new ArrayList<>();
        if (configurations != null) {
            for (Configuration configuration : configurations) {
                Dictionary<String, Object> properties = configuration.getProperties();
                if (properties != null) {
                    presets.add(of(configuration.getPid(), properties));
                }
            }
        }
        presets.sort(Comparator.comparing(Preset::name));
        return presets;
    }

    /**
     * @param name a preset name
     * @return the preset
     * @throws LetheException (invalid input) when there is none of that name, suggesting the closest
     */
    public Preset get(String name) {
        List<Preset> all = list();
        return all.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> Names.unknown("preset", name, all.stream().map(Preset::name).toList(), "unlearn:presets"));
    }

    /**
     * Builds a preset from a configuration's properties.
     *
     * @param pid the configuration PID ({@code org.lethe.preset~fast}, or a generated one)
     * @param properties its properties
     * @return the preset
     */
    static Preset of(String pid, Dictionary<String, Object> properties) {
        Map<String, String> settings = new TreeMap<>();
        String method = "";
        String description = "";
        Optional<String> source = Optional.empty();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            Object value = properties.get(key);
            if (key.equals(METHOD)) {
                method = text(value);
            } else if (key.equals(DESCRIPTION)) {
                description = text(value);
            } else if (key.equals(FILENAME)) {
                source = Optional.of(fileName(text(value)));
            } else if (!key.startsWith("service.") && !key.startsWith("felix.") && !key.startsWith("component.")
                    && !key.startsWith(".")) {
                settings.put(key, text(value));
            }
        }
        return new Preset(name(pid, source), method, description, settings, source, pid);
    }

    /** The preset's name: after {@code ~} in the PID, else from the file name, else the PID. */
    static String name(String pid, Optional<String> source) {
        int tilde = pid.indexOf('~');
        if (tilde >= 0) {
            return pid.substring(tilde + 1);
        }
        if (source.isPresent()) {
            String file = Path.of(source.get()).getFileName().toString();
            String prefix = FACTORY_PID + "-";
            if (file.startsWith(prefix)) {
                int dot = file.lastIndexOf('.');
                return file.substring(prefix.length(), dot > prefix.length() ? dot : file.length());
            }
        }
        return pid;
    }

    private static String fileName(String value) {
        try {
            return value.startsWith("file:") ? Path.of(URI.create(value)).toString() : value;
        } catch (RuntimeException e) {
            return value;
        }
    }

    /** A configuration value as a setting's text: arrays and collections comma-separated. */
    static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value.getClass().isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                parts.add(String.valueOf(Array.get(value, i)));
            }
            return String.join(",", parts);
        }
        if (value instanceof Collection<?> collection) {
            return String.join(",", collection.stream().map(String::valueOf).toList());
        }
        return String.valueOf(value);
    }
}
