/**
 * Gradient ascent (GA) and gradient difference (GradDiff), the baselines every unlearning paper
 * compares against (methods-llm.md §1.1–1.2). A leaf bundle: it exports nothing.
 */
package org.lethe.method.gradientascent;
