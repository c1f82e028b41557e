package org.lethe.models.text;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.lethe.api.model.LoadedModel;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;
import org.lethe.api.model.language.Tokenizer;
import org.lethe.models.weights.SafetensorsWeights;

/**
 * What every word-level causal language model here shares: the tokenizer, prompt–answer encoding
 * (prompt, separator, answer, end marker; the answer mask covers the answer and the end marker),
 * answer-only scoring, greedy decoding, and weights as safetensors keyed by parameter name. A
 * subclass brings its block, whose output at position t scores token t given the tokens before it.
 */
public abstract class WordLanguageModel implements LoadedModel, LanguageModel {

    /** File name of the weights in a model version's folder. */
    public static final String WEIGHTS = SafetensorsWeights.WEIGHTS;

    private final WordTokenizer tokenizer;
    private final Model model;
    private final Block block;
    private final int maxLength;
    /**
     * Token ids per string {@link #encode} has seen: the methods encode the same forget and retain
     * strings at every step, and the regular-expression tokenizer is the costly part of encoding.
     * Never handed out (callers get copies in arrays); cleared when it reaches
     * {@value #ENCODED_CACHE_LIMIT} strings.
     */
    private final Map<String, int[]> encoded = new ConcurrentHashMap<>();
    private static final int ENCODED_CACHE_LIMIT = 1 << 16;

    /**
     * @param name the DJL model's name (the architecture's)
     * @param vocabulary the words, in id order after the markers
     * @param maxLength the longest sequence, in tokens
     * @param blockForVocabulary builds the block for a vocabulary size (markers included)
     */
    protected WordLanguageModel(String name, List<String> vocabulary, int maxLength, IntFunction<Block> blockForVocabulary) {
        this.tokenizer = new WordTokenizer(vocabulary);
        this.maxLength = maxLength;
        this.block = blockForVocabulary.apply(tokenizer.vocabularySize());
        this.model = Model.newInstance(name);
        model.setBlock(block);
    }

    /** Initialises the parameters (after the subclass has seeded its initialisers); closes the model on failure. */
    protected final void initialize() {
        try {
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, maxLength));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** @return the block */
    protected final Block block() {
        return block;
    }

    /**
     * Reads weights written by {@link #save}; every parameter must be present with its shape. The
     * values are written into the existing parameter arrays (DESIGN §7: never copy into a temporary
     * wrapper), with gradient recording off during the write, since PyTorch refuses in-place writes
     * to a leaf that records gradients.
     *
     * @param directory the folder holding {@value #WEIGHTS}
     * @throws IOException when the file cannot be read, lacks a parameter or has a wrong shape
     */
    public void loadWeights(Path directory) throws IOException {
        SafetensorsWeights.load(arrays(), directory, model.getNDManager());
    }

    /** @return the parameters by name, in the block's order */
    private Map<String, NDArray> arrays() {
        Map<String, NDArray> out = new java.util.LinkedHashMap<>();
        for (Pair<String, Parameter> pair : block.getParameters()) {
            out.put(pair.getKey(), pair.getValue().getArray());
        }
        return out;
    }

    /**
     * Loads weights into a freshly made model, closing it if they cannot be read: what an
     * architecture's {@code load} does.
     *
     * @param <M> the model type
     * @param model a model of the right shape
     * @param directory the folder holding {@value #WEIGHTS}
     * @return the model, loaded
     * @throws IOException as {@link #loadWeights}
     */
    public static <M extends WordLanguageModel> M withWeights(M model, Path directory) throws IOException {
        return SafetensorsWeights.loadOrClose(model, directory, (m, d) -> m.loadWeights(d));
    }

    @Override
    public void save(Path directory) throws IOException {
        SafetensorsWeights.save(arrays(), directory);
    }

    @Override
    public ModelKind kind() {
        return ModelKind.LANGUAGE;
    }

    @Override
    public <V> Optional<V> view(Class<V> type) {
        // the shared question-answering view too (gradient ascent and GradDiff are written against it)
        return type == LanguageModel.class || type == org.lethe.api.model.AnswerModel.class ? Optional.of(type.cast(this))
                : Optional.empty();
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
        return maxLength;
    }

    @Override
    public QaBatch encode(List<String> prompts, List<String> answers, NDManager manager) {
        if (prompts.size() != answers.size() || prompts.isEmpty()) {
            throw new IllegalArgumentException(prompts.size() + " prompts for " + answers.size() + " answers");
        }
        int n = prompts.size();
        int[][] promptIds = new int[n][];
        int[][] answerIds = new int[n][];
        int longest = 0;
        for (int i = 0; i < n; i++) {
            promptIds[i] = ids(prompts.get(i));
            answerIds[i] = ids(answers.get(i));
            int length = promptIds[i].length + 1 + answerIds[i].length + 1;
            if (length > maxLength) {
                throw new IllegalArgumentException("pair " + i + " is " + length + " tokens long; the model takes " + maxLength);
            }
            longest = Math.max(longest, length);
        }
        // prompt, separator, answer, end marker, then <pad> (0)
        long[] tokens = new long[n * longest];
        float[] mask = new float[n * longest];
        for (int i = 0; i < n; i++) {
            int row = i * longest;
            int[] prompt = promptIds[i];
            int[] answer = answerIds[i];
            for (int t = 0; t < prompt.length; t++) {
                tokens[row + t] = prompt[t];
            }
            int answerStart = prompt.length + 1;
            tokens[row + prompt.length] = WordTokenizer.SEP;
            for (int t = 0; t < answer.length; t++) {
                tokens[row + answerStart + t] = answer[t];
            }
            int end = answerStart + answer.length;
            tokens[row + end] = WordTokenizer.EOS;
            // the answer and the end marker: a model that knows the answer also knows where it ends
            for (int t = answerStart; t <= end; t++) {
                mask[row + t] = 1f;
            }
        }
        Shape shape = new Shape(n, longest);
        return new QaBatch(manager.create(tokens, shape), manager.create(mask, shape), n);
    }

    /** The token ids of a string, from the cache when it was encoded before (not to be modified). */
    private int[] ids(String text) {
        int[] cached = encoded.get(text);
        if (cached == null) {
            cached = tokenizer.encode(text);
            if (encoded.size() >= ENCODED_CACHE_LIMIT) {
                encoded.clear();
            }
            encoded.put(text, cached);
        }
        return cached;
    }

    /**
     * The logits of a batch of token ids: position t scores token t given the tokens before it.
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

    @Override
    public List<String> generate(List<String> prompts, int maxTokens) {
        List<String> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += GENERATE_BATCH) {
            out.addAll(generateBatch(prompts.subList(from, Math.min(prompts.size(), from + GENERATE_BATCH)), maxTokens));
        }
        return out;
    }

    /** Prompts decoded together: one forward pass per generated position for the whole batch. */
    static final int GENERATE_BATCH = 256;

    /**
     * Greedy decoding of a batch. Each row holds its prompt, the separator and what it generated so
     * far, then one free slot whose logits predict the next token, then padding; the model is causal,
     * so the padding after a row's free slot cannot change what that slot predicts, and a row decodes
     * exactly as it would alone.
     */
    private List<String> generateBatch(List<String> prompts, int maxTokens) {
        int n = prompts.size();
        List<List<Integer>> sequences = new ArrayList<>(n);
        List<List<Integer>> generated = new ArrayList<>(n);
        boolean[] done = new boolean[n];
        for (String prompt : prompts) {
            List<Integer> sequence = new ArrayList<>();
            for (int id : tokenizer.encode(prompt)) {
                sequence.add(id);
            }
            sequence.add(WordTokenizer.SEP);
            sequences.add(sequence);
            generated.add(new ArrayList<>());
        }
        try (NDManager scope = model.getNDManager().newSubManager()) {
            for (int i = 0; i < maxTokens; i++) {
                int width = 0;
                List<Integer> rows = new ArrayList<>();
                for (int r = 0; r < n; r++) {
                    if (!done[r] && sequences.get(r).size() < maxLength) {
                        rows.add(r);
                        width = Math.max(width, sequences.get(r).size() + 1);
                    } else {
                        done[r] = true;
                    }
                }
                if (rows.isEmpty()) {
                    break;
                }
                long[] ids = new long[rows.size() * width];
                for (int k = 0; k < rows.size(); k++) {
                    List<Integer> sequence = sequences.get(rows.get(k));
                    for (int t = 0; t < sequence.size(); t++) {
                        ids[k * width + t] = sequence.get(t);
                    }
                }
                try (NDManager step = scope.newSubManager()) {
                    NDArray logits = logits(step.create(ids, new Shape(rows.size(), width)), false);
                    long[] next = logits.argMax(2).toLongArray();
                    for (int k = 0; k < rows.size(); k++) {
                        int r = rows.get(k);
                        int token = (int) next[k * width + sequences.get(r).size()];
                        if (token == WordTokenizer.EOS) {
                            done[r] = true;
                        } else {
                            sequences.get(r).add(token);
                            generated.get(r).add(token);
                        }
                    }
                }
            }
        }
        List<String> out = new ArrayList<>(n);
        for (List<Integer> tokens : generated) {
            out.add(tokenizer.decode(tokens.stream().mapToInt(Integer::intValue).toArray()));
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
