package org.lethe.api.model;

import java.nio.file.Path;
import java.util.List;
import org.lethe.api.LetheException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The versioned models of a container, under the data folder's {@code models/<id>/<version>/}.
 *
 * <p>A committed version is never modified: runs work on a {@link ModelLease lease} (a private copy)
 * and commit a new version whose parent is the version they started from, or discard it. Writes are
 * atomic (a version appears whole or not at all), and every load verifies the SHA-256 of every
 * file. Failures a user can fix throw {@link LetheException} with status "invalid input", naming the
 * model, file or field.
 */
@ProviderType
public interface ModelStore {

    /** @return every model id, sorted */
    List<String> ids();

    /**
     * @param id a model id
     * @return its committed versions, oldest first; empty when the id is unknown
     */
    List<ModelManifest> versions(String id);

    /**
     * @param ref a reference; {@link ModelRef#BASE} resolves to the base version
     * @return the manifest of the version it names
     * @throws LetheException (invalid input) when the model or version does not exist
     */
    ModelManifest manifest(ModelRef ref);

    /**
     * @param ref a reference
     * @return the version it names, then its parent, and so on to the root
     */
    List<ModelManifest> lineage(ModelRef ref);

    /**
     * Verifies the version's checksums and copies it into a private working folder.
     *
     * @param ref the version to start from
     * @return a lease on a copy; the caller commits it or closes it (which discards the copy)
     * @throws LetheException (invalid input) when the version does not exist or fails its checksums
     */
    ModelLease lease(ModelRef ref);

    /**
     * Commits a folder of files as a new root version of {@code id}: what a training run produced.
     * Version 1 of a new id, or the next version of an existing id, which then becomes its base.
     * The folder is copied, not moved, and every file's content is sniffed as on import.
     *
     * @param id the model id
     * @param kind what the model does
     * @param architecture the architecture that loads it ({@code lethe.architecture})
     * @param config the architecture's settings
     * @param producedBy the training run; a run commits at most one version per id
     * @param files the folder holding the files
     * @return the new version's manifest
     * @throws LetheException (invalid input) naming the id, file or field
     * @since 1.1
     */
    ModelManifest create(String id, ModelKind kind, String architecture, java.util.Map<String, String> config,
            org.lethe.api.run.RunKey producedBy, Path files);

    /**
     * Imports a model from a folder or file. The content is sniffed, not the extension:
     * safetensors (header validated before any allocation) and DJL parameter files are accepted;
     * pickle-based files are refused; TorchScript only with {@code trustedCode}, since it is code.
     *
     * @param source a model folder with a {@code manifest.json} (what {@link #export} writes)
     * @param id the id the imported model gets
     * @param trustedCode whether the caller vouches for code inside the model (TorchScript)
     * @return the new model at version 1
     */
    ModelRef importModel(Path source, String id, boolean trustedCode);

    /**
     * Writes a version (manifest and files) to a folder that {@link #importModel} accepts.
     *
     * @param ref the version
     * @param target a folder that does not exist yet
     */
    void export(ModelRef ref, Path target);

    /**
     * Starts a new model id from an existing version (a copy with the old version as parent).
     *
     * @param ref the version to copy
     * @param newId the new id, which must not exist yet
     * @return the new model at version 1
     */
    ModelRef fork(ModelRef ref, String newId);

    /**
     * Deletes a version. Refused while a lease, a run or a child version refers to it.
     *
     * @param ref the version (not the base reference)
     */
    void delete(ModelRef ref);
}
