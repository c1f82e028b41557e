package org.lethe.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.lethe.api.model.language.LanguageModel;
import org.lethe.api.model.language.QaBatch;
import org.lethe.api.model.language.Tokenizer;

/**
 * A language model that times what a method's objective asks of it: {@link #encode} as the data
 * phase and {@link #logits} as the forward phase, the rest of the objective staying in the loss
 * phase. Everything is the wrapped model's own code, except {@link #answerLogProbs}, which repeats
 * {@code WordLanguageModel.answerLogProbs} (log-softmax, gather of the next tokens, mask) so that
 * its forward pass goes through the timed {@link #logits}. It can also hand every encoded batch to
 * a listener (the workload export for the PyTorch side).
 */
final class TimedLanguageModel implements LanguageModel {

    /** An encoded batch, as host arrays. */
    record Encoded(long[][] tokens, float[][] mask) {
    }

    private final LanguageModel lm;
    private final StepTimer timer;
    private Consumer<Encoded> encoded;

    TimedLanguageModel(LanguageModel lm, StepTimer timer) {
        this.lm = lm;
        this.timer = timer;
    }

    /** Hands every batch {@link #encode} makes to a listener, from now on. */
    void onEncode(Consumer<Encoded> listener) {
        this.encoded = listener;
    }

    @Override
    public Model model() {
        return lm.model();
    }

    @Override
    public Tokenizer tokenizer() {
        return lm.tokenizer();
    }

    @Override
    public int maxLength() {
        return lm.maxLength();
    }

    @Override
    public QaBatch encode(List<String> prompts, List<String> answers, NDManager manager) {
        int previous = timer.enter("data");
        QaBatch batch = lm.encode(prompts, answers, manager);
        timer.resume(previous);
        if (encoded != null) {
            encoded.accept(host(batch));
        }
        return batch;
    }

    @Override
    public NDArray logits(QaBatch batch, boolean training) {
        int previous = timer.enter("forward");
        NDArray logits = lm.logits(batch, training);
        timer.resume(previous);
        return logits;
    }

    @Override
    public NDArray answerLogProbs(QaBatch batch, boolean training) {
        NDArray logProbs = logits(batch, training).logSoftmax(-1);
        NDArray picked = logProbs.gather(batch.tokens().expandDims(-1), -1).squeeze(-1);
        return picked.mul(batch.answerMask());
    }

    @Override
    public List<String> generate(List<String> prompts, int maxTokens) {
        return lm.generate(prompts, maxTokens);
    }

    private static Encoded host(QaBatch batch) {
        int rows = (int) batch.tokens().getShape().get(0);
        int columns = (int) batch.tokens().getShape().get(1);
        long[] tokens = batch.tokens().toLongArray();
        float[] mask = batch.answerMask().toFloatArray();
        List<long[]> t = new ArrayList<>();
        List<float[]> m = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            long[] tr = new long[columns];
            float[] mr = new float[columns];
            System.arraycopy(tokens, r * columns, tr, 0, columns);
            System.arraycopy(mask, r * columns, mr, 0, columns);
            t.add(tr);
            m.add(mr);
        }
        return new Encoded(t.toArray(long[][]::new), m.toArray(float[][]::new));
    }
}
