package org.lethe.core.run;

import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.lethe.api.LetheException;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.language.LanguageModel;

/**
 * A small intervention type written for the tests ({@value #TYPE}): it adds the number in its one
 * file to a named parameter of a language model (config key {@value #PARAMETER}) while it is applied,
 * and subtracts it again when its handle is closed. It counts what it applied and removed.
 */
final class BiasShift implements Intervention {

    /** Its type name. */
    static final String TYPE = "bias-shift";

    /** The attachment config key naming the shifted parameter. */
    static final String PARAMETER = "parameter";

    /** The tiny LM's hidden layer bias (a shift of it changes the answers' losses). */
    static final String HIDDEN_BIAS = "01hidden_bias";

    final AtomicInteger applied = new AtomicInteger();
    final AtomicInteger removed = new AtomicInteger();

    /**
     * @param name the attachment's name
     * @return an enabled attachment of this type on the hidden bias, with its one file {@code <name>.txt}
     */
    static ModelManifest.Attachment attachment(String name) {
        return new ModelManifest.Attachment(ModelManifest.Attachment.Type.INTERVENTION, name, java.util.List.of(name + ".txt"),
                java.util.Map.of(Intervention.ATTACHMENT_KEY, TYPE, PARAMETER, HIDDEN_BIAS), true);
    }

    @Override
    public AutoCloseable apply(LoadedModel model, ModelManifest.Attachment attachment, Path directory) throws IOException {
        LanguageModel lm = model.view(LanguageModel.class).orElseThrow(() -> LetheException.invalidInput(
                "bias-shift applies to language models"));
        Path file = directory.resolve(attachment.files().get(0));
        float shift;
        try {
            shift = Float.parseFloat(Files.readString(file, StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            throw LetheException.invalidInput(file + ": not a number");
        }
        String name = attachment.config().get(PARAMETER);
        Parameter parameter = lm.model().getBlock().getParameters().get(name);
        if (parameter == null) {
            throw LetheException.invalidInput("field '" + PARAMETER + "': no parameter '" + name + "' (valid: "
                    + lm.model().getBlock().getParameters().keys() + ")");
        }
        parameter.getArray().addi(shift);
        applied.incrementAndGet();
        return () -> {
            parameter.getArray().subi(shift);
            removed.incrementAndGet();
        };
    }
}
