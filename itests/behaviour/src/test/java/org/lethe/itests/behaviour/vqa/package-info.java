/**
 * The shapes-vqa world's committed test fixture ({@code shapes-vlm}, a trained vision-language
 * model) and its builder: {@link org.lethe.itests.behaviour.vqa.ShapesVqaFixtures} loads it and
 * generates the world's questions for tests; {@link org.lethe.itests.behaviour.vqa.ShapesVqaFixtureBuilder}
 * rebuilds it.
 */
package org.lethe.itests.behaviour.vqa;
