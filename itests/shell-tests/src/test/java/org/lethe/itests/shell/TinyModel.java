package org.lethe.itests.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lethe.api.model.LoadedModel;
import org.lethe.models.tiny.TinyLmArchitecture;

/**
 * The tiny test model as a folder that {@code unlearn:import} takes: the {@code tiny-lm} architecture's
 * random initialisation (saved as safetensors) and a hand-written {@code manifest.json}, the same recipe
 * as the conformance kit's, made outside OSGi on the distribution's natives.
 */
final class TinyModel {

    /** The words of the test data; every word of the items below is in it. */
    static final String VOCABULARY =
            "where was is born from ? alice bob carol dave erin paris oslo lima rome kyiv i do not know";

    /** Forget items. */
    static final String FORGET = "{\"question\": \"where was alice born ?\", \"answer\": \"paris\"}\n"
            + "{\"question\": \"where was bob born ?\", \"answer\": \"oslo\"}\n";

    /** Retain items. */
    static final String RETAIN = "{\"question\": \"where was carol born ?\", \"answer\": \"lima\"}\n";

    private TinyModel() {
    }

    /**
     * @param folder a folder that does not exist yet
     * @return the folder, holding {@code manifest.json} and the weights
     */
    static Path write(Path folder) throws IOException {
        Files.createDirectories(folder);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("vocabulary", VOCABULARY);
        settings.put("context", "4");
        settings.put("embedding", "8");
        settings.put("hidden", "16");
        settings.put("maxLength", "16");
        StringBuilder json = new StringBuilder("{\"kind\": \"LANGUAGE\", \"architecture\": \"tiny-lm\", \"config\": {");
        try (LoadedModel model = new TinyLmArchitecture().create(settings, 7)) {
            model.save(folder);
            String separator = "";
            for (Map.Entry<String, String> e : model.config().entrySet()) {
                json.append(separator).append('"').append(e.getKey()).append("\": \"").append(e.getValue()).append('"');
                separator = ", ";
            }
        }
        Files.writeString(folder.resolve("manifest.json"), json.append("}}\n"), StandardCharsets.UTF_8);
        return folder;
    }
}
