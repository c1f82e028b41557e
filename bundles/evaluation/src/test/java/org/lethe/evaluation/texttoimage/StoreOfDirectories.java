package org.lethe.evaluation.texttoimage;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.LetheException;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelLease;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.run.RunKey;

/**
 * Test scaffolding: a model store over folders written in the test, with what the evaluation
 * classifier's selection reads (versions, manifests, leases). A lease hands out the version's own
 * folder and counts open leases; writing operations are refused.
 */
final class StoreOfDirectories implements ModelStore {

    private final Map<String, List<ModelManifest>> versions = new LinkedHashMap<>();
    private final Map<ModelRef, Path> folders = new LinkedHashMap<>();
    int leasesTaken;
    int leasesOpen;

    /**
     * Saves a loaded model as the next version of an id.
     *
     * @param id the model id
     * @param architecture its architecture name
     * @param model the model, saved into a new sub-folder of {@code root}
     * @param root a folder for the version folders
     * @return the new version's manifest
     */
    ModelManifest add(String id, String architecture, LoadedModel model, Path root) throws java.io.IOException {
        List<ModelManifest> list = versions.computeIfAbsent(id, k -> new ArrayList<>());
        ModelRef ref = new ModelRef(id, list.size() + 1);
        Path folder = java.nio.file.Files.createDirectories(root.resolve(id + "-" + ref.version()));
        model.save(folder);
        ModelManifest manifest = new ModelManifest(ref, model.kind(), architecture, model.config(), Optional.empty(),
                Optional.empty(), Map.of(), List.of(), Instant.EPOCH);
        list.add(manifest);
        folders.put(ref, folder);
        return manifest;
    }

    /**
     * Records a manifest of another kind (its folder is never read).
     *
     * @param id the id
     * @param kind its kind
     */
    void addEmpty(String id, ModelKind kind) {
        List<ModelManifest> list = versions.computeIfAbsent(id, k -> new ArrayList<>());
        list.add(new ModelManifest(new ModelRef(id, list.size() + 1), kind, "none", Map.of(), Optional.empty(),
                Optional.empty(), Map.of(), List.of(), Instant.EPOCH));
    }

    @Override
    public List<String> ids() {
        return versions.keySet().stream().sorted().toList();
    }

    @Override
    public List<ModelManifest> versions(String id) {
        return List.copyOf(versions.getOrDefault(id, List.of()));
    }

    @Override
    public ModelManifest manifest(ModelRef ref) {
        return versions(ref.id()).stream().filter(m -> ref.isBase() || m.ref().equals(ref)).findFirst()
                .orElseThrow(() -> LetheException.invalidInput("no model " + ref));
    }

    @Override
    public List<ModelManifest> lineage(ModelRef ref) {
        return List.of(manifest(ref));
    }

    @Override
    public ModelLease lease(ModelRef ref) {
        ModelManifest base = manifest(ref);
        Path folder = folders.get(base.ref());
        leasesTaken++;
        leasesOpen++;
        return new ModelLease() {
            private boolean closed;

            @Override
            public ModelManifest base() {
                return base;
            }

            @Override
            public Path directory() {
                return folder;
            }

            @Override
            public ModelManifest commit(RunKey producedBy, Map<String, String> config,
                    List<ModelManifest.Attachment> attachments) {
                throw new UnsupportedOperationException("the evaluation never commits");
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    leasesOpen--;
                }
            }
        };
    }

    @Override
    public ModelManifest create(String id, ModelKind kind, String architecture, Map<String, String> config,
            RunKey producedBy, Path files) {
        throw new UnsupportedOperationException("the evaluation never creates models");
    }

    @Override
    public ModelRef importModel(Path source, String id, boolean trustedCode) {
        throw new UnsupportedOperationException("the evaluation never imports models");
    }

    @Override
    public void export(ModelRef ref, Path target) {
        throw new UnsupportedOperationException("the evaluation never exports models");
    }

    @Override
    public ModelRef fork(ModelRef ref, String newId) {
        throw new UnsupportedOperationException("the evaluation never forks models");
    }

    @Override
    public void delete(ModelRef ref) {
        throw new UnsupportedOperationException("the evaluation never deletes models");
    }
}
