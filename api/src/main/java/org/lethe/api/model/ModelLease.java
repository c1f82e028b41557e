package org.lethe.api.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.lethe.api.run.RunKey;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A private, writable copy of a committed version. Commit it once to make a new version, or close
 * it to discard the copy; the version it came from is never touched.
 */
@ProviderType
public interface ModelLease extends AutoCloseable {

    /** @return the committed version this copy was taken from */
    ModelManifest base();

    /** @return the folder holding the copy; the holder of the lease may change, add or remove files */
    Path directory();

    /**
     * Commits the folder's content as the next version of the base's id, atomically, with the base
     * as its parent. A second commit, or a commit for a run key that already committed, is refused.
     *
     * @param producedBy the run committing
     * @param config the architecture settings of the new version (usually the base's)
     * @param attachments adapters and interventions of the new version (files inside the folder)
     * @return the manifest of the new version
     */
    ModelManifest commit(RunKey producedBy, Map<String, String> config, List<ModelManifest.Attachment> attachments);

    /** Discards the copy unless it was committed. */
    @Override
    void close();
}
