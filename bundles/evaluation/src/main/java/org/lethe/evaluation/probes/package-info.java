/**
 * The probes of the evaluation bundle (docs/probes.md): attacks and recovery procedures that
 * measure whether forgotten knowledge comes back. Each is a {@link org.lethe.api.eval.Probe}
 * service selected by {@code lethe.probe}:
 * <ul>
 * <li>{@code relearning}: fine-tune on half the forget entities, follow exact match on the other
 *     half over steps (Hu et al. 2024; research/methods-llm.md §2.4);</li>
 * <li>{@code prompt-attacks}: paraphrase, Sleek-style direct / indirect / implied prompts and
 *     in-context reintroduction, with controls for unfair suppression (methods-llm.md §2.3);</li>
 * <li>{@code corrective-relearning}: fine-tune on the true values of rumoured attributes, follow
 *     truth accuracy and whether the rumours resurface (OFFSIDE; methods-llm.md §2.2).</li>
 * </ul>
 * Probes train only the private copy of the model their task hands them, through the run's
 * optimisation loop ({@link org.lethe.api.run.RunContext#optimise}); their randomness derives from
 * the run's seed. Not exported: the bundle is a leaf.
 */
package org.lethe.evaluation.probes;
