/**
 * Fixtures of the text-to-image erasure tests (issue 7): a tiny trained {@code shapes-t2i} (widths
 * 16×32, 1.3 MB) and the shapes world's {@code shapes-clf}, trained on the shapes world of seed 0 by
 * the world's own training code and committed under {@code src/test/resources/fixtures/shapes/} so
 * that CI never trains a diffusion model. {@link org.lethe.itests.behaviour.shapes.ShapesFixtureBuilder}
 * rebuilds them (the README beside them has the command and the measured numbers);
 * {@link org.lethe.itests.behaviour.shapes.ShapesFixtures} loads them without the container, or
 * imports them into a model store; {@link org.lethe.itests.behaviour.shapes.ShapesFixturesTest} checks
 * their contract. {@link org.lethe.itests.behaviour.shapes.ShapesErasureStack} embeds the run service,
 * the ESD bundle and the evaluation bundle's erasure metrics over a store holding the fixtures, and
 * {@link org.lethe.itests.behaviour.shapes.EsdBehaviourTest} checks ESD's behaviour through it.
 */
package org.lethe.itests.behaviour.shapes;
