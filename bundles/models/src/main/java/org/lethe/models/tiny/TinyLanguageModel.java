package org.lethe.models.tiny;

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

/** A tiny language model in memory: its DJL model, its tokenizer, and the language-model view. */
final class TinyLanguageModel implements LoadedModel, LanguageModel {

    /** File name of the weights in a model version's folder. */
    static final String WEIGHTS = "weights.safetensors";

    private final TinyLmConfig config;
    private final WordTokenizer tokenizer;
    private final Model model;
    private final TinyLmBlock block;

    TinyLanguageModel(TinyLmConfig config, long seed) {
        this.config = config;
        this.tokenizer = new WordTokenizer(config.vocabulary());
        this.block = new TinyLmBlock(tokenizer.vocabularySize(), config.context(), config.embedding(), config.hidden());
        this.model = Model.newInstance("tiny-lm");
        model.setBlock(block);
        model.getNDManager().getEngine().setRandomSeed((int) seed);
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, config.maxLength()));
    }

    /** Reads weights written by {@link #save}; every parameter must be present with its shape. */
    void loadWeights(Path directory) throws IOException {
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
                // in place: the parameter keeps its own array (DESIGN §7: never copy into a temporary
                // wrapper); PyTorch forbids in-place writes to a leaf that records gradients, so the
                // flag is off while the values are written
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
        for (Pair<String, Parameter> pair : block.getParameters()) {
            NDArray array = pair.getValue().getArray().duplicate();
            array.setName(pair.getKey());
            list.add(array);
        }
        Path temp = Files.createTempFile(directory, ".weights-", ".tmp");
        try (OutputStream out = Files.newOutputStream(temp)) {
            list.encode(out, NDList.Encoding.SAFETENSORS);
        } finally {
            list.close();
        }
        Files.move(temp, directory.resolve(WEIGHTS), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
        return type.isInstance(this) && type == LanguageModel.class ? Optional.of(type.cast(this)) : Optional.empty();
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
        List<int[]> sequences = new ArrayList<>();
        List<int[]> answerSpans = new ArrayList<>();
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
            // the end marker is scored with the answer: a model that knows the answer also knows where it ends
            answerSpans.add(new int[] {prompt.length + 1, prompt.length + 2 + answer.length});
            longest = Math.max(longest, length);
        }
        long[] tokens = new long[n * longest];
        float[] mask = new float[n * longest];
        for (int i = 0; i < n; i++) {
            int[] sequence = sequences.get(i);
            for (int t = 0; t < sequence.length; t++) {
                tokens[i * longest + t] = sequence[t];
            }
            for (int t = answerSpans.get(i)[0]; t < answerSpans.get(i)[1]; t++) {
                mask[i * longest + t] = 1f;
            }
        }
        Shape shape = new Shape(n, longest);
        return new QaBatch(manager.create(tokens, shape), manager.create(mask, shape), n);
    }

    @Override
    public NDArray logits(QaBatch batch, boolean training) {
        ParameterStore store = new ParameterStore(batch.tokens().getManager(), false);
        return block.forward(store, new NDList(batch.tokens()), training).head();
    }

    @Override
    public NDArray answerLogProbs(QaBatch batch, boolean training) {
        NDArray logProbs = logits(batch, training).logSoftmax(-1);
        NDArray picked = logProbs.gather(batch.tokens().expandDims(-1), -1).squeeze(-1);
        return picked.mul(batch.answerMask());
    }

    @Override
    public List<String> generate(List<String> prompts, int maxTokens) {
        List<String> out = new ArrayList<>();
        try (NDManager scope = model.getNDManager().newSubManager()) {
            ParameterStore store = new ParameterStore(scope, false);
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
                        NDArray logits = block.forward(store, new NDList(tokens), false).head();
                        int next = (int) logits.get(0, ids.length - 1).argMax().getLong();
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
