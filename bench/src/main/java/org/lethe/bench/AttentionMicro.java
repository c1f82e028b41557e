package org.lethe.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Candidate layouts of the word-transformer's attention, measured whole (forward, and forward plus
 * backward under a gradient collector) at the facts model's shapes (T 13, 4 heads of 16, d 64) for
 * a batch of 20 and of 64: thread CPU µs per call, p50 and p95 over 15 rounds (after 3 uncounted).
 *
 * <pre>
 * java -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -cp bench/target/lethe-bench.jar org.lethe.bench.AttentionMicro [calls]
 * </pre>
 */
public final class AttentionMicro {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int T = 13;
    private static final int H = 4;
    private static final int HD = 16;
    private static final int D = 64;

    private AttentionMicro() {
    }

    /**
     * Entry point.
     *
     * @param args optional: calls per round (default 200)
     */
    public static void main(String[] args) {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Engine.getEngine("PyTorch");
        for (int batch : new int[] {20, 64}) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray xq = m.randomNormal(new Shape(batch, T, D));
                NDArray xk = m.randomNormal(new Shape(batch, T, D));
                NDArray xv = m.randomNormal(new Shape(batch, T, D));
                NDArray x = m.randomNormal(new Shape(batch, T, D));
                NDArray wq = m.randomNormal(new Shape(D, D)).mul(0.1);
                NDArray wk = m.randomNormal(new Shape(D, D)).mul(0.1);
                NDArray wv = m.randomNormal(new Shape(D, D)).mul(0.1);
                NDArray bq = m.randomNormal(new Shape(D));
                NDArray bk = m.randomNormal(new Shape(D));
                NDArray bv = m.randomNormal(new Shape(D));
                for (NDArray a : new NDArray[] {xq, xk, xv, x, wq, wk, wv, bq, bk, bv}) {
                    a.setRequiresGradient(true);
                }
                NDArray mask = mask(m, false);
                NDArray maskT = mask(m, true);
                NDArray scale = m.create((float) (1 / Math.sqrt(HD)));
                Map<String, Function<NDManager, NDArray>> ops = new LinkedHashMap<>();
                ops.put("current: QKt softmax(-1)", s -> {
                    NDArray q = split(xq, batch).mul(scale);
                    NDArray k = split(xk, batch);
                    NDArray v = split(xv, batch);
                    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).add(mask);
                    return scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, T, D);
                });
                ops.put("KQt softmax(2), Pt.V", s -> {
                    NDArray qt = xq.reshape(batch, T, H, HD).transpose(0, 2, 3, 1).mul(scale); // (B,H,hd,Tq)
                    NDArray k = split(xk, batch);
                    NDArray v = split(xv, batch);
                    NDArray p = k.matMul(qt).add(maskT).softmax(2); // (B,H,Tk,Tq)
                    return p.transpose(0, 1, 3, 2).matMul(v).transpose(0, 2, 1, 3).reshape(batch, T, D);
                });
                ops.put("KQt softmax(2), Vt.P", s -> {
                    NDArray qt = xq.reshape(batch, T, H, HD).transpose(0, 2, 3, 1).mul(scale); // (B,H,hd,Tq)
                    NDArray k = split(xk, batch);
                    NDArray vt = xv.reshape(batch, T, H, HD).transpose(0, 2, 3, 1); // (B,H,hd,Tk)
                    NDArray p = k.matMul(qt).add(maskT).softmax(2); // (B,H,Tk,Tq)
                    return vt.matMul(p).transpose(0, 3, 1, 2).reshape(batch, T, D); // (B,H,hd,Tq) -> (B,Tq,H,hd)
                });
                ops.put("KQt scale-after softmax(2), Pt.V", s -> {
                    NDArray qt = xq.reshape(batch, T, H, HD).transpose(0, 2, 3, 1);
                    NDArray k = split(xk, batch);
                    NDArray v = split(xv, batch);
                    NDArray p = k.matMul(qt).mul(scale).add(maskT).softmax(2);
                    return p.transpose(0, 1, 3, 2).matMul(v).transpose(0, 2, 1, 3).reshape(batch, T, D);
                });
                ops.put("KQt scale-after softmax(2), Vt.P", s -> {
                    NDArray qt = xq.reshape(batch, T, H, HD).transpose(0, 2, 3, 1);
                    NDArray k = split(xk, batch);
                    NDArray vt = xv.reshape(batch, T, H, HD).transpose(0, 2, 3, 1);
                    NDArray p = k.matMul(qt).mul(scale).add(maskT).softmax(2);
                    return vt.matMul(p).transpose(0, 3, 1, 2).reshape(batch, T, D);
                });
                ops.put("QKt softmax(-1) on transposed storage", s -> {
                    NDArray qt = xq.reshape(batch, T, H, HD).transpose(0, 2, 3, 1).mul(scale);
                    NDArray k = split(xk, batch);
                    NDArray v = split(xv, batch);
                    // (B,H,Tk,Tq) storage, viewed as (B,H,Tq,Tk): softmax over the last axis of a transposed view
                    NDArray p = k.matMul(qt).add(maskT).transpose(0, 1, 3, 2).softmax(-1);
                    return p.matMul(v).transpose(0, 2, 1, 3).reshape(batch, T, D);
                });
                ops.put("proj: 3 linears + split heads", s -> {
                    NDArray q = split(lin(x, wq, bq), batch);
                    NDArray k = split(lin(x, wk, bk), batch);
                    NDArray v = split(lin(x, wv, bv), batch);
                    return q.add(k).add(v);
                });
                ops.put("proj: fused linear + split(3)", s -> {
                    NDArray w = ai.djl.ndarray.NDArrays.concat(new NDList(wq, wk, wv), 0);
                    NDArray b = ai.djl.ndarray.NDArrays.concat(new NDList(bq, bk, bv), 0);
                    NDList parts = lin(x, w, b).reshape(batch, T, 3 * H, HD).transpose(0, 2, 1, 3).split(3, 1);
                    return parts.get(0).add(parts.get(1)).add(parts.get(2));
                });
                for (Map.Entry<String, Function<NDManager, NDArray>> op : ops.entrySet()) {
                    NDArray[] inputs = {xq, xk, xv, x, wq, wk, wv, bq, bk, bv, mask, maskT, scale};
                    Stats fwd = rounds(m, inputs, op.getValue(), calls, false);
                    Stats both = rounds(m, inputs, op.getValue(), calls, true);
                    System.out.printf(Locale.ROOT, "B %2d | %-40s | fwd p50 %7.1f p95 %7.1f | fwd+bwd p50 %7.1f p95 %7.1f us%n", batch,
                            op.getKey(), fwd.p50(), fwd.p95(), both.p50(), both.p95());
                }
            }
        }
    }

    private static NDArray lin(NDArray x, NDArray w, NDArray b) {
        return JniUtils.linear((PtNDArray) x, (PtNDArray) w, (PtNDArray) b);
    }

    private static NDArray split(NDArray projected, long batch) {
        return projected.reshape(batch, T, H, HD).transpose(0, 2, 1, 3);
    }

    private static NDArray mask(NDManager m, boolean transposed) {
        float[] mask = new float[T * T];
        for (int r = 0; r < T; r++) {
            for (int c = r + 1; c < T; c++) {
                mask[transposed ? c * T + r : r * T + c] = -1e9f;
            }
        }
        return m.create(mask, new Shape(T, T));
    }

    private static Stats rounds(NDManager m, NDArray[] inputs, Function<NDManager, NDArray> op, int calls, boolean backward) {
        Stats stats = new Stats("op");
        for (int round = 0; round < 18; round++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) {
                try (NDManager s = m.newSubManager()) {
                    for (NDArray a : inputs) {
                        a.tempAttach(s); // results attach to their first input's manager: the call's scope
                    }
                    if (backward) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray out = op.apply(s);
                            NDArray loss = out.mul(out).sum();
                            gc.backward(loss);
                        }
                    } else {
                        JniUtils.setGradMode(false);
                        op.apply(s);
                        JniUtils.setGradMode(true);
                    }
                }
            }
            if (round >= 3) {
                stats.add((THREADS.getCurrentThreadCpuTime() - c0) / 1e3 / calls);
            }
        }
        return stats;
    }
}
