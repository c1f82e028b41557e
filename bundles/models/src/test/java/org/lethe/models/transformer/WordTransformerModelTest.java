package org.lethe.models.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;
import org.lethe.models.tiny.TinyLmArchitecture;

/** The word transformer's structure and conventions: sizes, causality, tying, weights on disk, settings. */
class WordTransformerModelTest {

    static final List<String> QUESTIONS = List.of("where was alice born ?", "where was bob born ?",
            "what does carol eat ?", "what does dave eat ?", "where was erin born ?");
    static final List<String> ANSWERS = List.of("paris", "oslo", "rice", "bread", "lima");
    static final String VOCABULARY = "where was born what does eat ? alice bob carol dave erin paris oslo rice bread lima";

    static WordTransformerModel model(String vocabulary, long seed) {
        return (WordTransformerModel) new WordTransformerArchitecture().create(Map.of("vocabulary", vocabulary), seed);
    }

    /** 276 words and the 4 markers: the research vocabulary of 280. */
    static List<String> words(int count) {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            words.add("w" + i);
        }
        return words;
    }

    @Test
    void parameterCountMatchesTheFormulaAndTheResearchSize() {
        WordTransformerConfig config = WordTransformerConfig.of(words(276));
        try (WordTransformerModel lm = new WordTransformerModel(config, 1)) {
            assertEquals(280, lm.tokenizer().vocabularySize());
            // 280·64 + 16·64 + 2·(4·64² + 4·64 + 2·64·256 + 256 + 64 + 4·64) + 2·64
            assertEquals(119_040, config.parameterCount(280));
            assertEquals(config.parameterCount(280), lm.parameterCount());
            // research/methods-llm.md §3.2: "≈119k parameters (prototype: V=280, 118,912)"
            assertTrue(Math.abs(lm.parameterCount() - 118_912) < 0.01 * 118_912, "≈119k: " + lm.parameterCount());
        }
        WordTransformerConfig other = new WordTransformerConfig(words(10), 12, 3, 32, 2, 48);
        try (WordTransformerModel lm = new WordTransformerModel(other, 1)) {
            assertEquals(other.parameterCount(14), lm.parameterCount());
        }
    }

    @Test
    void inputAndOutputEmbeddingsAreOneParameter() {
        try (WordTransformerModel lm = model(VOCABULARY, 2); NDManager scope = lm.model().getNDManager().newSubManager()) {
            int v = lm.tokenizer().vocabularySize();
            List<String> withVocabularyAxis = new ArrayList<>();
            for (Pair<String, Parameter> pair : lm.model().getBlock().getParameters()) {
                Shape shape = pair.getValue().getArray().getShape();
                for (long dimension : shape.getShape()) {
                    if (dimension == v) {
                        withVocabularyAxis.add(pair.getKey());
                    }
                }
            }
            assertEquals(List.of("tokenEmbedding"), withVocabularyAxis, "no separate output matrix");
            // the logits are the final hidden states times the token embedding: scaling one row of
            // the embedding for a token that is never an input changes that token's logits only
            NDArray tokens = scope.create(new long[] {4, 5, 6, 7}, new Shape(1, 4));
            float[] before = lm.logits(tokens, false).toFloatArray();
            NDArray embedding = lm.model().getBlock().getParameters().get("tokenEmbedding").getArray();
            int unused = v - 1;
            embedding.set(new ai.djl.ndarray.index.NDIndex(unused), embedding.get(unused).mul(2));
            float[] after = lm.logits(tokens, false).toFloatArray();
            for (int i = 0; i < before.length; i++) {
                if (i % v == unused) {
                    assertEquals(2 * before[i], after[i], 1e-4f);
                } else {
                    assertEquals(before[i], after[i], 0f);
                }
            }
        }
    }

    @Test
    void changingALaterTokenNeverChangesAnEarlierPosition() {
        try (WordTransformerModel lm = model(VOCABULARY, 3); NDManager scope = lm.model().getNDManager().newSubManager()) {
            int v = lm.tokenizer().vocabularySize();
            int length = lm.maxLength();
            Random random = new Random(3);
            long[] ids = new long[2 * length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = 4 + random.nextInt(v - 4);
            }
            float[] base = lm.logits(scope.create(ids, new Shape(2, length)), false).toFloatArray();
            for (int changed : new int[] {0, 5, length - 2, length - 1}) {
                long[] edited = ids.clone();
                edited[changed] = edited[changed] == 4 ? 5 : 4; // first row only
                float[] logits = lm.logits(scope.create(edited, new Shape(2, length)), false).toFloatArray();
                for (int t = 0; t < length; t++) {
                    float difference = 0;
                    for (int k = 0; k < v; k++) {
                        difference = Math.max(difference, Math.abs(logits[t * v + k] - base[t * v + k]));
                    }
                    if (t <= changed) {
                        // position t predicts token t from tokens 0..t-1
                        assertTrue(difference < 1e-5f, "token " + changed + " changed position " + t + " by " + difference);
                    } else if (t == changed + 1) {
                        assertTrue(difference > 1e-3f, "token " + changed + " must change the next position");
                    }
                }
                for (int i = length * v; i < 2 * length * v; i++) {
                    assertEquals(base[i], logits[i], 1e-5f, "another sequence of the batch is unaffected");
                }
            }
        }
    }

    @Test
    void savedWeightsLoadBackExactlyThroughTheArchitecture(@TempDir Path dir) throws Exception {
        WordTransformerArchitecture architecture = new WordTransformerArchitecture();
        try (WordTransformerModel a = model(VOCABULARY, 4); NDManager manager = a.model().getNDManager().newSubManager()) {
            // a few steps first, so that the weights are not the initial ones and carry gradients
            new FactsTraining(FactsTraining.Settings.DEFAULTS.withEpochs(2)).train(a, QUESTIONS, ANSWERS, (s, e, l) -> { });
            QaBatch batch = a.encode(QUESTIONS, ANSWERS, manager);
            float[] before = a.answerLogProbs(batch, false).toFloatArray();
            a.save(dir);
            try (InputStream in = Files.newInputStream(dir.resolve(WordTransformerModel.WEIGHTS));
                    NDManager scratch = a.model().getNDManager().newSubManager()) {
                Set<String> names = new HashSet<>();
                for (NDArray array : NDList.decode(scratch, in)) {
                    names.add(array.getName());
                }
                Set<String> expected = new HashSet<>(a.model().getBlock().getParameters().keys());
                assertEquals(expected, names, "one tensor per parameter, keyed by its name");
            }
            ModelManifest manifest = new ModelManifest(new ModelRef("facts-lm", 1), ModelKind.LANGUAGE,
                    WordTransformerArchitecture.NAME, a.config(), Optional.empty(), Optional.empty(), Map.of(), List.of(),
                    Instant.now());
            try (LoadedModel loaded = architecture.load(manifest, dir)) {
                LanguageModel b = loaded.view(LanguageModel.class).orElseThrow();
                try (NDManager other = b.model().getNDManager().newSubManager()) {
                    assertArrayEquals(before, b.answerLogProbs(b.encode(QUESTIONS, ANSWERS, other), false).toFloatArray(), 0f);
                }
                assertEquals(a.generate(QUESTIONS, 3), b.generate(QUESTIONS, 3));
            }
            // loading into a model that records gradients (fresh models do) writes in place, and it still trains
            try (WordTransformerModel c = model(VOCABULARY, 5); NDManager other = c.model().getNDManager().newSubManager()) {
                c.loadWeights(dir);
                assertArrayEquals(before, c.answerLogProbs(c.encode(QUESTIONS, ANSWERS, other), false).toFloatArray(), 0f);
                new FactsTraining(FactsTraining.Settings.DEFAULTS.withEpochs(1)).train(c, QUESTIONS, ANSWERS, (s, e, l) -> { });
                assertFalse(java.util.Arrays.equals(before,
                        c.answerLogProbs(c.encode(QUESTIONS, ANSWERS, other), false).toFloatArray()));
            }
        }
    }

    /**
     * The attention computes its scores transposed (keys × queries, softmax over axis 2) because
     * libtorch's softmax over a short last axis is slow; it is still softmax(Q·Kᵀ/√d + M)·V, up to
     * float round-off, in value and in gradient, with the model's cached mask and scale or its own.
     */
    @Test
    void attentionIsTheTextbookFormulaUpToRoundOff() {
        try (WordTransformerModel lm = model(VOCABULARY, 9); NDManager scope = lm.model().getNDManager().newSubManager()) {
            ai.djl.nn.Block attention = child(child(lm.model().getBlock(), "layer0"), "attention");
            int batch = 3;
            int length = 7;
            int d = 64;
            int heads = 4;
            int width = d / heads;
            float[] values = new float[batch * length * d];
            Random random = new Random(9);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            NDArray x = scope.create(values, new Shape(batch, length, d));
            x.setRequiresGradient(true);
            ai.djl.training.ParameterStore store = new ai.djl.training.ParameterStore(scope, false);
            float[] ours;
            float[] oursGradient;
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray out = attention.forward(store, new NDList(x), true).head();
                ours = out.toFloatArray();
                gc.backward(out.mul(out).sum());
            }
            oursGradient = x.getGradient().toFloatArray();
            NDArray y = scope.create(values, new Shape(batch, length, d));
            y.setRequiresGradient(true);
            float[] textbook;
            float[] textbookGradient;
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray[] qkv = new NDArray[3];
                String[] names = {"query", "key", "value"};
                for (int i = 0; i < 3; i++) {
                    ai.djl.nn.Block linear = child(attention, names[i]);
                    qkv[i] = ai.djl.nn.core.Linear.linear(y, linear.getParameters().get("weight").getArray(),
                            linear.getParameters().get("bias").getArray()).head()
                            .reshape(batch, length, heads, width).transpose(0, 2, 1, 3);
                }
                float[] mask = new float[length * length];
                for (int row = 0; row < length; row++) {
                    for (int column = row + 1; column < length; column++) {
                        mask[row * length + column] = -1e9f;
                    }
                }
                NDArray scores = qkv[0].matMul(qkv[1].transpose(0, 1, 3, 2)).mul(scope.create((float) (1 / Math.sqrt(width))))
                        .add(scope.create(mask, new Shape(length, length)));
                NDArray mixed = scores.softmax(-1).matMul(qkv[2]).transpose(0, 2, 1, 3).reshape(batch, length, d);
                ai.djl.nn.Block output = child(attention, "output");
                NDArray out = ai.djl.nn.core.Linear.linear(mixed, output.getParameters().get("weight").getArray(),
                        output.getParameters().get("bias").getArray()).head();
                textbook = out.toFloatArray();
                gc.backward(out.mul(out).sum());
            }
            textbookGradient = y.getGradient().toFloatArray();
            assertClose(textbook, ours, "the attention's output");
            assertClose(textbookGradient, oursGradient, "the gradient of its input");
            // a decoder block given the mask and the scale (as the model passes its cached ones)
            // against one making its own: the same values, so the same result exactly
            ai.djl.nn.Block layer = child(lm.model().getBlock(), "layer0");
            float[] own = layer.forward(store, new NDList(x), false).head().toFloatArray();
            float[] given = layer.forward(store, new NDList(x, CausalSelfAttention.causalMaskTransposed(scope, length),
                    CausalSelfAttention.scale(scope, d, heads)), false).head().toFloatArray();
            assertArrayEquals(own, given, 0f);
        }
    }

    /** A child block by its name (DJL prefixes a child's name with its position: "01layer0"). */
    private static ai.djl.nn.Block child(ai.djl.nn.Block parent, String name) {
        for (Pair<String, ai.djl.nn.Block> pair : parent.getChildren()) {
            if (pair.getKey().replaceFirst("^\\d+", "").equals(name)) {
                return pair.getValue();
            }
        }
        throw new AssertionError("no child " + name + " in " + parent.getChildren().keys());
    }

    /** Equal up to float round-off: every difference within 1e-5 of the largest magnitude. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        float largest = 0;
        float difference = 0;
        for (int i = 0; i < expected.length; i++) {
            largest = Math.max(largest, Math.abs(expected[i]));
            difference = Math.max(difference, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(largest > 0 && difference <= 1e-5f * largest, what + ": max difference " + difference + " at max |value| " + largest);
    }

    @Test
    void batchedGreedyDecodingIsEachPromptDecodedAlone() {
        try (WordTransformerModel lm = model(VOCABULARY, 3)) {
            new FactsTraining(FactsTraining.Settings.DEFAULTS.withEpochs(60)).train(lm, QUESTIONS, ANSWERS, (s, e, l) -> { });
            // prompts of different lengths in one batch: padding after a row's free slot changes nothing
            List<String> prompts = List.of("where was alice born ?", "eat ?", "what does carol eat ?", "bob", "where was erin born ?");
            List<String> alone = new java.util.ArrayList<>();
            for (String prompt : prompts) {
                alone.addAll(lm.generate(List.of(prompt), 4));
            }
            assertEquals(alone, lm.generate(prompts, 4));
            assertEquals(List.of("paris", "rice", "lima"),
                    List.of(alone.get(0), alone.get(2), alone.get(4)), "the memorised answers come back");
        }
    }

    @Test
    void tokensAndAnswerMaskAreTinyLmsExactly() {
        List<String> prompts = List.of("Where was Alice born?", "what does zed eat ?", "dave , eat", "erin");
        List<String> answers = List.of("paris", "rice bread", "lima oslo paris", "unknownword");
        Map<String, String> settings = Map.of("vocabulary", VOCABULARY, "maxLength", "16");
        try (WordTransformerModel ours = model(VOCABULARY, 6);
                LoadedModel tiny = new TinyLmArchitecture().create(settings, 6);
                NDManager manager = ours.model().getNDManager().newSubManager()) {
            LanguageModel theirs = tiny.view(LanguageModel.class).orElseThrow();
            assertEquals(theirs.tokenizer().vocabularySize(), ours.tokenizer().vocabularySize());
            for (String text : List.of("Where was Alice born?", "a b, c. 1999 x-y it's", "")) {
                assertArrayEquals(theirs.tokenizer().encode(text), ours.tokenizer().encode(text), text);
            }
            int[] all = new int[ours.tokenizer().vocabularySize()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            assertEquals(theirs.tokenizer().decode(all), ours.tokenizer().decode(all));
            QaBatch first = ours.encode(prompts, answers, manager);
            QaBatch a = ours.encode(prompts, answers, manager); // the strings' token ids now come from the cache
            assertArrayEquals(first.tokens().toLongArray(), a.tokens().toLongArray());
            assertArrayEquals(first.answerMask().toFloatArray(), a.answerMask().toFloatArray(), 0f);
            QaBatch b = theirs.encode(prompts, answers, manager);
            assertEquals(b.size(), a.size());
            assertEquals(b.tokens().getShape(), a.tokens().getShape());
            assertArrayEquals(b.tokens().toLongArray(), a.tokens().toLongArray());
            assertArrayEquals(b.answerMask().toFloatArray(), a.answerMask().toFloatArray(), 0f);
            // and the same scoring contract: log-probabilities at the answer and end marker only
            float[] logProbs = ours.answerLogProbs(a, false).toFloatArray();
            float[] mask = a.answerMask().toFloatArray();
            for (int i = 0; i < mask.length; i++) {
                assertTrue(logProbs[i] <= 0f);
                assertEquals(mask[i] == 0f, logProbs[i] == 0f, "position " + i);
            }
        }
    }

    @Test
    void untrainedLossIsNearUniformAndModelsAreDeterministicPerSeed() {
        try (WordTransformerModel a = model(VOCABULARY, 7); WordTransformerModel b = model(VOCABULARY, 7);
                WordTransformerModel c = model(VOCABULARY, 8); NDManager manager = a.model().getNDManager().newSubManager()) {
            float[] la = a.answerLogProbs(a.encode(QUESTIONS, ANSWERS, manager), false).toFloatArray();
            assertArrayEquals(la, b.answerLogProbs(b.encode(QUESTIONS, ANSWERS, manager), false).toFloatArray(), 0f);
            assertFalse(java.util.Arrays.equals(la, c.answerLogProbs(c.encode(QUESTIONS, ANSWERS, manager), false).toFloatArray()));
            float loss = a.answerLoss(a.encode(QUESTIONS, ANSWERS, manager), false).getFloat();
            // the initial logits have about unit variance: the loss is near ln(22) = 3.09
            assertTrue(loss > 2.5f && loss < 4.5f, "untrained loss " + loss);
        }
    }

    @Test
    void badSettingsAreNamed() {
        assertNamed("'layers'", Map.of("vocabulary", "a", "layers", "0"));
        assertNamed("'blocks'", Map.of("vocabulary", "a", "blocks", "2"));
        assertNamed("'heads'", Map.of("vocabulary", "a", "heads", "5"));
        assertNamed("'dModel'", Map.of("vocabulary", "a", "dModel", "sixty-four"));
        assertNamed("'maxLength'", Map.of("vocabulary", "a", "maxLength", "1"));
        assertNamed("'vocabulary'", Map.of());
        assertNamed("'vocabulary'", Map.of("vocabulary", "  "));
        WordTransformerConfig config = WordTransformerConfig.from(Map.of("vocabulary", "b a", "ffn", "32"));
        assertEquals(config, WordTransformerConfig.from(config.toMap()));
        assertEquals(List.of("b", "a"), config.vocabulary());
    }

    private static void assertNamed(String key, Map<String, String> settings) {
        LetheException e = assertThrows(LetheException.class, () -> new WordTransformerArchitecture().create(settings, 1));
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
    }

    @Test
    void tooLongPairsAreRefused() {
        try (WordTransformerModel lm = (WordTransformerModel) new WordTransformerArchitecture()
                .create(Map.of("vocabulary", VOCABULARY, "maxLength", "6"), 9);
                NDManager manager = lm.model().getNDManager().newSubManager()) {
            assertThrows(IllegalArgumentException.class, () -> lm.encode(QUESTIONS, ANSWERS, manager));
            NDArray tooLong = manager.zeros(new Shape(1, 7), ai.djl.ndarray.types.DataType.INT64);
            assertThrows(IllegalArgumentException.class, () -> lm.logits(tooLong, false));
        }
    }

    @Test
    void viewIsTheLanguageModel() {
        try (WordTransformerModel lm = model(VOCABULARY, 10)) {
            assertEquals(ModelKind.LANGUAGE, lm.kind());
            assertEquals(ModelKind.LANGUAGE, new WordTransformerArchitecture().kind());
            assertTrue(lm.view(LanguageModel.class).isPresent());
            assertTrue(lm.view(String.class).isEmpty());
            assertEquals(WordTransformerConfig.from(Map.of("vocabulary", VOCABULARY)).toMap(), lm.config());
        }
    }
}
