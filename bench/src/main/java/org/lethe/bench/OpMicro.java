package org.lethe.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Where a small step's time goes, op by op: the thread CPU time of single operations at the facts
 * model's shapes for a batch of 20 (B 20, T 13, 4 heads of 16, d 64, FFN 256, vocabulary 353), in
 * Lethe's engine (DJL 0.36, libtorch 2.7.1), gradient recording off. {@code bench/python/op_micro.py}
 * runs the same operations in Python PyTorch. Each operation: 20 rounds (after 3 uncounted) of
 * 500 calls, each result closed at once; prints the p50 and p95 over rounds of the µs per call.
 *
 * <p>With the argument {@code t2i}, the text-to-image U-Net's operations instead (issue 8,
 * {@link DiffusionSteps}): its 3×3 convolutions at the CFG batch of 2, and the per-operation cost of
 * an add at its 8×8 level, closed at once or, as in a forward pass, kept in the step's scope until
 * 500 of them are closed together ({@code bench/python/op_micro.py t2i} for PyTorch).
 *
 * <pre>
 * java -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -cp bench/target/lethe-bench.jar org.lethe.bench.OpMicro [t2i]
 * </pre>
 */
public final class OpMicro {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private OpMicro() {
    }

    /**
     * Entry point.
     *
     * @param args none, or {@code t2i} for the U-Net's operations
     */
    public static void main(String[] args) {
        Engine.getEngine("PyTorch");
        if (args.length > 0 && args[0].equals("t2i")) {
            unet();
            return;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            NDArray scores = m.randomNormal(new Shape(20, 4, 13, 13));
            NDArray x = m.randomNormal(new Shape(20, 13, 64));
            NDArray w = m.randomNormal(new Shape(64, 64));
            NDArray b = m.randomNormal(new Shape(64));
            NDArray q = m.randomNormal(new Shape(20, 4, 13, 16));
            NDArray k = m.randomNormal(new Shape(20, 4, 16, 13));
            NDArray h = m.randomNormal(new Shape(20, 13, 256));
            NDArray logits = m.randomNormal(new Shape(20, 13, 353));
            NDArray gamma = m.ones(new Shape(64));
            NDArray beta = m.zeros(new Shape(64));
            NDArray embedding = m.randomNormal(new Shape(353, 64));
            NDArray small = m.ones(new Shape(8, 8));
            Map<String, Function<NDManager, NDArray>> ops = new LinkedHashMap<>();
            ops.put("add 8x8 (per-op overhead)", s -> small.add(small));
            ops.put("softmax(-1) (20,4,13,13): attention", s -> scores.softmax(-1));
            ops.put("exp(x-max)/sum (20,4,13,13)", s -> {
                NDArray e = scores.sub(scores.max(new int[] {-1}, true)).exp();
                return e.div(e.sum(new int[] {-1}, true));
            });
            ops.put("softmax(2) (20,4,13,13): not the last axis", s -> scores.softmax(2));
            ops.put("logSoftmax(-1) (20,13,353): the loss", s -> logits.logSoftmax(-1));
            ops.put("linear (20,13,64)x(64,64)+b", s -> JniUtils.linear((PtNDArray) x, (PtNDArray) w, (PtNDArray) b));
            ops.put("linear (20,13,64)x(353,64): tied head", s -> JniUtils.linear((PtNDArray) x, (PtNDArray) embedding, null));
            ops.put("matmul (20,4,13,16)x(20,4,16,13)", s -> q.matMul(k));
            ops.put("layerNorm (20,13,64)", s -> JniUtils.layerNorm((PtNDArray) x, new Shape(64), (PtNDArray) gamma,
                    (PtNDArray) beta, 1e-5f));
            ops.put("gelu (20,13,256)", s -> Activation.gelu(h));
            ops.put("transpose+reshape (20,4,13,16)", s -> q.transpose(0, 2, 1, 3).reshape(20, 13, 64));
            for (Map.Entry<String, Function<NDManager, NDArray>> op : ops.entrySet()) {
                report(op.getKey(), rounds(m, op.getValue()));
            }
            // the optimiser, per parameter: DJL's AdamW (one JNI call) at three of the model's shapes
            Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-9f)).optWeightDecays(0.01f).build();
            for (Shape shape : new Shape[] {new Shape(64), new Shape(64, 64), new Shape(353, 64)}) {
                NDArray p = m.ones(shape);
                NDArray g = m.ones(shape);
                String id = shape.toString();
                report("AdamW update " + shape, rounds(m, s -> {
                    adamW.update(id, p, g);
                    return null;
                }));
            }
        }
    }

    /** The U-Net's operations at the CFG batch of 2 (see the class description). */
    private static void unet() {
        try (NDManager m = NDManager.newBaseManager()) {
            JniUtils.setGradMode(false);
            // (in, out, side): the up-sampler at 16x16, the full-resolution ResBlock, the 8x8 and 4x4 levels
            for (int[] c : new int[][] {{64, 64, 16}, {32, 32, 16}, {64, 64, 8}, {64, 64, 4}}) {
                NDArray x = m.randomNormal(new Shape(2, c[0], c[2], c[2]));
                NDArray w = m.randomNormal(new Shape(c[1], c[0], 3, 3));
                NDArray b = m.zeros(new Shape(c[1]));
                report(String.format(Locale.ROOT, "conv3x3 %d->%d (2,%d,%d,%d)", c[0], c[1], c[0], c[2], c[2]),
                        rounds(m, s -> Conv2d.conv2d(x, w, b, new Shape(1, 1), new Shape(1, 1)).head(), false));
            }
            NDArray x = m.randomNormal(new Shape(2, 64, 8, 8));
            report("add (2,64,8,8), closed at once", rounds(m, s -> x.add(x), false));
            report("add (2,64,8,8), kept in the scope", rounds(m, s -> x.add(x), true));
        }
    }

    private static Stats rounds(NDManager m, Function<NDManager, NDArray> op) {
        return rounds(m, op, false);
    }

    /**
     * 20 rounds (after 3) of 500 calls; each result closed at once, or ({@code scoped}) all 500
     * left in one scope made from a step-scoped input and closed at the end of the round.
     */
    private static Stats rounds(NDManager m, Function<NDManager, NDArray> op, boolean scoped) {
        Stats stats = new Stats("op");
        int calls = 500;
        for (int round = 0; round < 23; round++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            if (scoped) {
                try (NDManager s = m.newSubManager()) {
                    NDArray first = op.apply(s);
                    first.attach(s);
                    for (int i = 1; i < calls; i++) {
                        first.add(first);
                    }
                }
            }
            for (int i = 0; !scoped && i < calls; i++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray result = op.apply(s);
                    if (result != null) {
                        result.close();
                    }
                }
            }
            if (round >= 3) {
                stats.add((THREADS.getCurrentThreadCpuTime() - c0) / 1e3 / calls);
            }
        }
        return stats;
    }

    private static void report(String name, Stats stats) {
        System.out.printf(Locale.ROOT, "lethe | %-45s | n %d | p50 %8.2f us | p95 %8.2f us%n", name, stats.count(), stats.p50(),
                stats.p95());
    }
}
