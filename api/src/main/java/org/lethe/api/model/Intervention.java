package org.lethe.api.model;

import java.io.IOException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Applies one type of inference-time intervention to a loaded model: the service behind a
 * version's {@link ModelManifest.Attachment.Type#INTERVENTION} attachments (e.g. a sparse-autoencoder
 * feature edit that changes no weight). Registered with {@value #TYPE} = the type's name; an
 * attachment names its type in its config under {@value #ATTACHMENT_KEY}. Whoever loads a version
 * applies each enabled intervention attachment through the service of its type, and refuses the
 * version, naming the type, when no such service is deployed.
 *
 * @since 1.2
 */
@ConsumerType
public interface Intervention {

    /** Service property: the intervention type this service applies, a {@code String}: {@value}. */
    String TYPE = "lethe.intervention";

    /** The attachment config key naming the intervention type: {@value}. */
    String ATTACHMENT_KEY = "intervention";

    /**
     * The evaluation setting that switches a version's interventions: {@value} = {@code off}
     * evaluates the version with every intervention attachment disabled (its weights alone, which are
     * its parent's when the method changed no weight); {@code on}, the default, as committed.
     */
    String SWITCH = "intervention";

    /**
     * Applies an attachment to a loaded model, until the returned handle is closed.
     *
     * @param model the loaded model (its task view, e.g. a vision-language model with hooks)
     * @param attachment the attachment, of this service's type
     * @param directory the version's folder, holding the attachment's files
     * @return closing it removes the intervention
     * @throws IOException when a file cannot be read
     * @throws org.lethe.api.LetheException (invalid input) when the files do not fit the model
     *     (e.g. a width that is not the hooked layer's), naming the file and field
     */
    AutoCloseable apply(LoadedModel model, ModelManifest.Attachment attachment, Path directory) throws IOException;
}
