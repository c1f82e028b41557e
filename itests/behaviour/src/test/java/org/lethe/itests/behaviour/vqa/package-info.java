/**
 * The shapes-vqa world's committed test fixture ({@code shapes-vlm}, a trained vision-language
 * model) and its builder: {@link org.lethe.itests.behaviour.vqa.ShapesVqaFixtures} loads it and
 * generates the world's questions for tests; {@link org.lethe.itests.behaviour.vqa.ShapesVqaFixtureBuilder}
 * rebuilds it. Behaviour tests of vision-language unlearning (issue 9):
 * {@link org.lethe.itests.behaviour.vqa.VqaComparisonStack} embeds the run service with the
 * vision-language architecture and metrics, the methods, interventions, probes and world a test
 * installs, and the comparison harness over them, outside OSGi;
 * {@link org.lethe.itests.behaviour.vqa.FixtureVqaWorld} is the shapes-vqa world with the fixture
 * standing in for its training.
 */
package org.lethe.itests.behaviour.vqa;
