package org.lethe.shell.presets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PresetsTest {

    @Test
    void aFileInstallConfigurationBecomesAPreset() {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("service.pid", "org.lethe.preset~fast-lr");
        props.put("service.factoryPid", "org.lethe.preset");
        props.put("felix.fileinstall.filename", "file:/home/etc/org.lethe.preset-fast-lr.cfg");
        props.put("method", "ascent");
        props.put("description", "fast");
        props.put("steps", "5");
        props.put("layers", new String[] {"1", "2"});
        Preset preset = Presets.of("org.lethe.preset~fast-lr", props);
        assertEquals("fast-lr", preset.name());
        assertEquals("ascent", preset.method());
        assertEquals("fast", preset.description());
        assertEquals(Map.of("steps", "5", "layers", "1,2"), preset.settings());
        assertEquals(Optional.of("/home/etc/org.lethe.preset-fast-lr.cfg"), preset.source());
    }

    @Test
    void theNameComesFromThePidOrElseTheFile() {
        assertEquals("fast", Presets.name("org.lethe.preset~fast", Optional.empty()));
        assertEquals("fast-lr", Presets.name("org.lethe.preset.1f2e", Optional.of("/etc/org.lethe.preset-fast-lr.cfg")));
        assertEquals("org.lethe.preset.1f2e", Presets.name("org.lethe.preset.1f2e", Optional.empty()));
    }
}
