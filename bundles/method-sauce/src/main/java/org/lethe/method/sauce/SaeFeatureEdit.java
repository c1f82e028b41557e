package org.lethe.method.sauce;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lethe.api.LetheException;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.vision.VisionLanguageModel;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code sae-feature-edit} intervention: reads a SAUCE attachment's autoencoder
 * (safetensors) and installs its feature edit ({@link FeatureEdit}) as a hook at the attachment's
 * layer of a loaded vision-language model. Closing the handle removes the hook and frees the
 * autoencoder's memory, which restores the model's outputs exactly.
 */
@Component(property = Intervention.TYPE + "=" + EditSpec.TYPE)
public final class SaeFeatureEdit implements Intervention {

    /** The intervention type this service applies: {@value}. */
    public static final String TYPE = EditSpec.TYPE;

    /** Creates the service (DS). */
    public SaeFeatureEdit() {
    }

    @Override
    public AutoCloseable apply(LoadedModel model, ModelManifest.Attachment attachment, Path directory)
            throws IOException {
        VisionLanguageModel vlm = model.view(VisionLanguageModel.class).orElseThrow(() -> LetheException.invalidInput(
                "attachment '" + attachment.name() + "' (" + TYPE + ") needs a vision-language model, and this "
                        + model.kind() + " model offers no such view"));
        EditSpec spec = EditSpec.of(attachment);
        checkLayer(vlm, spec.layer(), "attachment '" + attachment.name() + "' config 'layer'");
        if (attachment.files().size() != 1) {
            throw LetheException.invalidInput("attachment '" + attachment.name() + "' must have exactly one file (the"
                    + " autoencoder), not " + attachment.files());
        }
        Path file = directory.resolve(attachment.files().get(0));
        if (!Files.isRegularFile(file)) {
            throw LetheException.invalidInput("attachment '" + attachment.name() + "': its file " + file + " does not exist");
        }
        NDManager memory = vlm.model().getNDManager().newSubManager();
        try {
            Sae sae = SaeFiles.read(file, spec.variant(), spec.k(), memory);
            return install(vlm, spec, sae, memory, file.toString());
        } catch (IOException | RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    /**
     * Installs an edit on a model after checking that it fits.
     *
     * @param vlm the model
     * @param spec the edit
     * @param sae its autoencoder
     * @param memory where the autoencoder's arrays live; closed with the returned handle
     * @param source the autoencoder's file, named in errors
     * @return closing it removes the hook and closes {@code memory}
     * @throws LetheException (invalid input) when the autoencoder's width is not the layer's or a
     *     feature is not below its dictionary size
     */
    static AutoCloseable install(VisionLanguageModel vlm, EditSpec spec, Sae sae, NDManager memory, String source) {
        checkLayer(vlm, spec.layer(), "layer");
        if (sae.width() != vlm.width()) {
            throw LetheException.invalidInput(source + ": the autoencoder reads vectors of width " + sae.width()
                    + ", but layer '" + spec.layer() + "' of the model is " + vlm.width() + " wide");
        }
        for (int j : spec.features()) {
            if (j < 0 || j >= sae.dictionary()) {
                throw LetheException.invalidInput(source + ": feature " + j + " is not below the autoencoder's dictionary"
                        + " size " + sae.dictionary());
            }
        }
        FeatureEdit edit = new FeatureEdit(sae.on(memory), spec.features(), spec.gamma(), spec.positions(),
                vlm.visualTokens(), spec.tau());
        AutoCloseable hook = vlm.hook(spec.layer(), edit);
        return () -> {
            try {
                hook.close();
            } finally {
                memory.close();
            }
        };
    }

    /**
     * @throws LetheException (invalid input) when the model has no such layer, listing the valid ones
     */
    static void checkLayer(VisionLanguageModel vlm, String layer, String field) {
        if (!vlm.layers().contains(layer)) {
            throw LetheException.invalidInput(field + ": the model has no layer '" + layer + "'; its layers are "
                    + String.join(", ", vlm.layers()));
        }
    }
}
