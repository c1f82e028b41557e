package org.lethe.core.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import org.lethe.api.LetheException;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelLease;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.api.run.RunKey;

/**
 * The model store on a local file system: {@code <root>/<id>/<version>/}, where {@code root} is
 * usually the data folder's {@code models/}. Registered as the container's {@link ModelStore} over
 * {@code <lethe.data>/models}; usable as a plain class over any folder.
 *
 * <h2>Layout</h2>
 * <pre>
 * models/
 *   .leases/&lt;random&gt;/        a lease's private working copy
 *   .leases/&lt;random&gt;.lock    held while the lease (or a read pin: fork, export) is alive; says which version
 *   &lt;id&gt;/.lock                serialises commits, deletes and sweeps of the id (also across processes)
 *   &lt;id&gt;/.tmp-&lt;random&gt;/      a version being written; &lt;random&gt;.lock beside it while its writer lives
 *   &lt;id&gt;/&lt;n&gt;/                 version n: its files, manifest.json, then COMMITTED
 *   &lt;id&gt;/&lt;n&gt;/DELETED         a deleted version's tombstone (keeps n from being reused)
 * </pre>
 *
 * <h2>Commit protocol</h2>
 * Crash-consistent (DESIGN §8; research/scale-reliability.md §2.4): the files are written into
 * {@code <id>/.tmp-<random>/} and forced to the device; under the id lock the next version number
 * {@code n} is chosen, {@code manifest.json} (with the SHA-256 of every file) is written and forced,
 * the folder is forced, renamed atomically to {@code <id>/<n>/}, the id folder is forced, and last the
 * marker {@code COMMITTED} (holding the SHA-256 of {@code manifest.json}) is written through a
 * temporary name, renamed, and forced. A folder without its marker is not a version: readers ignore it
 * and {@link #sweep()}, run on construction, removes it along with staging folders and leases whose
 * owner is gone. A run key commits at most one version per id.
 *
 * <h2>Versions and the base</h2>
 * Versions are numbered 1, 2, 3… per id and a number is never reused while the id has a version
 * (deleted versions leave a tombstone); once every version of an id is deleted the id is free again and
 * starts over at 1. {@link ModelRef#BASE} resolves to the id's newest <em>root</em>: the newest version
 * whose parent is not a version of the same id (the output of a training run, an import, or a fork's
 * first version). With one training run that is version 1; training again with {@link #create} on the
 * same id records a new root, which becomes the base. This is computed from the manifests, so there is
 * no pointer file to keep consistent.
 *
 * <h2>Checks</h2>
 * {@link #manifest}, {@link #lease}, {@link #fork} and {@link #export} verify the SHA-256 of every file
 * of the version and refuse a missing or unexpected file; {@link #versions}, {@link #ids} and
 * {@link #lineage} read manifests only (their own checksum is in the marker) and leave out a version
 * whose manifest is unreadable. Ids are checked before any file is named after them.
 *
 * <p>Thread-safe. Several stores (in this JVM or other processes) may share a root.
 */
@org.osgi.service.component.annotations.Component(service = ModelStore.class)
public final class FileModelStore implements ModelStore {

    /** Framework property naming the data folder (set by the launcher); models live in its {@code models/}. */
    public static final String DATA_PROPERTY = "lethe.data";

    /** The manifest's file name inside a version folder. */
    public static final String MANIFEST = "manifest.json";

    /** The commit marker's file name inside a version folder: written last, its presence makes the version. */
    public static final String MARKER = "COMMITTED";

    /** A deleted version's tombstone. */
    static final String TOMBSTONE = "DELETED";

    /**
     * @param name a file name relative to a version folder
     * @return whether the store reserves it for itself (its manifest, commit marker, ...), so that no
     *     version file may have it
     */
    public static boolean reserved(String name) {
        return Fs.RESERVED.contains(name);
    }

    static final String LEASES = ".leases";
    static final String TMP = ".tmp-";
    static final String LOCK = ".lock";
    private static final String MARKER_PREFIX = "manifest.json sha256=";
    private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,8}");
    private static final long MAX_MANIFEST_BYTES = 16L * 1024 * 1024;

    /** The steps of a commit, where tests inject a crash. */
    enum Step {
        /** The files are in the staging folder, not yet forced to the device. */
        FILES_WRITTEN,
        /** Files, manifest and staging folder are forced; not yet renamed. */
        FILES_SYNCED,
        /** Renamed to the version number; the id folder not yet forced. */
        RENAMED,
        /** The id folder is forced; the marker is not written yet. */
        BEFORE_MARKER,
        /** The marker is written and forced. */
        COMMITTED
    }

    /** Observes commit steps (tests). */
    interface Hook {
        void at(Step step, Path folder);
    }

    private final Path root;
    private final Path leases;
    private volatile Hook hook = (step, folder) -> { };

    /**
     * The DS constructor: the store under the data folder's {@code models/}.
     *
     * @param context the bundle context, for the {@value #DATA_PROPERTY} framework property
     */
    @org.osgi.service.component.annotations.Activate
    public FileModelStore(org.osgi.framework.BundleContext context) {
        this(java.nio.file.Path.of(context.getProperty(DATA_PROPERTY) == null ? "data" : context.getProperty(DATA_PROPERTY))
                .toAbsolutePath().resolve("models"));
    }

    /**
     * Opens (creating when missing) a store and sweeps what crashed writers left behind.
     *
     * @param root the models folder, e.g. {@code <data>/models}
     * @throws LetheException (failed) when the folder cannot be created or swept
     */
    public FileModelStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.leases = this.root.resolve(LEASES);
        try {
            Files.createDirectories(this.leases);
        } catch (IOException e) {
            throw io("cannot create the model store folder " + this.root, e);
        }
        sweep();
    }

    /** @return the models folder */
    public Path root() {
        return root;
    }

    void hook(Hook newHook) {
        this.hook = Objects.requireNonNull(newHook);
    }

    // ------------------------------------------------------------------------------------------------
    // Reading

    /**
     * @return every id with at least one committed version, sorted
     */
    @Override
    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        try {
            for (Path entry : Fs.entries(root)) {
                String name = entry.getFileName().toString();
                if (isId(name) && !committed(name).isEmpty()) {
                    ids.add(name);
                }
            }
        } catch (IOException e) {
            throw io("cannot list " + root, e);
        }
        ids.sort(null);
        return ids;
    }

    /**
     * Lists the committed versions of an id from their manifests (checked against their commit marker;
     * the files are not hashed here). A version whose manifest is unreadable is left out.
     *
     * @param id a model id
     * @return its committed versions, oldest first; empty when the id is unknown
     * @throws LetheException (invalid input) when {@code id} is not a valid id
     */
    @Override
    public List<ModelManifest> versions(String id) {
        ModelRef.checkId(id);
        List<ModelManifest> out = new ArrayList<>();
        for (Version version : committed(id)) {
            if (version.manifest != null) {
                out.add(version.manifest);
            }
        }
        return out;
    }

    /**
     * Resolves a reference and verifies the SHA-256 of every file of the version.
     *
     * @param ref a reference; {@link ModelRef#BASE} resolves to the newest root (see the class comment)
     * @return the version's manifest
     * @throws LetheException (invalid input) when the version does not exist, or a file is missing,
     *     unexpected or fails its checksum (the message names the file)
     */
    @Override
    public ModelManifest manifest(ModelRef ref) {
        Version version = resolve(ref);
        verify(version);
        return version.manifest;
    }

    /**
     * Follows parents from a version to its root, across ids (a fork's parent is in another id). Reads
     * manifests only.
     *
     * @param ref a reference
     * @return the version, then its parent, and so on to the root
     * @throws LetheException (invalid input) when the version or an ancestor does not exist
     */
    @Override
    public List<ModelManifest> lineage(ModelRef ref) {
        List<ModelManifest> chain = new ArrayList<>();
        Set<ModelRef> seen = new LinkedHashSet<>();
        Version version = resolve(ref);
        while (true) {
            ModelManifest manifest = version.manifest;
            chain.add(manifest);
            seen.add(manifest.ref());
            Optional<ModelRef> parent = manifest.parent();
            if (parent.isEmpty()) {
                return chain;
            }
            if (seen.contains(parent.get())) {
                throw LetheException.invalidInput("lineage of model " + ref + " loops at " + parent.get());
            }
            Version next = committed(parent.get().id(), parent.get().version());
            if (next == null) {
                throw LetheException.invalidInput("lineage of model " + ref + " is broken: " + manifest.ref()
                        + " names parent " + parent.get() + ", which does not exist");
            }
            version = usable(next);
        }
    }

    /**
     * Resolves a reference to a committed version.
     *
     * @param ref a reference; {@link ModelRef#BASE} means the newest root (see the class comment)
     * @return the concrete reference
     * @throws LetheException (invalid input) when the model or version does not exist
     */
    public ModelRef resolveRef(ModelRef ref) {
        return resolve(ref).manifest.ref();
    }

    // ------------------------------------------------------------------------------------------------
    // Leases

    /**
     * Copies a version into {@code .leases/<random>/}, verifying every file's SHA-256 as it is copied.
     * While the lease is open, the version cannot be deleted. Its commit moves the copy into the id's
     * staging folder and follows the commit protocol; a commit refused before that (a reserved file name,
     * a link, an attachment naming a missing file, a run key already used) leaves the lease usable, a
     * failure after it discards the copy.
     *
     * @param ref the version to start from
     * @return the lease; commit it or close it
     * @throws LetheException (invalid input) when the version does not exist or fails its checksums
     */
    @Override
    public ModelLease lease(ModelRef ref) {
        Version version = resolve(ref);
        Locks.Held pin = pin(version);
        Path dir = leases.resolve(pin.file().getFileName().toString().replace(LOCK, ""));
        try {
            Files.createDirectory(dir);
            copyVerified(version, dir);
            return new FileLease(version.manifest, dir, pin);
        } catch (IOException | RuntimeException e) {
            discard(dir, pin, e);
            if (e instanceof IOException) {
                throw io("cannot copy model " + version.manifest.ref() + " into the lease folder " + dir, (IOException) e);
            }
            throw (RuntimeException) e;
        }
    }

    /** A lease: a private copy in {@code .leases/<random>/}, guarded by its lock file. */
    private final class FileLease implements ModelLease {
        private final ModelManifest base;
        private final Path dir;
        private final Locks.Held pin;
        private ModelManifest committed;
        private boolean closed;

        FileLease(ModelManifest base, Path dir, Locks.Held pin) {
            this.base = base;
            this.dir = dir;
            this.pin = pin;
        }

        @Override
        public ModelManifest base() {
            return base;
        }

        @Override
        public Path directory() {
            return dir;
        }

        @Override
        public synchronized ModelManifest commit(RunKey producedBy, Map<String, String> config,
                List<ModelManifest.Attachment> attachments) {
            String what = "lease on model " + base.ref();
            if (committed != null) {
                throw LetheException.invalidInput(what + " was already committed as " + committed.ref()
                        + "; a lease commits once");
            }
            if (closed) {
                throw LetheException.invalidInput(what + " is closed; its copy was discarded");
            }
            Objects.requireNonNull(producedBy, "producedBy");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(attachments, "attachments");
            String id = base.ref().id();
            SortedMap<String, Path> files;
            try {
                files = Fs.listFiles(dir, "lease folder of model " + base.ref(), Set.of());
            } catch (IOException e) {
                throw io("cannot list the lease folder " + dir, e);
            }
            if (files.isEmpty()) {
                throw LetheException.invalidInput("commit of the " + what + ": the lease folder " + dir + " holds no files");
            }
            for (String file : files.keySet()) {
                Manifests.checkRelativePath(file, "commit of the " + what);
            }
            Manifests.checkAttachments(attachments, files.keySet(), "commit of the " + what);
            checkRunKeyUnused(id, producedBy);

            // From here on the copy moves into the id's staging folder: success or failure, the lease is spent.
            closed = true;
            Staging staging = null;
            try {
                staging = Staging.open(idDir(id));
                Fs.moveAtomically(dir, staging.dir);
                pin.close();
                hook.at(Step.FILES_WRITTEN, staging.dir);
                Map<String, String> hashes = syncAndHash(staging.dir, files.keySet());
                Instant created = Instant.now();
                committed = publish(staging, id, Optional.of(producedBy), false, n -> new ModelManifest(
                        new ModelRef(id, n), base.kind(), base.architecture(), config, Optional.of(base.ref()),
                        Optional.of(producedBy), hashes, attachments, created));
                return committed;
            } catch (IOException e) {
                abandon(staging, e);
                throw io("cannot commit the " + what, e);
            } catch (RuntimeException e) {
                abandon(staging, e);
                throw e;
            } finally {
                closeQuietly(pin);
                try {
                    Fs.deleteTree(dir);
                } catch (IOException e) {
                    // the sweep removes it later
                }
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                Fs.deleteTree(dir);
            } catch (IOException e) {
                throw io("cannot discard the lease folder " + dir, e);
            } finally {
                closeQuietly(pin);
            }
        }

        @Override
        public String toString() {
            return "lease on " + base.ref() + " at " + dir;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Writing

    /**
     * Commits a folder of files (a training run's output) as a new root version of {@code id}: version 1
     * of a new id, or the next version of an existing one, which then becomes its base. The folder is
     * copied, not moved; every file is sniffed ({@link ContentSniffer}): pickle, TorchScript, NumPy and
     * unknown formats are refused.
     *
     * @param id the model id
     * @param kind what the model does
     * @param architecture the architecture that loads it
     * @param config the architecture's settings
     * @param producedBy the run that produced it, or null when none did; a run commits once per id
     * @param filesFolder the folder holding the files (sub-folders allowed, links refused); it must not
     *     hold {@code manifest.json}, {@code COMMITTED} or {@code DELETED}
     * @return the new version's manifest
     * @throws LetheException (invalid input) naming the id, file or field
     */
    @Override
    public ModelManifest create(String id, ModelKind kind, String architecture, Map<String, String> config,
            RunKey producedBy, Path filesFolder) {
        ModelRef.checkId(id);
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(config, "config");
        if (architecture == null || architecture.isBlank()) {
            throw LetheException.invalidInput("model " + id + ": architecture is empty");
        }
        SortedMap<String, Path> files = sourceFiles(filesFolder, "model folder", Set.of(), false);
        Optional<RunKey> run = Optional.ofNullable(producedBy);
        run.ifPresent(key -> checkRunKeyUnused(id, key));
        Instant created = Instant.now();
        return stageAndPublish(id, files, null, run, false, (hashes, n) -> new ModelManifest(new ModelRef(id, n), kind,
                architecture, config, Optional.empty(), run, hashes, List.of(), created));
    }

    /**
     * Imports a folder as version 1 of a new id. The folder holds {@code manifest.json} and the files:
     * what {@link #export} writes, or a hand-written manifest with at least {@code kind} and
     * {@code architecture} (optional: {@code config}, {@code attachments}, and {@code files} with the
     * SHA-256 of each file, which are then verified and must list exactly the folder's files). The
     * source's id, version, parent, run and date are not kept: an import is a root. Every file is sniffed
     * ({@link ContentSniffer}); nothing is written before all checks pass.
     *
     * @param source the folder
     * @param id the new id, which must not exist
     * @param trustedCode whether TorchScript files are accepted
     * @return the new model at version 1
     * @throws LetheException (invalid input) naming the file or field that is refused
     */
    @Override
    public ModelRef importModel(Path source, String id, boolean trustedCode) {
        ModelRef.checkId(id);
        Objects.requireNonNull(source, "source");
        if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            throw LetheException.invalidInput("import source " + source + " is not a folder: importModel takes a"
                    + " folder holding manifest.json and the model's files (what export writes)");
        }
        Path manifestFile = source.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile, LinkOption.NOFOLLOW_LINKS)) {
            throw LetheException.invalidInput("import source " + source + " has no " + MANIFEST
                    + " (it names the kind, architecture and files of the model)");
        }
        Manifests.ImportSpec spec;
        try {
            if (Files.size(manifestFile) > MAX_MANIFEST_BYTES) {
                throw LetheException.invalidInput("manifest " + manifestFile + " is larger than " + MAX_MANIFEST_BYTES
                        + " bytes");
            }
            spec = Manifests.readForImport(Files.readAllBytes(manifestFile), manifestFile.toString());
        } catch (IOException e) {
            throw LetheException.invalidInput("cannot read " + manifestFile + ": " + e);
        }
        SortedMap<String, Path> files = sourceFiles(source, "import source", Set.of(MANIFEST), true);
        if (spec.files().isPresent()) {
            Map<String, String> listed = spec.files().get();
            for (String file : listed.keySet()) {
                if (!files.containsKey(file)) {
                    throw LetheException.invalidInput("import source " + source + ": file " + file
                            + " is listed in " + MANIFEST + " but missing");
                }
            }
            for (String file : files.keySet()) {
                if (!listed.containsKey(file)) {
                    throw LetheException.invalidInput("import source " + source + ": file " + file
                            + " is not listed in " + MANIFEST);
                }
            }
        }
        Manifests.checkAttachments(spec.attachments(), files.keySet(), "manifest " + manifestFile);
        for (Path file : files.values()) {
            ContentSniffer.requireAccepted(file, trustedCode);
        }
        Instant created = Instant.now();
        ModelManifest manifest = stageAndPublish(id, files, spec.files().orElse(null), Optional.empty(), true,
                (hashes, n) -> new ModelManifest(new ModelRef(id, n), spec.kind(), spec.architecture(), spec.config(),
                        Optional.empty(), Optional.empty(), hashes, spec.attachments(), created));
        return manifest.ref();
    }

    /**
     * Writes a verified copy of a version (its files and {@code manifest.json}, without the commit marker)
     * into a temporary sibling of {@code target}, then renames it to {@code target}.
     *
     * @param ref the version
     * @param target a folder that does not exist yet, outside the store
     * @throws LetheException (invalid input) when the target exists or lies in the store, or the version
     *     does not exist or fails its checksums
     */
    @Override
    public void export(ModelRef ref, Path target) {
        Objects.requireNonNull(target, "target");
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
            throw LetheException.invalidInput("export target " + target + " already exists");
        }
        if (absolute.startsWith(root)) {
            throw LetheException.invalidInput("export target " + target + " is inside the model store " + root);
        }
        Version version = resolve(ref);
        Path parent = absolute.getParent();
        Path temp = parent.resolve("." + absolute.getFileName() + TMP + Fs.random());
        try (Locks.Held pin = pin(version)) {
            Files.createDirectories(parent);
            Files.createDirectory(temp);
            copyVerified(version, temp);
            Fs.writeDurably(temp.resolve(MANIFEST), version.manifestBytes);
            Fs.fsyncTree(temp);
            if (Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileAlreadyExistsException(absolute.toString());
            }
            Fs.moveAtomically(temp, absolute);
            Fs.fsyncDir(parent);
        } catch (FileAlreadyExistsException e) {
            deleteQuietly(temp);
            throw LetheException.invalidInput("export target " + target + " already exists");
        } catch (IOException e) {
            deleteQuietly(temp);
            throw io("cannot export model " + version.manifest.ref() + " to " + target, e);
        } catch (RuntimeException e) {
            deleteQuietly(temp);
            throw e;
        }
    }

    /**
     * Copies a verified version as version 1 of a new id, whose parent is the source version; kind,
     * architecture, config and attachments are kept, {@code producedBy} is empty.
     *
     * @param ref the version to copy
     * @param newId the new id, which must not exist yet
     * @return the new model at version 1
     * @throws LetheException (invalid input) when the id is invalid or exists, or the source does not
     *     exist or fails its checksums
     */
    @Override
    public ModelRef fork(ModelRef ref, String newId) {
        ModelRef.checkId(newId);
        Version version = resolve(ref);
        ModelManifest source = version.manifest;
        Staging staging = null;
        try (Locks.Held pin = pin(version)) {
            if (!committed(newId).isEmpty()) {
                throw exists(newId);
            }
            staging = Staging.open(idDir(newId));
            copyVerified(version, staging.dir);
            hook.at(Step.FILES_WRITTEN, staging.dir);
            Map<String, String> hashes = syncAndHash(staging.dir, source.files().keySet());
            Instant created = Instant.now();
            return publish(staging, newId, Optional.empty(), true, n -> new ModelManifest(new ModelRef(newId, n),
                    source.kind(), source.architecture(), source.config(), Optional.of(source.ref()), Optional.empty(),
                    hashes, source.attachments(), created)).ref();
        } catch (IOException e) {
            abandon(staging, e);
            throw io("cannot fork model " + source.ref() + " as " + newId, e);
        } catch (RuntimeException e) {
            abandon(staging, e);
            throw e;
        }
    }

    /**
     * Deletes a version: a tombstone is written, the marker removed, then the files. Its number is not
     * reused while the id has versions; deleting the last version frees the id.
     *
     * @param ref the version (not the base reference)
     * @throws LetheException (invalid input) for the base reference, a version that does not exist, one
     *     that is leased (or being forked or exported), or one that a version of any id names as parent
     */
    @Override
    public void delete(ModelRef ref) {
        Objects.requireNonNull(ref, "ref");
        if (ref.isBase()) {
            throw LetheException.invalidInput("delete needs a version (" + ref.id() + ":<n>), not the base reference "
                    + ref);
        }
        String id = ref.id();
        Path idDir = idDir(id);
        if (!Files.isDirectory(idDir, LinkOption.NOFOLLOW_LINKS)) {
            throw missing(ref);
        }
        try (Locks.IdLock lock = Locks.lockId(idDir.resolve(LOCK))) {
            Version version = committed(id, ref.version());
            if (version == null) {
                throw missing(ref);
            }
            for (Path entry : Fs.entries(leases)) {
                String name = entry.getFileName().toString();
                if (name.endsWith(LOCK) && Locks.content(entry).equals(ref.toString()) && Locks.live(entry)) {
                    throw LetheException.invalidInput("model " + ref + " is in use (a lease, fork or export holds "
                            + entry.getFileName() + "); close the lease or wait, then delete");
                }
            }
            for (String other : idsOnDisk()) {
                for (Version candidate : committed(other)) {
                    if (candidate.manifest != null && candidate.manifest.parent().equals(Optional.of(ref))) {
                        throw LetheException.invalidInput("model " + ref + " is the parent of " + candidate.manifest.ref()
                                + "; delete " + candidate.manifest.ref() + " first (lineage must stay complete)");
                    }
                }
            }
            Path dir = version.dir;
            Files.deleteIfExists(dir.resolve(TOMBSTONE)); // left by a delete that crashed before removing the marker
            Fs.writeDurably(dir.resolve(TOMBSTONE), (ref + " deleted " + Instant.now() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            Files.delete(dir.resolve(MARKER));
            Fs.fsyncDir(dir);
            clearTombstone(dir);
            if (committed(id).isEmpty()) {
                removeTombstones(idDir);
            }
        } catch (IOException e) {
            throw io("cannot delete model " + ref, e);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Sweep

    /**
     * Removes what crashed writers left: staging folders and leases whose owner is gone, and version
     * folders without a commit marker. Runs on construction; safe to run at any time (live writers,
     * in this JVM or another process, are left alone).
     *
     * @return the paths removed
     * @throws LetheException (failed) when something cannot be removed
     */
    public List<Path> sweep() {
        List<Path> removed = new ArrayList<>();
        try {
            sweepStaged(leases, "", removed);
            for (String id : idsOnDisk()) {
                Path idDir = idDir(id);
                try (Locks.IdLock lock = Locks.lockId(idDir.resolve(LOCK))) {
                    sweepStaged(idDir, TMP, removed);
                    for (Path entry : Fs.entries(idDir)) {
                        String name = entry.getFileName().toString();
                        if (!NUMBER.matcher(name).matches() || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                            continue;
                        }
                        if (Files.exists(entry.resolve(TOMBSTONE), LinkOption.NOFOLLOW_LINKS)
                                && !Files.exists(entry.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
                            clearTombstone(entry);
                        } else if (!Files.exists(entry.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
                            Fs.deleteTree(entry);
                            removed.add(entry);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw io("cannot sweep the model store " + root, e);
        }
        return removed;
    }

    /** Removes {@code <prefix>*} folders and their {@code .lock} files in {@code dir} whose owner is gone. */
    private static void sweepStaged(Path dir, String prefix, List<Path> removed) throws IOException {
        for (Path entry : Fs.entries(dir)) {
            String name = entry.getFileName().toString();
            if (!name.startsWith(prefix) || name.equals(LOCK) || (prefix.isEmpty() && !name.matches("[0-9a-f]{16}(\\.lock)?"))) {
                continue;
            }
            if (name.endsWith(LOCK)) {
                Path folder = dir.resolve(name.substring(0, name.length() - LOCK.length()));
                try (Locks.Held stale = Locks.takeOverStale(entry)) {
                    if (stale != null) {
                        Fs.deleteTree(folder);
                        removed.add(entry);
                    }
                }
            } else if (!Files.exists(dir.resolve(name + LOCK), LinkOption.NOFOLLOW_LINKS)) {
                // The lock is created before the folder and deleted after it is moved: a folder without
                // its lock has no owner.
                Fs.deleteTree(entry);
                removed.add(entry);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Internals

    /** A committed version folder: its manifest, or why it cannot be read. */
    private static final class Version {
        final Path dir;
        final ModelManifest manifest;
        final byte[] manifestBytes;
        final String problem;

        Version(Path dir, ModelManifest manifest, byte[] manifestBytes, String problem) {
            this.dir = dir;
            this.manifest = manifest;
            this.manifestBytes = manifestBytes;
            this.problem = problem;
        }
    }

    /** A staging folder {@code <id>/.tmp-<random>/} with its lock. */
    private static final class Staging {
        final Path dir;
        final Locks.Held lock;

        private Staging(Path dir, Locks.Held lock) {
            this.dir = dir;
            this.lock = lock;
        }

        static Staging open(Path idDir) throws IOException {
            for (int attempt = 1; ; attempt++) {
                Files.createDirectories(idDir);
                String name = TMP + Fs.random();
                try {
                    Locks.Held lock = Locks.hold(idDir.resolve(name + LOCK), "staging");
                    return new Staging(idDir.resolve(name), lock);
                } catch (NoSuchFileException e) {
                    if (attempt == 3) {
                        throw e; // an abandoned writer removed the empty id folder meanwhile, three times
                    }
                }
            }
        }
    }

    private interface ManifestFactory {
        ModelManifest make(Map<String, String> hashes, int version);
    }

    /** Copies source files into a new staging folder (verifying expected hashes when given), then publishes. */
    private ModelManifest stageAndPublish(String id, SortedMap<String, Path> files, Map<String, String> expected,
            Optional<RunKey> run, boolean requireNew, ManifestFactory factory) {
        if (requireNew && !committed(id).isEmpty()) {
            throw exists(id);
        }
        Staging staging = null;
        try {
            staging = Staging.open(idDir(id));
            Files.createDirectory(staging.dir);
            Map<String, String> hashes = new TreeMap<>();
            for (Map.Entry<String, Path> file : files.entrySet()) {
                String hash = Fs.copyWithDigest(file.getValue(), staging.dir.resolve(file.getKey()));
                if (expected != null && !hash.equals(expected.get(file.getKey()))) {
                    throw LetheException.invalidInput("file " + file.getValue() + " fails its SHA-256 check against "
                            + MANIFEST + " (expected " + expected.get(file.getKey()) + ", found " + hash + ")");
                }
                hashes.put(file.getKey(), hash);
            }
            hook.at(Step.FILES_WRITTEN, staging.dir);
            Fs.fsyncTree(staging.dir);
            return publish(staging, id, run, requireNew, n -> factory.make(hashes, n));
        } catch (IOException e) {
            abandon(staging, e);
            throw io("cannot write model " + id, e);
        } catch (RuntimeException e) {
            abandon(staging, e);
            throw e;
        }
    }

    /** Forces the staged files and hashes them. */
    private static Map<String, String> syncAndHash(Path dir, Set<String> files) throws IOException {
        Map<String, String> hashes = new TreeMap<>();
        for (String file : files) {
            Path path = dir.resolve(file);
            Fs.fsyncFile(path);
            hashes.put(file, Fs.sha256(path));
        }
        Fs.fsyncTree(dir);
        return hashes;
    }

    /**
     * The critical section: under the id lock, checks the run key and the id, picks the number, writes the
     * manifest, renames, writes the marker.
     */
    private ModelManifest publish(Staging staging, String id, Optional<RunKey> run, boolean requireNew,
            IntFunction<ModelManifest> manifestFor) throws IOException {
        Path idDir = idDir(id);
        Path target = null;
        try (Locks.IdLock lock = Locks.lockId(idDir.resolve(LOCK))) {
            List<Version> versions = committed(id);
            if (requireNew && !versions.isEmpty()) {
                throw exists(id);
            }
            if (run.isPresent()) {
                checkRunKeyUnused(id, run.get(), versions);
            }
            if (versions.isEmpty()) {
                removeTombstones(idDir); // an id without versions starts over at 1
            }
            int number = 1;
            for (Path entry : Fs.entries(idDir)) {
                String name = entry.getFileName().toString();
                if (NUMBER.matcher(name).matches()) {
                    number = Math.max(number, Integer.parseInt(name) + 1);
                }
            }
            ModelManifest manifest = manifestFor.apply(number);
            byte[] bytes = Manifests.write(manifest);
            Fs.writeDurably(staging.dir.resolve(MANIFEST), bytes);
            Fs.fsyncDir(staging.dir);
            hook.at(Step.FILES_SYNCED, staging.dir);

            target = idDir.resolve(Integer.toString(number));
            Fs.moveAtomically(staging.dir, target);
            staging.lock.close();
            hook.at(Step.RENAMED, target);
            Fs.fsyncDir(idDir);
            hook.at(Step.BEFORE_MARKER, target);

            Path markerTemp = target.resolve(MARKER + ".tmp");
            Fs.writeDurably(markerTemp, (MARKER_PREFIX + Fs.sha256(bytes) + "\n").getBytes(StandardCharsets.UTF_8));
            Fs.moveAtomically(markerTemp, target.resolve(MARKER));
            Fs.fsyncDir(target);
            hook.at(Step.COMMITTED, target);
            return manifest;
        } catch (IOException | RuntimeException e) {
            if (target != null && !Files.exists(target.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
                deleteQuietly(target);
            }
            throw e;
        }
    }

    private void checkRunKeyUnused(String id, RunKey key) {
        checkRunKeyUnused(id, key, committed(id));
    }

    private static void checkRunKeyUnused(String id, RunKey key, List<Version> versions) {
        for (Version version : versions) {
            if (version.manifest != null && version.manifest.producedBy().equals(Optional.of(key))) {
                throw LetheException.invalidInput("run " + key + " already committed model " + version.manifest.ref()
                        + "; a run commits once per model");
            }
        }
    }

    /** Marks a committed version as in use (lease, fork, export): delete refuses it while the pin lives. */
    private Locks.Held pin(Version version) {
        ModelRef ref = version.manifest.ref();
        try (Locks.IdLock lock = Locks.lockId(idDir(ref.id()).resolve(LOCK))) {
            if (!Files.exists(version.dir.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)) {
                throw missing(ref);
            }
            return Locks.hold(leases.resolve(Fs.random() + LOCK), ref.toString());
        } catch (IOException e) {
            throw io("cannot pin model " + ref + " in " + leases, e);
        }
    }

    /** Copies every file of a version into {@code target}, checking each against the manifest's SHA-256. */
    private void copyVerified(Version version, Path target) throws IOException {
        ModelManifest manifest = version.manifest;
        checkNoUnexpectedFiles(version);
        for (Map.Entry<String, String> file : manifest.files().entrySet()) {
            Path from = Fs.inside(version.dir, file.getKey(), "model " + manifest.ref());
            if (!Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
                throw LetheException.invalidInput("file " + from + " of model " + manifest.ref() + " is missing");
            }
            String hash = Fs.copyWithDigest(from, target.resolve(file.getKey()));
            if (!hash.equals(file.getValue())) {
                throw damaged(manifest.ref(), from, file.getValue(), hash);
            }
        }
    }

    /** Verifies every file of a version in place. */
    private void verify(Version version) {
        ModelManifest manifest = version.manifest;
        try {
            checkNoUnexpectedFiles(version);
            for (Map.Entry<String, String> file : manifest.files().entrySet()) {
                Path path = Fs.inside(version.dir, file.getKey(), "model " + manifest.ref());
                if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    throw LetheException.invalidInput("file " + path + " of model " + manifest.ref() + " is missing");
                }
                String hash = Fs.sha256(path);
                if (!hash.equals(file.getValue())) {
                    throw damaged(manifest.ref(), path, file.getValue(), hash);
                }
            }
        } catch (IOException e) {
            throw io("cannot verify model " + manifest.ref(), e);
        }
    }

    private static void checkNoUnexpectedFiles(Version version) throws IOException {
        SortedMap<String, Path> present = Fs.listFiles(version.dir, "model " + version.manifest.ref(), Fs.RESERVED);
        for (String file : present.keySet()) {
            if (!version.manifest.files().containsKey(file)) {
                throw LetheException.invalidInput("file " + present.get(file) + " of model " + version.manifest.ref()
                        + " is not in its manifest (the version folder was changed after its commit)");
            }
        }
    }

    private static LetheException damaged(ModelRef ref, Path file, String expected, String found) {
        return LetheException.invalidInput("file " + file + " of model " + ref + " fails its SHA-256 check (expected "
                + expected + ", found " + found + "): the file is damaged or was changed; other versions are unaffected");
    }

    /** Lists the files of a source folder and checks their names; optionally sniffs them. */
    private static SortedMap<String, Path> sourceFiles(Path folder, String what, Set<String> skip, boolean sniffLater) {
        Objects.requireNonNull(folder, "folder");
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
            throw LetheException.invalidInput(what + " " + folder + " is not a folder");
        }
        SortedMap<String, Path> files;
        try {
            files = Fs.listFiles(folder, what, skip);
        } catch (IOException e) {
            throw LetheException.invalidInput("cannot read " + what + " " + folder + ": " + e);
        }
        if (files.isEmpty()) {
            throw LetheException.invalidInput(what + " " + folder + " holds no files");
        }
        for (Map.Entry<String, Path> file : files.entrySet()) {
            Manifests.checkRelativePath(file.getKey(), what + " " + folder);
            if (!sniffLater) {
                ContentSniffer.requireAccepted(file.getValue(), false);
            }
        }
        return files;
    }

    private Version resolve(ModelRef ref) {
        Objects.requireNonNull(ref, "ref");
        if (!ref.isBase()) {
            Version version = committed(ref.id(), ref.version());
            if (version == null) {
                throw missing(ref);
            }
            return usable(version);
        }
        List<Version> versions = committed(ref.id());
        if (versions.isEmpty()) {
            throw LetheException.invalidInput("no model named " + ref.id() + " (known: " + String.join(", ", ids()) + ")");
        }
        for (int i = versions.size() - 1; i >= 0; i--) {
            ModelManifest manifest = versions.get(i).manifest;
            if (manifest != null && (manifest.parent().isEmpty() || !manifest.parent().get().id().equals(ref.id()))) {
                return versions.get(i);
            }
        }
        throw LetheException.invalidInput("model " + ref.id() + " has no readable base version (a root: trained,"
                + " imported or forked); name a version, e.g. " + ref.id() + ":" + versions.size());
    }

    private static Version usable(Version version) {
        if (version.problem != null) {
            throw LetheException.invalidInput(version.problem);
        }
        return version;
    }

    /** @return the committed versions of an id, oldest first (unreadable ones with their problem) */
    private List<Version> committed(String id) {
        List<Version> out = new ArrayList<>();
        try {
            for (Path entry : Fs.entries(idDir(id))) {
                String name = entry.getFileName().toString();
                if (NUMBER.matcher(name).matches()) {
                    Version version = read(id, Integer.parseInt(name), entry);
                    if (version != null) {
                        out.add(version);
                    }
                }
            }
        } catch (IOException e) {
            throw io("cannot list the versions of model " + id, e);
        }
        out.sort((a, b) -> Integer.compare(Integer.parseInt(a.dir.getFileName().toString()),
                Integer.parseInt(b.dir.getFileName().toString())));
        return out;
    }

    private Version committed(String id, int number) {
        Path dir = idDir(id).resolve(Integer.toString(number));
        try {
            return read(id, number, dir);
        } catch (IOException e) {
            throw io("cannot read model " + id + ":" + number, e);
        }
    }

    /** @return the version in {@code dir}, or null when it is not committed */
    private static Version read(String id, int number, Path dir) throws IOException {
        Path marker = dir.resolve(MARKER);
        byte[] markerBytes;
        try {
            markerBytes = Files.readAllBytes(marker);
        } catch (NoSuchFileException e) {
            return null;
        }
        ModelRef ref = new ModelRef(id, number);
        String markerText = new String(markerBytes, StandardCharsets.UTF_8).trim();
        if (!markerText.startsWith(MARKER_PREFIX)) {
            return new Version(dir, null, null, "model " + ref + ": commit marker " + marker + " is damaged");
        }
        Path manifestFile = dir.resolve(MANIFEST);
        byte[] bytes;
        try {
            if (Files.size(manifestFile) > MAX_MANIFEST_BYTES) {
                return new Version(dir, null, null, "model " + ref + ": manifest " + manifestFile + " is too large");
            }
            bytes = Files.readAllBytes(manifestFile);
        } catch (NoSuchFileException e) {
            return new Version(dir, null, null, "model " + ref + ": manifest " + manifestFile + " is missing");
        }
        if (!Fs.sha256(bytes).equals(markerText.substring(MARKER_PREFIX.length()))) {
            return new Version(dir, null, null, "model " + ref + ": manifest " + manifestFile
                    + " fails its SHA-256 check against the commit marker (damaged or changed after the commit)");
        }
        ModelManifest manifest;
        try {
            manifest = Manifests.read(bytes, manifestFile.toString());
        } catch (LetheException e) {
            return new Version(dir, null, null, e.getMessage());
        }
        if (!manifest.ref().equals(ref)) {
            return new Version(dir, null, null, "model " + ref + ": manifest " + manifestFile + " describes "
                    + manifest.ref());
        }
        return new Version(dir, manifest, bytes, null);
    }

    private List<String> idsOnDisk() throws IOException {
        List<String> ids = new ArrayList<>();
        for (Path entry : Fs.entries(root)) {
            String name = entry.getFileName().toString();
            if (isId(name) && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                ids.add(name);
            }
        }
        return ids;
    }

    private static boolean isId(String name) {
        try {
            ModelRef.checkId(name);
            return true;
        } catch (LetheException e) {
            return false;
        }
    }

    private Path idDir(String id) {
        ModelRef.checkId(id);
        return root.resolve(id);
    }

    /** Leaves only the tombstone in a deleted version's folder. */
    private static void clearTombstone(Path dir) throws IOException {
        for (Path entry : Fs.entries(dir)) {
            if (!entry.getFileName().toString().equals(TOMBSTONE)) {
                Fs.deleteTree(entry);
            }
        }
    }

    private static void removeTombstones(Path idDir) throws IOException {
        for (Path entry : Fs.entries(idDir)) {
            if (NUMBER.matcher(entry.getFileName().toString()).matches()
                    && !Files.exists(entry.resolve(MARKER), LinkOption.NOFOLLOW_LINKS)
                    && Files.exists(entry.resolve(TOMBSTONE), LinkOption.NOFOLLOW_LINKS)) {
                Fs.deleteTree(entry);
            }
        }
    }

    /** Removes a failed write's staging folder, and its id folder when nothing else is in it. */
    private static void abandon(Staging staging, Exception cause) {
        if (staging == null) {
            return;
        }
        try {
            Fs.deleteTree(staging.dir);
            staging.lock.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
            return;
        }
        try {
            Files.deleteIfExists(staging.dir.getParent());
        } catch (IOException e) {
            // not empty (another writer, a lock file, versions): it stays
        }
    }

    private static void discard(Path dir, Locks.Held pin, Exception cause) {
        try {
            Fs.deleteTree(dir);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        closeQuietly(pin);
    }

    private static void closeQuietly(Locks.Held lock) {
        try {
            lock.close();
        } catch (IOException e) {
            // the lock file is removed by the next sweep
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Fs.deleteTree(dir);
        } catch (IOException e) {
            // the next sweep removes it
        }
    }

    private static LetheException missing(ModelRef ref) {
        return LetheException.invalidInput("model " + ref + " does not exist");
    }

    private static LetheException exists(String id) {
        return LetheException.invalidInput("model " + id + " already exists; choose another id");
    }

    private static LetheException io(String message, IOException e) {
        return LetheException.failed("model store: " + message + ": " + e, e);
    }

    @Override
    public String toString() {
        return "FileModelStore[" + root + "]";
    }
}
