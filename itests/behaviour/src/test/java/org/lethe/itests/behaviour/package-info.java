/**
 * Behavioural tests of the language-model unlearning methods (issue 5, item 4): plain JUnit in one
 * JVM, with the run service embedded outside OSGi ({@link org.lethe.itests.behaviour.FactsFixture}),
 * the facts world of seed 0, its base and forget10 gold models trained once with the world's recipe
 * and cached under {@code target/} ({@link org.lethe.itests.behaviour.TrainedModelCache}), and the
 * methods as their own bundles describe them ({@link org.lethe.itests.behaviour.MethodBundle}).
 *
 * <p>Every bound cites the value research/methods-llm.md §3.5–§3.6 measured on a PyTorch prototype
 * of the same design and the value measured here, and keeps at least half of the research effect.
 * A research claim that does not reproduce at Lethe's scale stays as a disabled test whose reason
 * gives the numbers. Each run's bounds are also written to {@code target/behaviour-measurements.md}.
 * The measures themselves ({@link org.lethe.itests.behaviour.Metrics}) are computed here from the
 * model's logits, not by the code under test.
 */
package org.lethe.itests.behaviour;
