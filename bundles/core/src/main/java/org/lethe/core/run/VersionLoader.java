package org.lethe.core.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.lethe.api.LetheException;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelArchitecture;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;

/**
 * The one way the run service loads a committed version: the architecture loads its weights, then
 * each enabled {@link ModelManifest.Attachment.Type#INTERVENTION intervention} attachment is applied,
 * in manifest order, through the {@link Intervention} service its config names under
 * {@value Intervention#ATTACHMENT_KEY}; closing the loaded version removes them (in reverse order)
 * and frees the model. With interventions switched off (an evaluation with
 * {@value Intervention#SWITCH}{@code =off}) every intervention attachment is left out and the version
 * is its weights alone. Adapter attachments are the architecture's business.
 */
final class VersionLoader {

    private final Function<String, Intervention> interventions;

    /**
     * @param interventions the deployed intervention service of a type name, or null when none is
     *     (looked up at each load, so services may come and go)
     */
    VersionLoader(Function<String, Intervention> interventions) {
        this.interventions = interventions;
    }

    /**
     * @param manifest a version
     * @param applied whether its interventions are applied (the evaluation switch)
     * @return the enabled intervention attachments a load applies, in manifest order; none when switched off
     */
    static List<ModelManifest.Attachment> applied(ModelManifest manifest, boolean applied) {
        if (!applied) {
            return List.of();
        }
        return manifest.attachments().stream()
                .filter(a -> a.type() == ModelManifest.Attachment.Type.INTERVENTION && a.enabled()).toList();
    }

    /**
     * Checks, before anything is loaded, that every intervention a load would apply names a type
     * whose service is deployed.
     *
     * @param manifest the version
     * @param applied whether its interventions are applied
     * @throws LetheException (invalid input) naming the version, the attachment and its type (or the
     *     missing config key)
     */
    void check(ModelManifest manifest, boolean applied) {
        for (ModelManifest.Attachment attachment : applied(manifest, applied)) {
            service(manifest, attachment);
        }
    }

    private Intervention service(ModelManifest manifest, ModelManifest.Attachment attachment) {
        String type = attachment.config().get(Intervention.ATTACHMENT_KEY);
        if (type == null || type.isBlank()) {
            throw LetheException.invalidInput("model " + manifest.ref() + ": intervention attachment '" + attachment.name()
                    + "' names no intervention type (config key '" + Intervention.ATTACHMENT_KEY + "' is missing)");
        }
        Intervention service = interventions.apply(type);
        if (service == null) {
            throw LetheException.invalidInput("model " + manifest.ref() + ": intervention attachment '" + attachment.name()
                    + "' needs the intervention type '" + type + "', which no deployed bundle provides"
                    + " (service property " + Intervention.TYPE + "=" + type + ")");
        }
        return service;
    }

    /**
     * Loads a version and applies its enabled interventions. When one cannot be applied, the ones
     * already applied are removed and the model is freed before the error is thrown.
     *
     * @param architecture the architecture that loads it
     * @param manifest the version's manifest
     * @param directory the folder holding its files (the interventions read theirs while they are applied)
     * @param applied whether its interventions are applied ({@code false}: the weights alone)
     * @return the loaded version; closing it removes the interventions and frees the model
     * @throws IOException when a file cannot be read
     * @throws LetheException (invalid input) when an intervention's type has no deployed service or its
     *     files do not fit the model, naming the version and the attachment
     */
    LoadedVersion load(ModelArchitecture architecture, ModelManifest manifest, Path directory, boolean applied)
            throws IOException {
        List<ModelManifest.Attachment> attachments = applied(manifest, applied);
        List<Intervention> services = new ArrayList<>(attachments.size());
        for (ModelManifest.Attachment attachment : attachments) {
            services.add(service(manifest, attachment));
        }
        LoadedModel model = architecture.load(manifest, directory);
        LoadedVersion version = new LoadedVersion(model);
        try {
            for (int i = 0; i < attachments.size(); i++) {
                ModelManifest.Attachment attachment = attachments.get(i);
                AutoCloseable handle;
                try {
                    handle = services.get(i).apply(model, attachment, directory);
                } catch (LetheException e) {
                    throw new LetheException(e.exitStatus(), "model " + manifest.ref() + ": intervention attachment '"
                            + attachment.name() + "': " + e.getMessage(), e);
                } catch (IOException e) {
                    throw new IOException("model " + manifest.ref() + ": intervention attachment '" + attachment.name()
                            + "': " + e.getMessage(), e);
                }
                if (handle == null) {
                    throw LetheException.failed("model " + manifest.ref() + ": the intervention service of attachment '"
                            + attachment.name() + "' returned no handle", null);
                }
                version.handles.add(handle);
            }
            return version;
        } catch (IOException | RuntimeException | Error e) {
            try {
                version.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * A loaded version: the architecture's model with the handles of the interventions applied to it.
     * Its views are the model's (with the interventions in effect).
     */
    static final class LoadedVersion implements LoadedModel {

        private final LoadedModel model;
        private final List<AutoCloseable> handles = new ArrayList<>();
        private boolean closed;

        LoadedVersion(LoadedModel model) {
            this.model = model;
        }

        @Override
        public ModelKind kind() {
            return model.kind();
        }

        @Override
        public Map<String, String> config() {
            return model.config();
        }

        @Override
        public <V> Optional<V> view(Class<V> type) {
            return model.view(type);
        }

        /**
         * Writes the weights. A run that commits calls {@link #removeInterventions} first, so that an
         * intervention that edits the loaded weights in memory is not saved into the next version.
         */
        @Override
        public void save(Path directory) throws IOException {
            model.save(directory);
        }

        /** @return how many interventions are applied now */
        synchronized int interventions() {
            return handles.size();
        }

        /**
         * Removes the applied interventions, last applied first, leaving the weights alone (what a run
         * saves as the next version's weights: the interventions stay attachments, applied at load).
         *
         * @throws LetheException (failed) when a handle cannot be closed; every other handle is still closed
         */
        synchronized void removeInterventions() {
            RuntimeException failure = null;
            for (int i = handles.size() - 1; i >= 0; i--) {
                try {
                    handles.get(i).close();
                } catch (Exception e) {
                    if (failure == null) {
                        failure = LetheException.failed("cannot remove an intervention: " + e, e);
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            handles.clear();
            if (failure != null) {
                throw failure;
            }
        }

        /** Removes the interventions, then frees the model (even when a removal fails). */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                removeInterventions();
            } finally {
                model.close();
            }
        }
    }
}
