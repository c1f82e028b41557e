package org.lethe.models.transformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.List;
import java.util.Map;
import org.lethe.api.model.language.QaBatch;
import org.lethe.models.text.WordLanguageModel;

/**
 * A word transformer in memory: its DJL model, its tokenizer, and the language-model view, with
 * the conventions of {@code tiny-lm} (see the package documentation).
 */
public final class WordTransformerModel extends WordLanguageModel {

    /** File name of the weights in a model version's folder. */
    public static final String WEIGHTS = WordLanguageModel.WEIGHTS;

    private final WordTransformerConfig config;

    /**
     * Creates a model with freshly initialised weights.
     *
     * @param config the settings
     * @param seed the seed of the initialisation (a Java generator's: PyTorch's global one is not touched)
     */
    public WordTransformerModel(WordTransformerConfig config, long seed) {
        super(WordTransformerArchitecture.NAME, config.vocabulary(), config.maxLength(),
                vocabulary -> new WordTransformerBlock(vocabulary, config));
        this.config = config;
        ((WordTransformerBlock) block()).seed(seed);
        initialize();
    }

    /** @return the settings */
    public WordTransformerConfig settings() {
        return config;
    }

    /** @return the number of trainable values (the tied output layer counted once) */
    public long parameterCount() {
        long count = 0;
        for (Pair<String, Parameter> pair : block().getParameters()) {
            count += pair.getValue().getArray().size();
        }
        return count;
    }

    @Override
    public Map<String, String> config() {
        return config.toMap();
    }

    /**
     * Exact match, batched: a pair matches when the most likely token at every answer position and
     * at the end marker is the gold one, given the gold tokens before it. That is exactly when greedy
     * decoding ({@link #generate}) returns the answer and stops; for a single-token answer it is
     * "the argmax at the answer slot is the answer" plus the end marker after it.
     *
     * @param prompts the prompts
     * @param answers the gold answers
     * @return per pair, whether it matches
     */
    public boolean[] exactMatches(List<String> prompts, List<String> answers) {
        boolean[] out = new boolean[prompts.size()];
        int chunk = 256;
        for (int from = 0; from < prompts.size(); from += chunk) {
            int to = Math.min(prompts.size(), from + chunk);
            try (NDManager scope = model().getNDManager().newSubManager()) {
                QaBatch batch = encode(prompts.subList(from, to), answers.subList(from, to), scope);
                NDArray predicted = logits(batch.tokens(), false).argMax(-1);
                NDArray wrong = predicted.neq(batch.tokens()).toType(DataType.FLOAT32, false).mul(batch.answerMask());
                float[] errors = wrong.sum(new int[] {1}).toFloatArray();
                for (int i = 0; i < errors.length; i++) {
                    out[from + i] = errors[i] == 0f;
                }
            }
        }
        return out;
    }

}
