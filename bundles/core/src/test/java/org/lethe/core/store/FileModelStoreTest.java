package org.lethe.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelLease;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;

class FileModelStoreTest {

    static final String WEIGHTS = "weights.safetensors";

    @TempDir
    Path tmp;

    Path root;
    FileModelStore store;

    @BeforeEach
    void open() {
        root = tmp.resolve("models");
        store = new FileModelStore(root);
    }

    static RunKey key(int n) {
        return new RunKey(String.format("%016x", n));
    }

    /** A training run's output folder: weights and a vocabulary. */
    Path output(String name, float seed) {
        Path folder = tmp.resolve("out-" + name);
        TestFiles.write(folder, WEIGHTS, TestFiles.validSafetensors(seed));
        TestFiles.write(folder, "tokenizer/vocab.txt", "a\nb\n".getBytes(StandardCharsets.UTF_8));
        return folder;
    }

    ModelManifest trained(String id) {
        return store.create(id, ModelKind.LANGUAGE, "tiny-lm", Map.of("layers", "2"), key(1), output(id, 1f));
    }

    /** Leases {@code ref}, changes its weights, commits for {@code run}. */
    ModelManifest edit(ModelRef ref, RunKey run, float seed) throws IOException {
        try (ModelLease lease = store.lease(ref)) {
            Files.write(lease.directory().resolve(WEIGHTS), TestFiles.validSafetensors(seed));
            return lease.commit(run, lease.base().config(), List.of());
        }
    }

    static LetheException invalid(Executable action, String... fragments) {
        LetheException e = assertThrows(LetheException.class, action);
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus(), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing from: " + e.getMessage());
        }
        return e;
    }

    List<String> onDisk(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    static void flipAByte(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x01);
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void createCommitsVersionOneWithChecksumsAndMarker() throws IOException {
        ModelManifest m = trained("facts-lm");
        assertEquals(new ModelRef("facts-lm", 1), m.ref());
        assertEquals(ModelKind.LANGUAGE, m.kind());
        assertEquals("tiny-lm", m.architecture());
        assertEquals(Map.of("layers", "2"), m.config());
        assertEquals(Optional.empty(), m.parent());
        assertEquals(Optional.of(key(1)), m.producedBy());
        assertEquals(Map.of(WEIGHTS, Fs.sha256(root.resolve("facts-lm/1").resolve(WEIGHTS)),
                "tokenizer/vocab.txt", Fs.sha256(root.resolve("facts-lm/1/tokenizer/vocab.txt"))), m.files());
        assertEquals(List.of("COMMITTED", "manifest.json", "tokenizer", WEIGHTS), onDisk(root.resolve("facts-lm/1")));
        assertEquals(List.of("facts-lm"), store.ids());
        assertEquals(List.of(m), store.versions("facts-lm"));
        assertEquals(m, store.manifest(ModelRef.parse("facts-lm")));
        assertEquals(m, store.manifest(ModelRef.parse("facts-lm:1")));
        assertEquals(m, new FileModelStore(root).manifest(ModelRef.parse("facts-lm:1")), "reads back the same manifest");
        assertEquals(List.of(), store.versions("unknown"));
        invalid(() -> store.manifest(ModelRef.parse("facts-lm:2")), "facts-lm:2", "does not exist");
        invalid(() -> store.manifest(ModelRef.parse("nope")), "no model named nope");
    }

    @Test
    void leaseCommitMakesTheNextVersionWithLineageAndLeavesTheBaseUntouched() throws IOException {
        ModelManifest base = trained("m");
        byte[] before = Files.readAllBytes(root.resolve("m/1").resolve(WEIGHTS));
        ModelManifest v2;
        try (ModelLease lease = store.lease(ModelRef.parse("m"))) {
            assertEquals(base, lease.base());
            assertTrue(lease.directory().startsWith(root.resolve(FileModelStore.LEASES)));
            assertArrayEquals(before, Files.readAllBytes(lease.directory().resolve(WEIGHTS)));
            Files.write(lease.directory().resolve(WEIGHTS), TestFiles.validSafetensors(9f));
            Files.write(lease.directory().resolve("lora.safetensors"), TestFiles.validSafetensors(3f));
            ModelManifest.Attachment lora = new ModelManifest.Attachment(ModelManifest.Attachment.Type.ADAPTER, "cat",
                    List.of("lora.safetensors"), Map.of("rank", "4"), true);
            v2 = lease.commit(key(2), Map.of("layers", "2"), List.of(lora));
            assertEquals(List.of(lora), v2.attachments());
            invalid(() -> lease.commit(key(3), Map.of(), List.of()), "already committed as m:2");
        }
        assertEquals(new ModelRef("m", 2), v2.ref());
        assertEquals(Optional.of(base.ref()), v2.parent());
        assertEquals(Optional.of(key(2)), v2.producedBy());
        assertEquals(List.of(v2, base), store.lineage(v2.ref()));
        assertEquals(base, store.manifest(ModelRef.parse("m")), "the base stays version 1");
        assertArrayEquals(before, Files.readAllBytes(root.resolve("m/1").resolve(WEIGHTS)));
        assertEquals(List.of(), onDisk(root.resolve(FileModelStore.LEASES)), "no lease folder left");
        assertEquals(List.of(".lock", "1", "2"), onDisk(root.resolve("m")));
    }

    @Test
    void closingALeaseDiscardsItsCopy() throws IOException {
        trained("m");
        ModelLease lease = store.lease(ModelRef.parse("m:1"));
        Path copy = lease.directory();
        Files.write(copy.resolve(WEIGHTS), TestFiles.validSafetensors(5f));
        lease.close();
        lease.close();
        assertFalse(Files.exists(copy));
        assertEquals(List.of(), onDisk(root.resolve(FileModelStore.LEASES)));
        invalid(() -> lease.commit(key(2), Map.of(), List.of()), "closed");
        assertEquals(1, store.versions("m").size());
    }

    @Test
    void aRunKeyCommitsOncePerModel() throws IOException {
        trained("m");
        edit(ModelRef.parse("m"), key(7), 2f);
        invalid(() -> edit(ModelRef.parse("m"), key(7), 3f), "run " + key(7), "already committed model m:2");
        invalid(() -> store.create("m", ModelKind.LANGUAGE, "tiny-lm", Map.of(), key(1), output("again", 4f)),
                "already committed model m:1");
        assertEquals(2, store.versions("m").size());
        assertEquals(List.of(), onDisk(root.resolve(FileModelStore.LEASES)));
        assertEquals(List.of(".lock", "1", "2"), onDisk(root.resolve("m")), "the loser's files are gone");
    }

    @Test
    void twoLeasesCommittingTheSameRunKeyConcurrentlyGiveExactlyOneVersion() throws Exception {
        trained("m");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                RunKey run = key(100 + round);
                List<ModelLease> leases = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    ModelLease lease = store.lease(ModelRef.parse("m:1"));
                    Files.write(lease.directory().resolve(WEIGHTS), TestFiles.validSafetensors(i));
                    leases.add(lease);
                }
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ModelManifest>> results = new ArrayList<>();
                for (ModelLease lease : leases) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return lease.commit(run, Map.of(), List.of());
                    }));
                }
                start.countDown();
                int won = 0;
                for (Future<ModelManifest> result : results) {
                    try {
                        result.get(30, TimeUnit.SECONDS);
                        won++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertTrue(e.getCause() instanceof LetheException, String.valueOf(e.getCause()));
                        assertTrue(e.getCause().getMessage().contains("already committed"), e.getCause().getMessage());
                    }
                }
                leases.forEach(ModelLease::close);
                assertEquals(1, won, "round " + round);
                long committedByRun = store.versions("m").stream()
                        .filter(v -> v.producedBy().equals(Optional.of(run))).count();
                assertEquals(1, committedByRun);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(4, store.versions("m").size());
        assertEquals(List.of(".lock", "1", "2", "3", "4"), onDisk(root.resolve("m")), "no staging folder left");
        assertEquals(List.of(), onDisk(root.resolve(FileModelStore.LEASES)));
    }

    @Test
    void forkStartsANewIdWhoseParentIsTheSource() throws IOException {
        trained("m");
        ModelManifest v2 = edit(ModelRef.parse("m"), key(2), 2f);
        ModelRef fork = store.fork(v2.ref(), "m-copy");
        assertEquals(new ModelRef("m-copy", 1), fork);
        ModelManifest forked = store.manifest(ModelRef.parse("m-copy"));
        assertEquals(Optional.of(v2.ref()), forked.parent());
        assertEquals(Optional.empty(), forked.producedBy());
        assertEquals(v2.files(), forked.files());
        assertEquals(List.of(fork, v2.ref(), new ModelRef("m", 1)),
                store.lineage(fork).stream().map(ModelManifest::ref).collect(Collectors.toList()));
        ModelManifest child = edit(ModelRef.parse("m-copy"), key(3), 4f);
        assertEquals(fork, store.manifest(ModelRef.parse("m-copy")).ref(), "the fork's base is its version 1");
        assertEquals(4, store.lineage(child.ref()).size());
        invalid(() -> store.fork(v2.ref(), "m-copy"), "m-copy already exists");
        invalid(() -> store.fork(v2.ref(), "m"), "m already exists");
    }

    @Test
    void exportWritesAFolderThatImportAccepts() throws IOException {
        trained("m");
        ModelManifest v2;
        try (ModelLease lease = store.lease(ModelRef.parse("m"))) {
            Files.write(lease.directory().resolve("lora.safetensors"), TestFiles.validSafetensors(3f));
            v2 = lease.commit(key(2), Map.of("layers", "2", "lora", "yes"), List.of(new ModelManifest.Attachment(
                    ModelManifest.Attachment.Type.INTERVENTION, "clamp", List.of("lora.safetensors"), Map.of(), false)));
        }
        Path target = tmp.resolve("exports/m2");
        store.export(v2.ref(), target);
        assertEquals(List.of("lora.safetensors", "manifest.json", "tokenizer", WEIGHTS), onDisk(target));
        invalid(() -> store.export(v2.ref(), target), "already exists");
        invalid(() -> store.export(v2.ref(), root.resolve("inside")), "inside the model store");

        ModelRef imported = store.importModel(target, "m-imported", false);
        assertEquals(new ModelRef("m-imported", 1), imported);
        ModelManifest m = store.manifest(imported);
        assertEquals(v2.files(), m.files());
        assertEquals(v2.kind(), m.kind());
        assertEquals(v2.architecture(), m.architecture());
        assertEquals(v2.config(), m.config());
        assertEquals(v2.attachments(), m.attachments());
        assertEquals(Optional.empty(), m.parent());
        assertEquals(Optional.empty(), m.producedBy());
        invalid(() -> store.importModel(target, "m-imported", false), "m-imported already exists");
    }

    @Test
    void importAcceptsAHandWrittenManifestWithoutChecksums() throws IOException {
        Path source = tmp.resolve("user-model");
        TestFiles.write(source, "model.bin", TestFiles.validSafetensors());
        TestFiles.write(source, "mlp-0000.params", TestFiles.djlParams());
        TestFiles.write(source, "manifest.json",
                "{\"kind\": \"CLASSIFIER\", \"architecture\": \"mlp\"}".getBytes(StandardCharsets.UTF_8));
        ModelManifest m = store.manifest(store.importModel(source, "user", false));
        assertEquals(ModelKind.CLASSIFIER, m.kind());
        assertEquals(Map.of(), m.config());
        assertEquals(2, m.files().size());
    }

    @Test
    void importRefusesPickleAndCreatesNothing() throws IOException {
        Path source = tmp.resolve("evil");
        TestFiles.write(source, "model.safetensors", TestFiles.pickle());
        TestFiles.write(source, "manifest.json",
                "{\"kind\": \"LANGUAGE\", \"architecture\": \"x\"}".getBytes(StandardCharsets.UTF_8));
        invalid(() -> store.importModel(source, "evil", true), "model.safetensors", ContentSniffer.PICKLE_REFUSED);
        Files.write(source.resolve("model.safetensors"), TestFiles.pytorchCheckpoint());
        invalid(() -> store.importModel(source, "evil", true), ContentSniffer.PICKLE_REFUSED);
        assertFalse(Files.exists(root.resolve("evil")));
        assertEquals(List.of(), store.ids());
    }

    @Test
    void importTakesTorchScriptOnlyWhenTrusted() {
        Path source = tmp.resolve("ts");
        TestFiles.write(source, "traced.pt", TestFiles.torchScript());
        TestFiles.write(source, "manifest.json",
                "{\"kind\": \"CLASSIFIER\", \"architecture\": \"torchscript\"}".getBytes(StandardCharsets.UTF_8));
        invalid(() -> store.importModel(source, "ts", false), "traced.pt", "TorchScript");
        assertEquals(new ModelRef("ts", 1), store.importModel(source, "ts", true));
    }

    @Test
    void importVerifiesTheManifestAgainstTheFiles() throws IOException {
        trained("m");
        Path exported = tmp.resolve("exported");
        store.export(ModelRef.parse("m:1"), exported);

        long dataByte = Files.size(exported.resolve(WEIGHTS)) - 2;
        flipAByte(exported.resolve(WEIGHTS), dataByte);
        invalid(() -> store.importModel(exported, "a", false), WEIGHTS, "SHA-256");
        flipAByte(exported.resolve(WEIGHTS), dataByte);

        TestFiles.write(exported, "extra.txt", "x\n".getBytes(StandardCharsets.UTF_8));
        invalid(() -> store.importModel(exported, "a", false), "extra.txt", "not listed");
        Files.delete(exported.resolve("extra.txt"));

        Files.move(exported.resolve(WEIGHTS), tmp.resolve("aside"));
        invalid(() -> store.importModel(exported, "a", false), WEIGHTS, "missing");
        Files.move(tmp.resolve("aside"), exported.resolve(WEIGHTS));

        String manifest = Files.readString(exported.resolve("manifest.json"));
        Files.writeString(exported.resolve("manifest.json"), manifest.replace("\"tokenizer/vocab.txt\"", "\"../../etc/x\""));
        invalid(() -> store.importModel(exported, "a", false), "'../../etc/x'");
        Files.writeString(exported.resolve("manifest.json"), manifest.replace("\"LANGUAGE\"", "\"SPEECH\""));
        invalid(() -> store.importModel(exported, "a", false), "field kind", "SPEECH");
        Files.writeString(exported.resolve("manifest.json"), "{not json");
        invalid(() -> store.importModel(exported, "a", false), "manifest.json", "not valid JSON");
        Files.delete(exported.resolve("manifest.json"));
        invalid(() -> store.importModel(exported, "a", false), "has no manifest.json");
        invalid(() -> store.importModel(exported.resolve(WEIGHTS), "a", false), "not a folder");

        assertEquals(List.of("m"), store.ids());
        assertFalse(Files.exists(root.resolve("a")));
    }

    @Test
    void deleteIsRefusedWhileLeasedOrParentAndNeverReusesANumber() throws IOException {
        trained("m");
        ModelManifest v2 = edit(ModelRef.parse("m"), key(2), 2f);
        ModelManifest v3 = edit(v2.ref(), key(3), 3f);
        invalid(() -> store.delete(ModelRef.parse("m")), "not the base reference");
        invalid(() -> store.delete(ModelRef.parse("m:1")), "parent of m:2");
        invalid(() -> store.delete(ModelRef.parse("m:9")), "m:9 does not exist");
        try (ModelLease lease = store.lease(v3.ref())) {
            invalid(() -> store.delete(v3.ref()), "m:3 is in use");
        }
        store.delete(v3.ref());
        invalid(() -> store.manifest(v3.ref()), "m:3 does not exist");
        assertEquals(List.of(".lock", "1", "2", "3"), onDisk(root.resolve("m")));
        assertEquals(List.of("DELETED"), onDisk(root.resolve("m/3")), "a tombstone keeps the number");
        ModelManifest v4 = edit(v2.ref(), key(4), 4f);
        assertEquals(4, v4.ref().version());
        assertEquals(List.of(1, 2, 4), store.versions("m").stream().map(v -> v.ref().version())
                .collect(Collectors.toList()));
    }

    @Test
    void deleteIsRefusedForTheParentOfAFork() {
        trained("m");
        store.fork(ModelRef.parse("m:1"), "n");
        invalid(() -> store.delete(ModelRef.parse("m:1")), "parent of n:1");
        store.delete(ModelRef.parse("n:1"));
        store.delete(ModelRef.parse("m:1"));
        assertEquals(List.of(), store.ids());
        assertEquals(new ModelRef("m", 1), trained("m").ref(), "an id without versions starts over");
    }

    @Test
    void badIdsAreRefusedBeforeAnyFileIsCreated() throws IOException {
        trained("m");
        List<String> before = onDisk(root);
        Path folder = output("bad", 1f);
        for (String id : List.of("..", "../x", "a/../b", "a/b", "/abs", "a\u0000b", "a\nb", "A", "", ".hidden",
                "x".repeat(65), "a\\b")) {
            invalid(() -> store.create(id, ModelKind.LANGUAGE, "tiny-lm", Map.of(), null, folder), "invalid model id");
            invalid(() -> store.fork(ModelRef.parse("m:1"), id), "invalid model id");
            invalid(() -> store.importModel(folder, id, false), "invalid model id");
            invalid(() -> store.versions(id), "invalid model id");
        }
        invalid(() -> store.manifest(ModelRef.parse("../m")), "invalid model id");
        assertEquals(before, onDisk(root));
        assertEquals(List.of(), onDisk(root.resolve(FileModelStore.LEASES)));
    }

    @Test
    void aBitFlipIsRefusedAndThePreviousVersionStillLoads() throws IOException {
        trained("m");
        ModelManifest v2 = edit(ModelRef.parse("m"), key(2), 2f);
        Path file = root.resolve("m/2").resolve(WEIGHTS);
        flipAByte(file, Files.size(file) - 3);
        invalid(() -> store.manifest(v2.ref()), file.toString(), "fails its SHA-256 check");
        invalid(() -> store.lease(v2.ref()), file.toString(), "fails its SHA-256 check");
        invalid(() -> store.fork(v2.ref(), "f"), file.toString());
        invalid(() -> store.export(v2.ref(), tmp.resolve("e")), file.toString());
        assertFalse(Files.exists(tmp.resolve("e")));
        assertEquals(List.of(), onDisk(root.resolve(FileModelStore.LEASES)), "the failed lease left nothing");
        assertEquals(new ModelRef("m", 1), store.manifest(ModelRef.parse("m:1")).ref());
        try (ModelLease lease = store.lease(ModelRef.parse("m:1"))) {
            assertEquals(1, lease.base().ref().version());
        }
    }

    @Test
    void aTruncatedFileIsRefusedAndThePreviousVersionStillLoads() throws IOException {
        trained("m");
        ModelManifest v2 = edit(ModelRef.parse("m"), key(2), 2f);
        Path file = root.resolve("m/2").resolve(WEIGHTS);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() / 2);
        }
        invalid(() -> store.lease(v2.ref()), file.toString(), "fails its SHA-256 check");
        Files.delete(file);
        invalid(() -> store.manifest(v2.ref()), file.toString(), "missing");
        store.manifest(ModelRef.parse("m:1"));
    }

    @Test
    void aChangedVersionFolderOrManifestIsRefused() throws IOException {
        trained("m");
        ModelManifest v2 = edit(ModelRef.parse("m"), key(2), 2f);
        Path dir = root.resolve("m/2");
        TestFiles.write(dir, "sneaky.txt", "x\n".getBytes(StandardCharsets.UTF_8));
        invalid(() -> store.manifest(v2.ref()), "sneaky.txt", "not in its manifest");
        Files.delete(dir.resolve("sneaky.txt"));
        store.manifest(v2.ref());

        String manifest = Files.readString(dir.resolve("manifest.json"));
        Files.writeString(dir.resolve("manifest.json"), manifest.replace("tiny-lm", "other"));
        invalid(() -> store.manifest(v2.ref()), "manifest.json", "commit marker");
        assertEquals(1, store.versions("m").size(), "listings leave out the unreadable version");
        assertEquals(1, store.manifest(ModelRef.parse("m")).ref().version());
    }

    @Test
    void sweepRemovesOrphansAndKeepsCommittedVersions() throws IOException {
        trained("m");
        Path idDir = root.resolve("m");
        TestFiles.write(idDir, ".tmp-0123456789abcdef/" + WEIGHTS, TestFiles.validSafetensors());
        TestFiles.write(idDir, "2/" + WEIGHTS, TestFiles.validSafetensors());
        TestFiles.write(idDir, "2/manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
        TestFiles.write(root, FileModelStore.LEASES + "/00000000deadbeef/" + WEIGHTS, TestFiles.validSafetensors());
        TestFiles.write(root, FileModelStore.LEASES + "/00000000deadbeef.lock", "m:1".getBytes(StandardCharsets.UTF_8));
        assertEquals(1, store.versions("m").size(), "a folder without a marker is not a version");

        ModelLease live = store.lease(ModelRef.parse("m:1"));
        List<Path> removed = new FileModelStore(root).sweep();
        assertEquals(List.of(), removed, "the constructor already swept");
        assertEquals(List.of(".lock", "1"), onDisk(idDir));
        assertEquals(List.of(live.directory().getFileName() + "", live.directory().getFileName() + ".lock"),
                onDisk(root.resolve(FileModelStore.LEASES)), "a live lease is kept");
        ModelManifest v2 = live.commit(key(2), Map.of(), List.of());
        assertEquals(2, v2.ref().version());
    }

    @Test
    void aSecondRootBecomesTheBase() throws IOException {
        trained("m");
        edit(ModelRef.parse("m"), key(2), 2f);
        ModelManifest retrained = store.create("m", ModelKind.LANGUAGE, "tiny-lm", Map.of("layers", "3"), key(3),
                output("retrain", 7f));
        assertEquals(3, retrained.ref().version());
        assertEquals(retrained, store.manifest(ModelRef.parse("m")));
        ModelManifest v4 = edit(ModelRef.parse("m"), key(4), 8f);
        assertEquals(Optional.of(retrained.ref()), v4.parent());
        assertEquals(retrained, store.manifest(ModelRef.parse("m")));
        assertEquals(List.of(4, 3), store.lineage(v4.ref()).stream().map(v -> v.ref().version())
                .collect(Collectors.toList()));
    }

    @Test
    void leaseCommitRefusesReservedNamesLinksAndDanglingAttachments() throws IOException {
        trained("m");
        try (ModelLease lease = store.lease(ModelRef.parse("m"))) {
            Path manifest = TestFiles.write(lease.directory(), "manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
            invalid(() -> lease.commit(key(2), Map.of(), List.of()), "'manifest.json' is reserved");
            Files.delete(manifest);
            Path link = Files.createSymbolicLink(lease.directory().resolve("link"), tmp);
            invalid(() -> lease.commit(key(2), Map.of(), List.of()), "link", "symbolic link");
            Files.delete(link);
            ModelManifest.Attachment dangling = new ModelManifest.Attachment(ModelManifest.Attachment.Type.ADAPTER, "a",
                    List.of("missing.safetensors"), Map.of(), true);
            invalid(() -> lease.commit(key(2), Map.of(), List.of(dangling)), "missing.safetensors");
            Path aside = Files.move(lease.directory(), tmp.resolve("aside"));
            Files.createDirectory(lease.directory());
            invalid(() -> lease.commit(key(2), Map.of(), List.of()), "holds no files");
            Files.delete(lease.directory());
            Files.move(aside, lease.directory());
            assertEquals(2, lease.commit(key(2), Map.of(), List.of()).ref().version(), "refusals leave the lease usable");
        }
    }

    @Test
    void createRefusesPickleLinksAndEmptyFolders() throws IOException {
        Path folder = output("p", 1f);
        TestFiles.write(folder, "extra.pt", TestFiles.pickle());
        invalid(() -> store.create("p", ModelKind.LANGUAGE, "tiny-lm", Map.of(), null, folder), "extra.pt",
                ContentSniffer.PICKLE_REFUSED);
        Files.delete(folder.resolve("extra.pt"));
        Files.createSymbolicLink(folder.resolve("link.safetensors"), folder.resolve(WEIGHTS));
        invalid(() -> store.create("p", ModelKind.LANGUAGE, "tiny-lm", Map.of(), null, folder), "symbolic link");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        invalid(() -> store.create("p", ModelKind.LANGUAGE, "tiny-lm", Map.of(), null, empty), "holds no files");
        invalid(() -> store.create("p", ModelKind.LANGUAGE, " ", Map.of(), null, empty), "architecture is empty");
        assertFalse(Files.exists(root.resolve("p")));
    }
}
