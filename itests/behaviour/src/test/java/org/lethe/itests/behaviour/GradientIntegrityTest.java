package org.lethe.itests.behaviour;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lethe.api.data.QaItem;
import org.lethe.models.transformer.WordTransformerModel;

/**
 * A gradient does not depend on when the Java garbage collector runs. Every method's objective
 * goes through the model's forward pass; if memory the backward pass reads can be freed by a
 * collection in between, runs stop being reproducible (the same spec commits different weights)
 * and an unlucky step applies a garbage update.
 */
class GradientIntegrityTest {

    private static FactsFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = FactsFixture.get();
    }

    /**
     * The gradient of the forget10 answer loss at the base model, with and without a garbage
     * collection between forward and backward, must be equal.
     */
    @Test
    void aGarbageCollectionBetweenForwardAndBackwardDoesNotChangeTheGradient() {
        List<QaItem> forget = fixture.world().split(FactsFixture.FORGET);
        Map<String, float[]> plain;
        Map<String, float[]> collected;
        try (WordTransformerModel lm = fixture.load(fixture.base())) {
            plain = Gradients.of(lm, (m, scope) -> m.answerLoss(m.encode(forget.stream().map(QaItem::question).toList(),
                    forget.stream().map(QaItem::answer).toList(), scope), true), false);
        }
        try (WordTransformerModel lm = fixture.load(fixture.base())) {
            collected = Gradients.of(lm, (m, scope) -> m.answerLoss(m.encode(forget.stream().map(QaItem::question).toList(),
                    forget.stream().map(QaItem::answer).toList(), scope), true), true);
        }
        String measured = String.format("max |g| %.4e without a GC, %.4e with one; max difference %.3e",
                Gradients.maxAbs(plain), Gradients.maxAbs(collected), Gradients.maxDifference(plain, collected));
        fixture.record("gradient integrity", "a GC between forward and backward changes no gradient", "-", measured,
                Gradients.same(plain, collected));
        assertTrue(Gradients.same(plain, collected), measured);
    }
}
