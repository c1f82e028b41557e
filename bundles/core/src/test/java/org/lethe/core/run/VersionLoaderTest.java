package org.lethe.core.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelLease;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;
import org.lethe.core.store.FileModelStore;
import org.lethe.models.tiny.TinyLmArchitecture;

/**
 * The one loader of versions: interventions applied in manifest order and removed in reverse when
 * the model is closed; one that cannot be applied removes those already applied and frees the model.
 */
class VersionLoaderTest {

    @TempDir
    Path data;

    /** Commits tiny:2 with the given bias-shift attachments, each file holding its shift. */
    private ModelManifest version(FileModelStore store, Map<String, String> shifts) throws IOException {
        TinyLmArchitecture architecture = new TinyLmArchitecture();
        Path weights = Files.createDirectories(data.resolve("initial"));
        try (LoadedModel model = architecture.create(Map.of("vocabulary", CoreRunServiceTest.VOCABULARY), 7)) {
            model.save(weights);
            store.create("tiny", ModelKind.LANGUAGE, TinyLmArchitecture.NAME, model.config(), null, weights);
        }
        List<ModelManifest.Attachment> attachments = new ArrayList<>();
        try (ModelLease lease = store.lease(ModelRef.parse("tiny"))) {
            for (Map.Entry<String, String> shift : shifts.entrySet()) {
                Files.writeString(lease.directory().resolve(shift.getKey() + ".txt"), shift.getValue());
                attachments.add(BiasShift.attachment(shift.getKey()));
            }
            return lease.commit(new RunKey("12".repeat(16)), lease.base().config(), attachments);
        }
    }

    @Test
    void interventionsAreRemovedLastFirstWhenTheModelCloses() throws Exception {
        FileModelStore store = new FileModelStore(data.resolve("models"));
        ModelManifest manifest = version(store, new java.util.LinkedHashMap<>(Map.of("a", "1")));
        List<String> order = new ArrayList<>();
        BiasShift shift = new BiasShift();
        Intervention recording = (model, attachment, directory) -> {
            AutoCloseable handle = shift.apply(model, attachment, directory);
            order.add("apply " + attachment.name());
            return () -> {
                order.add("remove " + attachment.name());
                handle.close();
            };
        };
        ModelManifest two = new ModelManifest(manifest.ref(), manifest.kind(), manifest.architecture(), manifest.config(),
                manifest.parent(), manifest.producedBy(), manifest.files(), List.of(manifest.attachments().get(0),
                new ModelManifest.Attachment(ModelManifest.Attachment.Type.INTERVENTION, "b", List.of("a.txt"),
                        manifest.attachments().get(0).config(), true),
                new ModelManifest.Attachment(ModelManifest.Attachment.Type.ADAPTER, "lora", List.of(), Map.of(), true)),
                manifest.created());
        VersionLoader loader = new VersionLoader(type -> type.equals(BiasShift.TYPE) ? recording : null);
        try (ModelLease lease = store.lease(manifest.ref())) {
            VersionLoader.LoadedVersion loaded = loader.load(new TinyLmArchitecture(), two, lease.directory(), true);
            assertEquals(2, loaded.interventions(), "the adapter is the architecture's business");
            loaded.close();
            loaded.close();
            assertEquals(List.of("apply a", "apply b", "remove b", "remove a"), order);
            assertEquals(0, loaded.interventions());
            try (VersionLoader.LoadedVersion off = loader.load(new TinyLmArchitecture(), two, lease.directory(), false)) {
                assertEquals(0, off.interventions());
            }
            assertEquals(4, order.size(), "switched off, nothing applied");
        }
    }

    @Test
    void anInterventionThatCannotBeAppliedUndoesTheOthers() throws Exception {
        FileModelStore store = new FileModelStore(data.resolve("models"));
        java.util.LinkedHashMap<String, String> shifts = new java.util.LinkedHashMap<>();
        shifts.put("good", "1.5");
        shifts.put("bad", "not a number");
        ModelManifest manifest = version(store, shifts);
        BiasShift shift = new BiasShift();
        VersionLoader loader = new VersionLoader(type -> type.equals(BiasShift.TYPE) ? shift : null);
        try (ModelLease lease = store.lease(manifest.ref())) {
            LetheException e = assertThrows(LetheException.class,
                    () -> loader.load(new TinyLmArchitecture(), manifest, lease.directory(), true));
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            assertTrue(e.getMessage().startsWith("model tiny:2: intervention attachment 'bad': ")
                    && e.getMessage().contains("bad.txt: not a number"), e.getMessage());
            assertEquals(1, shift.applied.get());
            assertEquals(1, shift.removed.get(), "the good one was removed again");

            VersionLoader none = new VersionLoader(type -> null);
            LetheException missing = assertThrows(LetheException.class, () -> none.check(manifest, true));
            assertTrue(missing.getMessage().contains("model tiny:2: intervention attachment 'good' needs the intervention"
                    + " type 'bias-shift', which no deployed bundle provides"), missing.getMessage());
            none.check(manifest, false);
        }
    }
}
