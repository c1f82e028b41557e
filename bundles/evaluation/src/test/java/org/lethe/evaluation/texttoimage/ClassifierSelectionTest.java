package org.lethe.evaluation.texttoimage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelRef;
import org.lethe.models.classifier.ConceptClassifierModel;

/**
 * Which classifier the text-to-image metrics use: the setting's parsing ({@code id},
 * {@code id:version}), the newest version or the pinned one, the messages for a missing model or
 * version and for a model of another kind, and the reload when a newer version appears.
 */
class ClassifierSelectionTest {

    @TempDir
    Path folder;

    @Test
    void anIdMeansItsNewestVersionAndIdColonVersionPinsOne() {
        ClassifierSelection newest = ClassifierSelection.parse("shapes-clf");
        assertEquals(new ModelRef("shapes-clf", ModelRef.BASE), newest.ref());
        assertFalse(newest.pinned());
        ClassifierSelection pinned = ClassifierSelection.parse(" shapes-clf:2 ");
        assertEquals(new ModelRef("shapes-clf", 2), pinned.ref());
        assertTrue(pinned.pinned());
        for (String bad : new String[] {"", "  ", "Shapes", "shapes-clf:0", "shapes-clf:x", "../clf"}) {
            LetheException e = assertThrows(LetheException.class, () -> ClassifierSelection.parse(bad), bad);
            assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
            assertTrue(e.getMessage().contains("'classifier'") && e.getMessage().contains(ErasureSampling.PID),
                    e.getMessage());
        }
    }

    @Test
    void theNewestVersionIsChosenUnlessOneIsPinned() throws Exception {
        StoreOfDirectories store = new StoreOfDirectories();
        try (ConceptClassifierModel a = TinyShapes.classifier(8, 1); ConceptClassifierModel b = TinyShapes.classifier(8, 2)) {
            store.add("shapes-clf", "shapes-classifier", a, folder);
            store.add("shapes-clf", "shapes-classifier", b, folder);
        }
        assertEquals(new ModelRef("shapes-clf", 2), ClassifierSelection.parse("shapes-clf").choose(store).ref());
        assertEquals(new ModelRef("shapes-clf", 1), ClassifierSelection.parse("shapes-clf:1").choose(store).ref());
        LetheException e = assertThrows(LetheException.class,
                () -> ClassifierSelection.parse("shapes-clf:3").choose(store));
        assertTrue(e.getMessage().contains("shapes-clf:3") && e.getMessage().contains("[1, 2]"), e.getMessage());
    }

    @Test
    void aMissingClassifierSaysHowToTrainIt() {
        StoreOfDirectories store = new StoreOfDirectories();
        LetheException e = assertThrows(LetheException.class, () -> ClassifierSelection.parse("shapes-clf").choose(store));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        assertEquals("no evaluation classifier: the model store has no model 'shapes-clf' (setting 'classifier' of"
                + " org.lethe.evaluation.erasure); run `unlearn:train shapes` to train it", e.getMessage());
        e = assertThrows(LetheException.class, () -> ClassifierSelection.parse("my-clf:1").choose(store));
        assertTrue(e.getMessage().contains("'my-clf'") && e.getMessage().contains("unlearn:train shapes")
                && e.getMessage().contains("such as shapes-clf"), e.getMessage());
    }

    @Test
    void aModelOfAnotherKindOrArchitectureIsRefused() throws Exception {
        StoreOfDirectories store = new StoreOfDirectories();
        store.addEmpty("shapes-t2i", ModelKind.TEXT_TO_IMAGE);
        LetheException e = assertThrows(LetheException.class, () -> ClassifierSelection.parse("shapes-t2i").choose(store));
        assertTrue(e.getMessage().contains("shapes-t2i:1 is a TEXT_TO_IMAGE model, not a classifier"), e.getMessage());
        try (ConceptClassifierModel c = TinyShapes.classifier(8, 1)) {
            store.add("shapes-clf", "shapes-classifier", c, folder);
        }
        var manifest = ClassifierSelection.parse("shapes-clf").choose(store);
        e = assertThrows(LetheException.class, () -> ClassifierSelection.load(store, manifest, Map.of()));
        assertTrue(e.getMessage().contains("'shapes-classifier'") && e.getMessage().contains("not deployed"),
                e.getMessage());
    }

    @Test
    void aNewerVersionIsLoadedWithAFreshSampleCacheAndAPinnedOneStays() throws Exception {
        StoreOfDirectories store = new StoreOfDirectories();
        try (ConceptClassifierModel a = TinyShapes.classifier(8, 1)) {
            store.add("shapes-clf", "shapes-classifier", a, folder);
        }
        ErasureSampling sampling = TinyShapes.sampling(store, TinyShapes.FAST);
        var first = sampling.hold();
        var again = sampling.hold();
        assertEquals(new ModelRef("shapes-clf", 1), first.classifierRef());
        assertTrue(first.sampler() == again.sampler(), "the same version shares one sampler");
        assertEquals(1, store.leasesTaken);
        again.close();
        try (ConceptClassifierModel b = TinyShapes.classifier(8, 2)) {
            store.add("shapes-clf", "shapes-classifier", b, folder);
        }
        try (var newer = sampling.hold()) {
            assertEquals(new ModelRef("shapes-clf", 2), newer.classifierRef());
            assertFalse(newer.sampler() == first.sampler());
            // the replaced classifier is still usable by the metric that holds it
            assertEquals(8, first.sampler().classifier().imageSize());
            assertEquals(2, store.leasesTaken);
        }
        first.close();
        sampling.modified(TinyShapes.config(Map.of("classifier", "shapes-clf:1")));
        try (var pinned = sampling.hold()) {
            assertEquals(new ModelRef("shapes-clf", 1), pinned.classifierRef());
        }
        assertEquals(0, store.leasesOpen);
        sampling.deactivate();
    }
}
