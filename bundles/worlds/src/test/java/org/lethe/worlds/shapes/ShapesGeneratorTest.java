package org.lethe.worlds.shapes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.lethe.api.data.Concept;

/** The generator: sizes, determinism, balance, alias hygiene, and labels that match the pixels. */
class ShapesGeneratorTest {

    /** The default world, generated once (about a second). */
    private static final ShapesWorld W = ShapesGenerator.generate(0);
    private static final int N = ShapesLexicon.SIZE;

    @Test
    void theDefaultWorldHasTheResearchSizes() {
        assertEquals(72, ShapesSpec.combinations());
        assertEquals(13, W.concepts().size());
        assertEquals(List.of(6, 4, 3), List.of(ShapesLexicon.COLOURS.size(), ShapesLexicon.SHAPES.size(),
                ShapesLexicon.TEXTURES.size()));
        assertEquals(3600, W.images(ShapesWorld.TRAIN).size());
        assertEquals(3600, W.prompts(ShapesWorld.TRAIN).size());
        assertEquals(72 * 24 + 96, W.images(ShapesWorld.CLASSIFIER_TRAIN).size());
        assertEquals(72 * 8 + 32, W.images(ShapesWorld.CLASSIFIER_HOLDOUT).size());
        for (String split : ShapesWorld.EVAL_SPLITS) {
            assertEquals(13 * 200, W.prompts(split).size(), split);
        }
        assertEquals(15, W.tasks().size());
        for (ErasureTask t : W.tasks()) {
            assertEquals(200, W.prompts(ShapesWorld.preserveSplit(t.name())).size(), t.name());
        }
        assertEquals(44, W.vocabulary().size());
        assertEquals(new HashSet<>(W.vocabulary()).size(), W.vocabulary().size(), "no word twice");
        assertEquals(5, W.maxPromptTokens());
    }

    @Test
    void theSameSeedGivesTheSameWorldAndAnotherSeedAnother() {
        ShapesWorld a = ShapesGenerator.generate(11, ShapesSpec.SMALL);
        ShapesWorld b = ShapesGenerator.generate(11, ShapesSpec.SMALL);
        ShapesWorld c = ShapesGenerator.generate(12, ShapesSpec.SMALL);
        for (String split : a.imageSplitNames()) {
            assertEquals(a.images(split), b.images(split), split);
            for (int i = 0; i < a.images(split).size(); i++) {
                assertArrayEquals(a.images(split).get(i).pixels(), b.images(split).get(i).pixels(), "bit for bit");
            }
            assertNotEquals(a.images(split), c.images(split), split);
        }
        for (String split : a.promptSplitNames()) {
            assertEquals(a.prompts(split), b.prompts(split), split);
        }
        assertNotEquals(a.prompts(ShapesWorld.TRAIN), c.prompts(ShapesWorld.TRAIN));
        assertNotEquals(a.samplerSeeds(), c.samplerSeeds());
    }

    @Test
    void theStoredTrainingSplitIsTheStartOfTheEndlessStream() {
        ShapesWorld small = ShapesGenerator.generate(4, ShapesSpec.SMALL);
        for (int i = 0; i < small.images(ShapesWorld.TRAIN).size(); i += 17) {
            ShapesGenerator.Pair p = ShapesGenerator.trainingPair(4, ShapesSpec.SMALL, i);
            assertEquals(small.images(ShapesWorld.TRAIN).get(i), p.image());
            assertEquals(small.prompts(ShapesWorld.TRAIN).get(i), p.prompt());
        }
        // past the stored split, every block of 72 still holds each combination once
        Set<String> block = new HashSet<>();
        for (int i = 72 * 5; i < 72 * 6; i++) {
            ShapesPrompt p = ShapesGenerator.trainingPair(4, ShapesSpec.SMALL, i).prompt();
            block.add(p.colour() + " " + p.shape() + " " + p.texture());
        }
        assertEquals(72, block.size());
    }

    @Test
    void everyCombinationIsTrainedEquallyOften() {
        Map<String, Integer> counts = new HashMap<>();
        List<ShapesImage> images = W.images(ShapesWorld.TRAIN);
        List<ShapesPrompt> prompts = W.prompts(ShapesWorld.TRAIN);
        for (int i = 0; i < images.size(); i++) {
            ShapesImage image = images.get(i);
            ShapesPrompt p = prompts.get(i);
            assertEquals(i, p.image().getAsInt());
            assertEquals(image.colour().get(), p.colour());
            assertEquals(image.shape().get(), p.shape());
            assertEquals(image.texture().get(), p.texture());
            assertEquals(image.context(), p.context());
            counts.merge(p.colour() + " " + p.shape() + " " + p.texture(), 1, Integer::sum);
        }
        assertEquals(72, counts.size());
        assertEquals(Set.of(50), new HashSet<>(counts.values()));
        for (String split : List.of(ShapesWorld.CLASSIFIER_TRAIN, ShapesWorld.CLASSIFIER_HOLDOUT)) {
            Map<String, Integer> c = new HashMap<>();
            for (ShapesImage i : W.images(split)) {
                c.merge(i.kind() + " " + i.colour() + i.shape() + i.texture(), 1, Integer::sum);
            }
            assertEquals(72 + 3 + 1, c.size(), split + ": 72 combinations, 3 backgrounds, noise");
        }
    }

    @Test
    void heldOutAliasesAreNeverAnErasureInputButTheBaseModelLearnsThem() {
        Set<String> heldOut = new HashSet<>();
        for (ShapesConcept c : W.concepts()) {
            assertEquals(1, c.aliases().size(), c.name());
            assertEquals(1, c.heldOutAliases().size(), c.name());
            heldOut.addAll(c.heldOutAliases());
        }
        for (Concept c : W.contractConcepts()) {
            assertTrue(c.aliases().stream().noneMatch(heldOut::contains), c.name());
            assertTrue(c.attribute().isPresent());
        }
        for (ErasureTask t : W.tasks()) {
            assertTrue(t.erase().stream().noneMatch(heldOut::contains), t.name());
        }
        for (String split : W.promptSplitNames()) {
            boolean mayHold = split.equals(ShapesWorld.TRAIN) || split.equals(ShapesWorld.EVAL_HELDOUT)
                    || split.equals(ShapesWorld.EVAL_COMPOSITIONAL);
            if (!mayHold) {
                for (ShapesPrompt p : W.prompts(split)) {
                    assertTrue(p.tokens().stream().noneMatch(heldOut::contains), split + ": " + p.text());
                }
            }
        }
        // the base model's training prompts use every alias in about 10 % of the prompts naming its concept
        Map<String, Integer> uses = new HashMap<>();
        Map<String, Integer> mentions = new HashMap<>();
        for (ShapesPrompt p : W.prompts(ShapesWorld.TRAIN)) {
            for (Attribute a : Attribute.values()) {
                uses.merge(p.word(a), 1, Integer::sum);
                mentions.merge(p.value(a), 1, Integer::sum);
            }
        }
        for (ShapesConcept c : W.concepts()) {
            for (String alias : c.allWords().subList(1, 3)) {
                double share = uses.getOrDefault(alias, 0) / (double) mentions.get(c.name());
                assertTrue(share > 0.06 && share < 0.14, alias + " in " + share + " of the prompts naming " + c.name());
            }
        }
    }

    @Test
    void withoutTrainingThemTheHeldOutAliasesNeverAppearInTraining() {
        ShapesSpec s = ShapesSpec.SMALL;
        ShapesSpec off = new ShapesSpec(4, 1, 1, 0, 0, 4, s.aliasRate(), s.contextRate(), s.promptDropout(),
                s.attributeDropout(), false);
        ShapesWorld w = ShapesGenerator.generate(2, off);
        Set<String> heldOut = new HashSet<>();
        Set<String> aliases = new HashSet<>();
        W.concepts().forEach(c -> {
            heldOut.addAll(c.heldOutAliases());
            aliases.addAll(c.aliases());
        });
        Set<String> used = new HashSet<>();
        for (ShapesPrompt p : w.prompts(ShapesWorld.TRAIN)) {
            assertTrue(p.tokens().stream().noneMatch(heldOut::contains), p.text());
            used.addAll(p.tokens());
        }
        assertFalse(java.util.Collections.disjoint(used, aliases), "the erasure aliases are still trained");
    }

    @Test
    void labelsMatchWhatIsDrawn() {
        List<ShapesImage> images = new ArrayList<>(W.images(ShapesWorld.TRAIN).subList(0, 720));
        images.addAll(W.images(ShapesWorld.CLASSIFIER_HOLDOUT));
        int checked = 0;
        double iouSum = 0;
        int coloured = 0;
        for (ShapesImage image : images) {
            for (float v : image.pixels()) {
                assertTrue(v >= 0f && v <= 1f, image + ": " + v);
            }
            if (image.kind() != ShapesImage.Kind.OBJECT) {
                assertEquals(0, image.maskArea(), image.toString());
                continue;
            }
            checked++;
            // the silhouette's centroid is where the shape was placed (the whole shape lies inside)
            double[] centroid = image.maskCentroid();
            assertEquals(image.centreX(), centroid[0], 0.5, image + " centroid x");
            assertEquals(image.centreY(), centroid[1], 0.5, image + " centroid y");
            // its area is the shape's (circle and square: π r²)
            double r = image.radius();
            double area = switch (image.shape().get()) {
                case "circle", "square" -> Math.PI * r * r;
                case "triangle" -> 3 * Math.sqrt(3) / 4 * Math.pow(1.2 * r, 2);
                default -> 4 * r * 0.7 * r - 0.7 * r * 0.7 * r;
            };
            double perimeter = switch (image.shape().get()) {
                case "circle" -> 2 * Math.PI * r;
                case "square" -> 8 * 0.886 * r;
                case "triangle" -> 3 * Math.sqrt(3) * 1.2 * r;
                default -> 8 * r;
            };
            // a boundary pixel is in or out by its coverage: the area is off by at most half the boundary
            assertEquals(area, image.maskArea(), 2 + perimeter / 2, image + " area");
            // inside, the pixels are the object's colour; outside, exactly the background of the same seed
            ShapesImage background = ShapesGenerator.renderBackground("bg", image.seed(), image.texture().get());
            boolean[] mask = image.mask();
            float[] base = ShapesLexicon.rgb(image.colour().get());
            double[] mean = new double[3];
            int inner = 0;
            for (int y = 0; y < N; y++) {
                for (int x = 0; x < N; x++) {
                    if (interior(mask, x, y)) {
                        inner++;
                        for (int c = 0; c < 3; c++) {
                            mean[c] += image.pixel(c, y, x);
                        }
                    } else if (!near(mask, x, y)) {
                        for (int c = 0; c < 3; c++) {
                            assertEquals(background.pixel(c, y, x), image.pixel(c, y, x), 0f, image + " background");
                        }
                    }
                }
            }
            // (a thin cross may have no pixel whose 3 × 3 neighbourhood is all object)
            for (int c = 0; c < 3 && inner > 0; c++) {
                assertEquals(base[c], mean[c] / inner, 0.08 * base[c] + 0.02, image + " channel " + c);
                assertEquals(image.rgb()[c], mean[c] / inner, 0.021, image + " channel " + c);
            }
            coloured += inner > 0 ? 1 : 0;
            // the research's silhouette rule (threshold on |image − background|) recovers the mask
            int both = 0;
            int either = 0;
            for (int y = 0; y < N; y++) {
                for (int x = 0; x < N; x++) {
                    float d = 0;
                    for (int c = 0; c < 3; c++) {
                        d = Math.max(d, Math.abs(image.pixel(c, y, x) - background.pixel(c, y, x)));
                    }
                    boolean t = d > ShapesLexicon.SILHOUETTE_THRESHOLD;
                    both += t && mask[y * N + x] ? 1 : 0;
                    either += t || mask[y * N + x] ? 1 : 0;
                }
            }
            double iou = both / (double) either;
            assertTrue(iou > 0.5, image + " IoU " + iou); // thin purple crosses on bright stripes are the worst (0.57 for seed 0)
            iouSum += iou;
            // context words change the layout
            switch (image.context().orElse("")) {
                case "small" -> assertTrue(r < 4.5, image.toString());
                case "big" -> assertTrue(r >= 4.5, image.toString());
                case "left" -> assertTrue(image.centreX() < ShapesLexicon.CENTRE, image.toString());
                case "right" -> assertTrue(image.centreX() > ShapesLexicon.CENTRE, image.toString());
                default -> assertTrue(r >= 3 && r <= 6, image.toString());
            }
        }
        assertTrue(checked > 1000);
        assertTrue(coloured > 0.9 * checked, coloured + " of " + checked + " images had their colour checked");
        
        assertTrue(iouSum / checked > 0.9, "mean IoU " + iouSum / checked);
    }

    @Test
    void texturesAreVisibleInTheBackground() {
        for (String texture : List.of("plain", "stripes", "dots")) {
            ShapesImage bg = ShapesGenerator.renderBackground("bg", 99, texture);
            double sum = 0;
            double sq = 0;
            for (int y = 0; y < N; y++) {
                for (int x = 0; x < N; x++) {
                    sum += bg.pixel(1, y, x);
                    sq += bg.pixel(1, y, x) * bg.pixel(1, y, x);
                }
            }
            double sd = Math.sqrt(sq / (N * N) - Math.pow(sum / (N * N), 2));
            switch (texture) {
                case "plain" -> assertTrue(sd < 0.015, texture + " sd " + sd);
                case "stripes" -> assertTrue(sd > 0.06, texture + " sd " + sd);
                default -> assertTrue(sd > 0.035 && sd < 0.06, texture + " sd " + sd);
            }
        }
    }

    @Test
    void classifierSeedsAreUsedNowhereElse() {
        Set<Long> train = new HashSet<>();
        W.images(ShapesWorld.TRAIN).forEach(i -> train.add(i.seed()));
        W.images(ShapesWorld.CLASSIFIER_TRAIN).forEach(i -> assertTrue(train.add(i.seed()), i.toString()));
        W.images(ShapesWorld.CLASSIFIER_HOLDOUT).forEach(i -> assertTrue(train.add(i.seed()), i.toString()));
    }

    @Test
    void evaluationRowsOfAConceptDifferOnlyInTheWord() {
        for (ShapesConcept c : W.concepts()) {
            List<ShapesPrompt> name = W.evalPrompts(ShapesWorld.EVAL_NAME, c.name());
            List<ShapesPrompt> alias = W.evalPrompts(ShapesWorld.EVAL_ALIAS, c.name());
            List<ShapesPrompt> held = W.evalPrompts(ShapesWorld.EVAL_HELDOUT, c.name());
            List<ShapesPrompt> comp = W.evalPrompts(ShapesWorld.EVAL_COMPOSITIONAL, c.name());
            assertEquals(200, name.size());
            for (int k = 0; k < name.size(); k++) {
                for (List<ShapesPrompt> other : List.of(alias, held, comp)) {
                    ShapesPrompt p = other.get(k);
                    assertEquals(name.get(k).seed(), p.seed());
                    assertEquals(W.samplerSeeds().get(k), p.seed().getAsLong());
                    for (Attribute a : Attribute.values()) {
                        assertEquals(name.get(k).value(a), p.value(a));
                    }
                    assertEquals(c.name(), p.value(c.attribute()));
                }
                assertEquals(c.name(), name.get(k).word(c.attribute()));
                assertEquals(c.aliases().get(0), alias.get(k).word(c.attribute()));
                assertEquals(c.heldOutAliases().get(0), held.get(k).word(c.attribute()));
                assertEquals(c.heldOutAliases().get(0), comp.get(k).word(c.attribute()));
                assertTrue(name.get(k).context().isEmpty(), "full prompts have no context word");
            }
            // the other attributes cycle through all their combinations
            Set<String> combos = new HashSet<>();
            name.forEach(p -> combos.add(p.colour() + p.shape() + p.texture()));
            assertEquals(72 / ShapesLexicon.concepts(c.attribute()).size(), combos.size(), c.name());
        }
        assertEquals("crimson", W.evalPrompts(ShapesWorld.EVAL_ALIAS, "red").get(0).colourWord());
        assertEquals("scarlet", W.evalPrompts(ShapesWorld.EVAL_HELDOUT, "red").get(0).colourWord());
    }

    @Test
    void tasksPreserveEverythingElseAndTheirPromptsNameNoErasedConcept() {
        ErasureTask red = W.task("red");
        assertEquals(List.of("red"), red.erase());
        assertEquals(12, red.preserve().size());
        assertEquals(List.of("orange", "purple"), red.neighbours());
        ErasureTask multi6 = W.task("multi6");
        assertEquals(6, multi6.erase().size());
        assertEquals(7, multi6.preserve().size());
        for (ErasureTask t : W.tasks()) {
            Set<String> seen = new HashSet<>();
            for (ShapesPrompt p : W.prompts(ShapesWorld.preserveSplit(t.name()))) {
                for (Attribute a : Attribute.values()) {
                    assertTrue(t.preserve().contains(p.value(a)), t.name() + ": " + p.text());
                    seen.add(p.value(a));
                }
            }
            assertEquals(new HashSet<>(t.preserve()), seen, t.name() + ": every preserved concept is asked");
        }
        assertThrows(IllegalArgumentException.class, () -> new ErasureTask("x", List.of("red"), List.of(), List.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> W.task("star"));
        assertTrue(e.getMessage().contains("known: red"), e.getMessage());
    }

    @Test
    void promptDropoutFollowsTheSpec() {
        ShapesPrompt p = W.prompts(ShapesWorld.TRAIN).stream().filter(x -> x.context().isPresent()).findFirst().get();
        SplittableRandom random = new SplittableRandom(1);
        int nulls = 0;
        int partial = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            List<String> words = W.dropout(p, random);
            if (words.isEmpty()) {
                nulls++;
            } else {
                assertEquals(p.context().get(), words.get(0), "the context word stays");
                if (words.size() < p.tokens().size()) {
                    partial++;
                }
                assertFalse(words.get(words.size() - 1).equals(ShapesLexicon.FILLER), "no filler without its texture");
            }
        }
        assertEquals(0.10, nulls / (double) n, 0.01);
        assertEquals(0.9 * (1 - Math.pow(0.8, 3)), partial / (double) n, 0.015);
        assertEquals(W.dropout(p, new SplittableRandom(7)), W.dropout(p, new SplittableRandom(7)));
    }

    @Test
    void badSpecsAndNamesAreRefusedNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ShapesSpec(0, 1, 1, 0, 0, 1, 0.1, 0.2, 0.1, 0.2, true));
        assertTrue(e.getMessage().startsWith("trainPerCombination"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ShapesSpec(1, 1, 1, 0, 0, 1, 0.6, 0.2, 0.1, 0.2, true));
        assertTrue(e.getMessage().startsWith("aliasRate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ShapesSpec(1, 1, 1, 0, 0, 1, 0.1, 0.2, 1.0, 0.2, true));
        assertTrue(e.getMessage().startsWith("promptDropout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ShapesGenerator.render("x", 1, "pink", "circle", "plain", Optional.empty()));
        assertTrue(e.getMessage().contains("unknown colour 'pink'") && e.getMessage().contains("orange"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ShapesGenerator.render("x", 1, "red", "circle", "plain", Optional.of("tiny")));
        assertTrue(e.getMessage().contains("'tiny'") && e.getMessage().contains("small"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> W.images("nope"));
        e = assertThrows(IllegalArgumentException.class, () -> W.evalPrompts(ShapesWorld.EVAL_NAME, "star"));
        assertTrue(e.getMessage().contains("unknown concept 'star'"), e.getMessage());
    }

    @Test
    void everyPromptWordIsInTheVocabularyAndNamesItsLabel() {
        Set<String> vocabulary = new HashSet<>(W.vocabulary());
        for (String split : W.promptSplitNames()) {
            for (ShapesPrompt p : W.prompts(split)) {
                assertTrue(vocabulary.containsAll(p.tokens()), p.text());
                for (Attribute a : Attribute.values()) {
                    assertEquals(p.value(a), ShapesLexicon.conceptOfWord(p.word(a)).get().name(), p.text());
                }
            }
        }
    }

    private static boolean interior(boolean[] mask, int x, int y) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx < 0 || yy < 0 || xx >= N || yy >= N || !mask[yy * N + xx]) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean near(boolean[] mask, int x, int y) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx >= 0 && yy >= 0 && xx < N && yy < N && mask[yy * N + xx]) {
                    return true;
                }
            }
        }
        return false;
    }
}
