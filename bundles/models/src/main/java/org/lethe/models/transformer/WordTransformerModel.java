package org.lethe.models.transformer;

import org.lethe.models.text.WordTokenizer;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;
import org.lethe.api.model.language.Tokenizer;

/**
 * A word transformer in memory: its DJL model, its tokenizer, and the language-model view, with
 * the conventions of {@code tiny-lm} (see the package documentation).
 */
public final class WordTransformerModel implements LoadedModel, LanguageModel {

    /** File name of the weights in a model version's folder. */
    public static final String WEIGHTS = "weights.safetensors";

    private final WordTransformerConfig config;
    private final WordTokenizer tokenizer;
    private final Model model;
    private final WordTransformerBlock block;

    /**
     * Creates a model with freshly initialised weights.
     *
     * @param config the settings
     * @param seed the seed of the initialisation (a Java generator's: PyTorch's global one is not touched)
     */
    public WordTransformerModel(WordTransformerConfig config, long seed) {
        this.config = config;
        this.tokenizer = new WordTokenizer(config.vocabulary());
        this.block = new WordTransformerBlock(tokenizer.vocabularySize(), config);
        this.model = Model.newInstance(WordTransformerArchitecture.NAME);
        try {
            model.setBlock(block);
            block.seed(seed);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, config.maxLength()));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** @return the settings */
    public WordTransformerConfig settings() {
        return config;
    }

    /** @return the number of trainable values (the tied output layer counted once) */
    public long parameterCount() {
        long count = 0;
        for (Pair<String, Parameter> pair : block.getParameters()) {
            count += pair.getValue().getArray().size();
        }
        return count;
    }

    /**
     * Reads weights written by {@link #save}; every parameter must be present with its shape. The
     * values are written into the existing parameter arrays, with gradient recording off during the
     * write (PyTorch refuses in-place writes to a leaf that records gradients).
     *
     * @param directory the folder holding {@value #WEIGHTS}
     * @throws IOException when the file cannot be read or lacks a parameter or has a wrong shape
     */
    public void loadWeights(Path directory) throws IOException {
        Path file = directory.resolve(WEIGHTS);
        try (InputStream in = Files.newInputStream(file); NDManager scratch = model.getNDManager().newSubManager()) {
            NDList saved = NDList.decode(scratch, in);
            for (Pair<String, Parameter> pair : block.getParameters()) {
                NDArray value = saved.get(pair.getKey());
                if (value == null) {
                    throw new IOException(file + ": no tensor named '" + pair.getKey() + "'");
                }
                NDArray target = pair.getValue().getArray();
                if (!value.getShape().equals(target.getShape())) {
                    throw new IOException(file + ": tensor '" + pair.getKey() + "' has shape " + value.getShape()
                            + ", the model needs " + target.getShape());
                }
                boolean recording = target.hasGradient();
                target.setRequiresGradient(false);
                target.muli(0).addi(value.toType(target.getDataType(), false));
                if (recording) {
                    target.setRequiresGradient(true);
                }
            }
        }
    }

    @Override
    public void save(Path directory) throws IOException {
        NDList list = new NDList();
        Path temp = Files.createTempFile(directory, ".weights-", ".tmp");
        try {
            for (Pair<String, Parameter> pair : block.getParameters()) {
                NDArray array = pair.getValue().getArray().duplicate();
                array.setName(pair.getKey());
                list.add(array);
            }
            try (OutputStream out = Files.newOutputStream(temp)) {
                list.encode(out, NDList.Encoding.SAFETENSORS);
            }
            Files.move(temp, directory.resolve(WEIGHTS), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            list.close();
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public ModelKind kind() {
        return ModelKind.LANGUAGE;
    }

    @Override
    public Map<String, String> config() {
        return config.toMap();
    }

    @Override
    public <V> Optional<V> view(Class<V> type) {
        return type == LanguageModel.class ? Optional.of(type.cast(this)) : Optional.empty();
    }

    @Override
    public Model model() {
        return model;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public int maxLength() {
        return config.maxLength();
    }

    @Override
    public QaBatch encode(List<String> prompts, List<String> answers, NDManager manager) {
        if (prompts.size() != answers.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException(prompts.size() + " prompts for " + answers.size() + " answers");
        }
        int n = prompts.size();
        List<int[]> sequences = new ArrayList<>(n);
        int[] answerStart = new int[n];
        int longest = 0;
        for (int i = 0; i < n; i++) {
            int[] prompt = tokenizer.encode(prompts.get(i));
            int[] answer = tokenizer.encode(answers.get(i));
            int length = prompt.length + 1 + answer.length + 1;
            if (length > config.maxLength()) {
                throw new IllegalArgumentException("pair " + i + " is " + length + " tokens long; the model takes "
                        + config.maxLength());
            }
            int[] sequence = new int[length];
            System.arraycopy(prompt, 0, sequence, 0, prompt.length);
            sequence[prompt.length] = WordTokenizer.SEP;
            System.arraycopy(answer, 0, sequence, prompt.length + 1, answer.length);
            sequence[length - 1] = WordTokenizer.EOS;
            sequences.add(sequence);
            answerStart[i] = prompt.length + 1;
            longest = Math.max(longest, length);
        }
        long[] tokens = new long[n * longest];
        float[] mask = new float[n * longest];
        for (int i = 0; i < n; i++) {
            int[] sequence = sequences.get(i);
            for (int t = 0; t < sequence.length; t++) {
                tokens[i * longest + t] = sequence[t];
            }
            // the answer and the end marker: a model that knows the answer also knows where it ends
            for (int t = answerStart[i]; t < sequence.length; t++) {
                mask[i * longest + t] = 1f;
            }
        }
        Shape shape = new Shape(n, longest);
        return new QaBatch(manager.create(tokens, shape), manager.create(mask, shape), n);
    }

    /**
     * The logits of a batch of token ids: position t predicts token t from the tokens before it.
     * Results live in the manager of {@code tokens}.
     *
     * @param tokens int64 (batch, length) token ids, length ≤ {@link #maxLength()}
     * @param training whether to run in training mode (gradients recorded by an enclosing collector)
     * @return float32 (batch, length, vocabulary)
     */
    public NDArray logits(NDArray tokens, boolean training) {
        ParameterStore store = new ParameterStore(tokens.getManager(), false);
        return block.forward(store, new NDList(tokens), training).head();
    }

    @Override
    public NDArray logits(QaBatch batch, boolean training) {
        return logits(batch.tokens(), training);
    }

    @Override
    public NDArray answerLogProbs(QaBatch batch, boolean training) {
        NDArray logProbs = logits(batch.tokens(), training).logSoftmax(-1);
        NDArray picked = logProbs.gather(batch.tokens().expandDims(-1), -1).squeeze(-1);
        return picked.mul(batch.answerMask());
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
            try (NDManager scope = model.getNDManager().newSubManager()) {
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

    @Override
    public List<String> generate(List<String> prompts, int maxTokens) {
        List<String> out = new ArrayList<>();
        try (NDManager scope = model.getNDManager().newSubManager()) {
            for (String prompt : prompts) {
                List<Integer> sequence = new ArrayList<>();
                for (int id : tokenizer.encode(prompt)) {
                    sequence.add(id);
                }
                sequence.add(WordTokenizer.SEP);
                List<Integer> generated = new ArrayList<>();
                for (int i = 0; i < maxTokens && sequence.size() < config.maxLength(); i++) {
                    // one free slot at the end: the logits there predict the next token from those before it
                    long[] ids = new long[sequence.size() + 1];
                    for (int t = 0; t < sequence.size(); t++) {
                        ids[t] = sequence.get(t);
                    }
                    try (NDManager step = scope.newSubManager()) {
                        NDArray tokens = step.create(ids, new Shape(1, ids.length));
                        int next = (int) logits(tokens, false).get(0, ids.length - 1).argMax().getLong();
                        if (next == WordTokenizer.EOS) {
                            break;
                        }
                        sequence.add(next);
                        generated.add(next);
                    }
                }
                out.add(tokenizer.decode(generated.stream().mapToInt(Integer::intValue).toArray()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
