package org.lethe.method.sauce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;

/** The autoencoder: training, TopK sparsity, the decoder's norm, and its safetensors file. */
class SaeTest {

    static final int WIDTH = 16;
    static final int COUNT = 4096;
    private static NDManager manager;
    private static float[] data;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
        data = sparseData(new Random(7), COUNT, WIDTH, 32, 3);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    /** Vectors made of 3 of 32 fixed unit directions with positive weights, plus a little noise. */
    static float[] sparseData(Random random, int count, int width, int atoms, int active) {
        float[][] directions = new float[atoms][width];
        for (float[] d : directions) {
            double norm = 0;
            for (int c = 0; c < width; c++) {
                d[c] = (float) random.nextGaussian();
                norm += d[c] * d[c];
            }
            for (int c = 0; c < width; c++) {
                d[c] /= (float) Math.sqrt(norm);
            }
        }
        float[] rows = new float[count * width];
        for (int i = 0; i < count; i++) {
            for (int a = 0; a < active; a++) {
                float[] d = directions[random.nextInt(atoms)];
                float w = 0.5f + 1.5f * random.nextFloat();
                for (int c = 0; c < width; c++) {
                    rows[i * width + c] += w * d[c];
                }
            }
            for (int c = 0; c < width; c++) {
                rows[i * width + c] += 0.01f * (float) random.nextGaussian() + 0.3f;
            }
        }
        return rows;
    }

    private static SaeTrainer.Trained train(Sae.Variant variant) {
        try (SauceRunContext run = new SauceRunContext(11, manager)) {
            return SaeTrainer.train(data, COUNT, WIDTH, new SaeTrainer.Settings(variant, 64, 4, 0.02, 15, 1, 3e-3, 256), run);
        }
    }

    @Test
    void bothVariantsReduceTheReconstructionError() {
        for (Sae.Variant variant : Sae.Variant.values()) {
            SaeTrainer.Trained trained = train(variant);
            float[] losses = trained.losses();
            double first = mean(losses, 0, 10);
            double last = mean(losses, losses.length - 10, losses.length);
            SaeTrainer.Quality quality = SaeTrainer.quality(trained.sae(), data, COUNT, manager);
            System.out.printf("[sae] %s: loss %.4f → %.4f, FVU %.4f, mean L0 %.2f%n", variant.code(), first, last,
                    quality.fvu(), quality.meanL0());
            assertTrue(last < 0.5 * first, variant + ": loss " + first + " → " + last);
            assertTrue(quality.fvu() < 0.25, variant + ": FVU " + quality.fvu());
            if (variant == Sae.Variant.TOPK) {
                assertTrue(quality.meanL0() <= 4.0 + 1e-9, "TopK L0 " + quality.meanL0());
            }
        }
    }

    @Test
    void decoderDirectionsHaveUnitNorm() {
        for (Sae.Variant variant : Sae.Variant.values()) {
            Sae sae = train(variant).sae();
            for (int j = 0; j < sae.dictionary(); j++) {
                double norm = 0;
                for (float v : sae.direction(j)) {
                    norm += v * v;
                }
                assertEquals(1.0, Math.sqrt(norm), 1e-5, variant + " direction " + j);
            }
        }
    }

    @Test
    void topKKeepsExactlyKActive() {
        Random random = new Random(3);
        int d = 48;
        float[] enc = new float[d * WIDTH];
        for (int i = 0; i < enc.length; i++) {
            enc[i] = (float) random.nextGaussian();
        }
        float[] bias = new float[d];
        java.util.Arrays.fill(bias, 50f); // every pre-activation positive: the ReLU cannot hide a dropped top-k entry
        Sae sae = new Sae(Sae.Variant.TOPK, WIDTH, d, 5, enc, bias, new float[d * WIDTH], new float[WIDTH]);
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.randomNormal(new Shape(7, 3, WIDTH));
            NDArray z = sae.on(scope).encode(x);
            assertEquals(new Shape(7, 3, d), z.getShape());
            long[] active = z.gt(0f).sum(new int[] {2}).toLongArray();
            for (long a : active) {
                assertEquals(5, a);
            }
            // the kept entries are the largest pre-activations
            NDArray pre = sae.on(scope).pre(x);
            NDArray kth = pre.topK(5, -1, true, true).get(0).get(":, :, 4:5");
            assertTrue(z.gt(0f).eq(pre.gte(kth)).all().getBoolean());
        }
    }

    @Test
    void safetensorsRoundTripAndBadFiles(@TempDir Path dir) throws Exception {
        Sae sae = train(Sae.Variant.TOPK).sae();
        Path file = dir.resolve("sae.safetensors");
        Files.write(file, SaeFiles.write(sae, manager));
        Sae back = SaeFiles.read(file, Sae.Variant.TOPK, 4, manager);
        assertEquals(sae.width(), back.width());
        assertEquals(sae.dictionary(), back.dictionary());
        for (int j = 0; j < sae.dictionary(); j++) {
            assertArrayEquals(sae.direction(j), back.direction(j));
        }
        LetheException tooBig = assertThrows(LetheException.class, () -> SaeFiles.read(file, Sae.Variant.TOPK, 65, manager));
        assertTrue(tooBig.getMessage().contains("larger than its dictionary of 64"), tooBig.getMessage());

        byte[] bytes = Files.readAllBytes(file);
        bytes[0] = (byte) 0xff;
        bytes[6] = 0x7f; // a header length of petabytes
        Path hostile = dir.resolve("hostile.safetensors");
        Files.write(hostile, bytes);
        LetheException header = assertThrows(LetheException.class, () -> SaeFiles.read(hostile, Sae.Variant.TOPK, 4, manager));
        assertTrue(header.getMessage().contains("hostile.safetensors") && header.getMessage().contains("header length"),
                header.getMessage());
    }

    private static double mean(float[] values, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += values[i];
        }
        return s / (to - from);
    }
}
