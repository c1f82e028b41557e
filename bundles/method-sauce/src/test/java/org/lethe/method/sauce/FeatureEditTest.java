package org.lethe.method.sauce;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The feature edit on a constructed autoencoder: exactness, removal, gating, untouched positions. */
class FeatureEditTest {

    static final int W = 8;
    static final int D = 24;
    static final int V = 4; // visual tokens: cls+visual = the first 5 of 7 positions
    private static NDManager manager;
    private static Sae relu;
    private static Sae topk;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
        Random random = new Random(9);
        float[] enc = new float[D * W];
        float[] dec = new float[D * W];
        for (int j = 0; j < D; j++) {
            double norm = 0;
            for (int c = 0; c < W; c++) {
                dec[j * W + c] = (float) random.nextGaussian();
                norm += dec[j * W + c] * dec[j * W + c];
            }
            for (int c = 0; c < W; c++) {
                dec[j * W + c] /= (float) Math.sqrt(norm);
                enc[j * W + c] = dec[j * W + c];
            }
        }
        float[] lat = new float[D];
        java.util.Arrays.fill(lat, -0.2f);
        float[] pre = new float[W];
        relu = new Sae(Sae.Variant.RELU, W, D, 0, enc, lat, dec, pre);
        topk = new Sae(Sae.Variant.TOPK, W, D, 6, enc, lat, dec, pre);
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @Test
    void gammaOneWithTheErrorTermGivesXBack() {
        for (Sae sae : new Sae[] {relu, topk}) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray x = scope.randomNormal(new Shape(3, 7, W));
                for (Positions p : Positions.values()) {
                    NDArray out = new FeatureEdit(sae.on(scope), new int[] {1, 4, 9}, 1f, p, V, Float.NaN).apply(x);
                    assertArrayEquals(x.toFloatArray(), out.toFloatArray(), sae.variant() + " " + p);
                }
            }
        }
    }

    @Test
    void zeroingRemovesTheSelectedFeaturesContribution() {
        int[] s = {2, 5, 11, 17};
        for (Sae sae : new Sae[] {relu, topk}) {
            try (NDManager scope = manager.newSubManager()) {
                Sae.On on = sae.on(scope);
                NDArray x = scope.randomNormal(new Shape(2, 7, W));
                NDArray out = new FeatureEdit(on, s, 0f, Positions.CLS_VISUAL, V, Float.NaN).apply(x);
                NDArray hooked = x.get(":, 0:5, :");
                NDArray z = on.encode(hooked);
                float[] mask = new float[D];
                for (int j : s) {
                    mask[j] = 1f;
                }
                NDArray zEdited = z.mul(scope.create(mask).neg().add(1f));
                // x' = dec(z with z_S = 0) + (x − dec(z))
                NDArray expected = on.decode(zEdited).add(hooked.sub(on.decode(z)));
                assertTrue(out.get(":, 0:5, :").sub(expected).abs().max().getFloat() < 1e-5, sae.variant().code());
                // equivalently x − Σ_{j∈S} z_j d_j, and the selected features did fire somewhere
                NDArray contribution = z.mul(scope.create(mask)).matMul(on.decoder());
                assertTrue(contribution.abs().max().getFloat() > 0.05f, "the constructed features never fire");
                assertTrue(out.get(":, 0:5, :").sub(hooked.sub(contribution)).abs().max().getFloat() < 1e-5);
                // the question positions after the hooked prefix are untouched
                assertArrayEquals(x.get(":, 5:, :").toFloatArray(), out.get(":, 5:, :").toFloatArray());
            }
        }
    }

    @Test
    void negativeClampAndScaleMultiplyTheFeatures() {
        int[] s = {3};
        try (NDManager scope = manager.newSubManager()) {
            Sae.On on = relu.on(scope);
            NDArray x = scope.randomNormal(new Shape(4, 1, W));
            NDArray z3 = on.encode(x).get(":, :, 3:4");
            NDArray d3 = on.decoder().get("3:4, :");
            for (float gamma : new float[] {-4f, 0.5f}) {
                NDArray out = new FeatureEdit(on, s, gamma, Positions.CLS, V, Float.NaN).apply(x);
                NDArray expected = x.add(z3.mul(gamma - 1f).matMul(d3));
                assertTrue(out.sub(expected).abs().max().getFloat() < 1e-5, "γ " + gamma);
            }
        }
    }

    @Test
    void theGateLeavesInputsWithoutTheConceptBitIdentical() {
        int[] s = {6};
        try (NDManager scope = manager.newSubManager()) {
            Sae.On on = relu.on(scope);
            float[] d6 = relu.direction(6);
            // row 0 carries feature 6 strongly at its visual tokens; row 1 is orthogonal-ish noise far from it
            float[] rows = new float[2 * 7 * W];
            Random random = new Random(4);
            for (int p = 0; p < 7; p++) {
                for (int c = 0; c < W; c++) {
                    rows[p * W + c] = 3f * d6[c] + 0.05f * (float) random.nextGaussian();
                    rows[7 * W + p * W + c] = -3f * d6[c] + 0.05f * (float) random.nextGaussian();
                }
            }
            NDArray x = scope.create(rows, new Shape(2, 7, W));
            FeatureEdit ungated = new FeatureEdit(on, s, 0f, Positions.CLS_VISUAL, V, Float.NaN);
            float[] scores = FeatureEdit.score(ungated.delta(x.get(":, 0:5, :"))).toFloatArray();
            assertTrue(scores[0] > 0.5f && scores[1] == 0f, "scores " + scores[0] + ", " + scores[1]);
            float tau = 0.99f * scores[0];
            NDArray out = new FeatureEdit(on, s, 0f, Positions.CLS_VISUAL, V, tau).apply(x);
            assertArrayEquals(x.get("1").toFloatArray(), out.get("1").toFloatArray());
            assertFalse(java.util.Arrays.equals(x.get("0").toFloatArray(), out.get("0").toFloatArray()));
            assertArrayEquals(ungated.apply(x).get("0").toFloatArray(), out.get("0").toFloatArray());
            // no row passes: the layer's output comes back as it was
            NDArray only = x.get("1:2");
            assertTrue(new FeatureEdit(on, s, 0f, Positions.CLS_VISUAL, V, tau).apply(only) == only);
        }
    }

    @Test
    void reconstructionReplacesOnlyTheHookedPositions() {
        try (NDManager scope = manager.newSubManager()) {
            Sae.On on = topk.on(scope);
            NDArray x = scope.randomNormal(new Shape(2, 7, W));
            NDArray out = FeatureEdit.reconstruction(on, Positions.CLS, V).apply(x);
            assertEquals(x.getShape(), out.getShape());
            assertArrayEquals(on.decode(on.encode(x.get(":, 0:1, :"))).toFloatArray(), out.get(":, 0:1, :").toFloatArray());
            assertArrayEquals(x.get(":, 1:, :").toFloatArray(), out.get(":, 1:, :").toFloatArray());
        }
    }

    @Test
    void theCheapBoundIsAnUpperBoundOfTheGateScore() {
        int[] s = {0, 3, 6, 7, 13, 20};
        for (Sae sae : new Sae[] {relu, topk}) {
            for (float gamma : new float[] {0f, -4f, 0.5f}) {
                try (NDManager scope = manager.newSubManager()) {
                    FeatureEdit edit = new FeatureEdit(sae.on(scope), s, gamma, Positions.ALL, V, Float.NaN);
                    NDArray x = scope.randomNormal(new Shape(32, 7, W)).mul(2f);
                    float[] score = FeatureEdit.score(edit.delta(x)).toFloatArray();
                    float[] bound = edit.bound(x).toFloatArray();
                    for (int b = 0; b < score.length; b++) {
                        assertTrue(bound[b] >= score[b] * (1 - 1e-5f), sae.variant() + " γ " + gamma + " row " + b + ": "
                                + bound[b] + " < " + score[b]);
                    }
                }
            }
        }
    }
}
